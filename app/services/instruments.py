"""Instruments: treaties, conventions, surrender schemes, legal-assistance and
asset-sharing agreements, MOAs. Browse, search, add, correct.

The shipped instruments are never edited: an agency's correction is an instrument record
of its own that names the corrected one in ``overrides_id`` (as jurisdictions.py does),
and wherever it is held, the newest live correction applies. Deleting that correction
brings the shipped record back. An instrument an agency adds itself is its own record,
which it edits in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import legal
from app.core.countries import country as find_country
from app.core.errors import NotFoundError, ValidationError
from app.models.records import Agency, Instrument
from app.services.changes import Change, stamp_write
from app.services.context import AppContext

CONFIDENCES = ("high", "medium", "low")
EDITABLE = ("ref_key", "name", "purpose", "form", "binding", "parties", "in_force",
            "conditions", "notes", "sources", "as_of", "confidence")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class InstrumentInfo:
    """An instrument as it applies in this store (a correction in place of the record
    it corrects), with where it comes from."""

    id: str  # the record that applies
    base_id: str  # the record it stands for: itself, or the one it corrects
    ref_key: str
    name: str
    purpose: str
    form: str
    binding: bool
    parties: list[dict[str, str]] | None  # None: the party list is unknown (a gap)
    in_force: str
    conditions: dict[str, Any]
    notes: str
    sources: list[Any]
    as_of: str
    confidence: str
    origin: str  # "shipped", "shipped, corrected by AGENCY", "added by AGENCY"
    mine: bool  # this agency owns the record that applies

    @property
    def party_codes(self) -> list[str]:
        return [p["country"] for p in self.parties or []]


def source_texts(entries: list[Any]) -> tuple[str, ...]:
    found = []
    for entry in entries:
        text = (str(entry.get("url") or entry.get("what") or "")
                if isinstance(entry, dict) else str(entry))
        if text:
            found.append(text)
    return tuple(found)


def to_fact(info: InstrumentInfo) -> legal.InstrumentFact:
    parties = (None if info.parties is None else
               tuple(legal.Party(str(p.get("country", "")), str(p.get("in_force", "")))
                     for p in info.parties))
    return legal.InstrumentFact(
        info.id, info.ref_key, info.name, legal.purposes_of(info.purpose), info.form,
        info.binding, parties, info.in_force, dict(info.conditions), info.confidence,
        info.as_of, source_texts(info.sources))


# ---- reading -----------------------------------------------------------------------------


def effective_in(session: Session, agency_id: str) -> list[InstrumentInfo]:
    """Every live instrument as it applies: corrections in place of what they correct."""
    rows = list(session.scalars(select(Instrument).where(Instrument.deleted.is_(False))
                                .order_by(Instrument.updated)))
    names: dict[str, str] = {i: n for i, n in session.execute(select(Agency.id, Agency.name))}
    bases = {r.id: r for r in rows if not r.overrides_id}
    applied: dict[str, Instrument] = {}
    for row in rows:  # oldest first, so the newest correction stays
        if row.overrides_id and row.overrides_id in bases:
            applied[row.overrides_id] = row
    found = []
    for base in bases.values():
        row = applied.get(base.id, base)
        if base.owner_agency_id is None:
            origin = "shipped" if row is base else (
                f"shipped, corrected by {names.get(row.owner_agency_id or '', 'a partner')}")
        else:
            origin = f"added by {names.get(base.owner_agency_id, 'a partner')}"
            if row is not base:
                origin += f", corrected by {names.get(row.owner_agency_id or '', 'a partner')}"
        found.append(_info(row, base.id, origin, row.owner_agency_id == agency_id))
    found.sort(key=lambda i: (i.name.casefold(), i.id))
    return found


def _info(row: Instrument, base_id: str, origin: str, mine: bool) -> InstrumentInfo:
    parties = None if row.parties is None else [
        {"country": str(p.get("country", "")), "in_force": str(p.get("in_force", ""))}
        if isinstance(p, dict) else {"country": str(p), "in_force": ""} for p in row.parties]
    return InstrumentInfo(row.id, base_id, row.ref_key, row.name, row.purpose, row.form,
                          bool(row.binding), parties, row.in_force, dict(row.conditions or {}),
                          row.notes, list(row.sources or []), row.as_of, row.confidence,
                          origin, mine)


def _possible(info: InstrumentInfo) -> frozenset[str]:
    return to_fact(info).possible_parties()[0]


def list_instruments(ctx: AppContext, search: str = "", country: str = "",
                     purpose: str = "") -> list[InstrumentInfo]:
    """Instruments whose key, name or notes hold ``search``; with ``country``, those it is
    or may be party to (unknown party lists naming it); with ``purpose``, those for it."""
    code = check_country(country) if country.strip() else ""
    if purpose.strip() and purpose.strip() not in legal.PURPOSES:
        raise ValidationError(f"Unknown purpose {purpose.strip()!r} (expected "
                              f"{', '.join(legal.PURPOSES)}).")
    needle = search.strip().casefold()
    with ctx.session() as session:
        found = effective_in(session, ctx.agency_id)
    if needle:
        found = [i for i in found if needle in i.ref_key.casefold()
                 or needle in i.name.casefold() or needle in i.notes.casefold()]
    if code:
        found = [i for i in found if code in i.party_codes
                 or (i.parties is None and code in _possible(i))]
    if purpose.strip():
        found = [i for i in found if purpose.strip() in legal.purposes_of(i.purpose)]
    return found


def instrument(ctx: AppContext, ref: str) -> InstrumentInfo:
    """One instrument by its id (its own, or the one it corrects) or its key."""
    with ctx.session() as session:
        return _find(session, ctx.agency_id, ref)


def _find(session: Session, agency_id: str, ref: str) -> InstrumentInfo:
    text = ref.strip()
    found = effective_in(session, agency_id)
    for info in found:
        if text in (info.id, info.base_id):
            return info
    keyed = [i for i in found if i.ref_key.casefold() == text.casefold()]
    if len(keyed) == 1:
        return keyed[0]
    if keyed:
        raise ValidationError(f"Several instruments have the key {text!r}; name one by "
                              "its id.")
    raise NotFoundError(f"There is no instrument {text!r}.")


# ---- checks ------------------------------------------------------------------------------


def check_country(code: str) -> str:
    found = find_country(code.strip()) if code.strip() else None
    if found is None:
        raise ValidationError(f"Unknown country code {code.strip()!r}; use the two-letter "
                              "ISO 3166 code, such as KE or FR.")
    return found.code


def _check_day(text: str, what: str) -> str:
    text = text.strip()
    if text:
        try:
            if not _ISO_DAY.match(text):
                raise ValueError
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"{what} {text!r} is not a date such as 2026-03-28.") from None
    return text


def parse_parties(text: str) -> list[dict[str, str]] | None:
    """"DE, FR:2004-01-01" -> parties with their in-force dates; "?" or "unknown" -> None
    (the party list is not known: a gap)."""
    if text.strip().casefold() in ("?", "unknown"):
        return None
    parties = []
    for part in (p.strip() for p in re.split(r"[,\s]+", text) if p.strip()):
        code, _, since = part.partition(":")
        parties.append({"country": code, "in_force": since})
    return parties


def check_parties(parties: Any) -> list[dict[str, str]] | None:
    if parties is None:
        return None
    if isinstance(parties, str):
        parties = parse_parties(parties)
        if parties is None:
            return None
    checked: dict[str, dict[str, str]] = {}
    for party in parties:
        entry = party if isinstance(party, dict) else {"country": str(party)}
        code = check_country(str(entry.get("country", "")))
        since = _check_day(str(entry.get("in_force", "") or ""),
                           f"The in-force date of {code}")
        checked[code] = {"country": code, "in_force": since}
    return list(checked.values())


def check_values(values: dict[str, Any]) -> dict[str, Any]:
    """The fields of an instrument, checked; refuses what the analysis could not read."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Instrument fields {', '.join(sorted(unknown))} cannot be set.")
    out = dict(values)
    if "name" in out:
        out["name"] = str(out["name"]).strip()
        if not out["name"]:
            raise ValidationError("The instrument needs a name.")
    if "ref_key" in out:
        out["ref_key"] = str(out["ref_key"]).strip()
    if "purpose" in out:
        purposes = legal.purposes_of(str(out["purpose"]))
        wrong = sorted(purposes - set(legal.PURPOSES))
        if wrong or not purposes:
            raise ValidationError(f"Unknown purpose {', '.join(wrong) or '(none)'!r} "
                                  f"(expected {', '.join(legal.PURPOSES)}).")
        out["purpose"] = ", ".join(p for p in legal.PURPOSES if p in purposes)
    if "form" in out and out["form"] not in legal.FORMS:
        raise ValidationError(f"Unknown form {out['form']!r} (expected "
                              f"{', '.join(legal.FORMS)}).")
    if "binding" in out:
        out["binding"] = bool(out["binding"])
    if "parties" in out:
        out["parties"] = check_parties(out["parties"])
    if "in_force" in out:
        out["in_force"] = str(out["in_force"] or "").strip()
    if "conditions" in out:
        out["conditions"] = _check_conditions(out["conditions"])
    if "confidence" in out:
        out["confidence"] = str(out["confidence"]).strip()
        if out["confidence"] not in CONFIDENCES:
            raise ValidationError(f"Confidence is one of {', '.join(CONFIDENCES)}.")
    if "as_of" in out:
        out["as_of"] = _check_day(str(out["as_of"] or ""), "The as-of date")
    if "sources" in out:
        out["sources"] = [s if isinstance(s, dict) else {"what": str(s).strip()}
                          for s in out["sources"] if isinstance(s, dict) or str(s).strip()]
    if "notes" in out:
        out["notes"] = str(out["notes"])
    return out


def _check_conditions(conditions: Any) -> dict[str, Any]:
    if not isinstance(conditions, dict):
        raise ValidationError("Conditions are a set of named conditions.")
    out = dict(conditions)
    for key in legal.CONDITIONS:
        if key in out and not isinstance(out[key], bool):
            raise ValidationError(f"The condition {key} is either true or false.")
    if "nationals" in out and out["nationals"] not in legal.NATIONALS_RULES:
        raise ValidationError(f"How the instrument treats nationals is one of "
                              f"{', '.join(legal.NATIONALS_RULES)}.")
    if "possible_parties" in out:
        out["possible_parties"] = [check_country(str(c)) for c in out["possible_parties"]]
    return out


# ---- writes ------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")[:60] or "INSTRUMENT"


def add_instrument(ctx: AppContext, name: str, purpose: str, form: str,
                   parties: Any, source: str, **values: Any) -> tuple[str, Change]:
    """Add an instrument of this agency's own; ``source`` says where it comes from."""
    if not source.strip():
        raise ValidationError("Say where the instrument comes from (its text, a registry, "
                              "a central authority's advice).")
    today = date.today().isoformat()
    fields = check_values({"name": name, "purpose": purpose, "form": form,
                           "parties": parties,
                           "sources": [{"what": source.strip(), "as_of": today}],
                           "as_of": today, "confidence": "medium", **values})
    fields.setdefault("ref_key", _slug(fields["name"]))
    change = Change()
    with ctx.session() as session:
        record = Instrument(owner_agency_id=ctx.agency_id)
        stamp_write(record, {"binding": True, "in_force": "", "conditions": {}, "notes": "",
                             "tlp": "GREEN", **fields}, ctx.clock)
        session.add(record)
        session.flush()
        change.add("created", "instrument", record.id)
        return record.id, change


def edit_instrument(ctx: AppContext, ref: str, values: dict[str, Any],
                    source: str = "") -> Change:
    """Change an instrument: this agency's own in place; any other (shipped or a
    partner's) by a correction of this agency's own, which needs a ``source``."""
    fields = check_values(values)
    change = Change()
    with ctx.session() as session:
        info = _find(session, ctx.agency_id, ref)
        if info.mine:
            record = session.get(Instrument, info.id)
            assert record is not None
            if source.strip():
                fields["sources"] = [{"what": source.strip(),
                                      "as_of": date.today().isoformat()},
                                     *fields.get("sources", record.sources)]
            if stamp_write(record, fields, ctx.clock):
                change.add("updated", "instrument", record.id)
            return change
        if not source.strip():
            raise ValidationError("Say where the correction comes from (a treaty registry, "
                                  "a central authority's advice).")
        today = date.today().isoformat()
        copied = {name: getattr(info, name) for name in EDITABLE}
        copied.update(fields)
        if "confidence" in fields:
            copied["confidence"] = fields["confidence"]
        else:
            copied.pop("confidence")
        if "as_of" not in fields:
            copied.pop("as_of")
        copied["sources"] = [{"what": source.strip(), "as_of": today},
                             *fields.get("sources", info.sources)]
        copied.setdefault("confidence", "agency correction")
        copied.setdefault("as_of", today)
        # One correction per agency and instrument: a partner's newer one may apply now,
        # but this agency's earlier correction is brought up to date, not duplicated.
        record = session.scalars(select(Instrument).where(
            Instrument.overrides_id == info.base_id,
            Instrument.owner_agency_id == ctx.agency_id)).first()
        bucket = "updated"
        if record is None:
            record = Instrument(owner_agency_id=ctx.agency_id, overrides_id=info.base_id)
            session.add(record)
            bucket = "created"
        stamp_write(record, {**copied, "tlp": "GREEN", "deleted": False}, ctx.clock)
        session.flush()
        change.add(bucket, "instrument", record.id)
    return change


def remove_instrument(ctx: AppContext, ref: str) -> Change:
    """Delete this agency's own instrument, or its correction (the corrected record
    applies again). Shipped and partners' records are corrected, never deleted."""
    change = Change()
    with ctx.session() as session:
        info = _find(session, ctx.agency_id, ref)
        if not info.mine:
            raise ValidationError(f"{info.ref_key or info.name} is not this agency's to "
                                  "delete; correct it instead.")
        record = session.get(Instrument, info.id)
        assert record is not None
        stamp_write(record, {"deleted": True}, ctx.clock)
        change.add("deleted", "instrument", record.id)
    return change
