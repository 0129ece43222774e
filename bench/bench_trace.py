"""Following the money at scale: import 1,000,000 transfers into an encrypted store, then
trace 10 hops by haircut from 100 victims' wallets; times, medians and peak memory.

    .venv/bin/python -m bench.bench_trace [--transfers 1000000] [--runs 5] [--hops 10]
        [--import-runs 3]

The import is timed ``--import-runs`` times, each into a new store (median reported; the
traces run on the last store). Its CPU is given for this process and for the checker
process that checks the rows of a large file (app/services/transfer_checking.py).

The data (made here, seeded, USDT on Tron): 150,000 ordinary wallets, 20 exchanges with 5
labelled hot wallets each, 2 labelled mixers. Most transfers are ordinary life over 90
days (deposits to exchanges 45 %, withdrawals from them 35 %, payments between wallets
20 %); about 3 % are the case: 100 victims pay 10 collection wallets, which sweep to
consolidation wallets and layer the money through chains of mule wallets (fan-outs of 2
or 3, 3 to 8 hops, mules that also live ordinary lives) to exchanges and mixers.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.services.context import AppContext, init_store
from app.services.demo import tron_address
from app.services.labels import import_labels
from app.services.money import trace_operation
from app.services.operations import create_operation
from app.services.transfers_import import import_transfers
from bench.measure import machine, table

PASSPHRASE = "a benchmark passphrase of some length"
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 90
USERS = 150_000
EXCHANGES = 20
HOT_WALLETS = 5
VICTIMS = 100


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Data:
    def __init__(self, transfers: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = transfers
        self.users = [tron_address(f"bench-user-{i}") for i in range(USERS)]
        self.exchanges = [[tron_address(f"bench-ex-{e}-{h}") for h in range(HOT_WALLETS)]
                          for e in range(EXCHANGES)]
        self.mixers = [tron_address(f"bench-mixer-{m}") for m in range(2)]
        self.victims = [tron_address(f"bench-victim-{v}") for v in range(VICTIMS)]
        self.collectors = [tron_address(f"bench-collector-{c}") for c in range(10)]
        self.count = 0

    def _amount(self, low: float, high: float) -> str:
        return f"{self.rng.uniform(low, high):.2f}"

    def _row(self, tx: int, source: str, dest: str, amount: str, moment: datetime) -> str:
        return (f"{tx:064x},tron,{source},{dest},USDT,{amount},"
                f"{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}\n")

    def rows(self) -> Iterator[str]:
        rng = self.rng
        case = self._case()
        background = self.n - len(case)
        span = DAYS * 86400
        times = sorted(rng.random() * span for _ in range(background))
        tx = 0
        for offset in times:
            moment = START + timedelta(seconds=offset)
            kind = rng.random()
            user = self.users[rng.randrange(USERS)]
            hot = self.exchanges[rng.randrange(EXCHANGES)][rng.randrange(HOT_WALLETS)]
            if kind < 0.45:
                source, dest = user, hot
            elif kind < 0.80:
                source, dest = hot, user
            else:
                source, dest = user, self.users[rng.randrange(USERS)]
                if source == dest:
                    continue
            tx += 1
            yield self._row(tx, source, dest, self._amount(5, 5000), moment)
        for moment, source, dest, amount in case:
            tx += 1
            yield self._row(tx, source, dest, amount, moment)

    def _case(self) -> list[tuple[datetime, str, str, str]]:
        rng = self.rng
        out: list[tuple[datetime, str, str, str]] = []
        mule = 0

        def new_mule() -> str:
            nonlocal mule
            mule += 1
            # One mule in three is an ordinary wallet that also lives its own life.
            if rng.random() < 0.33:
                return self.users[rng.randrange(USERS)]
            return tron_address(f"bench-mule-{mule}")

        def layer(source: str, amount: float, moment: datetime, depth: int) -> None:
            if depth == 0 or amount < 50:
                if rng.random() < 0.8:
                    hot = self.exchanges[rng.randrange(EXCHANGES)][rng.randrange(HOT_WALLETS)]
                else:
                    hot = self.mixers[rng.randrange(2)]
                out.append((moment, source, hot, f"{amount:.2f}"))
                return
            parts = rng.choice((2, 3))
            for share in range(parts):
                dest = new_mule()
                part = amount / parts * (0.97 if share == 0 else 1.0)
                when = moment + timedelta(minutes=rng.randrange(5, 600))
                out.append((when, source, dest, f"{part:.2f}"))
                layer(dest, part, when, depth - 1 if rng.random() < 0.7 else 0)

        for victim in self.victims:
            for _ in range(rng.randrange(1, 6)):
                when = START + timedelta(days=rng.uniform(1, 40))
                amount = rng.uniform(500, 20000)
                out.append((when, victim, rng.choice(self.collectors), f"{amount:.2f}"))
        sweep = START + timedelta(days=42)
        for collector in self.collectors:
            total = sum(float(a) for _w, _s, d, a in out if d == collector)
            consolidation = tron_address(f"bench-consolidation-{collector}")
            out.append((sweep, collector, consolidation, f"{total:.2f}"))
            while len(out) < self.n * 0.03 and total >= 50:
                layer(consolidation, total * 0.3, sweep + timedelta(hours=1), rng.randrange(3, 9))
                total *= 0.7
            layer(consolidation, total, sweep + timedelta(hours=2), rng.randrange(3, 9))
        return out

    def write(self, path: Path) -> int:
        with path.open("w", encoding="utf-8") as handle:
            handle.write("tx_hash,chain,from,to,asset,amount,time\n")
            count = 0
            for line in self.rows():
                handle.write(line)
                count += 1
        return count

    def write_labels(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as handle:
            handle.write("chain,address,category,name,source,country,contact\n")
            for e, wallets in enumerate(self.exchanges):
                for address in wallets:
                    handle.write(f"tron,{address},exchange,Exchange {e},bench,SC,"
                                 f"compliance@ex{e}.example\n")
            for m, address in enumerate(self.mixers):
                handle.write(f"tron,{address},mixer,Mixer {m},bench,,\n")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _import(ctx: AppContext, transfers: Path,
            labels: Path) -> tuple[float, float, float, float]:
    """Wall seconds of the import, CPU seconds of this process and of the checker
    process (on a shared machine the CPU times say what a quiet one would take), and the
    seconds the log's copy into the database (a thread, after the import) went on."""
    create_operation(ctx, "BENCH")
    start, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
    report = import_transfers(ctx, "BENCH", transfers)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    child = _children_cpu() - child
    checkpoint = time.perf_counter()
    ctx.store.checkpointer.wait()
    checkpoint = time.perf_counter() - checkpoint
    assert report.imported, report.errors[:3]
    assert import_labels(ctx, "BENCH", labels).imported
    return took, cpu, child, checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hops", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="haircut,fifo,poison")
    parser.add_argument("--import-runs", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = _Data(args.transfers, args.seed)
        transfers, labels = Path(tmp) / "transfers.csv", Path(tmp) / "labels.csv"
        made = time.perf_counter()
        rows = data.write(transfers)
        data.write_labels(labels)
        made = time.perf_counter() - made
        size = transfers.stat().st_size
        rss_data = _rss_mib()
        imports: list[tuple[float, float, float, float, str]] = []
        for attempt in range(args.import_runs):
            store = Path(tmp) / f"store{attempt}"
            ctx, _recovery = init_store(store, PASSPHRASE, "Bench", "KE")
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            try:
                imports.append((*_import(ctx, transfers, labels), load))
            finally:
                if attempt < args.import_runs - 1:
                    ctx.close()
                    shutil.rmtree(store)
        rss_import = _rss_mib()
        try:
            results: list[list[object]] = []
            for method in args.methods.split(","):
                for direction in ("forward", "backward"):
                    if direction == "backward" and method != "haircut":
                        continue
                    seeds = data.victims if direction == "forward" else data.exchanges[0][:1]
                    times: list[float] = []
                    run = None
                    for _ in range(args.runs):
                        start = time.perf_counter()
                        run = trace_operation(ctx, "BENCH", seeds, method, direction,
                                              hops=args.hops)
                        times.append(time.perf_counter() - start)
                    assert run is not None
                    totals = run.result.totals[0]
                    results.append([f"{method} {direction}, {len(seeds)} seed(s)",
                                    statistics.median(times), min(times), max(times),
                                    run.result.transfers_read, len(run.result.endpoints),
                                    f"{totals.to_services:.2f} of {totals.seeded:.2f}"])
            rss_trace = _rss_mib()
        finally:
            ctx.close()
    print(f"Money benchmark: {rows:,} transfers ({size / 2**20:.0f} MiB CSV, made in "
          f"{made:.0f} s), {args.hops} hops, median of {args.runs} runs")
    print(f"Machine: {machine()}\n")
    import_time = statistics.median(run[0] for run in imports)
    print(table(["import run", "wall (s)", "CPU, importer (s)", "CPU, checker (s)",
                 "log copied after (s)", "load average before"],
                [[n + 1, *one] for n, one in enumerate(imports)]))
    print()
    print(table(["measure", "value"], [
        ["import time, median (s)", import_time],
        ["transfers per second", f"{rows / import_time:,.0f}"],
        ["peak RSS after making the data (MiB)", f"{rss_data:.0f}"],
        ["peak RSS after the import (MiB)", f"{rss_import:.0f}"],
        ["peak RSS after the traces (MiB)", f"{rss_trace:.0f}"],
    ]))
    print()
    print(table(["trace", "median (s)", "min (s)", "max (s)", "transfers read", "endpoints",
                 "to services / seeded (USDT)"], results))


if __name__ == "__main__":
    main()
