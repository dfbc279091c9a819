"""Captures of the pages the record cites: what a source said when it was read.

A capture is one WARC file (ISO 28500, written and read with ``warcio``) named by the
sha256 of its bytes, ``<sha256>.warc.gz``, in a folder of captures. It holds the page as
it was received (a ``response`` record, or a ``resource`` for a page saved elsewhere),
the article's text as ``trafilatura`` extracted it (a ``conversion`` record referring to
the page) and what was read from the page (a ``metadata`` record: its own publication
date by ``htmldate``, its title and site name). Reading a capture never re-extracts: what
``verify --sources`` checks is what was extracted when the page was kept.

Why a folder of WARC files rather than a table in the store: a capture is evidence about
the record, not part of it (the events and their hash chain stay small and the same on
both backends); WARC files are what the field's tools read (pywb, ReplayWeb.page,
ArchiveBox, Browsertrix), so a newsroom publishes the folder beside its page as it is and
a reader checks a file against its name with ``sha256sum``. The folder is
``<store file>.captures`` beside a SQLite store, so that copying the store's folder
carries its captures; a PostgreSQL store has no file, so its captures are in the user's
data directory unless ``--captures``/``$USPK_CAPTURES`` names a folder (a shared one for
a team). Files are created once, never rewritten (written whole, then linked to their
name, which fails if it exists, and made read-only); a new capture of a URL is a new
file beside the old one, with its own time.

``warcio``, ``trafilatura`` and ``htmldate`` are imported only when a capture is read or
made: no other command pays for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

CAPTURES_ENV_VAR = "USPK_CAPTURES"
SUFFIX = ".warc.gz"
HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_MAX_BYTES = 10_000_000  # a news page with its markup is well under 10 MB
TEXT_TYPE = "text/plain; charset=utf-8"
META_TYPE = "application/json"


class CaptureError(ValueError):
    """A capture that cannot be made, read or found; ``str()`` is the user's one line."""


@dataclass(frozen=True)
class Capture:
    """One kept capture of a page, with what was read from it when it was kept."""

    url: str
    sha256: str  # of the WARC file's bytes: its name
    captured_at: datetime  # the WARC-Date of the page's record (UTC)
    text: str  # the article's text (trafilatura), "" when none was found
    page_published: str | None  # the page's own publication date (htmldate), YYYY-MM-DD
    title: str | None = None
    site: str | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def file_name(self) -> str:
        return self.sha256 + SUFFIX

    def view(self) -> dict[str, str | None]:
        """What the exports say of a capture beside a source's URL."""
        return {
            "sha256": self.sha256,
            "captured_at": self.captured_at.isoformat().replace("+00:00", "Z"),
            "file": self.file_name,
        }


@dataclass(frozen=True)
class Page:
    """A page as received or saved: its URL, bytes and (when fetched) HTTP status line and
    headers; ``captured_at`` is when it was received."""

    url: str
    body: bytes
    captured_at: datetime
    status: str | None = None  # "200 OK" when fetched over HTTP
    headers: list[tuple[str, str]] | None = None
    origin: str | None = None  # the file it was imported from, if any


# -- where captures are kept --------------------------------------------------------------


def captures_folder(store, chosen: str | None = None) -> Path:  # noqa: ANN001 - a Store
    """The folder of captures for ``store``: ``chosen`` (--captures), else
    ``$USPK_CAPTURES``, else beside a SQLite store's file, else the user's data folder."""
    chosen = chosen or os.environ.get(CAPTURES_ENV_VAR) or None
    if chosen:
        return Path(os.path.expanduser(chosen))
    if store.is_postgres:
        from platformdirs import user_data_path

        return user_data_path("uspk", appauthor=False) / "captures"
    return Path(store.address + ".captures")


# -- reading ------------------------------------------------------------------------------


def read_captures(folder: Path, unreadable: list[str] | None = None) -> list[Capture]:
    """Every capture in ``folder``, by URL then time; none when the folder does not exist.
    A file that cannot be read as a capture raises CaptureError, or with ``unreadable``,
    its one line is added there and the others are read (what verify wants)."""
    try:
        names = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX))
    except FileNotFoundError:
        return []
    except OSError as error:
        raise CaptureError(f"{folder}: cannot read the captures: {error.strerror}") from None
    found = []
    for path in names:
        try:
            found.append(read_capture(path))
        except CaptureError as error:
            if unreadable is None:
                raise
            unreadable.append(str(error))
    return sorted(found, key=lambda c: (c.url, c.captured_at, c.sha256))


def by_url(captures: Iterable[Capture]) -> dict[str, list[Capture]]:
    """URL -> its captures, oldest first."""
    found: dict[str, list[Capture]] = {}
    for capture in captures:
        found.setdefault(capture.url, []).append(capture)
    return found


def read_capture(path: Path) -> Capture:
    """The capture in one of our WARC files (its page, text and metadata records)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    page = text = meta = None
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                kind = record.rec_type
                if kind in ("response", "resource") and page is None:
                    page = record.rec_headers
                elif kind == "conversion":
                    text = record.content_stream().read().decode("utf-8")
                elif kind == "metadata":
                    meta = json.loads(record.content_stream().read())
    except (OSError, ArchiveLoadFailed, ValueError) as error:
        raise CaptureError(f"{path}: not a capture uspk can read ({_reason(error)})") from None
    if page is None or text is None or meta is None:
        raise CaptureError(
            f"{path}: not a capture uspk made (its page, text or metadata is missing)"
        )
    return Capture(
        url=page.get_header("WARC-Target-URI"),
        sha256=path.name.removesuffix(SUFFIX),
        captured_at=_warc_date(page.get_header("WARC-Date")),
        text=text,
        page_published=meta.get("page_published"),
        title=meta.get("title"),
        site=meta.get("site"),
        path=path,
    )


def page_html(capture: Capture) -> bytes:
    """The page's own bytes as kept in ``capture``."""
    from warcio.archiveiterator import ArchiveIterator

    with open(capture.path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type in ("response", "resource"):
                return record.content_stream().read()
    raise CaptureError(f"{capture.path}: the capture holds no page")


def file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


# -- making -------------------------------------------------------------------------------


def extract(body: bytes, url: str) -> tuple[str, str | None, str | None, str | None]:
    """The article's text, the page's own publication date (day precision, or None), its
    title and its site name, as the field's extractors read them."""
    import trafilatura
    from htmldate import find_date

    text = trafilatura.extract(body, url=url, include_comments=False, include_tables=True)
    meta = trafilatura.extract_metadata(body, default_url=url)
    # original_date: when it was published, not last modified; no extensive search, which
    # guesses from any date in the text: a page without a stated date has none.
    published = find_date(body, original_date=True, extensive_search=False, url=url)
    return (
        text or "",
        published,
        getattr(meta, "title", None) or None,
        getattr(meta, "sitename", None) or None,
    )


def keep(folder: Path, pages: list[Page]) -> list[Capture]:
    """Keep each page as a capture in ``folder``; every one is built before any is
    written (all or nothing, but for a disk that fails half-way)."""
    for page in pages:
        if not page.body.strip():
            raise CaptureError(f"{page.origin or page.url}: an empty page; nothing kept")
    built = [_warc_bytes(page) for page in pages]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CaptureError(f"{folder}: cannot make the captures folder: {error.strerror}") from None
    kept = []
    for data in built:
        path = folder / (hashlib.sha256(data).hexdigest() + SUFFIX)
        write_once(path, data)
        kept.append(read_capture(path))
    return kept


def write_once(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, never over an existing file (the same name is
    the same bytes: already kept)."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise CaptureError(f"{path.parent}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o444)  # never rewritten
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    except OSError as error:
        raise CaptureError(f"{path}: cannot write: {error.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _warc_bytes(page: Page) -> bytes:
    """One capture's WARC file: warcinfo, the page, its text and what was read from it."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    text, published, title, site = extract(page.body, page.url)
    date = _warc_date_text(page.captured_at)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            "capture" + SUFFIX, {"software": f"uspk {_version('uspk')}", "format": "WARC 1.1"}
        )
    )
    if page.status is not None:
        http = StatusAndHeaders(page.status, page.headers or [], protocol="HTTP/1.1")
        kind, content_type = "response", "application/http; msgtype=response"
    else:
        http, kind = None, "resource"
        content_type = "text/html"
    record = writer.create_warc_record(
        page.url,
        kind,
        payload=io.BytesIO(page.body),
        length=None if http is not None else len(page.body),
        warc_content_type=content_type,
        warc_headers_dict={"WARC-Date": date},
        http_headers=http,
    )
    writer.write_record(record)
    refers = {"WARC-Date": date, "WARC-Refers-To": record.rec_headers.get_header("WARC-Record-ID")}
    meta = {
        "page_published": published,
        "title": title,
        "site": site,
        "extracted_by": f"trafilatura {_version('trafilatura')}",
        "dated_by": f"htmldate {_version('htmldate')}",
    }
    if page.origin:
        meta["imported_from"] = page.origin
    for kind, data, content_type in (
        ("conversion", text.encode("utf-8"), TEXT_TYPE),
        ("metadata", json.dumps(meta, ensure_ascii=False).encode("utf-8"), META_TYPE),
    ):
        writer.write_record(
            writer.create_warc_record(
                page.url,
                kind,
                payload=io.BytesIO(data),
                length=len(data),
                warc_content_type=content_type,
                warc_headers_dict=refers,
            )
        )
    return out.getvalue()


# -- pages made elsewhere -----------------------------------------------------------------


def saved_page(path: str, url: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Page:
    """A page saved by a browser (or wget) as an HTML file, as received now."""
    from events.model import URL_PATTERN  # the record's own rule for a URL

    if not re.fullmatch(URL_PATTERN, url):
        raise CaptureError(f"--url {url!r}: expected an http(s) URL, the page's address")
    try:
        with open(path, "rb") as stream:
            body = stream.read(max_bytes + 1)
    except OSError as error:
        raise CaptureError(f"{path}: cannot read: {error.strerror}") from None
    if len(body) > max_bytes:
        raise CaptureError(f"{path}: larger than the limit of {max_bytes} bytes; nothing kept")
    return Page(url, body, datetime.now(UTC), origin=os.path.basename(path))


def warc_pages(
    path: str, only_url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Page]:
    """The HTML pages in a WARC made elsewhere (wget --warc-file, ArchiveBox, Browsertrix):
    each ``response`` with status 200 and each ``resource`` of an HTML type, kept with its
    own time and headers. Redirects, errors and other resources are left out."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pages = []
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                page = _warc_page(record, path, max_bytes)
                if page is not None and only_url in (None, page.url):
                    pages.append(page)
    except OSError as error:
        raise CaptureError(f"{path}: cannot read: {error.strerror}") from None
    except (ArchiveLoadFailed, ValueError) as error:
        raise CaptureError(f"{path}: not a WARC file uspk can read ({_reason(error)})") from None
    if not pages:
        wanted = f" of {only_url}" if only_url else ""
        raise CaptureError(
            f"{path}: no HTML page{wanted} in it (a response with status 200 or a resource "
            "of type text/html); nothing kept"
        )
    return pages


def _warc_page(record, path: str, max_bytes: int) -> Page | None:  # noqa: ANN001
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return None
        content_type = http.get_header("Content-Type") or ""
        status = http.statusline
        headers = [(k, v) for k, v in http.headers if k.lower() not in _DECODED]
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
        status = headers = None
    else:
        return None
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        raise CaptureError(f"{path}: the page {url} is larger than {max_bytes} bytes; nothing kept")
    when = _warc_date(record.rec_headers.get_header("WARC-Date"))
    return Page(url, body, when, status, headers, origin=os.path.basename(path))


# The page is kept decoded (as warcio reads it): headers that describe an encoding of the
# bytes on the wire would misdescribe what is stored.
_DECODED = ("transfer-encoding", "content-encoding", "content-length")


def _warc_date(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _warc_date_text(when: datetime) -> str:
    # WARC 1.1 allows fractions of a second: two captures in one second keep their order
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
