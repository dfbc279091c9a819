"""Moving a whole history from one store to another, unchanged.

The stored events are read from the source in its notification order (the order the
source recorded them) and written to the target's recorder as they are: same aggregate
ids and versions, same topics, same state bytes, so the same recorded times and the
same order. Nothing is decoded or re-encoded, so nothing can be changed on the way.

A target already holding the same history (or the beginning of it, as left by an
interrupted copy or by a source that has grown since) is compared event by event and
only the rest is written; a target holding anything else is refused, untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Notification,
    PersistenceError,
    StoredEvent,
)

from projections.notifications import notifications
from service.application import Uspk
from service.stores import Store, check_connection, refuse_writing

BATCH_SIZE = 500  # stored events read, and written in one transaction, at a time


class TransferError(ValueError):
    """A copy that cannot be made; ``str()`` is the one line to show the user."""


@dataclass(frozen=True)
class Copied:
    copied: int  # stored events written to the target now
    present: int  # stored events the target already held, identical to the source's


def copy_history(
    source: Store,
    target: Store,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Copied:
    """Copy every stored event of ``source`` that ``target`` does not hold yet.

    Raises ``TransferError`` when the source holds nothing, or when the target holds a
    history that is not the beginning of the source's. Each batch is written in one
    transaction: if the copy stops half way, the target holds a beginning of the
    source's history, and running the copy again continues from there.
    """
    if _same_store(source, target):
        raise TransferError(f"source and target are the same store ({source.address})")
    reader = _open(source, create=False)
    try:
        theirs = _stored_events(reader.recorder, batch_size)
        first = next(theirs, None)
        if first is None:
            raise TransferError(f"{source.address} holds no events: nothing to copy")
        writer = _open(target, create=True)
        try:
            return _copy(_chain(first, theirs), writer.recorder, target, batch_size, progress)
        finally:
            writer.close()
    finally:
        reader.close()


def _copy(
    theirs: Iterator[Notification],
    writer: ApplicationRecorder,
    target: Store,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> Copied:
    present = 0
    for ours in _stored_events(writer, batch_size):
        expected = next(theirs, None)
        if expected is None or _content(expected) != _content(ours):
            raise TransferError(
                f"{target.address} already holds a different history (stored event "
                f"{present + 1} is not the source's); nothing was copied. "
                "Copy into a new, empty store, before any other uspk command uses it "
                "(the first use of a store loads the shipped history)"
            )
        present += 1

    copied = 0
    batch: list[StoredEvent] = []
    for notification in theirs:
        batch.append(_content(notification))
        if len(batch) >= batch_size:
            copied += _write(writer, batch, target, copied)
            if progress:
                progress(copied)
    if batch:
        copied += _write(writer, batch, target, copied)
        if progress:
            progress(copied)
    return Copied(copied=copied, present=present)


def _write(writer: ApplicationRecorder, batch: list[StoredEvent], target: Store, done: int) -> int:
    try:
        writer.insert_events(batch)
    except IntegrityError:
        raise TransferError(
            f"{target.address} was written to by someone else during the copy; "
            f"{done} stored event(s) were copied before that. Stop the other writer "
            "and run the copy again: it continues where it stopped"
        ) from None
    count = len(batch)
    batch.clear()
    return count


def _stored_events(recorder: ApplicationRecorder, batch_size: int) -> Iterator[Notification]:
    """Every stored event, in notification order, read a batch at a time."""
    read = notifications(recorder, limit=batch_size)
    try:
        first = next(read, None)
    except PersistenceError as error:
        if _no_table(error):
            return  # a store that was never used: no events
        raise
    if first is not None:
        yield first
        yield from read


def _chain(first: Notification, rest: Iterator[Notification]) -> Iterator[Notification]:
    yield first
    yield from rest


def _content(notification: StoredEvent) -> StoredEvent:
    """What is copied and compared: everything but the store's own notification id."""
    return StoredEvent(
        originator_id=notification.originator_id,
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=bytes(notification.state),
    )


def _no_table(error: PersistenceError) -> bool:
    text = str(error)
    return "no such table" in text or "does not exist" in text


def _open(store: Store, create: bool) -> Uspk:
    store = check_connection(store)
    if create:
        refuse_writing(store, "copying into it")
    else:  # reading must not create tables in the source
        store = replace(store, env={**store.env, "CREATE_TABLE": "no"})
    return Uspk(store)


def _same_store(a: Store, b: Store) -> bool:
    if a.is_postgres or b.is_postgres:
        return a.address == b.address
    path_a, path_b = a.address, b.address  # the file paths (the env may hold a URI)
    if os.path.exists(path_a) and os.path.exists(path_b):
        return os.path.samefile(path_a, path_b)
    return os.path.abspath(path_a) == os.path.abspath(path_b)
