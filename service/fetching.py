"""Fetching a cited page, for ``uspk archive URL`` only (no other command reaches the
network): with a time limit for the whole exchange, a size limit, and one line for
every way it can fail.

A redirect is not followed. The record cites a URL; a capture is evidence of what that
URL served. A page that has moved is reported with where it moved to, so that a person
decides whether it is the same report (and cites the new address) rather than uspk
quietly keeping another page under the old one.

The standard library's ``urllib`` is enough for one GET of one page; nothing else is
needed to speak HTTP here.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

from service.captures import _DECODED, HTML_TYPES, CaptureError, Page

DEFAULT_TIMEOUT = 30.0  # seconds for the whole exchange
CHUNK = 64 * 1024
USER_AGENT = "uspk-archive (keeps a copy of a page a record cites)"


class FetchError(CaptureError):
    """A page that could not be fetched; ``str()`` is the user's one line."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None  # urllib then raises the 3xx as an HTTPError, read below


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = 10_000_000) -> Page:
    """GET ``url``: its HTML page as received, or FetchError in one line."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    opener = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            body = _read_within(response, url, deadline, max_bytes)
            status = f"{response.status} {response.reason}"
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DECODED]
            content_type = response.headers.get_content_type()
    except FetchError:
        raise
    except urllib.error.HTTPError as error:
        raise FetchError(_http_error(url, error)) from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} seconds; nothing kept") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FetchError(f"{url}: no answer within {timeout:g} seconds; nothing kept") from None
        raise FetchError(f"{url}: cannot be reached ({_words(reason)}); nothing kept") from None
    except (http.client.HTTPException, ssl.SSLError, OSError, ValueError) as error:
        raise FetchError(f"{url}: the fetch failed ({_words(error)}); nothing kept") from None
    if content_type not in HTML_TYPES:
        raise FetchError(f"{url}: not an HTML page (Content-Type {content_type}); nothing kept")
    return Page(url, body, datetime.now(UTC), status, headers)


def _read_within(response, url: str, deadline: float, max_bytes: int) -> bytes:  # noqa: ANN001
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: the page is larger than {max_bytes} bytes; nothing kept")
    parts, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        part = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if not part:
            return b"".join(parts)
        size += len(part)
        if size > max_bytes:
            raise FetchError(f"{url}: the page is larger than {max_bytes} bytes; nothing kept")
        parts.append(part)


def _http_error(url: str, error: urllib.error.HTTPError) -> str:
    if 300 <= error.code < 400:
        where = error.headers.get("Location") if error.headers else None
        where = urllib.parse.urljoin(url, where) if where else None
        return (
            f"{url}: redirected ({error.code}) to {where or 'an unnamed address'}; not followed: "
            "archive that address if it is the same report, and cite it; nothing kept"
        )
    return f"{url}: the server answered {error.code} {error.reason}; nothing kept"


def _words(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = str(reason).strip()
    return text.splitlines()[0] if text else type(reason).__name__
