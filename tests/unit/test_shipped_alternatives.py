"""Every disputed value the shipped history comes to believe is cited: each alternative's
said_by names a publisher of its event's sources or of its own (``Happening.unattributed``,
the record's rule), read from every file in events/history. A shipped file that a later
shipped file supersedes is kept as it was first shipped: stores hold it as recorded."""

from __future__ import annotations

from events.files import load_bytes
from events.history import history_files
from events.model import Happening

CITED = "-alternatives-cited"  # the amendments that gave the alternatives their sources


def shipped_files() -> list[tuple[str, list]]:
    return [(p.name, load_bytes(p.read_bytes(), str(p)).documents) for p in history_files()]


def unattributed(files: list[tuple[str, list]]) -> list[str]:
    """One line per shipped event whose alternative breaks the rule: file, event, field,
    the publisher no source names and the publishers it could be."""
    superseded = {d.supersedes for _, docs in files for d in docs if getattr(d, "supersedes", 0)}
    return [
        f"events/history/{name}: event {d.id!r}: {problem}"
        for name, documents in files
        for d in documents
        if isinstance(d, Happening) and d.id not in superseded
        if (problem := d.unattributed()) is not None
    ]


def test_every_alternative_of_the_shipped_history_names_a_publisher_it_cites():
    problems = unattributed(shipped_files())
    assert not problems, "shipped alternatives said by no cited publisher:\n" + "\n".join(problems)


def test_the_check_names_the_file_and_the_alternative_of_a_shipped_event_that_breaks_it():
    files = shipped_files()
    cited = "2025-10-29-first-us-crude-cargo-arrives-alternatives-cited.yaml"
    without_amendment = [(name, docs) for name, docs in files if name != cited]
    assert unattributed(without_amendment) == [
        "events/history/2025-10-29-first-us-crude-cargo-arrives.yaml: event "
        "'first-us-crude-cargo-arrives-2025-10-29': alternative of field 'destination': "
        "said_by 'Times of Islamabad' is not the publisher of any of its sources; expected one "
        "of: Dawn, WE News, Arab News (or give the alternative its own sources)"
    ]


def test_each_amended_shipped_event_cites_the_reports_its_alternatives_rest_on():
    amendments = [d for _, docs in shipped_files() for d in docs if d.id.endswith(CITED)]
    cited = [a for d in amendments for a in d.alternatives]
    assert len(amendments) == 6 and len(cited) == 4  # two moved their undated pages to notes
    for alternative in cited:
        assert alternative.sources, alternative
        assert all(s.url and s.quote for s in alternative.sources), alternative
