"""How the operation map looks: colours of site statuses, the classes countries are
shaded in by number of targets, and amounts as people write them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.core.tracing import plain
from app.services.map_layers import MoneyFlow

# Sites: one hue per status, none of them orange (the countries' shading).
STATUS_COLOURS: dict[str, str] = {
    "planned": "#1565c0",
    "searched": "#8e24aa",
    "shut down": "#2e7d32",
    "not found": "#424242",
}
OTHER_STATUS = "#9e9e9e"
# Drawn last, on top: what happened on the day over what was only planned.
STATUS_ORDER = ("planned", "not found", "searched", "shut down")

# Countries: a sequential orange scale (ColorBrewer "Oranges") over land of no target.
SHADES = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
LAND = "#ece8e0"
BORDER = "#a39e93"
OCEAN = "#d6e6f2"
OUTSIDE = "#f7f7f7"
FLOW = "#00695c"
LABEL_TEXT = "#212121"


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, OTHER_STATUS)


@dataclass(frozen=True)
class ShadeClass:
    low: int
    high: int
    colour: str

    @property
    def label(self) -> str:
        return f"{self.low:,}" if self.low == self.high else f"{self.low:,}–{self.high:,}"


def shade_classes(counts: Iterable[int], most: int = len(SHADES)) -> list[ShadeClass]:
    """Up to ``most`` classes over the distinct counts, each holding about as many of them
    (quantiles of the values that occur): a few countries with many targets do not push
    all the others into the palest class."""
    values = sorted({n for n in counts if n > 0})
    if not values:
        return []
    size = min(most, len(values))
    groups = [values[len(values) * i // size:len(values) * (i + 1) // size]
              for i in range(size)]
    # Spread over the whole scale: two classes are the palest and the darkest shade.
    picks = [round(i * (len(SHADES) - 1) / (size - 1)) if size > 1 else len(SHADES) // 2
             for i in range(size)]
    return [ShadeClass(g[0], g[-1], SHADES[p]) for g, p in zip(groups, picks, strict=True)]


def shade_for(count: int, classes: list[ShadeClass]) -> str:
    """The colour of the class a count falls in (of the one above it when it falls
    between two); land for none."""
    if count <= 0:
        return LAND
    return next((shade.colour for shade in classes if count <= shade.high),
                classes[-1].colour if classes else LAND)


def amount_text(amount: Decimal, asset: str) -> str:
    """31,500 USDT; 0.4125 BTC: thousands grouped, no trailing zeros."""
    text = plain(amount)
    whole, dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{grouped}{dot}{fraction} {asset}"


@dataclass(frozen=True)
class FlowPair:
    """The money from one country to another, in every asset."""

    source: str
    dest: str
    flows: tuple[MoneyFlow, ...]
    share: float  # the largest of its amounts over the largest flow of that asset, 0 to 1


def _largest(flows: Iterable[MoneyFlow]) -> dict[str, Decimal]:
    largest: dict[str, Decimal] = {}
    for flow in flows:
        largest[flow.asset] = max(largest.get(flow.asset, Decimal(0)), flow.amount)
    return largest


def _share(flow: MoneyFlow, largest: dict[str, Decimal]) -> float:
    top = largest[flow.asset]
    return max(0.0, float(flow.amount / top)) if top > 0 else 1.0


def by_share(flows: Iterable[MoneyFlow]) -> list[MoneyFlow]:
    """Flows of every asset in one list, the largest first, each measured against the
    largest of its asset (amounts of different assets are not comparable)."""
    listed = list(flows)
    largest = _largest(listed)
    return sorted(listed, key=lambda f: (-_share(f, largest), f.asset, f.source, f.dest))


def flow_pairs(flows: Iterable[MoneyFlow]) -> list[FlowPair]:
    """Flows across borders grouped per pair of countries, the largest first: amounts of
    different assets are not comparable, so each is measured against its asset's largest."""
    moved = [f for f in flows if f.source != f.dest]
    largest = _largest(moved)
    grouped: dict[tuple[str, str], list[MoneyFlow]] = {}
    for flow in moved:
        grouped.setdefault((flow.source, flow.dest), []).append(flow)
    pairs = [FlowPair(source, dest, tuple(group), max(_share(f, largest) for f in group))
             for (source, dest), group in grouped.items()]
    pairs.sort(key=lambda p: (-p.share, p.source, p.dest))
    return pairs
