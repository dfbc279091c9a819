"""`uspk export --format sqlite` run as a user runs it, when the file cannot be written
whole: the database is written into a temporary file beside the target as it is read,
and only a whole one replaces the target."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess


def test_an_export_that_cannot_be_written_whole_leaves_the_old_files_and_no_other(tmp_path):
    exe = shutil.which("uspk")
    assert exe, "the uspk console script is not installed: pip install -e '.[test]'"
    env = {**os.environ, "USPK_DB": str(tmp_path / "uspk.sqlite"), "HOME": str(tmp_path)}
    target = tmp_path / "out" / "reset.db"
    target.parent.mkdir()

    def export(limit: int | None = None) -> subprocess.CompletedProcess:
        def limited() -> None:  # no file of this process may grow past the limit
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return subprocess.run(
            [exe, "export", "--format", "sqlite", "-o", str(target)],
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            preexec_fn=limited if limit else None,
        )

    assert export().returncode == 0
    before = {p.name: p.read_bytes() for p in target.parent.iterdir()}
    assert sorted(before) == ["reset.db", "reset.metadata.json"]

    # Python ignores SIGXFSZ: a write past the limit fails (EFBIG), as on a full disk.
    failed = export(limit=len(before["reset.db"]) // 2)

    assert failed.returncode == 1
    (line,) = failed.stderr.decode().splitlines()  # SQLite's reason after ours, one line
    assert line.startswith(f"Error: {target}: cannot write: ")
    assert {p.name: p.read_bytes() for p in target.parent.iterdir()} == before
