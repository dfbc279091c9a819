"""A pytest plugin for mutation runs only (``-p tests.mutant_order`` in pyproject's
[tool.mutmut]; a normal test run never loads it): the tests that reach a mutant run
cheapest first, as mutmut timed them unmutated (``mutmut-stats.json`` in the directory
the tests run in). mutmut passes them in no particular order and stops at the first
failure, so a mutant a unit test kills in milliseconds otherwise often waits for a
property test first. Each module's tests stay together (a module's fixtures are made
once), modules by the time of their tests, each module's tests by their own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STATS = "mutmut-stats.json"


def cheapest_first(ids: Sequence[str], seconds: dict[str, float]) -> list[int]:
    """The positions of test ``ids`` in the order to run them: their modules by the time
    of the module's tests, then each test by its own; a test never timed counts 0, and
    ties keep the order given."""
    per_module: dict[str, float] = {}
    first: dict[str, int] = {}
    for position, test in enumerate(ids):
        module = test.partition("::")[0]
        per_module[module] = per_module.get(module, 0.0) + seconds.get(test, 0.0)
        first.setdefault(module, position)

    def place(position: int) -> tuple[float, int, float, int]:
        module = ids[position].partition("::")[0]
        return per_module[module], first[module], seconds.get(ids[position], 0.0), position

    return sorted(range(len(ids)), key=place)


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    try:
        timed = json.loads(Path(STATS).read_text("utf-8"))["duration_by_test"]
        seconds = {str(test): float(took) for test, took in timed.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return  # no run's timings here: the order given
    ids = [item.nodeid for item in items]
    items[:] = [items[i] for i in cheapest_first(ids, seconds)]
