"""uspk's command line. Each command imports what it needs when it runs, so that
``uspk --help`` stays fast (no eventsourcing, no pydantic)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import click

from cli.kinds import KIND
from events.dates import DateError, parse_date

FORMATS_TIMELINE = ("text", "json", "markdown", "csv")


class DateParam(click.ParamType):
    """A day, month or year (EDTF), as the day at one end of it: an opening bound
    (``--since``) means a period's first day, a closing bound or a state's date its last.
    """

    name = "DATE"

    def __init__(self, opening: bool = False) -> None:
        self.opening = opening

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        if isinstance(value, date):
            return value
        try:
            period = parse_date(value)
        except DateError as error:
            self.fail(str(error), param, ctx)
        return period.start if self.opening else period.end


class MomentParam(click.ParamType):
    """A date (meaning the end of that day, or of the month or year, UTC) or an ISO
    timestamp; the moment is returned in UTC."""

    name = "WHEN"

    def convert(self, value, param, ctx):  # noqa: ANN001
        if isinstance(value, datetime):
            return value
        try:
            day = parse_date(value).end
            return datetime.combine(day, time.max, tzinfo=UTC)
        except DateError:
            pass
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is neither a date (YYYY-MM-DD) nor an ISO timestamp", param, ctx)
        return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC. A moment that UTC cannot hold (after 9999-12-31T23:59:59.999999
    or before 0001-01-01, as 9999-12-31T23:59-05:00 is) becomes UTC's last or first
    instant: no event is recorded beyond either, so every question gets the same answer.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        limit = datetime.max if moment.year == datetime.max.year else datetime.min
        return limit.replace(tzinfo=UTC)


KNOWN_AT_HELP = (
    "As believed at this timestamp, or at the end of this day (a month or year: of its "
    "last day), UTC."
)
DATE = DateParam()
SINCE = DateParam(opening=True)
MOMENT = MomentParam()


def format_option(help: str = "Output format.", choices: tuple[str, ...] = ("text", "json")):
    """The --format option of a command that prints text by default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default="text",
        show_default=True,
        help=help,
    )


class Settings:
    def __init__(self, db: str | None, create: bool = False) -> None:
        self.db = db
        self.create = create


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80})
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


@contextmanager
def store(ctx: click.Context):
    """Open a session on the chosen store: the shipped history loaded, the read model
    up to date. Errors a user can cause or fix become one clean line, not a traceback.
    """
    from projections.session import Session

    with _opened(ctx, Session) as session:
        yield session


@contextmanager
def _opened(ctx: click.Context, opener, existing: bool = False):
    """``opener(store)`` on the chosen store, its errors as one clean line. With
    ``existing``, a SQLite store that does not exist yet is refused, not made."""
    from domain.locks import StoreLocked, is_lock_timeout
    from domain.store import StoreError, check_connection
    from projections.readmodel import ReadModelError

    try:
        chosen = chosen_store(ctx)
        if existing and chosen.new:
            raise StoreError(f"no store at {chosen.address}: nothing to check or rebuild")
        check_connection(chosen)
        with opener(chosen) as opened:
            if chosen.new:  # never silent: a mistyped path shows up here
                click.echo(
                    f"uspk: created a new store at {chosen.address} with the shipped history",
                    err=True,
                )
            yield opened
    except (StoreError, StoreLocked, ReadModelError) as error:
        raise click.ClickException(str(error)) from None
    except _database_errors() as error:
        if is_lock_timeout(error):  # SQLite's busy file, eventsourcing's table lock
            from domain.locks import lock_timeout

            raise click.ClickException(str(StoreLocked(lock_timeout()))) from None
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise click.ClickException(f"the event store could not be used: {reason}") from None


def chosen_store(ctx: click.Context):  # noqa: ANN201 - a domain.store.Store
    """The store that --db, USPK_DB or the default names, checked (raises StoreError)."""
    from domain.store import resolve_store

    settings = ctx.find_object(Settings)
    return resolve_store(settings.db, create=settings.create)


def _database_errors() -> tuple[type[BaseException], ...]:
    """What the event store's libraries raise when a database cannot be used."""
    from eventsourcing.persistence import PersistenceError

    from projections.readmodel import database_errors

    return (PersistenceError, *database_errors())


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
    from projections.timeline import UnknownActor
    from projections.timeline import timeline as build

    with store(ctx) as session:
        records = session.believed(known_at, starting_by=until, ending_from=since, kinds=kinds)
        try:
            entries = build(records, since, until, actor, kinds, session.registry(known_at))
        except UnknownActor as error:
            raise click.BadParameter(str(error), param_hint="--actor") from None
    click.echo(
        {
            "text": render.timeline_text,
            "json": render.as_json,
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
@format_option("Output format (the JSON is documented in the README).")
@click.pass_context
def state(ctx, as_of, known_at, fmt):
    """What stood on a date: agreements, commitments, engagements, steps, actors."""
    from cli import render
    from projections.state import state_at

    with store(ctx) as session:
        records = session.believed(known_at, starting_by=as_of)
        result = state_at(records, as_of, known_at, session.registry(known_at))
    click.echo(render.as_json(result) if fmt == "json" else render.state_text(result))


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
    from projections.timeline import replay as walk

    with store(ctx) as session:
        records = session.believed(known_at, starting_by=until)
        steps = walk(records, until, session.registry(known_at))
    click.echo(render.as_json(steps) if fmt == "json" else render.replay_text(steps))


@main.command()
@click.argument("event_id")
@format_option()
@click.pass_context
def show(ctx, event_id, fmt):
    """One event in full: fields, sources with quotes, when it was recorded."""
    from cli import render
    from projections.history import standing
    from projections.views import event_view

    with store(ctx) as session:
        record = _record_or_fail(session, event_id)
        if record.document.kind == "retraction":
            click.echo(render.as_json({"retraction": record.document.model_dump(mode="json")}))
            return
        view = {"event": event_view(record), "standing": standing(session.records(), event_id)}
    click.echo(render.as_json(view) if fmt == "json" else render.show_text(view))


def _record_or_fail(session, event_id: str):
    """The record of ``event_id``, or a clean error that suggests ids like it."""
    import difflib

    record = session.record_of(event_id)
    if record is None:
        close = difflib.get_close_matches(event_id, [r.id for r in session.records()], n=3)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise click.ClickException(f"no event with id {event_id!r}{hint}")
    return record


# -- writing ----------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.pass_context
def append(ctx, files, dry_run):
    """Append events from FILES (YAML or JSON; '-' reads standard input).

    Each file holds one event or a list of them. All files form one batch: it is
    checked against the whole history and recorded whole, or not at all. Appending
    the same events again changes nothing.
    """
    from events.files import InputError, load_bytes

    origin: dict[str, str] = {}
    batch = []
    try:
        for name in files:
            data = _read(name)
            label = "<stdin>" if name == "-" else name
            for document in load_bytes(data, label).documents:
                origin.setdefault(document.id, label)
                batch.append(document)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    _record(ctx, batch, origin, dry_run)


def _record(ctx: click.Context, batch: list, origin: dict[str, str], dry_run: bool) -> None:
    """Record a batch through the application and report it; a broken rule is one line."""
    from domain.world import RuleBroken

    with store(ctx) as session:
        try:
            outcome = session.append(batch, dry_run=dry_run)
        except RuleBroken as error:
            where = origin.get(error.event_id)
            message = f"{where}: {error}" if where else error.message
            raise click.ClickException(f"{message}; nothing was written") from None
    verb = "would append" if dry_run else "appended"
    click.echo(
        f"{verb} {len(outcome.added)} event(s)"
        + (f"; {len(outcome.unchanged)} already recorded, unchanged" if outcome.unchanged else "")
    )
    for event_id in outcome.added:
        click.echo(f"  + {event_id}")


def _read(name: str) -> bytes:
    from events.files import read_file, read_stream  # both stop at the size limit

    if name == "-":
        return read_stream(sys.stdin.buffer)
    try:
        return read_file(name)
    except OSError as error:
        raise click.ClickException(f"{name}: cannot read: {error.strerror}") from None


def source_options(command):
    """The --publisher/--title/--published/--url/--quote options that cite a source."""
    options = [
        click.option("--publisher", required=True, help="Who published the source."),
        click.option("--title", "source_title", required=True, help="The source's title."),
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
    source = {"publisher": publisher, "title": source_title, "published": published}
    return source | {k: v for k, v in (("url", url), ("quote", quote)) if v}


@main.command()
@click.argument("event_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--reason", required=True, help="Why the event no longer stands.")
@source_options
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.pass_context
def retract(ctx, event_ids, reason, publisher, source_title, published, url, quote, dry_run):
    """Retract events: they leave the current view but stay in the record.

    Name several IDs to retract an event together with those that depend on it
    (an agreement's signing and its commitments) in one all-or-nothing batch.
    `--known-at` a moment before the retraction still shows the old belief.
    """
    from domain.recording import retraction_id
    from events.files import InputError, validate

    source = _source(publisher, source_title, published, url, quote)
    origin, batch = {}, []
    try:
        for event_id in dict.fromkeys(event_ids):
            raw = {
                "kind": "retraction",
                "id": retraction_id(event_id),
                "retracts": event_id,
                "reason": reason,
                "sources": [source],
            }
            batch.append(validate(raw, "retraction"))
            origin[raw["id"]] = f"retract {event_id}"
    except InputError as error:
        raise click.ClickException(error.message.replace("event (id", "retraction (id")) from None
    _record(ctx, batch, origin, dry_run)


@main.command()
@click.argument("event_id", metavar="ID")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.pass_context
def amend(ctx, event_id, file, dry_run):
    """Record the event in FILE as the replacement of ID.

    FILE holds one event of the same kind, with its own new id and its sources
    (for instance a report giving the exact day where ID had only the month).
    ID leaves the current view; `--known-at` before now still shows it.
    """
    from events.files import InputError, load_bytes

    label = "<stdin>" if file == "-" else file
    try:
        documents = load_bytes(_read(file), label)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    if len(documents.documents) != 1 or documents.documents[0].kind == "retraction":
        raise click.ClickException(f"{label}: expected exactly one event (not a retraction)")
    document = documents.documents[0]
    if document.supersedes not in (None, event_id):
        raise click.ClickException(
            f"{label}: event ({document.id!r}), field 'supersedes': says "
            f"{document.supersedes!r} but the command amends {event_id!r}"
        )
    amended = document.model_copy(update={"supersedes": event_id})
    _record(ctx, [amended], {document.id: label}, dry_run)


@main.command()
@click.argument("event_id", metavar="ID")
@format_option()
@click.pass_context
def history(ctx, event_id, fmt):
    """The life of one event in the record: its versions, amendments, retractions."""
    from cli import render
    from projections.history import lineage

    with store(ctx) as session:
        _record_or_fail(session, event_id)
        entries = lineage(session.records(), event_id)
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
    from projections.diff import diff as changes_between

    if until < since:
        raise click.BadParameter(f"TO ({until}) is before FROM ({since})", param_hint="TO")
    with store(ctx) as session:
        records = session.believed(known_at, starting_by=until)
        changes = changes_between(records, since, until, session.registry(known_at))
    click.echo(
        render.as_json(changes) if fmt == "json" else render.diff_text(changes, since, until)
    )


@main.command()
@click.pass_context
def rebuild(ctx):
    """Rebuild the read model from the event log, from zero.

    Repairs whatever `uspk verify` finds: missing or edited tables, a lost tracking
    row, a read model ahead of its log. Queries otherwise keep it up to date on their
    own. Shows a progress bar on a terminal.
    """
    from projections.session import Upkeep

    with (
        _opened(ctx, Upkeep, existing=True) as upkeep,
        click.progressbar(
            length=upkeep.log_end(), label="rebuilding read models", file=sys.stderr
        ) as bar,
    ):
        applied = upkeep.rebuild(progress=bar.update)
    click.echo(f"rebuilt from {applied} notification(s)")


@main.command()
@click.pass_context
def verify(ctx):
    """Check the read model against a fresh reading of the event log.

    Prints each disagreement on a line and exits 1, or one summary line and exits 0.
    Changes nothing: `uspk rebuild` repairs.
    """
    from projections.session import Upkeep

    with _opened(ctx, Upkeep, existing=True) as upkeep:
        verdict = upkeep.verify()
    for line in verdict.disagreements:
        click.echo(line)
    if verdict.disagreements:
        ctx.exit(1)
    click.echo(verdict.summary)


@main.command()
def schema():
    """Print the JSON Schema of the event file format (generated from the models)."""
    from cli.render import as_json
    from events.schema import event_file_schema

    click.echo(as_json(event_file_schema()))


# Commands that live in modules of their own; each imports its heavy parts when it runs.
from cli import authoring  # noqa: E402
from cli.copy import copy  # noqa: E402
from cli.export import export  # noqa: E402

main.add_command(copy)
main.add_command(export)
main.add_command(authoring.new)
main.add_command(authoring.actors)


if __name__ == "__main__":  # `python -m cli.main`
    # Run the module ``cli.main``, not this copy of it named ``__main__``: the commands
    # registered above (copy, export) look up settings and options in ``cli.main``.
    import cli.main

    cli.main.main()
