"""What one notification brings to the index (``Entry``): decoded through the
application's mapper, validated once, its link in the hash chain followed; or why this
code cannot read it."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

from eventsourcing.persistence import Mapper, MapperDeserialisationError

from domain.chain import BrokenLink, follow, link
from domain.chronicle import Chronicle, decode
from events.dates import parse_date
from projections.damage import ChainBroken, UnreadableEvent
from projections.decoding import decoded_under_any_settings
from projections.notifications import notifications

RECORDED = f"{Chronicle.Recorded.__module__}:{Chronicle.Recorded.__qualname__}"
HISTORY_LOADED = f"{Chronicle.HistoryLoaded.__module__}:{Chronicle.HistoryLoaded.__qualname__}"


class Entry(NamedTuple):
    """What one notification brings to the read model."""

    digest: str | None = None  # the shipped history loaded
    row: tuple | None = None  # uspk_view_events without its position and chain
    mentions: tuple[str, ...] = ()
    things: tuple[str, ...] = ()  # ``thing_keys`` and ``answer_keys``
    hides: str | None = None  # the event that this record retracts or supersedes
    ends_hidings_by: str | None = None  # a retracted amendment no longer hides
    chain: str | None = None  # its stored link in the hash chain (None: stored before it)
    linked: tuple = ()  # what its link is computed from, after the previous link

    def link_after(self, previous: str | None) -> str:
        """Its link in the chain: the stored one, else computed (a change stored before
        the chain existed is covered by every stored link after it)."""
        return self.chain or link(previous, *self.linked)


class ChainFollower:
    """The hash chain followed through one catch-up, link by link (domain.chain.follow),
    from the index's last record on: each recorded change is checked as it is indexed,
    and a chronicle version that skips one means a stored event was removed or moved."""

    def __init__(self, mapper: Mapper, recorder: Any, head: str | None, version: int) -> None:
        self.mapper, self.recorder = mapper, recorder
        self.head = head  # the link of the last record indexed (None: none yet)
        self.version = version  # the chronicle version the index reflects (0: none)
        # Whether a change before has a stored link; asked of the log only when an
        # unlinked change follows indexed ones (a store written before the chain).
        self.chained_before: bool | None = False if head is None else None

    def follow(self, entry: Entry, notification_id: int, version: int) -> Entry:
        """``entry`` (of notification ``notification_id``, chronicle ``version``) with its
        checked link; ChainBroken if it does not verify."""
        self._check_version(notification_id, version, entry)
        if entry.row is None:
            return entry
        if entry.chain is None and self.chained_before is None:
            self.chained_before = self._stored_link_before(notification_id)
        try:
            self.head = follow(self.head, entry.chain, bool(self.chained_before), *entry.linked)
        except BrokenLink as error:
            raise ChainBroken(notification_id, entry.row[0], str(error)) from None
        self.chained_before = self.chained_before or entry.chain is not None
        return entry._replace(chain=self.head)

    def skip(self, notification: Any) -> None:
        """An unreadable event that a later retraction names: not indexed; its link counts
        only if it verifies (that retraction was linked after the last link that did)."""
        self.version = notification.originator_version
        try:
            event = decoded_under_any_settings(self.mapper, notification)
            if event.chain is None and self.chained_before is None:  # as ``follow`` asks
                self.chained_before = self._stored_link_before(notification.id)
            signed = (event.document, event.recorder, event.message, event.timestamp)
            self.head = follow(self.head, event.chain, bool(self.chained_before), *signed)
        except Exception:  # noqa: BLE001, S110 - undecodable or unlinked: the head stays
            return
        self.chained_before = self.chained_before or event.chain is not None

    def _check_version(self, notification_id: int, current: int, entry: Entry) -> None:
        version, self.version = self.version, current
        if version and current != version + 1:
            event_id = entry.row[0] if entry.row is not None else None
            raise ChainBroken(
                notification_id,
                event_id,
                f"follows chronicle version {version}: a stored event was removed or moved",
            )

    def _stored_link_before(self, stop: int) -> bool:
        for notification in notifications(self.recorder, 0, [RECORDED], stop=stop - 1):
            try:
                if decoded_under_any_settings(self.mapper, notification).chain is not None:
                    return True
            except Exception:  # noqa: BLE001, S112 - an unreadable one links nothing
                continue
        return False


def read_entry(mapper: Mapper, notification: Any) -> Entry:
    """The index's rows for one notification, decoded through the application's mapper,
    or UnreadableEvent if this code cannot read it (bytes that do not decode, an unknown
    kind, a field the models refuse)."""
    return entry_of(decoded(mapper, notification), notification.id)


def decoded(mapper: Mapper, notification: Any) -> Any:
    """The stored event as the application's mapper decodes it, or UnreadableEvent."""
    try:
        return mapper.to_domain_event(notification)
    except MapperDeserialisationError as error:
        # The store's settings were checked on opening (service/settings.py): an event
        # that does not decode was changed, or written by an older uspk with other ones.
        reason = _first_line(error.__cause__ or error)
        raise UnreadableEvent(
            notification.id, None, f"its bytes do not decode with the store's settings: {reason}"
        ) from None


def entry_of(event: Any, notification_id: int) -> Entry:
    """What a decoded event brings to the index, or UnreadableEvent if its content is not
    what this code can read."""
    if isinstance(event, Chronicle.HistoryLoaded):
        return loaded_entry(event, notification_id)
    return recorded_entry(event, notification_id)


def loaded_entry(event: Any, notification_id: int) -> Entry:
    """The shipped history loaded: its digest."""
    try:
        if not isinstance(event.digest, str):
            raise TypeError("the history digest is not text")
        return Entry(digest=event.digest)
    except Exception as error:  # noqa: BLE001 - whatever stops the reading, say which event
        raise UnreadableEvent(notification_id, _raw_id(event), _first_line(error)) from None


def recorded_entry(event: Any, notification_id: int) -> Entry:
    """A recorded change's rows, validated here, once (the queries decode the row's JSON)."""
    try:
        signed = (event.recorder, event.message, event.chain)
        return _entry_of(event.document, event.timestamp, *signed)
    except Exception as error:  # noqa: BLE001 - whatever stops the reading, say which event
        raise UnreadableEvent(notification_id, _raw_id(event), _first_line(error)) from None


def _entry_of(
    document: dict,
    timestamp: datetime,
    recorder: str | None = None,
    message: str | None = None,
    chain: str | None = None,
) -> Entry:
    # The rules and the models, imported where rows are written: a read of kept rows
    # (state) builds neither.
    from domain.recording import thing_keys
    from domain.world import kind_rank
    from events.model import mentioned_ids

    validated = decode(document)  # validated once, here: the queries decode this row's JSON
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    recorded = moment(timestamp)
    kind = document["kind"]
    if kind == "retraction":
        occ_start = occ_end = rank = None
        hides, ends = document["retracts"], document["retracts"]
    else:
        occurred = parse_date(document["occurred"])
        occ_start, occ_end = occurred.start.isoformat(), occurred.end.isoformat()
        rank = kind_rank(kind, document.get("status"))
        hides, ends = document.get("supersedes") or None, None
    row = (
        document["id"],
        kind,
        occ_start,
        occ_end,
        rank,
        recorded,
        int(bool(document.get("introduces"))),
        text,
        recorder,
        message,
    )
    things = tuple(sorted(thing_keys(validated) | answer_keys(validated)))
    mentions = tuple(mentioned_ids(document))
    linked = (document, recorder, message, timestamp)
    return Entry(None, row, mentions, things, hides, ends, chain, linked)


def answer_keys(happening: Any) -> set[str]:
    """Beside what its rules depend on, what a state's answer about something else needs
    to find this happening by: the events it relates to (``related-to:<event>``, whose
    entries list it as ``related_by``), the actors it introduces (``introduces:<actor>``,
    whose names and roles it sets) and the names it gives them (``actor-name:<name>``,
    its id, name and aliases as a name is looked for: ``actor_name_keys``). No thing sort
    has these prefixes, so the batch checks, which ask for ``thing_keys``, never meet
    them."""
    keys = {f"related-to:{r.to}" for r in getattr(happening, "relates", ())}
    introduces = getattr(happening, "introduces", ())
    return keys | {f"introduces:{a.id}" for a in introduces} | actor_name_keys(introduces)


def actor_name_keys(actors: Any) -> set[str]:
    """The keys of the names ``actors`` are found by (``world.actor_names``)."""
    from domain.world import actor_names  # the rules: on the write path only

    return {actor_name_key(name) for actor in actors for name in actor_names(actor)}


def actor_name_key(name: str) -> str:
    """A name's key, in any case: names that differ only in case share it."""
    return f"actor-name:{name.casefold()}"


def _raw_id(event: Any) -> str | None:
    """The event id, when the stored event can be decoded that far."""
    document = getattr(event, "document", None)
    event_id = document.get("id") if isinstance(document, dict) else None
    return event_id if isinstance(event_id, str) else None


def _first_line(error: BaseException) -> str:
    """Why a stored event cannot be read, in a few words: the models' first complaint
    (field and message), else the error's first line."""
    problems = error.errors() if callable(getattr(error, "errors", None)) else None  # pydantic
    if problems:
        where = ".".join(str(part) for part in problems[0]["loc"])
        return f"field {where!r}: {problems[0]['msg']}" if where else problems[0]["msg"]
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def retracted_later(mapper: Mapper, recorder: Any, after: int, name: str) -> bool:
    """Whether a retraction recorded after notification ``after`` names ``name``.

    Only asked when an unreadable event is met, so a scan of the rest of the log is fine.
    """
    for notification in notifications(recorder, after, [RECORDED]):
        try:
            document = mapper.to_domain_event(notification).document
        except Exception:  # noqa: BLE001, S112 - another unreadable one names nothing
            continue
        if document.get("kind") == "retraction" and document.get("retracts") == name:
            return True
    return False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Decoding many records makes objects that all live on, and each garbage-collection
    pass walks every one already made: measured at 100,000 records, pausing the cyclic
    collector for the decode makes it 2.5 times faster (benchmarks/README.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def moment(value: datetime) -> str:
    """A recorded time as fixed-width UTC text, so text order is time order (isoformat,
    not strftime: glibc's %Y writes year 300 as "300", which sorts after "2025")."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
