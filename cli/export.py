"""``uspk export``: the record as a page, a TimelineJS file, a report, a sheet or JSON.

cli.main imports this module, so it imports nothing heavy (no projections, pydantic or
eventsourcing) until the command runs, and looks up cli.main's DATE and MOMENT types
only when a value is converted (importing them here would be a circular import).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

import click

FORMATS = ("html", "timelinejs", "markdown", "csv", "json")


class _MainType(click.ParamType):
    """cli.main's DATE or MOMENT parameter type, looked up when a value is converted."""

    def __init__(self, attribute: str, metavar: str) -> None:
        self.attribute = attribute
        self.name = metavar

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        import cli.main

        return getattr(cli.main, self.attribute).convert(value, param, ctx)


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
    "sources and both clocks, and the state.",
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
    type=_MainType("DATE", "DATE"),
    help="The date of the state shown (a month or year means its last day). "
    "Default: the last day on which a believed event occurred.",
)
@click.option(
    "--known-at",
    type=_MainType("MOMENT", "WHEN"),
    help="Export the record as believed at this timestamp, or at the end of this day (a "
    "month or year: of its last day), UTC. Default: now.",
)
@click.pass_context
def export(ctx, fmt, output, as_of, known_at):
    """Export the whole history and the state on a date, in a format other tools read.

    \b
    Examples:
      uspk export -o reset.html
      uspk export --format timelinejs -o reset-timeline.json
      uspk export --format csv --at 2025-09-08 -o reset.csv
    """
    from importlib.metadata import PackageNotFoundError, version

    from cli.exporters import Bundle, correction_data
    from cli.main import store
    from projections.state import state_at
    from projections.timeline import timeline

    output = "-" if output in STANDARD_OUTPUT else output
    if output != "-":
        refuse_unsafe_target(output, _store_files(ctx))
    with store(ctx) as app:
        records = app.believed(known_at)
        entries = timeline(records)
        if as_of is None:
            as_of = max((r.document.occurred.end for r in records), default=None)
        if as_of is None:
            raise click.ClickException(
                "nothing to export: no events are believed"
                + (" at the --known-at moment" if known_at else "")
            )
        state = state_at(records, as_of, known_at)
        corrections = correction_data(app, known_at)
    try:
        uspk_version = version("uspk")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        uspk_version = "unknown"
    payload = render(fmt, Bundle(entries, state, uspk_version, corrections))
    if output == "-":
        with click.open_file("-", "wb") as stream:  # standard output, left open
            stream.write(payload)
    else:
        write_atomically(output, payload)


def render(fmt: str, bundle) -> bytes:  # noqa: ANN001 - a cli.exporters.Bundle
    """The export as bytes: UTF-8, with a byte order mark for CSV (for spreadsheets)."""
    if fmt == "html":
        from cli.exporters.html import html_page

        return html_page(bundle).encode("utf-8")
    if fmt == "timelinejs":
        from cli.exporters.timelinejs import timelinejs

        return timelinejs(bundle).encode("utf-8")
    from cli.exporters import report

    if fmt == "csv":
        return report.csv_text(bundle).encode("utf-8-sig")
    if fmt == "markdown":
        return report.markdown(bundle).encode("utf-8")
    return report.json_export(bundle).encode("utf-8")


STANDARD_OUTPUT = ("-", "/dev/stdout")


def _store_files(ctx: click.Context) -> list[str]:
    """The chosen SQLite store's file and the files SQLite keeps beside it."""
    from cli.main import chosen_store
    from domain.store import StoreError

    try:
        chosen = chosen_store(ctx)
    except StoreError:
        return []  # opening the store reports it, in one line
    if chosen.is_postgres:
        return []
    path = chosen.env["SQLITE_DBNAME"]
    return [path, *(path + suffix for suffix in ("-wal", "-shm", "-journal"))]


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
        raise click.ClickException(f"{path}: cannot write: {error.strerror}") from None
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


def write_atomically(path: str, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file in the same folder and a
    rename: readers see the old file or the new one, and a failure leaves no half file."""
    target = os.path.realpath(path)  # through a symbolic link, to the file it names
    folder = os.path.dirname(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as error:
        raise click.ClickException(f"{path}: cannot write: {error.strerror}") from None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder
        )
    except OSError as error:
        raise click.ClickException(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise click.ClickException(f"{path}: cannot write: {error.strerror}") from None
        raise
