"""Following the money of an operation: tracing from chosen wallets over its transfers and
labels, keeping a trace as the basis of freeze requests, exporting it, and the money
figures of the operation (traced, requested, frozen, time from request to freeze).

The Money view calls: ``resolve_seeds`` and ``trace_operation`` (with ``save=True`` to
keep it), ``trace_rows`` / ``result.flows`` and ``result.nodes`` for its table and graph,
``export_trace_csv``, ``list_traces`` / ``saved_trace``, and ``money_summary``.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.addresses import CHAINS, check_address, normalise_chain
from app.core.errors import KnownError, NotFoundError, ValidationError
from app.core.tracing import (
    DEFAULT_HOPS,
    DIRECTIONS,
    METHODS,
    AssetTotal,
    Edge,
    Endpoint,
    Flow,
    Limits,
    Loader,
    Node,
    PathStep,
    TraceResult,
    bridge_key,
    node_key,
    plain,
    trace,
)
from app.models.money_records import FreezeEvent, TraceRecord
from app.models.records import FreezeRequest, Transfer, Wallet
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.labels import trace_labels
from app.services.operations import find_operation

ADDRESSES_PER_QUERY = 400  # well under SQLite's limit of bound parameters


@dataclass(frozen=True)
class TraceRun:
    codename: str
    operation_id: str
    result: TraceResult
    trace_id: str | None  # set when the trace was saved
    change: Change


# ---- seeds ----------------------------------------------------------------------------


def _candidates(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(chain, canonical address) for every chain that accepts ``text`` ("CHAIN:ADDRESS"
    names one chain), and the reasons of the chains that refuse it."""
    chain_part, sep, rest = text.partition(":")
    chains: tuple[str, ...]
    if sep and not chain_part.lower().startswith("0x"):
        try:
            chains = (normalise_chain(chain_part),)
            text = rest
        except ValueError as error:
            raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    else:
        chains = CHAINS
    found, reasons = [], []
    for chain in chains:
        checked = check_address(chain, text)
        if checked.valid and checked.canonical:
            found.append((chain, checked.canonical))
        elif checked.reason:
            reasons.append(f"{chain}: {checked.reason}")
    return found, reasons


def resolve_seeds(session: Session, op_id: str, texts: Sequence[str]) -> list[tuple[str, str]]:
    """The (chain, canonical address) pairs the given addresses name in the operation's
    transfers. An EVM address seen on several EVM chains is a seed on each. Refuses an
    address that is valid nowhere, or that no transfer of the operation touches."""
    seeds: list[tuple[str, str]] = []
    for text in texts:
        value = text.strip()
        if not value:
            raise ValidationError("A wallet to trace from is empty.")
        found, reasons = _candidates(value)
        if not found:
            shown = "; ".join(reasons[:4])
            raise ValidationError(f"{value} is not a valid wallet address ({shown}).")
        present = [pair for pair in found if _has_transfers(session, op_id, *pair)]
        if not present:
            raise NotFoundError(f"No transfer of this operation is from or to {value}; "
                                "import its transfers first.")
        seeds.extend(p for p in present if p not in seeds)
    return seeds


def _has_transfers(session: Session, op_id: str, chain: str, address: str) -> bool:
    for column in (Transfer.from_address, Transfer.to_address):
        query = select(Transfer.operation_id, Transfer.deleted).where(
            column == address, Transfer.chain == chain)
        if any(op == op_id and not deleted for op, deleted in session.execute(query)):
            return True
    return False


# ---- the loader -----------------------------------------------------------------------


class TransferLoader:
    """Reads, for the tracer, every transfer of one operation from or to given wallets,
    a few hundred wallets per query."""

    def __init__(self, session: Session, op_id: str) -> None:
        self.session = session
        self.op_id = op_id
        self.read = 0

    def __call__(self, pairs: Collection[tuple[str, str]]) -> Iterable[Edge]:
        wanted = set(pairs)
        addresses = sorted({address for _chain, address in wanted})
        seen: set[str] = set()
        # One side at a time, and the operation tested here rather than in SQL: then the
        # only index a query can use is the one on the address, one lookup per wallet.
        # (Given the operation too, SQLite may prefer its index and read every transfer
        # of the operation: 32 s instead of 0.24 s for 100 seeds on 50,000 transfers.)
        queries = [select(Transfer.id, Transfer.tx_hash, Transfer.chain, Transfer.from_address,
                          Transfer.to_address, Transfer.asset, Transfer.amount, Transfer.time,
                          Transfer.operation_id, Transfer.deleted).where(column.in_(chunk))
                   for start in range(0, len(addresses), ADDRESSES_PER_QUERY)
                   for chunk in [addresses[start:start + ADDRESSES_PER_QUERY]]
                   for column in (Transfer.from_address, Transfer.to_address)]
        for query in queries:
            for (tid, tx, chain, source, dest, asset, amount, moment, op_id,
                 deleted) in self.session.execute(query):
                if (op_id != self.op_id or deleted or tid in seen
                        or ((chain, source) not in wanted and (chain, dest) not in wanted)):
                    continue
                seen.add(tid)
                self.read += 1
                yield Edge(tid, tx, chain, source, dest, asset, Decimal(amount), moment)


class TraceCancelledError(KnownError):
    """The person cancelled a trace while it ran; nothing was saved."""


class WatchedLoader:
    """A loader that reports each hop it is asked for and stops the trace on cancel: the
    tracer asks once for the seeds, then once per hop."""

    def __init__(self, load: Loader, hops: int, progress: Callable[[int, int], None] | None,
                 cancel: Callable[[], bool] | None) -> None:
        self.load = load
        self.hops = hops
        self.progress = progress
        self.cancel = cancel
        self.calls = 0

    def __call__(self, pairs: Collection[tuple[str, str]]) -> Iterable[Edge]:
        if self.cancel is not None and self.cancel():
            raise TraceCancelledError("The trace was cancelled; nothing was saved.")
        if self.progress is not None:
            self.progress(min(self.calls, self.hops), self.hops)
        self.calls += 1
        return self.load(pairs)


# ---- tracing ----------------------------------------------------------------------------


def check_method(method: str, direction: str = "forward") -> tuple[str, str]:
    name = method.strip().lower()
    if name not in METHODS:
        raise ValidationError(f"Unknown tracing method {method!r}; use poison, haircut or "
                              "fifo.")
    way = direction.strip().lower()
    if way not in DIRECTIONS:
        raise ValidationError(f"Unknown direction {direction!r}; use forward or backward.")
    return name, way


def trace_operation(ctx: AppContext, codename: str, seeds: Sequence[str], method: str,
                    direction: str = "forward", *, hops: int = DEFAULT_HOPS,
                    min_amount: Decimal | str = "0", start: datetime | None = None,
                    end: datetime | None = None, save: bool = False,
                    tlp: str = "AMBER", progress: Callable[[int, int], None] | None = None,
                    cancel: Callable[[], bool] | None = None) -> TraceRun:
    """Trace from ``seeds`` (addresses, or CHAIN:ADDRESS) over the operation's transfers,
    stopping at its labelled services and crossing its labelled bridge pairs.

    With ``save`` the trace is kept (a shared record) and can be the basis of freeze
    requests. Bad arguments raise ValidationError; an address without transfers in the
    operation, NotFoundError. ``progress(hop, hops)`` before each hop is read;
    ``cancel()`` asked then too, and when it says so TraceCancelledError is raised."""
    method, direction = check_method(method, direction)
    try:
        minimum = Decimal(str(min_amount).strip() or "0")
        if not minimum.is_finite():
            raise ValueError
    except (ArithmeticError, ValueError):
        raise ValidationError(f"The minimum amount {min_amount!r} is not a number.") from None
    limits = Limits(hops, minimum, start, end)
    try:
        limits.check()
    except ValueError as error:
        raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    with ctx.session() as session:
        op = find_operation(session, codename)
        pairs = resolve_seeds(session, op.id, seeds)
        labels = trace_labels(session, op.id)
        load: Loader = TransferLoader(session, op.id)
        if progress is not None or cancel is not None:
            load = WatchedLoader(load, limits.hops, progress, cancel)
        result = trace(pairs, method, direction, labels, load, limits)
        codename, op_id = op.codename, op.id
    trace_id: str | None = None
    change = Change()
    if save:
        trace_id, change = save_trace(ctx, op_id, result, tlp)
    return TraceRun(codename, op_id, result, trace_id, change)


def endpoint_document(endpoint: Endpoint) -> dict[str, Any]:
    return {"chain": endpoint.chain, "address": endpoint.address, "node": endpoint.node,
            "asset": endpoint.asset, "amount": plain(endpoint.amount),
            "reason": endpoint.reason, "category": endpoint.category, "label": endpoint.label,
            "hops": endpoint.hops,
            "path": [{"tx_hash": s.tx_hash, "chain": s.chain, "from": s.from_address,
                      "to": s.to_address, "asset": s.asset, "amount": plain(s.amount),
                      "traced": plain(s.traced), "time": _utc(s.time)} for s in endpoint.path]}


def totals_document(result: TraceResult) -> list[dict[str, str]]:
    return [{"asset": t.asset, "seeded": plain(t.seeded), "to_endpoints": plain(t.to_endpoints),
             "to_services": plain(t.to_services), "returned": plain(t.returned),
             "below_minimum": plain(t.below_minimum)} for t in result.totals]


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace(
        "+00:00", "Z")


def save_trace(ctx: AppContext, op_id: str, result: TraceResult,
               tlp: str = "AMBER") -> tuple[str, Change]:
    with ctx.session() as session:
        record = TraceRecord(owner_agency_id=ctx.agency_id, operation_id=op_id)
        stamp_write(record, {
            "direction": result.direction, "method": result.method,
            "seeds": [list(s) for s in result.seeds], "hops": result.limits.hops,
            "min_amount": plain(result.limits.min_amount),
            "window_start": result.limits.start, "window_end": result.limits.end,
            "statement": result.statement, "totals": totals_document(result),
            "endpoints": [endpoint_document(e) for e in result.endpoints],
            "made_at": datetime.now(UTC), "tlp": tlp}, ctx.clock)
        session.add(record)
        session.flush()
        change = Change()
        change.add("created", "trace_record", record.id)
        ctx.audit(session, "trace saved", method=result.method, direction=result.direction,
                  endpoints=len(result.endpoints))
        return record.id, change


@dataclass(frozen=True)
class SavedTrace:
    id: str
    operation_id: str
    direction: str
    method: str
    seeds: list[tuple[str, str]]
    hops: int
    statement: str
    totals: list[dict[str, str]]
    endpoints: list[dict[str, Any]]
    made_at: datetime


def _saved(record: TraceRecord) -> SavedTrace:
    return SavedTrace(record.id, record.operation_id or "", record.direction, record.method,
                      [(c, a) for c, a in record.seeds], record.hops, record.statement,
                      list(record.totals), list(record.endpoints), record.made_at)


def list_traces(ctx: AppContext, codename: str) -> list[SavedTrace]:
    with ctx.session() as session:
        op = find_operation(session, codename)
        records = session.scalars(select(TraceRecord).where(
            TraceRecord.operation_id == op.id, TraceRecord.deleted.is_(False))
            .order_by(TraceRecord.made_at.desc()))
        return [_saved(r) for r in records]


def saved_trace(ctx: AppContext, trace_id: str) -> SavedTrace:
    with ctx.session() as session:
        record = session.get(TraceRecord, trace_id.strip())
        if record is None or record.deleted:
            raise NotFoundError(f"There is no saved trace {trace_id.strip()!r}.")
        return _saved(record)


def reopen_trace(ctx: AppContext, trace_id: str) -> TraceRun:
    """A saved trace as a result to show again: its method, limits, endpoints and totals
    as they were saved. Its flows are those along each endpoint's path (the route that
    carried the largest share to it): the main routes, not every flow of the trace."""
    with ctx.session() as session:
        record = session.get(TraceRecord, trace_id.strip())
        if record is None or record.deleted:
            raise NotFoundError(f"There is no saved trace {trace_id.strip()!r}.")
        op = find_operation(session, record.operation_id or "")
        labels = trace_labels(session, op.id)
        codename, op_id = op.codename, op.id
        limits = Limits(record.hops, Decimal(record.min_amount or "0"), record.window_start,
                        record.window_end)
        seeds = tuple((c, a) for c, a in record.seeds)
        endpoints = tuple(_endpoint(e) for e in record.endpoints)
        totals = tuple(AssetTotal(t["asset"], Decimal(t["seeded"]), Decimal(t["to_endpoints"]),
                                  Decimal(t["to_services"]), Decimal(t["returned"]),
                                  Decimal(t["below_minimum"])) for t in record.totals)
        method, direction = record.method, record.direction
    bridges = {pair: bridge_key(label.name) for pair, label in labels.items()
               if label.category == "bridge" and label.name.strip()}

    def key(chain: str, address: str) -> str:
        return bridges.get((chain, address)) or node_key(chain, address)

    seed_nodes = {key(c, a) for c, a in seeds}
    nodes: dict[str, Node] = {}
    for chain, address in {(s.chain, a) for e in endpoints for s in e.path
                           for a in (s.from_address, s.to_address)} | set(seeds):
        node = key(chain, address)
        label = labels.get((chain, address))
        if node.startswith("bridge:") and label is not None:
            nodes[node] = Node(node, "", label.name, "bridge", label.name, node in seed_nodes)
        else:
            nodes[node] = Node(node, chain, address, label.category if label else "",
                               label.name if label else "", node in seed_nodes)
    result = TraceResult(method, direction, seeds, limits, endpoints, totals,
                         path_flows(endpoints, key), tuple(nodes[k] for k in sorted(nodes)), 0)
    return TraceRun(codename, op_id, result, record.id, Change())


def path_flows(endpoints: Iterable[Endpoint], key: Callable[[str, str], str]
               ) -> tuple[Flow, ...]:
    """The flows along the endpoints' paths (each the route that carried the largest share
    to its endpoint), between the nodes ``key(chain, address)`` names; a transfer on two
    paths counts once."""
    flows: dict[tuple[str, str, str], tuple[Decimal, set[str]]] = {}
    for endpoint in endpoints:
        for step in endpoint.path:
            ends = (key(step.chain, step.from_address), key(step.chain, step.to_address),
                    step.asset)
            traced, seen = flows.get(ends, (Decimal(0), set()))
            if step.tx_hash not in seen:
                flows[ends] = (traced + step.traced, seen | {step.tx_hash})
    return tuple(Flow(a, b, asset, traced, len(txs))
                 for (a, b, asset), (traced, txs) in sorted(flows.items()))


def _endpoint(document: dict[str, Any]) -> Endpoint:
    path = tuple(PathStep(s["tx_hash"], s["chain"], s["from"], s["to"], s["asset"],
                          Decimal(s["amount"]), Decimal(s["traced"]),
                          datetime.fromisoformat(s["time"].replace("Z", "+00:00")))
                 for s in document.get("path", []))
    return Endpoint(document["node"], document["chain"], document["address"],
                    document["asset"], Decimal(document["amount"]), document["reason"],
                    document["category"], document["label"], int(document["hops"]), path)


@dataclass(frozen=True)
class WalletInfo:
    chain: str
    address: str
    label: str
    category: str


def list_wallets(ctx: AppContext, codename: str) -> list[WalletInfo]:
    """The operation's wallets (a target's, a victim's deposit address...), to trace from."""
    with ctx.session() as session:
        op = find_operation(session, codename)
        rows = session.execute(select(Wallet.chain, Wallet.address, Wallet.label,
                                      Wallet.category)
                               .where(Wallet.operation_id == op.id, Wallet.deleted.is_(False))
                               .order_by(Wallet.category, Wallet.label, Wallet.address))
        return [WalletInfo(*row) for row in rows]


# ---- export ---------------------------------------------------------------------------

CSV_COLUMNS = ("method", "direction", "chain", "address", "asset", "amount", "reason",
               "category", "label", "hops", "path", "statement")


def trace_rows(result: TraceResult) -> list[dict[str, str]]:
    """One row per endpoint, the method on every row; the path as transaction hashes in
    the order money moved."""
    return [{"method": result.method, "direction": result.direction, "chain": e.chain,
             "address": e.address, "asset": e.asset, "amount": plain(e.amount),
             "reason": e.reason, "category": e.category, "label": e.label,
             "hops": str(e.hops), "path": " > ".join(s.tx_hash for s in e.path),
             "statement": result.statement} for e in result.endpoints]


def export_trace_csv(result: TraceResult, path: Path | str) -> int:
    """Write the endpoints to a CSV file; returns the number of rows."""
    rows = trace_rows(result)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# ---- the operation's figures ----------------------------------------------------------


@dataclass(frozen=True)
class AssetFigures:
    asset: str
    traced: Decimal  # to endpoints, by the latest saved forward trace
    traced_to_services: Decimal
    requested: Decimal  # in requests that were sent
    frozen: Decimal  # frozen now (frozen or partly frozen)
    released: Decimal


@dataclass(frozen=True)
class MoneySummary:
    codename: str
    trace_method: str | None  # of the trace the traced figures come from
    trace_id: str | None
    assets: list[AssetFigures]
    requests: int
    answered: int  # frozen, partly frozen or rejected
    time_to_freeze_median: timedelta | None
    time_to_freeze_p90: timedelta | None
    transfers: int


def percentile(values: Sequence[timedelta], share: float) -> timedelta | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or
    below it (a time that was really seen, not an interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    seconds = statistics.median(v.total_seconds() for v in values)
    return timedelta(seconds=seconds)


def money_summary(ctx: AppContext, codename: str) -> MoneySummary:
    with ctx.session() as session:
        op = find_operation(session, codename)
        latest = session.scalars(select(TraceRecord).where(
            TraceRecord.operation_id == op.id, TraceRecord.deleted.is_(False),
            TraceRecord.direction == "forward").order_by(TraceRecord.made_at.desc())).first()
        traced: dict[str, tuple[Decimal, Decimal]] = {}
        if latest is not None:
            for t in latest.totals:
                traced[t["asset"]] = (Decimal(t["to_endpoints"]), Decimal(t["to_services"]))
        requests = list(session.scalars(select(FreezeRequest).where(
            FreezeRequest.operation_id == op.id, FreezeRequest.deleted.is_(False))))
        rejected = set(session.scalars(select(FreezeEvent.freeze_request_id).where(
            FreezeEvent.operation_id == op.id, FreezeEvent.deleted.is_(False),
            FreezeEvent.status == "rejected")))
        transfers = int(session.scalar(select(func.count()).select_from(Transfer).where(
            Transfer.operation_id == op.id, Transfer.deleted.is_(False))) or 0)
        requested: dict[str, Decimal] = {}
        frozen: dict[str, Decimal] = {}
        released: dict[str, Decimal] = {}
        times: list[timedelta] = []
        answered = 0
        for r in requests:
            if r.sent_at is not None:
                requested[r.asset] = requested.get(r.asset, Decimal(0)) + Decimal(r.amount)
            if r.status in ("frozen", "partly frozen"):
                frozen[r.asset] = frozen.get(r.asset, Decimal(0)) + Decimal(r.frozen_amount)
            if r.status == "released":
                released[r.asset] = released.get(r.asset, Decimal(0)) + Decimal(r.frozen_amount)
            if r.frozen_at is not None or r.id in rejected:
                answered += 1
            if r.frozen_at is not None and r.sent_at is not None:
                times.append(r.frozen_at - r.sent_at)
        assets = sorted(set(traced) | set(requested) | set(frozen) | set(released))
        zero = Decimal(0)
        figures = [AssetFigures(a, traced.get(a, (zero, zero))[0], traced.get(a, (zero, zero))[1],
                                requested.get(a, zero), frozen.get(a, zero),
                                released.get(a, zero)) for a in assets]
        return MoneySummary(op.codename, latest.method if latest else None,
                            latest.id if latest else None, figures, len(requests), answered,
                            median(times), percentile(times, 0.9), transfers)
