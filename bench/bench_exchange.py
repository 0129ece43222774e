"""Exchange with a partner: a bundle of 100,000 changesets exported, then imported
(verified and merged) into a fresh store of the partner.

Two stores, as tests/sync/exchange_helpers.py sets them up: "Kenya DCI" (KE) and
"Angola SIC" (AO), each adding the other as a partner from its exported roster file. KE
creates the operation BENCH with AO as a participant, then makes small changes, each a
signed changeset of its own, through the recorder as the app writes them (60 % create
a target, alone or with one or two of its sites; 40 % change one or two fields of a
target). For speed the creations go through the recorder's bulk path
(``Recorder.bulk_rows``, as the CSV import writes) with ``CHUNK`` set to the number of
records of the change, so that each change is sealed as one changeset; the updates go
through the ORM, with ``CHUNK`` = 1.

Timed: ``exchange.export_bundle`` (KE to AO) and ``exchange.import_bundle`` into a
fresh copy of AO's store (made before any import; reopened, not timed); the import
checks signatures in a verifier process, counted in its CPU, which is also given for the
calling thread alone. The baseline is a plain bulk INSERT of the same rows (every row the
import added, read back from the imported store) into another fresh copy of AO's store,
by SQLAlchemy Core, one transaction, nothing verified.

    .venv/bin/python -m bench.bench_exchange [--changesets 100000] [--runs 3]
        [--profile-import FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select

from app.models.base import Base, new_id
from app.models.records import Site, Target
from app.models.sync_records import ChangesetRecord
from app.services import exchange, operations
from app.services.context import AppContext, init_store, open_store
from app.sync import recorder as recording
from app.sync.recorder import RECORDER
from bench.measure import machine, table

PASSPHRASE = "a benchmark passphrase of some length"
CREATE_SHARE = 0.6
SESSION_CHANGES = 10_000  # changes per transaction while the history is made
UPDATE_BATCH = 2_000  # targets changed per flush (each its own changeset)


def _fingerprint(ctx: AppContext) -> str:
    return exchange.identity_info(ctx).root_fingerprint


def _partner(a: AppContext, b: AppContext, folder: Path) -> None:
    """``a`` adds ``b`` from b's exported roster file, as a person would."""
    path = folder / f"{b.agency_id}.roster"
    exchange.export_identity(b, path)
    exchange.add_partner_from_file(a, path, _fingerprint(b))


def _target_row(ctx: AppContext, op_id: str, rng: random.Random, n: int) -> dict[str, Any]:
    return {"id": new_id(), "owner_agency_id": ctx.agency_id, "operation_id": op_id,
            "kind": rng.choice(("person", "person", "organisation", "wallet")),
            "name": f"Target {n:06d}", "aliases": [f"alias {n}"] if n % 3 == 0 else [],
            "nationality": [rng.choice(("KE", "AO", "ZM", "TZ"))],
            "country": rng.choice(("KE", "AO", "ZM")), "location": f"District {n % 97}",
            "grading": rng.choice(("A1", "B2", "C3", "")), "notes": ""}


def _site_row(ctx: AppContext, op_id: str, rng: random.Random, n: int,
              k: int) -> dict[str, Any]:
    return {"id": new_id(), "owner_agency_id": ctx.agency_id, "operation_id": op_id,
            "name": f"Site {n:06d}-{k}", "address": f"{n % 500} Moi Avenue", "country": "KE",
            "zone": "Africa/Nairobi", "lat": round(-1.28 + rng.uniform(-0.1, 0.1), 5),
            "lon": round(36.82 + rng.uniform(-0.1, 0.1), 5)}


def record_history(ctx: AppContext, op_id: str, total: int, seed: int = 1) -> dict[str, int]:
    """``total`` small changes by ``ctx``'s agency in ``op_id``, one changeset each."""
    rng = random.Random(seed)
    creations = round(total * CREATE_SHARE)
    target_ids: list[str] = []
    counts = {"targets": 0, "sites": 0, "updates": 0}
    chunk = recording.CHUNK
    try:
        made = 0
        while made < creations:
            with ctx.session() as session:
                recorder = session.info[RECORDER]
                targets: list[dict[str, Any]] = []
                sites: list[dict[str, Any]] = []
                for _ in range(min(SESSION_CHANGES, creations - made)):
                    size = rng.choice((1, 1, 2, 3))  # records in this change
                    recording.CHUNK = size  # the change's group is sealed when full
                    target = _target_row(ctx, op_id, rng, made)
                    recorder.bulk_rows(Target, [target])
                    own = [_site_row(ctx, op_id, rng, made, k) for k in range(size - 1)]
                    if own:
                        recorder.bulk_rows(Site, own)
                    targets.append(target)
                    sites += own
                    target_ids.append(target["id"])
                    made += 1
                session.execute(insert(Target), targets)
                if sites:
                    session.execute(insert(Site), sites)
                counts["targets"] += len(targets)
                counts["sites"] += len(sites)
        recording.CHUNK = 1
        changed = 0
        updates = total - creations
        while changed < updates:
            with ctx.session() as session:
                for _ in range(0, min(SESSION_CHANGES, updates - changed), UPDATE_BATCH):
                    size = min(UPDATE_BATCH, updates - changed)
                    chosen = rng.sample(target_ids, size)
                    for target in session.scalars(select(Target).where(Target.id.in_(chosen))):
                        target.notes = f"seen at {rng.randrange(10_000)} (change {changed})"
                        if rng.random() < 0.5:
                            target.location = f"District {rng.randrange(97)}"
                        changed += 1
                    session.flush()
        counts["updates"] = changed
    finally:
        recording.CHUNK = chunk
    return counts


def _new_rows(before: AppContext, after: AppContext) -> dict[str, list[dict[str, Any]]]:
    """Per table, the rows of ``after`` whose primary key ``before`` does not hold."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table_ in Base.metadata.sorted_tables:
        keys = [c.name for c in table_.primary_key.columns]
        with before.store.session() as session:
            held = {tuple(r) for r in session.execute(select(*table_.primary_key.columns))}
        with after.store.session() as session:
            rows = [dict(r._mapping) for r in session.execute(select(table_))]
        new = [r for r in rows if tuple(r[k] for k in keys) not in held]
        if new:
            found[table_.name] = new
    return found


class Clock:
    """Wall and CPU seconds of a block: on a shared machine the CPU time of this process
    says what a quiet machine would take, the wall time what a person waited."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.main: list[float] = []  # CPU of the calling thread alone

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), _cpu_with_children()
        self._main = time.thread_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(_cpu_with_children() - self._cpu)
        self.main.append(time.thread_time() - self._main)


def _cpu_with_children() -> float:
    """CPU of this process and of the child processes it waited for (the import's
    signature verifier)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _bulk_insert(ctx: AppContext, rows: dict[str, list[dict[str, Any]]], clock: Clock) -> None:
    tables: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables}
    with clock, ctx.store.session() as session:
        for name, batch in rows.items():
            session.execute(insert(tables[name]), batch)


def _copy_store(source: Path, target: Path) -> AppContext:
    shutil.copytree(source, target)
    return open_store(target, PASSPHRASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changesets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile-import", metavar="FILE",
                        help="write a cProfile of the first import to FILE")
    parser.add_argument("--keep", metavar="DIR", help="make the stores in DIR and keep them")
    args = parser.parse_args()

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(args.keep) if args.keep else Path(tmp_dir)
        tmp.mkdir(parents=True, exist_ok=True)
        ke, _ = init_store(tmp / "ke", PASSPHRASE, "Kenya DCI", "KE")
        ao, _ = init_store(tmp / "ao", PASSPHRASE, "Angola SIC", "AO")
        _partner(ke, ao, tmp)
        _partner(ao, ke, tmp)
        ao_id = ao.agency_id
        ao.close()  # the fresh partner store, copied for every import
        op_id, _ = operations.create_operation(ke, "BENCH")
        operations.add_participant(ke, op_id, ao_id)
        start = time.perf_counter()
        counts = record_history(ke, op_id, args.changesets)
        made_in = time.perf_counter() - start
        with ke.store.session() as session:
            held = int(session.scalar(select(func.count()).select_from(ChangesetRecord)) or 0)
            body_bytes = int(session.scalar(select(func.sum(func.length(
                ChangesetRecord.body)))) or 0)

        exports = Clock()
        bundles: list[Path] = []
        for run in range(args.runs):
            path = tmp / f"bundle{run}.jopb"
            with exports:
                report = exchange.export_bundle(ke, "BENCH", ["Angola SIC"], path)
            bundles.append(path)
        ke.close()
        shipped = report.changesets
        size = bundles[0].stat().st_size

        imports = Clock()
        # After the import returns, its log is copied into the database on a thread
        # (Store.checkpoint_soon); timed apart, as the wait before the store could close.
        checkpoints = Clock()
        baseline = Clock()
        applied = 0
        rows: dict[str, list[dict[str, Any]]] = {}
        for run in range(args.runs):
            target = _copy_store(tmp / "ao", tmp / f"ao-import{run}")
            try:
                profile = cProfile.Profile() if args.profile_import and run == 0 else None
                with imports:
                    if profile:
                        profile.enable()
                    result = exchange.import_bundle(target, bundles[0])
                    if profile:
                        profile.disable()
                with checkpoints:
                    target.store.checkpointer.wait()
                if profile:
                    profile.dump_stats(args.profile_import)
                applied = result.merge.applied
                assert not result.merge.refused, result.merge.refused[:3]
                if not rows:
                    pristine = _copy_store(tmp / "ao", tmp / "ao-pristine")
                    try:
                        rows = _new_rows(pristine, target)
                    finally:
                        pristine.close()
            finally:
                target.close()
            plain = _copy_store(tmp / "ao", tmp / f"ao-plain{run}")
            try:
                _bulk_insert(plain, rows, baseline)
            finally:
                plain.close()
            shutil.rmtree(tmp / f"ao-plain{run}")
            shutil.rmtree(tmp / f"ao-import{run}")

    export_median, export_cpu = statistics.median(exports.wall), statistics.median(exports.cpu)
    import_median, import_cpu = statistics.median(imports.wall), statistics.median(imports.cpu)
    baseline_median = statistics.median(baseline.wall)
    baseline_cpu = statistics.median(baseline.cpu)
    inserted = {name: len(batch) for name, batch in rows.items()}
    whole = statistics.median(w + c for w, c in zip(imports.wall, checkpoints.wall,
                                                    strict=True))
    print(f"Exchange benchmark: {shipped:,} changesets in the bundle ({held:,} held by KE: "
          f"{counts['targets']:,} targets and {counts['sites']:,} sites created, "
          f"{counts['updates']:,} updates, made in {made_in:.1f} s); median of {args.runs} "
          f"runs")
    print(f"Machine: {machine()}; load average before {load_before}, after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(table(["measure", "median wall", "wall runs", "median CPU", "CPU, main thread",
                 "target"], [
        ["export to AO (s)", export_median, _runs(exports.wall), export_cpu,
         statistics.median(exports.main), "<= 5 s"],
        ["import into a fresh AO store: verify and merge (s)", import_median,
         _runs(imports.wall), import_cpu, statistics.median(imports.main), "<= 15 s"],
        ["then, on a thread: the log copied into the database (s)",
         statistics.median(checkpoints.wall), _runs(checkpoints.wall),
         statistics.median(checkpoints.cpu), "", ""],
        ["import and that copy, one after the other (s)", whole, "", "", "", ""],
        ["plain bulk INSERT of the same rows, Core, no checks (s)", baseline_median,
         _runs(baseline.wall), baseline_cpu, statistics.median(baseline.main), ""],
        ["ratio (import and the copy) / plain insert (whose commit copies it)",
         f"{whole / baseline_median:.2f}", "",
         f"{(import_cpu + statistics.median(checkpoints.cpu)) / baseline_cpu:.2f}", "", ""],
        ["changesets applied", f"{applied:,}", "", "", "", ""],
        ["bundle file (bytes)", f"{size:,}", "", "", "", ""],
        ["bundle bytes per changeset", f"{size / shipped:.0f}", "", "", "", ""],
        ["changeset body bytes per changeset, as held", f"{body_bytes / held:.0f}", "", "",
         "", ""],
    ]))
    print("\nRows the import added (and the baseline inserts): "
          + ", ".join(f"{name} {count:,}" for name, count in inserted.items()))


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
