"""The door's last check: a document that the store would not give back unchanged is
refused before anything is written, naming the field (so a future formatting bug cannot
poison a store). The documents here are built as a bug would build them: past
validation, with a date value that writes out wrongly."""

from datetime import date

import pytest

from events.dates import FuzzyDate, Precision
from events.files import InputError, check_round_trip
from tests.factories import make


def meeting():
    return make("meeting", "m1", participants=["ussm", "fwo"])


def test_a_document_whose_date_writes_out_unreadably_is_refused_naming_the_field():
    unreadable = FuzzyDate(date(2025, 9, 8), date(2025, 9, 8), Precision.DAY, "x")
    broken = meeting().model_copy(update={"occurred": unreadable})
    with pytest.raises(InputError) as refused:
        check_round_trip(broken, "m1.yaml", "event (id 'm1')")
    assert str(refused.value).startswith("m1.yaml: event (id 'm1'), field 'occurred': ")
    assert str(refused.value).endswith(
        ", as the store would keep it; refused before writing (a bug in uspk: please report it)"
    )


def test_a_document_whose_date_reads_back_changed_is_refused_naming_the_field():
    # A day that claims to end three weeks later: written as the day, read back as it.
    wider = FuzzyDate(date(2025, 9, 8), date(2025, 9, 30), Precision.DAY)
    source = meeting().sources[0].model_copy(update={"published": wider})
    broken = meeting().model_copy(update={"sources": [source]})
    with pytest.raises(InputError) as refused:
        check_round_trip(broken, "m1.yaml", "event (id 'm1')")
    assert "event (id 'm1'), field 'sources': would read back changed" in str(refused.value)


def test_a_valid_document_passes_the_check_unchanged():
    check_round_trip(meeting(), "m1.yaml", "event (id 'm1')")
