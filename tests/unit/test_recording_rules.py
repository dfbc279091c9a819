"""The record's rules that only the command line's tests stated, stated here on the domain
alone (issue 18: the mutation run of the `domain` group found them unchecked by its unit
tests). A source and the date it is cited for (``told_after``, ``told_after_it``, with
``stance: previews`` and each edge); a retraction refused while standing events relate
to its event, and a relation to a hidden event; the chain's ``follow``; a conference's or
talks' engagement; what a lenient fold applied; a refusal read back in another process.
Each refusal is checked as the one line it is, word for word. No store."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from domain.chain import BrokenLink, follow, link
from domain.chronicle import Chronicle, current
from domain.recording import told_after, told_after_it
from domain.records import fold_lenient
from domain.rules import RuleBroken
from domain.world import fold
from tests.factories import introductions, make, retraction, signing
from tests.oracle import record

NOW = datetime(2025, 9, 10, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
ACTORS = introductions("ussm", "fwo")


def source(published: str, stance: str | None = None, publisher: str = "Test Gazette") -> dict:
    return {
        "publisher": publisher,
        "title": f"A report of {published}",
        "published": published,
        **({"stance": stance} if stance else {}),
    }


def meeting(event_id: str = "m1", occurred: str = "2025-09-08", sources=None, **fields):
    return make(
        "meeting",
        event_id,
        occurred,
        participants=["ussm", "fwo"],
        **({"sources": sources} if sources is not None else {}),
        **fields,
    )


def refused(check, document) -> str:
    with pytest.raises(RuleBroken) as refusal:
        check(document)
    return str(refusal.value)


# -- an event after every source's publication (told_after) ---------------------------------


def test_an_event_on_the_day_its_latest_source_was_published_is_told_by_it():
    told_after(meeting(sources=[source("2025-09-01"), source("2025-09-08")]))


def test_an_event_after_every_source_is_refused_naming_the_latest_of_several():
    document = meeting(sources=[source("2025-09-05"), source("2025-09-01")])
    assert refused(told_after, document) == (
        "event 'm1': occurred 2025-09-08 is after every source's publication (the latest: "
        "2025-09-05); a source cannot report what had not yet happened"
    )


def test_an_event_after_its_previews_alone_is_refused_saying_previews_tell_the_plan():
    document = meeting(sources=[source("2025-09-01", "previews"), source("2025-09-05", "previews")])
    assert refused(told_after, document) == (
        "event 'm1': occurred 2025-09-08 is after every source's publication (the latest: "
        "2025-09-05); a source cannot report what had not yet happened; previews tell what "
        "was planned: cite a report from after it"
    )


def test_an_event_after_a_preview_and_a_report_is_refused_without_the_previews_advice():
    document = meeting(sources=[source("2025-09-01", "previews"), source("2025-09-05")])
    assert refused(told_after, document).endswith(
        "a source cannot report what had not yet happened"
    )


# -- a source before the event, a preview after it (told_after_it) --------------------------


def test_a_source_published_on_the_day_of_the_event_reports_it():
    told_after_it(meeting(sources=[source("2025-09-08")]))


def test_a_report_published_before_the_event_is_refused_in_one_line():
    document = meeting(sources=[source("2025-09-20"), source("2025-09-07", publisher="Early")])
    assert refused(told_after_it, document) == (
        "event 'm1': source 'Early' was published 2025-09-07, before it occurred "
        "(2025-09-08); a report from before the event tells what was planned: mark it "
        "`stance: previews`, or cite a report from after it"
    )


def test_a_preview_published_before_the_event_stands_beside_a_report_after_it():
    told_after_it(meeting(sources=[source("2025-09-07", "previews"), source("2025-09-20")]))


def test_a_preview_published_on_the_day_of_the_event_is_accepted():
    told_after_it(meeting(sources=[source("2025-09-08", "previews"), source("2025-09-20")]))


def test_a_preview_published_after_the_event_is_refused_in_one_line():
    document = meeting(sources=[source("2025-09-20"), source("2025-09-09", "previews", "Late")])
    assert refused(told_after_it, document) == (
        "event 'm1': source 'Late' (published 2025-09-09) is marked `stance: previews` but "
        "was published after it occurred (2025-09-08); a report from after the event "
        "reports it"
    )


def alternative(field: str, value: str, published: str) -> dict:
    return {"field": field, "value": value, "sources": [source(published, publisher="Other")]}


def test_the_events_own_sources_are_checked_when_it_has_alternatives():
    document = meeting(
        sources=[source("2025-09-20"), source("2025-09-07", publisher="Early")],
        alternatives=[alternative("place", "Lahore", "2025-09-20")],
    )
    assert "source 'Early' was published 2025-09-07" in refused(told_after_it, document)


def test_an_alternatives_sources_are_held_against_the_events_date_for_another_field():
    told_after_it(meeting(alternatives=[alternative("place", "Lahore", "2025-09-08")]))
    early = meeting(alternatives=[alternative("place", "Lahore", "2025-09-07")])
    assert refused(told_after_it, early).startswith(
        "event 'm1': source 'Other' was published 2025-09-07, before it occurred (2025-09-08)"
    )


def test_an_alternative_date_is_what_its_own_sources_are_held_against():
    later = meeting(alternatives=[alternative("occurred", "2025-09-20", "2025-09-15")])
    assert refused(told_after_it, later).startswith(
        "event 'm1': source 'Other' was published 2025-09-15, before it occurred (2025-09-20)"
    )
    told_after_it(meeting(alternatives=[alternative("occurred", "2025-09-01", "2025-09-02")]))


# -- retracting what others relate to; relating to what is hidden ---------------------------


def follows_up(event_id: str, target: str, occurred: str = "2025-08"):
    return meeting(event_id, occurred, relates=[{"to": target, "relation": "follows-up"}])


def recorded(*documents) -> Chronicle:
    chronicle = Chronicle()
    record(chronicle, [ACTORS, *documents], NOW)
    return chronicle


def refusal(chronicle, *documents) -> str:
    with pytest.raises(RuleBroken) as refused_batch:
        record(chronicle, list(documents), LATER)
    return str(refused_batch.value)


def test_retracting_an_event_standing_events_relate_to_is_refused_naming_them_all():
    chronicle = recorded(
        meeting("june", "2025-06"), follows_up("july", "june"), follows_up("aug", "june")
    )
    assert refusal(chronicle, retraction("june")) == (
        "event 'retract-june': cannot retract 'june': 2 standing event(s) relate to it: "
        "aug, july; retract or amend them in the same batch"
    )
    assert [h.id for h in current(chronicle.records)] == ["intro", "june", "aug", "july"]


def test_retracting_an_event_with_what_relates_to_it_retracted_or_amended_is_accepted():
    chronicle = recorded(
        meeting("june", "2025-06"), follows_up("july", "june"), follows_up("aug", "june")
    )
    unrelated = meeting("aug-2", "2025-08", supersedes="aug", relates=[])
    added, _ = record(chronicle, [retraction("july"), unrelated, retraction("june")], LATER)
    assert added == ["retract-july", "aug-2", "retract-june"]
    assert [h.id for h in current(chronicle.records)] == ["intro", "aug-2"]


def test_retracting_an_event_and_relating_to_it_in_one_batch_is_refused():
    """The relation is refused first: an event the batch retracts does not stand."""
    chronicle = recorded(meeting("june", "2025-06"))
    assert refusal(chronicle, follows_up("july", "june"), retraction("june")).startswith(
        "event 'july': relates to 'june' (follows-up), but that event is retracted"
    )


def test_relating_to_a_retracted_event_is_refused_in_one_line():
    chronicle = recorded(meeting("june", "2025-06"), retraction("june"))
    assert refusal(chronicle, follows_up("july", "june")) == (
        "event 'july': relates to 'june' (follows-up), but that event is retracted or "
        "superseded (see `uspk history june`); relate to the event that stands"
    )


def test_relating_to_a_superseded_event_is_refused_and_to_its_amendment_accepted():
    chronicle = recorded(
        meeting("june", "2025-06"), meeting("june-2", "2025-06-02", supersedes="june")
    )
    assert "relates to 'june' (follows-up), but that event is retracted or superseded" in (
        refusal(chronicle, follows_up("july", "june"))
    )
    assert record(chronicle, [follows_up("july", "june-2")], LATER)[0] == ["july"]


# -- the chain: following a stored link -----------------------------------------------------

WHEN = datetime(2025, 9, 9, 12, 0, tzinfo=UTC)
DOCUMENT = {"id": "e1", "kind": "meeting", "title": "A meeting"}
CHANGE = (DOCUMENT, "ann", "why", WHEN)  # what was stored, by whom, why, when


def test_following_a_change_gives_its_link_after_the_previous_one():
    expected = link("a" * 64, *CHANGE)
    assert follow("a" * 64, None, False, *CHANGE) == expected  # stored before the chain
    assert follow("a" * 64, expected, True, *CHANGE) == expected  # its own link
    assert follow("a" * 64, expected, False, *CHANGE) == expected  # the first with one


def test_a_change_without_a_link_after_linked_changes_is_broken():
    with pytest.raises(BrokenLink) as broken:
        follow("a" * 64, None, True, *CHANGE)
    assert str(broken.value) == (
        "carries no link although changes before it do: its link was removed, or an "
        "older uspk recorded it"
    )


def test_a_change_whose_link_is_not_its_own_is_broken():
    after_another = link("b" * 64, *CHANGE)
    with pytest.raises(BrokenLink) as broken:
        follow("a" * 64, after_another, True, *CHANGE)
    assert str(broken.value) == (
        "is not what was chained: its stored content, or the order or presence of "
        "the changes before it, changed since it was recorded"
    )


# -- the world and the fold -----------------------------------------------------------------


def conference(until: str | None, occurred: str = "2025-09-08"):
    return make(
        "conference",
        "summit",
        occurred,
        title="A summit",
        hosts=["ussm"],
        participants=["ussm", "fwo"],
        **({"until": until} if until else {}),
    )


def test_a_conference_is_an_engagement_with_its_kind_title_days_and_participants():
    [_, summit] = fold([ACTORS, conference("2025-09-10")]).engagements  # after the intro
    assert (summit.event_id, summit.kind, summit.title) == ("summit", "conference", "A summit")
    assert (str(summit.occurred), str(summit.until)) == ("2025-09-08", "2025-09-10")
    assert (summit.participants, summit.hosts, summit.priority_areas) == (
        ["ussm", "fwo"],
        ["ussm"],
        [],
    )


def test_talks_are_an_engagement_of_their_parties():
    talks = make("talks", "t1", parties=["ussm", "fwo"], host="fwo")
    [_, held] = fold([ACTORS, talks]).engagements
    assert (held.kind, held.participants, held.hosts, held.until) == (
        "talks",
        ["ussm", "fwo"],
        ["fwo"],
        None,
    )


def test_a_conference_ending_the_day_it_began_is_accepted_one_ending_before_refused():
    [_, one_day] = fold([ACTORS, conference("2025-09-08")]).engagements
    assert str(one_day.until) == "2025-09-08"
    with pytest.raises(RuleBroken) as refusal_of_it:
        fold([ACTORS, conference("2025-09-07")])
    assert str(refusal_of_it.value) == "event 'summit': it cannot end ('until') before it begins"


def test_a_lenient_fold_tells_what_each_applied_happening_changed():
    applied: dict[str, list] = {}
    _, broken = fold_lenient([ACTORS, signing("a1")], None, applied)
    assert broken == []
    assert set(applied) == {"intro", "a1-signed"}
    assert applied["a1-signed"] and all(change.text for change in applied["a1-signed"])


def test_a_refusal_read_back_in_another_process_names_the_same_event_and_reason():
    """What ``pickle`` does to send it between processes: built again from its args."""
    again = pickle.loads(pickle.dumps(RuleBroken("e1", "it cannot be", "; hint")))
    assert (type(again), again.event_id, again.reason) == (RuleBroken, "e1", "it cannot be")


def test_a_refusals_args_are_its_event_and_reason_as_its_repr_shows_them():
    refusal = RuleBroken("e1", "it cannot be", "; hint")
    assert refusal.args == ("e1", "it cannot be")
    assert repr(refusal) == "RuleBroken('e1', 'it cannot be')"
