"""scripts/mutants' counting (issue 18): what a score leaves out and what a report of a
run stopped early says. The mutation run itself is a documented command, not a test."""

import importlib.machinery
import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutants"


@pytest.fixture(scope="module")
def mutants():
    loader = importlib.machinery.SourceFileLoader("uspk_mutants_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


FOUND = {
    "projections.kept.x_maintain__mutmut_1": "killed",
    "projections.kept.x_maintain__mutmut_2": "timeout",
    "projections.kept.x_maintain__mutmut_3": "survived",
    "projections.kept.x_maintain__mutmut_4": "survived",
    "projections.kept.x_maintain__mutmut_5": "not checked",
    "projections.settled.x_settle__mutmut_1": "no tests",
    "projections.settled.x_settle__mutmut_2": "killed",
    # survived mutmut's forked run, failed the tests in a new process (a query built at import)
    "projections.bitemporal.x_standing_of__mutmut_1": "killed in a new process",
}


def test_a_score_leaves_out_the_listed_equivalents_and_the_mutants_not_run(mutants):
    equivalent = {"projections.kept.x_maintain__mutmut_4"}
    by_file, survivors = mutants.tally(FOUND, equivalent)
    assert by_file["projections.kept"] == {
        "killed": 2,
        "survived": 1,
        "equivalent": 1,
        "not run": 1,
    }
    assert by_file["projections.settled"] == {
        "killed": 1,
        "survived": 1,
        "equivalent": 0,
        "not run": 0,
    }
    assert by_file["projections.bitemporal"]["killed"] == 1
    assert survivors == [
        ("projections.kept.x_maintain__mutmut_3", "survived"),
        ("projections.settled.x_settle__mutmut_1", "no tests"),
    ]
    killed, counted, percent = mutants.score(by_file)
    assert (killed, counted) == (4, 6)
    assert percent == pytest.approx(400 / 6)


def test_a_group_with_nothing_counted_scores_full(mutants):
    by_file, _ = mutants.tally({"domain.world.x_f__mutmut_1": "not checked"}, set())
    assert mutants.score(by_file) == (0, 0, 100.0)


def test_the_equivalents_are_the_mutant_names_docs_mutants_md_quotes(
    mutants, tmp_path, monkeypatch
):
    listing = tmp_path / "mutants.md"
    listing.write_text(
        "| `projections.kept.x_maintain__mutmut_47` | lower case | why |\n"
        "| `projections.kept.xǁKeptLookupǁmentioning__mutmut_1` | default | why |\n"
        "`projections/kept.py` is a path, `maintain` a function: neither is a mutant\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(mutants, "EQUIVALENT_LIST", listing)
    assert mutants.equivalents() == {
        "projections.kept.x_maintain__mutmut_47",
        "projections.kept.xǁKeptLookupǁmentioning__mutmut_1",
    }


def test_a_report_of_a_group_never_run_is_refused_in_one_line(
    mutants, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(mutants, "RUNS", tmp_path / "mutants-runs")
    assert mutants.main(["--report", "kept"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "no run of kept" in err[0] and "scripts/mutants kept" in err[0]


def test_an_unknown_group_is_refused_with_the_groups_there_are(mutants, capsys):
    assert mutants.main(["--report", "nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mutants: no group nosuch; the groups: ")
    assert "kept" in err and "domain" in err


def test_a_run_stopped_by_hand_still_records_its_start_and_time(mutants, tmp_path):
    with pytest.raises(KeyboardInterrupt), mutants.recorded(tmp_path):
        raise KeyboardInterrupt
    record = json.loads((tmp_path / mutants.RUN_RECORD).read_text("utf-8"))
    assert record["seconds"] >= 0 and record["started"].endswith("UTC")
    assert mutants.ran(tmp_path).startswith("0.0 min, started ")


def test_a_copy_without_a_record_says_so(mutants, tmp_path):
    assert mutants.ran(tmp_path) == "run time not recorded"


def test_a_group_s_postgresql_tests_are_let_in_by_dropping_only_that_marker(mutants):
    shared = ["-p", "no:cacheprovider", "-q", "-m", "not postgres and not e2e"]
    assert mutants.postgres_let_in(shared) == ["-p", "no:cacheprovider", "-q", "-m", "not e2e"]
    assert mutants.postgres_let_in(["-q", "-m", "not postgres"]) == ["-q"]
    alone = mutants.postgres_let_in(shared, alone=True)
    assert alone == ["-p", "no:cacheprovider", "-q", "-m", "postgres and not e2e"]


def test_a_survivor_runs_again_all_tests_only_if_called_at_import_else_postgresql_s(mutants):
    every, postgres = ["tests"], ["-m", "postgres", "tests"]
    at_import = {"projections.kept_reading.x__quoted"}
    assert (
        mutants.recheck_with(
            "projections.kept_reading.x__quoted__mutmut_1", at_import, every, postgres
        )
        == every
    )
    assert (
        mutants.recheck_with(
            "projections.kept_reading.x__noted__mutmut_3", at_import, every, postgres
        )
        == postgres
    )
    assert mutants.recheck_with("pkg.x_f__mutmut_1", at_import, every, None) is None
    assert mutants.recheck_with("pkg.x_f__mutmut_1", None, every, postgres) == every


def test_survivors_run_again_as_many_at_once_as_asked_and_each_verdict_comes_back(mutants):
    """With 2 jobs, two runs are under way together (each waits at a barrier for the
    other: run one at a time, the first would wait in vain); with 1, never two."""
    import threading

    together = threading.Barrier(2, timeout=30)
    names = ["a", "b", "c", "d"]
    given = dict(mutants.side_by_side(names, lambda n: (together.wait(), n.upper())[1], 2))
    assert given == {"a": "A", "b": "B", "c": "C", "d": "D"}

    lock, under_way, most = threading.Lock(), [0], [0]

    def one(name: str) -> str:
        with lock:
            under_way[0] += 1
            most[0] = max(most[0], under_way[0])
        threading.Event().wait(0.01)
        with lock:
            under_way[0] -= 1
        return name

    assert sorted(n for n, _ in mutants.side_by_side(names, one, 1)) == names
    assert most[0] == 1


def test_the_functions_called_while_the_tests_are_collected_are_found(mutants, tmp_path):
    """In a copy mutated as mutmut mutates (each function's original kept as
    ``x_name__mutmut_orig``), those called while pytest imports the tests, by the module
    or by a test file, and not those called only by a test."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", "utf-8")
    (tmp_path / "pkg" / "m.py").write_text(
        "def x_built__mutmut_orig():\n    return 'SELECT 1'\n"
        "def built():\n    return x_built__mutmut_orig()\n"
        "def x_asked__mutmut_orig():\n    return 2\n"
        "def asked():\n    return x_asked__mutmut_orig()\n"
        "def x_named__mutmut_orig():\n    return 3\n"
        "def named():\n    return x_named__mutmut_orig()\n"
        "QUERY = built()\n",
        "utf-8",
    )
    (tmp_path / "test_m.py").write_text(
        "from pkg import m\nNAME = m.named()\ndef test_asked():\n    assert m.asked() == 2\n",
        "utf-8",
    )
    found = mutants.called_at_import(tmp_path, ["-p", "no:cacheprovider", "test_m.py"], {})
    assert found == {"pkg.m.x_built", "pkg.m.x_named"}
    assert mutants.called_at_import(tmp_path, ["no_such_test.py"], {}) is None


# -- a listed mutant is left out only while its function is as it was when listed --------

MODULE = '''
def f(a):
    """What f does."""
    return a + 1  # one more


class C:
    def m(self, b):
        return b * 2
'''


def fingerprint_of(mutants, tmp_path, source: str, function: str):
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "mod.py").write_text(source, encoding="utf-8")
    return mutants.fingerprint(function, tmp_path)


def test_a_function_s_fingerprint_ignores_its_docstring_comments_and_layout(mutants, tmp_path):
    before = fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.x_f")
    relaid = MODULE.replace('    """What f does."""\n', "").replace("a + 1  # one more", "(a+1)")
    assert fingerprint_of(mutants, tmp_path, relaid, "pkg.mod.x_f") == before
    assert len(before) == 12


def test_a_function_s_fingerprint_changes_with_its_code(mutants, tmp_path):
    before = fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.x_f")
    method = fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.xǁCǁm")
    changed = MODULE.replace("a + 1", "a + 2").replace("b * 2", "b * 3")
    assert fingerprint_of(mutants, tmp_path, changed, "pkg.mod.x_f") not in (None, before)
    assert fingerprint_of(mutants, tmp_path, changed, "pkg.mod.xǁCǁm") not in (None, method)
    assert method != before


def test_a_function_gone_or_never_there_has_no_fingerprint(mutants, tmp_path):
    assert fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.x_g") is None
    assert fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.xǁCǁf") is None  # f is no method
    assert mutants.fingerprint("pkg.nosuch.x_f", tmp_path) is None


def test_listed_mutants_of_a_function_changed_or_not_recorded_are_counted_again(
    mutants, tmp_path, monkeypatch
):
    f = fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.x_f")
    listing = tmp_path / "mutants.md"
    listing.write_text(
        "| `pkg.mod.x_f__mutmut_1` | change | why |\n"
        "| `pkg.mod.x_f__mutmut_2` | change | why |\n"
        "| `pkg.mod.xǁCǁm__mutmut_1` | change | why |\n"
        "| `pkg.mod.x_gone__mutmut_1` | change | why |\n"
        "\n| function | fingerprint |\n| --- | --- |\n"
        f"| `pkg.mod.x_f` | `{f}` |\n| `pkg.mod.xǁCǁm` | `0123456789ab` |\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(mutants, "EQUIVALENT_LIST", listing)
    listed = mutants.equivalents()

    assert mutants.stale(listed, tmp_path) == {"pkg.mod.xǁCǁm": 1}
    (tmp_path / "pkg" / "mod.py").write_text(MODULE.replace("a + 1", "a - 1"), encoding="utf-8")
    assert mutants.stale(listed, tmp_path) == {"pkg.mod.x_f": 2, "pkg.mod.xǁCǁm": 1}
    listing.write_text(listing.read_text("utf-8").split("\n\n")[0], encoding="utf-8")
    assert mutants.stale(listed, tmp_path) == {"pkg.mod.x_f": 2, "pkg.mod.xǁCǁm": 1}


def test_the_fingerprint_table_is_printed_as_the_code_is_now(mutants, tmp_path, monkeypatch):
    fingerprint_of(mutants, tmp_path, MODULE, "pkg.mod.x_f")
    rows = mutants.fingerprint_rows(
        {"pkg.mod.x_f__mutmut_3", "pkg.mod.x_f__mutmut_1", "pkg.mod.x_gone__mutmut_1"}, tmp_path
    )
    assert rows == [f"| `pkg.mod.x_f` | `{mutants.fingerprint('pkg.mod.x_f', tmp_path)}` |"]


def test_every_function_recorded_as_listed_has_a_listed_mutant(mutants):
    """A row of "The functions as listed" names a function with a mutant listed above it:
    a function renamed or no longer listed is not left behind as a row that vouches for
    nothing."""
    listed = {mutants.function_of(m) for m in mutants.equivalents()}
    assert set(mutants.fingerprints_listed()) <= listed


# -- a mutant's tests run cheapest first (tests/mutant_order.py) ---------------------------


def test_a_mutant_s_tests_run_module_by_module_cheapest_first():
    from tests.mutant_order import cheapest_first

    ids = [
        "tests/property/p.py::slow",
        "tests/unit/u.py::b",
        "tests/store/s.py::one",
        "tests/unit/u.py::a",
        "tests/store/s.py::two",
    ]
    seconds = {
        "tests/property/p.py::slow": 27.0,
        "tests/unit/u.py::a": 0.01,
        "tests/unit/u.py::b": 0.02,
        "tests/store/s.py::one": 0.7,
        "tests/store/s.py::two": 0.5,
    }
    order = [ids[i] for i in cheapest_first(ids, seconds)]
    assert order == [
        "tests/unit/u.py::a",
        "tests/unit/u.py::b",
        "tests/store/s.py::two",
        "tests/store/s.py::one",
        "tests/property/p.py::slow",
    ]


def test_tests_never_timed_or_tied_keep_the_order_given():
    from tests.mutant_order import cheapest_first

    ids = ["m.py::x", "n.py::y", "m.py::z", "n.py::w"]
    assert [ids[i] for i in cheapest_first(ids, {})] == ["m.py::x", "m.py::z", "n.py::y", "n.py::w"]


def test_a_mutant_s_change_is_read_from_mutmut_s_text_of_its_module(mutants):
    """``--show``: a mutant's function against the original mutmut keeps beside it, both
    renamed alike so that only the mutated line differs; a name not made is None."""
    from types import SimpleNamespace

    code = (
        "def x_f__mutmut_orig(a):\n    b = a\n    return a + 1\n"
        "def x_f__mutmut_1(a):\n    b = a\n    return a - 1\n"
    )
    spans = {
        "x_f__mutmut_orig": SimpleNamespace(start=1, end=3),
        "x_f__mutmut_1": SimpleNamespace(start=4, end=6),
    }
    mutated = SimpleNamespace(code=code, line_span_by_function_name=spans)
    assert mutants._mutation_in(mutated, "x_f__mutmut_1") == "- return a + 1 / + return a - 1"
    assert mutants._mutation_in(mutated, "x_f__mutmut_2") is None


PROJECT = """[project]
name = "x"

[tool.mutmut]
pytest_add_cli_args = ["-q", "-m", "not postgres and not e2e"]
timeout_multiplier = 4.0
timeout_constant = 20.0
"""


def test_a_group_s_copy_gets_its_files_tests_and_own_timeout(mutants):
    import tomllib

    spec = {"mutate": ["projections/kept.py"], "tests": ["tests/a.py"], "timeout_multiplier": 2}
    settings = tomllib.loads(mutants.group_project(PROJECT, spec, postgres=True))["tool"]["mutmut"]
    assert settings == {
        "only_mutate": ["projections/kept.py"],
        "pytest_add_cli_args_test_selection": ["tests/a.py"],
        "pytest_add_cli_args": ["-q", "-m", "not e2e"],
        "timeout_multiplier": 2.0,
        "timeout_constant": 20.0,
    }


def test_a_group_without_its_own_timeout_keeps_the_shared_settings(mutants):
    import tomllib

    spec = {"mutate": ["events/files.py"], "tests": ["tests/unit"]}
    settings = tomllib.loads(mutants.group_project(PROJECT, spec, postgres=False))["tool"]["mutmut"]
    assert settings["timeout_multiplier"] == 4.0
    assert settings["pytest_add_cli_args"] == ["-q", "-m", "not postgres and not e2e"]


def test_a_run_whose_tests_fail_unmutated_is_not_to_be_trusted(
    mutants, tmp_path, monkeypatch, capsys
):
    """When the group's tests fail unmutated in the order each mutant's run them (the
    check before the survivors are run again), its kills may be no mutant's: exit 2."""
    import subprocess

    monkeypatch.setattr(mutants, "prepare", lambda group, spec: tmp_path)
    monkeypatch.setattr(mutants, "mutant_names", lambda where, spec: [])
    monkeypatch.setattr(
        mutants, "mutmut", lambda *a, **k: subprocess.CompletedProcess([], 0, "", "")
    )
    monkeypatch.setattr(mutants, "recheck", lambda *a: False)
    monkeypatch.setattr(mutants, "report", lambda *a: 99.0)
    assert mutants.main(["standing"]) == 2
    assert "not to be trusted (tests failing unmutated): standing" in capsys.readouterr().out

    monkeypatch.setattr(mutants, "recheck", lambda *a: True)
    assert mutants.main(["standing"]) == 0


def test_mutants_run_on_every_core_this_process_may_use_unless_told(mutants):
    cores = len(__import__("os").sched_getaffinity(0))
    assert mutants.settings({}) == (str(cores), 90.0)
    assert mutants.settings({"MUTANTS_JOBS": "1", "MUTANTS_MIN": "85.5"}) == ("1", 85.5)
    assert mutants.settings({"MUTANTS_JOBS": "03"}) == ("3", 90.0)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MUTANTS_JOBS", "0"),
        ("MUTANTS_JOBS", "-2"),
        ("MUTANTS_JOBS", "two"),
        ("MUTANTS_JOBS", "1.5"),
        ("MUTANTS_MIN", "ninety"),
        ("MUTANTS_MIN", "101"),
        ("MUTANTS_MIN", "-1"),
        ("MUTANTS_MIN", "nan"),
    ],
)
def test_a_setting_out_of_its_range_is_refused_in_one_line_naming_it(
    mutants, monkeypatch, capsys, tmp_path, variable, value
):
    monkeypatch.setattr(mutants, "RUNS", tmp_path / "mutants-runs")
    monkeypatch.setenv(variable, value)
    assert mutants.main(["domain"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"mutants: {variable}={value!r}: expected ")
    assert not (tmp_path / "mutants-runs").exists()  # nothing run, no copy made


def test_a_groups_listed_equivalents_are_not_run_and_the_rest_are(mutants):
    """mutmut is given every mutant name of the group's files but the listed equivalents
    (they can only survive, each paying every test that reaches it); none when nothing
    of the group is listed, so that mutmut runs them all as it does unasked. A listed
    mutant not run counts as equivalent, not as not run."""
    names = ["pkg.m.x_f__mutmut_1", "pkg.m.x_f__mutmut_2", "pkg.m.x_f__mutmut_3"]
    assert mutants.to_run(names, {"pkg.m.x_f__mutmut_1"}) == names[1:]
    assert mutants.to_run(names, {"other.x_g__mutmut_1"}) == []
    found = {"pkg.m.x_f__mutmut_1": "not checked", "pkg.m.x_f__mutmut_2": "killed"}
    by_file, _ = mutants.tally(found, {"pkg.m.x_f__mutmut_1"})
    assert by_file["pkg.m"] == {"killed": 1, "survived": 0, "equivalent": 1, "not run": 0}


def test_the_mutant_names_of_a_groups_files_are_mutmut_s(mutants, tmp_path):
    pytest.importorskip("mutmut", reason="the mutation extra: pip install -e '.[mutation]'")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("def f(a):\n    return a + 1\n", "utf-8")
    names = mutants.mutant_names(tmp_path, {"mutate": ["pkg/m.py"]})
    assert names and all(name.startswith("pkg.m.x_f__mutmut_") for name in names)
