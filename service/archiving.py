"""Use cases of captures: keep pages, list the sources without one, check the record's
quotes and dates against them (service.captures keeps the files, service.fetching
fetches, service.sourcecheck compares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.captures import (
    DEFAULT_MAX_BYTES,
    Capture,
    CaptureError,
    by_url,
    captures_folder,
    keep,
    read_captures,
    saved_page,
    warc_pages,
)
from service.sourcecheck import SourcesVerdict, check_sources


def folder_for(db: str | None, create: bool, chosen: str | None) -> Path:
    """The captures folder of the store ``db`` names (the store is not opened)."""
    from service.stores import resolve_store

    return captures_folder(resolve_store(db, create=create), chosen)


def archive_urls(
    folder: Path, urls: list[str], timeout: float, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Capture]:
    """Fetch every URL, then keep them all; the first failure keeps none."""
    from service.fetching import fetch

    pages = [fetch(url, timeout, max_bytes) for url in dict.fromkeys(urls)]
    return keep(folder, pages)


def archive_html(
    folder: Path, path: str, url: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Capture]:
    return keep(folder, [saved_page(path, url, max_bytes)])


def archive_warc(
    folder: Path, path: str, url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Capture]:
    return keep(folder, warc_pages(path, url, max_bytes))


def missing(session: Any, folder: Path) -> list[dict[str, str]]:
    """The believed events' cited URLs that have no capture, one entry per source."""
    captured = {c.url for c in read_captures(folder)}
    return [
        {"event": r.id, "publisher": s.publisher, "url": s.url, "published": s.published.edtf}
        for r in session.index.believed()
        for s in r.document.sources
        if s.url and s.url not in captured
    ]


def verify_sources(session: Any, folder: Path) -> SourcesVerdict:
    """Every believed event's sources checked against the captures in ``folder``, and
    every capture against its name (a file changed after it was kept is named)."""
    from service.captures import file_digest

    unreadable: list[str] = []
    captures = read_captures(folder, unreadable)
    verdict = check_sources(session.index.believed(), by_url(captures))
    verdict.disagreements += unreadable
    verdict.disagreements += [
        f"{c.path}: its bytes are not the sha256 its name gives: changed after it was kept"
        for c in captures
        if file_digest(c.path) != c.sha256
    ]
    return verdict


def latest_capture(folder: Path, url: str) -> Capture:
    """The newest capture of ``url``; CaptureError naming how to make one."""
    captures = by_url(read_captures(folder)).get(url)
    if not captures:
        raise CaptureError(
            f"{url}: no capture in {folder}; keep one first with `uspk archive {url}` "
            "(or --html FILE --url URL for a saved page)"
        )
    return captures[-1]


def export_captures(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """URL -> its captures as exports name them (newest last); none without a folder."""
    return {url: [c.view() for c in found] for url, found in by_url(read_captures(folder)).items()}


def link_captures(
    captures: dict[str, list[dict[str, Any]]], *data: Any, href: str | None = None
) -> set[str]:
    """Give every source in ``data`` (an export's entries, state, changes...) whose URL has
    a capture its newest one, as ``source["capture"]`` (with ``href`` + its file name when
    the captures are published); the URLs so linked."""
    linked: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            url = value.get("url")
            if "publisher" in value and "published" in value and url in captures:
                newest = dict(captures[url][-1])
                if href is not None:
                    newest["href"] = href + newest["file"]
                value["capture"] = newest
                linked.add(url)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    for item in data:
        walk(item)
    return linked


def publish_captures(folder: Path, captures: dict[str, list[dict[str, Any]]], target: Path) -> int:
    """Copy the newest capture of each URL in ``captures`` into ``target``, each checked
    against its name first (a capture whose bytes are not its sha256 is not published)."""
    from service.captures import SUFFIX, file_digest, write_once

    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CaptureError(f"{target}: cannot make the folder: {error.strerror}") from None
    count = 0
    for kept in captures.values():
        name = kept[-1]["file"]
        source = folder / name
        if file_digest(source) != name.removesuffix(SUFFIX):
            raise CaptureError(f"{source}: its bytes are not the sha256 of its name; not published")
        write_once(target / name, source.read_bytes())
        count += 1
    return count
