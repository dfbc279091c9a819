"""``uspk archive``: keep captures of the pages the record cites (service.captures says
where and how), and ``uspk draft``: an event file begun from an archived report.

Only ``uspk archive URL`` reaches the network. warcio, trafilatura and htmldate are
imported by the service modules when these commands run, never by any other command.
"""

from __future__ import annotations

import click

from cli.context import open_session, settings
from cli.kinds import KIND


def captures_option(command):
    """--captures DIR: where the captures are kept (service.captures.captures_folder)."""
    return click.option(
        "--captures",
        "captures_dir",
        metavar="DIR",
        envvar="USPK_CAPTURES",
        help="The folder of captures (WARC files). Default: beside a SQLite store, "
        "STORE.captures; for PostgreSQL, captures in your user data directory. "
        "Env: USPK_CAPTURES.",
    )(command)


def captures_folder(ctx: click.Context, chosen: str | None):  # noqa: ANN201 - a Path
    from service.archiving import folder_for

    return folder_for(settings(ctx).db, settings(ctx).create, chosen)


@click.command()
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option(
    "--html",
    "html_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Keep a page saved elsewhere (a browser's 'save page', wget) as a capture of --url.",
)
@click.option(
    "--warc",
    "warc_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Keep the HTML pages of a WARC made elsewhere (wget --warc-file, ArchiveBox, "
    "Browsertrix), each with its own time; with --url, only that page.",
)
@click.option("--url", metavar="URL", help="The address of the page given by --html (or --warc).")
@click.option(
    "--missing",
    is_flag=True,
    help="List the believed events' sources whose URL has no capture (fetches nothing).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds allowed for fetching each page, whole.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=10_000_000,
    show_default=True,
    help="The largest page kept; a larger one is refused.",
)
@captures_option
@click.pass_context
def archive(ctx, urls, html_file, warc_file, url, missing, timeout, max_bytes, captures_dir):
    """Keep a capture of each cited page: what the source said, to check quotes against.

    URL...: fetch each page (a redirect is reported, not followed) and keep them all, or
    none if one fails. --html FILE --url URL and --warc FILE keep captures made elsewhere.
    A capture is a WARC file named by its sha256, never rewritten; a new capture of a URL
    is kept beside the old ones. `uspk verify --sources` checks the record against them.
    """
    from service import archiving

    ways = [bool(urls), html_file is not None, warc_file is not None, missing]
    if sum(ways) != 1:
        raise click.UsageError(
            "give URLs to fetch, or --html FILE --url URL, or --warc FILE, or --missing"
        )
    if url is not None and html_file is None and warc_file is None:
        raise click.UsageError("--url names the page of --html FILE or --warc FILE")
    if html_file is not None and url is None:
        raise click.UsageError("--html FILE needs --url URL: the address the page was saved from")
    folder = captures_folder(ctx, captures_dir)
    if missing:
        with open_session(ctx) as opened:
            lacking = archiving.missing(opened, folder)
        for entry in lacking:
            click.echo(
                f"{entry['event']}  {entry['publisher']}, {entry['published']}  {entry['url']}"
            )
        click.echo(f"{len(lacking)} cited source(s) without a capture in {folder}")
        return
    if urls:
        kept = archiving.archive_urls(folder, list(urls), timeout, max_bytes)
    elif html_file is not None:
        kept = archiving.archive_html(folder, html_file, url, max_bytes)
    else:
        kept = archiving.archive_warc(folder, warc_file, url, max_bytes)
    for capture in kept:
        click.echo(_kept_line(capture))


def _kept_line(capture) -> str:  # noqa: ANN001 - a service.captures.Capture
    dated = (
        f"the page dates itself {capture.page_published}"
        if capture.page_published
        else "the page states no date"
    )
    words = len(capture.text.split())
    text = f"{words} words of article text" if words else "no article text found"
    return (
        f"kept {capture.url}\n  {capture.path} (captured "
        f"{capture.view()['captured_at']}; {dated}; {text})"
    )


@click.command()
@click.argument("url")
@click.option("--kind", type=KIND, required=True, help="The kind of event the report tells.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="The event file to write ('-': standard output); an existing file is refused.",
)
@captures_option
@click.pass_context
def draft(ctx, url, kind, output, captures_dir):
    """Begin an event file of KIND from the newest capture of URL (fetches nothing).

    The source (publisher, headline, url, published), the known actors the text names
    and its candidate quotes are filled in; the dates and amounts it states, and names
    not yet known, are listed as comments. Every judgement (what happened, when, at
    which precision) is left as a <placeholder> for you. Then: uspk append --dry-run FILE.
    """
    from cli.authoring import template
    from events.kinds import model_for
    from service import archiving, drafting, reading

    folder = captures_folder(ctx, captures_dir)
    capture = archiving.latest_capture(folder, url)
    with open_session(ctx) as opened:
        found = drafting.read_report(capture, reading.registry(opened))
    model = model_for(kind)
    text = drafting.header(found) + template(model, values=drafting.values(found, model))
    if output == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(output, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise click.ClickException(f"{output}: already exists; give another file name") from None
    except OSError as error:
        from cli.errors import cannot

        raise cannot("write", output, error) from None
    click.echo(f"wrote {output}: fill in its <placeholders>, then uspk append --dry-run {output}")
