"""Plan the H-hour: every action's local start, the lawful windows, and setting H-hour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.core import timing
from app.core.errors import ValidationError
from app.models.records import Action, Jurisdiction, Site, Target
from app.services.changes import Change
from app.services.context import AppContext
from app.services.jurisdictions import effective
from app.services.operations import find_operation, update_operation

DEFAULT_DAYS = 14


@dataclass(frozen=True)
class ActionTime:
    id: str
    target: str
    action: str
    site: str
    country: str
    zone: str
    offset_min: int
    rule: str
    rule_source: str  # where the rule comes from, with as-of date and confidence
    authorisation: str
    utc_start: datetime | None
    local_start: datetime | None
    utc_offset: str
    lawful: bool | None
    state: str
    ambiguous: bool


@dataclass
class TimingReport:
    codename: str
    h_hour: datetime | None
    start: datetime
    end: datetime
    actions: list[ActionTime]
    windows: list[timing.Interval]
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # action labels
    to_retime: list[str] = field(default_factory=list)
    # The same as action ids, for callers that report per action (labels may repeat).
    conflict_ids: list[tuple[str, str]] = field(default_factory=list)
    retime_ids: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return bool(self.windows)


@dataclass(frozen=True)
class _Row:
    action: Action
    target: Target
    site: Site | None
    jurisdiction: Jurisdiction | None


def date_range(start: date | None, end: date | None, today: date | None = None) -> tuple[
        datetime, datetime]:
    """[start 00:00Z, end+1 00:00Z): the default is the next 14 days from today."""
    today = today or datetime.now(UTC).date()
    start = start or today
    end = end or start + timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationError(f"The range ends ({end}) before it starts ({start}).")
    if (end - start).days > 366:
        raise ValidationError("The range is longer than a year; choose a shorter one.")
    return (datetime.combine(start, time(0), tzinfo=UTC),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC))


def _rows(session: Session, op_id: str) -> list[_Row]:
    site = aliased(Site)
    query = (select(Action, Target, site)
             .join(Target, Target.id == Action.target_id)
             .outerjoin(site, site.id == Action.site_id)
             .where(Action.operation_id == op_id, Action.deleted.is_(False),
                    Target.deleted.is_(False))
             .order_by(site.country, site.name, Action.offset_min))
    found = session.execute(query).all()
    rules = effective(session, {s.jurisdiction_id for _, _, s in found
                                if s is not None and s.jurisdiction_id})
    return [_Row(a, t, s, rules.get(s.jurisdiction_id or "") if s else None)
            for a, t, s in found]


def _timing_input(row: _Row) -> timing.ActionTiming:
    label = f"{row.action.kind} {row.target.name}" + (f" at {row.site.name}" if row.site else "")
    if row.site is None:
        return timing.ActionTiming(row.action.id, label, "UTC", row.action.offset_min,
                                   timing.Rule("none"))
    rule = timing.Rule.from_data(row.jurisdiction.search_rule if row.jurisdiction else None)
    return timing.ActionTiming(row.action.id, label, row.site.zone, row.action.offset_min, rule,
                               row.site.lat, row.site.lon,
                               authorised=bool(row.action.authorisation_ref))


def _source(j: Jurisdiction | None) -> str:
    if j is None or not j.search_source:
        return ""
    first = j.search_source[0]
    where = first.get("url") or first.get("what") or ""
    return f"{where} (as of {j.search_as_of or 'unknown'}, confidence " \
           f"{j.search_confidence or 'unknown'})"


def plan_timing(ctx: AppContext, codename: str, start: date | None = None,
                end: date | None = None) -> TimingReport:
    return _plan(ctx, codename, start, end, with_windows=False)[0]


def plan_with_windows(ctx: AppContext, codename: str, start: date | None = None,
                      end: date | None = None) -> tuple[TimingReport,
                                                        dict[str, ActionWindows]]:
    """``plan_timing`` and ``lawful_windows_by_action`` in one pass: each action's
    windows are found once and the plan is made from them."""
    return _plan(ctx, codename, start, end, with_windows=True)


def _plan(ctx: AppContext, codename: str, start: date | None, end: date | None,
          with_windows: bool) -> tuple[TimingReport, dict[str, ActionWindows]]:
    lo, hi = date_range(start, end)
    with ctx.session() as session:
        op = find_operation(session, codename)
        rows = _rows(session, op.id)
        h_hour, name = op.h_hour, op.codename
    inputs = [_timing_input(r) for r in rows]
    found: dict[str, list[timing.Interval]] = {}
    try:
        if with_windows:
            found = timing.windows_by_action(inputs, lo, hi)
            result = timing.plan_of(inputs, [found[i.id] for i in inputs], lo, hi)
        else:
            result = timing.plan(inputs, lo, hi)
        starts = [timing.local_start(i, h_hour) if h_hour else None for i in inputs]
    except timing.TimingError as error:
        raise ValidationError(str(error)[0].upper() + str(error)[1:] + ".") from None
    labels = {i.id: i.label for i in inputs}
    actions = []
    for row, item, when in zip(rows, inputs, starts, strict=True):
        auth = row.action.authorisation_ref
        if auth and row.action.authorisation_date:
            auth += f" of {row.action.authorisation_date}"
        actions.append(ActionTime(
            row.action.id, row.target.name, row.action.kind,
            row.site.name if row.site else "", row.site.country if row.site else "",
            row.site.zone if row.site else "", row.action.offset_min,
            item.rule.describe() if row.site else "no site", _source(row.jurisdiction), auth,
            when.utc_start if when else None, when.local_start if when else None,
            when.utc_offset if when else "", when.lawful if when else None,
            when.state if when else "no H-hour", when.ambiguous if when else False))
    report = TimingReport(name, h_hour, lo, hi, actions, result.windows,
                          [(labels[a], labels[b]) for a, b in result.conflicts],
                          [labels[a] for a in result.to_retime],
                          list(result.conflicts), list(result.to_retime))
    return report, {r.action.id: ActionWindows(r.action.id, r.site.id if r.site else "",
                                               found[r.action.id])
                    for r in rows if r.action.id in found}


def set_h_hour(ctx: AppContext, codename: str, h_hour: datetime | None) -> Change:
    if h_hour is not None and h_hour.tzinfo is None:
        raise ValidationError("H-hour must be given in UTC, such as 2026-03-29T01:30:00Z.")
    with ctx.session() as session:
        op_id = find_operation(session, codename).id
    return update_operation(ctx, op_id, h_hour=h_hour.astimezone(UTC) if h_hour else None)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with Z or an offset; a time without one is refused, not guessed."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{text!r} is not an ISO 8601 time such as "
                              "2026-03-29T01:30:00Z.") from None
    if value.tzinfo is None:
        raise ValidationError(f"{text!r} has no UTC offset; add Z for UTC.")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ActionWindows:
    """The H-hours at which one action would be lawful (its own rule only), and where."""

    id: str
    site_id: str
    windows: list[timing.Interval]


def lawful_windows_by_action(ctx: AppContext, codename: str, start: date | None = None,
                             end: date | None = None) -> dict[str, ActionWindows]:
    """Per action, the H-hours in the range at which it alone would be lawful: its lawful
    local starts shifted back by its offset. The sync matrix shades these per site."""
    lo, hi = date_range(start, end)
    with ctx.session() as session:
        rows = _rows(session, find_operation(session, codename).id)
    inputs = [_timing_input(r) for r in rows]
    try:
        found = timing.windows_by_action(inputs, lo, hi)
    except timing.TimingError as error:
        raise ValidationError(str(error)[0].upper() + str(error)[1:] + ".") from None
    return {r.action.id: ActionWindows(r.action.id, r.site.id if r.site else "",
                                       found[r.action.id]) for r in rows}
