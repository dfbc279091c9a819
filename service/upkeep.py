"""Use cases that look after a store: check its read model, rebuild it, copy a history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projections.verify import Verdict
from projections.verify import verify as compare_with_log
from service.bootstrap import Upkeep
from service.stores import refuse_writing, resolve_store
from service.transfer import BATCH_SIZE
from service.transfer import copy_history as copy_stored_events


def log_end(upkeep: Upkeep) -> int:
    """How many notifications a rebuild will apply (the last id in the log; 0: empty)."""
    return upkeep.app.recorder.max_notification_id() or 0


def verify(upkeep: Upkeep) -> Verdict:
    """The read model compared with a fresh fold of the log; nothing written."""
    return compare_with_log(upkeep.app.recorder, upkeep.views)


def may_rebuild(upkeep: Upkeep) -> None:
    """Refuse, in one line naming the missing right, a rebuild we may not write."""
    refuse_writing(upkeep.store, "rebuilding the index")


def rebuild(upkeep: Upkeep, progress: Callable[[int], None] | None = None) -> int:
    """Every read-model table made again from the log; how many notifications applied."""
    may_rebuild(upkeep)
    return upkeep.views.rebuild(upkeep.app.recorder, progress)


@dataclass(frozen=True)
class CopyReport:
    source: str  # the stores' addresses as shown to the user (no password)
    target: str
    copied: int  # stored events written to the target now
    present: int  # stored events the target already held, identical to the source's


def copy_history(
    source: str, target: str, create: bool = False, batch_size: int = BATCH_SIZE
) -> CopyReport:
    """Copy the history stored at address ``source`` into the store at ``target``
    (a SQLite target is made if need be, its folder only with ``create``)."""
    source_store = resolve_store(source, must_exist=True)
    target_store = resolve_store(target, create=create)
    outcome = copy_stored_events(source_store, target_store, batch_size=batch_size)
    return CopyReport(source_store.address, target_store.address, outcome.copied, outcome.present)
