"""uspk's benchmark: synthetic histories on SQLite (and PostgreSQL), held against the raw floor.

    python -m benchmarks.run                          # the default run (a few minutes)
    python -m benchmarks.run --sizes 1000 --repeat 3  # quick
    python -m benchmarks.run --postgres postgresql://postgres@127.0.0.1:54329/postgres
    python -m benchmarks.run --json out.json --compare before.json

See benchmarks/README.md for what each row means. Progress goes to stderr, the table to
stdout, the same figures as JSON to ``--json``.
"""

from __future__ import annotations

import argparse
import calendar
import gc
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks.synthetic import DEFAULT_SEED, batches, generate, mid_date

POSTGRES_ENV = "USPK_TEST_POSTGRES"
BATCH = 1000
PG_IMPORT_BATCH = 2000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- results --------------------------------------------------------------------------------


@dataclass
class Result:
    """One measured figure: its samples, and (for rates) the floor it is held against."""

    backend: str
    size: int | None
    metric: str  # stable id, for comparing runs
    label: str
    unit: str  # "ev/s" (higher is better), "ms", "MiB"
    samples: list[float]
    floor: float | None = None  # ev/s of the matching raw floor
    floor_orjson: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def ratio(self) -> float | None:
        return self.median / self.floor if self.floor else None

    @property
    def ratio_orjson(self) -> float | None:
        return self.median / self.floor_orjson if self.floor_orjson else None

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            median=self.median,
            min=min(self.samples) if self.samples else None,
            max=max(self.samples) if self.samples else None,
            n=len(self.samples),
            ratio=self.ratio,
            ratio_orjson=self.ratio_orjson,
        )
        return out


class Results(list):
    def add(self, result: Result) -> Result:
        self.append(result)
        shown = _fmt(result.median, result.unit)
        ratio = f"  ({result.ratio:.2f}x floor)" if result.ratio else ""
        log(f"  {result.backend} {result.size or ''} {result.label}: {shown}{ratio}")
        return result

    def get(self, backend: str, size: int | None, metric: str) -> Result | None:
        for r in self:
            if (r.backend, r.size, r.metric) == (backend, size, metric):
                return r
        return None


def repeat_timed(
    run: Callable[[], Any], repeat: int, budget: float, warmup: bool = False
) -> list[float]:
    """Seconds per call: ``repeat`` calls, fewer (at least one) once ``budget`` s are spent.

    ``warmup`` makes one call first and drops it, unless it took over half a second: a call
    that slow is dominated by its own work, not by first-call costs, and is kept."""
    samples: list[float] = []
    spent = 0.0
    if warmup:
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        if elapsed > 0.5:
            samples.append(elapsed)
            spent += elapsed
    while len(samples) < repeat and (not samples or spent < budget):
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        samples.append(elapsed)
        spent += elapsed
    return samples


def interleaved(
    runs: dict[str, Callable[[], Any]], repeat: int, budget: float
) -> dict[str, list[float]]:
    """Like ``repeat_timed`` for several calls at once, taking one of each per round."""
    samples: dict[str, list[float]] = {key: [] for key in runs}
    spent = dict.fromkeys(runs, 0.0)
    for _ in range(repeat):
        for key, run in runs.items():
            if samples[key] and spent[key] >= budget:
                continue
            start = time.perf_counter()
            run()
            elapsed = time.perf_counter() - start
            samples[key].append(elapsed)
            spent[key] += elapsed
    return samples


def rates(size: int, seconds: Iterable[float]) -> list[float]:
    return [size / s for s in seconds]


def millis(seconds: Iterable[float]) -> list[float]:
    return [s * 1000 for s in seconds]


# -- backends -------------------------------------------------------------------------------


class SqliteBackend:
    name = "sqlite"

    def __init__(self, root: Path) -> None:
        self.root = root

    def new_store(self, label: str):
        from service.stores import resolve_store

        return resolve_store(str(self.root / f"{label}-{uuid.uuid4().hex[:6]}.sqlite"))

    def drop(self, store) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(store.env["SQLITE_DBNAME"] + suffix).unlink(missing_ok=True)

    def size_bytes(self, store) -> int:
        return sum(
            Path(store.env["SQLITE_DBNAME"] + s).stat().st_size
            for s in ("", "-wal")
            if Path(store.env["SQLITE_DBNAME"] + s).exists()
        )

    def connect(self, store) -> sqlite3.Connection:
        return sqlite3.connect(store.env["SQLITE_DBNAME"])

    def read_floor(self, conn: sqlite3.Connection, decode: Callable[[bytes], Any] | None) -> int:
        """Plain sqlite3: every stored event's state in notification order, decoded."""
        count = 0
        rows = conn.execute("SELECT state FROM stored_events ORDER BY rowid")
        if decode is None:
            for _ in rows:
                count += 1
        else:
            for (state,) in rows:
                decode(state)
                count += 1
        return count

    def stored_rows(self, store) -> list[tuple]:
        conn = sqlite3.connect(store.env["SQLITE_DBNAME"])
        try:
            return conn.execute(
                "SELECT originator_id, originator_version, topic, state "
                "FROM stored_events ORDER BY rowid"
            ).fetchall()
        finally:
            conn.close()

    def insert_floor(self, rows: list[tuple], batch: int) -> float:
        """Seconds to write ``rows`` with plain sqlite3, same table, WAL, one commit a batch."""
        path = self.root / f"insert-floor-{uuid.uuid4().hex[:6]}.sqlite"
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
                "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
            )
            start = time.perf_counter()
            for i in range(0, len(rows), batch):
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO stored_events VALUES (?,?,?,?)", rows[i : i + batch])
                conn.execute("COMMIT")
            return time.perf_counter() - start
        finally:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)


class PostgresBackend:
    name = "postgres"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.urls: dict[str, str] = {}

    def _admin(self):
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True)

    def new_store(self, label: str):
        from service.stores import resolve_store

        name = f"uspk_bench_{label}_{uuid.uuid4().hex[:8]}".lower()
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))
        store = resolve_store(url)
        self.urls[store.address] = url
        return store

    def drop(self, store) -> None:
        name = store.env["POSTGRES_DBNAME"]
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def size_bytes(self, store) -> int:
        import psycopg

        with psycopg.connect(self.urls[store.address]) as conn:
            return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]

    def connect(self, store):
        import psycopg

        return psycopg.connect(self.urls[store.address], autocommit=True)

    def read_floor(self, conn, decode: Callable[[bytes], Any] | None) -> int:
        """Plain psycopg: every stored event's state in notification order, decoded."""
        with conn.cursor(binary=True) as cur:  # bytea as bytes, not hex text
            cur.execute("SELECT state FROM uspk_events ORDER BY notification_id")
            count = 0
            if decode is None:
                for _ in cur:
                    count += 1
            else:
                for (state,) in cur:
                    decode(state)
                    count += 1
            return count

    def stored_rows(self, store) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.urls[store.address]) as conn:
            return conn.execute(
                "SELECT originator_id, originator_version, topic, state "
                "FROM uspk_events ORDER BY notification_id"
            ).fetchall()

    def insert_floor(self, rows: list[tuple], batch: int) -> float:
        """Seconds to write ``rows`` with plain psycopg (executemany, one commit a batch)."""
        store = self.new_store("insert_floor")
        import psycopg

        try:
            with psycopg.connect(self.urls[store.address]) as conn:
                conn.execute(
                    "CREATE TABLE floor_events (originator_id uuid, originator_version integer, "
                    "topic text, state bytea, notification_id bigserial, "
                    "PRIMARY KEY (originator_id, originator_version))"
                )
                conn.commit()
                start = time.perf_counter()
                with conn.cursor() as cur:
                    for i in range(0, len(rows), batch):
                        cur.executemany(
                            "INSERT INTO floor_events (originator_id, originator_version, "
                            "topic, state) VALUES (%s, %s, %s, %s)",
                            rows[i : i + batch],
                        )
                        conn.commit()
                return time.perf_counter() - start
        finally:
            self.drop(store)


# -- the code under test, as the command line wires it ----------------------------------------


def open_session(store):
    """What every `uspk` command opens: the application and its read model, caught up
    (and, on a store's first use, loaded with the shipped history)."""
    from service.bootstrap import Session

    return Session(store)


def rebuild_read_models(store) -> None:
    """`uspk rebuild`: every read model from zero, from the notification log."""
    session = open_session(store)
    try:
        session.views.rebuild(session.app.recorder)
    finally:
        session.close()


def rebuild_unchecked(store) -> None:
    """The rebuild as it was before catch-up checked the hash chain (issue 17): each
    change's stored link taken as it is, so the difference is the check's price."""
    from projections.entries import ChainFollower

    checked = ChainFollower.follow
    ChainFollower.follow = lambda self, entry, notification_id, version: entry  # type: ignore[method-assign]
    try:
        rebuild_read_models(store)
    finally:
        ChainFollower.follow = checked  # type: ignore[method-assign]


def load_callable(spec: str) -> Callable:
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def find_copy() -> Callable | None:
    """``service.transfer.copy_history(source, target)``, where it exists."""
    try:
        from service.transfer import copy_history
    except ImportError:
        return None
    return copy_history


@dataclass
class Settings:
    repeat: int
    budget: float
    batched_max: int
    pg_one_call: bool
    rebuild: Callable
    tracemalloc: bool
    keep: bool


class Bench:
    """Measurements of one size on one backend; a measurement that fails is reported in
    the table (n/a, with the error) and the run goes on."""

    def __init__(self, backend, size: int, settings: Settings, out: Results) -> None:
        self.backend, self.size, self.settings, self.out = backend, size, settings, out

    def add(self, metric: str, label: str, unit: str, samples: list[float], **kw) -> Result:
        return self.out.add(
            Result(self.backend.name, self.size, metric, label, unit, samples, **kw)
        )

    def failed(self, metric: str, label: str, unit: str, error: BaseException) -> None:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        reason = reason if len(reason) < 90 else reason[:87] + "..."
        self.add(metric, label, unit, [], note=f"n/a: {type(error).__name__}: {reason}")

    def timed(self, metric: str, label: str, run: Callable, note: str = "", warmup=True) -> None:
        try:
            samples = repeat_timed(run, self.settings.repeat, self.settings.budget, warmup)
        except Exception as error:  # noqa: BLE001 - reported in the table
            self.failed(metric, label, "ms", error)
            return
        self.add(metric, label, "ms", millis(samples), note=note)


def bench_size(backend, size: int, documents: list, settings: Settings, out: Results) -> None:
    from domain.chronicle import CHRONICLE_ID
    from projections.readmodel import ReadModel
    from service.application import Uspk

    bench = Bench(backend, size, settings, out)
    name = backend.name
    writes = settings.repeat if size <= 10_000 else 1  # a fresh store per write sample
    mid = mid_date(documents)
    since = mid.replace(day=1)
    until = mid.replace(day=calendar.monthrange(mid.year, mid.month)[1])

    # bulk append, batch after batch, the way `uspk append` takes a long history
    if size <= settings.batched_max:
        totals, curves = [], []
        for _ in range(writes):
            store = backend.new_store(f"batched{size}")
            session = open_session(store)
            curve = []
            start = time.perf_counter()
            for part in batches(documents, BATCH):
                t0 = time.perf_counter()
                session.append(part)
                curve.append((len(part), time.perf_counter() - t0))
            totals.append(time.perf_counter() - start)
            curves.append(curve)
            session.close()
            backend.drop(store)
        curve = curves[len(curves) // 2]
        full = [(i, secs) for i, (count, secs) in enumerate(curve) if count >= BATCH // 2]
        first, last = full[0], full[-1]
        note = f"batch 1: {first[1] * 1000:,.0f} ms"
        if last != first:
            onto = sum(c for c, _ in curve[: last[0]])
            note += f"; batch {last[0] + 1} (onto {onto:,}): {last[1] * 1000:,.0f} ms"
        bench.add(
            "append.batched",
            f"bulk append, {BATCH} per Session.append",
            "ev/s",
            rates(size, totals),
            note=note,
            extra={"batch_sizes": [c for c, _ in curve], "batch_seconds": [s for _, s in curve]},
        )

    # import: the whole history in one append call (corrections go in a second one).
    # On PostgreSQL a save of some thousands of events hangs in eventsourcing 9.5.6's
    # pipelined insert (see benchmarks/README.md), so there the history goes in
    # batches of PG_IMPORT_BATCH unless --pg-one-call asks to try the one call anyway.
    chunk = size
    if name == "postgres" and not settings.pg_one_call:
        chunk = min(size, PG_IMPORT_BATCH)
    import_samples = []
    store = None
    for i in range(writes):
        if store is not None:
            backend.drop(store)
        store = backend.new_store(f"import{size}")
        session = open_session(store)  # loads the shipped history: not timed
        start = time.perf_counter()
        for part in batches(documents, chunk):
            session.append(part)
        import_samples.append(time.perf_counter() - start)
        session.close()
        if i == 0:
            log(f"  {name} {size}: store built ({backend.size_bytes(store) / 2**20:.1f} MiB)")
    label = "import: one Session.append call"
    note = "incl. the read model catching up"
    if chunk < size:
        label = f"import: Session.append of {chunk:,} at a time"
        note = "one call of 10,000 hangs on PostgreSQL (README)"
    bench.add("append.import", label, "ev/s", rates(size, import_samples), note=note)
    assert store is not None

    stored = backend.stored_rows(store)
    stored_count = len(stored)  # the events, the shipped history, the chronicle's creation
    mean_state = sum(len(r[3]) for r in stored) / stored_count
    insert = [backend.insert_floor(stored, BATCH) for _ in range(min(writes, 3))]
    bench.add(
        "floor.insert",
        f"raw floor: plain INSERT, commit per {BATCH}",
        "ev/s",
        rates(stored_count, insert),
    )
    del stored

    copy = find_copy()
    if copy is not None:
        samples = []
        try:
            for _ in range(min(writes, 3)):
                target = backend.new_store(f"copy{size}")
                start = time.perf_counter()
                copy(store, target)
                samples.append(time.perf_counter() - start)
                backend.drop(target)
        except Exception as error:  # noqa: BLE001 - reported in the table
            bench.failed("append.copy", "copy: service.transfer.copy_history", "ev/s", error)
        else:
            bench.add(
                "append.copy",
                "copy: service.transfer.copy_history",
                "ev/s",
                rates(stored_count, samples),
                note="stored events as they are; no read model",
            )

    # The raw floor of reading (SELECT the same rows, JSON-decode each), the full replays
    # and the rebuild, run in turn within each round, so that each ratio compares figures
    # taken under the same load on the machine.
    import json as stdlib_json

    decoders: dict[str, Callable | None] = {"select": None, "json": stdlib_json.loads}
    try:
        import orjson

        decoders["orjson"] = orjson.loads
    except ImportError:
        pass
    counted: dict[str, int] = {}

    def replay() -> None:  # the library's stock path: the chronicle aggregate, read whole
        app = Uspk(store)
        counted["replay"] = len(app.repository.get(CHRONICLE_ID).records)
        app.close()

    def replay_view() -> None:  # the read model's rows, every one, decoded
        app = Uspk(store)
        counted["replay.view"] = len(ReadModel(app).everything())
        app.close()

    floor_conn = backend.connect(store)  # opened once: the floor excludes connecting

    def floor_run(decode: Callable | None) -> Callable[[], None]:
        def run() -> None:
            assert backend.read_floor(floor_conn, decode) == stored_count

        return run

    runs = {f"floor.{kind}": floor_run(decode) for kind, decode in decoders.items()}
    runs["replay"] = replay
    runs["replay.view"] = replay_view
    runs["rebuild"] = lambda: settings.rebuild(store)
    runs["rebuild.unchecked"] = lambda: rebuild_unchecked(store)
    try:
        timed = interleaved(runs, settings.repeat, settings.budget)
    finally:
        floor_conn.close()
    labels = {
        "floor.select": "raw floor: SELECT state",
        "floor.json": "raw floor: SELECT + json.loads",
        "floor.orjson": "raw floor: SELECT + orjson.loads",
    }
    floors: dict[str, float] = {}
    for metric, label in labels.items():
        if metric in timed:
            note = f"{mean_state:.0f} bytes of JSON a row" if metric == "floor.select" else ""
            result = bench.add(metric, label, "ev/s", rates(stored_count, timed[metric]), note=note)
            floors[metric] = result.median

    def with_floor(metric: str, label: str, count: int, note: str = "") -> None:
        bench.add(
            metric,
            label,
            "ev/s",
            rates(count, timed[metric]),
            floor=floors["floor.json"],
            floor_orjson=floors.get("floor.orjson"),
            note=note,
        )

    with_floor("replay", "full replay: the chronicle aggregate, whole", counted["replay"])
    with_floor(
        "replay.view",
        "full replay: ReadModel(Uspk(store)).everything()",
        counted["replay.view"],
        note="the read model's rows",
    )
    with_floor(
        "rebuild",
        "rebuild every read model from zero",
        stored_count,
        note=getattr(settings.rebuild, "__name__", ""),
    )
    with_floor(
        "rebuild.unchecked",
        "rebuild, the chain check left out",
        stored_count,
        note="the same, each link taken unchecked: the difference is the check's price",
    )

    # peak memory of a full replay, in a process of its own
    for what, metric, label in (
        ("replay", "memory.replay", "peak memory: the chronicle aggregate, whole"),
        ("readmodel", "memory.replay.view", "peak memory: ReadModel.everything()"),
    ):
        command = [sys.executable, "-m", "benchmarks._child", what]
        if settings.tracemalloc:
            command.append("--tracemalloc")
        child_env = {**os.environ, "USPK_BENCH_STORE_ENV": json.dumps(store.env)}  # not argv
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=_root(), env=child_env, check=False
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            bench.failed(metric, label, "MiB", RuntimeError(last))
            continue
        child = json.loads(done.stdout)
        bench.add(
            metric,
            label,
            "MiB",
            [child["peak_rss_mib"]],
            note=f"{child['peak_rss_mib'] - child['baseline_rss_mib']:.0f} MiB above the "
            f"{child['baseline_rss_mib']:.0f} MiB of an opened store; "
            f"{child['after_rss_mib']:.0f} MiB held after",
            extra=child,
        )

    # whole export processes: time and peak memory (issue 19: written as read, bounded)
    if backend.name == "sqlite":
        db = store.env["SQLITE_DBNAME"]
        for args, metric, label in EXPORTS:
            args = [a.replace("{db}", db) for a in args]
            try:
                seconds, peak = process_peak(db, args)
                for written in Path(db).parent.glob(Path(db).name + ".export*"):
                    written.unlink()
            except RuntimeError as error:
                bench.failed(metric, label, "ms", error)
                continue
            bench.add(f"{metric}.time", label, "ms", [seconds * 1000], note="a whole process")
            bench.add(f"{metric}.peak", "  its peak memory", "MiB", [peak], note="ru_maxrss")

    from projections.state import state_at
    from projections.timeline import timeline

    session = open_session(store)
    try:
        registry = session.index.registry(None)
        state_records = session.index.believed(None, starting_by=mid)
        bench.timed(
            "state.warm",
            f"state --at {mid} (warm session)",
            lambda: state_at(
                session.index.believed(None, starting_by=mid),
                mid,
                None,
                session.index.registry(None),
            ),
            f"{len(state_records):,} rows read",
        )
        bench.timed(
            "state.query",
            "  of which state_at on rows in hand",
            lambda: state_at(state_records, mid, None, registry),
        )
        from service import reading

        bench.timed(
            "state.kept",
            f"state --at {mid}, uspk's path (warm session)",
            lambda: reading.state_at(session, mid),
            "reading.state_at: the kept standing rows where the index keeps them",
        )
        state_text_and_json(bench, backend, store, session, mid)
        narrowed_state(bench, session, documents, mid)
        window = f"{since:%Y-%m}"
        rows = session.index.believed(None, starting_by=until, ending_from=since)
        bench.timed(
            "timeline.warm",
            f"timeline, one month {window} (warm session)",
            lambda: timeline(
                session.index.believed(None, starting_by=until, ending_from=since),
                since,
                until,
                None,
                (),
                session.index.registry(None),
            ),
            f"{len(timeline(rows, since, until, None, (), registry))} entries",
        )
        bench.timed(
            "timeline.query",
            "  of which timeline on rows in hand",
            lambda: timeline(rows, since, until, None, (), registry),
        )
        try:
            from projections.diff import diff
        except ImportError:
            bench.add("diff.warm", f"diff over {window} (warm session)", "ms", [], note="n/a")
        else:
            changed = reading.diff(session, since, until)
            bench.timed(
                "diff.warm",
                f"diff over {window} (warm session)",
                lambda: reading.diff(session, since, until),
                f"{len(changed):,} changes reported",
            )
            diff_records = session.index.believed(None, starting_by=until)
            bench.timed(
                "diff.fold",
                "  the whole fold's diff (the oracle), rows read",
                lambda: diff(
                    session.index.believed(None, starting_by=until),
                    since,
                    until,
                    session.index.registry(None),
                ),
                f"{len(diff_records):,} rows read",
            )
            diff_floor(bench, backend, store, since, until)

        # one more event onto the store holding N (clones of a leaf statement)
        leaf = next(
            d
            for d in reversed(documents)
            if d.kind == "statement-made" and not d.introduces and not d.supersedes
        )
        counter = iter(range(1_000_000))

        def append_one() -> None:
            one = leaf.model_copy(update={"id": f"bench-single-{next(counter)}"})
            assert session.append([one]).added

        bench.timed("append.single", "single-event append (warm session)", append_one)
    finally:
        session.close()
    if settings.keep:
        log(f"  kept {name} store of {size}: {store.address}")
    else:
        backend.drop(store)


def state_text_and_json(bench: Any, backend: Any, store: Any, session: Any, mid: Any) -> None:
    """`state --at D` as people read it (each section's count and latest entries), and
    `--format json` (every entry) beside its floor: the same standing rows SELECTed with
    plain SQL and each entry json.loads-ed (the issue's "≥ 0.5×": floor ÷ uspk)."""
    import json

    from cli import render
    from projections import settled
    from projections.bitemporal import STANDING, standing
    from projections.sections import SECTIONS
    from projections.tables import END_OF_TIME
    from service import reading

    def text() -> str:
        summary = reading.state_summary(session, mid, None, None, render.LATEST)
        return render.state_text(summary.state, render.LATEST, None, summary.counts, summary.names)

    def whole_json() -> str:
        return "".join(render.json_object_chunks(reading.state_sections(session, mid)))

    conn = backend.connect(store)
    # The floor: every row standing at (D, now) in one query, the actors' settled rows
    # with them, as the kept state reads them (projections/kept.py, settled.py).
    others = ", ".join(f"'{s}'" for s in SECTIONS if s != "actors")
    sql = (
        "SELECT section, entry_key, sort_key, dated, version_key, entry"
        f" FROM uspk_view_standing WHERE section IN ({others}) AND {STANDING}"
        f" UNION ALL {settled.STANDING_AT}"
    )
    sql = sql if backend.name == "sqlite" else sql.replace("?", "%s")
    params = standing(mid.isoformat(), END_OF_TIME) * 2

    def floor() -> int:
        rows = conn.execute(sql, params).fetchall()
        return sum(1 for row in rows if json.loads(row[5]) is not None)

    try:
        shown = text().count("\n")
        bench.timed(
            "state.text",
            f"state --at {mid}, the text (warm session)",
            text,
            f"{shown} lines: counts and each section's latest {render.LATEST}",
        )
        bench.timed("state.json", f"state --at {mid} --format json (warm session)", whole_json)
        bench.timed(
            "state.json.floor",
            "  raw floor: its rows' SELECT + json.loads",
            floor,
            f"{floor():,} rows",
        )
    finally:
        conn.close()
    uspk, rows = (
        bench.out.get(*_key(bench, "state.json")),
        bench.out.get(*_key(bench, "state.json.floor")),
    )
    if uspk and rows and uspk.samples and rows.samples:
        rows.note += f"; floor ÷ uspk {rows.median / uspk.median:.2f}×"


def diff_floor(bench: Any, backend: Any, store: Any, since: Any, until: Any) -> None:
    """The rows the diff reads (``kept_reading.CHANGED_BETWEEN``), SELECTed and decoded with
    ``json.loads``: its target is at most twice that."""
    from projections import kept_reading
    from projections.bitemporal import standing
    from projections.tables import END_OF_TIME

    conn = backend.connect(store)
    sql = kept_reading.CHANGED_BETWEEN
    sql = sql if backend.name == "sqlite" else sql.replace("?", "%s")
    first, last = since.isoformat(), until.isoformat()
    params = (first, *standing(last, END_OF_TIME), *standing(first, END_OF_TIME))

    def floor() -> int:
        rows = conn.execute(sql, params).fetchall()
        return sum(1 for row in rows if json.loads(row[2]) is not None)

    try:
        bench.timed("diff.floor", "  raw floor: its rows' SELECT + json.loads", floor, "")
        found = floor()
    finally:
        conn.close()
    uspk, rows = bench.out.get(*_key(bench, "diff.warm")), bench.out.get(*_key(bench, "diff.floor"))
    if uspk and rows and uspk.samples and rows.samples:
        rows.note = f"{found:,} rows; uspk ÷ floor {uspk.median / rows.median:.2f}× (target ≤ 2×)"


def _key(bench: Any, metric: str) -> tuple:
    return bench.backend.name, bench.size, metric


def narrowed_state(bench: Any, session: Any, documents: list, mid: Any) -> None:
    """`state --at D --agreement X` and `--actor X`, warm, for a typical X: of the
    agreements signed by D, the one with the median number of events naming it; of the
    actors named by D, the one with the median number of mentions. So X's share of the
    history stays about the same at every size, and the time should too."""
    from service import reading

    by_agreement: Counter = Counter()
    by_actor: Counter = Counter()
    signed = set()
    for d in documents:
        if d.kind == "retraction" or d.occurred.start > mid:
            continue
        by_agreement.update(d.refers_to("agreement"))
        by_actor.update(d.mentions())
        if d.kind == "agreement-signed":
            signed.add(d.agreement)
    signed_counts = Counter({a: n for a, n in by_agreement.items() if a in signed})
    for label, option, counts in (
        ("agreement", "agreements", signed_counts),
        ("actor", "actors", by_actor),
    ):
        if not counts:
            continue
        ranked = sorted(counts, key=lambda k: (counts[k], k))
        chosen = ranked[len(ranked) // 2]

        def run(chosen: str = chosen, option: str = option) -> Any:
            narrowing = reading.narrowing(session, **{option: [chosen]})
            return reading.state_at(session, mid, None, narrowing)

        state = run()
        entries = sum(len(v) for k, v in state.items() if isinstance(v, list))
        bench.timed(
            f"state.{label}",
            f"state --at {mid} --{label} X (warm session)",
            run,
            f"X = {chosen}: {counts[chosen]} events name it; {entries} entries, kept rows",
        )


# -- whole processes ------------------------------------------------------------------------

EXPORTS = (  # (uspk arguments, metric, label): whole processes on the size's store
    (["timeline", "--format", "json"], "process.timeline.json", "uspk timeline --format json"),
    (["export", "--format", "json"], "process.export.json", "uspk export --format json"),
    (["export", "--format", "html"], "process.export.html", "uspk export --format html"),
    # a file and its metadata beside it (never standard output), removed after
    (
        ["export", "--format", "sqlite", "-o", "{db}.export.db"],
        "process.export.sqlite",
        "uspk export --format sqlite",
    ),
)

# Runs a command and prints its seconds and peak resident memory (KiB): a wrapper of its
# own, so that the peak is the command's and not this (large) process's before exec.
_PEAK = """import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr.decode(errors="replace").strip().splitlines()[-1:] or "failed")
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def process_peak(db: str, args: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (MiB) of one whole `uspk --db DB ARGS...` process; its
    output is thrown away."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *uspk_command(), "--db", db, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["failed"])[-1])
    seconds, kib = done.stdout.split()
    return float(seconds), int(kib) / 1024


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def uspk_command() -> list[str]:
    script = Path(sys.executable).parent / "uspk"
    if script.exists():
        return [str(script)]
    found = shutil.which("uspk")
    return [found] if found else [sys.executable, "-m", "cli.main"]


APPEND_ONE = """{{"kind": "statement-made", "id": "bench-process-append-{n}",
 "occurred": "2025-09-09", "title": "A benchmark statement",
 "summary": "A statement appended by the benchmark.", "speaker": "natalie-baker",
 "on_behalf_of": "united-states", "about": "ussm-fwo-mou", "quote": "A quote.",
 "sources": [{{"publisher": "Benchmark", "title": "A report", "published": "2025-09-09"}}]}}
"""


def bench_processes(root: Path, settings: Settings, out: Results) -> None:
    """Wall time of whole `uspk` processes on the shipped history (SQLite)."""
    uspk = uspk_command()
    db = str(root / "process.sqlite")
    env = {**os.environ, "USPK_DB": db}
    env.pop("USPK_TEST_POSTGRES", None)

    def run(*args: str) -> None:
        done = subprocess.run(
            [*uspk, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        if done.returncode != 0:
            raise RuntimeError((done.stderr.strip().splitlines() or ["failed"])[-1])

    def measure(metric: str, label: str, call: Callable[[], None], note: str = "") -> None:
        try:
            samples = repeat_timed(call, max(settings.repeat, 5), settings.budget, warmup=True)
        except Exception as error:  # noqa: BLE001 - reported in the table
            reason = str(error)[:90]
            out.add(Result("process", None, metric, label, "ms", [], note=f"n/a: {reason}"))
            return
        out.add(Result("process", None, metric, label, "ms", millis(samples), note=note))

    try:
        run("state", "--at", "2025-09-08")  # creates the store, loads the shipped history
    except RuntimeError as error:
        log(f"  the first `uspk state` failed: {error}")
    measure("process.help", "uspk --help", lambda: run("--help"))
    measure(
        "process.state",
        "uspk state --at 2025-09-08",
        lambda: run("state", "--at", "2025-09-08"),
        "store: the shipped history",
    )
    # start-up: the whole process against the imports every command pays anyway, pair by pair
    imports = [sys.executable, "-c", "import eventsourcing.application, pydantic, click"]
    paired = interleaved(
        {
            "state": lambda: run("state", "--at", "2025-09-08"),
            "imports": lambda: subprocess.run(imports, env=env, check=True),
        },
        max(settings.repeat, 9),
        settings.budget,
    )
    ratios = [a / b for a, b in zip(paired["state"], paired["imports"], strict=False)]
    out.add(
        Result(
            "process",
            None,
            "process.state.ratio",
            "  uspk state ÷ python -c 'import eventsourcing.application, pydantic, click'",
            "x",
            ratios,
            note=f"the import line alone: {statistics.median(paired['imports']) * 1000:.0f} ms",
        )
    )
    counter = iter(range(1_000_000))

    def append_one() -> None:
        path = root / "one-event.json"
        path.write_text(APPEND_ONE.format(n=next(counter)))
        run("append", str(path))

    measure("process.append", "uspk append (one event)", append_one, "store: the shipped history")
    Path(db).unlink(missing_ok=True)


# -- reporting ------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "n/a"
    if unit == "ev/s":
        return f"{value:,.0f} ev/s"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 1000 else f"{value:,.0f} ms"
    return f"{value:,.1f} {unit}"


def _range(r: Result) -> str:
    if len(r.samples) < 2:
        return ""
    lo, hi = min(r.samples), max(r.samples)
    if r.unit == "ev/s":
        return f"{lo:,.0f}–{hi:,.0f}"
    if r.unit == "ms":
        return f"{lo:,.1f}–{hi:,.1f}"
    return f"{lo:,.1f}–{hi:,.1f}"


def table(results: Results) -> str:
    head = ("backend", "events", "measurement", "median", "min–max", "n", "floor", "ratio", "note")
    rows = [head]
    for r in results:
        floor = _fmt(r.floor, "ev/s") if r.floor else ""
        ratio = f"{r.ratio:.2f}" if r.ratio else ""
        if r.ratio_orjson:
            ratio += f" ({r.ratio_orjson:.2f})"
        rows.append(
            (
                r.backend,
                f"{r.size:,}" if r.size else "",
                r.label,
                _fmt(r.median, r.unit) if r.samples else "n/a",
                _range(r),
                str(len(r.samples)),
                floor,
                ratio,
                r.note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    right = {3, 4, 5, 6, 7}
    lines = []
    for k, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def targets(results: Results, backend: str = "sqlite") -> list[dict[str, Any]]:
    """The issue's targets, each with the measured figure and whether it is met."""
    sizes = sorted({r.size for r in results if r.size and r.backend == backend})
    big, small = (sizes[-1], sizes[0]) if sizes else (None, None)
    mid = next((s for s in reversed(sizes) if s < (big or 0)), None)
    out = []

    def add(target: str, measured: str, met: bool | None) -> None:
        out.append({"target": target, "measured": measured, "met": met})

    replays = [
        r
        for r in (results.get(backend, big, m) for m in ("replay", "replay.view"))
        if r and r.ratio
    ]
    if replays:
        best = max(replays, key=lambda r: r.ratio)
        add(
            f"full replay of {big:,}: >= 0.5 x raw floor (SELECT + json.loads)",
            "; ".join(
                f"{r.label.removeprefix('full replay: ')}: {r.ratio:.2f} x "
                f"({_fmt(r.median, 'ev/s')} vs {_fmt(r.floor, 'ev/s')}"
                + (f"; {r.ratio_orjson:.2f} x orjson floor)" if r.ratio_orjson else ")")
                for r in replays
            ),
            best.ratio >= 0.5,
        )
    state_big = results.get(backend, big, "state.warm")
    state_small = results.get(backend, small, "state.warm")
    if state_big and state_small and big != small:
        grow = state_big.median / state_small.median
        add(
            f"state --at on {big:,}, warm: <= 20 ms and <= 3 x its time on {small:,}",
            f"{_fmt(state_big.median, 'ms')}; {grow:.1f} x ({_fmt(state_small.median, 'ms')})",
            state_big.median <= 20 and grow <= 3,
        )
    for metric in ("state.agreement", "state.actor"):  # issue 10: a narrowed state
        narrow_big = results.get(backend, big, metric)
        narrow_small = results.get(backend, small, metric)
        if narrow_big and narrow_small and big != small and narrow_big.samples:
            grow = narrow_big.median / narrow_small.median
            add(
                f"{narrow_big.label.split(' (')[0]} on {big:,}, warm: <= 20 ms and <= 2 x "
                f"its time on {small:,}",
                f"{_fmt(narrow_big.median, 'ms')}; {grow:.1f} x "
                f"({_fmt(narrow_small.median, 'ms')})",
                narrow_big.median <= 20 and grow <= 2,
            )
    grows = []
    for metric in ("memory.replay", "memory.replay.view"):
        mem_big = results.get(backend, big, metric)
        mem_mid = results.get(backend, mid, metric) if mid else None
        if mem_big and mem_mid and mem_big.samples and mem_mid.samples:
            grows.append((mem_big.median / mem_mid.median, mem_big, mem_mid))
    if grows:
        add(
            f"peak memory of a replay of {big:,}: <= 1.5 x that of {mid:,}",
            "; ".join(
                f"{b.label.removeprefix('peak memory: ')}: {g:.1f} x "
                f"({_fmt(b.median, 'MiB')} vs {_fmt(m.median, 'MiB')})"
                for g, b, m in grows
            ),
            min(g for g, _, _ in grows) <= 1.5,
        )
    appends = [
        r
        for r in results
        if r.backend == backend
        and r.size == big
        and r.metric in ("append.batched", "append.import", "append.copy")
        and r.samples
    ]
    if appends:
        best = max(appends, key=lambda r: r.median)
        add(
            f"bulk append (copy or import) on SQLite, {big:,}: >= 10,000 ev/s",
            "; ".join(f"{r.label}: {_fmt(r.median, 'ev/s')}" for r in appends),
            best.median >= 10_000,
        )
    for metric, limit in (("process.help", 120), ("process.state", 350), ("process.append", 450)):
        r = results.get("process", None, metric)
        if r:
            add(f"{r.label}: <= {limit} ms", _fmt(r.median, "ms"), r.median <= limit)
    return out


def targets_text(rows: list[dict[str, Any]]) -> str:
    lines = ["Targets of issue 5 (medians):"]
    for row in rows:
        mark = {True: "met    ", False: "NOT MET", None: "?      "}[row["met"]]
        lines.append(f"  [{mark}] {row['target']}: {row['measured']}")
    return "\n".join(lines)


def compare_text(results: Results, before: dict[str, Any]) -> str:
    old = {(r["backend"], r["size"], r["metric"]): r for r in before.get("results", [])}
    lines = [f"Compared with {before.get('machine', {}).get('git', '?')} (new / old; >1 is "
             "faster for ev/s, slower for ms and MiB):"]  # fmt: skip
    for r in results:
        prior = old.get((r.backend, r.size, r.metric))
        if prior and prior.get("median") and r.samples:
            lines.append(
                f"  {r.backend:8} {r.size or '':>7} {r.label:45} "
                f"{_fmt(prior['median'], r.unit):>16} -> {_fmt(r.median, r.unit):>16}"
                f"  {r.median / prior['median']:.2f}"
            )
    return "\n".join(lines)


def _redact(url: str | None) -> str | None:
    """A database URL without its password, fit for a results file."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=_root(), capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "cpu": cpu,
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "git": commit,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    for package in ("eventsourcing", "pydantic", "pydantic-core", "orjson", "psycopg"):
        try:
            info[package] = version(package)
        except Exception:  # noqa: BLE001 - not installed
            info[package] = None
    return info


def machine_text(info: dict[str, Any]) -> str:
    load = f"load average {' '.join(map(str, info['loadavg_at_start']))} at start"
    if "loadavg_at_end" in info:
        load += f", {' '.join(map(str, info['loadavg_at_end']))} at end"
    return (
        f"Machine: {info['nproc']} cores, {info['cpu']}; Python {info['python']}; "
        f"SQLite {info['sqlite']}; eventsourcing {info['eventsourcing']}, pydantic "
        f"{info['pydantic']}, orjson {info['orjson']}; commit {info['git']}; {info['when']}; "
        f"{load}"
    )


# -- the command ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Benchmark uspk on synthetic histories, beside the raw floor.",
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="history sizes (events)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median shown)")
    parser.add_argument(
        "--budget",
        type=float,
        default=15.0,
        help="stop repeating a figure once this many seconds are spent on it (at least 1 run)",
    )
    parser.add_argument(
        "--batched-max",
        type=int,
        default=100_000,
        help="measure bulk append in batches of 1000 only up to this size (when each batch "
        "was checked against the whole history, 100,000 took 12.6 min)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get(POSTGRES_ENV),
        help=f"also run on PostgreSQL (a server we may CREATE DATABASE on). Env: {POSTGRES_ENV}",
    )
    parser.add_argument(
        "--pg-one-call",
        action="store_true",
        help="on PostgreSQL, import in one append call as on SQLite (hangs with "
        "eventsourcing 9.5.6 unless POSTGRES_ENABLE_DB_FUNCTIONS is on; see README)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite runs")
    parser.add_argument("--no-process", action="store_true", help="skip whole-process times")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--rebuild",
        metavar="MODULE:FUNC",
        default="benchmarks.run:rebuild_read_models",
        help="what rebuilds every read model from zero (a callable taking a Store)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    parser.add_argument("--keep", action="store_true", help="keep the stores (paths logged)")
    parser.add_argument("--tmp", metavar="DIR", help="where SQLite files go (default: a temp dir)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON too")
    parser.add_argument("--compare", metavar="FILE", help="a JSON of an earlier run to compare")
    args = parser.parse_args(argv)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    settings = Settings(
        repeat=max(1, args.repeat),
        budget=args.budget,
        batched_max=args.batched_max,
        pg_one_call=args.pg_one_call,
        rebuild=load_callable(args.rebuild),
        tracemalloc=args.tracemalloc,
        keep=args.keep,
    )
    info = machine()
    log(machine_text(info))
    results = Results()
    root = Path(args.tmp or tempfile.mkdtemp(prefix="uspk-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    backends: list[Any] = [] if args.no_sqlite else [SqliteBackend(root)]
    if args.postgres:
        backends.append(PostgresBackend(args.postgres))
    generated: dict[int, float] = {}
    started = time.perf_counter()
    try:
        if not args.no_process:
            log("whole processes (shipped history, SQLite)")
            bench_processes(root, settings, results)
        for size in sizes:
            log(f"generating {size:,} synthetic events (seed {args.seed})")
            t0 = time.perf_counter()
            documents = generate(size, args.seed)
            generated[size] = time.perf_counter() - t0
            # The harness holds every generated document for the size's runs: moved out
            # of the cyclic collector's reach, so that a timed call is not charged a full
            # pass over them (4 s at 100,000; it once made a 16 ms diff take 2.4 s).
            gc.collect()
            gc.freeze()
            for backend in backends:
                log(f"{backend.name}, {size:,} events")
                bench_size(backend, size, documents, settings, results)
            del documents
            gc.unfreeze()
    finally:
        if not args.keep and not args.tmp:
            shutil.rmtree(root, ignore_errors=True)
    elapsed = time.perf_counter() - started
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]

    goals = targets(results)
    print(machine_text(info))
    print(
        f"Sizes {', '.join(f'{s:,}' for s in sizes)}; up to {settings.repeat} runs a figure "
        f"(fewer once {settings.budget:g} s are spent); batched append up to "
        f"{settings.batched_max:,}; whole run {elapsed:.0f} s. Floor = plain SELECT + json.loads "
        "of the same rows; ratio = median / floor (in brackets: / the orjson floor)."
    )
    print()
    print(table(results))
    print()
    print(targets_text(goals))
    if args.compare:
        print()
        print(compare_text(results, json.loads(Path(args.compare).read_text())))
    if args.json:
        report = {
            "machine": info,
            "args": {**vars(args), "postgres": _redact(args.postgres)},
            "generate_seconds": generated,
            "elapsed_seconds": elapsed,
            "results": [r.as_json() for r in results],
            "targets": goals,
        }
        Path(args.json).write_text(json.dumps(report, indent=1, default=str) + "\n")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
