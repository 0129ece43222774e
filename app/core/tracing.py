"""Following money through transfers, forward (where did it go) and backward (where did it
come from), by one of three methods that every result states:

- poison: once tainted funds reach a wallet, everything it sends afterwards counts in
  full. An upper bound: the amounts can exceed what left the seeds.
- haircut: every transfer out of a wallet carries the tainted share of the wallet's
  balance at that moment (tainted balance / balance).
- FIFO: funds leave a wallet in the order they arrived.

Pure: transfers come from a loader the caller gives (``Loader``), asked hop by hop for the
wallets the trace reaches, so a wallet the trace never touches is never read, and a
labelled service (an exchange, a mixer, a DEX) is a stop whose history is never needed.

How the three methods are computed. Each wallet's history (for one asset) is put in one
order: by time, then transaction hash, then record id, so that two traces of the same
data agree and money never arrives after it left. Taint is carried hop level by hop
level; a wallet's tainted inflows of one level give the tainted outflows of the next:

- haircut is linear, so the taint an outflow ``o`` carries is
  ``a_o / D_o * G_o * sum(x_i / G_i)`` over earlier tainted inflows ``i`` since the wallet
  was last emptied, where ``G`` is the running product of ``(B - a) / B`` over outflows
  (what each outflow leaves of the balance ``B``) and ``D_o = max(B_o, a_o)``: money sent
  beyond the known balance came from outside the data and is untainted. One pass per
  wallet and level; backward is the same sum read the other way.
- FIFO puts a wallet's inflows end to end on one axis and its outflows on another; money
  at position x of the first leaves at position x of the second. Taint is a set of
  intervals of a transfer's amount, so a partly tainted transfer keeps which part is
  tainted. Where an outflow exceeds the known balance, an "unknown" inflow of the
  difference is put on the first axis (backward, that part's origin is unknown).
- poison marks every outflow after the first tainted inflow, once.

Amounts are ``Decimal``: poison and FIFO only add, subtract and compare amounts, so their
results are exact; haircut divides, in a 60-digit context, and its results are rounded
down to 18 decimal places (the wei, the smallest unit of any chain here), so a trace
never claims more than was there.

Cycles need no special care: money moves forward in the one order, so every path is
finite, and each level is bounded by ``hops``. A transfer back into a seed wallet is
counted as returned (the seed's own outflows already count in full).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Context, Decimal, localcontext

METHODS = ("poison", "haircut", "fifo")
DIRECTIONS = ("forward", "backward")
LABEL_CATEGORIES = ("exchange", "mixer", "bridge", "dex", "victim", "suspect")
# Where a trace stops: funds at an exchange can be frozen; past a mixer or a DEX swap the
# transfers no longer tell which coins are which.
SERVICE_CATEGORIES = ("exchange", "mixer", "dex")
DEFAULT_HOPS = 5
MAX_HOPS = 50
PLACES = 18
QUANTUM = Decimal(1).scaleb(-PLACES)
WORK = Context(prec=60)
ZERO = Decimal(0)

# Why an endpoint ends the trace.
SERVICE = "service"
HOP_LIMIT = "hop limit"
HELD = "held"  # forward: still in the wallet at the end of the data
ORIGIN = "origin"  # backward: no earlier inflow in the data explains it

METHOD_TEXT = {
    "poison": "poison: every transfer out of a wallet after tainted funds reached it counts "
              "in full (an upper bound; totals can exceed what left the seeds)",
    "haircut": "haircut: each transfer out of a wallet carries the tainted share of the "
               "wallet's balance at that moment",
    "fifo": "FIFO: funds leave a wallet in the order they arrived (first in, first out)",
}


@dataclass(frozen=True, slots=True)
class Edge:
    """One transfer, as the tracer reads it. ``amount`` in whole units of ``asset``."""

    id: str
    tx_hash: str
    chain: str
    from_address: str
    to_address: str
    asset: str
    amount: Decimal
    time: datetime


@dataclass(frozen=True)
class Label:
    """What is known of an address: a service, a bridge, a victim or a suspect."""

    chain: str
    address: str
    category: str
    name: str = ""
    source: str = ""
    country: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Limits:
    hops: int = DEFAULT_HOPS
    min_amount: Decimal = ZERO
    start: datetime | None = None
    end: datetime | None = None

    def check(self) -> None:
        if not 1 <= self.hops <= MAX_HOPS:
            raise ValueError(f"hops must be 1 to {MAX_HOPS}, not {self.hops}")
        if self.min_amount < 0:
            raise ValueError("the minimum amount cannot be negative")
        for name, moment in (("start", self.start), ("end", self.end)):
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"the window's {name} needs a time zone")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("the window ends before it starts")


Loader = Callable[[Collection[tuple[str, str]]], Iterable[Edge]]
"""Given (chain, address) pairs, every transfer from or to any of them (each once)."""


@dataclass(frozen=True)
class PathStep:
    tx_hash: str
    chain: str
    from_address: str
    to_address: str
    asset: str
    amount: Decimal  # the transfer's whole amount
    traced: Decimal  # the part of it this trace follows
    time: datetime


@dataclass(frozen=True)
class Endpoint:
    """Where traced money stops, and how much of it: at a service, at the hop limit,
    still held (forward), or at its origin in the data (backward).

    ``path`` is the route that carried the largest share, in the order money moved."""

    node: str
    chain: str
    address: str
    asset: str
    amount: Decimal
    reason: str
    category: str
    label: str
    hops: int
    path: tuple[PathStep, ...]


@dataclass(frozen=True)
class Flow:
    """Traced money along one pair of wallets (for the graph): summed over transfers."""

    from_node: str
    to_node: str
    asset: str
    traced: Decimal
    transfers: int


@dataclass(frozen=True)
class Node:
    key: str
    chain: str
    address: str
    category: str
    label: str
    seed: bool


@dataclass
class AssetTotal:
    """Per asset: what left the seeds (forward; reached them, backward), what reached
    endpoints, what came back to a seed, and what was dropped under the minimum."""

    asset: str
    seeded: Decimal = ZERO
    to_endpoints: Decimal = ZERO
    to_services: Decimal = ZERO
    returned: Decimal = ZERO
    below_minimum: Decimal = ZERO


@dataclass(frozen=True)
class TraceResult:
    method: str
    direction: str
    seeds: tuple[tuple[str, str], ...]
    limits: Limits
    endpoints: tuple[Endpoint, ...]
    totals: tuple[AssetTotal, ...]
    flows: tuple[Flow, ...]
    nodes: tuple[Node, ...]
    transfers_read: int

    @property
    def statement(self) -> str:
        """The method and limits in one sentence, for every place a result is shown."""
        limits = self.limits
        parts = [f"at most {limits.hops} hop{'s' if limits.hops != 1 else ''}"]
        if limits.min_amount:
            parts.append(f"transfers under {plain(limits.min_amount)} not followed")
        if limits.start is not None or limits.end is not None:
            start = limits.start.isoformat() if limits.start else "the first transfer"
            end = limits.end.isoformat() if limits.end else "the last"
            parts.append(f"transfers from {start} to {end}")
        return (f"Traced {self.direction} from {len(self.seeds)} wallet"
                f"{'s' if len(self.seeds) != 1 else ''} by {METHOD_TEXT[self.method]}; "
                f"{'; '.join(parts)}.")


def plain(amount: Decimal) -> str:
    """An amount as plain decimal text, without exponent or trailing zeros ("12.5")."""
    if amount == 0:
        return "0"
    text = format(amount.normalize(), "f")
    return text


def round_down(amount: Decimal) -> Decimal:
    return amount.quantize(QUANTUM, rounding=ROUND_DOWN).normalize() if amount else ZERO


# ---------------------------------------------------------------------------------------
# One wallet's history in one asset


Intervals = list[tuple[Decimal, Decimal]]
Taint = Decimal | Intervals


def _length(intervals: Intervals) -> Decimal:
    return sum((hi - lo for lo, hi in intervals), ZERO)


@dataclass
class _Haircut:
    """Per position of a ledger: G (the product of what earlier outflows left of the
    balance, since the wallet was last emptied), the epoch (how often it was emptied
    before), the balance known from the data, and for outflows D = max(balance, amount);
    then G and the epoch at the end."""

    g: list[Decimal] = field(default_factory=list)
    epoch: list[int] = field(default_factory=list)
    known: list[Decimal] = field(default_factory=list)
    denom: list[Decimal] = field(default_factory=list)
    g_end: Decimal = Decimal(1)
    epoch_end: int = 0


class Ledger:
    """The transfers in and out of one node (a wallet, or the wallets of a bridge) in
    one asset, in the one order, with what each method needs computed on first use."""

    def __init__(self, edges: Sequence[Edge], entries: list[int], inflow: list[bool]) -> None:
        self.edges = edges
        self.entries = entries  # edge indexes, in order
        self.inflow = inflow
        self.position = {e: p for p, e in enumerate(entries)}
        self._haircut: _Haircut | None = None
        self._fifo: tuple[list[Decimal], list[tuple[Decimal, Decimal, int]], Decimal,
                          Decimal] | None = None
        # poison: the earliest position already poisoned (forward) or already sourced
        # (backward), so each transfer is counted at its fewest hops, once.
        self.poisoned_from = len(entries)
        self.sourced_to = 0

    def amount(self, position: int) -> Decimal:
        return self.edges[self.entries[position]].amount

    def final_balance(self) -> Decimal:
        balance = ZERO
        for p, is_in in enumerate(self.inflow):
            balance = balance + self.amount(p) if is_in else max(balance - self.amount(p), ZERO)
        return balance

    # ---- haircut: G and epochs --------------------------------------------------------

    def haircut(self) -> _Haircut:
        if self._haircut is None:
            h = _Haircut()
            balance, g, epoch = ZERO, Decimal(1), 0
            for p, is_in in enumerate(self.inflow):
                amount = self.amount(p)
                h.g.append(g)
                h.epoch.append(epoch)
                h.known.append(balance)
                if is_in:
                    h.denom.append(ZERO)
                    balance += amount
                    continue
                h.denom.append(max(balance, amount))
                if amount >= balance:
                    balance, g, epoch = ZERO, Decimal(1), epoch + 1
                else:
                    g = g * (balance - amount) / balance
                    balance -= amount
            h.g_end, h.epoch_end = g, epoch
            self._haircut = h
        return self._haircut

    # ---- FIFO: the two axes ------------------------------------------------------------

    def fifo(self) -> tuple[list[Decimal], list[tuple[Decimal, Decimal, int]], Decimal,
                            Decimal]:
        """Start of each position on its axis (inflows on the in-axis, outflows on the
        out-axis); the in-axis as segments (start, length, position or -1 for money from
        outside the data); the totals of the in- and out-axis."""
        if self._fifo is None:
            starts: list[Decimal] = []
            segments: list[tuple[Decimal, Decimal, int]] = []
            total_in = total_out = ZERO
            for p, is_in in enumerate(self.inflow):
                amount = self.amount(p)
                if is_in:
                    starts.append(total_in)
                    segments.append((total_in, amount, p))
                    total_in += amount
                else:
                    short = amount - (total_in - total_out)
                    if short > 0:
                        segments.append((total_in, short, -1))
                        total_in += short
                    starts.append(total_out)
                    total_out += amount
            self._fifo = (starts, segments, total_in, total_out)
        return self._fifo


# ---------------------------------------------------------------------------------------
# Propagation through one ledger (one level)


@dataclass
class _Out:
    """What one ledger gives on: taint per edge (with the edge it came from) and what
    stays (forward: held; backward: of unknown origin), with its best contributor."""

    taint: dict[int, tuple[Taint, int]] = field(default_factory=dict)
    stays: Decimal = ZERO
    stays_from: int = -1


def _forward_poison(ledger: Ledger, given: dict[int, Taint]) -> _Out:
    out = _Out()
    positions = sorted(ledger.position[e] for e in given)
    first = positions[0]
    parent = ledger.entries[first]
    if ledger.poisoned_from == len(ledger.entries):  # first poisoning: its balance
        out.stays, out.stays_from = ledger.final_balance(), parent
    for p in range(first + 1, ledger.poisoned_from):
        if not ledger.inflow[p]:
            edge = ledger.entries[p]
            out.taint[edge] = (ledger.amount(p), parent)
    ledger.poisoned_from = min(ledger.poisoned_from, first)
    return out


def _backward_poison(ledger: Ledger, given: dict[int, Taint]) -> _Out:
    out = _Out()
    last = max(ledger.position[e] for e in given)
    parent = ledger.entries[last]
    if not any(ledger.inflow[:last]):
        out.stays = sum((ledger.amount(ledger.position[e]) for e in given), ZERO)
        out.stays_from = parent
    for p in range(ledger.sourced_to, last):
        if ledger.inflow[p]:
            out.taint[ledger.entries[p]] = (ledger.amount(p), parent)
    ledger.sourced_to = max(ledger.sourced_to, last)
    return out


def _forward_haircut(ledger: Ledger, given: dict[int, Taint]) -> _Out:
    h = ledger.haircut()
    out = _Out()
    first = min(ledger.position[e] for e in given)
    total, epoch = ZERO, h.epoch[first]
    best, best_edge = ZERO, -1
    for p in range(first, len(ledger.entries)):
        if h.epoch[p] != epoch:
            total, epoch, best, best_edge = ZERO, h.epoch[p], ZERO, -1
        edge = ledger.entries[p]
        if ledger.inflow[p]:
            x = given.get(edge)
            if x is not None:
                share = _amount(x) / h.g[p]
                total += share
                if share > best:
                    best, best_edge = share, edge
        elif total:
            out.taint[edge] = (total * ledger.amount(p) * h.g[p] / h.denom[p], best_edge)
    if epoch == h.epoch_end and total:
        out.stays, out.stays_from = total * h.g_end, best_edge
    return out


def _backward_haircut(ledger: Ledger, given: dict[int, Taint]) -> _Out:
    h = ledger.haircut()
    out = _Out()
    last = max(ledger.position[e] for e in given)
    total, epoch = ZERO, h.epoch[last]
    best, best_edge = ZERO, -1
    for p in range(last, -1, -1):
        if h.epoch[p] != epoch:
            total, epoch, best, best_edge = ZERO, h.epoch[p], ZERO, -1
        edge = ledger.entries[p]
        if not ledger.inflow[p]:
            d = given.get(edge)
            if d is not None:
                demand = _amount(d)
                share = demand * h.g[p] / h.denom[p]
                total += share
                if share > best:
                    best, best_edge = share, edge
                # Sent beyond the balance known from the data: from outside it.
                unknown = demand * (h.denom[p] - h.known[p]) / h.denom[p]
                if unknown > 0:
                    out.stays += unknown
                    if out.stays_from < 0:
                        out.stays_from = edge
        elif total:
            out.taint[edge] = (total * ledger.amount(p) / h.g[p], best_edge)
    return out


def _amount(taint: Taint) -> Decimal:
    return taint if isinstance(taint, Decimal) else _length(taint)


def _forward_fifo(ledger: Ledger, given: dict[int, Taint]) -> _Out:
    starts, _segments, _total_in, total_out = ledger.fifo()
    out = _Out()
    out_positions = [p for p, is_in in enumerate(ledger.inflow) if not is_in]
    out_starts = [starts[p] for p in out_positions]
    gathered: dict[int, Intervals] = defaultdict(list)
    weight: dict[int, dict[int, Decimal]] = defaultdict(dict)
    stays_best = ZERO
    for edge, taint in given.items():
        base = starts[ledger.position[edge]]
        assert isinstance(taint, list)
        for lo, hi in taint:
            a, b = base + lo, base + hi
            if b > total_out:
                held = b - max(a, total_out)
                out.stays += held
                if held > stays_best:
                    stays_best, out.stays_from = held, edge
            i = max(bisect.bisect_right(out_starts, a) - 1, 0)
            while i < len(out_positions) and out_starts[i] < b:
                p = out_positions[i]
                start, end = out_starts[i], out_starts[i] + ledger.amount(p)
                lo2, hi2 = max(a, start), min(b, end)
                if hi2 > lo2:
                    target = ledger.entries[p]
                    gathered[target].append((lo2 - start, hi2 - start))
                    weight[target][edge] = weight[target].get(edge, ZERO) + hi2 - lo2
                i += 1
    for target, intervals in gathered.items():
        parent = max(weight[target].items(), key=lambda kv: kv[1])[0]
        out.taint[target] = (_merged(intervals), parent)
    return out


def _backward_fifo(ledger: Ledger, given: dict[int, Taint]) -> _Out:
    starts, segments, _total_in, _total_out = ledger.fifo()
    out = _Out()
    seg_starts = [s for s, _length, _p in segments]
    gathered: dict[int, Intervals] = defaultdict(list)
    weight: dict[int, dict[int, Decimal]] = defaultdict(dict)
    stays_best = ZERO
    for edge, taint in given.items():
        base = starts[ledger.position[edge]]
        assert isinstance(taint, list)
        for lo, hi in taint:
            a, b = base + lo, base + hi
            i = max(bisect.bisect_right(seg_starts, a) - 1, 0)
            while i < len(segments) and seg_starts[i] < b:
                start, length, p = segments[i]
                lo2, hi2 = max(a, start), min(b, start + length)
                if hi2 > lo2:
                    if p < 0:
                        out.stays += hi2 - lo2
                        if hi2 - lo2 > stays_best:
                            stays_best, out.stays_from = hi2 - lo2, edge
                    else:
                        source = ledger.entries[p]
                        gathered[source].append((lo2 - start, hi2 - start))
                        weight[source][edge] = weight[source].get(edge, ZERO) + hi2 - lo2
                i += 1
    for source, intervals in gathered.items():
        parent = max(weight[source].items(), key=lambda kv: kv[1])[0]
        out.taint[source] = (_merged(intervals), parent)
    return out


def _merged(intervals: Intervals) -> Intervals:
    intervals.sort()
    merged: Intervals = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


_PROPAGATE: dict[tuple[str, str], Callable[[Ledger, dict[int, Taint]], _Out]] = {
    ("poison", "forward"): _forward_poison, ("poison", "backward"): _backward_poison,
    ("haircut", "forward"): _forward_haircut, ("haircut", "backward"): _backward_haircut,
    ("fifo", "forward"): _forward_fifo, ("fifo", "backward"): _backward_fifo,
}


# ---------------------------------------------------------------------------------------
# The trace


def node_key(chain: str, address: str) -> str:
    return f"{chain}:{address}"


def bridge_key(name: str) -> str:
    return f"bridge:{' '.join(name.split()).casefold()}"


class _Tracer:
    def __init__(self, method: str, direction: str, labels: Mapping[tuple[str, str], Label],
                 limits: Limits, load: Loader) -> None:
        self.method = method
        self.forward = direction == "forward"
        self.propagate = _PROPAGATE[(method, direction)]
        self.labels = labels
        self.limits = limits
        self.load = load
        self.edges: list[Edge] = []
        self.index: dict[str, int] = {}
        self.node_of_edge: list[tuple[str, str]] = []  # (from node, to node)
        self.adjacent: dict[str, list[int]] = {}
        self.ledgers: dict[tuple[str, str], Ledger] = {}
        # A bridge pair: the addresses labelled "bridge" with the same name, on any chain,
        # are one node, so that money going in on one chain comes out on the other.
        self.members: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.bridge_of: dict[tuple[str, str], str] = {}
        for (chain, address), label in labels.items():
            if label.category == "bridge" and label.name.strip():
                key = bridge_key(label.name)
                self.bridge_of[(chain, address)] = key
                self.members[key].add((chain, address))

    def node(self, chain: str, address: str) -> str:
        return self.bridge_of.get((chain, address)) or node_key(chain, address)

    def is_stop(self, chain: str, address: str) -> Label | None:
        label = self.labels.get((chain, address))
        return label if label is not None and label.category in SERVICE_CATEGORIES else None

    def in_window(self, edge: Edge) -> bool:
        start, end = self.limits.start, self.limits.end
        return (start is None or edge.time >= start) and (end is None or edge.time <= end)

    def ensure(self, nodes: Iterable[tuple[str, str, str]]) -> None:
        """Read the history of each (node, chain, address) not read yet, and build the
        ledgers of the nodes read."""
        wanted: dict[str, set[tuple[str, str]]] = {}
        for node, chain, address in nodes:
            if node in self.adjacent or node in wanted:
                continue
            wanted[node] = set(self.members.get(node) or {(chain, address)})
        if not wanted:
            return
        asked = {pair for pairs in wanted.values() for pair in pairs}
        for node in wanted:
            self.adjacent[node] = []
        for edge in self.load(asked):
            if not self.in_window(edge) or edge.amount <= 0:
                continue
            i = self.index.get(edge.id)
            if i is None:
                ends = (self.node(edge.chain, edge.from_address),
                        self.node(edge.chain, edge.to_address))
                if ends[0] == ends[1]:
                    continue  # money that stays in one wallet (or one bridge) moves nothing
                i = len(self.edges)
                self.edges.append(edge)
                self.index[edge.id] = i
                self.node_of_edge.append(ends)
            ends = self.node_of_edge[i]
            for end in set(ends):
                if end in wanted:
                    self.adjacent[end].append(i)
        order = self._order
        for node in wanted:
            by_asset: dict[str, list[int]] = defaultdict(list)
            for i in self.adjacent[node]:
                by_asset[self.edges[i].asset].append(i)
            for asset, entries in by_asset.items():
                entries.sort(key=order)
                inflow = [self.node_of_edge[i][1] == node for i in entries]
                self.ledgers[(node, asset)] = Ledger(self.edges, entries, inflow)

    def _order(self, i: int) -> tuple[datetime, str, str]:
        edge = self.edges[i]
        return edge.time, edge.tx_hash, edge.id


def trace(seeds: Collection[tuple[str, str]], method: str, direction: str,
          labels: Mapping[tuple[str, str], Label], load: Loader,
          limits: Limits | None = None) -> TraceResult:
    """Trace from the ``seeds`` (chain, canonical address) pairs.

    Forward, everything the seeds sent (within the window) is followed; backward,
    everything they received is explained. ``labels`` by (chain, canonical address).
    Raises ValueError for an unknown method or direction, or limits out of range."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (expected {', '.join(METHODS)})")
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r} (expected forward or backward)")
    limits = limits or Limits()
    limits.check()
    if not seeds:
        raise ValueError("no wallet to trace from")
    with localcontext(WORK):
        return _Run(_Tracer(method, direction, labels, limits, load), seeds).run()


@dataclass
class _EndpointSum:
    chain: str
    address: str
    amount: Decimal = ZERO
    hops: int = 0
    best: Decimal = ZERO
    best_level: int = 0
    best_edge: int = -1


class _Run:
    def __init__(self, tracer: _Tracer, seeds: Collection[tuple[str, str]]) -> None:
        self.t = tracer
        self.seeds = tuple(sorted(set(seeds)))
        self.seed_nodes = {tracer.node(c, a) for c, a in self.seeds}
        self.levels: list[dict[int, tuple[Taint, int]]] = []
        self.totals: dict[str, AssetTotal] = {}
        self.ends: dict[tuple[str, str, str], _EndpointSum] = {}
        self.flows: dict[tuple[str, str, str], tuple[list[Decimal], set[int]]] = {}

    def total(self, asset: str) -> AssetTotal:
        found = self.totals.get(asset)
        if found is None:
            found = self.totals[asset] = AssetTotal(asset)
        return found

    def far_end(self, i: int) -> tuple[str, str, str]:
        """The node money reaches along edge i (forward: its receiver; backward: its
        sender), with that end's chain and address."""
        edge = self.t.edges[i]
        if self.t.forward:
            return self.t.node_of_edge[i][1], edge.chain, edge.to_address
        return self.t.node_of_edge[i][0], edge.chain, edge.from_address

    def run(self) -> TraceResult:
        t = self.t
        t.ensure((t.node(c, a), c, a) for c, a in self.seeds)
        first: dict[int, tuple[Taint, int]] = {}
        for node in sorted(self.seed_nodes):
            for i in t.adjacent.get(node, []):
                from_node, to_node = t.node_of_edge[i]
                near, far = (from_node, to_node) if t.forward else (to_node, from_node)
                if near != node or far in self.seed_nodes:
                    continue
                amount = t.edges[i].amount
                totals = self.total(t.edges[i].asset)
                totals.seeded += amount
                if amount < t.limits.min_amount:
                    totals.below_minimum += amount
                    continue
                whole: Taint = amount if t.method != "fifo" else [(ZERO, amount)]
                first[i] = (whole, -1)
        level = first
        hop = 1
        while level:
            self.levels.append(level)
            level = self.step(level, hop)
            hop += 1
        return self.result()

    def step(self, level: dict[int, tuple[Taint, int]], hop: int) -> dict[int, tuple[Taint, int]]:
        t = self.t
        groups: dict[tuple[str, str], dict[int, Taint]] = defaultdict(dict)
        going_on: list[tuple[str, str, str]] = []
        for i, (taint, _parent) in level.items():
            edge = t.edges[i]
            amount = _amount(taint)
            node, chain, address = self.far_end(i)
            near = t.node_of_edge[i][0] if t.forward else t.node_of_edge[i][1]
            self.flow(near, node, edge.asset, amount, i)
            if node in self.seed_nodes:
                self.total(edge.asset).returned += amount
                continue
            service = t.is_stop(chain, address)
            if service is not None:
                self.end(node, chain, address, edge.asset, SERVICE, amount, hop, i)
                continue
            if hop >= t.limits.hops:
                self.end(node, chain, address, edge.asset, HOP_LIMIT, amount, hop, i)
                continue
            groups[(node, edge.asset)][i] = taint
            going_on.append((node, chain, address))
        t.ensure(going_on)
        following: dict[int, tuple[Taint, int]] = {}
        stays_reason = HELD if t.forward else ORIGIN
        for (node, asset), given in groups.items():
            out = t.propagate(t.ledgers[(node, asset)], given)
            if out.stays > 0:
                edge = t.edges[out.stays_from]
                chain, address = ((edge.chain, edge.to_address) if t.forward
                                  else (edge.chain, edge.from_address))
                self.end(node, chain, address, asset, stays_reason, out.stays, hop,
                         out.stays_from)
            for i, (taint, parent) in out.taint.items():
                amount = _amount(taint)
                if amount <= 0:
                    continue
                if amount < t.limits.min_amount:
                    self.total(asset).below_minimum += amount
                    continue
                following[i] = (taint, parent)
        return following

    def flow(self, near: str, far: str, asset: str, amount: Decimal, edge: int) -> None:
        key = (near, far, asset) if self.t.forward else (far, near, asset)
        found = self.flows.get(key)
        if found is None:
            found = self.flows[key] = ([ZERO], set())
        found[0][0] += amount
        found[1].add(edge)

    def end(self, node: str, chain: str, address: str, asset: str, reason: str,
            amount: Decimal, hop: int, edge: int) -> None:
        key = (node, asset, reason)
        found = self.ends.get(key)
        if found is None:
            found = self.ends[key] = _EndpointSum(chain, address, hops=hop)
        found.amount += amount
        if amount > found.best:
            found.best, found.best_level, found.best_edge = amount, len(self.levels) - 1, edge

    def path(self, level: int, edge: int) -> tuple[PathStep, ...]:
        steps: list[PathStep] = []
        while level >= 0 and edge >= 0:
            taint, parent = self.levels[level][edge]
            e = self.t.edges[edge]
            traced = _amount(taint)
            if self.t.method == "haircut":
                traced = round_down(traced)
            steps.append(PathStep(e.tx_hash, e.chain, e.from_address, e.to_address, e.asset,
                                  e.amount, traced, e.time))
            level, edge = level - 1, parent
        if self.t.forward:
            steps.reverse()
        return tuple(steps)

    def result(self) -> TraceResult:
        t = self.t
        fix = round_down if t.method == "haircut" else (lambda d: d)
        endpoints: list[Endpoint] = []
        for (node, asset, reason), found in self.ends.items():
            label = t.labels.get((found.chain, found.address))
            amount = fix(found.amount)
            if amount <= 0:
                continue
            totals = self.total(asset)
            totals.to_endpoints += amount
            if reason == SERVICE:
                totals.to_services += amount
            endpoints.append(Endpoint(
                node, found.chain, found.address, asset, amount, reason,
                label.category if label else "", label.name if label else "", found.hops,
                self.path(found.best_level, found.best_edge)))
        endpoints.sort(key=lambda e: (-e.amount, e.asset, e.node, e.reason))
        for totals in self.totals.values():
            totals.returned = fix(totals.returned)
            totals.below_minimum = fix(totals.below_minimum)
        flows = tuple(Flow(a, b, asset, fix(total[0]), len(edges))
                      for (a, b, asset), (total, edges) in sorted(self.flows.items()))
        keys = {f.from_node for f in flows} | {f.to_node for f in flows} | self.seed_nodes
        nodes = tuple(self.node_info(k) for k in sorted(keys))
        return TraceResult(t.method, "forward" if t.forward else "backward", self.seeds,
                           t.limits, tuple(endpoints),
                           tuple(self.totals[a] for a in sorted(self.totals)), flows, nodes,
                           len(t.edges))

    def node_info(self, key: str) -> Node:
        t = self.t
        if key in t.members:
            name = t.labels[sorted(t.members[key])[0]].name
            return Node(key, "", name, "bridge", name, key in self.seed_nodes)
        chain, _, address = key.partition(":")
        label = t.labels.get((chain, address))
        return Node(key, chain, address, label.category if label else "",
                    label.name if label else "", key in self.seed_nodes)
