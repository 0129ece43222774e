"""Search-hour rules as an agency corrects them, and judicial authorisations on actions.

A shipped jurisdiction is never edited: an agency's correction is a jurisdiction record
of its own that names the shipped one in ``overrides_id``. It travels like any other
record, and wherever it is held, the newest correction of a jurisdiction applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import timing
from app.core.errors import NotFoundError, ValidationError
from app.models.base import reference_id
from app.models.records import Action, Jurisdiction
from app.services.changes import Change, stamp_write
from app.services.context import AppContext

RULE_KINDS = ("window", "night_ban", "solar", "none", "unknown")
NATIONALS_FIELDS = ("nationals_bar", "nationals_basis", "nationals_source", "nationals_as_of",
                    "nationals_confidence")


def effective(session: Session, ids: set[str]) -> dict[str, Jurisdiction]:
    """Shipped jurisdiction id -> the record that applies: the newest live correction of
    it, else the shipped record itself."""
    result: dict[str, Jurisdiction] = {j.id: j for j in session.scalars(
        select(Jurisdiction).where(Jurisdiction.id.in_(ids)))}
    corrections = session.scalars(select(Jurisdiction).where(
        Jurisdiction.overrides_id.in_(ids), Jurisdiction.deleted.is_(False))
        .order_by(Jurisdiction.updated))
    for correction in corrections:
        assert correction.overrides_id is not None
        result[correction.overrides_id] = correction
    return result


def check_rule(rule: dict[str, Any]) -> dict[str, Any]:
    kind = rule.get("kind")
    if kind not in RULE_KINDS:
        raise ValidationError(f"Unknown rule kind {kind!r} (expected {', '.join(RULE_KINDS)}).")
    try:
        parsed = timing.Rule.from_data(rule)
        for day, day_rule in parsed.weekdays:
            if day not in timing.WEEKDAYS:
                raise ValidationError(f"Unknown weekday {day!r} (expected mon..sun).")
            if day_rule.kind in ("window", "night_ban"):
                timing.parse_hm(day_rule.start)
                timing.parse_hm(day_rule.end)
        if parsed.kind in ("window", "night_ban"):
            timing.parse_hm(parsed.start)
            timing.parse_hm(parsed.end)
    except timing.TimingError as error:
        raise ValidationError(str(error)[0].upper() + str(error)[1:] + ".") from None
    return rule


def set_search_rule(ctx: AppContext, code: str, rule: dict[str, Any], text: str,
                    source: str) -> Change:
    """Record this agency's correction of a jurisdiction's search-hour rule."""
    check_rule(rule)
    if not source.strip():
        raise ValidationError("Say where the rule comes from (a law, a prosecutor's advice).")
    shipped_id = reference_id("jurisdiction", code.strip().upper())
    change = Change()
    with ctx.session() as session:
        shipped = session.get(Jurisdiction, shipped_id)
        if shipped is None:
            raise NotFoundError(f"No jurisdiction {code!r} is known.")
        mine = session.scalars(select(Jurisdiction).where(
            Jurisdiction.overrides_id == shipped_id,
            Jurisdiction.owner_agency_id == ctx.agency_id)).first()
        values: dict[str, Any] = {
            "search_rule": rule, "search_rule_text": text.strip(),
            "search_source": [{"what": source.strip()}],
            "search_as_of": date.today().isoformat(),
            "search_confidence": "agency correction", "deleted": False}
        if mine is None:
            mine = Jurisdiction(owner_agency_id=ctx.agency_id, overrides_id=shipped_id,
                                code=shipped.code, name=shipped.name, country=shipped.country,
                                zones=list(shipped.zones), tlp="GREEN")
            session.add(mine)
            # The correction stands in for the whole shipped record, so its bar on
            # extraditing nationals is the shipped one until corrected too.
            values.update({f: getattr(shipped, f) for f in NATIONALS_FIELDS})
        stamp_write(mine, values, ctx.clock)
        session.flush()
        change.add("updated", "jurisdiction", mine.id)
    return change


def authorise(ctx: AppContext, action_id: str, reference: str, issued: str) -> Change:
    """A judicial authorisation lifts the action's search-hour rule (empty to remove)."""
    if reference.strip() and issued.strip():
        try:
            date.fromisoformat(issued.strip())
        except ValueError:
            raise ValidationError(f"{issued!r} is not a date such as 2026-03-28.") from None
    change = Change()
    with ctx.session() as session:
        action = session.get(Action, action_id)
        if action is None or action.deleted:
            raise NotFoundError("The action was not found.")
        stamp_write(action, {"authorisation_ref": reference.strip(),
                             "authorisation_date": issued.strip()}, ctx.clock)
        change.add("updated", "action", action_id)
    return change


@dataclass(frozen=True)
class SearchRuleInfo:
    """A jurisdiction's search-hour rule as shipped, and this store's correction of it."""

    code: str
    name: str
    shipped_rule: dict[str, Any]
    shipped_text: str
    shipped_source: str
    shipped_as_of: str
    shipped_confidence: str
    rule: dict[str, Any]  # the rule that applies: the newest correction, else the shipped
    text: str
    source: str  # of the rule that applies
    corrected: bool


def _source_text(entries: list[Any]) -> str:
    found = [str(e.get("url") or e.get("what") or "") if isinstance(e, dict) else str(e)
             for e in entries]
    return "; ".join(f for f in found if f)


def search_rule_info(ctx: AppContext, code: str) -> SearchRuleInfo:
    """What a rule editor shows: the shipped rule with its provenance, and the rule in
    force here."""
    shipped_id = reference_id("jurisdiction", code.strip().upper())
    with ctx.session() as session:
        shipped = session.get(Jurisdiction, shipped_id)
        if shipped is None:
            raise NotFoundError(f"No jurisdiction {code!r} is known.")
        applies = effective(session, {shipped_id})[shipped_id]
        return SearchRuleInfo(
            shipped.code, shipped.name, dict(shipped.search_rule or {}),
            shipped.search_rule_text, _source_text(shipped.search_source),
            shipped.search_as_of, shipped.search_confidence,
            dict(applies.search_rule or {}), applies.search_rule_text,
            _source_text(applies.search_source), applies is not shipped)
