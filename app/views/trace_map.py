"""What the trace graph draws, worked out apart from the drawing so that tests read it:
each wallet placed in columns by hops from the seeds (money always flows left to right,
forward or backward), its role (seed, freeze point, service, bridge, victim, suspect), the
amount traced along each pair of wallets and to each endpoint."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from app.core.tracing import HELD, HOP_LIMIT, ORIGIN, SERVICE, Endpoint, Flow, TraceResult
from app.services.money import path_flows

MAX_NODES = 32  # a whole trace up to this many wallets is drawn
ROUTE_NODES = 22  # beyond, the main routes of the largest endpoints, up to this many
TOP_ENDPOINTS = 10
MAX_GAP = 1.7  # rows apart, at most, in a column of few wallets
# What a node is, by its label; a freeze point first: it is what the commander acts on.
ROLE_OF_CATEGORY = {"exchange": "freeze point", "mixer": "service", "dex": "service",
                    "bridge": "bridge", "victim": "victim", "suspect": "suspect"}
WHY = {HELD: "still held", HOP_LIMIT: "at the hop limit", ORIGIN: "origin"}
ROLE_TEXT = {"freeze point": "exchange: freeze point", "service": "mixer / DEX (trace stops)",
             "bridge": "bridge (crosses chains)", "victim": "victim", "suspect": "suspect",
             "wallet": "wallet"}


def amount_text(amount: Decimal, asset: str = "", exact: bool = False) -> str:
    """With thousands separated, rounded down to what a reader compares (2 decimals from
    100, 4 from 1, else 8; haircut leaves 18): 31,500 USDT; 0.4125 BTC. ``exact``: every
    digit, for tooltips (exports and requests always take the exact amount)."""
    if not exact and amount:
        places = 2 if abs(amount) >= 100 else 4 if abs(amount) >= 1 else 8
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    text = f"{amount.normalize():,f}" if amount else "0"
    return f"{text} {asset}".strip()


def short_address(address: str) -> str:
    return address if len(address) <= 14 else f"{address[:6]}…{address[-4:]}"


@dataclass(frozen=True)
class MapNode:
    key: str
    x: float
    y: float
    name: str  # the label's name, else the short address
    detail: str  # chain and short address (or the category of a bridge)
    role: str
    seed: bool
    ends: tuple[tuple[str, Decimal], ...]  # (asset, amount) traced to it as an endpoint
    freeze: bool  # an endpoint at an exchange: money that can be frozen there
    stop: bool  # a service where the trace stops: nothing leaves it in the graph
    room_right: bool  # nothing drawn just right of it: its amount goes there, not above
    why: str = ""  # why money ends here, when not at a service: "still held", "hop limit"

    def end_text(self) -> str:
        return ", ".join(amount_text(amount, asset) for asset, amount in self.ends)


@dataclass(frozen=True)
class MapEdge:
    a: str
    b: str
    asset: str
    amount: Decimal
    transfers: int
    width: float

    def label(self, asset: bool = True) -> str:
        return amount_text(self.amount, self.asset if asset else "")


@dataclass(frozen=True)
class TraceMap:
    method: str
    direction: str
    title: str
    nodes: dict[str, MapNode]
    edges: tuple[MapEdge, ...]
    left_out: str  # what is not drawn (too many wallets), said under the graph

    def edge(self, a: str, b: str) -> MapEdge | None:
        return next((e for e in self.edges if (e.a, e.b) == (a, b)), None)

    def node(self, address: str) -> MapNode | None:
        """The node of an address (any chain), or of a node key."""
        return self.nodes.get(address) or next(
            (n for k, n in self.nodes.items() if k.partition(":")[2] == address), None)

    def freeze_points(self) -> list[MapNode]:
        return [n for n in self.nodes.values() if n.freeze]

    def assets(self) -> set[str]:
        return {e.asset for e in self.edges}

    def roles(self) -> set[str]:
        return {n.role for n in self.nodes.values()}


def _kept(result: TraceResult, seeds: set[str]) -> tuple[list[Flow], str]:
    """The flows to draw, and what was left out. Every flow while they bring at most
    MAX_NODES wallets; beyond, the main route of each endpoint that received the most
    (a hundred seeds, or thousands of wallets, are not read at a glance)."""
    every = {f.from_node for f in result.flows} | {f.to_node for f in result.flows} | seeds
    if len(every) <= MAX_NODES:
        return list(result.flows), ""
    known = {(n.chain, n.address): n.key for n in result.nodes if n.chain}
    ranked = sorted(result.endpoints, key=lambda e: -e.amount)
    chosen: list[Endpoint] = []
    for count in range(1, min(len(ranked), TOP_ENDPOINTS) + 1):
        flows = path_flows(ranked[:count], lambda c, a: known.get((c, a), f"{c}:{a}"))
        if len({f.from_node for f in flows} | {f.to_node for f in flows}) > ROUTE_NODES:
            break
        chosen = ranked[:count]
    flows = path_flows(chosen, lambda c, a: known.get((c, a), f"{c}:{a}"))
    return list(flows), (f"Too many wallets to draw ({len(every):,}): drawn are the "
                         f"{len(chosen)} endpoints that received the most, each by its main "
                         f"route; all {len(result.endpoints):,} are in the table.")


def _columns(flows: list[Flow], seeds: set[str], forward: bool) -> dict[str, int]:
    """Hops from the seeds, along the money forward and against it backward."""
    after: dict[str, set[str]] = defaultdict(set)
    for flow in flows:
        near, far = (flow.from_node, flow.to_node) if forward else (flow.to_node, flow.from_node)
        after[near].add(far)
    level = {s: 0 for s in seeds}
    todo = sorted(seeds)
    while todo:
        following = []
        for node in todo:
            for far in sorted(after[node]):
                if far not in level:
                    level[far] = level[node] + 1
                    following.append(far)
        todo = following
    for flow in flows:  # not reached from a drawn seed: beside what it touches
        for node in (flow.from_node, flow.to_node):
            level.setdefault(node, 1)
    if forward:
        return level
    deepest = max(level.values(), default=0)
    return {k: deepest - v for k, v in level.items()}


def trace_map(result: TraceResult) -> TraceMap:
    info = {n.key: n for n in result.nodes}
    every_seed = {k for k, n in info.items() if n.seed}
    flows, left_out = _kept(result, every_seed)
    drawn = {f.from_node for f in flows} | {f.to_node for f in flows}
    seeds = every_seed & drawn if left_out else every_seed
    column = _columns(flows, seeds, result.direction == "forward")
    ends: dict[str, dict[str, Decimal]] = defaultdict(dict)
    freeze: set[str] = set()
    stops = {e.node for e in result.endpoints if e.reason == SERVICE}
    why = {e.node: WHY.get(e.reason, "") for e in result.endpoints if e.reason != SERVICE}
    for e in result.endpoints:
        ends[e.node][e.asset] = ends[e.node].get(e.asset, Decimal(0)) + e.amount
        if result.direction == "forward" and e.reason == SERVICE and e.category == "exchange":
            freeze.add(e.node)
    # Rows: each column in the order of the mean row of what feeds it (fewer crossings).
    feeders: dict[str, list[str]] = defaultdict(list)
    for flow in flows:
        a, b = flow.from_node, flow.to_node
        if column[a] < column[b]:
            feeders[b].append(a)
        elif column[b] < column[a]:
            feeders[a].append(b)
    row: dict[str, float] = {}
    by_column: dict[int, list[str]] = defaultdict(list)
    for key in sorted(column):
        by_column[column[key]].append(key)
    widest = max((len(m) for m in by_column.values()), default=1)
    for c in sorted(by_column):
        members = by_column[c]
        members.sort(key=lambda k: (sum(row.get(f, 0.0) for f in feeders[k])
                                    / max(len(feeders[k]), 1), k))
        # A column of few wallets spreads over the height the widest one takes.
        gap = min(MAX_GAP, (widest - 1) / (len(members) - 1)) if len(members) > 1 else 1.0
        for i, key in enumerate(members):
            row[key] = (i - (len(members) - 1) / 2) * gap
    nodes: dict[str, MapNode] = {}
    chains = {info[k].chain for k in column if k in info and info[k].chain}
    for key in column:
        node = info.get(key)
        category = node.category if node else ""
        address = node.address if node else key
        named = bool(node and node.label)
        # A name is enough for a labelled wallet; a freeze point also shows its address.
        detail = ("" if category == "bridge" or not node else
                  f"{node.chain} {short_address(address)}" if key in freeze else
                  node.chain if len(chains) > 1 and not named else "")
        nodes[key] = MapNode(key, float(column[key]), -row[key],
                             node.label if node and named else short_address(address),
                             detail, ROLE_OF_CATEGORY.get(category, "wallet"),
                             key in seeds, tuple(sorted(ends.get(key, {}).items())),
                             key in freeze, key in stops,
                             not any(abs(row[other] - row[key]) < 1.0
                                     for other in by_column.get(column[key] + 1, [])),
                             why.get(key, ""))
    largest = max((f.traced for f in flows), default=Decimal(1)) or Decimal(1)
    edges = tuple(MapEdge(f.from_node, f.to_node, f.asset, f.traced, f.transfers,
                          1.0 + 5.0 * float(f.traced / largest)) for f in flows)
    seeds_text = f"{len(result.seeds)} wallet{'s' if len(result.seeds) != 1 else ''}"
    title = (f"{result.method.upper()} · {result.direction} from {seeds_text} · "
             f"at most {result.limits.hops} hops")
    return TraceMap(result.method, result.direction, title, nodes, edges, left_out)
