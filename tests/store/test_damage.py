"""A read model that disagrees with its log never answers in silence.

Each kind of damage is done with plain SQL on a real store (both backends); then the
regular commands refuse in one line that names `uspk verify` / `uspk rebuild`, `verify`
names the disagreement and exits 1, `rebuild` repairs, and `verify` and `timeline` agree
with the log again.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime

import pytest
import yaml

from domain.chain import link
from events.files import validate
from tests.clirunner import Uspk
from tests.factories import doc, retraction
from tests.shipped import shipped_amendments
from tests.store.helpers import one_line_error, open_store
from tests.store.test_trust import delete_event, recorded_states, set_state

RETRACTED = "ussm-fwo-sustainability-priority-2025-09-08"  # a commitment nothing depends on
PEOPLE = ["shehbaz-sharif", "ishaq-dar"]
EXTRA = doc("meeting", "test-extra-meeting", "2025-09-09", participants=PEOPLE)
BROKEN = "the event log is broken at event"
SOURCE = ["--publisher", "Review desk", "--title", "Curation review", "--published", "2025-10"]


def run_sql(address: str, *statements: str) -> None:
    """Statements run on the store's database with plain SQL, as a careless hand would."""
    if address.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(address, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    with sqlite3.connect(address) as conn:
        for statement in statements:
            conn.execute(statement)


def event_table(address: str) -> str:
    return "uspk_events" if address.startswith("postgresql://") else "stored_events"


def tracking_table(address: str) -> str:
    """eventsourcing's tracking table, where the read model's position is kept."""
    return "uspk_tracking" if address.startswith("postgresql://") else "tracking"


def timeline_ids(uspk: Uspk) -> list[str]:
    return [entry["id"] for entry in uspk.timeline()]


@pytest.fixture
def used_store(store_address) -> tuple[Uspk, list[str]]:
    """A store with the shipped history and one retraction; its timeline's ids."""
    uspk = Uspk(store_address)
    uspk.ok("retract", RETRACTED, "--reason", "A plan, not a commitment.", *SOURCE)
    return uspk, timeline_ids(uspk)


DAMAGE = {  # the damage done; what verify names; what a command's refusal names
    "tracking row deleted": (
        ["DELETE FROM {tracking} WHERE application_name = 'uspk'"],
        "the tracking row is missing",
        "(its tracking row is missing)",
    ),
    "tracking table dropped": (
        ["DROP TABLE {tracking}"],
        "table {tracking} is missing",
        "(table {tracking} missing)",
    ),
    "meta row deleted": (
        ["DELETE FROM uspk_view_meta"],
        "the meta row is missing",
        "(its meta row is missing)",
    ),
    "hidings table dropped": (
        ["DROP TABLE uspk_view_hidden"],
        "table uspk_view_hidden is missing",
        "(table uspk_view_hidden missing)",
    ),
    "two tables dropped": (
        ["DROP TABLE uspk_view_hidden", "DROP TABLE uspk_view_things"],
        "table uspk_view_hidden is missing",
        "(table uspk_view_things, uspk_view_hidden missing)",  # in the order of the schema
    ),
    # Both: the missing table is named, the meta row's absence taken for part of it.
    "meta row deleted and a table dropped": (
        ["DELETE FROM uspk_view_meta", "DROP TABLE uspk_view_hidden"],
        "table uspk_view_hidden is missing",
        "(table uspk_view_hidden missing)",
    ),
    "events view dropped": (
        ["DROP TABLE uspk_view_events"],
        "table uspk_view_events is missing",
        "(table uspk_view_events missing)",
    ),
    "events view emptied": (
        ["DELETE FROM uspk_view_events"],
        "uspk_view_events: ",
        " records but holds 0)",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_read_model_is_refused_named_by_verify_and_repaired_by_rebuild(
    used_store, damage
):
    uspk, before = used_store
    tracking = tracking_table(uspk.address)
    statements, named, said = (
        [s.format(tracking=tracking) for s in DAMAGE[damage][0]],
        DAMAGE[damage][1].format(tracking=tracking),
        DAMAGE[damage][2].format(tracking=tracking),
    )
    run_sql(uspk.address, *statements)

    line = one_line_error(uspk("timeline"), "uspk verify", "uspk rebuild", said)
    assert line.startswith("Error: the read model disagrees with the event log (") and (
        line.endswith("); `uspk verify` shows how, `uspk rebuild` repairs it from the log")
    ), line
    one_line_error(uspk("show", before[0]), "uspk verify", "uspk rebuild")
    verified = uspk("verify")
    assert verified.exit_code == 1 and named in verified.output, verified.output
    assert "Traceback" not in verified.output

    assert "rebuilt the index from " in uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: ")
    assert timeline_ids(uspk) == before and RETRACTED not in before


UNSEEN_BY_COMMANDS = {  # too costly to notice on every command: verify finds them
    "an edited event row": (
        "UPDATE uspk_view_events SET occ_start = '2030-01-01' WHERE event_id = '{first}'",
        "uspk_view_events: 1 row(s) that differ from the log: {first}",
    ),
    # The state kept (projections/kept.py): verify makes the believed rows again.
    "an edited standing row": (
        'UPDATE uspk_view_standing SET entry = \'{"id": "meg-nlcp-mou"}\''
        " WHERE section = 'agreements' AND entry_key = 'meg-nlcp-mou' AND hidden_at IS NULL",
        "uspk_view_standing: 1 row(s) that differ from the log: "
        "meg-nlcp-mou-signed-2025-09-08/agreements/meg-nlcp-mou/2025-09-08",
    ),
    "a standing row's end edited": (
        "UPDATE uspk_view_standing SET valid_to = '2030-01-01' WHERE section = 'agreements'"
        " AND entry_key = 'meg-nlcp-mou' AND hidden_at IS NULL AND valid_to IS NULL",
        "uspk_view_standing: 1 row(s) that differ from the log: "
        "meg-nlcp-mou-signed-2025-09-08/agreements/meg-nlcp-mou/2025-09-08",
    ),
    "a standing row deleted": (
        "DELETE FROM uspk_view_standing"
        " WHERE section = 'agreements' AND entry_key = 'meg-nlcp-mou'",
        "uspk_view_standing: 1 row(s) missing (the log has them): meg-nlcp-mou-signed-2025-09-08",
    ),
    "units emptied": (
        "DELETE FROM uspk_view_units",
        "uspk_view_units: ",
    ),
    # The actors settled from the standing rows (projections/settled.py).
    "a settled actor edited": (
        """UPDATE uspk_view_actors SET entry = '{"id": "mota-engil", "name": "Edited"}'"""
        " WHERE entry_key = 'mota-engil'",
        "uspk_view_actors: 1 row(s) that differ from the log: mota-engil/",
    ),
    "a settled actor deleted": (
        "DELETE FROM uspk_view_actors WHERE entry_key = 'mota-engil'",
        "uspk_view_actors: 1 row(s) missing (the log has them): mota-engil/",
    ),
    "hidings emptied": (
        "DELETE FROM uspk_view_hidden",
        # the test's retraction, and the shipped events their shipped amendments hide
        f"uspk_view_hidden: {1 + len(shipped_amendments())} row(s) missing (the log has them): ",
    ),
}


@pytest.mark.parametrize("damage", UNSEEN_BY_COMMANDS)
def test_rows_edited_or_deleted_are_named_by_verify_and_repaired_by_rebuild(used_store, damage):
    uspk, before = used_store
    statement, named = (text.replace("{first}", before[0]) for text in UNSEEN_BY_COMMANDS[damage])
    run_sql(uspk.address, statement)
    verified = uspk("verify")
    assert verified.exit_code == 1 and named in verified.output, verified.output

    uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: ")
    assert timeline_ids(uspk) == before


def test_an_index_that_lost_its_meta_row_once_opened_says_it_is_damaged(store_address):
    """The meta row deleted after the index was opened (by a careless hand, or another
    process): the chronicle's version and the history's digest, asked of it, say that
    the index is damaged, not that there is nothing."""
    from projections.damage import ReadModelDamaged
    from service.bootstrap import Session, checked_store

    with Session(checked_store(store_address, create=True)) as session:
        run_sql(store_address, "DELETE FROM uspk_view_meta")
        for ask in (session.index.chronicle_version, session.index.history_digest):
            with pytest.raises(ReadModelDamaged, match=r"log \(its meta row is missing\); "):
                ask()


def test_verify_reads_only_it_never_repairs(used_store):
    uspk, _ = used_store
    run_sql(uspk.address, "DROP TABLE uspk_view_hidden")
    assert uspk("verify").exit_code == 1
    assert uspk("verify").exit_code == 1  # still damaged: verify changed nothing
    one_line_error(uspk("timeline"), "uspk rebuild")


def test_verify_of_a_sound_store_says_how_many_events_and_where_the_read_model_is(used_store):
    uspk, before = used_store
    summary, chain = uspk.ok("verify").strip().split("; ")  # the read model; the hash chain
    assert chain.startswith("chain: ") and " recorded changes, head sha256:" in chain
    assert (
        summary.startswith("verified: ")
        and f", {1 + len(shipped_amendments())} hidden, index at log position " in summary
    )
    position, end = summary.rsplit("log position ", 1)[1].split(" of ")
    assert position == end


def test_an_emptied_event_log_is_noticed_and_after_rebuild_the_history_is_loaded_again(
    used_store,
):
    uspk, before = used_store
    run_sql(uspk.address, f"DELETE FROM {event_table(uspk.address)}")

    one_line_error(uspk("timeline"), "ahead", "the log ends at 0)", "uspk verify", "uspk rebuild")
    extra = uspk("append", "-", input=yaml.safe_dump(EXTRA))
    one_line_error(extra, "uspk rebuild")
    verified = uspk("verify")
    assert verified.exit_code == 1 and "but the log ends at 0" in verified.output

    assert "rebuilt the index from 0 stored event(s): 0 recorded change(s)" in uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: 0 recorded changes, 0 hidden")
    # The log is the truth, and an empty log is a new store: first use loads the history.
    again = timeline_ids(uspk)
    assert RETRACTED in again and set(before) < set(again)
    assert uspk.ok("verify").startswith("verified: ")


# -- a stored event this code cannot read ----------------------------------------------


def rewrite_stored_event(address: str, event_id: str, change) -> int:
    """Replace the stored state of ``event_id``'s event with ``change(state)``, with plain
    SQL; returns its notification id."""
    postgres = address.startswith("postgresql://")
    key = "notification_id" if postgres else "rowid"
    select = f"SELECT {key}, state FROM {event_table(address)} ORDER BY {key}"
    update = f"UPDATE {event_table(address)} SET state = %s WHERE {key} = %s"
    if postgres:
        import psycopg

        with psycopg.connect(address, autocommit=True) as conn:
            rows = conn.execute(select).fetchall()
            found = next(n for n, state in rows if event_id.encode() in bytes(state))
            conn.execute(update, (change(bytes(dict(rows)[found])), found))
        return found
    with sqlite3.connect(address) as conn:
        rows = conn.execute(select).fetchall()
        found = next(n for n, state in rows if event_id.encode() in state)
        conn.execute(update.replace("%s", "?"), (change(dict(rows)[found]), found))
    return found


def unknown_kind(state: bytes) -> bytes:
    changed = state.replace(b'"kind":"meeting"', b'"kind":"coup"')
    assert changed != state
    return changed


def broken_json(state: bytes) -> bytes:
    return b"{not json" + state


def record_extra_unseen(address: str) -> None:
    """EXTRA recorded in the log by the application alone: the read model has not seen it,
    as with an event written by a newer uspk."""
    app = open_store(address)
    try:
        app.append([validate(EXTRA, "test")])
    finally:
        app.close()


UNREADABLE = {
    "an unknown kind": (unknown_kind, "test-extra-meeting"),
    "broken JSON": (broken_json, None),  # its id cannot be read: named by its place
}


@pytest.mark.parametrize("how", UNREADABLE)
def test_an_unreadable_stored_event_is_named_retracted_and_then_skipped(store_address, how):
    change, event_id = UNREADABLE[how]
    uspk = Uspk(store_address)
    before = timeline_ids(uspk)
    record_extra_unseen(store_address)
    notification = rewrite_stored_event(store_address, EXTRA["id"], change)
    name = event_id or f"unreadable-notification-{notification}"

    refused = uspk("timeline")
    line = one_line_error(refused, f"notification {notification}", f"uspk retract {name} --reason")
    # Named by its id when that can be read; by its place alone when not.
    which = f" (event id '{event_id}')" if event_id else ""
    assert line.startswith(
        f"Error: the stored event at notification {notification}{which} cannot be read by "
        "this version of uspk ("
    ) and line.endswith(
        "); queries stop before it until it is retracted: "
        f"uspk retract {name} --reason TEXT --publisher TEXT --title TEXT --published DATE"
    ), line
    one_line_error(
        uspk(
            "append",
            "-",
            input=yaml.safe_dump(
                doc("meeting", "test-other", participants=["shehbaz-sharif", "ishaq-dar"])
            ),
        ),
        name,
    )
    assert uspk("schema").exit_code == 0 and uspk("--help").exit_code == 0
    verified = uspk("verify")
    assert verified.exit_code == 1 and f"uspk retract {name}" in verified.output

    retracted = uspk("retract", name, "--reason", "Unreadable after a bad edit.", *SOURCE)
    assert retracted.exit_code == 0, retracted.output
    assert f"+ retract-{name}" in retracted.output

    assert timeline_ids(uspk) == before
    # The read model agrees with the log again; the hand edit stays visible in the chain.
    (line,) = uspk("verify").output.splitlines()
    assert f"notification {notification}" in line
    assert "cannot be decoded" in line if event_id is None else "not what was chained" in line
    assert "Unreadable after a bad edit." in uspk.ok("show", f"retract-{name}")
    uspk.ok("rebuild")  # a rebuild skips it again
    assert timeline_ids(uspk) == before


def test_a_blocked_store_takes_only_the_retraction_of_the_unreadable_event(store_address):
    uspk = Uspk(store_address)
    record_extra_unseen(store_address)
    rewrite_stored_event(store_address, EXTRA["id"], unknown_kind)
    other = uspk("retract", RETRACTED, "--reason", "Not this one.", *SOURCE)
    one_line_error(other, "uspk retract test-extra-meeting")
    dry = uspk("retract", EXTRA["id"], "--reason", "Unreadable.", *SOURCE, "--dry-run")
    assert dry.exit_code == 0 and "would append 1 event(s)" in dry.output
    one_line_error(uspk("timeline"), "uspk retract test-extra-meeting")  # nothing written


def unreadable_line(address: str, notification: int, name: str, event_id: str | None) -> str:
    """The reason in the one line that names the unreadable event at ``notification``:
    the line whole but for it."""
    line = one_line_error(Uspk(address)("timeline"))
    which = f" (event id '{event_id}')" if event_id else ""
    start = (
        f"Error: the stored event at notification {notification}{which} cannot be read by "
        "this version of uspk ("
    )
    end = (
        "); queries stop before it until it is retracted: "
        f"uspk retract {name} --reason TEXT --publisher TEXT --title TEXT --published DATE"
    )
    assert line.startswith(start) and line.endswith(end), line
    return line[len(start) : -len(end)]


def a_bad_date(state: bytes) -> bytes:
    changed = state.replace(b'"occurred":"2025-09-09"', b'"occurred":"2025-13-40"')
    assert changed != state
    return changed


def an_id_not_text(state: bytes) -> bytes:
    changed = state.replace(b'"id":"test-extra-meeting"', b'"id":5')
    assert changed != state
    return changed


def test_an_unreadable_event_is_named_with_why_in_a_few_words(store_address):
    """Why it cannot be read: the models' first complaint, as the field's path and its
    message (the validator's own words); a refusal of the whole event (an unknown kind)
    as the message alone; bytes that do not decode, as the error's kind and first line.
    An id that is not text does not name the event: its place does."""
    Uspk(store_address).ok("timeline")
    record_extra_unseen(store_address)
    notification, original = recorded_states(store_address)[-1]
    by_place = f"unreadable-notification-{notification}"

    def reason(change, name: str = EXTRA["id"], event_id: str | None = EXTRA["id"]) -> str:
        set_state(store_address, notification, change(original))
        return unreadable_line(store_address, notification, name, event_id)

    why = reason(a_bad_date)
    assert why.startswith("field 'meeting.occurred': ") and "'2025-13-40' is not a real date" in why
    why = reason(unknown_kind)
    assert not why.startswith(("field ", "ValidationError")) and "\n" not in why, why
    assert reason(an_id_not_text, by_place, None).startswith("field 'meeting.id': ")
    why = reason(broken_json, by_place, None)
    assert why.startswith("its bytes do not decode with the store's settings: JSONDecodeError: ")


def test_a_history_mark_whose_digest_is_not_text_is_named_by_its_place(store_address):
    """The mark that the shipped history was loaded names no event: a rebuild stops at
    it, and every command names it by its place, with why."""
    Uspk(store_address).ok("timeline")
    mark = rewrite_stored_event(
        store_address, '"digest":"', lambda s: s.replace(b'"digest":"', b'"digest":5,"was":"')
    )
    assert Uspk(store_address)("rebuild").exit_code == 1
    why = unreadable_line(store_address, mark, f"unreadable-notification-{mark}", None)
    assert why == "TypeError: the history digest is not text"
    verified = Uspk(store_address)("verify")
    assert verified.exit_code == 1 and f"notification {mark}" in verified.output, verified.output


def test_only_its_own_retraction_passes_an_unreadable_event_even_past_another_one(
    store_address,
):
    """A retraction of another event recorded after an unreadable one does not pass it;
    its own does, even with an event that does not decode between them."""
    uspk = Uspk(store_address)
    uspk.ok("timeline")
    other = doc("meeting", "test-other-meeting", "2025-09-10", participants=PEOPLE)
    app = open_store(store_address)
    try:
        app.append([validate(EXTRA, "test"), validate(other, "test")])
        app.append([retraction(RETRACTED)])
    finally:
        app.close()
    rewrite_stored_event(store_address, EXTRA["id"], unknown_kind)
    second = rewrite_stored_event(store_address, other["id"], broken_json)

    one_line_error(uspk("timeline"), "uspk retract test-extra-meeting ")
    uspk.ok("retract", EXTRA["id"], "--reason", "Unreadable.", *SOURCE)
    one_line_error(uspk("timeline"), f"uspk retract unreadable-notification-{second} ")


def relinked_as_a_newer_uspk_would_write_it(address: str, *after: list) -> int:
    """EXTRA recorded unseen (and the batches ``after`` it), then given a kind this version
    does not know and the link a newer uspk would have stored for it (after the change
    before): an event this code cannot read whose link verifies. Its notification id."""
    app = open_store(address)
    try:
        for batch in ([validate(EXTRA, "test")], *after):
            app.append(batch)
    finally:
        app.close()
    states = recorded_states(address)
    previous = json.loads(states[-2 - sum(len(batch) for batch in after)][1])["chain"]

    def newer(state: bytes) -> bytes:
        data = json.loads(state)
        data["document"]["kind"] = "coup"
        recorded = datetime.fromisoformat(data["timestamp"]["_data_"])
        data["chain"] = link(
            previous, data["document"], data["recorder"], data["message"], recorded
        )
        return json.dumps(data, separators=(",", ":")).encode()

    return rewrite_stored_event(address, EXTRA["id"], newer)


def stripped_of_its_link(address: str) -> int:
    """EXTRA recorded unseen, then given an unknown kind and stripped of its link."""
    record_extra_unseen(address)

    def stripped(state: bytes) -> bytes:
        return re.sub(rb',"chain":"[0-9a-f]+"', b"", unknown_kind(state))

    return rewrite_stored_event(address, EXTRA["id"], stripped)


RETRACTED_UNREADABLE = {
    "its link sound, as a newer uspk writes it": relinked_as_a_newer_uspk_would_write_it,
    "its link stripped": stripped_of_its_link,
}


@pytest.mark.parametrize("how", RETRACTED_UNREADABLE)
def test_a_retracted_unreadable_event_is_passed_and_the_chain_goes_on_from_the_last_sound_link(
    store_address, how
):
    """Its retraction is linked after the last link that verified: the unreadable event's
    own when sound (a newer uspk's kind), the one before it when not. Skipping it, the
    catch-up and the rebuild follow the same link, so the retraction verifies: nothing is
    said but the answers."""
    uspk = Uspk(store_address)
    before = timeline_ids(uspk)
    notification = RETRACTED_UNREADABLE[how](store_address)
    unreadable_line(store_address, notification, EXTRA["id"], EXTRA["id"])

    retracted_and_passed(uspk, before)


def retracted_and_passed(uspk: Uspk, before: list[str]) -> None:
    """The unreadable event retracted: caught up, then rebuilt, the timeline answers as
    before it was recorded, and nothing is said but the answers."""
    uspk.ok("retract", EXTRA["id"], "--reason", "Of a kind this version does not know.", *SOURCE)
    for _ in ("caught up", "rebuilt"):
        answered = uspk("timeline", "--format", "json")
        assert answered.exit_code == 0 and answered.stderr == "", answered.output
        assert [e["id"] for e in json.loads(answered.stdout)] == before
        uspk.ok("rebuild")


PAST_A_SKIPPED_EVENT = {  # what is done to the retraction that follows; what is said
    "its link stripped": ([], "carries no link although changes before it do"),
    "the change before it removed": (
        [[validate(doc("meeting", "test-between", "2025-09-10", participants=PEOPLE), "test")]],
        "follows chronicle version",
    ),
}


@pytest.mark.parametrize("damage", PAST_A_SKIPPED_EVENT)
def test_past_a_skipped_event_whose_link_verifies_the_catch_up_goes_on_checking(
    store_address, damage
):
    """Skipping a retracted event whose link verifies, a catch-up goes on as past any
    other: the change after it must carry a link (one before it does) and follow its
    version. Here the retraction, recorded with it and not yet indexed."""
    between, said = PAST_A_SKIPPED_EVENT[damage]
    uspk = Uspk(store_address)
    uspk.ok("timeline")
    relinked_as_a_newer_uspk_would_write_it(store_address, *between, [retraction(EXTRA["id"])])
    *_, (before, _), (retracted_at, state) = recorded_states(store_address)
    if between:
        delete_event(store_address, before)
    else:
        set_state(store_address, retracted_at, re.sub(rb',"chain":"[0-9a-f]+"', b"", state))

    warned = uspk("timeline").stderr
    assert f"{BROKEN} 'retract-{EXTRA['id']}'" in warned and said in warned, warned


def test_past_a_skipped_event_without_a_link_a_forged_change_without_one_is_not_answered(
    store_address,
):
    """A catch-up that skips a retracted unreadable event carrying no link still knows
    that changes before it carry links: the next change without one (its content forged,
    its link stripped) is named, never answered. (It was answered: the skip took the
    unknown for "no link before", so the change after it was read as one stored before
    the chain.)"""
    uspk = Uspk(store_address)
    uspk.ok("timeline")
    forged = doc("meeting", "test-forged-meeting", "2025-09-10", participants=PEOPLE)
    app = open_store(store_address)
    try:
        app.append([validate(EXTRA, "test")])
        app.append([validate(forged, "test")])
        app.append([retraction(EXTRA["id"])])
    finally:
        app.close()

    def stripped(state: bytes) -> bytes:
        return re.sub(rb',"chain":"[0-9a-f]+"', b"", state)

    rewrite_stored_event(store_address, EXTRA["id"], lambda s: stripped(unknown_kind(s)))
    rewrite_stored_event(
        store_address,
        forged["id"],
        lambda s: stripped(s.replace(b'"title":"', b'"title":"FORGED ')),
    )

    answered = uspk("show", forged["id"])

    assert "FORGED" not in answered.stdout
    warned = [line for line in answered.stderr.splitlines() if BROKEN in line]
    assert len(warned) == 1 and f"{BROKEN} '{forged['id']}'" in warned[0], answered.output


def test_in_a_store_written_before_the_chain_a_skipped_linked_event_counts_as_a_link(
    store_address,
):
    """After an upgrade the first change with a link is an event this version cannot read
    (a newer uspk's, its link sound), retracted: a rebuild that skips it counts its link,
    so a change after it without one is a link removed, named."""
    from tests.store.test_tampered_log import _written_before_the_chain

    _written_before_the_chain(store_address)
    app = open_store(store_address)
    try:
        previous = app.chronicle().chain_head
        app.append([validate(EXTRA, "test")])
        after = doc("meeting", "test-after-meeting", "2025-09-10", participants=PEOPLE)
        app.append([validate(after, "test")])
        app.append([retraction(EXTRA["id"])])
    finally:
        app.close()

    def newer(state: bytes) -> bytes:
        data = json.loads(state)
        data["document"]["kind"] = "coup"
        recorded = datetime.fromisoformat(data["timestamp"]["_data_"])
        data["chain"] = link(previous, data["document"], None, None, recorded)
        return json.dumps(data, separators=(",", ":")).encode()

    rewrite_stored_event(store_address, EXTRA["id"], newer)
    rewrite_stored_event(
        store_address, after["id"], lambda s: re.sub(rb',"chain":"[0-9a-f]+"', b"", s)
    )

    rebuilt = Uspk(store_address)("rebuild")

    assert rebuilt.exit_code == 1, rebuilt.output
    assert f"{BROKEN} '{after['id']}'" in rebuilt.output and "carries no link" in rebuilt.output


def test_in_a_store_written_before_the_chain_an_unlinked_unreadable_event_retracted_is_passed(
    store_address,
):
    """An older uspk recorded an event (no link, as every change then) of a kind this
    version does not know; this version retracts it. The catch-up after the retraction
    asks the log whether changes before the skipped event carry links (they do not), so
    the skipped event's computed link is the head the retraction follows, as the rebuild
    finds: nothing is said but the answers."""
    from tests.store.test_tampered_log import _written_before_the_chain
    from tests.store.test_trust import _as_written_before

    _written_before_the_chain(store_address)
    uspk = Uspk(store_address)
    before = timeline_ids(uspk)
    record_extra_unseen(store_address)
    rewrite_stored_event(store_address, EXTRA["id"], lambda s: unknown_kind(_as_written_before(s)))

    retracted_and_passed(uspk, before)


def test_a_row_the_catch_up_would_add_already_there_is_damage_named_in_one_line(used_store):
    """A row of an event the index has not applied yet, put there by hand: the catch-up
    that would add it is refused (a constraint of the index, on either database), named
    by the event, and rebuild repairs it."""
    uspk, before = used_store
    record_extra_unseen(uspk.address)
    run_sql(
        uspk.address,
        "INSERT INTO uspk_view_mentions (actor_id, event_id)"
        f" VALUES ('ishaq-dar', '{EXTRA['id']}')",
    )

    line = one_line_error(uspk("timeline"), "uspk verify", "uspk rebuild")

    assert f"(a row it would add is already there: {EXTRA['id']})" in line
    uspk.ok("rebuild")
    assert set(timeline_ids(uspk)) == {*before, EXTRA["id"]}


def test_a_constraint_refusal_is_known_as_the_driver_raised_it_or_as_eventsourcing_wrapped_it():
    from eventsourcing.persistence import IntegrityError, PersistenceError

    from projections.damage import is_integrity_error

    def raised(error: BaseException, cause: BaseException | None) -> BaseException:
        try:
            raise error from cause
        except BaseException as caught:  # noqa: BLE001 - the error, with its cause set
            return caught

    refused = sqlite3.IntegrityError("UNIQUE constraint failed: uspk_view_mentions")
    assert is_integrity_error(refused)
    assert is_integrity_error(raised(IntegrityError("wrapped"), refused))
    assert is_integrity_error(raised(sqlite3.IntegrityError("raw"), ValueError("its cause")))
    locked = sqlite3.OperationalError("database is locked")
    assert not is_integrity_error(locked)
    assert not is_integrity_error(raised(PersistenceError("wrapped"), locked))
    assert not is_integrity_error(PersistenceError("no cause"))


def test_a_read_model_that_is_only_behind_is_not_damage(used_store):
    uspk, before = used_store
    record_extra_unseen(uspk.address)
    summary = uspk.ok("verify").split("; ")[0]  # the read model's part
    position, end = summary.rsplit("log position ", 1)[1].split(" of ")
    assert int(position) < int(end)  # behind: verify says where it is, and agrees
    assert EXTRA["id"] in timeline_ids(uspk)  # the next command catches up
    assert uspk.ok("verify").split("; ")[0].endswith(f"log position {end} of {end}")


def test_a_read_model_of_an_older_release_is_rebuilt_on_first_use(used_store):
    uspk, before = used_store
    run_sql(uspk.address, "UPDATE uspk_view_meta SET schema_version = 2")
    assert "schema version 2" in uspk("verify").output
    assert timeline_ids(uspk) == before
    assert uspk.ok("verify").startswith("verified: ")


def test_an_entry_only_the_standard_library_decodes_is_read_as_before(used_store):
    """The kept rows are decoded by orjson, which refuses ``NaN`` (the standard library
    reads it): such an entry (only an edited index holds one) is read as it was before
    orjson decoded the rows, and written as JSON's null, not called damaged."""
    uspk, _ = used_store
    run_sql(
        uspk.address,
        """UPDATE uspk_view_standing SET entry = '{"odd":NaN,' || substr(entry, 2)"""
        " WHERE section = 'agreements' AND entry_key = 'meg-nlcp-mou'",
    )
    state = json.loads(uspk.ok("state", "--at", "2025-10-01", "--format", "json"))
    (agreement,) = [a for a in state["agreements"] if a["id"] == "meg-nlcp-mou"]
    assert "odd" in agreement and agreement["odd"] is None


@pytest.mark.parametrize(
    ("section", "key", "edit"),
    [
        ("agreements", "meg-nlcp-mou", "entry = '{not json'"),
        ("agreements", "meg-nlcp-mou", """entry = '["a list"]'"""),
        ("agreements", "meg-nlcp-mou", """entry = '{"id": "meg-nlcp-mou"}'"""),
        # What the text reads beside the entries it shows: the actors an engagement
        # names, their names, and each row's place in its section.
        ("engagements", "ussm-mota-engil-visit-2025-09-07", """entry = '{"participants": 5}'"""),
        (
            "engagements",
            "ussm-mota-engil-visit-2025-09-07",
            """entry = '{"event_id": "ussm-mota-engil-visit-2025-09-07", "participants": 5}'""",
        ),
        ("uspk_view_actors", "mota-engil", """entry = '{"id": "mota-engil"}'"""),
    ],
)
def test_a_standing_row_edited_out_of_shape_is_refused_by_state_in_one_line(
    used_store, section, key, edit
):
    """``uspk state`` answers from the kept rows: one uspk could not have written is
    named in one line that says how to repair it, never a traceback; whether the text
    shows every entry (--all) or the latest few (the edited ones among them on the
    day they were made)."""
    uspk, _ = used_store
    # the actors are read from their settled rows (one per actor), the rest by section
    table, where = (
        (section, "")
        if section == "uspk_view_actors"
        else ("uspk_view_standing", f"section = '{section}' AND ")
    )
    run_sql(uspk.address, f"UPDATE {table} SET {edit} WHERE {where}entry_key = '{key}'")
    for asked in (["--at", "2025-10-01", "--all"], ["--at", "2025-09-08"]):
        line = one_line_error(uspk("state", *asked), "`uspk rebuild` repairs it")
        if section == "agreements" and '"id"' not in edit:  # no entry at all: the row named
            assert f"(the standing row of agreements {key!r} cannot be read)" in line, asked
    if table == "uspk_view_actors":  # the latest few: the actor without a name, by its id
        named = f"(the standing row of actors {key!r} cannot be read)"
        one_line_error(uspk("state", "--at", "2025-09-08"), named)
    if section == "engagements":  # the latest few: the engagement whose roles are not ids
        line = one_line_error(uspk("state", "--at", "2025-09-08"), "cannot be read)")
        named = repr(key) if "event_id" in edit else "None"  # by its id, if it kept one
        assert f"(the standing row of engagements {named} cannot be read)" in line
    uspk.ok("rebuild")
    state = json.loads(uspk.ok("state", "--at", "2025-10-01", "--format", "json"))
    assert "meg-nlcp-mou" in {a["id"] for a in state["agreements"]}


def test_a_standing_row_whose_place_is_not_text_is_refused_by_state_in_one_line(tmp_path):
    """SQLite keeps what an edit writes whatever the column's type (PostgreSQL's text
    column holds only text): a sort key made a BLOB is named in one line, not a
    traceback from comparing it with the others."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    uspk.ok("timeline")  # the shipped history, its index made
    run_sql(
        uspk.address,
        "UPDATE uspk_view_standing SET sort_key = X'00'"
        " WHERE section = 'engagements' AND entry_key = 'ussm-mota-engil-visit-2025-09-07'",
    )
    for asked in (["--at", "2025-10-01", "--all"], ["--at", "2025-09-08"]):
        one_line_error(uspk("state", *asked), "`uspk rebuild` repairs it")


@pytest.mark.parametrize(
    "edit",
    [
        "entry = '{}'",
        "entry = 'not json'",
        # a join naming a change the row does not have
        """entry = json_set(entry, '$.joins', json('[[99, "fwo", null]]'))""",
        """entry = json_set(entry, '$.changes', json('[["step", 5]]'))""",
    ],
)
def test_a_change_row_edited_out_of_shape_is_refused_by_diff_in_one_line(tmp_path, edit):
    """``uspk diff`` answers from the kept rows of what each happening changed: a row
    uspk could not have written is named in one line that says how to repair it (and by
    verify), never a traceback; rebuild makes it again."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    said = json.loads(uspk.ok("diff", "2025-09-07", "2025-09-08", "--format", "json"))
    signed = "meg-nlcp-mou-signed-2025-09-08"
    assert signed in {c["event_id"] for c in said}
    where = f"section = 'changes' AND entry_key = '{signed}'"
    run_sql(uspk.address, f"UPDATE uspk_view_standing SET {edit} WHERE {where}")
    line = one_line_error(uspk("diff", "2025-09-07", "2025-09-08"), "`uspk rebuild` repairs it")
    assert f"(the standing row of changes {signed!r} cannot be read)" in line
    assert uspk("verify").exit_code != 0
    uspk.ok("rebuild")
    assert json.loads(uspk.ok("diff", "2025-09-07", "2025-09-08", "--format", "json")) == said


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        # what the entry's events name, made something uspk does not write
        ("entry = 'not json'", "names:agreements ussm-fwo-mou"),
        ("""entry = '{"actors": [1]}'""", "names:agreements ussm-fwo-mou"),
        # an entry found by the agreement, its place not one uspk writes
        ("sort_key = 'nowhere'", "'nowhere'"),
        ("sort_key = 'actors fwo x'", "'actors fwo x'"),
    ],
)
def test_an_about_row_edited_out_of_shape_is_refused_by_a_narrowed_state_in_one_line(
    tmp_path, edit, named
):
    """A narrowed state answers from the kept rows of what each entry is about: a row
    uspk could not have written is named in one line that says how to repair it (and by
    verify), never a traceback; rebuild makes it again."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    asked = ("state", "--at", "2025-12-31", "--agreement", "ussm-fwo-mou", "--format", "json")
    said = json.loads(uspk.ok(*asked))
    assert said["agreements"]
    about = "section = 'about' AND hidden_at IS NULL AND valid_to IS NULL"
    if "entry" in edit:
        where = f"{about} AND entry_key LIKE 'names:agreements ussm-fwo-mou %'"
    else:
        where = f"{about} AND entry_key = 'agreement:ussm-fwo-mou'"
    run_sql(uspk.address, f"UPDATE uspk_view_standing SET {edit} WHERE {where}")
    line = one_line_error(uspk(*asked), "`uspk rebuild` repairs it")
    assert "(the standing row of about " in line and "cannot be read" in line and named in line
    assert uspk("verify").exit_code != 0
    uspk.ok("rebuild")
    assert json.loads(uspk.ok(*asked)) == said


def test_an_actor_row_edited_out_of_shape_is_refused_by_a_narrowed_state_naming_it(tmp_path):
    """The actors a narrowed state shows are read from their settled rows, as the whole
    state's are: one edited out of shape is named by its section and id."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    asked = ("state", "--at", "2025-12-31", "--agreement", "ussm-fwo-mou")
    assert "FWO" in uspk.ok(*asked) or "Frontier Works" in uspk.ok(*asked)
    run_sql(uspk.address, "UPDATE uspk_view_actors SET entry = 'not json' WHERE entry_key = 'fwo'")
    line = one_line_error(uspk(*asked), "`uspk rebuild` repairs it")
    assert "(the standing row of actors 'fwo' cannot be read)" in line


def test_an_about_row_deleted_is_named_by_verify_and_made_again_by_rebuild(tmp_path):
    """A narrowed state trusts the kept rows of what each entry is about, as the whole
    state trusts its rows: one deleted by hand (well formed, so no read refuses it) is
    named by ``uspk verify``, and ``uspk rebuild`` makes it again."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    asked = ("state", "--at", "2025-12-31", "--agreement", "ussm-fwo-mou", "--format", "json")
    said = json.loads(uspk.ok(*asked))
    run_sql(
        uspk.address,
        "DELETE FROM uspk_view_standing WHERE section = 'about'"
        " AND entry_key = 'agreement:ussm-fwo-mou' AND sort_key LIKE 'agreements %'",
    )
    assert json.loads(uspk.ok(*asked))["agreements"] == []  # the index is trusted as read
    checked = uspk("verify")
    assert checked.exit_code != 0 and "uspk_view_standing" in checked.output
    assert "/about/agreement:ussm-fwo-mou/" in checked.output  # named by its key
    uspk.ok("rebuild")
    assert json.loads(uspk.ok(*asked)) == said


# A shipped event amended twice: each amendment hides the version before it.
AMENDED = "first-us-crude-cargo-arrives-2025-10-29"
ALTERNATIVES, PREVIEWS = f"{AMENDED}-alternatives-cited", f"{AMENDED}-previews-marked"
HIDINGS = {  # the damage done to the hidings; the hiding named; the events asked about
    "a hiding deleted": (
        f"DELETE FROM uspk_view_hidden WHERE event_id = '{ALTERNATIVES}' AND by_id = '{PREVIEWS}'",
        "missing (the log has them)",
        (ALTERNATIVES, PREVIEWS),
    ),
    "a hiding added by an event that corrects nothing": (
        "INSERT INTO uspk_view_hidden (event_id, by_id, hidden_from)"
        " VALUES ('{first}', '{second}', '2026-01-01T00:00:00.000000')",
        "that the log does not have",
        ("{first}", "{second}"),
    ),
    "a hiding added by no recorded event": (
        "INSERT INTO uspk_view_hidden (event_id, by_id, hidden_from)"
        " VALUES ('{first}', 'test-no-such-event', '2026-01-01T00:00:00.000000')",
        "that the log does not have",
        ("{first}", "test-no-such-event"),
    ),
}


@pytest.mark.parametrize("damage", HIDINGS)
def test_a_hiding_edited_by_hand_is_named_by_history_and_verify_and_repaired_by_rebuild(
    used_store, damage
):
    """``uspk_view_hidden`` says what hides what (an amendment what it supersedes, a
    retraction what it retracts); `history` and `show` read an event's lineage by it.
    A hiding deleted or added by hand: the lineage read disagrees with the records at
    its ends, and `history` of an event whose records show it refuses in one line (it
    showed a wrong lineage: an amendment without what hid it, in silence); `verify`
    names the row, one line, exit 1; `rebuild` repairs. Seen from the hidden side of a
    deleted hiding no record read names the corrector: there verify is the check."""
    uspk, before = used_store
    edit, what, names = HIDINGS[damage]
    statement = edit.format(first=before[0], second=before[1])
    hidden, by = (name.format(first=before[0], second=before[1]) for name in names)
    run_sql(uspk.address, statement)

    refused = "the read model disagrees with the event log (" + (
        f"the hiding of {hidden} by {by} is missing)"
        if damage == "a hiding deleted"
        else f"a hiding of {hidden} by {by} that the log does not have)"
    )
    asked = PREVIEWS if damage == "a hiding deleted" else hidden
    one_line_error(uspk("history", asked), refused, "`uspk rebuild` repairs it")
    one_line_error(uspk("show", asked), refused)
    if damage == "a hiding deleted":  # from the event it hid: no crash, the lineage short
        result = uspk("history", AMENDED)
        assert result.exit_code == 0 and PREVIEWS not in result.output, result.output
    verified = uspk("verify")
    assert verified.exit_code == 1 and "Traceback" not in verified.output
    assert verified.output.splitlines() == [f"uspk_view_hidden: 1 row(s) {what}: {hidden}/{by}"]

    uspk.ok("rebuild")
    assert uspk.ok("verify").startswith("verified: ")
    lineage = [entry["id"] for entry in json.loads(uspk.ok("history", AMENDED, "--format", "json"))]
    assert sorted(lineage) == sorted([AMENDED, ALTERNATIVES, PREVIEWS])
    assert uspk.ok("history", asked) and timeline_ids(uspk) == before


def test_a_hiding_whose_ids_are_not_text_is_refused_by_history_in_one_line(tmp_path):
    """SQLite keeps what an edit writes whatever the column's type: a hiding whose id is
    a BLOB is named in one line, not a traceback from ordering it among the ids."""
    uspk = Uspk(str(tmp_path / "uspk.sqlite"))
    uspk.ok("timeline")  # the shipped history, its index made
    run_sql(
        uspk.address, f"UPDATE uspk_view_hidden SET event_id = X'00' WHERE by_id = '{PREVIEWS}'"
    )
    one_line_error(
        uspk("history", PREVIEWS),
        f"(a hiding of b'\\x00' by '{PREVIEWS}' that uspk could not have written)",
        "`uspk rebuild` repairs it",
    )
