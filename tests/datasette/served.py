"""A real Datasette serving an exported database, in a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Datasette:
    def __init__(self, port: int, database: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.host = f"127.0.0.1:{port}"
        self.database = database

    def url(self, path: str, **params: str) -> str:
        query = urllib.parse.urlencode(params)
        return f"{self.base}/{self.database}/{path}" + (f"?{query}" if query else "")

    def rows(self, path: str, **params: str) -> list[dict[str, Any]]:
        """A table or canned query's rows, through the JSON API (``_shape=array``)."""
        with urllib.request.urlopen(self.url(f"{path}.json", _shape="array", **params)) as got:
            return json.load(got)


@contextmanager
def serving(database: Path, metadata: Path, *options: str) -> Iterator[Datasette]:
    """``datasette serve DATABASE --metadata METADATA [OPTIONS]``, up and answering, then
    stopped."""
    exe = shutil.which("datasette")
    assert exe, "datasette is not installed: pip install -e '.[test]'"
    port = free_port()
    server = subprocess.Popen(
        [exe, "serve", str(database), "--metadata", str(metadata)]
        + ["--port", str(port), "--host", "127.0.0.1", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    served = Datasette(port, database.stem)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{served.base}/-/versions.json", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    output = server.stdout.read().decode(errors="replace")
                    raise AssertionError(f"datasette did not start:\n{output}") from None
                time.sleep(0.1)
        yield served
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
