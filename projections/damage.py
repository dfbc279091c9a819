"""What the index says when it cannot answer: each error is one line that says what to
run (``uspk verify``, ``uspk rebuild``, or the retraction of an event this code cannot
read), and what the databases raise when the index cannot be used."""

from __future__ import annotations

import re
import sqlite3

from eventsourcing.persistence import PersistenceError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,70}$")  # an id a retraction can name


class ReadModelError(Exception):
    """The read model cannot answer; the message is one line that says what to do."""


class ReadModelDamaged(ReadModelError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"the read model disagrees with the event log ({what}); "
            "`uspk verify` shows how, `uspk rebuild` repairs it from the log"
        )


class UnreadableEvent(ReadModelError):
    """A stored event this code cannot read, and no later retraction names it."""

    def __init__(self, notification_id: int, event_id: str | None, reason: str) -> None:
        # What a retraction names it by: its own id when that can be read, else its place.
        self.name = (
            event_id
            if event_id and _SLUG.match(event_id)
            else f"unreadable-notification-{notification_id}"
        )
        which = f" (event id {event_id!r})" if event_id else ""
        super().__init__(
            f"the stored event at notification {notification_id}{which} cannot be read by "
            f"this version of uspk ({reason}); queries stop before it until it is retracted: "
            f"uspk retract {self.name} --reason TEXT --publisher TEXT --title TEXT "
            "--published DATE"
        )


class ChainBroken(ReadModelError):
    """A recorded change whose link in the hash chain does not verify: the index stops
    at the last good one, and every command says so until the log is repaired."""

    def __init__(self, notification_id: int, event_id: str | None, reason: str) -> None:
        which = (
            f"event {event_id!r} (notification {notification_id})"
            if event_id
            else (f"notification {notification_id}")
        )
        super().__init__(
            f"the event log is broken at {which}: it {reason}; answers stop before it "
            "until the log is repaired: run `uspk verify`"
        )


def database_errors() -> tuple[type[BaseException], ...]:
    """What the read model's databases raise when one cannot be used: eventsourcing's
    datastores wrap their drivers' errors, the drivers raise the rest."""
    try:
        import psycopg
    except ImportError:  # PostgreSQL support is optional
        return (PersistenceError, sqlite3.Error)
    return (PersistenceError, sqlite3.Error, psycopg.Error)


def is_integrity_error(error: BaseException) -> bool:
    """A constraint refused a row (SQLite's IntegrityError, PostgreSQL's class 23),
    as the driver raised it or as eventsourcing wrapped it."""
    if isinstance(error, PersistenceError) and error.__cause__ is not None:
        error = error.__cause__
    sqlstate = getattr(error, "sqlstate", None) or ""
    return isinstance(error, sqlite3.IntegrityError) or sqlstate.startswith("23")
