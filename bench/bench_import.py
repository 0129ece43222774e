"""Import of a large CSV file (50 MiB by default) into a new operation of the encrypted
store, with progress; reports time, rows per second and the process's peak memory.

    .venv/bin/python -m bench.bench_import [--mb 50] [--runs 1]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from app.services.context import init_store
from app.services.csv_import import import_csv
from bench.measure import machine, table
from bench.plan_csv import write_plan

PASSPHRASE = "a benchmark passphrase of some length"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    times: list[float] = []
    calls: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.csv"
        rows = write_plan(plan, args.mb)
        size = plan.stat().st_size
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for run in range(args.runs):
            ctx, _recovery = init_store(Path(tmp) / f"store{run}", PASSPHRASE, "Bench", "KE")
            seen: list[int] = []
            try:
                start = time.perf_counter()
                report = import_csv(ctx, "BENCH", plan,
                                    progress=lambda done, total, seen=seen: seen.append(done))
                times.append(time.perf_counter() - start)
            finally:
                ctx.close()
            assert report.imported, report.errors[:3]
            calls.append(len(seen))
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    median = statistics.median(times)
    print(f"Import benchmark: {size / 2**20:.1f} MiB, {rows} rows -> {report.targets_created} "
          f"targets, {report.sites_created} sites, {report.actions_created} actions; "
          f"median of {args.runs} run(s)")
    print(f"Machine: {machine()}\n")
    print(table(["measure", "value"], [
        ["time (s)", median],
        ["rows per second", f"{rows / median:,.0f}"],
        ["MiB per second", f"{size / 2**20 / median:.2f}"],
        ["progress calls", ", ".join(str(c) for c in calls)],
        ["peak RSS before import (MiB)", f"{rss_before / 1024:.0f}"],
        ["peak RSS after import (MiB)", f"{rss_after / 1024:.0f}"],
    ]))


if __name__ == "__main__":
    main()
