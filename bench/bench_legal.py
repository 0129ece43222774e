"""Legal routes: the readiness check (``app.services.legal.legal_report``) of an operation
with 5,000 person targets across 200 states, 300 instruments besides the shipped ones,
and 1,000 seizures.

Each person has one to two nationalities, one to three requesting states, up to three
states it travels through, and a planned arrest at a site in its state. Instruments:
bilateral treaties, conventions of 10-60 parties (some with in-force dates per party),
surrender schemes, MLA and asset-sharing agreements, and one in ten with its party list
unknown but its signatories named (gaps). Rows are written straight into the store (no
changesets): the benchmark times the reading and the analysis, not the writing.

    .venv/bin/python -m bench.bench_legal [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from app.core.countries import all_countries
from app.models import keyfile
from app.models.base import new_id
from app.models.records import Action, Instrument, Site, Target
from app.services import legal, operations
from app.services.context import init_store
from bench.measure import machine, median_of, table

PASSPHRASE = "a benchmark passphrase, not a secret"
PEOPLE, STATES, INSTRUMENTS, SEIZURES = 5_000, 200, 300, 1_000


def build(folder: Path, seed: int = 5) -> tuple[object, str]:
    rng = random.Random(seed)
    keyfile.ARGON2_DEFAULTS = {"memory_cost": 1024, "iterations": 1, "lanes": 1}
    ctx, _ = init_store(folder, PASSPHRASE, "Bench agency", "KE")
    op_id, _ = operations.create_operation(ctx, "BENCH")
    countries = [c for c in all_countries().values() if c.zones][:STATES]
    codes = [c.code for c in countries]
    with ctx.store.session() as session:
        for i in range(INSTRUMENTS):
            kind = rng.random()
            if kind < 0.5:
                form, purpose, parties = "bilateral treaty", "extradition", rng.sample(codes, 2)
            elif kind < 0.7:
                form, purpose = "multilateral convention", "extradition, mutual legal assistance"
                parties = rng.sample(codes, rng.randint(10, 60))
            elif kind < 0.75:
                form, purpose, parties = "surrender scheme", "surrender", rng.sample(codes, 12)
            else:
                form, purpose = "MOA", rng.choice(["asset sharing", "mutual legal assistance"])
                parties = rng.sample(codes, 2)
            unknown = i % 10 == 0
            session.add(Instrument(
                owner_agency_id=ctx.agency_id, ref_key=f"B{i:03d}", name=f"Instrument {i}",
                purpose=purpose, form=form, binding=True,
                parties=None if unknown else [
                    {"country": c, "in_force": rng.choice(["", "2010-01-01"])}
                    for c in parties],
                conditions={"signatories": parties} if unknown else {"dual_criminality": True},
                confidence=rng.choice(["high", "medium", "low"]), tlp="GREEN"))
        for i in range(PEOPLE):
            country = countries[i % STATES]
            target = Target(id=new_id(), owner_agency_id=ctx.agency_id, operation_id=op_id,
                            kind="person", name=f"Person {i:05d}", country=country.code,
                            nationality=[*rng.sample(codes, rng.randint(0, 1)), country.code]
                            if rng.random() < 0.7 else rng.sample(codes, rng.randint(1, 2)),
                            wanted_by=rng.sample(codes, rng.randint(1, 3)),
                            travels=rng.sample(codes, rng.randint(0, 3)), tlp="AMBER")
            site = Site(id=new_id(), owner_agency_id=ctx.agency_id, operation_id=op_id,
                        name=f"Flat {i}", country=country.code, zone=country.zones[0])
            session.add_all([target, site, Action(
                owner_agency_id=ctx.agency_id, operation_id=op_id, kind="arrest",
                target_id=target.id, site_id=site.id)])
        for i in range(SEIZURES):
            country = rng.choice(countries)
            target = Target(id=new_id(), owner_agency_id=ctx.agency_id, operation_id=op_id,
                            kind="wallet", name=f"Wallet {i:04d}", country=country.code)
            session.add_all([target, Action(owner_agency_id=ctx.agency_id,
                                            operation_id=op_id, kind="seizure",
                                            target_id=target.id)])
    legal.set_victim_states(ctx, "BENCH", ["KE", "FR", "BR"])
    return ctx, op_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        ctx, _op = build(Path(tmp) / "store")
        built = time.perf_counter() - started
        try:
            median, times = median_of(args.runs, lambda: legal.legal_report(ctx, "BENCH"))
            report = legal.legal_report(ctx, "BENCH")
        finally:
            ctx.close()  # type: ignore[attr-defined]
    r = report.readiness
    statuses: dict[str, int] = {}
    for p in r.people:
        best = p.best()
        if best is not None:
            statuses[best.status] = statuses.get(best.status, 0) + 1
    print(machine())
    print(f"built in {built:.1f} s: {PEOPLE} people over {STATES} states, {INSTRUMENTS} "
          f"instruments (+ shipped), {SEIZURES} seizures")
    print(table(("case", "median s", "runs", "warnings", "best statuses"),
                [("legal_report", median, ", ".join(f"{t:.2f}" for t in times),
                  len(r.warnings), ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))]))


if __name__ == "__main__":
    main()
