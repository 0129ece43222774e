"""Opening an operation's workspace with 10,000 targets and 20,000 actions.

Makes the operation with ``app.services.demo.generate`` (timed too), then times the
service calls the GUI makes to open the workspace: ``operations.overview`` and
``targets.target_rows`` (all rows, and the first page a lazily fetching table asks for).
Prints medians. The Qt side (model, proxy, filter) is timed in ``gui_timings`` below,
the section the GUI's developers extend.

    .venv/bin/python -m bench.bench_workspace [--runs 15] [--targets 10000] [--actions 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app.services import demo, operations, targets
from app.services.context import AppContext, init_store
from bench.measure import machine, median_of, table

PASSPHRASE = "a benchmark passphrase of some length"
FIRST_PAGE = 256
Row = list[object]


def service_timings(ctx: AppContext, op_id: str, runs: int) -> list[Row]:
    def open_workspace() -> None:
        operations.overview(ctx, op_id)
        targets.target_rows(ctx, op_id)

    steps = (
        ("operations.overview", lambda: operations.overview(ctx, op_id)),
        ("targets.target_rows (all)", lambda: targets.target_rows(ctx, op_id)),
        (f"targets.target_rows (first {FIRST_PAGE})",
         lambda: targets.target_rows(ctx, op_id, 0, FIRST_PAGE)),
        ("targets.count_targets", lambda: targets.count_targets(ctx, op_id)),
        ("open workspace: overview + target_rows (all)", open_workspace),
    )
    rows: list[Row] = []
    for name, work in steps:
        median, times = median_of(runs, work)
        rows.append([name, median, min(times), max(times)])
    return rows


# ---- GUI TIMING: extend here ----------------------------------------------------------
# For the GUI's developers (they own app/views/): time what a person waits for, with a
# QApplication (QT_QPA_PLATFORM=offscreen works), on the same ctx and op_id: building the
# workspace widget and showing the targets table, then applying a filter to the proxy
# model (target: 0.5 s and 100 ms). Return rows [name, median, min, max] in seconds, made
# with bench.measure.median_of; they are printed in the same table.
def gui_timings(ctx: AppContext, op_id: str, runs: int) -> list[Row]:
    return []
# ---- end of GUI TIMING ------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ctx, _recovery = init_store(Path(tmp) / "store", PASSPHRASE, "Bench agency", "KE")
        try:
            start = time.perf_counter()
            op_id, _change = demo.generate(ctx, "BENCH", targets=args.targets,
                                           actions=args.actions, seed=1)
            made = time.perf_counter() - start
            summary = operations.overview(ctx, op_id).summary
            rows = service_timings(ctx, op_id, args.runs) + gui_timings(ctx, op_id, args.runs)
        finally:
            ctx.close()
    print(f"Workspace benchmark: {summary.targets} targets, {summary.sites} sites, "
          f"{summary.actions} actions; median of {args.runs} runs")
    print(f"demo.generate made them in {made:.2f} s")
    print(f"Machine: {machine()}\n")
    print(table(["step", "median (s)", "min (s)", "max (s)"], rows))


if __name__ == "__main__":
    main()
