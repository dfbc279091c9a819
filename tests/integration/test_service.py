"""The service layer's use cases, as a scenario on a real store (both backends): simple
values in (ids, dates, moments, file contents) and plain data out, the kind a command
line renders without knowing the application, its recorder or its read model."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from events.files import InputError, Loaded
from service import reading, recording, upkeep
from service.bootstrap import Session, Upkeep, checked_store
from service.stores import StoreError
from tests.factories import SOURCE, make, retraction
from tests.shipped import shipped_documents

EXTRA = make("meeting", "test-extra", "2025-09-09", participants=["shehbaz-sharif", "ishaq-dar"])
BEFORE = datetime(2000, 1, 1, tzinfo=UTC)


def as_file(*documents) -> bytes:
    """Documents as the bytes of a file, as `uspk amend` reads it."""
    raws = [d.model_dump(mode="json", exclude_none=True) for d in documents]
    return json.dumps(raws[0] if len(raws) == 1 else raws).encode()


def plain(value) -> bool:
    """Whether ``value`` is made of JSON's values only (dates as ISO text)."""
    return json.loads(json.dumps(value, default=str)) is not None


def test_scenario_append_read_amend_retract_and_verify_through_use_cases(store_address):
    store = checked_store(store_address, create=True)
    with Session(store) as session:
        added = recording.record(session, recording.appending([Loaded("extra.yaml", [EXTRA])]))
        assert (added.added, added.unchanged) == (["test-extra"], [])
        assert recording.record(
            session, recording.appending([Loaded("extra.yaml", [EXTRA])])
        ).unchanged == ["test-extra"]

        day = date(2025, 9, 9)
        entries = reading.timeline(session, since=day, until=day)
        around = {d.id for d in shipped_documents() if d.occurred.start <= day <= d.occurred.end}
        assert {e["id"] for e in entries} == {"test-extra", *around} and plain(entries)
        assert plain(reading.state_at(session, date(2025, 9, 30)))
        assert plain(reading.replay(session, until=date(2025, 9, 9)))
        assert plain(reading.diff(session, date(2025, 8, 31), date(2025, 9, 30)))
        assert reading.show_event(session, "test-extra")["event"]["id"] == "test-extra"

        exact = make("meeting", "test-extra-exact", "2025-09-10", participants=["ussm", "fwo"])
        amendment = recording.reading_amendment("test-extra", as_file(exact), "exact.yaml")
        recording.record(session, recording.amending(amendment))
        retracted = recording.record(
            session, recording.retracting(["test-extra-exact"], "Wrong.", SOURCE)
        )
        assert retracted.added == ["retract-test-extra-exact"]
        assert [e["id"] for e in reading.event_history(session, "test-extra")]
        assert "retraction" in reading.show_event(session, "retract-test-extra-exact")
        exported = reading.export_bundle(session)
        assert "test-extra-exact" not in {e["id"] for e in exported.entries}
        assert plain(exported.state) and isinstance(exported.as_of, date)

    with Upkeep(checked_store(store_address, existing=True)) as opened:
        assert upkeep.verify(opened).disagreements == []
        assert 0 < upkeep.rebuild(opened) <= upkeep.log_end(opened)
        assert upkeep.verify(opened).disagreements == []


def test_use_cases_refuse_with_errors_that_name_what_is_wrong(store_address):
    with Session(checked_store(store_address, create=True)) as session:
        with pytest.raises(reading.UnknownEvent, match="no event with id 'test-nothing'"):
            reading.show_event(session, "test-nothing")
        with pytest.raises(InputError, match="^two.yaml: expected exactly one event"):
            recording.reading_amendment("test-extra", as_file(EXTRA, EXTRA), "two.yaml")
        with pytest.raises(
            recording.Refused, match="^retract test-nothing: .*nothing was written$"
        ):
            recording.record(session, recording.retracting(["test-nothing"], "Wrong.", SOURCE))
        with pytest.raises(reading.NothingToExport, match="at the --known-at moment"):
            reading.export_bundle(session, known_at=BEFORE)


def test_upkeep_refuses_a_store_that_does_not_exist_rather_than_making_it(tmp_path):
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(StoreError, match="nothing to check or rebuild"):
        checked_store(str(missing), existing=True)
    assert not missing.exists()


def test_copy_history_reports_both_addresses_and_what_it_copied(store_address, tmp_path):
    with Session(checked_store(store_address, create=True)):
        pass  # the shipped history, loaded on first use
    target = str(tmp_path / "copy.sqlite")
    report = upkeep.copy_history(store_address, target)
    assert report.target == target and report.copied > 0 and report.present == 0
    again = upkeep.copy_history(store_address, target)
    assert (again.copied, again.present) == (0, report.copied)


def test_an_actor_is_named_as_introduced_by_its_first_introduction_in_occurrence_order(
    store_address,
):
    """`uspk actors` reads only the introductions: an actor introduced twice is introduced
    by the one that occurred first, though recorded second, and once that is retracted
    by the other."""
    newcomer = {"id": "test-newcomer", "name": "Newcomer", "type": "organisation"}

    def meeting(event_id: str, occurred: str):
        return make(
            "meeting",
            event_id,
            occurred,
            participants=["shehbaz-sharif", "test-newcomer"],
            introduces=[newcomer],
        )

    later, earlier = meeting("test-later", "2025-09-20"), meeting("test-earlier", "2025-09-10")
    with Session(checked_store(store_address, create=True)) as session:
        for document in (later, earlier):
            recording.record(session, recording.appending([Loaded("x.yaml", [document])]))

        def introducer() -> str:
            listed = {a["id"]: a for a in reading.actors(session)}
            return listed["test-newcomer"]["introduced_by"]

        assert introducer() == "test-earlier"
        withdrawn = retraction("test-earlier")
        recording.record(session, recording.appending([Loaded("r.yaml", [withdrawn])]))
        assert introducer() == "test-later"


def test_an_unknown_ids_suggestions_are_chosen_among_the_ids_nearest_it(store_address):
    """Not every id of the record: as many either side of the asked one in the store's
    text order, whatever the record's size; a typo near the end still finds its id."""
    with Session(checked_store(store_address, create=True)) as session:
        known = sorted(d.id for d in shipped_documents())[10]
        near = session.index.ids_near(known + "x", 2)
        assert len(near) == 4 and known in near
        with pytest.raises(reading.UnknownEvent, match=f"did you mean: {known}"):
            reading.show_event(session, known[:-1])
