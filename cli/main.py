"""uspk's command line: each command parses its options, calls one use case of the
service layer and renders what it returns. A user's mistake becomes one line in
cli/errors.py. Each command imports what it needs when it runs, so that ``uspk --help``
stays fast (no eventsourcing, no pydantic)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import closing

import click

from cli import authoring
from cli.archive import archive, captures_folder, captures_option, draft
from cli.context import Settings, open_session, open_upkeep
from cli.copy import copy
from cli.errors import OneLineErrors, cannot
from cli.export import export
from cli.kinds import KIND
from cli.params import DATE, KNOWN_AT_HELP, MOMENT, SINCE, format_option

FORMATS_TIMELINE = ("text", "json", "markdown", "csv")


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80},
)
@click.option(
    "--db",
    metavar="PATH|URL",
    envvar="USPK_DB",
    help="Event store: a SQLite file path or postgresql://user:pass@host:port/db "
    "(libpq parameters such as ?sslmode=require are honoured). "
    "Default: uspk.sqlite in your user data directory. Env: USPK_DB.",
)
@click.option(
    "--create",
    is_flag=True,
    help="Create the store and its folders if missing (without it, a --db whose folder "
    "does not exist is refused: a typo never starts a new store).",
)
@click.version_option(package_name="uspk")
@click.pass_context
def main(ctx: click.Context, db: str | None, create: bool) -> None:
    """uspk: a cited, replayable record of the 2025 US-Pakistan reset.

    Every happening is an immutable event with its sources and its date at the
    precision the source gives. On first use the store is loaded with the shipped
    history. Dates are EDTF: 2025-09-08, 2025-09 (a month), 2025 (a year).
    """
    ctx.obj = Settings(db, create)


# -- reading ----------------------------------------------------------------------------


@main.command()
@click.option(
    "--since",
    type=SINCE,
    help="Only events that end on or after this date (a month or year means its first day).",
)
@click.option(
    "--until",
    type=DATE,
    help="Only events that begin on or before this date (a month or year means its last day).",
)
@click.option("--actor", metavar="NAME", help="Only events involving this actor (id or name).")
@click.option(
    "--kind",
    "kinds",
    type=KIND,
    multiple=True,
    help="Only events of this kind (repeatable).",
)
@click.option("--known-at", type=MOMENT, help=KNOWN_AT_HELP)
@format_option(choices=FORMATS_TIMELINE)
@click.pass_context
def timeline(ctx, since, until, actor, kinds, known_at, fmt):
    """Every happening in the order it occurred, each with its sources."""
    from cli import render
    from service import reading

    with open_session(ctx) as opened:  # open while the pages of records are read
        # Closed before the session, even when writing fails (a closed pipe): the pages'
        # read transaction ends while its connection can still go back to the pool.
        asked = reading.timeline_entries(opened, since, until, actor, kinds, known_at)
        with closing(asked) as entries:
            if fmt == "json":  # each entry made and written in turn, never all held at once
                echo_pieces(render.json_list_chunks(entries))
                return
            entries = list(entries)
    click.echo(
        {
            "text": render.timeline_text,
            "markdown": render.timeline_markdown,
            "csv": render.timeline_csv,
        }[fmt](entries),
        nl=fmt != "csv",
    )


@main.command()
@click.option(
    "--at",
    "as_of",
    type=DATE,
    required=True,
    help="The day to ask about (a month or year means its last day).",
)
@click.option("--known-at", type=MOMENT, help=KNOWN_AT_HELP)
@click.option(
    "--agreement",
    "agreements",
    metavar="ID",
    multiple=True,
    help="Only what is about this agreement (repeatable).",
)
@click.option(
    "--actor",
    "actors",
    metavar="NAME",
    multiple=True,
    help="Only what involves this actor, by id or name (repeatable).",
)
@click.option(
    "--kind",
    "kinds",
    type=KIND,
    multiple=True,
    help="Only entries made of events of this kind (repeatable).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Text: show every entry of each section, not only the latest few.",
)
@format_option("Output format (the JSON is documented in the README).")
@click.pass_context
def state(ctx, as_of, known_at, agreements, actors, kinds, everything, fmt):
    """What stood on a date: agreements, commitments, engagements, steps, actors.

    The text shows each section's count and its latest entries (--all: every one);
    --agreement, --actor and --kind narrow the answer to what is about them."""
    from cli import render
    from service import reading

    with open_session(ctx) as opened:
        narrowing = reading.narrowing(opened, agreements, actors, kinds, known_at)
        if fmt == "json":
            # Read in a transaction held while it is written: ended here, written whole or
            # not (`| head`), before the session closes its connections.
            sections = reading.state_sections(opened, as_of, known_at, narrowing, as_read=True)
            with closing(sections):
                echo_pieces(render.json_object_chunks(sections))
        else:
            latest = None if everything else render.LATEST
            until = reading.recorded_until(opened, as_of, known_at)
            # Every entry (--all) is written as it is made, in one read transaction held
            # while it is written, ended here (`| head`) before the session closes.
            with reading.state_shown(opened, as_of, known_at, narrowing, latest) as summary:
                lines = render.state_lines(
                    summary.state, latest, until, summary.counts, summary.names
                )
                try:
                    echo_pieces(render.joined(lines, "\n"))
                except (KeyError, TypeError, AttributeError) as error:
                    # The entries are the index's stored rows: one was edited into another
                    # shape (what was written before it, a batch at a time, stays written).
                    raise reading.BrokenRecord(
                        f"a stored state entry is not of the shape uspk writes (no {error}); "
                        "`uspk verify` shows where, `uspk rebuild` repairs it from the log"
                    ) from None


def echo_pieces(pieces: Iterable[str]) -> None:
    """Write text as it is produced, in writes of about 64k characters, and a newline."""
    from cli.render import batched_text

    for batch in batched_text(pieces):
        click.echo(batch, nl=False)
    click.echo()


@main.command()
@click.option(
    "--until",
    type=DATE,
    help="Stop after events that begin on this date (a month or year means its last day).",
)
@click.option("--known-at", type=MOMENT, help=KNOWN_AT_HELP)
@format_option()
@click.pass_context
def replay(ctx, until, known_at, fmt):
    """Walk the history in occurrence order, showing what each event changed."""
    from cli import render
    from service import reading

    with open_session(ctx) as opened:
        steps = reading.replay(opened, until, known_at)
    click.echo(render.as_json(steps) if fmt == "json" else render.replay_text(steps))


@main.command()
@click.argument("event_id")
@format_option()
@click.pass_context
def show(ctx, event_id, fmt):
    """One event in full: fields, sources with quotes, when it was recorded."""
    from cli import render
    from service import reading

    with open_session(ctx) as opened:
        view = reading.show_event(opened, event_id)
    if "retraction" in view:  # shown as recorded, whatever the format
        click.echo(render.as_json(view))
    else:
        click.echo(render.as_json(view) if fmt == "json" else render.show_text(view))


# -- writing ----------------------------------------------------------------------------


def signature_options(command):
    """The --as NAME and -m MESSAGE options that say who records a change and why."""
    command = click.option(
        "-m",
        "--message",
        metavar="TEXT",
        help="Why this change is recorded, kept with it (like a commit message).",
    )(command)
    return click.option(
        "--as",
        "recorder",
        metavar="NAME",
        envvar="USPK_USER",
        help="Who records this change (env: USPK_USER). Default: the PostgreSQL role or "
        "the operating-system user, shown as pg:ROLE or os:USER.",
    )(command)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@signature_options
@click.pass_context
def append(ctx, files, dry_run, recorder, message):
    """Append events from FILES (YAML or JSON; '-' reads standard input).

    Each file holds one event or a list of them. All files form one batch: it is
    checked against the whole history and recorded whole, or not at all. Appending
    the same events again changes nothing.
    """
    from events.files import load_bytes
    from service import recording

    signature = _signature(ctx, recorder, message)
    batch = recording.appending(load_bytes(_read(name), _label(name)) for name in files)
    _record(ctx, batch, dry_run, signature)


def _signature(ctx: click.Context, recorder: str | None, message: str | None):  # noqa: ANN202
    """Who records and why, checked before anything is read or opened."""
    from service import recording

    from_env = ctx.get_parameter_source("recorder") == click.core.ParameterSource.ENVIRONMENT
    return recording.signing(recorder, message, "USPK_USER" if from_env else "--as")


def _record(ctx: click.Context, batch, dry_run: bool, signature) -> None:  # noqa: ANN001
    """Record a batch (built before the store is opened: a mistake in it writes nothing)
    and say what it added."""
    from service import recording

    with open_session(ctx, recording=not dry_run) as opened:
        outcome = recording.record(opened, batch, dry_run=dry_run, signature=signature)
    _say_recorded(outcome, dry_run)


def _say_recorded(outcome, dry_run: bool) -> None:  # noqa: ANN001 - an Appended
    verb = "would append" if dry_run else "appended"
    click.echo(
        f"{verb} {len(outcome.added)} event(s)"
        + (f"; {len(outcome.unchanged)} already recorded, unchanged" if outcome.unchanged else "")
    )
    for event_id in outcome.added:
        click.echo(f"  + {event_id}")


def _label(name: str) -> str:
    return "<stdin>" if name == "-" else name


def _read(name: str) -> bytes:
    from events.files import read_file, read_stream  # both stop at the size limit

    if name == "-":
        return read_stream(sys.stdin.buffer)
    try:
        return read_file(name)
    except OSError as error:
        raise cannot("read", name, error) from None


def source_options(command):
    """The --publisher/--title/--published/--url/--quote options that cite a source."""
    options = [
        click.option("--publisher", required=True, help="Who published the source."),
        click.option(
            "--title", "source_title", help="The source's title (may be left out with --url)."
        ),
        click.option(
            "--published",
            required=True,
            metavar="DATE",
            help="When the source was published (EDTF: 2025-10-05, 2025-10 ...).",
        ),
        click.option("--url", help="Where the source can be read."),
        click.option("--quote", help="The source's words that carry the correction."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _source(publisher, source_title, published, url, quote) -> dict:
    given = (("title", source_title), ("url", url), ("quote", quote))
    return {"publisher": publisher, "published": published} | {k: v for k, v in given if v}


@main.command()
@click.argument("event_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--reason", required=True, help="Why the event no longer stands.")
@source_options
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@signature_options
@click.pass_context
def retract(ctx, event_ids, reason, publisher, source_title, published, url, quote, **signing):
    """Retract events: they leave the current view but stay in the record.

    Name several IDs to retract an event together with those that depend on it
    (an agreement's signing and its commitments) in one all-or-nothing batch.
    `--known-at` a moment before the retraction still shows the old belief.
    """
    from service import recording

    dry_run = signing.pop("dry_run")
    signature = _signature(ctx, **signing)
    source = _source(publisher, source_title, published, url, quote)
    _record(ctx, recording.retracting(event_ids, reason, source), dry_run, signature)


@main.command()
@click.argument("event_id", metavar="ID")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@signature_options
@click.pass_context
def amend(ctx, event_id, file, dry_run, recorder, message):
    """Record the event in FILE as the replacement of ID.

    FILE holds one event with its own new id and its sources (for instance a report
    giving the exact day where ID had only the month), and either the whole event or only
    the fields it changes. Its `kind` and `supersedes` are taken from ID when left out.
    ID leaves the current view; `--known-at` before now still shows it.
    """
    from service import reading, recording

    signature = _signature(ctx, recorder, message)
    amendment = recording.reading_amendment(event_id, _read(file), _label(file))
    if amendment.kind is not None:  # checked whole before the store is opened
        _record(ctx, recording.amending(amendment), dry_run, signature)
        return
    # the kind is the amended event's: the store knows it
    with open_session(ctx, recording=not dry_run) as opened:
        batch = recording.amending(amendment, reading.kind_of(opened, event_id))
        outcome = recording.record(opened, batch, dry_run=dry_run, signature=signature)
    _say_recorded(outcome, dry_run)


@main.command()
@click.argument("event_id", metavar="ID")
@format_option()
@click.pass_context
def history(ctx, event_id, fmt):
    """The life of one event in the record: its versions, amendments, retractions."""
    from cli import render
    from service import reading

    with open_session(ctx) as opened:
        entries = reading.event_history(opened, event_id)
    click.echo(render.as_json(entries) if fmt == "json" else render.history_text(entries))


@main.command()
@click.argument("since", type=DATE, metavar="FROM")
@click.argument("until", type=DATE, metavar="TO")
@click.option("--known-at", type=MOMENT, help=KNOWN_AT_HELP)
@format_option()
@click.pass_context
def diff(ctx, since, until, known_at, fmt):
    """What changed between the state on FROM and the state on TO.

    FROM and TO are dates of a state, as for `state --at`: a month or year means its
    last day, so `uspk diff 2025-08 2025-09` is what changed in September.
    """
    from cli import render
    from service import reading

    if until < since:
        raise click.BadParameter(f"TO ({until}) is before FROM ({since})", param_hint="TO")
    with open_session(ctx) as opened:
        changes = reading.diff(opened, since, until, known_at)
        stops = reading.recorded_until(opened, until, known_at)
    click.echo(
        render.as_json(changes) if fmt == "json" else render.diff_text(changes, since, until, stops)
    )


@main.command()
@click.pass_context
def rebuild(ctx):
    """Rebuild the read model from the event log, from zero.

    Repairs whatever `uspk verify` finds: missing or edited tables, a lost tracking
    row, a read model ahead of its log. Queries otherwise keep it up to date on their
    own. Shows a progress bar on a terminal. Each recorded change's link in the hash
    chain is checked as it is indexed: at the first that does not verify, the index
    stops before it and rebuild exits 1 naming it.

    Counts: it reads the stored events (rows of the event log, as `uspk copy` counts
    them) after the record's creation, and indexes the recorded changes among them
    (events, amendments, retractions, as `uspk verify` counts them).
    """
    from service import upkeep

    with open_upkeep(ctx) as opened:
        upkeep.may_rebuild(opened)  # a reader is refused before the progress bar shows
        with click.progressbar(
            length=upkeep.log_end(opened), label="rebuilding read models", file=sys.stderr
        ) as bar:
            applied = upkeep.rebuild(opened, progress=bar.update)
            changes = upkeep.indexed_changes(opened)
    click.echo(f"rebuilt the index from {applied} stored event(s): {changes} recorded change(s)")


@main.command()
@click.option(
    "--against",
    "published",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Check a published export (html, json, markdown, timelinejs, atom, sqlite) against "
    "the store: "
    "the store's hash chain at the count the export names must end in the head it names, "
    "and the index that answers must agree with the log.",
)
@click.option(
    "--sources",
    is_flag=True,
    help="Check every believed event's sources against their captures (uspk archive): "
    "each quote word for word in the page's text, each published date against the page's "
    "own. Fetches nothing.",
)
@captures_option
@click.pass_context
def verify(ctx, published, sources, captures_dir):
    """Check the event log's hash chain and the read model against the log.

    The chain: every recorded change stores a sha256 link to the one before; the first
    event whose stored content, order or presence differs from what was chained is
    named. Prints each disagreement on a line and exits 1, or one summary line and
    exits 0. Changes nothing: `uspk rebuild` repairs the read model (not the log).

    With --sources: every believed event's sources against their captures (uspk
    archive), one line per disagreement naming the event and the source (exit 1), then
    how many sources have no capture.

    Counts: recorded changes are the events, amendments and retractions recorded (each
    one link of the chain); "hidden" are those a retraction or amendment hides now; the
    log position is the event log's own number of its last stored event (a row of the
    log, as `uspk copy` counts them; PostgreSQL may skip numbers).
    """
    from service import upkeep

    if sources:
        return _verify_sources(ctx, published, captures_dir)
    text = _read_published(published) if published else None
    with open_upkeep(ctx) as opened:
        if text is None:
            verdict = upkeep.verify(opened)
        else:
            verdict = upkeep.verify_against(opened, _label(published), text)
    for line in verdict.disagreements:
        click.echo(line)
    if verdict.disagreements:
        ctx.exit(1)
    click.echo(verdict.summary)


def _verify_sources(ctx: click.Context, published: str | None, captures_dir: str | None) -> None:
    """``verify --sources``: one line per disagreement (exit 1), then what was checked."""
    from service import archiving

    if published:
        raise click.UsageError("--sources and --against are separate checks: give one")
    folder = captures_folder(ctx, captures_dir)
    with open_session(ctx) as opened:
        verdict = archiving.verify_sources(opened, folder)
    for line in verdict.disagreements:
        click.echo(line)
    click.echo(verdict.summary)
    if verdict.disagreements:
        ctx.exit(1)


def _read_published(name: str) -> str:
    """A published export's text (any size: it is only searched for its chain head)."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as handle:
                data = handle.read()
    except OSError as error:
        raise cannot("read", name, error) from None
    return data.decode("utf-8", errors="replace")


@main.command()
def schema():
    """Print the JSON Schema of the event file format (generated from the models)."""
    from cli.render import as_json
    from events.schema import event_file_schema

    click.echo(as_json(event_file_schema()))


# Commands that live in modules of their own; each imports its heavy parts when it runs.
main.add_command(copy)
main.add_command(export)
main.add_command(authoring.new)
main.add_command(authoring.actors)
main.add_command(archive)
main.add_command(draft)


if __name__ == "__main__":  # `python -m cli.main`
    main()
