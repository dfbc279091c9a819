"""A record that says where it stops: asked about a date after the last day any event is
dated to, `state`, `diff` and the HTML page say in one line that nothing after that day
is recorded; asked about that day or one before, they say nothing of the kind."""

from __future__ import annotations

from datetime import date, timedelta

from events.dates import parse_date
from tests.clirunner import Uspk
from tests.shipped import recorded_until

LAST = date.fromisoformat(recorded_until())
AFTER = (LAST + timedelta(days=1)).isoformat()
LINE = f"Nothing after {parse_date(LAST.isoformat()).human()} is recorded"


def test_state_on_a_date_after_the_last_event_says_where_the_record_stops(store_address):
    uspk = Uspk(store_address)
    after = uspk.ok("state", "--at", AFTER).splitlines()
    assert after[1].startswith(LINE) and AFTER in after[1]
    assert sum(LINE in line for line in after) == 1
    for day in (LAST.isoformat(), "2025-12-31"):
        assert LINE not in uspk.ok("state", "--at", day)


def test_diff_to_a_date_after_the_last_event_says_where_the_record_stops(store_address):
    uspk = Uspk(store_address)
    assert LINE in uspk.ok("diff", "2026-01", AFTER)
    assert "Nothing after" not in uspk.ok("diff", "2026-01", LAST.isoformat())


def test_the_page_for_a_date_after_the_last_event_says_where_the_record_stops(
    store_address, tmp_path
):
    uspk = Uspk(store_address)
    uspk.ok("export", "--at", AFTER, "-o", str(tmp_path / "after.html"))
    uspk.ok("export", "-o", str(tmp_path / "default.html"))  # the state on the last day
    uspk.ok("export", "--at", "2025-12-31", "-o", str(tmp_path / "before.html"))
    after = (tmp_path / "after.html").read_text(encoding="utf-8")
    assert after.count('class="horizon"') == 1 and LINE in after
    for name in ("default.html", "before.html"):
        assert 'class="horizon"' not in (tmp_path / name).read_text(encoding="utf-8")
