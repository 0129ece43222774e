"""The Timing tab's synchronisation matrix: how long a redraw of 200 site rows takes
(target 1 s), and what the tab costs around it.

Two cases, medians of ``--runs`` runs, offscreen:

- world: 200 sites in 60 time zones round the world, one country group per zone (the
  most headers and the most windows: 14 days of each site's own rule), built directly
  from ``app.core.timing`` (no store). Redraw = ``SyncMatrix.show_plan`` and a full
  Agg draw of the figure, then Qt's paint of it.
- store: an operation generated with ``app.services.demo.generate`` and cut to 200 sites
  with actions, shown in the Timing tab of the main window. Times the plan read on the
  worker thread (``plan_with_windows``), the matrix redraw, and
  a typed H-hour from the click of "Set H-hour" until the tab shows the new plan.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_timing_gui [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.core.timing import local_start, windows_by_action
from app.services import demo, targets, timing
from app.services.context import AppContext, init_store
from app.views.main_window import MainWindow
from app.views.matrix_rows import (
    AUTHORISED,
    CHECKED,
    UNKNOWN,
    MatrixAction,
    MatrixGroup,
    MatrixRow,
    local_clock,
)
from app.views.sync_matrix import MatrixPlan, SyncMatrix
from app.views.timing_view import TimingView
from bench.bench_timing import WORLD_ZONES, distinct_actions
from bench.measure import machine, stopwatch, table

PASSPHRASE = "a benchmark passphrase of some length"
SITES = 200
Row = list[object]


def _row(name: str, times: list[float], target: str = "") -> Row:
    return [name, statistics.median(times), min(times), max(times), target]


def world_plan(h_hour: datetime) -> MatrixPlan:
    """200 sites in 60 zones, each its own rule, grouped by zone."""
    start = datetime(2026, 3, 20, tzinfo=UTC)
    end = start + timedelta(days=14)
    actions = distinct_actions(WORLD_ZONES, SITES, seed=7, wide=False)
    found = windows_by_action(actions, start, end)
    groups: dict[str, MatrixGroup] = {}
    for action in actions:
        shade = (AUTHORISED if action.authorised else
                 UNKNOWN if action.rule.kind == "unknown" else CHECKED)
        when = local_start(action, h_hour)
        row = MatrixRow(action.id, action.label, action.zone, found[action.id], shade,
                        [MatrixAction(action.label, when.utc_start, when.state)],
                        local_clock(h_hour, action.zone))
        group = groups.setdefault(action.zone, MatrixGroup(
            action.zone, f"{action.zone} · search rule: {action.rule.describe()}", []))
        group.rows.append(row)
    return MatrixPlan(list(groups.values()), [], h_hour, start, end)


def redraw(app: QApplication, matrix: SyncMatrix, plan: MatrixPlan) -> None:
    matrix.show_plan(plan)
    matrix.canvas.draw()  # the Agg render that draw_idle would do on the next turn
    matrix.canvas.repaint()  # and Qt's paint of the rendered buffer
    app.processEvents()


def world_case(app: QApplication, runs: int) -> list[Row]:
    matrix = SyncMatrix()
    matrix.resize(1075, 760)
    matrix.show()
    app.processEvents()
    plans = [world_plan(datetime(2026, 3, 24, 5, tzinfo=UTC) + timedelta(hours=i))
             for i in range(runs + 1)]
    assert sum(len(g.rows) for g in plans[0].groups) == SITES
    redraw(app, matrix, plans[-1])  # warm-up: fonts, first figure layout
    times: list[float] = []
    for plan in plans[:runs]:
        with stopwatch(times):
            redraw(app, matrix, plan)
    matrix.close()
    groups = len(plans[0].groups)
    return [_row(f"world: matrix redraw, {SITES} sites in {groups} zone groups", times,
                 "<= 1 s")]


def _wait_planned(app: QApplication, view: TimingView) -> None:
    loop = QEventLoop()
    view.planned.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    view.planned.disconnect(loop.quit)


def store_case(app: QApplication, ctx: AppContext, folder: Path, runs: int) -> list[Row]:
    op_id, _ = demo.generate(ctx, "TIMING BENCH", targets=300, actions=1500, seed=3)
    sites = list(dict.fromkeys(
        w.site_id for w in timing.lawful_windows_by_action(ctx, op_id).values() if w.site_id))
    for site_id in sites[SITES:]:
        targets.set_deleted(ctx, "site", site_id, True)
    found = timing.lawful_windows_by_action(ctx, op_id)
    assert len({w.site_id for w in found.values() if w.site_id}) == SITES
    actions = len(found)

    planning: list[float] = []
    for _ in range(runs):
        with stopwatch(planning):
            timing.plan_with_windows(ctx, op_id)

    window = MainWindow(ctx, folder)
    window.idle.set_minutes(0)
    window.resize(1360, 900)
    window.show()
    window.select_operation(op_id)
    view = window.workspace.timing
    window.workspace.tabs.setCurrentWidget(view)
    _wait_planned(app, view)
    assert view.matrix is not None and view.matrix.plan is not None
    plan = view.matrix.plan
    redraws: list[float] = []
    for _ in range(runs):
        with stopwatch(redraws):
            redraw(app, view.matrix, plan)

    typed: list[float] = []
    base = demo.demo_h_hour()
    for i in range(runs):
        view.h_hour.setText(f"{base + timedelta(minutes=5 * (i + 1)):%Y-%m-%dT%H:%MZ}")
        with stopwatch(typed):
            view.enter_h_hour()
            _wait_planned(app, view)
            app.processEvents()
    window.close()
    return [
        _row(f"store: plan read on the worker ({actions} actions, {SITES} sites)", planning),
        _row(f"store: matrix redraw, {SITES} sites in {len(plan.groups)} country groups",
             redraws, "<= 1 s"),
        _row("store: H-hour typed → saved, planned again, matrix and table redrawn", typed),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    rows = world_case(app, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "store"
        ctx, _recovery = init_store(folder, PASSPHRASE, "Kenya DCI", "KE")
        try:
            rows += store_case(app, ctx, folder, args.runs)
        finally:
            ctx.close()
    print(machine())
    print(f"runs: {args.runs}; load average {os.getloadavg()[0]:.1f}")
    print(table(["step", "median (s)", "min (s)", "max (s)", "target"], rows))


if __name__ == "__main__":
    main()
