"""The shipped history and the worked-example amendment, as typed documents for tests."""

from __future__ import annotations

from pathlib import Path

from events.files import load_bytes
from events.history import history_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def shipped_documents() -> list:
    return [load_bytes(p.read_bytes(), str(p)).documents[0] for p in history_files()]


def shipped_amendments() -> list:
    """The shipped documents that amend another shipped one."""
    return [d for d in shipped_documents() if getattr(d, "supersedes", None)]


def shipped(event_id: str):
    return next(d for d in shipped_documents() if d.id == event_id)


def current_documents() -> list:
    """The shipped documents as the record's current view holds them: an amendment
    shipped beside the event it supersedes takes that event's place, completed from it
    as recording completes it."""
    from domain.recording import _completed as complete_amendments

    documents = shipped_documents()
    superseded = {d.supersedes for d in documents if getattr(d, "supersedes", None)}
    whole = complete_amendments(documents, _NothingRecorded())
    return [d for d in whole if d.id not in superseded]


class _NothingRecorded:
    """A lookup of a store that holds nothing yet: the shipped history completes its
    amendments from itself."""

    def recorded(self, ids):
        return {}


def recorded_until() -> str:
    """The last day any shipped event is dated to (its date's interval end), ISO."""
    from events.dates import parse_date

    return max(
        parse_date(str(d.occurred)).end
        for d in current_documents()
        if getattr(d, "occurred", None) is not None
    ).isoformat()


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return set().union(*map(_strings, items))


_BRINGS = {"agreement-signed": "agreement", "step-planned": "step"}  # what later events name


def with_dependents(*event_ids: str) -> list[str]:
    """``event_ids`` and every shipped event that names one of them, the agreement or step
    it brings, or an actor it introduces, transitively: what must be retracted together
    with them. In shipped order."""
    documents = shipped_documents()
    gone = set(event_ids)
    while True:
        names = set(gone)
        for document in (d for d in documents if d.id in gone):
            names |= {a.id for a in document.introduces}
            if document.kind in _BRINGS:
                names.add(getattr(document, _BRINGS[document.kind]))
        more = {
            d.id
            for d in documents
            if d.id not in gone
            and names & _strings(d.model_dump(mode="json", exclude={"id", "introduces", "sources"}))
        }
        if not more:
            return [d.id for d in documents if d.id in gone]
        gone |= more


def example(name: str):
    path = EXAMPLES / name
    return load_bytes(path.read_bytes(), str(path)).documents[0]


def june_amendment():
    """The example that gives the June meeting its day, as `uspk amend` records it."""
    document = example("2025-06-18-trump-munir-lunch.yaml")
    return document.model_copy(update={"supersedes": "trump-munir-meeting-2025-06"})


def june_visit_backfill():
    """The example of an event learned late about an early date."""
    return example("2025-06-munir-us-visit.yaml")


def after_history(days: int = 0):
    """9:00 UTC on the day after the last day any shipped event is dated to, plus
    ``days``: a moment at which the whole shipped history may be recorded (nothing is
    recorded before it occurs)."""
    from datetime import UTC, date, datetime, time, timedelta

    first = date.fromisoformat(recorded_until()) + timedelta(days=1 + days)
    return datetime.combine(first, time(9), UTC)


def independent_event() -> str:
    """The first shipped event that introduces nothing, brings nothing later events name,
    and that no other shipped event names: one a test may retract or amend alone, whatever
    the history grows to."""
    return next(
        d.id
        for d in shipped_documents()
        if not d.introduces
        and d.kind not in _BRINGS
        and not getattr(d, "supersedes", None)
        and with_dependents(d.id) == [d.id]
    )
