"""The outcomes of an operation, read from its records and never typed in twice: arrests
(arrest actions done), sites shut down (their status), value seized, frozen, recovered
and returned, victims identified and repaid (the restitution rate), and the time from a
freeze request to the freeze (median and 90th percentile), all by country; and several
operations side by side.

Values are added up in one reporting currency, exactly (Decimal). A record whose value is
in another currency is left out of the sums and counted in ``other_currency``, never
converted here: the rate of the day is the reporting agency's to choose and record.
Without a currency asked for, the reporting currency is the one most of the operation's
values and losses are in.

What is frozen comes from the freeze requests, asset by asset (BTC, USDT), as in the
money summary. Its value in the reporting currency is known only where an asset record
of stage "frozen" values a request that is still frozen: ``frozen_valued`` of
``frozen_requests`` are, and the value covers those alone.

A country is where a thing happened: an arrest's site (else its target's country), a
site, an asset record's country, a victim's country, and for a freeze request the
country of the service it was sent to (as labelled when it was drafted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.tracing import plain
from app.models.outcome_records import AssetRecord, Victim
from app.models.records import Action, FreezeRequest, Site, Target
from app.services.context import AppContext
from app.services.money import MoneySummary, median, money_summary, percentile
from app.services.operations import find_operation
from app.services.outcome_records import FROZEN_NOW, request_countries

DEFAULT_CURRENCY = "USD"
ZERO = Decimal(0)
VALUE_STAGES = ("seized", "frozen", "recovered", "returned")


@dataclass(frozen=True)
class AssetFlow:
    """One asset's amounts from trace to return (in units of the asset)."""

    asset: str
    traced: Decimal  # by the latest saved forward trace
    requested: Decimal  # in freeze requests sent
    frozen: Decimal  # frozen now
    seized: Decimal
    recovered: Decimal
    returned: Decimal


@dataclass
class CountryOutcome:
    country: str
    arrests: int = 0
    sites_shut_down: int = 0
    seized: Decimal = ZERO  # values in the reporting currency
    frozen: Decimal = ZERO
    recovered: Decimal = ZERO
    returned: Decimal = ZERO
    victims: int = 0
    victims_repaid: int = 0
    loss: Decimal = ZERO
    repaid: Decimal = ZERO
    freezes: int = 0  # requests frozen (or partly) now
    freeze_times: list[timedelta] = field(default_factory=list)

    @property
    def restitution_rate(self) -> Decimal | None:
        return None if not self.loss else self.repaid / self.loss

    @property
    def time_to_freeze_median(self) -> timedelta | None:
        return median(self.freeze_times)

    @property
    def time_to_freeze_p90(self) -> timedelta | None:
        return percentile(self.freeze_times, 0.9)


@dataclass(frozen=True)
class DatedValue:
    on: str  # YYYY-MM-DD
    stage: str  # seized | frozen | recovered | returned | repaid
    value: Decimal


@dataclass(frozen=True)
class Outcomes:
    operation_id: str
    codename: str
    currency: str
    arrests: int  # arrest actions done
    arrests_planned: int  # arrest actions not aborted
    sites_shut_down: int
    sites: int
    seized: Decimal
    frozen: Decimal  # the value of the valued frozen requests
    recovered: Decimal
    returned: Decimal
    frozen_requests: int  # frozen (or partly) now
    frozen_valued: int
    assets: list[AssetFlow]
    victims: int
    victims_repaid: int
    loss: Decimal  # of the victims whose loss is in the reporting currency
    repaid: Decimal
    freeze_times: list[timedelta]
    time_to_freeze_median: timedelta | None
    time_to_freeze_p90: timedelta | None
    by_country: list[CountryOutcome]
    dated: list[DatedValue]  # in date order
    other_currency: dict[str, int]  # currency -> records left out of the sums
    trace_method: str | None

    @property
    def restitution_rate(self) -> Decimal | None:
        return None if not self.loss else self.repaid / self.loss


@dataclass(frozen=True)
class Comparison:
    currency: str
    operations: list[Outcomes]


def _currencies(session: Session, op_ids: Sequence[str]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for model in (AssetRecord, Victim):
        query = (select(model.currency, func.count()).where(
            model.operation_id.in_(op_ids), model.deleted.is_(False), model.currency != "")
            .group_by(model.currency))
        for code, n in session.execute(query):
            counted[code] += n
    return counted


def reporting_currency(session: Session, op_ids: Sequence[str]) -> str:
    counted = _currencies(session, op_ids)
    if not counted:
        return DEFAULT_CURRENCY
    return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def outcomes(ctx: AppContext, op_id: str, currency: str | None = None) -> Outcomes:
    """The outcomes of one operation (by id or codename), values in ``currency`` (by
    default the one most of its values are in)."""
    summary = money_summary(ctx, op_id)
    with ctx.session() as session:
        op = find_operation(session, op_id)
        code = (currency or "").strip().upper() or reporting_currency(session, [op.id])
        return _outcomes(session, op.id, op.codename, code, summary)


def compare(ctx: AppContext, op_ids: Iterable[str], currency: str | None = None) -> Comparison:
    """Several operations side by side, their values in one currency (by default the one
    most of their values are in)."""
    ids: list[str] = []
    with ctx.session() as session:
        for given in op_ids:
            found = find_operation(session, given).id
            if found not in ids:
                ids.append(found)
        code = (currency or "").strip().upper() or reporting_currency(session, ids)
    return Comparison(code, [outcomes(ctx, i, code) for i in ids])


def _outcomes(session: Session, op_id: str, codename: str, currency: str,
              summary: MoneySummary) -> Outcomes:
    countries: dict[str, CountryOutcome] = {}

    def at(code: str) -> CountryOutcome:
        key = code or "?"
        if key not in countries:
            countries[key] = CountryOutcome(key)
        return countries[key]

    # Grouped in SQL: thousands of sites and actions come back as a few rows.
    place = func.coalesce(Site.country, Target.country, "")
    arrests = session.execute(
        select(place, Action.status, func.count())
        .select_from(Action)
        .outerjoin(Site, Site.id == Action.site_id)
        .outerjoin(Target, Target.id == Action.target_id)
        .where(Action.operation_id == op_id, Action.deleted.is_(False),
               Action.kind == "arrest", Action.status != "aborted")
        .group_by(place, Action.status))
    done = planned = 0
    for code, status, n in arrests:
        planned += n
        if status == "done":
            done += n
            at(code).arrests += n
    shut = sites = 0
    for code, status, n in session.execute(
            select(Site.country, Site.status, func.count()).where(
                Site.operation_id == op_id, Site.deleted.is_(False))
            .group_by(Site.country, Site.status)):
        sites += n
        if status == "shut down":
            shut += n
            at(code).sites_shut_down += n

    other: Counter[str] = Counter()
    dated: list[DatedValue] = []
    totals = dict.fromkeys(VALUE_STAGES, ZERO)
    units: dict[tuple[str, str], Decimal] = {}
    requests = {r.id: r for r in session.scalars(select(FreezeRequest).where(
        FreezeRequest.operation_id == op_id, FreezeRequest.deleted.is_(False)))}
    valued: set[str] = set()
    # Columns, not records: thousands of rows in milliseconds rather than tenths.
    for stage, asset, amount, worth, money, code, on, source in session.execute(
            select(AssetRecord.stage, AssetRecord.asset, AssetRecord.amount,
                   AssetRecord.value, AssetRecord.currency, AssetRecord.country,
                   AssetRecord.on, AssetRecord.source_id).where(
                AssetRecord.operation_id == op_id, AssetRecord.deleted.is_(False))):
        if stage != "frozen":
            key = (asset, stage)
            units[key] = units.get(key, ZERO) + Decimal(amount)
        if not worth:
            continue
        if money != currency:
            other[money] += 1
            continue
        if stage == "frozen":  # counts only while its request is still frozen
            request = requests.get(source or "")
            if request is None or request.status not in FROZEN_NOW or source in valued:
                continue
            valued.add(request.id)
        value = Decimal(worth)
        totals[stage] += value
        place_of = at(code)
        setattr(place_of, stage, getattr(place_of, stage) + value)
        dated.append(DatedValue(on, stage, value))

    request_country = request_countries(session, op_id)
    times: list[timedelta] = []
    frozen_now = 0
    for r in requests.values():
        if r.status in FROZEN_NOW:
            frozen_now += 1
            at(request_country.get(r.id, "")).freezes += 1
        if r.frozen_at is not None and r.sent_at is not None:
            took = r.frozen_at - r.sent_at
            times.append(took)
            at(request_country.get(r.id, "")).freeze_times.append(took)

    victims = repaid_count = 0
    loss = repaid = ZERO
    for code, lost_text, money, back_text, back_on in session.execute(
            select(Victim.country, Victim.loss, Victim.currency, Victim.repaid,
                   Victim.repaid_on).where(
                Victim.operation_id == op_id, Victim.deleted.is_(False))):
        victims += 1
        place_of = at(code)
        place_of.victims += 1
        back = Decimal(back_text)
        if back > 0:
            repaid_count += 1
            place_of.victims_repaid += 1
        if money != currency:
            other[money] += 1
            continue
        lost = Decimal(lost_text)
        loss += lost
        repaid += back
        place_of.loss += lost
        place_of.repaid += back
        if back > 0 and back_on:
            dated.append(DatedValue(back_on, "repaid", back))

    flows = _flows(summary, units)
    by_country = sorted(countries.values(), key=lambda c: c.country)
    dated.sort(key=lambda d: (d.on, d.stage))
    return Outcomes(op_id, codename, currency, done, planned, shut, sites,
                    totals["seized"], totals["frozen"], totals["recovered"],
                    totals["returned"], frozen_now, len(valued), flows, victims,
                    repaid_count, loss, repaid, sorted(times), median(times),
                    percentile(times, 0.9), by_country, dated, dict(other),
                    summary.trace_method)


def _flows(summary: MoneySummary, units: dict[tuple[str, str], Decimal]) -> list[AssetFlow]:
    money = {f.asset: f for f in summary.assets}
    names = sorted(set(money) | {asset for asset, _stage in units})
    flows = []
    for name in names:
        m = money.get(name)
        flows.append(AssetFlow(
            name, m.traced if m else ZERO, m.requested if m else ZERO,
            m.frozen if m else ZERO, units.get((name, "seized"), ZERO),
            units.get((name, "recovered"), ZERO), units.get((name, "returned"), ZERO)))
    return flows


# ---- words shared by the CLI and the Outcomes tab ----------------------------------------


def value_text(value: Decimal) -> str:
    """Exact, with thousands separated: 30,000.5."""
    return format(Decimal(plain(value)), ",f") if value else "0"


def duration_text(value: timedelta | None) -> str:
    """2d 3h05, 6h00, or n/a."""
    if value is None:
        return "n/a"
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    return (f"{days}d " if days else "") + f"{rest // 60}h{rest % 60:02d}"


def rate_text(rate: Decimal | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f} %"
