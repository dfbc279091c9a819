"""The state's shape: its keys in the order it is shown, and the words an undetermined
entry's reason begins with. Light on purpose: the kept rows' reader (projections/kept_reading.py)
answers a state from stored rows and must not build the rules or the models to do it."""

from __future__ import annotations

STATE_KEYS = (
    "as_of",
    "known_at",
    "agreements",
    "engagements",
    "next_steps",
    "actors",
    "statements",
    "undetermined",
    "noted",
    "measures",
    "financing",
    "shipments",
    "announcements",
    "proposals",
)
SECTIONS = tuple(key for key in STATE_KEYS if key not in ("as_of", "known_at"))
# Kept beside the sections, not shown in the state: each happening in the state with
# what it changed, in the words `uspk diff` says them (a diff reads two days of them).
CHANGES = "changes"
# Kept beside them too: for each entry, what a narrowed state (``state --agreement``,
# ``--actor``, ``--kind``) finds it by, and the actors its events name (``kept``).
ABOUT = "about"

# How an undetermined entry's reason begins, by why it is undetermined (the kept rows
# place each group as the whole state does: projections/kept.py).
DEPENDS_ON_UNDETERMINED = "depends on something undetermined"
EFFECTIVE_DATE_CONTAINS = "its effective date"
