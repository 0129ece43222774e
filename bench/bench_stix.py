"""STIX 2.1 export of an operation with 10,000 targets and 20,000 actions (issue 7:
target 5 s).

Makes the operation with ``app.services.demo.generate`` (every record AMBER), then times
``app.services.stix_export.export_stix`` to a file for a participating partner (the
agency with the AMBER ceiling, so nearly everything goes), the same anonymised, and for a
sharing community (GREEN ceiling: the records are read and checked, little is written).
Prints medians, the objects written and the file size.

    .venv/bin/python -m bench.bench_stix [--runs 5] [--targets 10000] [--actions 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app.models import keyfile
from app.services import demo, operations
from app.services.context import AppContext, init_store
from app.services.stix_export import StixExportReport, export_stix
from bench.measure import machine, median_of, table

PASSPHRASE = "a benchmark passphrase of some length"
PARTNER = "Angola Digital Crime Brigade"  # a participant with an AMBER ceiling


def timings(ctx: AppContext, folder: Path, runs: int) -> list[list[object]]:
    cases = (("for a partner", PARTNER, False), ("for a partner, anonymised", PARTNER, True),
             ("for a sharing community", None, False))
    rows: list[list[object]] = []
    for name, agency, anonymised in cases:
        out = folder / f"{name.replace(' ', '_').replace(',', '')}.json"
        reports: list[StixExportReport] = []
        median, times = median_of(runs, lambda a=agency, x=anonymised, o=out, r=reports:
                                  r.append(export_stix(ctx, "BENCH", o, a, x)))
        rows.append([name, median, min(times), max(times), reports[-1].objects,
                     f"{out.stat().st_size / 1e6:.1f} MB"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=20_000)
    args = parser.parse_args()
    # The real Argon2id cost is measured in bench_unlock; here it only delays the start.
    keyfile.ARGON2_DEFAULTS = {"memory_cost": 1024, "iterations": 1, "lanes": 1}
    with tempfile.TemporaryDirectory() as tmp:
        ctx, _recovery = init_store(Path(tmp) / "store", PASSPHRASE, "Bench agency", "KE")
        try:
            start = time.perf_counter()
            op_id, _change = demo.generate(ctx, "BENCH", targets=args.targets,
                                           actions=args.actions, seed=1)
            made = time.perf_counter() - start
            summary = operations.overview(ctx, op_id).summary
            rows = timings(ctx, Path(tmp), args.runs)
        finally:
            ctx.close()
    print(f"STIX export benchmark: {summary.targets} targets, {summary.sites} sites, "
          f"{summary.actions} actions; median of {args.runs} runs")
    print(f"demo.generate made them in {made:.2f} s")
    print(f"Machine: {machine()}\n")
    print(table(["export", "median (s)", "min (s)", "max (s)", "objects", "file"], rows))


if __name__ == "__main__":
    main()
