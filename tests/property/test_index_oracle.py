"""Property: the record index answers as the pure fold does.

Hypothesis writes random histories onto a real store (SQLite always; PostgreSQL when
USPK_TEST_POSTGRES names a server, with fewer examples): batches of valid documents of
every kind recorded at distinct moments, their dates anywhere in 0001..yesterday (so later
batches backfill before what is recorded), amendments of earlier events (some moving
their date), retractions of earlier events and of amendments. A batch the record's rules
refuse is left out, as the store leaves it out. Then, for several (as of, known at) pairs,
``service.reading``'s state, timeline and diff, which read the index, must equal the
projections run on the oracle (and each event's history and standing, those run on every
record): the records held in memory by the test, filtered to what
was believed at known-at by ``domain.records.believed_records``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from domain.records import Record, believed_records
from domain.rules import replay_key
from domain.world import RuleBroken, actor_registry
from events.files import validate
from projections import diff as changes
from projections import history
from projections import state as states
from projections import timeline as walks
from projections.state import Narrowing
from service import reading
from service.application import SHIPPED_MESSAGE
from service.bootstrap import Session, checked_store
from service.recorders import fallback_recorder
from tests.conftest import POSTGRES_ENV
from tests.factories import SOURCE
from tests.property.documents import (
    MODELS,
    YESTERDAY,
    appendable_batches,
    edtf_dates,
    fresh_id,
)
from tests.shipped import shipped_documents

KINDS = sorted(MODELS)
START = datetime.combine(YESTERDAY + timedelta(days=1), time(0), UTC)  # after every date
STEP = timedelta(minutes=10)  # between two recorded moments
SEPT_8 = date(2025, 9, 8)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


RECORDER = "oracle-test"  # who records each batch (the shipped history: the system user)


class Oracle:
    """What the test has recorded, held in memory in recorded order."""

    def __init__(self, recorded_at: datetime, loaded_by: str) -> None:
        self.records = [
            Record(d, recorded_at, n, loaded_by, SHIPPED_MESSAGE)
            for n, d in enumerate(shipped_documents(), 1)
        ]
        self.moments = [recorded_at]

    def add(self, documents: list[Any], recorded_at: datetime) -> None:
        start = len(self.records) + 1
        self.records += [
            Record(d, recorded_at, start + n, RECORDER, f"batch {len(self.moments)}")
            for n, d in enumerate(documents)
        ]
        self.moments.append(recorded_at)

    def believed(self, known_at: datetime | None) -> list[Record]:
        return believed_records(self.records, known_at)

    def standing(self) -> list[Any]:
        return [r.document for r in self.believed(None)]


def record(session: Session, oracle: Oracle, clock: Clock, documents: list[Any]) -> bool:
    """Append one batch at the next moment; whether the store took it (all or nothing)."""
    clock.now += STEP
    try:
        session.append(documents, recorder=RECORDER, message=f"batch {len(oracle.moments)}")
    except RuleBroken:
        event("a batch refused")
        return False
    oracle.add(documents, clock.now)
    for document in documents:
        hidden = getattr(document, "retracts", None) or getattr(document, "supersedes", None)
        retracts = getattr(document, "retracts", None)
        if retracts and retracts.startswith("amend-"):
            event("an amendment retracted")
        elif hidden:
            event("a retraction recorded" if retracts else "an amendment recorded")
    return True


def amendment(data: st.DataObject, target: Any) -> Any:
    """A whole amendment of ``target``: a new title, and maybe another date."""
    fields = target.model_dump(mode="json")
    fields |= {"id": fresh_id("amend"), "supersedes": target.id, "title": f"{target.title} (2)"}
    if data.draw(st.booleans(), label="moves its date"):
        fields["occurred"] = data.draw(edtf_dates(until=YESTERDAY), label="amended date")
    return validate(fields, "amendment")


def retraction(target: Any) -> Any:
    return validate(
        {
            "kind": "retraction",
            "id": fresh_id("retract"),
            "retracts": target.id,
            "reason": "Wrong.",
            "sources": [SOURCE],
        },
        "retraction",
    )


def write_history(data: st.DataObject, session: Session, oracle: Oracle, clock: Clock) -> None:
    """Several batches of new documents, each followed by amendments and retractions of
    what stands (amendments first in line to be retracted)."""
    for _ in range(data.draw(st.integers(2, 4), label="batches")):
        batch: list[dict] = []
        for kind in data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3)):
            batch += data.draw(appendable_batches(kind))[0]
        record(session, oracle, clock, [validate(d, "batch") for d in batch])
        for _ in range(data.draw(st.integers(0, 3), label="withdrawals")):
            standing = [d for d in oracle.standing() if d.id.startswith(("amend-", *KINDS))]
            if not standing:
                break
            amended = [d for d in standing if d.supersedes]
            pool = amended if amended and data.draw(st.booleans()) else standing
            target = data.draw(st.sampled_from(pool), label="target")
            withdrawal = (
                retraction(target)
                if data.draw(st.booleans(), label="retract")
                else amendment(data, target)
            )
            record(session, oracle, clock, [withdrawal])


def questions(data: st.DataObject, oracle: Oracle) -> list[tuple[date, datetime | None, Narrowing]]:
    """(as of, known at, narrowing) triples: known at each recorded moment, between two,
    before any and now; as of a date the history names, a day either side, or any day;
    the whole state or narrowed to agreements, actors or kinds the history names."""
    first = oracle.moments[0]
    moments = [None, first - timedelta(seconds=1), *oracle.moments]
    moments += [m + STEP / 2 for m in oracle.moments]
    named = [d for r in oracle.records for d in _dates(r.document)]
    near = st.sampled_from(named).flatmap(lambda d: st.sampled_from([d, _previous(d), _next(d)]))
    as_of = st.one_of(near, st.just(SEPT_8), st.dates(max_value=YESTERDAY))
    documents = [r.document for r in oracle.records if r.document.kind != "retraction"]
    agreements = sorted({i for d in documents for i in d.refers_to("agreement")})
    actors = sorted({a for d in documents for a in d.mentions()})
    some = lambda values: st.frozensets(st.sampled_from(values), max_size=2)  # noqa: E731
    narrowing = st.builds(Narrowing, some(agreements), some(actors), some(KINDS))
    return data.draw(
        st.lists(st.tuples(as_of, st.sampled_from(moments), narrowing), min_size=3, max_size=5),
        label="questions",
    )


def _dates(document: Any) -> list[date]:
    occurred = getattr(document, "occurred", None)
    return [occurred.start, occurred.end] if occurred is not None else []


def _next(day: date) -> date:
    return day if day == date.max else day + timedelta(days=1)


def _previous(day: date) -> date:  # an event on 1 January of year 1 has no day before
    return day if day == date.min else day - timedelta(days=1)


def index_equals_oracle(
    session: Session, oracle: Oracle, as_of: date, known_at, narrowing: Narrowing
) -> None:
    believed = oracle.believed(known_at)
    # Actors are known whatever the date of the event that introduced them.
    actors = actor_registry(r.document for r in believed)
    whole = states.state_at(believed, as_of, known_at, actors)
    assert reading.state_at(session, as_of, known_at) == whole, (
        f"state at {as_of} known at {known_at}"
    )
    # Narrowed, the index reads only what the kept entries depend on: they must be the
    # whole fold's entries about the same things.
    assert reading.state_at(session, as_of, known_at, narrowing) == narrowing.about(
        whole, believed
    ), f"state at {as_of} known at {known_at} about {narrowing}"
    assert reading.timeline(session, known_at=known_at) == walks.timeline(believed, registry=actors)
    # `uspk actors` reads the introductions, not the whole record: each actor's introducer
    # must be the one that every record, believed ones in replay order, names.
    in_replay_order = sorted(believed, key=lambda r: replay_key(r.document))
    assert reading.actors(session, known_at) == reading._actor_rows(
        actors, oracle.records, in_replay_order
    ), f"actors known at {known_at}"
    since = as_of - timedelta(days=45) if as_of > date.min + timedelta(days=45) else as_of
    assert reading.timeline(session, since, as_of, known_at=known_at) == walks.timeline(
        believed, since, as_of, registry=actors
    ), f"timeline {since}..{as_of} known at {known_at}"
    assert reading.diff(session, since, as_of, known_at) == changes.diff(
        believed, since, as_of, actors
    ), f"diff {since}..{as_of} known at {known_at}"


def corrections_read_as_the_whole_record_tells_them(session: Session, oracle: Oracle) -> None:
    """``uspk history`` and ``uspk show`` read an event's corrections by the index's edges
    and what relates to it by its keys, not the whole record: the projections run on every
    record (amendments of amendments, retracted amendments, relations) must agree."""
    for record in oracle.records:
        event_id = record.document.id
        assert reading.event_history(session, event_id) == history.lineage(
            oracle.records, event_id
        ), f"history of {event_id}"
        if record.document.kind != "retraction":
            assert reading.show_event(session, event_id)["standing"] == history.standing(
                oracle.records, event_id
            ), f"standing of {event_id}"


def check_random_histories(stores: Callable[[], AbstractContextManager[str]], examples: int):
    @settings(
        max_examples=examples,
        deadline=None,
        # No shrinking: each example opens a store, and shrinking one took five minutes;
        # the failing history is printed whole instead.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        derandomize=True,  # the same histories on every run: a failure is reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        clock = Clock()
        with stores() as address, Session(checked_store(address, create=True), clock) as session:
            oracle = Oracle(clock.now, fallback_recorder(session.store))
            write_history(data, session, oracle, clock)
            corrections_read_as_the_whole_record_tells_them(session, oracle)
            for as_of, known_at, narrowing in questions(data, oracle):
                index_equals_oracle(session, oracle, as_of, known_at, narrowing)

    check()


def test_sqlite_index_answers_as_the_fold_of_the_records_believed_then(tmp_path):
    @contextmanager
    def sqlite_file() -> Iterator[str]:
        yield str(tmp_path / f"{uuid.uuid4().hex}.sqlite")

    # Fewer in a mutation run, where it runs once per mutant (pyproject's mutants.index).
    check_random_histories(sqlite_file, int(os.environ.get("USPK_INDEX_EXAMPLES", "25")))


@contextmanager
def scratch_database(admin: str) -> Iterator[str]:
    """A PostgreSQL database of its own on the server ``admin`` names, dropped after."""
    import psycopg

    name = f"uspk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgres_index_answers_as_the_fold_of_the_records_believed_then():
    admin = os.environ.get(POSTGRES_ENV) or pytest.skip(f"{POSTGRES_ENV} is not set")
    check_random_histories(lambda: scratch_database(admin), examples=8)
