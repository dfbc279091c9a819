"""One place that wires a store's application and its read model together.

Opening a session brings the read model up to date and, the first time a store is used
(or when a new release ships new history files), loads the shipped history. Queries read
the read model; appends go through the application, and the read model catches up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from domain.application import Appended, Clock, RecordView, Uspk, utc_now
from domain.chronicle import Record
from domain.store import Store
from events.history import history_digest
from projections.readmodel import ReadModel, database_errors


class Session:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.app = Uspk(store, clock=clock)
        self.views = ReadModel(store)
        if self.views.outdated:  # made by an older release: rebuilt from the log
            self.views.rebuild(self.app.recorder)
        else:
            self.views.catch_up(self.app.recorder)
        if self.views.history_digest() != history_digest():
            self.app.load_shipped_history(view=self.view)
            self.views.catch_up(self.app.recorder)

    def view(self) -> RecordView:
        """The record as the read model sees it, brought up to date first: what batches
        are checked against (saving then fails if another writer got in between)."""
        self.views.catch_up(self.app.recorder)
        return RecordView(self.views, self.views.chronicle_version(), self.views.history_digest())

    def close(self) -> None:
        self.views.close()
        self.app.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(self, documents: Iterable[Any], dry_run: bool = False) -> Appended:
        outcome = self.app.append(documents, dry_run=dry_run, view=self.view)
        try:
            self.views.catch_up(self.app.recorder)
        except database_errors():  # the batch is stored; the next command catches up
            pass
        return outcome

    def believed(
        self,
        known_at: datetime | None = None,
        starting_by: date | None = None,
        ending_from: date | None = None,
        kinds: Iterable[str] = (),
    ) -> list[Record]:
        return self.views.believed(known_at, starting_by, ending_from, kinds)

    def registry(self, known_at: datetime | None = None) -> dict:
        return self.views.registry(known_at)

    def record_of(self, event_id: str) -> Record | None:
        return self.views.record_of(event_id)

    def records(self) -> list[Record]:
        """Every record in recorded order, retractions and hidden ones included."""
        return self.views.everything()
