"""Use cases that write: each records one all-or-nothing batch through an open session
and returns the ids added and those already recorded (``Appended``).

A batch that breaks a rule raises ``Refused``, whose ``str()`` names where the event
came from (a file, or the command that built it) and says that nothing was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.recording import retraction_id
from domain.world import RuleBroken
from events.files import InputError, Loaded, validate
from service.application import Appended
from service.bootstrap import Session


class Refused(ValueError):
    """A batch refused whole; ``str()`` is the one line to show the user."""


def append(session: Session, files: Iterable[Loaded], dry_run: bool = False) -> Appended:
    """Record every document of ``files`` as one batch."""
    origin: dict[str, str] = {}
    batch = []
    for loaded in files:
        for document in loaded.documents:
            origin.setdefault(document.id, loaded.file)
            batch.append(document)
    return _record(session, batch, origin, dry_run)


def amend(session: Session, event_id: str, loaded: Loaded, dry_run: bool = False) -> Appended:
    """Record the one event of ``loaded`` as the replacement of ``event_id``."""
    documents = loaded.documents
    if len(documents) != 1 or documents[0].kind == "retraction":
        raise InputError(loaded.file, "expected exactly one event (not a retraction)")
    document = documents[0]
    if document.supersedes not in (None, event_id):
        raise InputError(
            loaded.file,
            f"event ({document.id!r}), field 'supersedes': says {document.supersedes!r} "
            f"but the command amends {event_id!r}",
        )
    amended = document.model_copy(update={"supersedes": event_id})
    return _record(session, [amended], {document.id: loaded.file}, dry_run)


def retract(
    session: Session,
    event_ids: Iterable[str],
    reason: str,
    source: dict[str, str],
    dry_run: bool = False,
) -> Appended:
    """Retract each of ``event_ids`` (repeats once) for ``reason``, citing ``source``."""
    origin, batch = {}, []
    for event_id in dict.fromkeys(event_ids):
        raw: dict[str, Any] = {
            "kind": "retraction",
            "id": retraction_id(event_id),
            "retracts": event_id,
            "reason": reason,
            "sources": [source],
        }
        try:
            batch.append(validate(raw, "retraction"))
        except InputError as error:  # no file to name: the retraction is the command's
            raise Refused(error.message.replace("event (id", "retraction (id")) from None
        origin[raw["id"]] = f"retract {event_id}"
    return _record(session, batch, origin, dry_run)


def _record(session: Session, batch: list, origin: dict[str, str], dry_run: bool) -> Appended:
    try:
        return session.append(batch, dry_run=dry_run)
    except RuleBroken as error:
        where = origin.get(error.event_id)
        message = f"{where}: {error}" if where else error.message
        raise Refused(f"{message}; nothing was written") from None
