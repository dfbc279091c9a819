"""The SQLite export's reading and writing (``service.reading.exported_database``, then
``cli.exporters.sqlite.write_database``) on an open session, as ``uspk export --format
sqlite`` runs them, for the tests that read its rows or its file."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

from cli.exporters.sqlite import write_database
from projections.standing import Row
from service import reading
from service.bootstrap import Session


def standing_and_actors(session: Session) -> tuple[list[Row], dict[str, list[str]]]:
    """The export's standing rows, and each exported event's actors (by event id)."""
    exported = reading.exported_database(session)
    actors = {e["id"]: e["actors"] for page in exported.pages for e in page.events}
    return list(exported.standing(lambda event: actors.get(event, ()))), actors


def write_export(session: Session, path: Path) -> Any:
    """The export's database written to ``path`` (a new file); the publishers it cites."""
    exported = reading.exported_database(session)
    with closing(exported.pages):
        return write_database(str(path), exported)
