"""What the operation map shows: the sites as points, the number of targets per country,
and the money that moved between countries.

A transfer's country at each end is the country of the address: the country of its label
(the service that holds it) or else the country of the target its wallet belongs to.
Transfers with an end of unknown country are left out. Amounts are summed as Decimal,
never as floats.

``max_tlp`` leaves out every record marked above it (a map shown to partners at GREEN,
say); a transfer is placed only by labels, wallets and targets within it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core import tlp as tlp_levels
from app.core.errors import ValidationError
from app.core.world_map import world_map
from app.models.money_records import AddressLabel
from app.models.records import Site, Target, Transfer, Wallet
from app.services.context import AppContext
from app.services.money import ADDRESSES_PER_QUERY
from app.services.operations import find_operation


@dataclass(frozen=True)
class SitePoint:
    id: str
    name: str
    status: str
    country: str
    address: str
    lat: float
    lon: float
    approximate: bool  # no coordinates of its own: placed inside its country


@dataclass(frozen=True)
class MoneyFlow:
    source: str  # country codes
    dest: str
    asset: str
    amount: Decimal
    transfers: int


@dataclass(frozen=True)
class MapLayers:
    op_id: str
    codename: str
    sites: list[SitePoint] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # names of sites with no place at all
    targets: dict[str, int] = field(default_factory=dict)  # per country code
    flows: list[MoneyFlow] = field(default_factory=list)  # largest first per asset
    unreadable_amounts: int = 0  # transfers whose amount is not a number: not summed

    @property
    def empty(self) -> bool:
        return not (self.sites or self.unplaced or self.targets or self.flows)


def map_layers(ctx: AppContext, op_id: str, max_tlp: str = "RED") -> MapLayers:
    """The map of an operation; NotFoundError if it is not in the store."""
    try:
        levels = tlp_levels.LEVELS[:tlp_levels.rank(tlp_levels.normalise(max_tlp)) + 1]
    except ValueError as error:
        raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    with ctx.session() as session:
        op = find_operation(session, op_id)
        sites, unplaced = site_points(session, op.id, levels)
        flows, unreadable = money_flows(session, op.id, levels)
        return MapLayers(op.id, op.codename, sites, unplaced,
                         targets_per_country(session, op.id, levels), flows, unreadable)


def _visible(model: Any, op_id: str, levels: Sequence[str]) -> list[ColumnElement[bool]]:
    """A live record of the operation, marked no higher than the last of ``levels``."""
    conditions = [model.operation_id == op_id, model.deleted.is_(False)]
    if len(levels) < len(tlp_levels.LEVELS):
        conditions.append(model.tlp.in_(levels))
    return conditions


def site_points(session: Session, op_id: str,
                levels: Sequence[str] = tlp_levels.LEVELS) -> tuple[list[SitePoint], list[str]]:
    """The sites with their place; those without coordinates at a point inside their
    country (``approximate``). Also the names of sites of no known country and no
    coordinates, which cannot be placed."""
    world = world_map()
    points: list[SitePoint] = []
    unplaced: list[str] = []
    # Core rows (not ORM ones: a third of the time on 10,000 sites), sorted here (SQL
    # would sort by name through a temporary B-tree).
    rows = sorted(session.connection().execute(
        select(Site.id, Site.name, Site.status, Site.country, Site.address, Site.lat, Site.lon)
        .where(*_visible(Site, op_id, levels))).all(), key=lambda r: (r[1], r[0]))
    for site_id, name, status, country, address, lat, lon in rows:
        code = (country or "").strip().upper()
        if lat is not None and lon is not None:
            points.append(SitePoint(site_id, name, status, code, address, lat, lon, False))
            continue
        anchor = world.anchor(code)
        if anchor is None:
            unplaced.append(name)
        else:
            points.append(SitePoint(site_id, name, status, code, address, anchor[1],
                                    anchor[0], True))
    return points, unplaced


def targets_per_country(session: Session, op_id: str,
                        levels: Sequence[str] = tlp_levels.LEVELS) -> dict[str, int]:
    code = func.upper(func.trim(Target.country))
    rows = session.execute(select(code, func.count()).where(
        *_visible(Target, op_id, levels), code != "").group_by(code))
    return {country: n for country, n in rows}


def address_countries(session: Session, op_id: str,
                      levels: Sequence[str] = tlp_levels.LEVELS) -> dict[tuple[str, str], str]:
    """The country of each (chain, address) of the operation that has one: its label's
    before its wallet's target's (a service's country is where a freeze goes); of
    several labels, the first country in alphabetical order."""
    label_country = func.upper(func.trim(AddressLabel.country))
    target_country = func.upper(func.trim(Target.country))
    labelled = session.execute(
        select(AddressLabel.chain, AddressLabel.address, label_country)
        .where(*_visible(AddressLabel, op_id, levels), label_country != "")
        .order_by(label_country.desc())).all()
    owned = session.execute(
        select(Wallet.chain, Wallet.address, target_country)
        .join(Target, Target.id == Wallet.target_id)
        .where(*_visible(Wallet, op_id, levels), *_visible(Target, op_id, levels),
               target_country != "")
        .order_by(target_country.desc())).all()
    found: dict[tuple[str, str], str] = {}
    for rows in (owned, labelled):  # later rows win: labels over wallets, A over B
        found.update(((chain, address), country) for chain, address, country in rows)
    return found


def money_flows(session: Session, op_id: str,
                levels: Sequence[str] = tlp_levels.LEVELS) -> tuple[list[MoneyFlow], int]:
    """Transfers summed per (source country, destination country, asset), and how many
    had an amount that is not a number (left out of the sums).

    Only transfers from an address with a country are read, by the address index, a few
    hundred addresses per query (as the tracer does): an operation may hold a million
    transfers of which a few thousand touch a known country. The operation, the
    tombstone and the marking are tested here, so that SQLite cannot prefer the
    operation's index and read every transfer; the sums are made here too, as Decimal
    (grouping in SQL first took twice as long: a temporary B-tree per query)."""
    located = address_countries(session, op_id, levels)
    sources = sorted({address for _chain, address in located})
    allowed = set(levels)
    totals: dict[tuple[str, str, str], Decimal] = {}
    counts: dict[tuple[str, str, str], int] = {}
    unreadable = 0
    for start in range(0, len(sources), ADDRESSES_PER_QUERY):
        chunk = sources[start:start + ADDRESSES_PER_QUERY]
        rows = session.connection().execute(
            select(Transfer.chain, Transfer.from_address, Transfer.to_address, Transfer.asset,
                   Transfer.amount, Transfer.operation_id, Transfer.deleted, Transfer.tlp)
            .where(Transfer.from_address.in_(chunk)))
        for chain, source, dest, asset, text, op, deleted, level in rows:
            from_country = located.get((chain, source))
            to_country = located.get((chain, dest))
            if (op != op_id or deleted or level not in allowed or from_country is None
                    or to_country is None):
                continue
            key = (from_country, to_country, asset)
            amount = _amount(text)
            if amount is None:
                unreadable += 1
            else:
                totals[key] = totals.get(key, Decimal(0)) + amount
                counts[key] = counts.get(key, 0) + 1
    flows = [MoneyFlow(*key, total, counts[key]) for key, total in totals.items()]
    flows.sort(key=lambda f: (f.asset, -f.amount, f.source, f.dest))
    return flows, unreadable


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
