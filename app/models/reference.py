"""Reference data loaded into every new store, each entry with its source and confidence.

Countries and zones come from the installed tzdata; conventions, bars on extraditing
nationals and search-hour rules from resources/reference/. Shipped records get ids
derived from their source keys (the same in every store) and no owner.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.orm import Session

from app.core.countries import all_countries, tzdata_version
from app.models.base import reference_id
from app.models.records import Instrument, Jurisdiction
from app.models.resources import REFERENCE

# Search-hour entries name subdivisions in prose; map them to a code and a country.
_SUBDIVISION = re.compile(r"^([A-Z]{2})(?:[- ]\(?(.*?)\)?)?$")

_PURPOSE = {"EU_EAW": "surrender", "NORDIC_ARREST_WARRANT": "surrender"}
_FORM = {"LONDON_SCHEME": "scheme", "EU_EAW": "surrender scheme",
         "NORDIC_ARREST_WARRANT": "surrender scheme"}


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REFERENCE / name).read_text(encoding="utf-8"))
    return data


def _as_of(sources: list[dict[str, Any]], fallback: str) -> str:
    dated = [str(s.get("as_of", "")) for s in sources if s.get("as_of")]
    return "; ".join(dict.fromkeys(dated)) or fallback


def search_rule(window: dict[str, str] | None) -> dict[str, Any]:
    if window is None:
        return {"kind": "none"}
    if window.get("start") in ("sunrise", "day"):
        return {"kind": "solar"}
    return {"kind": "window", "start": window["start"], "end": window["end"]}


def jurisdiction_code(label: str) -> tuple[str, str]:
    """('US-DC', 'US') from 'US-DC'; ('US', 'US') from 'US (federal)'; ('GB-ENG/WLS', 'GB')."""
    head = label.split(" ")[0]
    country = head[:2]
    return head, country


def load_reference(session: Session) -> int:
    """Add the shipped reference records; returns how many were added."""
    countries = all_countries()
    version = tzdata_version()
    jurisdictions: dict[str, Jurisdiction] = {}
    for c in countries.values():
        jurisdictions[c.code] = Jurisdiction(
            id=reference_id("jurisdiction", c.code), code=c.code, name=c.name, country=c.code,
            zones=list(c.zones), search_rule={"kind": "unknown"},
            search_source=[{"what": f"IANA tzdata {version}: iso3166.tab, zone.tab"}],
            search_confidence="", tlp="CLEAR")

    searches = _load("search_hours.json")
    for entry in searches["entries"]:
        code, cc = jurisdiction_code(entry["jurisdiction"])
        sources = entry.get("sources", [])
        j = jurisdictions.get(code)
        if j is None:
            parent = countries.get(cc)
            j = Jurisdiction(id=reference_id("jurisdiction", code), code=code,
                             name=f"{parent.name if parent else cc} ({entry['jurisdiction']})",
                             country=cc, zones=list(entry.get("iana_zones", [])), tlp="CLEAR")
            jurisdictions[code] = j
        elif cc == code and entry["jurisdiction"] != code:
            # "US (federal)": the country row carries the federal rule.
            j.name = f"{j.name} ({entry['jurisdiction'][3:].strip('() ')})"
        j.search_rule = search_rule(entry.get("window_local"))
        j.search_rule_text = entry.get("rule", "") or entry.get("notes", "")
        j.search_source = sources
        j.search_as_of = _as_of(sources, searches["_meta"]["compiled"])
        j.search_confidence = str(entry.get("confidence", ""))

    nationals = _load("nationals_extradition.json")
    for entry in nationals["entries"]:
        j = jurisdictions.get(entry["iso"])
        if j is None:
            continue
        sources = entry.get("sources", [])
        j.nationals_bar = entry["status"]
        j.nationals_basis = entry.get("legal_basis", "")
        j.nationals_source = sources
        j.nationals_as_of = _as_of(sources, nationals["_meta"]["compiled"])
        j.nationals_confidence = str(entry.get("confidence", ""))

    instruments = []
    conventions = _load("extradition_conventions.json")
    for entry in conventions["instruments"]:
        key = entry["id"]
        parties = entry.get("parties")
        notes = [entry.get(k) for k in ("parties_derivation", "parties_note", "note")
                 if entry.get(k)]
        notes += [str(n) for n in entry.get("notes", [])]
        instruments.append(Instrument(
            id=reference_id("instrument", key), ref_key=key, name=entry["name"],
            purpose=_PURPOSE.get(key, "extradition"),
            form=_FORM.get(key, "multilateral convention"),
            binding=bool(entry.get("binding", True)),
            parties=[{"country": p, "in_force": ""} for p in parties] if parties else None,
            in_force=str(entry.get("entry_into_force") or entry.get("applies_since") or ""),
            conditions={k: entry[k] for k in ("uncertain", "partial", "signatories",
                                              "ratified_confirmed", "commonwealth_members",
                                              "context_unsourced", "notable_non_parties")
                        if k in entry},
            notes="\n".join(str(n) for n in notes),
            sources=entry.get("sources", []),
            as_of=_as_of(entry.get("sources", []), conventions["_meta"]["compiled"]),
            confidence=str(entry.get("confidence", "")), tlp="CLEAR"))

    records = [*jurisdictions.values(), *instruments]
    session.add_all(records)
    return len(records)
