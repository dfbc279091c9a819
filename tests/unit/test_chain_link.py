"""The chain's link (domain.chain) stands for everything about a recorded change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.chain import link

WHEN = datetime(2025, 9, 9, 12, 0, tzinfo=UTC)
DOCUMENT = {"id": "e1", "kind": "meeting", "title": "A meeting", "amounts": [1.5, 2]}


def test_the_same_change_after_the_same_link_always_has_the_same_link():
    again = dict(reversed(DOCUMENT.items()))  # key order is not content
    assert link("a" * 64, DOCUMENT, "ann", "why", WHEN) == link("a" * 64, again, "ann", "why", WHEN)


def test_changing_anything_about_a_change_or_what_came_before_changes_its_link():
    base = link("a" * 64, DOCUMENT, "ann", "why", WHEN)
    others = [
        link("b" * 64, DOCUMENT, "ann", "why", WHEN),
        link(None, DOCUMENT, "ann", "why", WHEN),
        link("a" * 64, {**DOCUMENT, "title": "A meetinh"}, "ann", "why", WHEN),
        link("a" * 64, DOCUMENT, "bob", "why", WHEN),
        link("a" * 64, DOCUMENT, "ann", None, WHEN),
        link("a" * 64, DOCUMENT, "ann", "why", WHEN + timedelta(microseconds=1)),
    ]
    assert len({base, *others}) == 1 + len(others)


def test_a_moment_is_linked_as_the_same_instant_whatever_its_zone():
    elsewhere = WHEN.astimezone(UTC).astimezone(tz=None)
    assert link(None, DOCUMENT, None, None, WHEN) == link(None, DOCUMENT, None, None, elsewhere)
