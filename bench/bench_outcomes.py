"""The Outcomes dashboard of an operation with 10,000 targets and 20,000 actions:
the figures read from the records and the tab drawn, target 1 s.

The operation is made by ``app.services.demo.generate(..., outcomes=True)``: about 60 %
of its actions done, 30 % of its sites shut down, 2,000 victims (half repaid), 1,000
asset records and 200 freeze requests with their history, over five countries. Timed,
each a median of ``--runs``:

- ``outcomes()``: the figures (what ``jointops outcomes`` prints, and what the tab reads
  first);
- drawing: the headline and the six charts put on screen by
  ``OutcomesView.show_outcomes`` and the canvas drawn (the idle draw it asks for, run by
  the event loop, as in the GUI; offscreen Qt);
- the whole: read and drawn, what a commander waits for when opening the tab (target);
- the lists of victims and asset records, read and filled in after the dashboard is
  drawn (in tabs behind it).

Wall time and this process's CPU time (the machine's two cores are shared: under load
the wall time grows while the CPU time says what the work itself costs).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_outcomes [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.models import keyfile
from app.services import demo
from app.services.context import AppContext, init_store
from app.services.outcomes import outcomes
from bench.measure import machine, median_of, table

PASSPHRASE = "a benchmark passphrase of some length"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from app.views.outcomes_view import OutcomesView, read_lists
    from app.views.undo_commands import CommandEnv

    app = QApplication.instance() or QApplication([])
    keyfile.ARGON2_DEFAULTS = {"memory_cost": 1024, "iterations": 1, "lanes": 1}
    with tempfile.TemporaryDirectory() as folder:
        ctx: AppContext
        ctx, _ = init_store(Path(folder) / "store", PASSPHRASE, "Bench agency", "KE")
        started = time.perf_counter()
        op_id, _ = demo.generate(ctx, "BENCH", args.targets, args.actions, outcomes=True)
        built = time.perf_counter() - started
        figures = outcomes(ctx, op_id)
        view = OutcomesView(lambda: ctx, QUndoStack(),
                            CommandEnv(lambda: ctx, lambda _r: None, lambda _e: None))
        view.resize(1400, 1000)
        view.show()
        app.processEvents()
        today = datetime.now(UTC).date()
        canvas = view.charts.canvas
        listed = read_lists(ctx, op_id)

        def draw() -> None:
            # As in the GUI: the canvas draws once, when Qt next turns to it.
            view.show_outcomes(figures, today)
            app.processEvents()
            assert not canvas._draw_pending

        def whole() -> None:
            view.show_outcomes(outcomes(ctx, op_id), today)
            app.processEvents()
            assert not canvas._draw_pending

        def lists() -> None:
            view.show_lists(read_lists(ctx, op_id))
            app.processEvents()

        draw()  # the first draw loads fonts once per process
        rows = []
        for name, work in (("outcomes() (the figures)", lambda: outcomes(ctx, op_id)),
                           ("headline and six charts drawn", draw),
                           ("dashboard read and drawn (target 1 s)", whole),
                           ("then the victims and assets listed", lists)):
            cpu: list[float] = []

            def timed(job: Callable[[], object] = work, into: list[float] = cpu) -> None:
                started = time.process_time()
                job()
                into.append(time.process_time() - started)

            median, times = median_of(args.runs, timed)
            rows.append([name, median, min(times), max(times), statistics.median(cpu)])
        view.close()
        ctx.close()
    print(f"Outcomes of {args.targets:,} targets, {args.actions:,} actions "
          f"({figures.arrests:,} arrests done, {figures.sites_shut_down:,} sites shut down, "
          f"{figures.victims:,} victims, {len(listed.assets):,} asset records, "
          f"{len(figures.freeze_times):,} freezes); built in {built:.1f} s; "
          f"medians of {args.runs} runs; load average {os.getloadavg()[0]:.1f}")
    print(machine())
    print(table(["step", "median s", "min s", "max s", "CPU median s"], rows))


if __name__ == "__main__":
    main()
