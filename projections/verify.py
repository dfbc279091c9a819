"""`uspk verify`: the read model compared with a fresh fold of the event log.

The fold reads the log with the catch-up's own reading (``read_entry``, retracted
unreadable events skipped), up to the read model's position: a read model that is merely
behind agrees (any command catches it up); one with other rows, counts or a position past
the log's end does not. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from projections import kept, settled
from projections.damage import UnreadableEvent
from projections.entries import HISTORY_LOADED, RECORDED, Entry, read_entry, retracted_later
from projections.notifications import notifications
from projections.readmodel import ReadModel
from projections.tables import SCHEMA_VERSION, TABLES

LOGGED = (RECORDED, HISTORY_LOADED)  # the topics the read model is made from
_SHOWN = 5  # ids named per line


@dataclass
class Verdict:
    disagreements: list[str]
    summary: str


@dataclass
class _Fold:
    """The rows a read model built from the log would hold, kept in memory."""

    events: dict[str, tuple] = field(default_factory=dict)
    mentions: dict[tuple, tuple] = field(default_factory=dict)
    things: dict[tuple, tuple] = field(default_factory=dict)
    hidden: dict[tuple, tuple] = field(default_factory=dict)
    records: int = 0
    digest: str | None = None
    chronicle_version: int = 0
    head: str | None = None  # the last record's link in the hash chain

    def add(self, entry: Entry) -> None:
        """The same steps as the read model's writes, on dictionaries."""
        if entry.digest is not None:
            self.digest = entry.digest
            return
        self.records += 1
        event_id, recorded = entry.row[0], entry.row[5]
        if entry.hides:
            self.hidden[(entry.hides, event_id)] = (entry.hides, event_id, recorded, None)
        if entry.ends_hidings_by:
            for key, (hidden, by, since, until) in list(self.hidden.items()):
                if by == entry.ends_hidings_by and until is None:
                    self.hidden[key] = (hidden, by, since, recorded)
        self.head = entry.link_after(self.head)
        self.events[event_id] = (self.records, *entry.row, self.head)
        for actor_id in entry.mentions:
            self.mentions[(actor_id, event_id)] = (actor_id, event_id)
        for thing in entry.things:
            self.things[(thing, event_id)] = (thing, event_id)

    def hidden_now(self) -> int:
        return len({row[0] for row in self.hidden.values() if row[3] is None})


def verify(recorder: Any, views: ReadModel) -> Verdict:
    log_end = recorder.max_notification_id() or 0
    present = views.tables()
    if not present & {*TABLES}:  # never opened by a command, or copied: the next one builds it
        fold, blocked = _fold(views, recorder, log_end)
        lines = [str(blocked)] if blocked else []
        return Verdict(
            lines,
            f"verified: {len(fold.events)} recorded changes in the log; no index "
            "yet (the next command builds it)",
        )
    lines = [f"table {table} is missing" for table in views.table_names if table not in present]
    tracking = _tracking(views, present, lines)
    upto = log_end
    if tracking is not None and tracking["schema_version"] != SCHEMA_VERSION:
        lines.append(
            f"the read model is of schema version {tracking['schema_version']}, "
            f"this uspk's is {SCHEMA_VERSION}"
        )
    position = tracking["notification_id"] if tracking else None
    if position is not None and position > log_end:
        lines.append(f"the read model is at notification {position} but the log ends at {log_end}")
    elif position is not None:
        upto = position
    fold, blocked = _fold(views, recorder, upto)
    blocked = blocked or _unreadable_after(views, recorder, upto)
    if blocked is not None:
        lines.append(str(blocked))
    lines += _compare_rows(views, present, fold)
    tracked = _compare_tracking(tracking, fold) if tracking is not None else []
    summary = (
        f"verified: {len(fold.events)} recorded changes, {fold.hidden_now()} hidden, "
        f"index at log position {position or 0} of {log_end}"
    )
    del fold  # the log's rows, not held while the kept state is made again (its peak)
    if not lines and present >= {*kept.TABLES, *settled.TABLES}:  # what it is made from agrees
        lines += _compare_kept(views)
    return Verdict(lines + tracked, summary)


def _tracking(views: ReadModel, present: set[str], lines: list[str]) -> dict[str, Any] | None:
    """eventsourcing's tracked position and the read model's meta row, as one dict (None
    when either is missing: each missing one is named in ``lines``)."""
    position = meta = None
    if views.index.tracking_table_name in present:
        position = views.tracked_position()
        if position is None:
            lines.append("the tracking row is missing")
    if "uspk_view_meta" in present:
        meta = views.meta_row()
        if meta is None:
            lines.append("the meta row is missing")
    if position is None or meta is None:
        return None
    return {"notification_id": position, **meta}


def _fold(views: ReadModel, recorder: Any, upto: int) -> tuple[_Fold, UnreadableEvent | None]:
    """The log folded up to notification ``upto``, stopping where the catch-up would."""
    fold = _Fold()
    if upto < 1:
        return fold, None
    for notification in notifications(recorder, 0, LOGGED, stop=upto):
        try:
            fold.add(read_entry(views.mapper, notification))
        except UnreadableEvent as error:
            if not retracted_later(views.mapper, recorder, notification.id, error.name):
                return fold, error
        fold.chronicle_version = notification.originator_version
    return fold, None


def _unreadable_after(views: ReadModel, recorder: Any, upto: int) -> UnreadableEvent | None:
    """The first event after the read model's position that would stop its catch-up."""
    for notification in notifications(recorder, upto, LOGGED):
        try:
            read_entry(views.mapper, notification)
        except UnreadableEvent as error:
            if not retracted_later(views.mapper, recorder, notification.id, error.name):
                return error
    return None


def _compare_rows(views: ReadModel, present: set[str], fold: _Fold) -> list[str]:
    expected = {
        "uspk_view_events": fold.events,
        "uspk_view_mentions": fold.mentions,
        "uspk_view_things": fold.things,
        "uspk_view_hidden": fold.hidden,
    }
    lines = []
    for table, rows in expected.items():
        if table not in present:
            continue
        key = _key(table)
        actual = {key(row): tuple(row) for row in views.rows(table)}
        lines += _differences(table, rows, actual)
    return lines


def _compare_kept(views: ReadModel) -> list[str]:
    """The state kept now (the standing rows still believed, their units and the actors
    settled from them) against the same rows made afresh from the believed records: an
    edited, added or removed row of ``uspk_view_standing``, ``uspk_view_units`` or
    ``uspk_view_actors`` is named. Rows of earlier beliefs (closed ones) are not remade
    here: ``uspk rebuild`` makes them again."""
    (held, units, actors), (rows, expected_units, expected_actors) = views.kept_now()
    lines = []
    for table, expected, actual in (
        ("uspk_view_standing", rows, held),
        ("uspk_view_units", expected_units, units),
        (settled.TABLE, expected_actors, actors),
    ):
        lines += _differences(table, _by_key(expected), _by_key(actual))
    return lines


def _by_key(rows: set[tuple]) -> dict[tuple, tuple]:
    """Rows by what names them (unit or event, section, entry key, valid from), each
    key's rows together."""
    grouped: dict[tuple, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(tuple(row[:4]) if len(row) > 2 else row[:1], []).append(row)
    return {key: tuple(sorted(found, key=repr)) for key, found in grouped.items()}


def _key(table: str):
    if table == "uspk_view_events":
        return lambda row: row[1]  # event_id
    return lambda row: tuple(row[:2])  # (actor|thing, event) / (event, hidden by)


def _differences(table: str, expected: dict, actual: dict) -> list[str]:
    missing = expected.keys() - actual.keys()
    extra = actual.keys() - expected.keys()
    differ = {k for k in expected.keys() & actual.keys() if expected[k] != actual[k]}
    found = []
    for keys, what in (
        (missing, "missing (the log has them)"),
        (extra, "that the log does not have"),
        (differ, "that differ from the log"),
    ):
        if keys:
            found.append(f"{table}: {len(keys)} row(s) {what}: {_some(keys)}")
    return found


def _some(keys: set) -> str:
    shown = sorted(keys, key=str)[:_SHOWN]
    text = ", ".join(k if isinstance(k, str) else "/".join(map(str, k)) for k in shown)
    return text + (f" and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else "")


def _compare_tracking(tracking: dict[str, Any], fold: _Fold) -> list[str]:
    lines = []
    for column, expected in (
        ("records", fold.records),
        ("chronicle_version", fold.chronicle_version),
        ("history_digest", fold.digest),
    ):
        if tracking[column] != expected:
            lines.append(
                f"uspk_view_meta: {column} is {tracking[column]!r}, the log gives {expected!r}"
            )
    return lines
