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
