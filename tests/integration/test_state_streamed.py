"""`uspk state --all` writes the whole state's text as it reads it: a section at a time,
each entry made from its row as it is written (``reading.state_shown``: the kept
sections in one read transaction, ``render.state_lines``), never the whole state in
memory. The text must be, byte for byte, the text of the whole state made at once."""

from __future__ import annotations

from datetime import date, timedelta

from cli.render import _WORDS_AT_ONCE, state_lines, state_text
from service import reading
from service.bootstrap import Session, checked_store
from tests.clirunner import Uspk
from tests.factories import actor, make
from tests.integration.test_kept_rows import Clock
from tests.integration.test_state_summary import DAYS, said_and_noted, sanctions

ACTORS = 150  # their names, 16 words each, are more words than the text wraps at once
DATES = ["2025-10", "2025-10-06", "2025", "2025-09-30", "2025-11-02"]


def long_named_actors() -> list:
    """One meeting that introduces many actors with long names: the actors' line, one
    list of names as long as the history, wraps over many runs of words."""
    name = "Test Actor {n} of the long delegation of the long delegation of the long delegation"
    ids = [f"test-actor-{n}" for n in range(ACTORS)]
    return [
        make(
            "meeting",
            "test-many-actors",
            "2025-09-01",
            participants=ids[:2],
            introduces=[actor(i, name=name.format(n=n)) for n, i in enumerate(ids)],
        )
    ]


def statements() -> list:
    """Statements whose dates end in every order (a month, a day, a year): what was
    said is listed latest first by each date's end, equal ones in the state's order."""
    return [
        make(
            "statement-made",
            f"test-statement-{n}",
            DATES[n % len(DATES)],
            speaker="ussm" if n % 2 else "shehbaz-sharif",
            quote=f"Statement {n}.",
        )
        for n in range(25)
    ]


def streamed_text(session: Session, as_of: date, known_at) -> str:
    with reading.state_shown(session, as_of, known_at, None, None) as summary:
        assert not isinstance(summary.state, dict)  # read as it is written, not whole
        return "\n".join(state_lines(summary.state, None))


def test_the_whole_state_written_as_it_is_read_is_the_text_of_the_whole_state(
    store_address, sanction_kind
):
    clock = Clock()
    with Session(checked_store(store_address, create=True), clock) as session:
        before = clock.now + timedelta(seconds=30)  # known at: before this test's events
        session.append([*long_named_actors(), *said_and_noted(), *statements()])
        between = clock.now + timedelta(seconds=30)
        session.append(sanctions())
        for known_at in (None, before, between):
            for as_of in DAYS:
                whole = state_text(reading.state_at(session, as_of, known_at), None)
                assert streamed_text(session, as_of, known_at) == whole, (as_of, known_at)
        # The scenario reached what it is about: many runs of names, said and noted.
        text = streamed_text(session, date(2025, 12, 31), None)
        actors = text.split("\nActors (")[1].split("\n\n")[0].splitlines()[1:]
        assert sum(len(line.split()) for line in actors) > 2 * _WORDS_AT_ONCE
        assert "Sanction imposed (3)" in text and "What was said (" in text
        said = text.split("What was said (")[1].split("\n\n")[0]
        assert said.index("[test-statement-2]") < said.index("[test-statement-4]")  # 2025
        # What the command writes, a batch at a time: the same text and its line break.
        written = Uspk(store_address).ok("state", "--at", "2025-12-31", "--all")
        assert written == text + "\n"
