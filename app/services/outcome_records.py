"""Victims (by reference) and asset records (seized, frozen, recovered, returned) of an
operation: the checks on their fields, adding, editing and deleting them, and the lists
the Outcomes tab and the CLI show. The figures made from them are in outcomes.py.

``kind`` is "victim" or "asset_record", as in SHAREABLE_KINDS. Edits go through
``victim_values`` / ``asset_values`` (the checks), then ``add_record``,
``update_record``, ``record_values`` (for undo) and ``set_deleted``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import placement
from app.core.errors import NotFoundError, ValidationError
from app.core.tracing import plain
from app.models import outcome_records as records
from app.models.money_records import FreezeEvent
from app.models.outcome_records import AssetRecord, Victim
from app.models.records import SITE_STATUSES as SITE_STATUS_NAMES
from app.models.records import Action, Agency, FreezeRequest, Site, Target
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.operations import find_operation

# For views and the CLI, which do not import app.models.
ASSET_STAGES: tuple[str, ...] = records.ASSET_STAGES
SOURCE_KINDS: tuple[str, ...] = records.SOURCE_KINDS
SITE_STATUSES: tuple[str, ...] = SITE_STATUS_NAMES
FROZEN_NOW = ("frozen", "partly frozen")
ZERO = Decimal(0)
_CURRENCY = re.compile(r"[A-Z][A-Z0-9]{1,9}")
KINDS: dict[str, type[Any]] = {"victim": Victim, "asset_record": AssetRecord}


# ---- checks ---------------------------------------------------------------------------


def _amount(text: str | Decimal, what: str, *, zero: bool = False) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"The {what} {str(text).strip()!r} is not a number.") from None
    if not value.is_finite() or value < 0 or (value == 0 and not zero):
        raise ValidationError(f"The {what} must be {'zero or ' if zero else ''}more than "
                              "zero.")
    return value


def _day(text: str, what: str, today: date | None = None) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"The {what} {text.strip()!r} is not a date (YYYY-MM-DD)."
                              ) from None
    if day > (today or datetime.now(UTC).date()):
        raise ValidationError(f"The {what} {day.isoformat()} is in the future.")
    return day


def _currency(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValidationError(f"The currency {text.strip()!r} is not a currency code such as "
                              "USD, KES or USDT.")
    return code


def _country(text: str) -> str:
    try:
        return placement.check_country(text)
    except ValueError as error:
        reason = str(error)
        raise ValidationError(reason[:1].upper() + reason[1:] + ".") from None


def _tlp(text: str) -> str:
    try:
        return placement.check_tlp(text)
    except ValueError as error:
        reason = str(error)
        raise ValidationError(reason[:1].upper() + reason[1:] + ".") from None


def victim_values(*, reference: str, country: str, loss: str | Decimal, currency: str,
                  identified_on: str, repaid: str | Decimal = "0", repaid_on: str = "",
                  tlp: str = "AMBER", today: date | None = None) -> dict[str, Any]:
    """The checked fields of a victim; ValidationError with one sentence if refused."""
    ref = " ".join(reference.split())
    if not ref:
        raise ValidationError("The victim needs a reference (a complaint or case number).")
    if len(ref) > 120:
        raise ValidationError("The victim's reference is longer than 120 characters.")
    if not any(c.isdigit() for c in ref):
        raise ValidationError("The victim's reference must be a complaint or case number "
                              "(with digits), not a name: names are personal data.")
    lost = _amount(loss, "loss")
    back = _amount(repaid or "0", "repaid amount", zero=True)
    if back > lost:
        raise ValidationError(f"The repaid amount {plain(back)} is more than the loss "
                              f"{plain(lost)}.")
    found = _day(identified_on, "date identified", today)
    repaid_day = _day(repaid_on, "date repaid", today) if repaid_on.strip() else None
    if back > 0 and repaid_day is None:
        raise ValidationError("Give the date of the repayment.")
    if repaid_day is not None and back == 0:
        raise ValidationError("A date of repayment is given but no amount repaid.")
    if repaid_day is not None and repaid_day < found:
        raise ValidationError("The victim cannot be repaid before being identified.")
    return {"reference": ref, "country": _country(country), "loss": plain(lost),
            "currency": _currency(currency), "repaid": plain(back),
            "identified_on": found.isoformat(),
            "repaid_on": repaid_day.isoformat() if repaid_day else "", "tlp": _tlp(tlp)}


def asset_values(*, stage: str, asset: str, amount: str | Decimal, country: str, on: str,
                 value: str | Decimal = "", currency: str = "", source_kind: str = "",
                 source_id: str | None = None, note: str = "", tlp: str = "AMBER",
                 today: date | None = None) -> dict[str, Any]:
    """The checked fields of an asset record; the source is checked when it is stored."""
    step = stage.strip().lower()
    if step not in ASSET_STAGES:
        raise ValidationError(f"Unknown stage {stage.strip()!r}; use "
                              f"{', '.join(ASSET_STAGES)}.")
    name = " ".join(asset.split())
    if not name:
        raise ValidationError("Say which asset (such as BTC, USDT, cash KES, vehicles).")
    if len(name) > 40:
        raise ValidationError("The asset's name is longer than 40 characters.")
    worth = str(value).strip()
    valued = _amount(worth, "value", zero=True) if worth else None
    money = _currency(currency) if currency.strip() else ""
    if valued is not None and not money:
        raise ValidationError("Give the currency of the value.")
    kind = source_kind.strip()
    if kind and kind not in SOURCE_KINDS:
        raise ValidationError(f"Unknown source {kind!r}; an asset comes from an action or "
                              "a freeze request.")
    if bool(kind) != bool(source_id):
        raise ValidationError("Name both the kind of source and the source.")
    if step == "frozen" and kind != "freeze_request":
        raise ValidationError("A frozen value is the value of a freeze request: choose the "
                              "request.")
    if step == "frozen" and valued is None:
        raise ValidationError("A frozen record gives the value of the freeze: give it.")
    return {"stage": step, "asset": name, "amount": plain(_amount(amount, "amount")),
            "value": plain(valued) if valued is not None else "",
            "currency": money if valued is not None else "", "country": _country(country),
            "on": _day(on, "date", today).isoformat(), "source_kind": kind,
            "source_id": source_id or None, "note": note.strip(), "tlp": _tlp(tlp)}


# ---- writes -----------------------------------------------------------------------------


def _get(session: Session, kind: str, record_id: str) -> Any:
    record = session.get(KINDS[kind], record_id)
    if record is None or record.deleted:
        what = "victim" if kind == "victim" else "asset record"
        raise NotFoundError(f"The {what} was not found; it may have been deleted.")
    return record


def _check_in_operation(session: Session, kind: str, op_id: str, values: dict[str, Any],
                        record_id: str | None = None) -> None:
    if kind == "victim" and "reference" in values:
        clash = session.scalars(select(Victim.id).where(
            Victim.operation_id == op_id, Victim.deleted.is_(False),
            Victim.reference == values["reference"], Victim.id != (record_id or ""))).first()
        if clash is not None:
            raise ValidationError(f"A victim with the reference {values['reference']!r} is "
                                  "already recorded in this operation.")
    if kind == "asset_record" and values.get("source_id"):
        model: type[Any] = Action if values["source_kind"] == "action" else FreezeRequest
        source = session.get(model, values["source_id"])
        if source is None or source.deleted or source.operation_id != op_id:
            what = "action" if model is Action else "freeze request"
            raise NotFoundError(f"The {what} this asset comes from is not in the operation.")


def add_record(ctx: AppContext, kind: str, op_id: str,
               values: dict[str, Any]) -> tuple[str, Change]:
    """Add a victim (``kind`` "victim") or an asset record ("asset_record")."""
    with ctx.session() as session:
        op = find_operation(session, op_id)
        _check_in_operation(session, kind, op.id, values)
        record: Any = KINDS[kind](owner_agency_id=ctx.agency_id, operation_id=op.id)
        stamp_write(record, values, ctx.clock)
        session.add(record)
        session.flush()
        ctx.audit(session, f"{kind} added", codename=op.codename)
        change = Change()
        change.add("created", kind, record.id)
        return str(record.id), change


def update_record(ctx: AppContext, kind: str, record_id: str,
                  values: dict[str, Any]) -> Change:
    change = Change()
    with ctx.session() as session:
        record = _get(session, kind, record_id)
        _check_in_operation(session, kind, record.operation_id or "", values, record_id)
        if stamp_write(record, values, ctx.clock):
            change.add("updated", kind, record_id)
    return change


def record_values(ctx: AppContext, kind: str, record_id: str,
                  fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields``, so an edit can be undone."""
    with ctx.session() as session:
        record = _get(session, kind, record_id)
        return {f: getattr(record, f) for f in fields}


def set_deleted(ctx: AppContext, kind: str, record_id: str, deleted: bool) -> Change:
    """Delete (tombstone) a victim or an asset record, or bring it back."""
    with ctx.session() as session:
        record: Any = session.get(KINDS[kind], record_id)
        if record is None:
            raise NotFoundError("The record was not found.")
        stamp_write(record, {"deleted": deleted}, ctx.clock)
    change = Change()
    change.add("deleted" if deleted else "created", kind, record_id)
    return change


# ---- lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VictimRow:
    id: str
    reference: str
    country: str
    loss: Decimal
    currency: str
    repaid: Decimal
    identified_on: str
    repaid_on: str
    tlp: str
    owner: str
    ours: bool


@dataclass(frozen=True)
class AssetRow:
    id: str
    stage: str
    asset: str
    amount: Decimal
    value: Decimal | None
    currency: str
    country: str
    on: str
    source_kind: str
    source_id: str | None
    source: str  # what the source is, in words
    note: str
    tlp: str
    owner: str
    ours: bool


@dataclass(frozen=True)
class SourceChoice:
    kind: str  # action | freeze_request
    id: str
    text: str
    country: str
    asset: str  # a freeze request's asset, else ""
    amount: str  # a freeze request's frozen amount, else ""


def _names(session: Session) -> dict[str, str]:
    return {i: n for i, n in session.execute(select(Agency.id, Agency.name))}


def list_victims(ctx: AppContext, op_id: str) -> list[VictimRow]:
    with ctx.session() as session:
        names = _names(session)
        # Columns, not records: thousands of victims are read in a few milliseconds.
        rows = session.execute(select(
            Victim.id, Victim.reference, Victim.country, Victim.loss, Victim.currency,
            Victim.repaid, Victim.identified_on, Victim.repaid_on, Victim.tlp,
            Victim.owner_agency_id).where(
            Victim.operation_id == op_id, Victim.deleted.is_(False))
            .order_by(Victim.identified_on, Victim.reference))
        return [VictimRow(vid, ref, cc, Decimal(loss), cur, Decimal(repaid), found, back_on,
                          tlp, names.get(owner or "", ""), owner == ctx.agency_id)
                for vid, ref, cc, loss, cur, repaid, found, back_on, tlp, owner in rows]


def source_choices(ctx: AppContext, op_id: str) -> list[SourceChoice]:
    """What an asset may come from: the seizures of the operation and its freeze
    requests."""
    with ctx.session() as session:
        return _source_choices(session, op_id)


def _source_choices(session: Session, op_id: str,
                    ids: list[str] | None = None) -> list[SourceChoice]:
    """The operation's seizures and freeze requests, or only those of ``ids``."""
    found: list[SourceChoice] = []
    query = (select(Action.id, Action.kind, Action.status, Target.name,
                    func.coalesce(Site.country, Target.country))
             .outerjoin(Target, Target.id == Action.target_id)
             .outerjoin(Site, Site.id == Action.site_id)
             .where(Action.operation_id == op_id, Action.deleted.is_(False),
                    Action.kind == "seizure").order_by(Target.name))
    wanted = select(FreezeRequest).where(
        FreezeRequest.operation_id == op_id, FreezeRequest.deleted.is_(False))
    if ids is not None:
        query = query.where(Action.id.in_(ids))
        wanted = wanted.where(FreezeRequest.id.in_(ids))
    for aid, kind, status, target, cc in session.execute(query):
        found.append(SourceChoice("action", aid, f"{kind} of {target or '?'} ({status})",
                                  cc or "", "", ""))
    requests = session.execute(wanted.order_by(FreezeRequest.drafted_at)).scalars()
    countries = request_countries(session, op_id)
    for r in requests:
        amount = r.frozen_amount if r.status in FROZEN_NOW else r.amount
        found.append(SourceChoice("freeze_request", r.id,
                                  f"freeze request: {plain(Decimal(amount))} {r.asset} "
                                  f"({r.status}) to {r.addressee[:50]}",
                                  countries.get(r.id, ""), r.asset,
                                  plain(Decimal(r.frozen_amount or "0"))))
    return found


def list_asset_records(ctx: AppContext, op_id: str) -> list[AssetRow]:
    with ctx.session() as session:
        names = _names(session)
        a = AssetRecord
        rows = session.execute(select(
            a.id, a.stage, a.asset, a.amount, a.value, a.currency, a.country, a.on,
            a.source_kind, a.source_id, a.note, a.tlp, a.owner_agency_id).where(
            a.operation_id == op_id, a.deleted.is_(False))
            .order_by(a.on, a.stage, a.asset)).all()
        used = sorted({row.source_id for row in rows if row.source_id})
        sources = {c.id: c.text for start in range(0, len(used), 400)
                   for c in _source_choices(session, op_id, used[start:start + 400])}
        return [AssetRow(rid, stage, asset, Decimal(amount), Decimal(value) if value else None,
                         cur, cc, on, kind, source,
                         sources.get(source or "", "(not visible here)" if source else ""),
                         note, tlp, names.get(owner or "", ""), owner == ctx.agency_id)
                for (rid, stage, asset, amount, value, cur, cc, on, kind, source, note, tlp,
                     owner) in rows]


def request_countries(session: Session, op_id: str) -> dict[str, str]:
    """Freeze request id -> the country of the service it went to, as the label of the
    trace endpoint said when it was drafted."""
    rows = session.execute(select(FreezeEvent.freeze_request_id, FreezeEvent.detail).where(
        FreezeEvent.operation_id == op_id, FreezeEvent.deleted.is_(False),
        FreezeEvent.status == "drafted"))
    return {rid: str((detail or {}).get("country") or "") for rid, detail in rows}

