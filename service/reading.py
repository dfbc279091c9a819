"""Use cases that read: each takes an open session and simple values (dates, moments,
ids) and returns plain data (lists and dicts of str, numbers, dates) ready to render.

The projections that fold happenings (state, timeline, diff, history, corrections) build
the rules and every model when imported: each use case imports those it runs, so that a
state read from the kept rows starts without them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from domain.rules import RuleBroken
from projections.chain import head_view
from projections.kept_reading import Summary
from projections.standing import SECTIONS, Row, export_rows
from projections.views import event_view
from service.bootstrap import Session

if TYPE_CHECKING:
    from projections.corrections import Corrections
    from projections.state import Narrowing


class UnknownEvent(LookupError):
    """An event id the record does not hold; ``str()`` suggests ids like it."""


class UnknownAgreement(LookupError):
    """An --agreement filter that names no recorded agreement; ``str()`` suggests ids."""


class BrokenRecord(ValueError):
    """The indexed record breaks one of the domain's rules (an edited index, or a log
    that lost what others depend on); ``str()`` is the one line that says what to run."""


class NothingToExport(LookupError):
    """No event is believed at the moment asked about."""


@dataclass(frozen=True)
class Exported:
    """What an export shows: every believed event, the state on ``as_of``, the
    corrections recorded so far, and every recorded change (newest first). What the
    corrections' views hide and the ids believed are read as they are iterated: while
    the session is open (the page's known-at switch; no other format shows them)."""

    entries: list[dict[str, Any]]
    state: dict[str, Any]
    as_of: date
    corrections: Corrections
    changes: list[dict[str, Any]]  # every recorded change, newest first (the Atom feed)
    chain: dict[str, Any]  # the chain head of the record exported (projections.chain)


def timeline(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """``timeline_entries`` (the same arguments), as one list."""
    return list(timeline_entries(*args, **kwargs))


def timeline_entries(
    session: Session,
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
    kinds: Iterable[str] = (),
    known_at: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Believed happenings in occurrence order, each made when it is asked for, from
    records read a page at a time (with those relating to them) while the session is
    open: only a page is held. An unknown actor raises projections' UnknownActor here,
    before the first entry."""
    from projections import timeline as walks

    index = session.index
    registry = index.registry(known_at)
    if actor:
        walks.actor_ids_matching(actor, registry.values())  # refused before any entry
    pages = index.believed_pages(known_at, starting_by=until, ending_from=since, kinds=kinds)
    return _entries(
        pages,
        lambda records, relating: walks.timeline_entries(
            records, since, until, actor, kinds, registry, relating
        ),
    )


def _entries(
    pages: Iterator[tuple[list[Any], list[Any]]],
    entries_of: Callable[[list[Any], list[Any]], Iterable[dict[str, Any]]],
) -> Iterator[dict[str, Any]]:
    """Each page's entries in turn; closed (as the caller must, before the session),
    it ends the pages' read transaction at once, whether or not all were read."""
    try:
        for records, relating in pages:
            yield from entries_of(records, relating)
    finally:
        pages.close()


def state_at(
    session: Session,
    as_of: date,
    known_at: datetime | None = None,
    narrowing: Narrowing | None = None,
) -> dict[str, Any]:
    """The state on ``as_of`` as believed at ``known_at``, whole (the README's JSON)."""
    return dict(state_sections(session, as_of, known_at, narrowing))


def state_sections(
    session: Session,
    as_of: date,
    known_at: datetime | None = None,
    narrowing: Narrowing | None = None,
    as_read: bool = False,
) -> Iterator[tuple[str, Any]]:
    """The state's sections in order, each made when asked for (``as_read``: each an
    iterator of its entries, made as they are taken, for what writes them): a query of
    the kept rows per section (projections/kept_reading.py); narrowed, of the rows of the
    entries about what is asked, found by what each entry is about."""
    wanted = narrowing.wanted() if narrowing else None
    return session.index.kept_state(as_of, known_at, as_read, wanted)


def state_summary(
    session: Session,
    as_of: date,
    known_at: datetime | None = None,
    narrowing: Narrowing | None = None,
    latest: int | None = None,
) -> Summary:
    """What the state's text shows: each section's ``latest`` entries (at least one; None:
    every entry) with its count. The whole state's are read from the kept rows as counts
    and the last few rows of each section (``index.state_summary``), never every row; a
    narrowed one or every entry is the state itself, its counts its lengths."""
    if narrowing or latest is None:
        return Summary(state_at(session, as_of, known_at, narrowing), {}, {})
    return session.index.state_summary(as_of, known_at, latest)


@contextmanager
def state_shown(
    session: Session,
    as_of: date,
    known_at: datetime | None = None,
    narrowing: Narrowing | None = None,
    latest: int | None = None,
) -> Iterator[Summary]:
    """``state_summary``, held while it is shown: every entry of the whole state
    (``latest`` None, not narrowed) is its kept sections read in one read transaction,
    each section's entries made as they are gone through (``index.kept_state_held``),
    so that what writes them as they come never holds the whole state."""
    if latest is None and not narrowing:
        with session.index.kept_state_held(as_of, known_at) as state:
            yield Summary(state, {}, {})
    else:
        yield state_summary(session, as_of, known_at, narrowing, latest)


def narrowing(
    session: Session,
    agreements: Iterable[str] = (),
    actors: Iterable[str] = (),
    kinds: Iterable[str] = (),
    known_at: datetime | None = None,
) -> Narrowing | None:
    """What ``state --agreement/--actor/--kind`` asks about, its ids checked: an agreement
    no record names raises UnknownAgreement, an actor that is no one's id, name or alias
    UnknownActor, each with the close matches. None when nothing is asked: the whole."""
    if not (agreements or actors or kinds):
        return None
    from projections import state as states
    from projections import timeline as walks

    for agreement in agreements:
        if not session.index.has_key(f"agreement:{agreement}"):
            from difflib import get_close_matches  # only when a name is unknown

            known = [k.removeprefix("agreement:") for k in session.index.keys_like("agreement:")]
            close = get_close_matches(agreement, known, n=3, cutoff=0.5)
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise UnknownAgreement(f"no agreement {agreement!r} is recorded{hint}")
    ids: set[str] = set()
    for actor in actors:
        if session.index.has_key(f"introduces:{actor}"):
            ids.add(actor)  # an id: no need to read every actor
        else:
            ids |= walks.actor_ids_matching(actor, session.index.registry(known_at).values())
    return states.Narrowing(frozenset(agreements), frozenset(ids), frozenset(kinds))


def replay(
    session: Session, until: date | None = None, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    from projections import timeline as walks

    records = session.index.believed(known_at, starting_by=until)
    try:
        return walks.replay(records, until, session.index.registry(known_at))
    except RuleBroken as error:  # replay applies every rule; what was accepted kept them
        raise BrokenRecord(
            f"the record as indexed breaks a rule ({error}): `uspk verify` shows where the "
            "index or the log differs from what was recorded, `uspk rebuild` repairs the index"
        ) from None


def recorded_until(session: Session, as_of: date, known_at: datetime | None = None) -> date | None:
    """The last day the record holds an event for, when ``as_of`` is after it: what is
    shown for ``as_of`` is then the last known state, not news of that day. None when
    the record reaches ``as_of``."""
    last = session.index.recorded_until(known_at)
    return last if last is not None and as_of > last else None


def diff(
    session: Session, since: date, until: date, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    """What changed between the states on ``since`` and ``until``: the kept change rows
    of the happenings that entered the state between the two days, read from the index
    (``IndexReader.changed_between``), not folded."""
    from projections import diff as changes
    from projections.entries import collector_paused

    changes.refuse_reversed(since, until)  # before anything is read
    # The rows' JSON, decoded, makes objects with no cycles, freed with the answer: the
    # cyclic collector has nothing to find in them, but a pass of it walks every object
    # the process holds (over a second, in a process holding 50,000 records).
    with collector_paused():
        rows, first_joins = session.index.changed_between(since, until, known_at)
        return changes.changed(rows, first_joins)


def show_event(session: Session, event_id: str) -> dict[str, Any]:
    """``{"event": ..., "standing": ...}``, or ``{"retraction": ...}`` for a retraction."""
    record = _record_of(session, event_id)
    if record.document.kind == "retraction":
        return {"retraction": record.document.model_dump(mode="json")}
    from projections import history

    # Its corrections, and the standing events that relate to it: not the whole record.
    lineage = session.index.lineage(event_id)
    relating = session.index.with_keys({f"related-to:{event_id}"}, None)
    read = {r.id for r in lineage}
    records = [*lineage, *(r for r in relating if r.id not in read)]
    records.sort(key=lambda r: r.position)
    standing = history.standing(records, event_id)
    return {"event": event_view(record, standing["related_by"]), "standing": standing}


def kind_of(session: Session, event_id: str) -> str:
    """The kind of the event recorded as ``event_id`` (what an amendment of it must be);
    Refused when it no longer stands, before its kind is used to read the amendment."""
    from service.recording import Refused  # the write path's refusal (it imports YAML)

    kind = _record_of(session, event_id).document.kind
    if kind != "retraction" and not session.index.standing({event_id}):
        raise Refused(
            f"cannot amend {event_id!r}: it is already retracted or superseded "
            f"(see `uspk history {event_id}`)"
        )
    return kind


def event_history(session: Session, event_id: str) -> list[dict[str, Any]]:
    """The versions, amendments and retractions of one event, in recorded order."""
    from projections import history

    _record_of(session, event_id)
    return history.lineage(session.index.lineage(event_id), event_id)


def export_bundle(
    session: Session,
    as_of: date | None = None,
    known_at: datetime | None = None,
    track: Narrowing | None = None,
) -> Exported:
    """Every believed event, and the state on ``as_of`` (by default the last day on which
    a believed event occurred), with the chain head of the record as it stood at
    ``known_at`` (now when None): what a reader checks the export against."""
    from projections import timeline as walks
    from projections.changelog import changelog, changes_about
    from projections.corrections import corrections

    everything = session.index.everything()
    records = session.index.believed(known_at)
    as_of = _export_date(session, as_of, known_at)
    entries = walks.timeline(records)

    def state_on(moment: datetime | None) -> Mapping[str, Any]:  # read when shown
        return session.index.kept_sections(as_of, moment)

    return Exported(
        entries,
        dict(session.index.kept_state(as_of, known_at)),
        as_of,
        corrections(everything, session.index, known_at, state_on),
        changes_about(
            changelog(everything, known_at, {e["id"]: e for e in entries}), everything, track
        ),
        head_view(*session.index.chain_head(known_at)),
    )


@dataclass(frozen=True)
class ExportedEvents:
    """What the JSON export shows, its events read a page at a time as they are written
    (``entries``: closed, as the caller must, inside the session) and its state a
    section at a time: memory follows a page and a section, not the history. The rest is
    ``Exported``'s, but only the corrections' items."""

    entries: Iterator[dict[str, Any]]
    state: Iterator[tuple[str, Any]]  # the kept state's sections, each read when asked
    as_of: date
    corrections: list[dict[str, Any]]  # Corrections.items
    chain: dict[str, Any]


def exported_events(
    session: Session, as_of: date | None = None, known_at: datetime | None = None
) -> ExportedEvents:
    """``export_bundle``'s events, state, corrections and chain head, the events as they
    are read: the same export, never the whole record in memory."""
    from projections.corrections import correction_items

    index = session.index
    as_of = _export_date(session, as_of, known_at)
    return ExportedEvents(
        entries=timeline_entries(session, known_at=known_at),
        state=index.kept_state(as_of, known_at, as_read=True),
        as_of=as_of,
        corrections=correction_items(index.corrections_and_targets(), known_at),
        chain=head_view(*index.chain_head(known_at)),
    )


@dataclass(frozen=True)
class ExportedPage:
    """What the HTML page shows: ``Exported`` but the changes, its events read a page at
    a time as they are written (``entries``: closed, as the caller must, inside the
    session). The state on its date is its rows, each section
    made when it is written; the corrections come from the corrections and what they
    correct, and what each hid, the state as known before each and the ids believed are
    read as they are written."""

    entries: Iterator[dict[str, Any]]
    state: Mapping[str, Any]  # each section made when asked for (kept_reading.KeptState)
    as_of: date
    corrections: Corrections
    chain: dict[str, Any]
    # what the page says of all its events before it writes any, read by queries:
    # count, first and last (their dates as shown), last_end (a day), kinds
    overview: dict[str, Any]


def exported_page(
    session: Session, as_of: date | None = None, known_at: datetime | None = None
) -> ExportedPage:
    """``export_bundle``'s events, state, corrections and chain head, the events read
    as the page is written: never the whole record in memory. The corrections are read
    from the index's corrections and what they correct (``corrections_and_targets``);
    what each correction changed is read by queries (``corrections.Belief``)."""
    from projections.corrections import corrections

    index = session.index
    as_of = _export_date(session, as_of, known_at)

    def state_on(moment: datetime | None) -> Mapping[str, Any]:  # read when shown
        return index.kept_sections(as_of, moment, as_read=True)

    return ExportedPage(
        entries=timeline_entries(session, known_at=known_at),
        state=state_on(known_at),
        as_of=as_of,
        corrections=corrections(index.corrections_and_targets(), index, known_at, state_on),
        chain=head_view(*index.chain_head(known_at)),
        overview=_overview(*index.believed_heads(known_at)),
    )


def _overview(
    count: int, kinds: set[str], first: Any, last: Any, last_end: date | None
) -> dict[str, Any]:
    """``ExportedPage.overview`` of the index's ``believed_heads``."""
    from projections.views import date_view

    def shown(record: Any) -> str | None:
        return date_view(record.document.occurred)["display"] if record else None

    end = last_end.isoformat() if last_end else None
    return {
        "count": count,
        "first": shown(first),
        "last": shown(last),
        "last_end": end,
        "kinds": frozenset(kinds),
    }


def _export_date(session: Session, as_of: date | None, known_at: datetime | None) -> date:
    """The day an export's state is on: ``as_of``, by default the last day on which a
    believed event occurred; refused when none is believed."""
    if as_of is None:
        as_of = session.index.recorded_until(known_at)
    if as_of is None:
        raise NothingToExport(
            "nothing to export: no events are believed"
            + (" at the --known-at moment" if known_at else "")
        )
    return as_of


@dataclass(frozen=True)
class EventPage:
    """A page of the record as the database export writes it: the views of its
    happenings (``believed``: believed now), and the moment of each of its records
    (retractions included: every moment what was believed could change)."""

    events: list[dict[str, Any]]
    moments: list[datetime]


@dataclass(frozen=True)
class ExportedDatabase:
    """What the database export publishes: every happening ever recorded (believed now or
    not), the corrections, the actors, the recorded moments and what stood when. The
    record (``pages``) and the standing rows are read a page at a time as they are
    written, inside the session (close what is left unread, as the caller must): memory
    follows a page, not the history."""

    pages: Iterator[EventPage]
    corrections: list[dict[str, Any]]  # Corrections.items: the page's views are not shown
    actors: list[dict[str, Any]]
    chain: dict[str, Any]  # the chain head of the record exported (projections.chain)
    # The kept standing rows, each with the actors of the events its entry shows, given
    # who each event names (``actors_of``: event id -> its actors, e.g. as written).
    standing: Callable[[Callable[[str], Iterable[str]]], Iterator[Row]]
    sections: tuple[str, ...] = SECTIONS  # the state's sections, in its order


def exported_database(session: Session) -> ExportedDatabase:
    """The whole record for a database: both clocks, every correction, every state, each
    read a page at a time as it is written."""
    from projections.corrections import correction_items

    index = session.index
    every, believed = index.introducers(None)

    def pages() -> Iterator[EventPage]:
        for records, now in index.record_pages_with_belief():
            views = [
                {**event_view(r), "believed": r.id in now}
                for r in records
                if r.document.kind != "retraction"
            ]
            yield EventPage(views, [r.recorded_at for r in records])

    return ExportedDatabase(
        pages(),
        correction_items(index.corrections_and_targets()),
        _actor_rows(index.registry(), every, believed),
        head_view(*index.chain_head(None)),
        lambda actors_of: export_rows(index.kept_rows_as_read(), actors_of),
    )


def registry(session: Session, known_at: datetime | None = None) -> dict:
    """Every actor introduced by a believed happening (whatever its date), by id."""
    return session.index.registry(known_at)


def actors(session: Session, known_at: datetime | None = None) -> list[dict[str, Any]]:
    """Every actor known at ``known_at``, sorted by id, with the event that introduced it."""
    every, believed = session.index.introducers(known_at)
    return _actor_rows(session.index.registry(known_at), every, believed)


def _actor_rows(
    registry: dict, records: Iterable[Any], believed: Iterable[Any]
) -> list[dict[str, Any]]:
    """The registry's actors, sorted by id, each with the event that introduced it: the
    believed introduction, else the first recorded one (``records``: every record that
    introduces one, in recorded order; ``believed``: those believed, in replay order)."""
    everything = (r for r in records if r.document.kind != "retraction")
    introducers = _introducers(everything) | _introducers(believed)
    return [
        {**registry[actor_id].model_dump(mode="json"), "introduced_by": introducers.get(actor_id)}
        for actor_id in sorted(registry)
    ]


def _introducers(records: Iterable[Any]) -> dict[str, str]:
    """Actor id -> the first of ``records`` that introduces it."""
    found: dict[str, str] = {}
    for record in records:
        for actor in record.document.introduces:
            found.setdefault(actor.id, record.id)
    return found


SUGGESTED_FROM = 500  # ids either side of an unknown one that its suggestions come from


def _record_of(session: Session, event_id: str):  # noqa: ANN202 - a domain Record
    record = session.index.record_of(event_id)
    if record is None:
        from difflib import get_close_matches

        # Among the ids nearest in text order: a typo past the first characters keeps
        # an id near its own, and a record of any size is not read whole to say so.
        nearest = session.index.ids_near(event_id, SUGGESTED_FROM)
        close = get_close_matches(event_id, nearest, n=3)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise UnknownEvent(f"no event with id {event_id!r}{hint}")
    return record
