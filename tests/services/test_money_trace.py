"""Tracing an operation's imported transfers through the store: seeds by address, labels
as stops, a bridge pair across chains, the saved trace, the CSV export, and the figures."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.services.context import AppContext
from app.services.demo import ethereum_address, tron_address
from app.services.labels import import_labels
from app.services.money import (
    export_trace_csv,
    list_traces,
    money_summary,
    percentile,
    saved_trace,
    trace_operation,
)
from app.services.operations import create_operation
from app.services.transfers_import import import_transfers

VICTIM, OTHER, MULE = tron_address("victim"), tron_address("other"), tron_address("mule")
EXCHANGE_A, EXCHANGE_B = tron_address("exchange-a"), tron_address("exchange-b")
BRIDGE_TRON, BRIDGE_ETH = tron_address("bridge"), ethereum_address("bridge")
ETH_MULE, ETH_EXCHANGE = ethereum_address("mule"), ethereum_address("exchange")

# The mixed-wallet graph of tests/core/test_tracing.py, in USDT on Tron: the mule holds
# 6 of its own, receives 4 from the victim, pays 5 to exchange A, then 5 to exchange B.
TRANSFERS = f"""\
tx_hash,chain,from,to,asset,amount,time
t1,tron,{OTHER},{MULE},USDT,6,2026-03-01T10:01:00Z
t2,tron,{VICTIM},{MULE},USDT,4,2026-03-01T10:02:00Z
t3,tron,{MULE},{EXCHANGE_A},USDT,5,2026-03-01T10:03:00Z
t4,tron,{MULE},{EXCHANGE_B},USDT,5,2026-03-01T10:04:00Z
b1,tron,{VICTIM},{BRIDGE_TRON},USDT,100,2026-03-02T10:00:00Z
b2,ethereum,{BRIDGE_ETH},{ETH_MULE},USDT,100,2026-03-02T10:05:00Z
b3,ethereum,{ETH_MULE},{ETH_EXCHANGE},USDT,100,2026-03-02T10:06:00Z
"""
LABELS = f"""\
chain,address,category,name,source,country,contact
tron,{EXCHANGE_A},exchange,Exchange A,case file 7,SC,compliance@a.example
tron,{EXCHANGE_B},exchange,Exchange B,case file 7,KE,
tron,{BRIDGE_TRON},bridge,Portal,bridge docs,,
ethereum,{BRIDGE_ETH},bridge,Portal,bridge docs,,
ethereum,{ETH_EXCHANGE},exchange,Exchange E,case file 7,AO,
"""


@pytest.fixture
def op(ctx: AppContext, tmp_path: Path) -> str:
    create_operation(ctx, "SERENGETI")
    transfers = tmp_path / "t.csv"
    transfers.write_text(TRANSFERS, encoding="utf-8")
    assert import_transfers(ctx, "SERENGETI", transfers).imported
    labels = tmp_path / "l.csv"
    labels.write_text(LABELS, encoding="utf-8")
    assert import_labels(ctx, "SERENGETI", labels).imported
    return "SERENGETI"


def amounts(run_result: object) -> dict[str, Decimal]:
    return {e.address: e.amount for e in run_result.result.endpoints}  # type: ignore[attr-defined]


def test_the_three_methods_through_the_store(ctx: AppContext, op: str) -> None:
    # Worked out in tests/core/test_tracing.py: poison 5 and 5, haircut 2 and 2, FIFO 0
    # and 4; and the victim's 100 crosses the bridge to exchange E on Ethereum.
    poison = trace_operation(ctx, op, [VICTIM], "poison")
    assert amounts(poison) == {EXCHANGE_A: 5, EXCHANGE_B: 5, ETH_EXCHANGE.lower(): 100}
    haircut = trace_operation(ctx, op, [VICTIM], "haircut")
    assert amounts(haircut) == {EXCHANGE_A: 2, EXCHANGE_B: 2, ETH_EXCHANGE.lower(): 100}
    fifo = trace_operation(ctx, op, [VICTIM], "FIFO")
    assert amounts(fifo) == {EXCHANGE_B: 4, ETH_EXCHANGE.lower(): 100}
    crossing = next(e for e in fifo.result.endpoints if e.chain == "ethereum")
    assert [s.chain for s in crossing.path] == ["tron", "ethereum", "ethereum"]
    assert crossing.label == "Exchange E" and crossing.reason == "service"
    assert fifo.trace_id is None  # not saved unless asked


def test_backward_from_an_exchange(ctx: AppContext, op: str) -> None:
    run = trace_operation(ctx, op, [EXCHANGE_B], "haircut", "backward")
    # Exchange B's 5: half of each of the mule's remaining inflows: 3 from OTHER, 2 from
    # the victim (see the core test). Exchange B is the seed, so its history is read.
    assert amounts(run) == {OTHER: 3, VICTIM: 2}


def test_seeds_by_chain_and_address_and_bad_seeds(ctx: AppContext, op: str) -> None:
    run = trace_operation(ctx, op, [f"ethereum:{ETH_MULE}"], "fifo", hops=1)
    assert amounts(run) == {ETH_EXCHANGE.lower(): 100}
    assert run.result.seeds == (("ethereum", ETH_MULE.lower()),)
    with pytest.raises(ValidationError, match="is not a valid wallet address"):
        trace_operation(ctx, op, ["not-an-address"], "fifo")
    with pytest.raises(NotFoundError, match="No transfer of this operation"):
        trace_operation(ctx, op, [tron_address("stranger")], "fifo")
    with pytest.raises(ValidationError, match="Unknown tracing method 'lifo'"):
        trace_operation(ctx, op, [VICTIM], "lifo")
    with pytest.raises(ValidationError, match="Hops must be 1 to 50"):
        trace_operation(ctx, op, [VICTIM], "fifo", hops=0)
    with pytest.raises(ValidationError, match="Unknown chain 'doge'"):
        trace_operation(ctx, op, [f"doge:{VICTIM}"], "fifo")


def test_a_saved_trace_and_its_csv(ctx: AppContext, op: str, tmp_path: Path) -> None:
    run = trace_operation(ctx, op, [VICTIM], "haircut", save=True)
    assert run.trace_id is not None and run.change.count("created", "trace_record") == 1
    saved = saved_trace(ctx, run.trace_id)
    assert saved.method == "haircut" and saved.statement == run.result.statement
    assert {e["address"]: e["amount"] for e in saved.endpoints}[EXCHANGE_A] == "2"
    assert [t.id for t in list_traces(ctx, op)] == [run.trace_id]
    out = tmp_path / "trace.csv"
    assert export_trace_csv(run.result, out) == 3
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["method"] for r in rows} == {"haircut"}
    assert all("haircut" in r["statement"] for r in rows)
    row_a = next(r for r in rows if r["address"] == EXCHANGE_A)
    assert (row_a["amount"], row_a["reason"], row_a["path"]) == ("2", "service", "t2 > t3")


def test_summary_takes_the_latest_saved_forward_trace(ctx: AppContext, op: str) -> None:
    empty = money_summary(ctx, op)
    assert empty.trace_method is None and empty.assets == [] and empty.transfers == 7
    trace_operation(ctx, op, [VICTIM], "poison", save=True)
    trace_operation(ctx, op, [VICTIM], "fifo", save=True)
    summary = money_summary(ctx, op)
    assert summary.trace_method == "fifo"
    usdt = summary.assets[0]
    assert (usdt.asset, usdt.traced, usdt.traced_to_services) == ("USDT", 104, 104)


def test_percentile_is_a_time_really_seen() -> None:
    from datetime import timedelta

    hours = [timedelta(hours=h) for h in (5, 1, 3, 2, 4, 10, 6, 7, 8, 9)]
    assert percentile(hours, 0.9) == timedelta(hours=9)  # rank ceil(0.9 * 10) = 9
    assert percentile(hours[:3], 0.9) == timedelta(hours=5)
    assert percentile([], 0.9) is None
