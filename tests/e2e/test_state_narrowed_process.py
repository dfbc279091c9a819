"""`uspk state` narrowed and bounded, through the installed console script in a separate
process, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess


def uspk(address: str, home: str, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "USPK_DB": address, "HOME": home}
    return subprocess.run(
        [exe, *args], capture_output=True, env=env, cwd=home, timeout=120, text=True
    )


def test_a_narrowed_state_and_an_unknown_agreement_through_the_console_script(
    store_address, tmp_path
):
    home = str(tmp_path)
    done = uspk(
        store_address,
        home,
        "state",
        "--at",
        "2025-12-31",
        "--format",
        "json",
        "--agreement",
        "ussm-fwo-mou",
    )
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout)
    assert [a["id"] for a in state["agreements"]] == ["ussm-fwo-mou"]
    assert {s["agreement"] for s in state["next_steps"]} == {"ussm-fwo-mou"}

    refused = uspk(store_address, home, "state", "--at", "2025-12-31", "--agreement", "ussm")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "Traceback" not in refused.stderr
    errors = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "--agreement" in errors[0] and "did you mean" in errors[0]
