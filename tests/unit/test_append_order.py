"""Order independence: however the shipped history is split and shuffled into batches,
the timeline and the state come out the same (recorded times aside)."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from cli.render import as_json
from domain.chronicle import Chronicle, believed_records
from domain.world import RuleBroken
from projections.diff import diff
from projections.state import state_at
from projections.timeline import timeline
from tests.oracle import record
from tests.shipped import recorded_until, shipped_documents

DOCUMENTS = shipped_documents()
DATES = [
    date(2025, 6, 15),
    date(2025, 6, 30),
    date(2025, 9, 7),
    date(2025, 9, 8),
    date(2025, 12, 31),
]
# recorded after the last day any shipped event is dated to (nothing occurs after it
# is recorded)
START = datetime.combine(date.fromisoformat(recorded_until()), time(), UTC) + timedelta(days=1)


def answers(chronicle):
    """What `timeline`, `state` and `diff --format json` print, recorded times aside."""
    records = believed_records(chronicle.records)
    entries = [{k: v for k, v in e.items() if k != "recorded"} for e in timeline(records)]
    return {
        "timeline": as_json(entries),
        "states": [as_json(state_at(records, day)) for day in DATES],
        "diff": as_json(diff(records, date(2025, 6, 1), date(2025, 9, 30))),
    }


def _kept_together() -> list[tuple[int, int]]:
    """The shipped documents that relate to an event another shipped document amends,
    each with that amendment (by their places in ``DOCUMENTS``). A relation to a
    superseded event is refused ("relate to the event that stands"), except in the batch
    that supersedes it: the shipped history is loaded as one batch, so its ruling of
    February 2026 may still relate to the first version of the tariff order that a
    later-shipped amendment supersedes; split from that amendment into a later batch,
    it is refused, whatever the order (as are the other pairs found here)."""
    amended_by = {
        d.supersedes: n for n, d in enumerate(DOCUMENTS) if getattr(d, "supersedes", None)
    }
    return [
        (n, amended_by[r.to])
        for n, d in enumerate(DOCUMENTS)
        for r in getattr(d, "relates", ())
        if r.to in amended_by
    ]


KEPT_TOGETHER = _kept_together()


def append_in_batches(order, cuts):
    """Append batch by batch; a batch refused for want of an earlier event is carried
    into the next one, as a user would retry it with what it needs. A cut between a
    document and the amendment it must share a batch with (``KEPT_TOGETHER``) is not
    made."""
    chronicle = Chronicle()
    carried = []
    place = {n: i for i, n in enumerate(order)}
    for pair in KEPT_TOGETHER:
        first, last = sorted(place[n] for n in pair)
        cuts = [c for c in cuts if not first < c <= last]
    bounds = sorted({0, *cuts, len(order)})
    for batch_number, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
        batch = carried + [DOCUMENTS[i] for i in order[lo:hi]]
        try:
            record(chronicle, batch, START + timedelta(minutes=batch_number))
            carried = []
        except RuleBroken:
            carried = batch
    assert not carried, "the whole history is valid, so the last batch must go in"
    return chronicle


REFERENCE = answers(append_in_batches(list(range(len(DOCUMENTS))), []))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(range(len(DOCUMENTS))),
    cuts=st.lists(st.integers(min_value=1, max_value=len(DOCUMENTS) - 1), max_size=8),
)
def test_any_order_and_batching_of_the_shipped_history_gives_the_same_answers(order, cuts):
    chronicle = append_in_batches(order, cuts)
    note(f"recorded order: {[r.id for r in chronicle.records]}")
    assert [r.id for r in chronicle.records] != [] and answers(chronicle) == REFERENCE


def test_a_relation_to_a_superseded_shipped_event_split_from_its_amendment_is_refused():
    """What the batching above leaves uncut: split from the amendment that supersedes
    what it relates to, the February 2026 ruling is refused, as a user's relation to
    the superseded version would be."""
    pairs = [(DOCUMENTS[a].id, DOCUMENTS[b].id) for a, b in KEPT_TOGETHER]
    ruling = "us-reciprocal-tariff-pakistan-ends-2026-02-20"
    assert (ruling, "us-tariff-order-pakistan-19pc-2025-07-31-alternatives-cited") in pairs
    later = {ruling}  # the ruling, and what relates to it or amends it (needs it first)
    while grown := {
        d.id
        for d in DOCUMENTS
        if d.id not in later
        and (
            getattr(d, "supersedes", None) in later
            or {r.to for r in getattr(d, "relates", ())} & later
        )
    }:
        later |= grown
    chronicle = Chronicle()
    record(chronicle, [d for d in DOCUMENTS if d.id not in later], START)
    try:
        record(chronicle, [d for d in DOCUMENTS if d.id == ruling], START + timedelta(minutes=1))
    except RuleBroken as refused:
        assert "relate to the event that stands" in refused.message
    else:
        raise AssertionError("a relation to a superseded event was taken")
