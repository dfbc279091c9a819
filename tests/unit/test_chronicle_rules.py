"""Recording batches in the chronicle aggregate: the record's own rules, in memory."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.chronicle import Chronicle, Conflict, current
from domain.recording import retraction_id
from domain.world import RuleBroken
from events.model import SLUG_MAX_LENGTH
from tests.factories import actor, commitment, introductions, make, retraction, signing, step
from tests.oracle import record

NOW = datetime(2025, 9, 10, 12, tzinfo=UTC)
ACTORS = introductions("ussm", "fwo")


def recorded(*batches, start=NOW):
    chronicle = Chronicle()
    for day, batch in enumerate(batches):
        record(chronicle, batch, start + timedelta(days=day))
    return chronicle


def ids(chronicle, known_at=None):
    return [h.id for h in current(chronicle.records, known_at)]


def test_same_event_twice_is_a_no_op():
    chronicle = recorded([ACTORS, signing("a1")])
    added, unchanged = record(chronicle, [signing("a1")], NOW)
    assert (added, unchanged) == ([], ["a1-signed"])
    assert len(chronicle.records) == 2


def test_same_id_with_different_content_is_a_conflict_and_writes_nothing():
    chronicle = recorded([ACTORS, signing("a1")])
    with pytest.raises(Conflict, match="different content"):
        record(chronicle, [step("s1"), signing("a1", venue="Elsewhere")], NOW)
    assert len(chronicle.records) == 2
    assert len(chronicle.pending_events) == 3  # created + the first two, nothing more


def test_a_batch_with_only_its_last_event_bad_writes_nothing():
    chronicle = recorded([ACTORS])
    with pytest.raises(RuleBroken, match="c9"):
        record(chronicle, [signing("a1"), commitment("a1"), commitment("nope", "c9")], NOW)
    assert ids(chronicle) == ["intro"]


def test_nothing_occurs_after_it_is_recorded():
    with pytest.raises(RuleBroken, match="after it is recorded"):
        recorded([ACTORS, signing("a1", occurred="2025-09-11")])


def test_a_backfill_that_breaks_a_rule_at_its_date_is_refused():
    chronicle = recorded([ACTORS, signing("a1")])
    with pytest.raises(RuleBroken, match="not signed by 2025-09-01"):
        record(chronicle, [commitment("a1", occurred="2025-09-01")], NOW)


def test_a_backfill_that_makes_a_later_event_valid_is_accepted_in_its_place():
    chronicle = recorded([ACTORS, signing("a1")])
    early = make("meeting", "early", "2025-07", participants=["ussm", "fwo"])
    record(chronicle, [early], NOW)
    assert ids(chronicle) == ["intro", "early", "a1-signed"]


def test_retraction_hides_an_event_but_known_at_before_it_still_shows_it():
    chronicle = recorded([ACTORS, signing("a1"), step("s1")], [retraction("s1-planned")])
    assert "s1-planned" not in ids(chronicle)
    assert "s1-planned" in ids(chronicle, known_at=NOW)
    assert "s1-planned" in chronicle.by_id  # never deleted


def test_retracting_what_others_depend_on_is_refused_naming_them():
    chronicle = recorded([ACTORS, signing("a1"), commitment("a1")])
    expected = r"1 recorded event\(s\) broken: c1 .*retract or amend them in the same batch"
    with pytest.raises(RuleBroken, match=expected):
        record(chronicle, [retraction("a1-signed")], NOW)
    record(chronicle, [retraction("a1-signed"), retraction("c1")], NOW)
    assert ids(chronicle) == ["intro"]


def test_an_amendment_supersedes_and_raises_precision():
    june = make("meeting", "june", "2025-06", participants=["ussm", "fwo"])
    chronicle = recorded([ACTORS, june])
    day = make("meeting", "june-18", "2025-06-18", participants=["ussm", "fwo"], supersedes="june")
    record(chronicle, [day], NOW + timedelta(days=2))
    assert ids(chronicle) == ["intro", "june-18"]
    assert ids(chronicle, known_at=NOW + timedelta(days=1)) == ["intro", "june"]


def test_an_amendment_must_keep_the_kind_and_target_a_standing_event():
    chronicle = recorded([ACTORS, signing("a1")])
    with pytest.raises(RuleBroken, match="same kind"):
        record(chronicle, [step("s1", supersedes="a1-signed")], NOW)
    with pytest.raises(RuleBroken, match="no such event"):
        record(chronicle, [retraction("ghost")], NOW)


def test_one_batch_may_hold_an_event_and_its_amendment():
    june = make("meeting", "june", "2025-06", participants=["ussm", "fwo"])
    day = make("meeting", "june-18", "2025-06-18", participants=["ussm", "fwo"], supersedes="june")
    chronicle = recorded([ACTORS, june, day])
    assert ids(chronicle) == ["intro", "june-18"]


def test_two_amendments_of_one_event_in_one_batch_are_refused_naming_both():
    chronicle = recorded([ACTORS, signing("a1"), step("s1")])
    first = step("s1", "s1-amended", title="Two teams", supersedes="s1-planned")
    second = step("s1", "s1-amended-again", title="Three teams", supersedes="s1-planned")
    expected = "'s1-planned' is amended by 's1-amended' and amended by 's1-amended-again'"
    with pytest.raises(RuleBroken, match=expected):
        record(chronicle, [first, second], NOW)
    assert ids(chronicle) == ["intro", "a1-signed", "s1-planned"]


def test_retracting_and_amending_one_event_in_one_batch_is_refused_naming_both():
    chronicle = recorded([ACTORS, signing("a1"), step("s1")])
    amended = step("s1", "s1-amended", title="Two teams", supersedes="s1-planned")
    expected = "'s1-planned' is retracted by 'retract-s1-planned' and amended by 's1-amended'"
    with pytest.raises(RuleBroken, match=expected):
        record(chronicle, [retraction("s1-planned"), amended], NOW)
    assert ids(chronicle) == ["intro", "a1-signed", "s1-planned"]


def test_two_retractions_of_one_event_in_one_batch_are_refused():
    chronicle = recorded([ACTORS, signing("a1"), step("s1")])
    twice = [retraction("s1-planned"), retraction("s1-planned", "retract-s1-again")]
    with pytest.raises(RuleBroken, match="retracted by 'retract-s1-again' in one batch"):
        record(chronicle, twice, NOW)


@pytest.mark.parametrize("name", ["Ussm", "USSM", "fwo", "Fwo", "ussm-alias"])
def test_a_new_actor_cannot_take_a_name_or_alias_that_names_another_actor(name):
    actors = introductions("ussm", "fwo")
    chronicle = recorded([make_with_aliases(actors, "ussm", ["USSM-alias"])])
    impostor = actor("impostor", name="Someone", aliases=[name])
    meeting = make("meeting", "m1", participants=["ussm", "impostor"], introduces=[impostor])
    owner = "fwo" if name.casefold() == "fwo" else "ussm"
    expected = f"actor 'impostor': '{name}' already names actor {owner}"
    with pytest.raises(RuleBroken, match=expected):
        record(chronicle, [meeting], NOW)
    assert ids(chronicle) == ["intro"]


def make_with_aliases(introducing, actor_id: str, aliases: list[str]):
    """``introducing`` with the actor ``actor_id`` given these aliases."""
    changed = [
        a.model_copy(update={"aliases": aliases}) if a.id == actor_id else a
        for a in introducing.introduces
    ]
    return introducing.model_copy(update={"introduces": changed})


def test_an_actor_introduced_again_under_its_own_names_is_accepted():
    chronicle = recorded([ACTORS])
    again = make("meeting", "m1", participants=["ussm", "fwo"], introduces=[actor("ussm")])
    record(chronicle, [again], NOW)
    assert ids(chronicle) == ["intro", "m1"]


def test_retracting_an_event_again_says_by_which_retraction_and_when():
    chronicle = recorded([ACTORS, signing("a1"), step("s1")], [retraction("s1-planned")])
    again = retraction("s1-planned", reason="Still wrong.")
    expected = (
        r"cannot retract 's1-planned': already retracted by 'retract-s1-planned' "
        r"\(recorded 2025-09-11 12:00:00 UTC\)"
    )
    with pytest.raises(RuleBroken, match=expected):
        record(chronicle, [again], NOW + timedelta(days=2))


@pytest.mark.parametrize("length", [1, 72, 73, SLUG_MAX_LENGTH])
def test_a_retraction_id_always_fits_and_is_the_same_each_time(length):
    event_id = ("e" + "x" * SLUG_MAX_LENGTH)[:length]
    made = retraction_id(event_id)
    assert len(made) <= SLUG_MAX_LENGTH and made == retraction_id(event_id)
    assert made.startswith("retract-e")
    assert retraction(event_id, made).id == made  # a valid id
    other = retraction_id(event_id[:-1] + "y")
    assert other != made
