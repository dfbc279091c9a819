"""Use cases that write. A batch is built from the user's input first, before any store
is opened (so a mistake in it creates and writes nothing), then recorded whole through
an open session, which returns the ids added and those already recorded (``Appended``).

A batch that breaks a rule raises ``Refused``, whose ``str()`` names where the event
came from (a file, or the command that built it) and says that nothing was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from domain.chronicle import Signed
from domain.recording import retraction_id
from domain.rules import RuleBroken
from events.files import InputError, Loaded, parse_bytes, validate
from service.application import Appended
from service.bootstrap import Session
from service.recorders import checked_message, checked_name


class Refused(ValueError):
    """A batch refused whole; ``str()`` is the one line to show the user."""


@dataclass
class Batch:
    documents: list = field(default_factory=list)  # event documents, in order
    origin: dict[str, str] = field(default_factory=dict)  # event id -> where it came from

    def add(self, document: Any, origin: str) -> None:
        self.documents.append(document)
        self.origin.setdefault(document.id, origin)


def appending(files: Iterable[Loaded]) -> Batch:
    """Every document of ``files``, as one batch."""
    batch = Batch()
    for loaded in files:
        for document in loaded.documents:
            batch.add(document, loaded.file)
    return batch


@dataclass(frozen=True)
class AmendmentFile:
    """The file of ``uspk amend ID FILE``, checked as far as it can be without the store.
    ``supersedes`` is filled from ID; ``kind`` is None when the file leaves it out (it is
    then the amended event's, which only the store knows)."""

    event_id: str
    file: str
    raw: dict[str, Any]
    document: Any = None  # validated already, when the file gives its kind

    @property
    def kind(self) -> str | None:
        return self.raw.get("kind")


def reading_amendment(event_id: str, data: bytes, file: str) -> AmendmentFile:
    """The one event in ``data`` as the replacement of ``event_id``; one that gives its
    kind is validated here, before any store is opened."""
    raws = parse_bytes(data, file)
    if len(raws) != 1 or raws[0].get("kind") == "retraction":
        raise InputError(file, "expected exactly one event (not a retraction)")
    raw = raws[0]
    given = raw.get("supersedes")
    if given not in (None, event_id):
        raise InputError(
            file,
            f"event ({raw.get('id')!r}), field 'supersedes': says {given!r} "
            f"but the command amends {event_id!r}",
        )
    raw = {**raw, "supersedes": event_id}
    return AmendmentFile(event_id, file, raw, validate(raw, file) if "kind" in raw else None)


def amending(amendment: AmendmentFile, kind: str | None = None) -> Batch:
    """The amendment as a batch; ``kind`` (the amended event's) fills a kind the file left
    out. One that gives another kind is refused when recorded (``domain.recording``)."""
    if kind == "retraction":
        raise Refused(f"{amendment.file}: cannot amend {amendment.event_id!r}: it is a retraction")
    document = amendment.document or validate({"kind": kind, **amendment.raw}, amendment.file)
    batch = Batch()
    batch.add(document, amendment.file)
    return batch


def retracting(event_ids: Iterable[str], reason: str, source: dict[str, str]) -> Batch:
    """The retraction of each of ``event_ids`` (a repeat once) for ``reason``, citing
    ``source``."""
    batch = Batch()
    for event_id in dict.fromkeys(event_ids):
        raw = {
            "kind": "retraction",
            "id": retraction_id(event_id),
            "retracts": event_id,
            "reason": reason,
            "sources": [source],
        }
        try:
            retraction = validate(raw, "retraction")
        except InputError as error:  # no file to name: the retraction is the command's
            raise Refused(error.message.replace("event (id", "retraction (id")) from None
        batch.add(retraction, f"retract {event_id}")
    return batch


def signing(recorder: str | None, message: str | None, name_from: str = "--as") -> Signed:
    """The recorder's name and message checked at the door, before a store is opened
    (``service.recorders.BadSignature`` names what is wrong); ``name_from`` is where the
    name came from (``--as`` or ``USPK_USER``)."""
    name = None if recorder is None else checked_name(recorder, name_from)
    return Signed(name, checked_message(message))


def record(
    session: Session,
    batch: Batch,
    dry_run: bool = False,
    signature: Signed = Signed(),  # noqa: B008 - frozen: a shared default is safe
) -> Appended:
    """Record ``batch`` whole, or nothing of it (``dry_run``: check it, write nothing),
    signed by its recorder."""
    try:
        return session.append(
            batch.documents,
            dry_run=dry_run,
            recorder=signature.recorder,
            message=signature.message,
        )
    except RuleBroken as error:
        where = batch.origin.get(error.event_id)
        message = f"{where}: {error}" if where else error.message
        raise Refused(f"{message}; nothing was written") from None
