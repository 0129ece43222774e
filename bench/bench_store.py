"""The same workload on the encrypted store and on plain SQLite with the same schema.

Workload: insert 100,000 targets in batches of 1,000 (one transaction per batch, through
the ORM's bulk INSERT as the import does), then 1,000 lookups by (operation, name) on the
``ix_target_op_name`` index, then a filtered count (targets of one country and kind),
timed ten times over.
Each run starts from a new database; the sides alternate so that neither always runs on
a warmer machine. Prints a table of medians and the ratio encrypted/plain.

    .venv/bin/python -m bench.bench_store [--runs 5] [--targets 100000] [--cache-kib 65536]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.orm import Session

from app.models.base import new_id
from app.models.migrations.runner import upgrade_to_head
from app.models.records import Agency, Operation, Target
from app.models.store import CACHE_KIB, make_engine
from bench.measure import machine, table

BATCH = 1_000
LOOKUPS = 1_000
# One count takes a few tens of milliseconds, where scheduling noise on a shared machine
# is of the same size; ten of them give a steadier figure.
COUNTS = 10
COUNTRIES = ("KE", "AO", "ZM", "ZA", "NL", "GB", "FR", "NG", "GH", "CI")
KINDS = ("person", "organisation", "wallet", "premises", "server")
PHASES = ("insert", "lookups", "count", "total")


def make_rows(n: int, agency_id: str, op_id: str) -> list[dict[str, Any]]:
    rnd = random.Random(1)
    rows = []
    for i in range(n):
        stamp = f"{1750000000000 + i:013d}-000000"
        values = {"kind": KINDS[i % len(KINDS)], "name": f"Target {rnd.random():.12f} {i}",
                  "country": COUNTRIES[i % len(COUNTRIES)], "tlp": "AMBER"}
        rows.append({"id": new_id(), "owner_agency_id": agency_id, "operation_id": op_id,
                     **values, "stamps": dict.fromkeys(values, stamp), "updated": stamp,
                     "deleted": False, "aliases": [], "nationality": [], "location": "",
                     "grading": "", "notes": ""})
    return rows


def engine_for(db: Path, key: bytes | None, cache_kib: int, synchronous: str) -> Engine:
    engine = make_engine(db, key, cache_kib=cache_kib)
    if synchronous != "NORMAL":
        @event.listens_for(engine, "connect")
        def _sync(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute(f"PRAGMA synchronous = {synchronous}")
    return engine


def run_side(folder: Path, key: bytes | None, rows: list[dict[str, Any]], names: list[str],
             agency_id: str, op_id: str, cache_kib: int, synchronous: str) -> dict[str, float]:
    engine = engine_for(folder / "bench.db", key, cache_kib, synchronous)
    try:
        upgrade_to_head(engine)
        with Session(engine) as session, session.begin():
            session.add(Agency(id=agency_id, name="Bench agency", country="KE"))
            session.flush()
            session.add(Operation(id=op_id, codename="BENCH", lead_agency_id=agency_id))
        times: dict[str, float] = {}
        start = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            with Session(engine) as session, session.begin():
                session.execute(insert(Target), rows[i:i + BATCH])
        times["insert"] = time.perf_counter() - start
        start = time.perf_counter()
        with Session(engine) as session:
            for name in names:
                found = session.execute(select(Target.id, Target.kind).where(
                    Target.operation_id == op_id, Target.name == name)).one()
                assert found is not None
        times["lookups"] = time.perf_counter() - start
        start = time.perf_counter()
        with Session(engine) as session:
            for _ in range(COUNTS):
                count = session.scalar(select(func.count(Target.id)).where(
                    Target.operation_id == op_id, Target.country == "KE",
                    Target.kind == "person", Target.deleted.is_(False)))
        times["count"] = time.perf_counter() - start
        assert count == sum(1 for r in rows if r["country"] == "KE" and r["kind"] == "person")
        times["total"] = times["insert"] + times["lookups"] + times["count"]
        return times
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--cache-kib", type=int, default=CACHE_KIB,
                        help="page cache per connection, both sides (the store's default)")
    parser.add_argument("--synchronous", default="NORMAL", choices=("OFF", "NORMAL", "FULL"))
    args = parser.parse_args()

    agency_id, op_id = new_id(), new_id()
    rows = make_rows(args.targets, agency_id, op_id)
    names = [r["name"] for r in random.Random(2).sample(rows, min(LOOKUPS, len(rows)))]
    results: dict[str, list[dict[str, float]]] = {"encrypted": [], "plain": []}
    for run in range(args.runs):
        order = ["encrypted", "plain"] if run % 2 == 0 else ["plain", "encrypted"]
        for side in order:
            key = os.urandom(32) if side == "encrypted" else None
            with tempfile.TemporaryDirectory() as tmp:
                results[side].append(run_side(Path(tmp), key, rows, names, agency_id, op_id,
                                              args.cache_kib, args.synchronous))
    med = {side: {p: statistics.median(r[p] for r in runs) for p in PHASES}
           for side, runs in results.items()}
    print(f"Store benchmark: {args.targets} targets in batches of {BATCH}, {len(names)} "
          f"lookups, {COUNTS} filtered counts; median of {args.runs} runs per side; cache "
          f"{args.cache_kib} KiB, synchronous {args.synchronous}")
    print(f"Machine: {machine()}\n")
    print(table(["phase", "encrypted (s)", "plain (s)", "ratio enc/plain"],
                [[p, med["encrypted"][p], med["plain"][p],
                  f"{med['encrypted'][p] / med['plain'][p]:.2f}"] for p in PHASES]))


if __name__ == "__main__":
    main()
