"""Freeze requests: drafted from an endpoint of a saved forward trace, sent to the
exchange's compliance contact or to the financial intelligence unit of its country, and
followed step by step (drafted, sent, acknowledged, frozen, partly frozen, rejected,
released), each step kept with its time as a shared record.

The Money view calls ``list_freezes``, ``freeze_detail``, ``draft_freeze``,
``set_freeze_status`` and ``freeze_pdf.write_freeze_pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from app.core import tlp as tlp_levels
from app.core.countries import country
from app.core.errors import KnownError, NotFoundError, ValidationError
from app.core.tracing import plain
from app.models.money_records import FREEZE_STATUSES, URGENCIES, FreezeEvent, TraceRecord
from app.models.records import Agency, FreezeRequest, Operation, Wallet
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.labels import trace_labels
from app.services.operations import find_operation

# What may follow each status. A rejected request may be sent again (to another
# addressee, or with more of a basis); a released freeze is over.
NEXT: dict[str, tuple[str, ...]] = {
    "drafted": ("sent",),
    "sent": ("acknowledged", "frozen", "partly frozen", "rejected"),
    "acknowledged": ("frozen", "partly frozen", "rejected"),
    "partly frozen": ("frozen", "released"),
    "frozen": ("released",),
    "rejected": ("sent",),
    "released": (),
}
FUTURE_SKEW = timedelta(minutes=5)
URGENCY_CHOICES: tuple[str, ...] = URGENCIES  # for the Money view, which reads no models
_TIME_FIELD = {"sent": "sent_at", "acknowledged": "acknowledged_at", "frozen": "frozen_at",
               "partly frozen": "frozen_at", "released": "released_at"}


@dataclass(frozen=True)
class FreezeInfo:
    id: str
    chain: str
    address: str
    wallet_label: str
    addressee: str
    asset: str
    amount: Decimal
    frozen_amount: Decimal
    legal_basis: str
    urgency: str
    status: str
    drafted_at: datetime | None
    sent_at: datetime | None
    acknowledged_at: datetime | None
    frozen_at: datetime | None
    released_at: datetime | None
    tlp: str

    @property
    def time_to_freeze(self) -> timedelta | None:
        if self.frozen_at is None or self.sent_at is None:
            return None
        return self.frozen_at - self.sent_at


@dataclass(frozen=True)
class FreezeStep:
    status: str
    at: datetime
    frozen_amount: str
    note: str
    agency: str


@dataclass(frozen=True)
class FreezeDetail:
    info: FreezeInfo
    codename: str
    steps: list[FreezeStep]
    basis: dict[str, Any]  # the trace endpoint it was drafted from (see draft_freeze)
    agency: str  # the requesting agency
    agency_contact: str


def _parse_amount(text: str | Decimal, what: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationError(f"The {what} {text!r} is not a number.") from None
    if not value.is_finite() or value <= 0:
        raise ValidationError(f"The {what} must be more than zero.")
    return value


def _checked_time(at: datetime | None) -> datetime:
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValidationError("The time of the step needs a time zone (Z for UTC).")
    if moment > datetime.now(UTC) + FUTURE_SKEW:
        raise ValidationError("The time of the step is in the future.")
    return moment


def _addressee_for(label_name: str, contact: str, country_code: str) -> str | None:
    if contact:
        return f"{label_name or 'The service'}, compliance: {contact}"
    if country_code:
        found = country(country_code)
        name = found.name if found else country_code
        return f"Financial intelligence unit of {name} ({country_code})"
    return None


def suggested_addressee(ctx: AppContext, codename: str, chain: str, address: str) -> str:
    """Whom a request for ``address`` goes to unless the person says otherwise: its
    service's compliance contact, else the financial intelligence unit of its country;
    "" when neither is known (the person must then give the addressee)."""
    with ctx.session() as session:
        op = find_operation(session, codename)
        label = trace_labels(session, op.id).get((chain, address))
    if label is None:
        return ""
    return _addressee_for(label.name, label.contact, label.country) or ""


def draft_freeze(ctx: AppContext, trace_id: str, address: str, *, legal_basis: str,
                 asset: str | None = None, urgency: str = "urgent",
                 addressee: str | None = None, amount: Decimal | str | None = None,
                 tlp: str | None = None, at: datetime | None = None) -> tuple[str, Change]:
    """Draft a freeze request for the wallet ``address``, an endpoint of the saved
    forward trace ``trace_id``, for the amount traced to it (or less: ``amount``).

    The addressee is the labelled service's compliance contact, else the financial
    intelligence unit of its country; ``addressee`` overrides both and is needed when
    neither is known. ``at``: when it was drafted, if not now (a request written before
    it was recorded here)."""
    basis_text = legal_basis.strip()
    if not basis_text:
        raise ValidationError("A freeze request needs its legal basis (the order or the "
                              "provision it rests on).")
    level = urgency.strip().lower()
    if level not in URGENCIES:
        raise ValidationError(f"Unknown urgency {urgency!r}; use {', '.join(URGENCIES)}.")
    now = _checked_time(at)
    with ctx.session() as session:
        record = session.get(TraceRecord, trace_id.strip())
        if record is None or record.deleted:
            raise NotFoundError(f"There is no saved trace {trace_id.strip()!r}.")
        if record.direction != "forward":
            raise ValidationError("A freeze request is drafted from a forward trace (where the "
                                  "money went); this trace was backward.")
        op = session.get(Operation, record.operation_id)
        assert op is not None
        wanted = address.strip()
        found = [e for e in record.endpoints
                 if e["address"] in (wanted, wanted.lower())
                 and (asset is None or e["asset"] == asset.strip().upper())]
        if not found:
            raise NotFoundError(f"{wanted} is not an endpoint of that trace"
                                + (f" in {asset.strip().upper()}" if asset else "") + ".")
        assets = sorted({e["asset"] for e in found})
        if len(assets) > 1:
            raise ValidationError(f"{wanted} received several assets in that trace "
                                  f"({', '.join(assets)}); say which one.")
        first = found[0]
        chain, canonical, asset_name = first["chain"], first["address"], assets[0]
        traced = sum((Decimal(e["amount"]) for e in found), Decimal(0))
        requested = traced if amount is None else _parse_amount(amount, "amount")
        if requested > traced:
            raise ValidationError(f"The amount {plain(requested)} {asset_name} is more than the "
                                  f"{plain(traced)} traced to {canonical}.")
        label = trace_labels(session, op.id).get((chain, canonical))
        to = (addressee or "").strip() or (
            _addressee_for(label.name, label.contact, label.country) if label else None)
        if not to:
            raise ValidationError(f"No compliance contact or country is known for {canonical}; "
                                  "give the addressee.")
        try:
            marking = tlp_levels.normalise(tlp, record.tlp)
        except ValueError as error:
            raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
        change = Change()
        wallet_id = session.scalars(select(Wallet.id).where(
            Wallet.operation_id == op.id, Wallet.deleted.is_(False), Wallet.chain == chain,
            Wallet.address == canonical)).first()
        if wallet_id is None:
            wallet = Wallet(owner_agency_id=ctx.agency_id, operation_id=op.id)
            stamp_write(wallet, {"chain": chain, "address": canonical,
                                 "label": label.name if label else "",
                                 "category": label.category if label else "",
                                 "target_id": None, "tlp": marking}, ctx.clock)
            session.add(wallet)
            session.flush()
            wallet_id = wallet.id
            change.add("created", "wallet", wallet_id)
        request = FreezeRequest(owner_agency_id=ctx.agency_id, operation_id=op.id)
        stamp_write(request, {"wallet_id": wallet_id, "addressee": to[:300], "asset": asset_name,
                              "amount": plain(requested), "frozen_amount": "0",
                              "legal_basis": basis_text, "urgency": level, "status": "drafted",
                              "drafted_at": now, "tlp": marking}, ctx.clock)
        session.add(request)
        session.flush()
        change.add("created", "freeze_request", request.id)
        best = max(found, key=lambda e: Decimal(e["amount"]))
        detail = {"trace_id": record.id, "method": record.method, "statement": record.statement,
                  "chain": chain, "address": canonical, "asset": asset_name,
                  "traced": plain(traced), "reasons": sorted({e["reason"] for e in found}),
                  "label": label.name if label else "", "category": label.category if label
                  else "", "source": label.source if label else "",
                  "country": label.country if label else "", "path": best["path"]}
        change.merge(_event(session, ctx, request, "drafted", now, "", "", detail))
        ctx.audit(session, "freeze drafted", codename=op.codename, asset=asset_name)
        return request.id, change


def _event(session: Any, ctx: AppContext, request: FreezeRequest, status: str, at: datetime,
           frozen: str, note: str, detail: dict[str, Any]) -> Change:
    event = FreezeEvent(owner_agency_id=ctx.agency_id, operation_id=request.operation_id)
    stamp_write(event, {"freeze_request_id": request.id, "status": status, "at": at,
                        "frozen_amount": frozen, "note": note, "detail": detail,
                        "tlp": request.tlp}, ctx.clock)
    session.add(event)
    session.flush()
    change = Change()
    change.add("created", "freeze_event", event.id)
    return change


def set_freeze_status(ctx: AppContext, request_id: str, status: str, *,
                      at: datetime | None = None, frozen_amount: Decimal | str | None = None,
                      note: str = "") -> Change:
    """Move a request to its next status, at ``at`` (default now). ``frozen_amount`` is
    needed for "partly frozen" (less than requested); "frozen" defaults to the amount
    requested."""
    new = status.strip().lower()
    if new not in FREEZE_STATUSES:
        raise ValidationError(f"Unknown status {status!r}; use {', '.join(FREEZE_STATUSES)}.")
    moment = _checked_time(at)
    with ctx.session() as session:
        request = session.get(FreezeRequest, request_id.strip())
        if request is None or request.deleted:
            raise NotFoundError(f"There is no freeze request {request_id.strip()!r}.")
        if new not in NEXT.get(request.status, ()):
            allowed = NEXT.get(request.status, ())
            follow = (f"it can become {' or '.join(allowed)}" if allowed
                      else "nothing follows it")
            raise KnownError(f"A freeze request that is {request.status} cannot become {new}; "
                             f"{follow}.")
        last = session.scalar(select(FreezeEvent.at).where(
            FreezeEvent.freeze_request_id == request.id, FreezeEvent.deleted.is_(False))
            .order_by(FreezeEvent.at.desc()).limit(1))
        if last is not None and moment < last:
            raise ValidationError(f"The time of the step is before the request's previous step "
                                  f"({last:%Y-%m-%d %H:%M} UTC).")
        requested = Decimal(request.amount)
        values: dict[str, Any] = {"status": new}
        frozen_text = ""
        if new in ("frozen", "partly frozen"):
            if frozen_amount is None:
                if new == "partly frozen":
                    raise ValidationError("Say how much was frozen (less than the "
                                          f"{plain(requested)} {request.asset} requested).")
                frozen = requested
            else:
                frozen = _parse_amount(frozen_amount, "frozen amount")
            if new == "partly frozen" and frozen >= requested:
                raise ValidationError(f"{plain(frozen)} {request.asset} is all that was "
                                      "requested: the request is frozen, not partly frozen.")
            frozen_text = plain(frozen)
            values["frozen_amount"] = frozen_text
        elif frozen_amount is not None:
            raise ValidationError("A frozen amount is given only with frozen or partly frozen.")
        field_name = _TIME_FIELD.get(new)
        if field_name is not None and not (field_name == "frozen_at" and request.frozen_at
                                           and request.status == "partly frozen"):
            values[field_name] = moment
        stamp_write(request, values, ctx.clock)
        change = Change()
        change.add("updated", "freeze_request", request.id)
        change.merge(_event(session, ctx, request, new, moment, frozen_text, note.strip(), {}))
        ctx.audit(session, "freeze status", status=new)
        return change


def _info(request: FreezeRequest, wallet: Wallet | None) -> FreezeInfo:
    return FreezeInfo(request.id, wallet.chain if wallet else "", wallet.address if wallet
                      else "", wallet.label if wallet else "", request.addressee, request.asset,
                      Decimal(request.amount), Decimal(request.frozen_amount or "0"),
                      request.legal_basis, request.urgency, request.status, request.drafted_at,
                      request.sent_at, request.acknowledged_at, request.frozen_at,
                      request.released_at, request.tlp)


def list_freezes(ctx: AppContext, codename: str) -> list[FreezeInfo]:
    with ctx.session() as session:
        op = find_operation(session, codename)
        rows = session.execute(select(FreezeRequest, Wallet)
                               .outerjoin(Wallet, Wallet.id == FreezeRequest.wallet_id)
                               .where(FreezeRequest.operation_id == op.id,
                                      FreezeRequest.deleted.is_(False))
                               .order_by(FreezeRequest.drafted_at, FreezeRequest.id)).all()
        return [_info(r, w) for r, w in rows]


def freeze_detail(ctx: AppContext, request_id: str) -> FreezeDetail:
    with ctx.session() as session:
        request = session.get(FreezeRequest, request_id.strip())
        if request is None or request.deleted:
            raise NotFoundError(f"There is no freeze request {request_id.strip()!r}.")
        wallet = session.get(Wallet, request.wallet_id) if request.wallet_id else None
        op = session.get(Operation, request.operation_id)
        names = {i: n for i, n in session.execute(select(Agency.id, Agency.name))}
        events = list(session.scalars(select(FreezeEvent).where(
            FreezeEvent.freeze_request_id == request.id, FreezeEvent.deleted.is_(False))
            .order_by(FreezeEvent.at, FreezeEvent.updated)))
        basis = next((dict(e.detail) for e in events if e.status == "drafted"), {})
        owner = session.get(Agency, request.owner_agency_id) if request.owner_agency_id else None
        return FreezeDetail(
            _info(request, wallet), op.codename if op else "",
            [FreezeStep(e.status, e.at, e.frozen_amount, e.note,
                        names.get(e.owner_agency_id or "", "")) for e in events],
            basis, owner.name if owner else "", owner.contact_24_7 if owner else "")
