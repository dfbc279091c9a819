"""Two clocks on a real store: what stood on D, as believed on T.

The story: on day 1 the article's history is recorded; on day 2 a second source gives
the June meeting's day (an amendment) and Field Marshal Munir's June visit to the US is
backfilled, before everything else; on day 3 one commitment is retracted. Each day's belief stays
answerable afterwards.
"""

from datetime import date, datetime

import pytest

from projections.diff import diff
from projections.state import state_at
from projections.timeline import timeline
from service.stores import resolve_store
from tests.factories import retraction
from tests.oracle import ReplayedUspk
from tests.shipped import after_history, june_amendment, june_visit_backfill, shipped_documents

# recorded after the shipped history's last day (nothing is recorded before it occurs)
DAY1 = after_history()
DAY2 = after_history(10)
DAY3 = after_history(26)
VISIT = "munir-us-visit-2025-06"
RETRACTED = "ussm-fwo-sustainability-priority-2025-09-08"  # a commitment nothing depends on
SEPT_8 = date(2025, 9, 8)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def story(store_address):
    clock = Clock(DAY1)
    app = ReplayedUspk(resolve_store(store_address), clock=clock)
    app.append(shipped_documents())
    clock.now = DAY2
    app.append([june_amendment(), june_visit_backfill()])
    clock.now = DAY3
    app.append([retraction(RETRACTED, reason="A statement of intent, not a commitment.")])
    yield app
    app.close()


def ids(entries):
    return [entry["id"] for entry in entries]


def commitments(state):
    return [c["event_id"] for a in state["agreements"] for c in a["commitments"]]


def test_day_one_belief_has_the_june_meeting_by_month_and_no_june_visit(story):
    entries = timeline(story.believed(DAY1))
    assert entries[0]["id"] == "trump-munir-meeting-2025-06"
    assert entries[0]["occurred"]["precision"] == "month"
    assert VISIT not in ids(entries)
    engagements = state_at(story.believed(DAY1), SEPT_8, DAY1)["engagements"]
    settled = [e for e in entries if e["occurred"]["end"] <= SEPT_8.isoformat()]
    expected = [e["kind"] for e in settled if e["kind"] in ("meeting", "visit")]
    assert [e["kind"] for e in engagements] == expected and "visit" in expected


def test_day_two_belief_has_the_day_of_the_june_meeting_and_the_backfilled_visit_in_place(story):
    entries = timeline(story.believed(DAY2))
    assert ids(entries)[:2] == [VISIT, "trump-munir-lunch-2025-06-18"]  # placed by occurrence
    assert entries[1]["occurred"]["edtf"] == "2025-06-18"
    assert story.records()[-2].id == VISIT  # though recorded after everything else
    assert RETRACTED in commitments(state_at(story.believed(DAY2), SEPT_8, DAY2))


def test_day_three_belief_drops_the_retracted_commitment_but_day_two_still_shows_it(story):
    now = state_at(story.believed(), SEPT_8)
    assert RETRACTED not in commitments(now)
    assert RETRACTED in commitments(state_at(story.believed(DAY2), SEPT_8, DAY2))
    assert len(story.records()) == len(shipped_documents()) + 3  # nothing deleted


def test_the_june_meeting_is_undetermined_on_a_june_day_until_its_day_is_known(story):
    june_10 = date(2025, 6, 10)
    before = state_at(story.believed(DAY1), june_10, DAY1)
    assert [u["event_id"] for u in before["undetermined"]] == ["trump-munir-meeting-2025-06"]
    after = state_at(story.believed(DAY2), june_10, DAY2)
    assert [u["event_id"] for u in after["undetermined"]] == [VISIT]  # known only by month
    assert after["engagements"] == []
    june_20 = state_at(story.believed(DAY2), date(2025, 6, 20), DAY2)
    assert [e["event_id"] for e in june_20["engagements"]] == ["trump-munir-lunch-2025-06-18"]


def test_diff_over_the_summer_lists_every_change_with_its_event_and_source(story):
    changes = diff(story.believed(), date(2025, 6, 1), date(2025, 9, 30))
    by_category = {c["category"] for c in changes}
    assert by_category >= {"engagement", "agreement", "commitment", "step", "actor"}
    assert all(c["event_id"] and c["source"]["publisher"] for c in changes)
    assert "trump-munir-lunch-2025-06-18" in {c["event_id"] for c in changes}
    assert RETRACTED not in {c["event_id"] for c in changes}
    known_day2 = diff(story.believed(DAY2), date(2025, 6, 1), date(2025, 9, 30))
    assert RETRACTED in {c["event_id"] for c in known_day2}
