"""Property: whatever batches the rules accept — claims, events relating to them by any
relation, amendments and retractions, in any order — every relation stays resolvable in
every view: a link names an event the record holds (``show`` finds it), and a believed
link shows at both ends (``relates`` on the event naming it, ``related_by`` on the
believed event it names) in the timeline, the state and their text. No link to nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.render import relation_lines, state_text, timeline_text
from domain.chronicle import Chronicle
from domain.records import believed_records
from domain.world import RuleBroken
from events.relations import RELATIONS, backward, forward
from projections.state import state_at
from projections.timeline import timeline
from tests.factories import introductions, make, retraction
from tests.oracle import record

NOW = datetime(2026, 12, 1, tzinfo=UTC)
AS_OF = date(2025, 12, 31)
PEOPLE = introductions("speaker-a", "speaker-b")


def statement(n: int, day: int, relates: list[dict]) -> object:
    return make(
        "statement-made",
        f"said-{n}",
        f"2025-10-{day:02d}",
        speaker="speaker-a",
        quote="Words.",
        relates=relates,
    )


# One step: a statement relating to earlier ones, or an amendment, or a retraction.
steps = st.lists(
    st.tuples(
        st.sampled_from(["say", "say", "say", "amend", "retract"]),
        st.integers(min_value=1, max_value=28),  # its day
        st.lists(st.tuples(st.integers(0, 50), st.sampled_from(sorted(RELATIONS))), max_size=2),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps)
def test_every_accepted_relation_is_resolvable_in_every_view(plan):
    chronicle = Chronicle()
    record(chronicle, [PEOPLE], NOW)
    said: list[str] = []
    for n, (action, day, links) in enumerate(plan):
        earlier = sorted(said)
        relates = [
            {"to": earlier[i % len(earlier)], "relation": name} for i, name in links if earlier
        ]
        relates = list({r["to"]: r for r in relates}.values())
        if action == "say" or not earlier:
            batch = [statement(n, day, relates)]
        elif action == "amend":
            target = earlier[day % len(earlier)]
            batch = [
                make(
                    "statement-made",
                    f"said-{n}",
                    f"2025-10-{day:02d}",
                    speaker="speaker-b",
                    quote="Words, as amended.",
                    supersedes=target,
                    relates=[r for r in relates if r["to"] != target],
                )
            ]
        else:
            batch = [retraction(earlier[day % len(earlier)], event_id=f"retract-{n}")]
        try:
            record(chronicle, batch, NOW)
        except RuleBroken:
            continue  # refused whole: the rules said no
        said += [d.id for d in batch if d.kind != "retraction"]

    recorded = {r.id for r in chronicle.records if r.document.kind != "retraction"}
    believed = believed_records(chronicle.records)
    entries = {e["id"]: e for e in timeline(believed)}
    state = state_at(believed, AS_OF)
    views = [*entries.values(), *state["statements"]]
    for view in views:
        for link in view["relates"]:
            assert link["to"] in recorded, link  # `show` finds it
        for link in view["related_by"]:
            assert link["from"] in entries, link  # from a believed event
    texts = timeline_text(list(entries.values())) + state_text(state, latest=None)
    for entry in entries.values():
        for link in entry["relates"]:
            assert f"{forward(link['relation'])} {link['to']}" in relation_lines(entry)
            if link["to"] in entries:  # both ends, in the data and in the text
                back = {"from": entry["id"], "relation": link["relation"], "note": None}
                assert back in entries[link["to"]]["related_by"]
                assert f"{backward(link['relation'])} {entry['id']}" in texts
