"""What the reference data says about a country, with where it comes from.

The views show these facts beside the fields they bear on (a site's country and zone, a
target's nationality), always with source, as-of date and confidence: they are starting
points that an agency checks, not law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.core.countries import country as find_country
from app.core.countries import tzdata_version
from app.models.base import reference_id
from app.models.records import Jurisdiction
from app.services.context import AppContext

NATIONALS_STATUS = {
    "bar": "does not extradite its own nationals",
    "bar_except_eu_or_treaty": "does not extradite its own nationals, except by European "
                               "arrest warrant, a specific treaty or to international courts",
    "consent_only": "extradites its own nationals only with their consent",
    "conditional": "extradites its own nationals under conditions (treaty, reciprocity, "
                   "return to serve the sentence)",
    "allowed": "has no bar on extraditing its own nationals",
}


@dataclass(frozen=True)
class SourcedFact:
    """A statement from the reference data and what backs it."""

    text: str
    sources: tuple[str, ...]
    as_of: str
    confidence: str

    def provenance(self) -> str:
        where = "; ".join(self.sources) or "source not recorded"
        return (f"Source: {where}. As of {self.as_of or 'unknown date'}; "
                f"confidence {self.confidence or 'not stated'}.")


@dataclass(frozen=True)
class JurisdictionFacts:
    country: str
    name: str
    zones: tuple[str, ...]
    zones_source: str
    search_rule: SourcedFact | None
    nationals: SourcedFact | None
    # Subdivisions with their own search-hour rule (a US district, an Australian state).
    subdivisions: list[tuple[str, SourcedFact]] = field(default_factory=list)


def _sources(entries: list[Any]) -> tuple[str, ...]:
    found = []
    for entry in entries:
        if isinstance(entry, dict):
            text = str(entry.get("url") or entry.get("what") or "")
        else:
            text = str(entry)
        if text:
            found.append(text)
    return tuple(found)


def _search_fact(j: Jurisdiction) -> SourcedFact | None:
    kind = (j.search_rule or {}).get("kind", "unknown")
    if kind == "unknown" and not j.search_rule_text:
        return None
    return SourcedFact(j.search_rule_text or "No fixed hours for searches.",
                       _sources(j.search_source), j.search_as_of, j.search_confidence)


def _nationals_fact(j: Jurisdiction) -> SourcedFact | None:
    if not j.nationals_bar:
        return None
    status = NATIONALS_STATUS.get(j.nationals_bar, j.nationals_bar)
    text = f"{j.name} {status}."
    if j.nationals_basis:
        text += f" {j.nationals_basis}"
    return SourcedFact(text, _sources(j.nationals_source), j.nationals_as_of,
                       j.nationals_confidence)


def jurisdiction_facts(ctx: AppContext, country_code: str) -> JurisdictionFacts | None:
    """The facts on record for a country (an agency's own correction, where it made one,
    in place of the shipped entry); None for an unknown code."""
    code = country_code.strip().upper()
    known = find_country(code)
    if known is None:
        return None
    shipped_id = reference_id("jurisdiction", code)
    with ctx.session() as session:
        rows = list(session.scalars(select(Jurisdiction).where(
            Jurisdiction.country == code, Jurisdiction.deleted.is_(False))))
        corrections = {j.overrides_id: j for j in rows if j.overrides_id}
        rows = [corrections.get(j.id, j) for j in rows if not j.overrides_id]
        main = next((j for j in rows if j.id == shipped_id or j.overrides_id == shipped_id),
                    None)
        subdivisions = [(j.name, fact) for j in rows if j is not main
                        for fact in [_search_fact(j)] if fact is not None]
        if main is None:
            return JurisdictionFacts(code, known.name, known.zones,
                                     f"IANA tzdata {tzdata_version()}", None, None,
                                     subdivisions)
        return JurisdictionFacts(code, known.name, tuple(main.zones) or known.zones,
                                 f"IANA tzdata {tzdata_version()}", _search_fact(main),
                                 _nationals_fact(main), subdivisions)
