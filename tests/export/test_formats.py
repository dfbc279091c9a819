"""Each export format, from the shipped history: what it contains and how it is shaped."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
from datetime import date

from cli.exporters.html import SCRIPT, style
from tests.export.htmlscan import Scan
from tests.export.support import append, meeting
from tests.shipped import recorded_until

JUNE = "trump-munir-meeting-2025-06"
VISIT = "ussm-mota-engil-visit-2025-09-07"


def latest_day(uspk) -> str:
    """The export's default --at: the last day an event of the shipped history occurred."""
    return max(e["occurred"]["end"] for e in uspk.timeline())


def shown(day: str) -> str:
    """A day as the page shows it: '8 Sep 2025'."""
    when = date.fromisoformat(day)
    return f"{when.day} {when:%b %Y}"


def embedded_data(page: str) -> dict:
    scan = Scan(page)
    [(_, content)] = [(a, c) for a, c in scan.scripts if a.get("id") == "uspk-data"]
    return json.loads(content)


# -- HTML -----------------------------------------------------------------------------


def test_html_is_one_file_that_loads_nothing_and_allows_only_its_own_script_and_style(
    uspk, tmp_path
):
    page = uspk.export(tmp_path, "html").decode()
    scan = Scan(page)
    assert scan.with_attribute("src") == []  # no script, image, frame or media from anywhere
    assert [attrs for tag, attrs in scan.elements if tag == "link"] == [
        {"rel": "icon", "href": "data:,"}
    ]
    assert not re.search(r"@import|url\(", "".join(scan.styles))
    for tag, attrs in scan.with_attribute("href"):
        if tag == "link":
            continue
        assert tag == "a" and re.match(r"https?://|#", attrs["href"]), (tag, attrs)
        if attrs["href"].startswith("http"):
            assert attrs["rel"] == "noopener noreferrer"
    [csp] = [
        a["content"] for t, a in scan.elements if a.get("http-equiv") == "Content-Security-Policy"
    ]
    digest = {
        name: base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        for name, source in (("script", SCRIPT), ("style", style()))
    }
    assert "default-src 'none'" in csp
    assert f"script-src 'sha256-{digest['script']}'" in csp
    assert f"style-src 'sha256-{digest['style']}'" in csp
    assert [content for attrs, content in scan.scripts if "type" not in attrs] == [SCRIPT]
    assert scan.styles == [style()]


def test_html_lists_every_event_in_order_and_embeds_the_same_data_the_cli_shows(uspk, tmp_path):
    page = uspk.export(tmp_path, "html").decode()
    entries = uspk.timeline()
    scan = Scan(page)
    listed = [
        a["data-event-id"]
        for t, a in scan.elements
        if t == "li" and "event" in a.get("class", "").split()  # not the state panel's items
    ]
    assert listed == [e["id"] for e in entries]
    data = embedded_data(page)
    assert data["events"] == entries
    assert data["state"] == json.loads(
        uspk.ok("state", "--at", latest_day(uspk), "--format", "json")
    )
    for entry in entries:  # title, summary and every source, readable without JavaScript
        assert html.escape(entry["title"]) in page and html.escape(entry["summary"]) in page
        for source in entry["sources"]:
            assert f'<a href="{html.escape(source["url"])}" target="_blank"' in page


def test_html_chart_draws_month_precision_as_a_span_and_a_visit_over_its_days(uspk, tmp_path):
    data = embedded_data(uspk.export(tmp_path, "html").decode())
    items = {item["id"]: item for item in data["chart"]["items"]}
    assert len(items) == len(data["events"])
    june = items[JUNE]
    assert (june["shape"], june["start"], june["end"]) == ("box", "2025-06-01", "2025-06-30")
    visit = items[VISIT]
    assert (visit["shape"], visit["start"], visit["end"]) == ("bar", "2025-09-07", "2025-09-09")
    months = {e["id"] for e in data["events"] if e["occurred"]["precision"] == "month"}
    assert {items[k]["shape"] for k in months} == {"box"}
    others = {i["shape"] for k, i in items.items() if k not in months | {VISIT}}
    assert others == {"dot"}
    lanes = [lane["kind"] for lane in data["chart"]["lanes"]]
    assert lanes == list(dict.fromkeys(lanes)) and {e["kind"] for e in data["events"]} == set(lanes)
    assert all(lanes[i["lane"]] == i["kind"] for i in items.values())


def test_html_state_panel_on_the_latest_day_shows_agreements_commitments_steps_engagements(
    uspk, tmp_path
):
    page = uspk.export(tmp_path, "html").decode()
    day = latest_day(uspk)
    assert f"State on {shown(day)}" in page  # default --at: the last day an event occurred
    state = json.loads(uspk.ok("state", "--at", day, "--format", "json"))
    panel = page[page.index('<aside class="state"') : page.index("</aside>")]
    scan = Scan(panel)
    agreements = [a["data-agreement-id"] for t, a in scan.elements if "data-agreement-id" in a]
    assert agreements == [a["id"] for a in state["agreements"]]
    assert {"meg-nlcp-mou", "ussm-fwo-mou"} <= set(agreements)
    assert "US Strategic Metals \u2013 Frontier Works Organization" in scan.text
    assert "about USD 500 million (first phase)" in scan.text
    steps = [a["data-step-id"] for t, a in scan.elements if "data-step-id" in a]
    assert len(steps) == len(state["next_steps"]) >= 5  # the MoU's five, at least
    engagements = len(state["engagements"])
    assert f"Engagements ({engagements})" in scan.text
    assert f"Next steps ({len(steps)})" in scan.text


def test_html_at_a_day_inside_june_shows_the_june_meeting_as_undetermined(uspk, tmp_path):
    page = uspk.export(tmp_path, "html", "--at", "2025-06-15").decode()
    panel = Scan(page[page.index('<aside class="state"') : page.index("</aside>")]).text
    assert "State on 15 Jun 2025" in panel and "Agreements (0)" in panel
    assert "Undetermined on this date (1)" in panel
    assert "Field Marshal Asim Munir meets President Trump" in panel
    assert embedded_data(page)["as_of"] == "2025-06-15"


def test_a_year_and_an_approximate_month_are_spans_in_the_chart_and_in_timelinejs(uspk, tmp_path):
    append(
        uspk,
        tmp_path,
        meeting("test-year", "2025", "Some time in 2025"),
        meeting("test-about-july", "2025-07~", "About July 2025"),
    )
    data = embedded_data(uspk.export(tmp_path, "html").decode())
    items = {i["id"]: i for i in data["chart"]["items"]}
    assert (items["test-year"]["shape"], items["test-year"]["end"]) == ("box", "2025-12-31")
    assert items["test-about-july"]["tip"].startswith("About July 2025\napproximately July")
    # the default --at: where the last event ends (the shipped history goes past 2025)
    assert data["as_of"] == max(recorded_until(), "2025-12-31")
    slides = {e["unique_id"]: e for e in json.loads(uspk.export(tmp_path, "timelinejs"))["events"]}
    assert slides["test-year"]["start_date"] == {"year": 2025, "display_date": "2025"}
    assert slides["test-year"]["end_date"] == {
        "year": 2025,
        "month": 12,
        "day": 31,
        "display_date": "2025",
    }
    assert slides["test-about-july"]["display_date"] == "approximately July 2025"


# -- TimelineJS -----------------------------------------------------------------------


def test_timelinejs_has_a_title_and_one_slide_per_event_grouped_by_kind(uspk, tmp_path):
    data = json.loads(uspk.export(tmp_path, "timelinejs"))
    entries = uspk.timeline()
    assert data["title"]["text"]["headline"] == "The 2025 US\u2013Pakistan reset"
    assert f"{len(entries)} events" in data["title"]["text"]["text"]
    assert [e["unique_id"] for e in data["events"]] == [e["id"] for e in entries]
    assert [e["group"] for e in data["events"]] == [e["kind"].replace("-", " ") for e in entries]
    assert all(e["autolink"] is False for e in data["events"])
    first = data["events"][0]["text"]
    assert first["headline"] == html.escape(entries[0]["title"])
    assert first["text"].startswith(f"<p>{html.escape(entries[0]['summary'])}</p>")


def test_timelinejs_dates_carry_only_the_precision_known_and_spans_end_where_they_end(
    uspk, tmp_path
):
    slides = {e["unique_id"]: e for e in json.loads(uspk.export(tmp_path, "timelinejs"))["events"]}
    june = slides[JUNE]
    assert june["start_date"] == {"year": 2025, "month": 6, "display_date": "June 2025"}
    assert june["end_date"] == {"year": 2025, "month": 6, "day": 30, "display_date": "June 2025"}
    assert june["display_date"] == "June 2025"
    visit = slides[VISIT]
    assert visit["start_date"] == {
        "year": 2025,
        "month": 9,
        "day": 7,
        "display_date": "7 Sep 2025 \u2013 9 Sep 2025",
    }
    assert (visit["end_date"]["month"], visit["end_date"]["day"]) == (9, 9)
    signing = slides["ussm-fwo-mou-signed-2025-09-08"]
    assert signing["start_date"]["day"] == 8 and "end_date" not in signing


def test_timelinejs_media_quotes_the_first_linked_source_and_credits_it(uspk, tmp_path):
    slides = json.loads(uspk.export(tmp_path, "timelinejs"))["events"]
    entries = {e["id"]: e for e in uspk.timeline()}
    for slide in slides:
        source = next(s for s in entries[slide["unique_id"]]["sources"] if s["url"])
        media = slide["media"]
        assert media["link"] == source["url"]
        assert f'href="{html.escape(source["url"])}"' in media["caption"]
        assert media["credit"].startswith(html.escape(source["publisher"]))
        quote = Scan(media["url"])
        assert quote.tags() == {"blockquote"} and quote.text == (source["quote"] or source["title"])


# -- Markdown -------------------------------------------------------------------------


def test_markdown_report_has_state_tables_a_timeline_table_and_every_footnote_defined(
    uspk, tmp_path
):
    report = uspk.export(tmp_path, "markdown").decode()
    entries = uspk.timeline()
    lines = report.splitlines()
    assert lines[0] == "# The 2025 US\u2013Pakistan reset"

    def table(heading: str) -> list[str]:
        start = lines.index(heading) + 4  # heading, blank, header row, separator
        return lines[start : lines.index("", start)]

    state = json.loads(uspk.ok("state", "--at", latest_day(uspk), "--format", "json"))
    agreements = table(f"### Agreements ({len(state['agreements'])})")
    assert len(agreements) == len(state["agreements"]) >= 2
    ussm = next(row for row in agreements if "(ussm-fwo-mou)" in row)
    assert "US Strategic Metals \u2013 Frontier Works Organization" in ussm
    assert "about USD 500 million (first phase)" in ussm
    steps = table(f"### Next steps ({len(state['next_steps'])})")
    statuses = [s["status"] for s in state["next_steps"]]
    assert len(steps) == len(statuses) >= 5 and all(
        f"| {status} |" in row for row, status in zip(steps, statuses, strict=True)
    )
    engagements = len(state["engagements"])
    assert len(table(f"### Engagements ({engagements})")) == engagements
    timeline = table(f"## Timeline ({len(entries)} events)")
    assert [re.search(r"\(([a-z0-9-]+)\)", row).group(1) for row in timeline] == [
        e["id"] for e in entries
    ]
    assert timeline[0].startswith("| June 2025 | month | meeting |")
    used = set(re.findall(r"\[\^(\d+)\](?!:)", report))
    defined = re.findall(r"^\[\^(\d+)\]: ", report, flags=re.M)
    assert used == set(defined) and defined == [str(n) for n in range(1, len(defined) + 1)]
    for source in (s for e in entries for s in e["sources"]):
        assert f"<{source['url']}>" in report  # sources link, as autolinks


# -- CSV ------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_one_row_per_event_with_dates_and_their_precision(uspk, tmp_path):
    raw = uspk.export(tmp_path, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # so spreadsheets read UTF-8, not a code page
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    entries = uspk.timeline()
    assert [r["id"] for r in rows] == [e["id"] for e in entries]
    june = rows[0]
    assert (june["edtf"], june["precision"], june["start"], june["end"]) == (
        "2025-06",
        "month",
        "2025-06-01",
        "2025-06-30",
    )
    assert {r["standing"] for r in rows} == {"settled"}
    assert rows[0]["state_as_of"] == latest_day(uspk)
    baker = next(r for r in rows if r["id"] == "baker-statement-on-mou-2025-09-08")
    assert baker["title"].startswith("Charg\u00e9 d'Affaires")  # non-ASCII survives
    assert baker["source_urls"].splitlines() == [
        s["url"] for s in next(e for e in entries if e["id"] == baker["id"])["sources"]
    ]


def test_csv_standing_says_how_the_state_on_the_date_treats_each_event(uspk, tmp_path):
    rows = list(
        csv.DictReader(
            io.StringIO(uspk.export(tmp_path, "csv", "--at", "2025-06-15").decode("utf-8-sig"))
        )
    )
    assert rows[0]["standing"] == "undetermined"  # June 2025 contains 15 June
    assert {r["standing"] for r in rows[1:]} == {"after"}


# -- JSON -----------------------------------------------------------------------------


def test_json_has_every_event_with_sources_and_both_clocks_and_the_state(uspk, tmp_path):
    data = json.loads(uspk.export(tmp_path, "json", "--at", "2025-09-07"))
    entries = uspk.timeline()
    assert data["events"] == entries
    assert all(e["recorded"] and e["occurred"]["edtf"] and e["sources"] for e in data["events"])
    assert data["as_of"] == "2025-09-07" and data["known_at"] is None
    assert data["state"] == json.loads(uspk.ok("state", "--at", "2025-09-07", "--format", "json"))
    assert data["uspk_export"] == 1 and data["generator"].startswith("uspk ")
