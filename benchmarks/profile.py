"""Where the time goes: cProfile of the paths the benchmark times, on a synthetic store.

    python -m benchmarks.profile --size 100000                 # every path, top 25 each
    python -m benchmarks.profile --size 100000 --what replay,state --sort tottime --top 40
    python -m benchmarks.profile --size 10000 --db /tmp/p10k.sqlite   # keep the store

Paths (``--what``): ``replay`` (the chronicle aggregate read whole, the library's stock path),
``view`` (``ReadModel(store).everything()``), ``state`` (``uspk state --at`` mid-history
in a warm session), ``append`` (a batch of 1000 onto the store, on a copy of it),
``rebuild`` (the read model from zero). The store holds the first N - 1000 synthetic
events (imported in one append call, not profiled). Profiles are also written as
``.pstats`` files beside the store (``python -m pstats FILE``, or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import DEFAULT_SEED, batches, generate, mid_date

PATHS = ("replay", "view", "state", "append", "rebuild")


def _store(path: Path):
    from service.stores import resolve_store

    return resolve_store(str(path))


def _count(path: Path) -> int:
    import sqlite3

    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "stored_events" not in tables:
            return 0
        return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


def profiled(title: str, run: Callable[[], object], sort: str, top: int, out: Path) -> None:
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    run()
    profile.disable()
    elapsed = time.perf_counter() - start
    profile.dump_stats(str(out))
    buffer = io.StringIO()
    pstats.Stats(profile, stream=buffer).strip_dirs().sort_stats(sort).print_stats(top)
    text = buffer.getvalue()
    body = text[text.index("   ncalls") :] if "   ncalls" in text else text
    print(f"== {title}: {elapsed:.2f} s under the profiler (sorted by {sort}; {out.name})")
    print(body.rstrip())
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--db", help="SQLite file to build or reuse (default: a temp file)")
    parser.add_argument("--what", default=",".join(PATHS), help=",".join(PATHS))
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (or tottime)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    from projections.readmodel import ReadModel
    from projections.state import state_at
    from service.bootstrap import Session

    workdir = Path(tempfile.mkdtemp(prefix="uspk-profile-"))
    path = Path(args.db) if args.db else workdir / f"profile-{args.size}.sqlite"
    documents = generate(args.size, args.seed)
    head, tail = documents[: args.size - 1000], documents[args.size - 1000 :]
    if _count(path) == 0:
        start = time.perf_counter()
        with Session(_store(path)) as session:
            for part in batches(head, len(head)):
                session.append(part)
        print(f"built {path} with {len(head):,} events in {time.perf_counter() - start:.1f} s\n")
    else:
        print(f"reusing {path} ({_count(path):,} stored events)\n")
    store = _store(path)
    what = [w.strip() for w in args.what.split(",") if w.strip()]

    def show(key: str, title: str, run: Callable[[], object]) -> None:
        profiled(title, run, args.sort, args.top, path.with_suffix(f".{key}.pstats"))

    if "replay" in what:
        show("replay", "full replay: the chronicle aggregate, whole", lambda: _replayed(store))
    if "view" in what:
        show("view", "full replay: ReadModel(Uspk(store)).everything()", lambda: _everything(store))
    if "state" in what:
        with Session(store) as session:
            mid = mid_date(head)

            def state() -> None:
                records = session.index.believed(None, starting_by=mid)
                state_at(records, mid, None, session.index.registry(None))

            state()  # warm
            show("state", f"state --at {mid}, warm session", state)
    if "append" in what:
        copy = workdir / "append-copy.sqlite"
        for suffix in ("", "-wal"):
            if Path(str(path) + suffix).exists():
                shutil.copy(str(path) + suffix, str(copy) + suffix)
        part = next(iter(batches(tail, 1000)))
        with Session(_store(copy)) as session:
            title = f"append of {len(part):,} onto {len(head):,}: Session.append(batch)"
            show("append", title, lambda: session.append(part))
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    if "rebuild" in what:
        with Session(store) as session:
            title = "rebuild the read model from zero"
            show("rebuild", title, lambda: session.views.rebuild(session.app.recorder))
    _ = ReadModel  # imported above so that import time is not profiled
    if not args.db:
        print(f"(profiles in {workdir})")
    return 0


def _replayed(store) -> list:
    from domain.chronicle import CHRONICLE_ID
    from service.application import Uspk

    app = Uspk(store)
    try:
        return app.repository.get(CHRONICLE_ID).records
    finally:
        app.close()


def _everything(store) -> list:
    from projections.readmodel import ReadModel
    from service.application import Uspk

    app = Uspk(store)
    try:
        return ReadModel(app).everything()
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
