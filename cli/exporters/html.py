"""One self-contained HTML page: the timeline drawn on a time axis, and the state on a date.

The page is complete without JavaScript: the server side (this module) writes every event
as an escaped list item with its sources, and the state panel. A small inline script then
draws the chart from the data embedded as JSON: one lane per kind, one row per event, a
dot for a day, a dashed box for a month or a year (the event is somewhere inside it), a
solid bar for a visit's days. Clicking a mark shows that event's item (title, summary,
sources) in a detail panel.

Nothing is fetched: CSS and JavaScript are inline, fonts are the reader's own, and a
Content-Security-Policy allows only this page's own script and style (by hash) and no
network connections. Event text is escaped with ``html.escape``; the embedded JSON escapes
``<``, ``>``, ``&``, U+2028/U+2029 so no text can close its ``<script>`` element.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator, Mapping
from heapq import merge
from html import escape
from typing import Any

from cli.exporters import (
    TITLE,
    Bundle,
    Spooled,
    Streamed,
    cited_link_html,
    extent,
    html_text,
    json_chunks,
    kind_label,
    link_url,
    summary_line,
)
from cli.exporters import visible as _visible
from cli.render import (
    cite,
    engagement_roles,
    horizon_line,
    noted_sections,
    recorded_by,
    relation_lines,
    relationship_sections,
    standing_line,
)

t = html_text  # short: the page's templates use it on every value


# -- the page -------------------------------------------------------------------------


def html_page(bundle: Bundle) -> Iterator[str]:
    """The page, a piece at a time: the event list item by item and the embedded data
    member by member (``json_chunks``), so that neither is held whole as text. The
    events are gone through once, as the list is written (``bundle.overview`` gives the
    heads before it): each one's chart mark and data are spooled then (``Spooled``), and
    copied into the embedded data at the end of the page."""
    with Spooled() as marks, Spooled() as events:
        yield from _page(bundle, marks, events)


def _page(bundle: Bundle, marks: Spooled, events: Spooled) -> Iterator[str]:
    lanes = _lanes(bundle)
    data = {
        "uspk_export": 1,
        "title": TITLE,
        "as_of": bundle.as_of,
        "as_of_label": _day_label(bundle.as_of),
        "known_at": bundle.known_at,
        "chart": {"lanes": [{"kind": k, "label": kind_label(k)} for k in lanes], "items": marks},
        "events": events,
        "state": bundle.state,
        **_corrections_data(bundle),
    }
    lane = {k: n for n, k in enumerate(lanes)}

    def listed(entry: dict[str, Any]) -> None:  # each believed event, as the list has it
        marks.add(_mark(entry, lane))
        events.add(entry)

    page_style = style()
    extra_style, extra_script = _corrections_assets(bundle)
    script_hash = " ".join(f"'{_csp_hash(s)}'" for s in (SCRIPT, extra_script) if s)
    style_hash = " ".join(f"'{_csp_hash(s)}'" for s in (page_style, extra_style) if s)
    csp = (
        "default-src 'none'; "
        f"script-src {script_hash}; style-src {style_hash}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    known = f", as known at {t(bundle.known_at)}" if bundle.known_at else ""
    yield f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="uspk {t(bundle.version)}">
<title>{t(TITLE)}</title>
<link rel="icon" href="data:,">
<style>{page_style}</style>
{f"<style>{extra_style}</style>" if extra_style else ""}
</head>
<body>
<header class="page-head">
<h1>{t(TITLE)}</h1>
<p class="lede">{t(summary_line(bundle))}. Every event cites its sources; dates are kept at the
precision the sources give (a day, a month or a year).</p>
</header>
<section id="chart" class="chart" aria-label="Timeline chart" hidden>
<h2>Timeline</h2>
<p class="legend" aria-hidden="true"><span class="key dot"></span> a day
<span class="key box"></span> a month or a year (somewhere within)
<span class="key bar"></span> several days
<span class="key asof"></span> state on {t(_day_label(bundle.as_of))}</p>
<div class="plot"><svg id="plot" role="group" aria-label="Events on a time axis"></svg></div>
<div id="detail" class="detail" aria-live="polite" hidden></div>
</section>
<div class="columns">
<section class="events" aria-labelledby="events-heading">
<h2 id="events-heading">Events ({bundle.overview.count})</h2>
{_known_at_control(bundle)}"""
    yield from _event_list(bundle, listed)
    yield f"""
</section>
<aside class="state" aria-labelledby="state-heading">
<h2 id="state-heading">State on {t(_day_label(bundle.as_of))}{known}</h2>
{_horizon(bundle)}"""
    yield from _state_panels(bundle)
    yield f"""
</aside>
</div>
{_corrections_section(bundle)}
<footer class="page-foot"><p>Exported by uspk {t(bundle.version)}. This page needs no network:
its data is embedded below as JSON (element <code>#uspk-data</code>).</p>
{f'<p class="chain">{t(bundle.chain_mark)}</p>' if bundle.chain_mark else ""}</footer>
<script type="application/json" id="uspk-data">"""
    yield from json_chunks(data, indent=None, escape_html=True)
    yield f"""</script>
<script>{SCRIPT}</script>
{f"<script>{extra_script}</script>" if extra_script else ""}
</body>
</html>
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _horizon(bundle: Bundle) -> str:
    """The line that says where the record stops, when the state's date is after it."""
    last = bundle.recorded_until
    if last is None:
        return ""
    return f'<p class="horizon" role="note">{t(horizon_line(last, bundle.as_of))}</p>\n'


def _day_label(iso: str) -> str:
    from events.dates import parse_date

    return parse_date(iso).human()


def _lanes(bundle: Bundle) -> list[str]:
    """The chart's lanes: the kinds of the events, in the order they are declared."""
    from events.kinds import happening_kinds

    kinds = bundle.overview.kinds
    lanes = [k for k in happening_kinds() if k in kinds]
    return lanes + sorted(kinds - set(lanes))


def _mark(entry: dict[str, Any], lanes: dict[str, int]) -> dict[str, Any]:
    """What the script draws of an event, with every label already made safe to show."""
    start, end, display = extent(entry)
    precision = entry["occurred"]["precision"]
    shape = "box" if precision != "day" else ("bar" if end != start else "dot")
    when = f"{display} ({precision} precision)" if precision != "day" else display
    return {
        "id": entry["id"],
        "kind": entry["kind"],
        "lane": lanes[entry["kind"]],
        "start": start,
        "end": end,
        "shape": shape,
        "label": _visible(entry["title"]),
        "tip": _visible(f"{entry['title']}\n{when}, {kind_label(entry['kind'])}"),
    }


# -- the event list (the page without JavaScript) -------------------------------------


def _event_list(bundle: Bundle, seen: Callable[[dict[str, Any]], None]) -> Iterator[str]:
    if not bundle.overview.count:
        yield '<p class="empty">No events.</p>'
        return
    yield '<ol class="event-list">'
    for item in _listed_items(bundle, seen):
        yield "\n"
        yield item
    yield "\n</ol>"


def _time(date: dict[str, Any], text: str | None = None) -> str:
    machine = date["edtf"].rstrip("~?%")  # a valid HTML date, month or year string
    return f'<time datetime="{t(machine)}">{t(text or date["display"])}</time>'


def _event_item(entry: dict[str, Any]) -> str:
    occurred = entry["occurred"]
    display = extent(entry)[2]
    precision = occurred["precision"]
    note = f'<p class="note"><strong>Note:</strong> {t(entry["note"])}</p>' if entry["note"] else ""
    kind, event_id = t(entry["kind"]), t(entry["id"])
    return f"""<li class="event k-{kind}" id="event-{event_id}" data-event-id="{event_id}" \
data-kind="{kind}">
<article>
<p class="when"><span class="kind">{t(kind_label(entry["kind"]))}</span>
{_time(occurred, display)} <span class="precision">{t(precision)} precision</span></p>
<h3 dir="auto">{t(entry["title"])}</h3>
<p class="summary" dir="auto">{t(entry["summary"])}</p>
{note}{_links(entry)}<p class="sources-head">Sources</p>
<ol class="sources">{"".join(_source(s) for s in entry["sources"])}</ol>
<p class="meta">id <code>{t(entry["id"])}</code>, recorded {t(entry["recorded"])}</p>
</article>
</li>"""


def _standing(view: dict[str, Any]) -> str:
    """A claim's standing where something bears on it ("DENIED: denied by ..."), or ''."""
    line = standing_line(view.get("standing"))
    return f' <strong class="standing">{t(line)}</strong>' if line else ""


def _links(view: dict[str, Any]) -> str:
    """An event's relations and the values other sources give, as a list (or nothing)."""
    lines = relation_lines(view)
    if not lines:
        return ""
    return '<ul class="links">' + "".join(f'<li dir="auto">{t(x)}</li>' for x in lines) + "</ul>"


def _source(source: dict[str, Any]) -> str:
    label = cited_link_html(source)
    if source.get("url") and not link_url(source["url"]):  # not http(s): shown, never linked
        label += f' <span class="url">{t(source["url"])}</span>'
    from cli.exporters import capture_link

    captured = capture_link(source)
    if captured:  # the page as it was read, published beside this one
        label += f' <a class="capture" href="{t(captured[0])}">{t(captured[1])}</a>'
    quote = (
        f'<blockquote dir="auto">{t(source["quote"])}</blockquote>' if source.get("quote") else ""
    )
    return f"<li>{label}{quote}</li>"


def _sources_line(sources: list[dict[str, Any]]) -> str:
    links = []
    for number, source in enumerate(sources, start=1):
        url = link_url(source.get("url"))
        title = t(cite({**source, "url": None}))
        if url:
            links.append(
                f'<a href="{escape(url, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer" title="{title}">[{number}]</a>'
            )
        else:
            links.append(f'<span title="{title}">[{number}]</span>')
    return f'<span class="cites">{" ".join(links)}</span>'


# -- the state panel ------------------------------------------------------------------


def _commitment(commitment: dict[str, Any]) -> str:
    phase = f" ({commitment['phase']})" if commitment["phase"] else ""
    status = commitment.get("status", "made")
    status = f' <span class="status s-{t(status)}">{t(status)}</span>' if status != "made" else ""
    return (
        f"<li>{t(commitment['display'] + phase)},{status}"
        f' <span class="date">{_time(commitment["date"])}</span>'
        f" {_sources_line(commitment['sources'])}{_links(commitment)}</li>"
    )


def _state_panels(bundle: Bundle) -> Iterator[str]:
    """The state on the page's date as known now and, hidden until the known-at switch
    picks one, as known before each correction (computed with the corrections)."""
    yield '<div class="state-view" data-view="now">\n'
    yield from _state_panel(bundle.state)
    yield "\n</div>"
    for view in bundle.corrections.views:
        if "state" in view:
            yield (
                f'\n<div class="state-view" data-view="{t(view["key"])}" hidden>\n'
                f'<p class="state-known">As known before {_moment(view["moment"])}:</p>\n'
            )
            yield from _state_panel(view["state"])
            yield "\n</div>"


def _state_panel(state: Mapping[str, Any]) -> Iterator[str]:
    """One state's panel, an entry at a time, each section asked for once and let go
    when written (a state grows with the history; ``KeptState`` makes a section when
    asked)."""
    names, actors = _actors(state["actors"])
    yield from _agreements(state["agreements"])
    yield from _steps(state["next_steps"], names)
    yield from _engagements(state["engagements"], names)
    statements = state["statements"]
    if statements:
        yield f"\n<h3>Statements ({len(statements)})</h3>\n"
        yield from _listed(
            "<ul>",
            (
                f'<li>{_time(s["date"])} {t(s["speaker"])}: <q dir="auto">{t(s["quote"])}</q>'
                + f"{_standing(s)} {_sources_line(s['sources'])}{_links(s)}</li>"
                for s in statements
            ),
        )
    del statements
    for section, items in relationship_sections(state):
        yield f"\n<h3>{t(section)} ({len(items)})</h3>\n"
        yield from _listed(
            "<ul>",
            (
                f'<li data-event-id="{t(i["event_id"])}">{_time(i["date"])}'
                f' <span dir="auto">{t(i["text"])}</span> {_sources_line(i["sources"])}'
                f"{_links(i)}</li>"
                for i in items
            ),
        )
    for section, noted in noted_sections(state):
        yield f"\n<h3>{t(section)} ({len(noted)})</h3>\n"
        yield from _listed(
            "<ul>",
            (
                f'<li class="k-{t(n["kind"])}">{_time(n["date"])}'
                f' <span dir="auto">{t(n["title"])}</span>'
                + (f" <span class='who'>({_who(n['actors'], names)})</span>" if n["actors"] else "")
                + f" {_sources_line(n['sources'])}</li>"
                for n in noted
            ),
        )
    undetermined = state["undetermined"]
    if undetermined:
        yield f"\n<h3>Undetermined on this date ({len(undetermined)})</h3>\n"
        yield from _listed(
            "<ul>",
            (
                f'<li><a href="#event-{t(u["event_id"])}">{t(u["title"])}</a>:'
                f" {t(u['reason'])}</li>"
                for u in undetermined
            ),
        )
    yield actors


def _actors(actors: list[dict[str, Any]]) -> tuple[dict[str, str], str]:
    """The names of the state's actors by id, and the panel's last line, which lists them."""
    listed = ", ".join(a["name"] for a in actors) or "none"
    line = (
        f"\n<details><summary>Actors ({len(actors)})</summary>"
        f'<p dir="auto">{t(listed)}</p></details>'
    )
    return {a["id"]: a["name"] for a in actors}, line


def _who(ids: list[str], names: dict[str, str]) -> str:
    return t(", ".join(names.get(i, i) for i in ids))


def _agreements(agreements: list[dict[str, Any]]) -> Iterator[str]:
    yield f"<h3>Agreements ({len(agreements)})</h3>"
    if not agreements:
        yield '\n<p class="empty">None signed by this date.</p>'
    for a in agreements:
        parties = " \u2013 ".join(p["name"] for p in a["parties"])
        venue = f" at {t(a['venue'])}" if a["venue"] else ""
        commitments = "".join(_commitment(c) for c in a["commitments"])
        minerals = f"<p>Minerals: {t(', '.join(a['minerals']))}</p>" if a["minerals"] else ""
        yield f"""
<div class="agreement" data-agreement-id="{t(a["id"])}">
<h4>{t(a["instrument"])}: <span dir="auto">{t(parties)}</span></h4>
<p>{t(a["status"])} {_time(a["signed"])}{venue} {_sources_line(a["sources"])}</p>
{minerals}<p class="sub">Commitments ({len(a["commitments"])})</p>
<ul class="commitments">{commitments or "<li>none yet</li>"}</ul>
</div>"""


def _steps(steps: list[dict[str, Any]], names: dict[str, str]) -> Iterator[str]:
    yield f"\n<h3>Next steps ({len(steps)})</h3>\n"
    items = (
        f'<li data-step-id="{t(s["id"])}"><span class="status s-{t(s["status"])}">'
        f"{t(s['status'])}</span>"
        + (' <span class="status overdue">overdue</span>' if s.get("overdue") else "")
        + f' <span dir="auto">{t(s["description"])}</span>'
        + (f" <span class='who'>({_who(s['owners'], names)})</span>" if s["owners"] else "")
        + (f" target {_time(s['target'])}" if s["target"] else "")
        + f" {_sources_line(s['sources'])}</li>"
        for s in steps
    )
    yield from _listed('<ul class="steps">', items) if steps else _NONE


def _engagements(engagements: list[dict[str, Any]], names: dict[str, str]) -> Iterator[str]:
    yield f"\n<h3>Engagements ({len(engagements)})</h3>\n"
    items = (
        f"<li>{_time(e['date'])}"
        + (f" \u2013 {_time(e['until'])}" if e["until"] else "")
        + f" <span class='kind'>{t(kind_label(e['kind']))}</span>, {t(e['status'])}:"
        f' <span dir="auto">{t(e["title"])}</span>'
        + (
            f" <span class='who'>({t(roles)})</span>"
            if (roles := engagement_roles(e, names))
            else ""
        )
        + f" {_sources_line(e['sources'])}</li>"
        for e in engagements
    )
    yield from _listed("<ul>", items) if engagements else _NONE


_NONE = ('<p class="empty">None.</p>',)


def _listed(opening: str, items: Iterator[str]) -> Iterator[str]:
    """A list's element, its items as they are made."""
    yield opening
    yield from items
    yield "</ul>"


# Colour-blind-safe colours, given to the kinds in the order they are declared; a kind past
# the end gets a hue of its own from its name, so a new kind needs no edit here.
PALETTE = ("#0072b2", "#009e73", "#d55e00", "#b07800", "#cc79a7", "#3d8fc4", "#555")


def kind_colour(kind: str, position: int) -> str:
    if position < len(PALETTE):
        return PALETTE[position]
    hue = int.from_bytes(hashlib.sha256(kind.encode()).digest()[:2], "big") % 360
    return f"hsl({hue} 60% 38%)"


def style() -> str:
    """The page's CSS: the fixed rules, then one colour per declared kind (``.k-KIND``)."""
    from events.kinds import happening_kinds

    kinds = "".join(
        f".k-{kind}{{--c:{kind_colour(kind, n)}}}" for n, kind in enumerate(happening_kinds())
    )
    return f"{STYLE}{kinds}\n"


STYLE = """
:root{color-scheme:light;--ink:#1b1f24;--mute:#5b6470;--rule:#d9dde3;--bg:#fff;--panel:#f6f7f9;
--other:#777}
*{box-sizing:border-box}
html{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;
color:var(--ink);background:var(--bg)}
body{margin:0 auto;max-width:84rem;padding:1rem 1.5rem 3rem}
h1{font-size:1.6rem;margin:.4rem 0 .2rem}
h2{font-size:1.2rem;margin:1.2rem 0 .5rem;border-bottom:1px solid var(--rule);padding-bottom:.2rem}
h3{font-size:1rem;margin:.2rem 0}
.lede{color:var(--mute);margin:.2rem 0 1rem;max-width:60rem}
code{font-size:.85em}
a{color:#0b5cad}
.chart .plot{width:100%;overflow-x:auto}
#plot{display:block;font-size:12px}
#plot .axis line{stroke:var(--rule)}
#plot .axis text{fill:var(--mute)}
#plot .lane rect{fill:var(--panel)}
#plot .lane text{fill:var(--mute);font-weight:600}
#plot .mark{cursor:pointer;color:var(--c,var(--other));outline:none}
#plot .mark .dot{fill:currentColor}
#plot .mark .bar{fill:currentColor;opacity:.85}
#plot .mark .box{fill:currentColor;fill-opacity:.18;stroke:currentColor;stroke-width:1.5;
stroke-dasharray:4 3}
#plot .mark text{fill:var(--ink)}
#plot .mark:hover text,#plot .mark:focus text{text-decoration:underline}
#plot .mark.selected text{font-weight:700}
#plot .mark:focus-visible .hit,#plot .mark.selected .hit{fill:#ffe9a8}
#plot .hit{fill:transparent}
#plot .asof line{stroke:#a11;stroke-width:1.5;stroke-dasharray:6 4}
#plot .asof text{fill:#a11;font-weight:600}
.legend{color:var(--mute);font-size:.85rem;margin:.2rem 0 .4rem}
.key{display:inline-block;width:1.4em;height:.8em;margin:0 .2em 0 .8em;vertical-align:middle}
.key.dot{width:.8em;border-radius:50%;background:var(--mute)}
.key.box{border:1.5px dashed var(--mute);background:#eceef1}
.key.bar{background:var(--mute);height:.5em}
.key.asof{width:0;height:1em;border-left:2px dashed #a11}
.detail{border:1px solid var(--rule);border-left:4px solid var(--c,var(--other));
background:var(--panel);padding:.6rem 1rem;margin:.6rem 0;position:relative}
.detail .close{position:absolute;right:.5rem;top:.4rem;font:inherit;cursor:pointer;
border:1px solid var(--rule);background:var(--bg);border-radius:4px}
.columns{display:grid;grid-template-columns:minmax(0,1fr) 26rem;gap:2rem;align-items:start}
@media (max-width:60rem){.columns{grid-template-columns:minmax(0,1fr)}}
.event-list{list-style:none;margin:0;padding:0}
.event{border-left:4px solid var(--c,var(--other));padding:.2rem 0 .2rem .8rem;margin:0 0 1rem}
.event.selected{background:#fff8e0}
.event h3,.detail h3{margin:.1rem 0 .2rem;font-size:1.02rem}
.when{margin:0;color:var(--mute);font-size:.85rem}
.kind{font-weight:600;color:var(--c,var(--mute));text-transform:capitalize}
.precision{margin-left:.5em;font-size:.8em;border:1px solid var(--rule);border-radius:3px;
padding:0 .3em}
.summary{margin:.2rem 0}
.note{margin:.2rem 0;color:var(--mute);font-size:.9rem}
.horizon{margin:.2rem 0 .6rem;padding:.3rem .5rem;border-left:3px solid #a11;font-size:.9rem}
.sources-head{margin:.3rem 0 0;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;
color:var(--mute)}
.sources{margin:.1rem 0;padding-left:1.4rem;font-size:.9rem}
blockquote{margin:.15rem 0 .3rem;padding-left:.6rem;border-left:2px solid var(--rule);
color:var(--mute);font-size:.88rem}
.meta{margin:.2rem 0 0;color:var(--mute);font-size:.78rem}
.state{background:var(--panel);border:1px solid var(--rule);padding:.2rem 1rem 1rem}
.state h2{margin-top:.6rem}
.state h3{margin-top:1rem}
.state h4{font-size:.95rem;margin:.6rem 0 .1rem}
.state ul{padding-left:1.1rem;margin:.2rem 0}
.state li{margin:.2rem 0}
.state p{margin:.15rem 0}
.sub{font-size:.8rem;color:var(--mute);text-transform:uppercase;letter-spacing:.04em}
.status{font-size:.75rem;font-weight:700;border-radius:3px;padding:0 .35em;border:1px solid}
.s-planned{color:#3d5a80}.s-under-way{color:#b07800}.s-done{color:#2a7a3a}.s-dropped{color:#888}
.cites{font-size:.8rem;white-space:nowrap}
.empty,.date{color:var(--mute)}
.page-foot{margin-top:2rem;color:var(--mute);font-size:.85rem;border-top:1px solid var(--rule)}
@media print{
html{font-size:10.5pt;background:#fff}
body{max-width:none;padding:0}
.columns{display:block}
.state{border:none;background:none;padding:0;break-before:page}
.detail,.detail .close{display:none!important}
.chart{break-inside:avoid}
#plot{width:100%;height:auto}
.event{break-inside:avoid}
.event.selected{background:none}
#plot .hit{fill:transparent!important}
a{color:inherit}
.sources a[href]::after{content:" <" attr(href) ">";word-break:break-all;font-size:.85em}
}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var data = JSON.parse(document.getElementById("uspk-data").textContent);
  var chart = document.getElementById("chart");
  var svg = document.getElementById("plot");
  var detail = document.getElementById("detail");
  var items = data.chart.items;
  var lanes = data.chart.lanes;
  var selected = null;

  function utc(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]);
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function label(node, text) { node.textContent = text; return node; }

  function ticks(lo, hi, width) {
    var span = hi - lo, out = [], d, step, i;
    var fit = function (unit) { return span / unit <= width / 70; };
    var days = [1, 2, 7, 14], months = [1, 2, 3, 6], years = [1, 2, 5, 10, 20, 50, 100];
    if (span > 62 * DAY) days = [];  // over two months: month ticks read better
    for (i = 0; i < days.length; i++) {
      if (fit(days[i] * DAY)) {
        step = days[i];
        d = new Date(lo); d = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
        for (; d <= hi; d += step * DAY) {
          var x = new Date(d);
          if (d >= lo) out.push([d, x.getUTCDate() + " " + MONTHS[x.getUTCMonth()]]);
        }
        return out;
      }
    }
    for (i = 0; i < months.length; i++) {
      if (fit(months[i] * 30.44 * DAY)) {
        step = months[i];
        var start = new Date(lo), y = start.getUTCFullYear(), m = start.getUTCMonth();
        for (;;) {
          d = Date.UTC(y, m, 1);
          if (d > hi) break;
          if (d >= lo && m % step === 0) {
            out.push([d, MONTHS[m] + (m === 0 || !out.length ? " " + y : "")]);
          }
          m += 1; if (m === 12) { m = 0; y += 1; }
        }
        return out;
      }
    }
    for (i = 0; i < years.length; i++) {
      if (fit(years[i] * 365.25 * DAY) || i === years.length - 1) { step = years[i]; break; }
    }
    for (var yr = new Date(lo).getUTCFullYear(); Date.UTC(yr, 0, 1) <= hi; yr++) {
      d = Date.UTC(yr, 0, 1);
      if (d >= lo && yr % step === 0) out.push([d, String(yr)]);
    }
    return out;
  }

  function fitText(node, text, room) {
    node.textContent = text;
    if (room < 24) { node.textContent = ""; return; }
    if (node.getComputedTextLength() <= room) return;
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      node.textContent = text.slice(0, mid) + "\u2026";
      if (node.getComputedTextLength() <= room) lo = mid; else hi = mid - 1;
    }
    node.textContent = text.slice(0, lo) + "\u2026";
  }

  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = Math.max(chart.clientWidth, 560);
    var LEFT = 150, PAD = 14, ROW = 22, TOP = 44, GAP = 8;
    var x0 = LEFT + PAD, x1 = width - PAD;
    var lo = Infinity, hi = -Infinity, asOf = utc(data.as_of) + DAY;
    items.forEach(function (it) {
      lo = Math.min(lo, utc(it.start));
      hi = Math.max(hi, utc(it.end) + DAY);
    });
    lo = Math.min(lo, asOf - DAY); hi = Math.max(hi, asOf);
    var pad = Math.max((hi - lo) * 0.02, DAY);
    lo -= pad; hi += pad;
    var x = function (time) { return x0 + (time - lo) / (hi - lo) * (x1 - x0); };

    var rows = 0;
    lanes.forEach(function (lane, index) {
      lane.first = rows;
      lane.count = items.filter(function (it) { return it.lane === index; }).length;
      rows += lane.count;
    });
    var height = TOP + rows * ROW + lanes.length * GAP + PAD;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);

    var rowY = function (lane, row) {
      return TOP + (lane.first + row) * ROW + lanes.indexOf(lane) * GAP;
    };
    lanes.forEach(function (lane) {
      var g = el("g", {"class": "lane k-" + lane.kind}, svg);
      var y = rowY(lane, 0) - 2;
      el("rect", {x: 0, y: y, width: width, height: lane.count * ROW + 4, rx: 3}, g);
      label(el("text", {x: PAD, y: y + 15}, g), lane.label);
    });

    var axis = el("g", {"class": "axis"}, svg);
    el("line", {x1: x0, x2: x1, y1: TOP - 14, y2: TOP - 14}, axis);
    ticks(lo, hi, x1 - x0).forEach(function (tick) {
      var tx = x(tick[0]);
      el("line", {x1: tx, x2: tx, y1: TOP - 18, y2: height - PAD}, axis);
      var text = label(el("text", {x: tx + 3, y: TOP - 20}, axis), tick[1]);
      if (tx + 3 + text.getComputedTextLength() > width) axis.removeChild(text);
    });

    var line = el("g", {"class": "asof"}, svg);
    var ax = x(asOf);
    el("line", {x1: ax, x2: ax, y1: 4, y2: height - PAD}, line);
    var asOfText = el("text", {x: ax - 4, y: 12, "text-anchor": "end"}, line);
    label(asOfText, "state on " + data.as_of_label);

    var seen = {};
    items.forEach(function (it) {
      var lane = lanes[it.lane];
      var row = seen[it.lane] || 0; seen[it.lane] = row + 1;
      var y = rowY(lane, row) + ROW / 2;
      var a = x(utc(it.start)), b = x(utc(it.end) + DAY);
      var g = el("g", {
        "class": "mark k-" + it.kind, "data-event-id": it.id, tabindex: 0, role: "button",
        "aria-label": it.tip.replace(/\n/g, ", ")
      }, svg);
      label(el("title", {}, g), it.tip);
      el("rect", {"class": "hit", x: x0, y: y - ROW / 2 + 1, width: x1 - x0, height: ROW - 2}, g);
      var left, right;
      if (it.shape === "dot") {
        var cx = (a + b) / 2;
        el("circle", {"class": "dot", cx: cx, cy: y, r: 5}, g);
        left = cx - 5; right = cx + 5;
      } else {
        if (b - a < 6) { var mid = (a + b) / 2; a = mid - 3; b = mid + 3; }
        el("rect", {"class": it.shape, x: a, y: y - (it.shape === "bar" ? 4 : 7), width: b - a,
                    height: it.shape === "bar" ? 8 : 14, rx: 2}, g);
        left = a; right = b;
      }
      var roomRight = x1 - right - 6, roomLeft = left - x0 - 6;
      var text = el("text", {y: y + 4}, g);
      if (it.shape !== "dot" && Math.max(roomLeft, roomRight) < 160 && right - left > 160) {
        text.setAttribute("x", left + 6);  // a long span: the label goes inside it
        fitText(text, it.label, right - left - 12);
      } else if (roomRight >= roomLeft) {
        text.setAttribute("x", right + 6);
        fitText(text, it.label, roomRight);
      } else {
        text.setAttribute("x", left - 6);
        text.setAttribute("text-anchor", "end");
        fitText(text, it.label, roomLeft);
      }
      if (it.id === selected) g.classList.add("selected");
    });
  }

  function select(id) {
    selected = id;
    Array.prototype.forEach.call(document.querySelectorAll(".selected"), function (node) {
      node.classList.remove("selected");
    });
    while (detail.firstChild) detail.removeChild(detail.firstChild);
    if (id === null) { detail.hidden = true; return; }
    var item = document.getElementById("event-" + id);
    var mark = svg.querySelector('.mark[data-event-id="' + CSS.escape(id) + '"]');
    if (mark) mark.classList.add("selected");
    if (!item) return;
    item.classList.add("selected");
    detail.className = "detail k-" + item.getAttribute("data-kind");
    var close = document.createElement("button");
    close.type = "button"; close.className = "close"; close.textContent = "Close";
    close.setAttribute("aria-label", "Close the event details");
    close.addEventListener("click", function () { select(null); if (mark) mark.focus(); });
    detail.appendChild(close);
    detail.appendChild(item.querySelector("article").cloneNode(true));
    detail.hidden = false;
  }

  svg.addEventListener("click", function (event) {
    var mark = event.target.closest(".mark");
    if (mark) select(mark.getAttribute("data-event-id"));
  });
  svg.addEventListener("keydown", function (event) {
    var mark = event.target.closest(".mark");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      select(mark.getAttribute("data-event-id"));
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && selected !== null) select(null);
  });

  if (items.length) {
    chart.hidden = false;
    draw();
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; draw(); });
    });
  }
})();
"""


# -- corrections: what was amended or retracted, and the record as known before ---------


def _corrections_data(bundle: Bundle) -> dict[str, Any]:
    """What the known-at switch needs: which events each view believes, as what it hides
    and shows of the record as known now (a page with many corrections stays small: the
    views differ little from each other). Nothing when no event was corrected. Each
    view's lists are read as it is written."""
    if not bundle.corrections.items:
        return {}
    views = (
        {"key": view["key"], "hide": list(view["hide"]), "show": list(view["show"])}
        for view in bundle.corrections.views
    )
    return {"corrections": {"now": Streamed(bundle.corrections.now), "views": Streamed(views)}}


def _corrections_assets(bundle: Bundle) -> tuple[str, str]:
    """The style and script of the corrections, only on a page that has some (each is
    allowed by its own hash in the page's Content-Security-Policy)."""
    return (CORRECTIONS_STYLE, CORRECTIONS_SCRIPT) if bundle.corrections.items else ("", "")


def _moment_label(iso: str) -> str:
    """'2025-10-01 12:00:00 UTC' from a recorded timestamp (stored in UTC)."""
    return iso[:19].replace("T", " ") + " UTC"


def _moment(iso: str) -> str:
    return f'<time datetime="{t(iso)}">{t(_moment_label(iso))}</time>'


def _known_at_control(bundle: Bundle) -> str:
    """A choice of the moments before each correction; shown by the script only, so that
    without JavaScript the list is simply the record as known now."""
    corrections = bundle.corrections
    if not corrections.items:
        return ""
    titles = {c["id"]: c["target"].get("title", c["target"]["id"]) for c in corrections.items}
    nouns = {"amended": "the amendment", "retracted": "the retraction"}
    verbs = {c["id"]: nouns[c["type"]] for c in corrections.items}
    options = []
    for view in corrections.views:
        if view["moment"] is None:
            when = f"at {_moment_label(bundle.known_at)}" if bundle.known_at else "now"
            label = f"as known {when}, with every correction"
        else:
            what = "; ".join(f"{verbs[c]} of \u201c{titles[c]}\u201d" for c in view["corrections"])
            label = f"as known before {_moment_label(view['moment'])}, {what}"
        options.append(f'<option value="{t(view["key"])}">{t(label)}</option>')
    return (
        '<p class="known-at" id="known-at-control" hidden><label for="known-at">Show the record'
        f'</label> <select id="known-at">{"".join(options)}</select>'
        ' <span id="known-at-status" aria-live="polite"></span></p>\n'
    )


def _listed_items(bundle: Bundle, seen: Callable[[dict[str, Any]], None]) -> Iterator[str]:
    """The believed events' items and, in their places by date, those of events believed
    before a correction and no longer: hidden until the known-at switch shows them. Each
    item is made as it is written, and each believed event given to ``seen`` then."""
    # Both come sorted by date; at one date the believed come first, each in its order.
    listed = merge(
        ((e, False) for e in bundle.entries),
        ((e, True) for e in bundle.corrections.former),
        key=lambda pair: pair[0]["occurred"]["start"],
    )
    for entry, former in listed:
        if former:
            yield _former_item(entry)
        else:
            seen(entry)
            yield _event_item(entry)


def _former_item(entry: dict[str, Any]) -> str:
    return _event_item(entry).replace('<li class="event ', '<li hidden class="event former ', 1)


def _corrections_section(bundle: Bundle) -> str:
    items = bundle.corrections.items
    if not items:
        return ""
    return f"""<section class="corrections" id="corrections" aria-labelledby="corrections-heading">
<h2 id="corrections-heading">Corrections ({len(items)})</h2>
<p class="lede">History is never rewritten: an amended or retracted event stays in the record,
and the record as known before each correction can still be shown.</p>
<ol class="correction-list">
{"".join(_correction_item(c) for c in items)}</ol>
</section>
"""


_NO_REASON = "not given (no message or note recorded with it)"


def _correction_item(correction: dict[str, Any]) -> str:
    target, replacement = correction["target"], correction["replacement"]
    verb = "Retracted" if correction["type"] == "retracted" else "Amended"
    why = correction["reason"] or _NO_REASON
    what = _brief_html(target)
    if replacement is not None:
        what += (
            f'; replaced by <a href="#event-{t(replacement["id"])}">{_brief_html(replacement)}</a>'
        )
    changes = "".join(
        f"<li>{t(c['field'])}: {t(c['before'])} \u2192 {t(c['after'])}</li>"
        for c in correction["changes"]
    )
    return f"""<li class="correction c-{t(correction["type"])}" \
data-correction-id="{t(correction["id"])}" data-target-id="{t(target["id"])}">
<p class="when"><span class="correction-type">{verb}</span> \
{_moment(correction["recorded"])}; the correction is <code>{t(correction["id"])}</code></p>
<p class="who">Recorded {t(recorded_by(correction))}</p>
<p class="corrected">{what}</p>
{f'<ul class="changes">{changes}</ul>' if changes else ""}\
<p class="why"><strong>Why:</strong> <span dir="auto">{t(why)}</span></p>
<p class="sources-head">Sources</p>
<ol class="sources">{"".join(_source(s) for s in correction["sources"])}</ol>
</li>
"""


def _brief_html(brief: dict[str, Any]) -> str:
    """An event named by its title and date, and its id."""
    if "title" not in brief:
        return f"<code>{t(brief['id'])}</code>"
    return (
        f'<span dir="auto">{t(brief["title"])}</span> ({_time(brief["occurred"])},'
        f" <code>{t(brief['id'])}</code>)"
    )


CORRECTIONS_STYLE = """
.known-at{margin:.2rem 0 .8rem;font-size:.9rem}
.known-at select{font:inherit;max-width:100%}
#known-at-status{color:var(--mute)}
.state-known{font-style:italic;color:var(--mute)}
.event.former{border-left-style:dashed;background:#fbf3f3}
.event.former .when::after{content:" \2014  corrected since: see Corrections";color:#a11}
#plot .mark.not-then{opacity:.15}
.correction-list{padding-left:1.4rem}
.correction{margin:0 0 1rem}
.correction p{margin:.15rem 0}
.correction-type{font-weight:700;text-transform:uppercase;font-size:.8rem;letter-spacing:.04em}
.c-retracted .correction-type{color:#a11}.c-amended .correction-type{color:#b07800}
.changes{margin:.1rem 0;font-size:.9rem}
"""

CORRECTIONS_SCRIPT = r"""
(function () {
  "use strict";
  var control = document.getElementById("known-at-control");
  if (!control) return;
  var data = JSON.parse(document.getElementById("uspk-data").textContent);
  var select = document.getElementById("known-at");
  var status = document.getElementById("known-at-status");
  var plot = document.getElementById("plot");
  var views = {};
  data.corrections.views.forEach(function (view) {
    var believed = {};
    data.corrections.now.forEach(function (id) { believed[id] = true; });
    view.hide.forEach(function (id) { delete believed[id]; });
    view.show.forEach(function (id) { believed[id] = true; });
    views[view.key] = believed;
  });
  var believed = {};

  function markChart() {  // the chart is redrawn on resize: mark it again each time
    Array.prototype.forEach.call(plot.querySelectorAll(".mark"), function (mark) {
      mark.classList.toggle("not-then", !believed[mark.getAttribute("data-event-id")]);
    });
  }
  function show(key) {
    believed = views[key];
    var count = 0;
    Array.prototype.forEach.call(document.querySelectorAll("li.event"), function (item) {
      item.hidden = !believed[item.getAttribute("data-event-id")];
      if (!item.hidden) count += 1;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".state-view"), function (panel) {
      panel.hidden = panel.getAttribute("data-view") !== key;
    });
    markChart();
    status.textContent = count + " event" + (count === 1 ? "" : "s") + " believed then";
  }
  new MutationObserver(markChart).observe(plot, {childList: true});
  select.addEventListener("change", function () { show(select.value); });
  control.hidden = false;
  show(select.value);
})();
"""
