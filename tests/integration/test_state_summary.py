"""The state's text is read as counts and the last few rows of each section
(``kept_reading.read_summary``), not as the whole state: it must say exactly what the text made
from the whole state says, and read only the entries it shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cli.render import LATEST, state_text
from service import reading
from service.bootstrap import Session, checked_store
from tests.factories import declare_noted_kind, doc, make, noted
from tests.integration.test_kept_rows import Clock

# Dates inside the shipped history, at its edges and after it.
DAYS = [
    date(2025, 6, 18),
    date(2025, 9, 8),
    date(2025, 10, 6),
    date(2025, 12, 31),
    date(2026, 12, 5),
]


def said_and_noted() -> list:
    """What orders the text apart from the state's order: a statement dated by its year
    (it ends after those dated later in the year, so it is said "later"), a statement,
    an announcement and a proposal on one day (equal dates: in the state's order), and
    three sanctions (a kind without rules, counted and shown under its label)."""
    yearly = make(
        "statement-made", "test-said-2025", "2025", speaker="shehbaz-sharif", quote="This year."
    )
    same_day = [
        make("statement-made", "test-said-oct", "2025-10-06", speaker="ussm", quote="Today."),
        make(
            "announcement",
            "test-announced-oct",
            "2025-10-06",
            deal="test-deal",
            announcer="donald-trump",
            counterparties=["pakistan"],
            claim="A test deal.",
        ),
        make(
            "proposal",
            "test-proposed-oct",
            "2025-10-06",
            proposal="test-port",
            unnamed_proposer="advisers",
            official=False,
            to=["united-states"],
            claim="A test port.",
        ),
    ]
    return [yearly, *same_day]


def sanctions() -> list:
    from events.files import validate

    return [
        validate(
            doc(
                "sanction-imposed",
                f"test-sanction-{n}",
                f"2025-10-0{n}",
                authority="ussm",
                measure=f"Test measure {n}",
            ),
            "test",
        )
        for n in (1, 2, 3)
    ]


def summary_text(session: Session, as_of: date, known_at, latest: int) -> str:
    summary = reading.state_summary(session, as_of, known_at, None, latest)
    return state_text(summary.state, latest, None, summary.counts, summary.names)


def whole_text(session: Session, as_of: date, known_at, latest: int) -> str:
    return state_text(reading.state_at(session, as_of, known_at), latest)


def test_the_text_read_as_counts_and_latest_rows_is_the_text_of_the_whole_state(
    store_address, sanction_kind
):
    clock = Clock()
    with Session(checked_store(store_address, create=True), clock) as session:
        before = clock.now + timedelta(seconds=30)  # known at: before this test's events
        session.append(said_and_noted())
        between = clock.now + timedelta(seconds=30)
        session.append(sanctions())
        for known_at in (None, before, between):
            for as_of in DAYS:
                for latest in (1, 2, LATEST):
                    assert summary_text(session, as_of, known_at, latest) == whole_text(
                        session, as_of, known_at, latest
                    ), (as_of, known_at, latest)
        # The scenario reached what it is about: more said and noted than shown.
        text = summary_text(session, date(2025, 12, 31), None, 2)
        assert "Sanction imposed (3, the latest 2 shown)" in text
        said = text.split("What was said (")[1].split("\n\n")[0]
        assert said.count("[test-said-2025]") == 1  # first: its date ends last
        assert said.index("[test-said-2025]") < said.index("[us-embassy-announces-exim")
        said = summary_text(session, date(2025, 10, 6), None, 4).split("What was said (")[1]
        same_day = ("[test-said-oct]", "[test-announced-oct]", "[test-proposed-oct]")
        assert sorted(same_day, key=said.index) == list(same_day)


def test_the_text_reads_only_the_entries_it_shows(tmp_path):
    """Every entry read is unsealed once: the summary unseals what it shows (and the
    actors the shown engagements name), not every entry standing."""
    with Session(checked_store(str(tmp_path / "s.sqlite"), create=True), Clock()) as session:
        as_of = date(2026, 12, 5)
        standing = sum(
            len(v) for k, v in reading.state_at(session, as_of).items() if isinstance(v, list)
        )
        unseal, read = session.index.text.unseal, []
        session.index.text.unseal = lambda text: read.append(text) or unseal(text)
        try:
            summary = reading.state_summary(session, as_of, None, None, 2)
        finally:
            session.index.text.unseal = unseal
        shown = sum(len(v) for v in summary.state.values() if isinstance(v, list))
        assert shown < standing / 4  # the shipped history has far more than it shows
        assert len(read) <= shown + len(summary.names)
        assert summary.counts["actors"] > len(summary.state["actors"]) == 2


@pytest.mark.parametrize("latest", [1, 3])
def test_a_narrowed_or_whole_text_counts_what_it_holds(tmp_path, latest):
    """Narrowed, the state is folded whole: its counts are its sections' lengths."""
    with Session(checked_store(str(tmp_path / "s.sqlite"), create=True), Clock()) as session:
        narrowing = reading.narrowing(session, agreements=["ussm-fwo-mou"])
        summary = reading.state_summary(session, date(2025, 12, 31), None, narrowing, latest)
        assert summary.counts == {} and summary.names == {}
        assert summary.state == reading.state_at(session, date(2025, 12, 31), None, narrowing)


def test_the_actors_given_roles_in_the_engagements_shown_are_named_as_the_state_names_them(
    tmp_path,
):
    """The text of the latest entries reads the names of the actors that the engagements
    it shows give roles to (host, mediator ...), though those actors are not among the
    latest actors it shows: each by its name in the whole state."""
    from projections import kept_reading

    with Session(checked_store(str(tmp_path / "s.sqlite"), create=True)) as session:
        seen, shown = set(), set()
        for as_of in DAYS:
            whole = reading.state_at(session, as_of, None, None)
            names = {a["id"]: a["name"] for a in whole["actors"]}
            for latest in (1, LATEST):
                summary = reading.state_summary(session, as_of, None, None, latest)
                roles = {
                    a for e in summary.state["engagements"] for a in kept_reading._given_roles(e)
                }
                assert {a: summary.names[a] for a in roles} == {a: names[a] for a in roles}
                seen |= roles - {a["id"] for a in summary.state["actors"]}
                shown |= roles & {a["id"] for a in summary.state["actors"]}
        assert seen and shown  # named only for a role, and among those shown too


def test_each_sections_count_is_that_of_the_whole_states_entries_even_when_none(tmp_path):
    with Session(checked_store(str(tmp_path / "s.sqlite"), create=True)) as session:
        for as_of in (date(2025, 1, 1), *DAYS):  # before anything: every count 0
            summary = reading.state_summary(session, as_of, None, None, 1)
            whole = reading.state_at(session, as_of, None, None)
            listed = {s for s in summary.counts if isinstance(whole.get(s), list)}
            assert {"actors", "engagements", "agreements"} <= listed
            assert {s: summary.counts[s] for s in listed} == {s: len(whole[s]) for s in listed}


def test_noted_happenings_of_two_labels_interleaved_read_as_the_whole_states_text(
    tmp_path, sanction_kind
):
    """Two kinds without rules, their happenings interleaved in time: the text of the
    latest entries groups them by label, in the order each label first occurs, each
    label's latest by date and counted apart, as the text of the whole state does."""
    from events import registry

    with registry.declaring():
        declare_noted_kind("embargo-lifted", "embargo lifted")

        def noted_on(kind: str, n: int):
            # ids in the other order than the days: the latest is told by its day
            return noted(kind, f"test-{kind}-{9 - n}", f"2025-10-0{n}")

        kinds = ("embargo-lifted", "sanction-imposed")
        with Session(checked_store(str(tmp_path / "s.sqlite"), create=True), Clock()) as session:
            # sanctions on 1, 3, 5 and 7 October, embargoes on 2, 4 and 6: with one of
            # each shown, the embargo shown is the earlier, yet sanctions came first
            # (and come before embargoes in no alphabet)
            session.append([noted_on(kinds[n % 2], n) for n in range(1, 8)])
            for latest in (1, 2, LATEST):
                as_of = date(2025, 12, 31)
                text = summary_text(session, as_of, None, latest)
                assert text == whole_text(session, as_of, None, latest), latest
            assert "Sanction imposed (4, the latest 2 shown)" in summary_text(
                session, as_of, None, 2
            )
            shown = summary_text(session, as_of, None, 1)
            assert shown.index("Sanction imposed (4") < shown.index("Embargo lifted (3")
            assert "7 Oct 2025  test-sanction-imposed-2" in shown  # the latest


@pytest.fixture
def en_us_postgres_url():
    """A fresh PostgreSQL database whose own collation is ICU's en-US, which puts
    punctuation before digits and letters ('a|' < 'a2'; Python: 'a2' < 'a|'); dropped
    afterwards. Skipped where the server has no ICU."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from tests.conftest import _postgres_admin_url

    admin, name = _postgres_admin_url(), f"uspk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(
                f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE_PROVIDER icu'
                " ICU_LOCALE 'en-US' LOCALE 'C'"
            )
        except psycopg.Error as error:
            pytest.skip(f"no database with ICU's en-US collation here: {error}")
    yield urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_the_latest_actors_shown_are_the_latest_in_pythons_order_whatever_the_collation(
    en_us_postgres_url,
):
    """Two meetings on one day introduce actors: 'test-intro' three, 'test-intro2' one.
    An actor's place is its event's rank, then its number ('…|test-intro|2'), and
    Python puts '…|test-intro2|0' before '…|test-intro|0' ('2' < '|'), en-US after
    it. The text's latest two are chosen in SQL: they must be the whole state's."""
    from tests.factories import actor

    with Session(checked_store(en_us_postgres_url, create=True), Clock()) as session:
        with session.index.transaction() as sql:  # the scenario's premise: its own order
            assert sql.one("SELECT 'test-intro|0' < 'test-intro2|0'") == (True,)
        states = ["pakistan", "united-states"]
        session.append(
            [
                make(
                    "meeting",
                    "test-intro",
                    "2026-06-01",
                    participants=states,
                    introduces=[actor(f"test-actor-{n}") for n in range(3)],
                ),
                make(
                    "meeting",
                    "test-intro2",
                    "2026-06-01",
                    participants=states,
                    introduces=[actor("test-actor-x")],
                ),
            ]
        )
        as_of = date(2026, 12, 5)
        text = summary_text(session, as_of, None, 2)
        assert text == whole_text(session, as_of, None, 2)
        assert "  Test Actor 1, Test Actor 2\n" in text


def test_a_noted_row_edited_out_of_shape_is_named_by_its_section_and_key(tmp_path, sanction_kind):
    import sqlite3

    from projections.damage import ReadModelDamaged

    address = str(tmp_path / "s.sqlite")
    with Session(checked_store(address, create=True), Clock()) as session:
        session.append(sanctions())
        with sqlite3.connect(address) as db:
            db.execute("UPDATE uspk_view_standing SET entry = 'not json' WHERE section = 'noted'")
        with pytest.raises(ReadModelDamaged, match="the standing row of noted 'test-sanction-3'"):
            summary_text(session, date(2025, 12, 31), None, 1)


def test_two_kinds_of_one_label_are_counted_and_placed_as_one(tmp_path, sanction_kind):
    """Kinds are grouped by the label readers see: two kinds labelled alike are one
    group, counted together and placed where the first of either was noted."""
    from events import registry

    with registry.declaring():
        declare_noted_kind("embargo-lifted", "embargo lifted")
        declare_noted_kind("embargo-eased", "embargo lifted")  # told apart by its kind only
        happenings = [noted("embargo-eased", "test-eased-1", "2025-10-01")]
        happenings += [noted("sanction-imposed", "test-sanction-2", "2025-10-02")]
        happenings += [noted("embargo-lifted", f"test-lifted-{n}", f"2025-10-0{n}") for n in (3, 4)]
        with Session(checked_store(str(tmp_path / "s.sqlite"), create=True), Clock()) as session:
            session.append(happenings)
            as_of = date(2025, 12, 31)
            text = summary_text(session, as_of, None, 1)
            assert text == whole_text(session, as_of, None, 1)
    assert text.index("Embargo lifted (3, the latest 1 shown)") < text.index("Sanction imposed (1)")
