"""Run one measurement in a process of its own (peak memory must not include the parent's).

    USPK_BENCH_STORE_ENV='<store env as JSON>' python -m benchmarks._child replay|readmodel

Prints one JSON line: the process's resident memory before the replay (after imports and
opening the store), its peak (``VmHWM``) and its resident memory after, and the time taken.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mib() -> float:
    return _status_mib("VmRSS")


def _peak_mib() -> float:
    """This process's peak resident memory. Not ``ru_maxrss``: on Linux that keeps the
    high-water mark of the process before ``exec`` (here the parent, forked with its
    100,000 documents in memory), so every child would report the parent's size."""
    peak = _status_mib("VmHWM")
    if peak == peak:  # not NaN
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replay(env: dict[str, str], what: str, use_tracemalloc: bool) -> dict:
    from service.stores import Store

    store = Store(address="benchmark", env=env)
    if what == "replay":  # the chronicle aggregate, read whole through the library
        from domain.chronicle import CHRONICLE_ID
        from service.application import Uspk

        opened = Uspk(store)
        opened.recorder.max_notification_id()  # connect before the baseline is taken

        def read() -> list:
            return opened.repository.get(CHRONICLE_ID).records

    elif what == "readmodel":  # every row of the read model, decoded
        from projections.readmodel import ReadModel
        from service.application import Uspk

        opened = Uspk(store)
        read = ReadModel(opened).everything
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    baseline = _rss_mib()
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    start = time.perf_counter()
    records = read()
    elapsed = time.perf_counter() - start
    result = {
        "events": len(records),
        "seconds": elapsed,
        "baseline_rss_mib": baseline,
        "peak_rss_mib": _peak_mib(),
        "after_rss_mib": _rss_mib(),  # what the records hold, once the replay is done
    }
    if use_tracemalloc:
        import tracemalloc

        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    opened.close()
    return result


def main() -> int:
    what, env = sys.argv[1], json.loads(os.environ["USPK_BENCH_STORE_ENV"])
    use_tracemalloc = "--tracemalloc" in sys.argv[2:]
    print(json.dumps(replay(env, what, use_tracemalloc)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
