"""A news site on loopback for the archive tests: pages written for the tests in the
shape of real news pages (navigation, a dated article, related links, a footer), and the
ways a fetch fails (a redirect, a 404, a page that never answers, one too large).

Served by the standard library's HTTP server on 127.0.0.1 only, on a free port."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

PUBLISHER = "The Loopback Herald"
HEADLINE = "Dar, Rubio agree to widen minerals cooperation"
PUBLISHED = "2025-11-12"  # the page's own date, in its meta tags and its dateline

# What the article says; the tests' events quote these words.
QUOTE = (
    "We will work together on critical minerals and hydrocarbons, and on the investment "
    "that turns them into jobs for Pakistanis and Americans alike"
)
SECOND = "The two ministers also discussed trade, counterterrorism and regional security."

ARTICLE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{HEADLINE} | {PUBLISHER}</title>
<meta property="og:title" content="{HEADLINE}">
<meta property="og:site_name" content="{PUBLISHER}">
<meta property="article:published_time" content="{PUBLISHED}T09:30:00+05:00">
<meta name="author" content="Staff Reporter">
</head>
<body>
<header class="site-header">
  <a class="logo" href="/">{PUBLISHER}</a>
  <nav class="main-nav"><ul>
    <li><a href="/pakistan">Pakistan</a></li><li><a href="/world">World</a></li>
    <li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe</a></li>
  </ul></nav>
  <div class="ticker">Markets: KSE-100 up 1.2% &middot; Gold steady &middot; Rupee firm</div>
</header>
<main>
<article class="story">
  <h1 class="story__title">{HEADLINE}</h1>
  <p class="byline">Staff Reporter &middot;
    <time datetime="{PUBLISHED}T09:30:00+05:00">November 12, 2025</time></p>
  <div class="story__content">
    <p>WASHINGTON: Deputy Prime Minister Ishaq Dar met Secretary of State Marco Rubio at
    the State Department on Tuesday, November 11, 2025, where the two sides agreed to widen
    their cooperation on critical minerals, the foreign office said in a statement.</p>
    <p>&ldquo;We will work together on critical minerals and hydrocarbons, and on the
    investment that turns them into jobs for Pakistanis and Americans alike,&rdquo; Mr Rubio
    said after the meeting, according to the statement.</p>
    <p>{SECOND} Officials said a framework worth $500 million was under discussion with
    US Strategic Metals, and that Field Marshal Asim Munir had backed the plan.</p>
    <p>Finance Minister Muhammad Aurangzeb is expected to travel to Washington in December
    2025 to follow up, accompanied by Senator Farah Qamar of the finance committee.</p>
  </div>
</article>
<aside class="related"><h2>Related</h2><ul>
  <li><a href="/world/1">Trade talks resume in Washington</a></li>
  <li><a href="/business/2">Reko Diq financing: what we know</a></li>
</ul></aside>
</main>
<footer class="site-footer">
  <p>&copy; 2025 {PUBLISHER}. All rights reserved.</p>
  <ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>
  <li><a href="/terms">Terms of use</a></li><li><a href="/contact">Contact</a></li></ul>
  <p>Follow us for the latest news from Pakistan and the world.</p>
</footer>
</body>
</html>
"""

ARTICLE_PATH = "/world/2025/11/12/dar-rubio-minerals"
SLOW_SECONDS = 5


class _Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        path = self.path
        if path == ARTICLE_PATH:
            self._send(200, ARTICLE.encode("utf-8"))
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", ARTICLE_PATH)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, ARTICLE.encode("utf-8"))
        elif path == "/huge":
            padding = "<p>" + "More reporting follows. " * 200 + "</p>\n"
            body = ARTICLE.replace("</article>", padding * 400 + "</article>")
            self._send(200, body.encode("utf-8"))
        elif path == "/huge-unannounced":  # no Content-Length: the size shows as it arrives
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(ARTICLE.encode("utf-8") + b"<p>more</p>" * 200_000)
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.4 not a page", "application/pdf")
        else:
            self._send(404, b"<html><body><h1>Page not found</h1></body></html>")

    def _send(self, status: int, body: bytes, content_type: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # the client may give up first (the timeout and size tests)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args) -> None:  # noqa: ANN002 - quiet
        pass


@contextmanager
def news_site() -> Iterator[str]:
    """The site's base URL (http://127.0.0.1:PORT) while it serves."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
