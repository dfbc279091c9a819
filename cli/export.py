"""``uspk export``: the record as a page, a TimelineJS file, a report, a sheet, JSON, an
Atom feed of its changes, or PLOVER event data.

It imports nothing heavy (no service layer, pydantic or eventsourcing) until the
command runs, so that ``uspk --help`` stays fast.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from cli.archive import captures_folder, captures_option
from cli.context import open_session, store_files
from cli.errors import cannot
from cli.kinds import KIND
from cli.params import DATE, MOMENT

FORMATS = ("html", "timelinejs", "markdown", "csv", "json", "atom", "plover", "sqlite")


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="html: one self-contained page (timeline chart, event list, state panel; needs "
    "no network). timelinejs: TimelineJS 3 JSON. markdown: a report with footnoted "
    "sources. csv: one row per event (UTF-8 with BOM). json: every event with its "
    "sources and both clocks, and the state. atom: an Atom feed of every recorded change "
    "(appended, amended, retracted), newest first. plover: PLOVER event data, one JSON "
    "record a line. sqlite: a database for Datasette (every "
    "event, source, actor and correction, and what stood on every date as known at every "
    "moment), with its metadata written beside it (reset.db: reset.metadata.json).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True),  # a folder is refused with the special files
    default="-",
    show_default=True,
    help="File to write ('-' or /dev/stdout is standard output). It is replaced whole or "
    "not at all; the store itself and special files (devices, FIFOs) are refused.",
)
@click.option(
    "--at",
    "as_of",
    type=DATE,
    help="The date of the state shown (a month or year means its last day). "
    "Default: the last day on which a believed event occurred.",
)
@click.option(
    "--known-at",
    type=MOMENT,
    help="Export the record as believed at this timestamp, or at the end of this day (a "
    "month or year: of its last day), UTC. Default: now.",
)
@click.option(
    "--acled",
    is_flag=True,
    help="With --format csv: ACLED-style columns (event_date, year, time_precision 1 day, "
    "2 days around it, 3 month; actor1, actor2, source, notes ...).",
)
@click.option(
    "--with-captures",
    "publish_dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Publish the newest capture of each cited page (uspk archive) into DIR, named by "
    "its sha256, and link it beside the source's URL (the page's and the report's links "
    "are relative to -o FILE's folder: publish DIR with the file).",
)
@captures_option
@click.option(
    "--agreement",
    "agreements",
    metavar="ID",
    multiple=True,
    help="With --format atom: only the changes of events about this agreement (repeatable).",
)
@click.option(
    "--actor",
    "actors",
    metavar="NAME",
    multiple=True,
    help="With --format atom: only the changes of events involving this actor, by id or "
    "name (repeatable).",
)
@click.option(
    "--kind",
    "kinds",
    type=KIND,
    multiple=True,
    help="With --format atom: only the changes of events of this kind (repeatable).",
)
@click.pass_context
def export(
    ctx, fmt, output, as_of, known_at, acled, publish_dir, captures_dir, agreements, actors, kinds
):
    """Export the whole history and the state on a date, in a format other tools read.

    \b
    Examples:
      uspk export -o reset.html
      uspk export --format timelinejs -o reset-timeline.json
      uspk export --format csv --at 2025-09-08 -o reset.csv
      uspk export --format atom -o changes.xml
      uspk export --format atom --actor asim-munir -o munir.xml
      uspk export --format sqlite -o reset.db
    """
    if acled and fmt != "csv":
        raise click.UsageError("--acled is an option of --format csv")
    if (agreements or actors or kinds) and fmt != "atom":
        raise click.UsageError("--agreement, --actor and --kind are options of --format atom")
    if fmt == "sqlite":
        return export_database(ctx, output, as_of, known_at, publish_dir, captures_dir)
    from service import reading

    output = "-" if output in STANDARD_OUTPUT else output
    if output != "-":
        refuse_unsafe_target(output, store_files(ctx))
    if fmt == "json" and not acled:
        return _export_json(ctx, output, as_of, known_at, captures_dir, publish_dir)
    if fmt == "html":
        return _export_html(ctx, output, as_of, known_at, captures_dir, publish_dir)
    with open_session(ctx) as opened:
        track = reading.narrowing(opened, agreements, actors, kinds, known_at)
        exported = reading.export_bundle(opened, as_of, known_at, track)
    cited = (exported.entries, exported.state, exported.changes, exported.corrections.items)
    _with_captures(ctx, captures_dir, publish_dir, output, *cited)
    _write(output, render("acled" if acled else fmt, bundle_of(exported)))


def bundle_of(exported: Any) -> Any:
    """What every exporter is made from (a ``cli.exporters.Bundle``), of what the service
    layer read (a ``service.reading.Exported``)."""
    from cli.exporters import Bundle

    return Bundle(
        entries=exported.entries,
        state=exported.state,
        version=_version(),
        corrections=exported.corrections,
        changes=exported.changes,
        chain=exported.chain,
    )


def _write(output: str, payload: Iterable[bytes]) -> None:
    """The export's bytes, written as they are made: to standard output ("-", left open)
    or to the file ``output``, atomically."""
    if output == "-":
        with click.open_file("-", "wb") as stream:
            for piece in payload:
                stream.write(piece)
    else:
        write_atomically(output, payload)


def _export_json(ctx, output, as_of, known_at, captures_dir, publish_dir) -> None:  # noqa: ANN001
    """The JSON export, its events written as they are read a page at a time (inside
    the session: the pages are one read transaction), each linked to its captures on the
    way; the captures linked are published after (``_with_captures``'s two steps)."""
    from contextlib import closing
    from itertools import chain, islice

    from cli.exporters import Bundle, Corrections, Streamed
    from cli.exporters.report import json_document, json_text_pieces
    from service import reading

    linking = _CaptureLinks(ctx, captures_dir, publish_dir, output)
    with open_session(ctx) as opened:
        exported = reading.exported_events(opened, as_of, known_at)
        # The state and the events are each read in a transaction held while they are
        # written: both end here, written whole or not (the reader may have gone away),
        # before the session closes its connections.
        with closing(exported.state), closing(exported.entries) as entries:
            linking.link(exported.corrections)
            # A section's entries come as they are made (an iterator): each linked as
            # it passes.
            sections = (
                (name, map(linking.linked, value) if isinstance(value, Iterator) else value)
                for name, value in exported.state
            )
            moments = dict(islice(sections, 2))  # the state's as_of and known_at come first
            bundle = Bundle(
                entries=[],
                state=moments,
                version=_version(),
                corrections=Corrections(items=exported.corrections),
                chain=exported.chain,
            )
            document = json_document(bundle) | {
                "events": Streamed(map(linking.linked, entries)),
                "state": Streamed(chain(moments.items(), sections), pairs=True),
            }
            _write(output, _encoded(json_text_pieces(document)))
    linking.publish()


def _export_html(ctx, output, as_of, known_at, captures_dir, publish_dir) -> None:  # noqa: ANN001
    """The page, written inside the session as its events are read a page at a time,
    each linked to its captures on the way (its state's sections as each is made); the
    captures linked are published after."""
    from contextlib import closing

    from cli.exporters import Bundle, Overview
    from service import reading

    linking = _CaptureLinks(ctx, captures_dir, publish_dir, output)
    with open_session(ctx) as opened:
        exported = reading.exported_page(opened, as_of, known_at)
        linking.link(exported.corrections.items)
        with closing(exported.entries) as entries:
            page = Bundle(
                entries=map(linking.linked, entries),
                state=_LinkedState(exported.state, linking.linked),
                version=_version(),
                corrections=exported.corrections,
                chain=exported.chain,
                seen=Overview(**exported.overview),
            )
            _write(output, render("html", page))
    linking.publish()


class _LinkedState(Mapping):
    """A state whose sections are made when asked for (``KeptState``), each with
    ``link`` applied as it is made."""

    def __init__(self, state: Mapping[str, Any], link: Any) -> None:
        self.state, self.link = state, link

    def __getitem__(self, key: str) -> Any:
        value = self.state[key]
        # A section's entries made as they are gone through: each linked as it is made.
        return value.mapped(self.link) if hasattr(value, "mapped") else self.link(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self.state)

    def __len__(self) -> int:
        return len(self.state)


class _CaptureLinks:
    """Each cited source linked to its newest capture, if any (service.archiving), and
    those captures published into ``publish_dir`` when asked. Without a folder of
    captures nothing is read: no capture library is even imported."""

    def __init__(self, ctx, captures_dir, publish_dir, output) -> None:  # noqa: ANN001
        from service import archiving

        self.archiving, self.publish_dir = archiving, publish_dir
        self.folder = captures_folder(ctx, captures_dir)
        self.captures = archiving.export_captures(self.folder)
        self.href = None
        self.urls: set[str] = set()
        if publish_dir is not None:
            start = (
                os.getcwd()
                if output in STANDARD_OUTPUT
                else os.path.dirname(os.path.abspath(output))
            )
            relative = os.path.relpath(os.path.abspath(publish_dir), start).replace(os.sep, "/")
            self.href = quote(relative.rstrip("/") + "/")

    def link(self, *cited: Any) -> None:
        if self.captures:
            self.urls |= self.archiving.link_captures(self.captures, *cited, href=self.href)

    def linked(self, value: Any) -> Any:
        self.link(value)
        return value

    def publish(self) -> dict:
        """The captures linked, by URL; published into ``publish_dir`` when asked."""
        kept = {url: self.captures[url] for url in sorted(self.urls)}
        if self.publish_dir is not None:
            count = self.archiving.publish_captures(self.folder, kept, Path(self.publish_dir))
            click.echo(f"uspk: published {count} capture(s) into {self.publish_dir}", err=True)
        return kept


def _with_captures(ctx, captures_dir, publish_dir, output, *cited) -> dict:  # noqa: ANN001
    """Link each cited source to its newest capture, if any, and publish those captures
    into ``publish_dir`` when asked (``_CaptureLinks``); the captures linked, by URL."""
    linking = _CaptureLinks(ctx, captures_dir, publish_dir, output)
    linking.link(*cited)
    return linking.publish()


def export_database(  # noqa: ANN001
    ctx: click.Context, output: str, as_of, known_at, publish_dir=None, captures_dir=None
) -> None:
    """The SQLite export: a database file and, beside it, the metadata Datasette reads.
    The database is written into a temporary file beside ``output`` as the record is
    read, a page at a time inside the session, each event linked to its captures on the
    way; it replaces ``output`` when whole (the captures linked are published first)."""
    import sqlite3
    from contextlib import closing

    from cli.exporters import json_text
    from cli.exporters.sqlite import metadata, metadata_path, write_database
    from service import reading

    if as_of is not None or known_at is not None:
        raise click.UsageError(
            "--at and --known-at do not apply to --format sqlite: "
            "it holds every date and every moment"
        )
    if output in STANDARD_OUTPUT:
        raise click.UsageError(
            "--format sqlite writes a file and its metadata beside it: "
            "give -o FILE (e.g. -o reset.db)"
        )
    described = metadata_path(output)
    for path in (output, described):
        refuse_unsafe_target(path, store_files(ctx))
    linking = _CaptureLinks(ctx, captures_dir, publish_dir, output)
    with open_session(ctx) as opened, replaced_atomically(output) as temporary:
        exported = reading.exported_database(opened)
        try:
            with closing(exported.pages):
                publishers = write_database(temporary, exported, linking.link, linking.publish)
        except sqlite3.OperationalError as error:  # e.g. the disk full, in SQLite's words
            raise cannot("write", output, OSError(None, str(error))) from None
    database = os.path.splitext(os.path.basename(output))[0]
    document = metadata(publishers, exported.chain, database, _version())
    write_atomically(described, (json_text(document) + "\n").encode("utf-8"))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("uspk")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def render(fmt: str, bundle) -> Iterator[bytes]:  # noqa: ANN001 - a cli.exporters.Bundle
    """The export as bytes, written as it is made: UTF-8, with a byte order mark for CSV
    (for spreadsheets)."""
    if fmt == "html":
        from cli.exporters.html import html_page

        return _encoded(html_page(bundle))
    if fmt == "timelinejs":
        from cli.exporters.timelinejs import timelinejs

        return _encoded(timelinejs(bundle))
    if fmt == "atom":
        from cli.exporters.atom import atom

        return _encoded(atom(bundle))
    if fmt == "plover":
        from cli.exporters.plover import plover_lines

        return _encoded(plover_lines(bundle))
    if fmt == "acled":  # the CSV export's --acled
        from cli.exporters.acled import acled_csv

        return _encoded(acled_csv(bundle), "utf-8-sig")
    from cli.exporters import report

    if fmt == "csv":
        return _encoded(report.csv_text(bundle), "utf-8-sig")
    if fmt == "markdown":
        return _encoded(report.markdown(bundle))
    return _encoded(report.json_export(bundle))


def _encoded(text: str | Iterable[str], encoding: str = "utf-8") -> Iterator[bytes]:
    """``text`` (one string, or its pieces in order) encoded a batch at a time; an
    incremental encoder writes utf-8-sig's byte order mark once, before the first."""
    from cli.render import batched_text

    encoder = codecs.getincrementalencoder(encoding)()
    for batch in batched_text([text] if isinstance(text, str) else text):
        yield encoder.encode(batch)


STANDARD_OUTPUT = ("-", "/dev/stdout")


def refuse_unsafe_target(path: str, store_files: list[str]) -> None:
    """Refuse an output that is the store (by any spelling or link) or a special file."""
    for store_file in store_files:
        if _same_file(path, store_file):
            raise click.ClickException(
                f"{path} would overwrite the event store {store_files[0]}; give another file name"
            )
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise cannot("write", path, error) from None
    if not stat.S_ISREG(mode):
        raise click.ClickException(
            f"{path} is not a regular file (a device, FIFO, socket or folder); give a file "
            "name, or -o - for standard output"
        )


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they lead
        return os.path.realpath(a) == os.path.realpath(b)


def write_atomically(path: str, payload: bytes | Iterable[bytes]) -> None:
    """Write ``payload`` (bytes, or its pieces as they are made) to ``path`` through a
    temporary file in the same folder and a rename (``replaced_atomically``)."""
    with replaced_atomically(path) as temporary, open(temporary, "wb") as out:
        for piece in [payload] if isinstance(payload, bytes) else payload:
            out.write(piece)


@contextlib.contextmanager
def replaced_atomically(path: str) -> Iterator[str]:
    """A new temporary file in ``path``'s folder, to write while the block runs, that
    then replaces ``path`` by a rename once it is on disk: readers see the old file or
    the new one, and a failure (while it is written too) leaves no half file."""
    target = os.path.realpath(path)  # through a symbolic link, to the file it names
    folder = os.path.dirname(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as error:
        raise cannot("write", path, error) from None
    import tempfile  # here: every command imports this module

    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder
        )
        os.close(handle)
    except OSError as error:
        raise cannot("write", path, error) from None
    try:
        yield temporary
        handle = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise cannot("write", path, error) from None
        raise
