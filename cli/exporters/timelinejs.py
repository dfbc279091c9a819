"""TimelineJS 3 JSON (Knight Lab): one slide per event, grouped by kind.

TimelineJS renders ``text``, ``media.caption`` and ``media.credit`` as HTML (after its
own sanitiser), so every piece of event text is HTML-escaped here; the only markup is
the paragraphs and source links made by this module, with ``http(s)`` URLs only.

Dates carry as much as the precision gives: a month-precision event has a year and a
month and an ``end_date`` at the month's last day, so TimelineJS draws it as a span; a
visit with a reported last day spans to that day. ``display_date`` keeps uspk's wording.
Each slide's media is its first linked source, quoted and credited (see ``_media``).
Each amendment and retraction is a slide of the group "Corrections", placed at the date of
the event it corrects: what it corrected, when it was recorded, why, on which sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

from cli.exporters import (
    TITLE,
    Bundle,
    cited_link_html,
    extent,
    html_text,
    json_chunks,
    kind_label,
    link_url,
    summary_line,
)
from cli.exporters import visible as _visible
from cli.render import relation_lines

text = html_text  # TimelineJS renders its text fields as HTML


def _date(iso: str, precision: str, display: str) -> dict[str, Any]:
    year, month, day = (int(part) for part in iso.split("-"))
    out: dict[str, Any] = {"year": year}
    if precision in ("month", "day"):
        out["month"] = month
    if precision == "day":
        out["day"] = day
    out["display_date"] = display
    return out


def _end(iso: str, display: str) -> dict[str, Any]:
    year, month, day = (int(part) for part in iso.split("-"))
    return {"year": year, "month": month, "day": day, "display_date": display}


def _source_html(source: dict[str, Any]) -> str:
    label = cited_link_html(source)
    if source.get("quote"):
        label += f"<br><q>{text(source['quote'])}</q>"
    return f"<li>{label}</li>"


def _slide(entry: dict[str, Any]) -> dict[str, Any]:
    occurred = entry["occurred"]
    start, end, display = extent(entry)
    body = f"<p>{text(entry['summary'])}</p>"
    if entry.get("note"):
        body += f"<p><em>Note:</em> {text(entry['note'])}</p>"
    body += "".join(f"<p>{text(line)}</p>" for line in relation_lines(entry))
    body += "<p>Sources:</p><ul>" + "".join(_source_html(s) for s in entry["sources"]) + "</ul>"
    slide: dict[str, Any] = {
        "unique_id": entry["id"],
        "start_date": _date(start, occurred["precision"], display),
        "display_date": display,
        "text": {"headline": text(entry["title"]), "text": body},
        "group": kind_label(entry["kind"]),
        "autolink": False,  # no links but the ones made here, whatever the text says
    }
    if occurred["precision"] != "day" or end != start:
        slide["end_date"] = _end(end, display)
    media = _media(entry["sources"])
    if media is not None:
        slide["media"] = media
    return slide


def _media(sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first source with a URL, as a quotation that links to it.

    TimelineJS shows a ``media.url`` it does not recognise (a news article) as an image,
    so the article's own URL would be a broken image that every reader's browser fetches.
    Instead the media is the source's quote (or title) as a ``<blockquote>``, linked to the
    article and credited. TimelineJS picks the media type by searching ``media.url`` for
    words such as "spotify", "iframe" or ".pdf"; writing every character of the quote as a
    character reference leaves it no word to find, and shows the same text.
    """
    source = next((s for s in sources if link_url(s.get("url"))), None)
    if source is None:
        return None
    shown = source.get("quote") or source.get("title") or source["url"]
    words = "".join(f"&#{ord(char)};" for char in _visible(shown))
    url = escape(source["url"], quote=True)
    return {
        "url": f"<blockquote>{words}</blockquote>",
        "caption": f'<a href="{url}" target="_blank" rel="noopener noreferrer">'
        f"{text(source.get('title') or source['url'])}</a>",
        "credit": text(f"{source['publisher']}, {source['published']['display']}"),
        "link": source["url"],
        "link_target": "_blank",
    }


def _correction_slide(correction: dict[str, Any]) -> dict[str, Any] | None:
    """An amendment or retraction, at the date of the event it corrects."""
    target, replacement = correction["target"], correction["replacement"]
    occurred = target.get("occurred")
    if occurred is None:  # a retraction of a retraction: no date in the world to place it
        return None
    verb = "Retracted" if correction["type"] == "retracted" else "Amended"
    body = f"<p>{verb} in the record on {text(correction['recorded'][:10])}"
    body += f" (recorded {text(correction['recorded'])}), by {text(correction['id'])}.</p>"
    if replacement is not None:
        body += (
            f"<p>Replaced by: {text(replacement['title'])}"
            f" ({text(replacement['occurred']['display'])}, {text(replacement['id'])}).</p>"
        )
    body += "".join(
        f"<p>{text(c['field'])}: {text(c['before'])} \u2192 {text(c['after'])}</p>"
        for c in correction["changes"]
    )
    body += f"<p>Why: {text(correction['reason'])}</p>"
    body += "<p>Sources:</p><ul>" + "".join(_source_html(s) for s in correction["sources"])
    body += "</ul>"
    slide: dict[str, Any] = {
        "unique_id": f"correction-{correction['id']}",
        "start_date": _date(occurred["start"], occurred["precision"], occurred["display"]),
        "display_date": occurred["display"],
        "text": {"headline": text(f"{verb}: {target['title']}"), "text": body},
        "group": "Corrections",
        "autolink": False,
    }
    if occurred["precision"] != "day":
        slide["end_date"] = _end(occurred["end"], occurred["display"])
    return slide


def timelinejs_document(bundle: Bundle) -> dict[str, Any]:
    return {
        "title": {
            "autolink": False,
            "text": {
                "headline": text(TITLE),
                "text": f"<p>{text(summary_line(bundle))}.</p>"
                f"<p>Exported by uspk {text(bundle.version)}; every event cites its sources.</p>"
                + (f"<p>{text(bundle.chain_mark)}</p>" if bundle.chain_mark else ""),
            },
        },
        "events": [_slide(entry) for entry in bundle.entries]
        + [s for s in map(_correction_slide, bundle.corrections.items) if s is not None],
    }


def timelinejs(bundle: Bundle) -> Iterator[str]:
    """The TimelineJS file, a piece at a time (``json_chunks``)."""
    yield from json_chunks(timelinejs_document(bundle))
    yield "\n"
