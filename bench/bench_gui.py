"""What a person waits for in the GUI: opening a large operation's workspace, filtering
and sorting its targets table, and starting the app on the demo store.

Makes a store with ``app.services.demo.generate`` (10,000 targets and 20,000 actions by
default) and the demo operation, shows the main window offscreen, and times, as medians:
selecting the large operation with the "Targets & sites" tab shown until the table has
painted (target 0.5 s); the first filter after opening (it fetches the rows the lazy
table had not fetched yet) and later filters (target 100 ms); a sort by name. Then
starts ``python -m app gui --demo`` in subprocesses on a store holding only the demo
operation, with the real Argon2id cost, until the main window is shown (target 2 s).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_gui [--runs 15]
        [--targets 10000] [--actions 20000] [--launch-runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services import demo, operations
from app.services.context import AppContext, init_store
from app.views.launcher import SHOWN_MARK
from app.views.main_window import MainWindow
from bench.measure import machine, stopwatch, table

PASSPHRASE = "a benchmark passphrase of some length"
Row = list[object]


def _row(name: str, times: list[float], target: str) -> Row:
    return [name, statistics.median(times), min(times), max(times), target]


def gui_timings(ctx: AppContext, folder: Path, big: str, small: str, runs: int) -> list[Row]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow(ctx, folder)
    window.idle.set_minutes(0)
    window.show()
    app.processEvents()
    view = window.workspace.targets

    def open_big() -> None:
        window.select_operation(big)
        window.workspace.tabs.setCurrentIndex(1)
        app.processEvents()  # layout and paint of the table
        assert view.proxy.rowCount() > 0

    def reset() -> None:
        view.filter.setText("")
        view.kind.setCurrentIndex(0)
        window.select_operation(small)
        app.processEvents()

    opening: list[float] = []
    overview_later: list[float] = []
    overview_tab: list[float] = []
    cold_filter: list[float] = []
    background: list[float] = []
    first_filter: list[float] = []
    next_filter: list[float] = []
    kind_filter: list[float] = []
    sorting: list[float] = []
    for run in range(runs):
        reset()
        with stopwatch(opening):
            open_big()
        overview_later.append(opening[-1] + wait_until(
            lambda: window.workspace.overview_data is not None))
        if run % 2:
            # Typing at once, before the rest of the rows came in from the background.
            with stopwatch(cold_filter):
                view.filter.setText("wallet")
                app.processEvents()
        else:
            background.append(wait_until(view.model.all_fetched))
            with stopwatch(first_filter):
                view.filter.setText("wallet")
                app.processEvents()
        with stopwatch(next_filter):
            view.filter.setText("wallet 00")
            app.processEvents()
        with stopwatch(next_filter):
            view.filter.setText("ke")
            app.processEvents()
        with stopwatch(kind_filter):
            view.kind.setCurrentIndex(view.kind.findData("person"))
            app.processEvents()
        view.filter.setText("")
        view.kind.setCurrentIndex(0)
        app.processEvents()
        order = (Qt.SortOrder.DescendingOrder if len(sorting) % 2 == 0
                 else Qt.SortOrder.AscendingOrder)
        with stopwatch(sorting):
            view.table.horizontalHeader().setSortIndicator(0, order)
            app.processEvents()
    for _ in range(runs):
        reset()
        window.workspace.tabs.setCurrentIndex(0)
        with stopwatch(overview_tab):
            window.select_operation(big)
            app.processEvents()
        assert window.workspace.overview_data is not None
    window.workspace.tabs.setCurrentIndex(1)
    wait_until(view.model.all_fetched)
    expected = operations.overview(ctx, big).summary.targets
    if view.proxy.rowCount() != expected:
        window.close()
        raise SystemExit(f"the table shows {view.proxy.rowCount()} of {expected} targets")
    window.close()
    return [
        _row("open the workspace, Targets & sites shown (first page of 500)", opening,
             "<= 0.5 s"),
        _row("(... until its overview, read on a worker, is in too)", overview_later, ""),
        _row("(the rest of the rows came in from the background after)", background, ""),
        _row("first filter, rest of the rows fetched in the background", first_filter,
             "<= 0.1 s"),
        _row("first filter typed at once (fetches the rest first)", cold_filter, ""),
        _row("later filter (text changed)", next_filter, "<= 0.1 s"),
        _row("kind filter (person) on top of none", kind_filter, "<= 0.1 s"),
        _row("sort by name (all rows)", sorting, ""),
        _row("open the workspace with the Overview tab shown (counts read at once)",
             overview_tab, ""),
    ]


def wait_until(done: Callable[[], bool], limit: float = 10.0) -> float:
    """Process events until ``done()``; returns the seconds it took (not part of a
    timing: the person is still looking at the table)."""
    app = QApplication.instance()
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > limit:
            raise SystemExit("the background fetch of the targets did not finish")
        assert app is not None
        app.processEvents()
        time.sleep(0.002)
    return time.perf_counter() - start


def launch_timings(folder: Path, runs: int, pycache: Path) -> list[Row]:
    """Start the GUI ``runs`` times: with Python's bytecode cache for the app's modules
    (kept in ``pycache``, as an installed app has it after its first start; one warm-up
    start is not counted), and with PYTHONDONTWRITEBYTECODE, which compiles the app's
    modules at each start."""
    base = dict(os.environ, JOINTOPS_PASSPHRASE=PASSPHRASE, JOINTOPS_EXIT_WHEN_SHOWN="1",
                QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    warm = dict(base, PYTHONPYCACHEPREFIX=str(pycache))
    # As this project's machines run it: the installed packages' bytecode is used, the
    # app's own modules are compiled at each start.
    cold = dict(base, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "app", "--store", str(folder), "gui", "--demo"]

    def start(env: dict[str, str]) -> tuple[float, float]:
        begun = time.time()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        ended = time.time()
        marks = [line.split()[1] for line in done.stdout.splitlines()
                 if line.startswith(SHOWN_MARK)]
        if done.returncode != 0 or not marks:
            raise SystemExit(f"the GUI did not start (exit {done.returncode}): "
                             f"{done.stderr.strip()[-500:]}")
        return float(marks[0]) - begun, ended - begun

    start(warm)  # writes the bytecode cache, and opens the demo once
    shown: dict[str, list[float]] = {"warm": [], "cold": []}
    exits: list[float] = []
    for _ in range(runs):
        for name, env in (("warm", warm), ("cold", cold)):
            to_shown, to_exit = start(env)
            shown[name].append(to_shown)
            if name == "warm":
                exits.append(to_exit)
    return [_row("`python -m app gui --demo` to the main window shown", shown["warm"],
                 "<= 2 s"),
            _row("... the same with the app's modules compiled at each start",
                 shown["cold"], ""),
            _row("... to the process's exit (window closed at once)", exits, "")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--launch-runs", type=int, default=7)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "large"
        ctx, _recovery = init_store(folder, PASSPHRASE, "Bench agency", "KE")
        try:
            small, _change = demo.create_demo(ctx)
            big, _change = demo.generate(ctx, "BENCH", targets=args.targets,
                                         actions=args.actions, seed=1)
            summary = operations.overview(ctx, big).summary
            rows = gui_timings(ctx, folder, big, small, args.runs)
        finally:
            ctx.close()
        demo_folder = Path(tmp) / "demo"
        demo_ctx, _recovery = init_store(demo_folder, PASSPHRASE, "Bench agency", "KE")
        try:
            demo.create_demo(demo_ctx)
        finally:
            demo_ctx.close()
        rows += launch_timings(demo_folder, args.launch_runs, Path(tmp) / "pycache")
    del app
    print(f"GUI benchmark: {summary.targets} targets, {summary.sites} sites, "
          f"{summary.actions} actions; median of {args.runs} runs "
          f"({args.launch_runs} for the start-up); platform "
          f"{os.environ['QT_QPA_PLATFORM']}")
    print(f"Machine: {machine()}\n")
    print(table(["step", "median (s)", "min (s)", "max (s)", "target"], rows))


if __name__ == "__main__":
    main()
