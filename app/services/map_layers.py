"""What the operation map shows: the sites as points, the number of targets per country,
and the money that moved between countries.

A transfer's country at each end is the country of the address: the country of its label
(the service that holds it) or else the country of the target its wallet belongs to.
Transfers with an end of unknown country are left out. Amounts are summed as Decimal,
never as floats: SQL groups the transfers and hands each group's amounts over as text.

``max_tlp`` leaves out every record marked above it (a map shown to partners at GREEN,
say); a transfer is placed only by labels, wallets and targets within it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.core import tlp as tlp_levels
from app.core.errors import ValidationError
from app.core.world_map import world_map
from app.models.money_records import AddressLabel
from app.models.records import Site, Target, Transfer, Wallet
from app.services.context import AppContext
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
    rows = session.execute(
        select(Site.id, Site.name, Site.status, Site.country, Site.address, Site.lat, Site.lon)
        .where(*_visible(Site, op_id, levels)).order_by(Site.name, Site.id))
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


def address_countries(op_id: str, levels: Sequence[str]) -> Any:
    """A subquery: one country per (chain, address) of the operation, the label's
    before the wallet's target's (a service's country is where a freeze goes)."""
    label_country = func.upper(func.trim(AddressLabel.country))
    target_country = func.upper(func.trim(Target.country))
    located = union_all(
        select(AddressLabel.chain, AddressLabel.address, label_country.label("country"),
               literal(0).label("rank"))
        .where(*_visible(AddressLabel, op_id, levels), label_country != ""),
        select(Wallet.chain, Wallet.address, target_country.label("country"),
               literal(1).label("rank"))
        .join(Target, Target.id == Wallet.target_id)
        .where(*_visible(Wallet, op_id, levels), *_visible(Target, op_id, levels),
               target_country != ""),
    ).subquery()
    ranked = select(
        located.c.chain, located.c.address, located.c.country,
        func.row_number().over(partition_by=(located.c.chain, located.c.address),
                               order_by=(located.c.rank, located.c.country)).label("n"),
    ).subquery()
    return (select(ranked.c.chain, ranked.c.address, ranked.c.country)
            .where(ranked.c.n == 1).subquery())


def money_flows(session: Session, op_id: str,
                levels: Sequence[str] = tlp_levels.LEVELS) -> tuple[list[MoneyFlow], int]:
    """Transfers summed per (source country, destination country, asset), and how many
    had an amount that is not a number (left out of the sums)."""
    source = address_countries(op_id, levels).alias("source")
    dest = address_countries(op_id, levels).alias("dest")
    rows = session.execute(
        select(source.c.country, dest.c.country, Transfer.asset,
               func.group_concat(Transfer.amount, " "))
        .select_from(Transfer)
        .join(source, and_(source.c.chain == Transfer.chain,
                           source.c.address == Transfer.from_address))
        .join(dest, and_(dest.c.chain == Transfer.chain, dest.c.address == Transfer.to_address))
        .where(*_visible(Transfer, op_id, levels))
        .group_by(source.c.country, dest.c.country, Transfer.asset))
    flows: list[MoneyFlow] = []
    unreadable = 0
    for from_country, to_country, asset, amounts in rows:
        total, count = Decimal(0), 0
        for text in (amounts or "").split(" "):
            try:
                amount = Decimal(text)
            except InvalidOperation:
                unreadable += 1
                continue
            if not amount.is_finite():
                unreadable += 1
                continue
            total += amount
            count += 1
        if count:
            flows.append(MoneyFlow(from_country, to_country, asset, total, count))
    flows.sort(key=lambda f: (f.asset, -f.amount, f.source, f.dest))
    return flows, unreadable
