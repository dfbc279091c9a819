"""The layers import one way (cli -> service -> projections -> domain -> events), the
project's modules import no cycle, domain/ holds no store infrastructure, the command
line reaches into no recorder or read model, and production reads the record through the
index alone (the tests' oracle stays in tests/): read from the source, not run."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAYERS = ["events", "domain", "projections", "service", "cli"]  # each may import those before


def modules() -> dict[str, Path]:
    found = {}
    for layer in LAYERS:
        for path in (REPO / layer).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imported(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for name, path in modules().items():
        rank = LAYERS.index(name.split(".")[0])
        for other in imported(path):
            top = other.split(".")[0]
            if top in LAYERS and LAYERS.index(top) > rank:
                wrong.append(f"{name} imports {other}")
    assert wrong == []


def test_the_projects_modules_import_no_cycle():
    own = modules()
    graph = {
        name: {m for m in imported(path) if m in own and m != name} for name, path in own.items()
    }
    done: set[str] = set()

    def cycle_from(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return trail[trail.index(name) :] + [name]
        if name in done:
            return None
        for other in sorted(graph[name]):
            found = cycle_from(other, [*trail, name])
            if found:
                return found
        done.add(name)
        return None

    cycles = [c for c in (cycle_from(name, []) for name in sorted(graph)) if c]
    assert cycles == []


def test_domain_holds_the_rules_and_no_store_infrastructure():
    infrastructure = ("eventsourcing.application", "eventsourcing.persistence", "psycopg")
    leaks = [
        f"{name} imports {other}"
        for name, path in modules().items()
        if name.startswith("domain")
        for other in imported(path)
        if other.startswith(infrastructure) or other == "eventsourcing.postgres"
    ]
    assert leaks == []


def test_the_command_line_reaches_into_no_recorder_or_read_model():
    reaching = []
    inside = ("recorder", "views", "index", "app")  # a session's recorder, index, application
    for path in (REPO / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in inside:
                reaching.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert reaching == []


def test_production_reads_the_record_only_through_the_index():
    """The chronicle read whole (eventsourcing's repository) and the in-memory lookups are
    the tests' oracle (tests/oracle.py): no production module imports tests or the
    repository."""
    found = []
    for name, path in modules().items():
        found += [f"{name} imports {m}" for m in imported(path) if m.split(".")[0] == "tests"]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "repository":
                found.append(f"{name}:{node.lineno} .repository")
    assert found == []
