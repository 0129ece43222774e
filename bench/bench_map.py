"""The operation map of a large operation: its layers read and drawn, offscreen.

Makes an operation with ``app.services.demo.generate`` (10,000 targets, 20,000 actions and
a site for every target that has a place, about 8,500), then imports transfers between its
wallets and other addresses (20,000 by default; a tenth of the other addresses labelled as
exchanges in 20 countries), so that money flows between countries too. Times, as medians:
``map_layers.map_layers`` (the worker thread's read), drawing those layers on the map
(``MapView.show_layers``, the events it posts, and a paint of the widget, ``grab``), and
both together, which is what a person waits for (target 1 s). The first read and draw
after the view is made (the store's pages not yet read) is timed apart.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_map [--runs 15]
        [--targets 10000] [--actions 20000] [--transfers 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

from app.services import demo
from app.services.context import AppContext, init_store
from app.services.labels import import_labels
from app.services.map_layers import MapLayers, map_layers
from app.services.transfers_import import import_transfers
from app.views.map_view import MapView
from app.views.undo_commands import CommandEnv
from bench.measure import machine, stopwatch, table

PASSPHRASE = "a benchmark passphrase of some length"
SEED = 1
START = datetime(2026, 1, 1, tzinfo=UTC)
COUNTRIES = ("AE", "BR", "CH", "CN", "DE", "EE", "FR", "GB", "HK", "IN", "JP", "LT", "MT",
             "NG", "RU", "SC", "SG", "TR", "US", "VN")
Row = list[object]


def add_money(ctx: AppContext, folder: Path, targets: int, transfers: int) -> None:
    """Transfers among the addresses ``generate`` gives its wallet targets (bitcoin
    addresses of "<seed>-<i>"; the other i are unknown wallets), a tenth of those unknown
    wallets labelled as exchanges in other countries."""
    rng = random.Random(SEED)
    addresses = [demo.bitcoin_address(f"{SEED}-{i}") for i in range(targets)]
    rows = folder / "transfers.csv"
    with rows.open("w", encoding="utf-8") as handle:
        handle.write("tx_hash,chain,from,to,asset,amount,time\n")
        for n in range(transfers):
            source, dest = rng.sample(addresses, 2)
            moment = START + timedelta(minutes=n)
            handle.write(f"{demo.tx_hash(f'map-{n}')},bitcoin,{source},{dest},BTC,"
                         f"{rng.uniform(0.001, 3):.8f},{moment:%Y-%m-%dT%H:%M:%SZ}\n")
    labels = folder / "labels.csv"
    with labels.open("w", encoding="utf-8") as handle:
        handle.write("chain,address,category,name,source,country,contact\n")
        for i in range(0, targets, 10):
            country = COUNTRIES[(i // 10) % len(COUNTRIES)]
            handle.write(f"bitcoin,{addresses[i]},exchange,Exchange {i},bench,{country},\n")
    assert import_transfers(ctx, "BENCH", rows).imported
    assert import_labels(ctx, "BENCH", labels).imported


def timings(ctx: AppContext, op_id: str, runs: int) -> tuple[list[Row], MapLayers]:
    app = QApplication.instance() or QApplication([])
    env = CommandEnv(lambda: ctx, lambda _refresh: None, lambda error: None)
    view = MapView(lambda: ctx, QUndoStack(), env)
    view.resize(1400, 900)
    view.show()
    view.op_id = op_id  # shown by hand below, not by a worker thread
    app.processEvents()

    first: list[float] = []
    with stopwatch(first):
        layers = map_layers(ctx, op_id)
        view.show_layers(layers)
        app.processEvents()  # the legend's layout
        view.grab()
    read: list[float] = []
    drawn: list[float] = []
    both: list[float] = []
    for _ in range(runs):
        with stopwatch(both):
            with stopwatch(read):
                layers = map_layers(ctx, op_id)
            with stopwatch(drawn):
                view.show_layers(layers)
                app.processEvents()
                view.grab()
    view.close()

    def row(name: str, times: list[float], target: str = "") -> Row:
        return [name, statistics.median(times), min(times), max(times), target]

    return [row("map_layers.map_layers (read)", read),
            row("MapView.show_layers + events + paint (draw)", drawn),
            row("read + draw", both, "1 s"),
            row("first read + draw of the process", first)], layers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--transfers", type=int, default=20_000)
    args = parser.parse_args()

    QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx, _recovery = init_store(folder / "store", PASSPHRASE, "Bench agency", "KE")
        try:
            start = time.perf_counter()
            op_id, _change = demo.generate(ctx, "BENCH", targets=args.targets,
                                           actions=args.actions, seed=SEED)
            add_money(ctx, folder, args.targets, args.transfers)
            made = time.perf_counter() - start
            rows, layers = timings(ctx, op_id, args.runs)
        finally:
            ctx.close()
    crossing = sum(1 for f in layers.flows if f.source != f.dest)
    print(f"Map benchmark: {sum(layers.targets.values()):,} targets in "
          f"{len(layers.targets)} countries, {len(layers.sites):,} sites, {args.actions:,} "
          f"actions, {args.transfers:,} transfers of which "
          f"{sum(f.transfers for f in layers.flows):,} between known countries "
          f"({crossing} flows across borders); median of {args.runs} runs")
    print(f"The data was made in {made:.1f} s")
    print(f"Machine: {machine()}\n")
    print(table(["step", "median (s)", "min (s)", "max (s)", "target"], rows))


if __name__ == "__main__":
    main()
