"""Reference facts as the views show them: the statement, then source, date, confidence."""

from __future__ import annotations

from html import escape

from app.services.reference_facts import JurisdictionFacts, SourcedFact


def provenance(fact: SourcedFact) -> str:
    """Source (the first, and how many more), as-of date and confidence, in one line."""
    first = fact.sources[0] if fact.sources else "not recorded"
    more = f" (+{len(fact.sources) - 1} more)" if len(fact.sources) > 1 else ""
    return (f"Source: {first}{more} · as of {fact.as_of or 'unknown'} · confidence "
            f"{fact.confidence or 'not stated'}")


def _fact_html(title: str, fact: SourcedFact) -> str:
    return (f"<b>{escape(title)}:</b> {escape(fact.text)}<br>"
            f"<span style='color:gray'>{escape(provenance(fact))}</span>")


def facts_html(facts: JurisdictionFacts, zone: str = "") -> str:
    zone_text = (f"time zone {zone}" if zone else
                 f"time zone {facts.zones[0]}" if len(facts.zones) == 1 else
                 f"{len(facts.zones)} time zones")
    parts = [f"<b>{escape(facts.name)} ({facts.country})</b>: {escape(zone_text)} "
             f"<span style='color:gray'>(from {escape(facts.zones_source)})</span>"]
    if facts.search_rule is not None:
        parts.append(_fact_html("Search hours", facts.search_rule))
    else:
        parts.append(f"<b>Search hours:</b> no rule on record for {escape(facts.name)}; "
                     "check local law before planning a search at night.")
    for name, fact in facts.subdivisions:
        parts.append(_fact_html(f"Search hours in {name}", fact))
    return "<br>".join(parts)


def nationals_text(facts: list[JurisdictionFacts]) -> str:
    """Bars on extraditing nationals for a target's nationalities, as plain text."""
    lines = []
    for f in facts:
        if f.nationals is not None:
            lines.append(f"Extradition: {f.nationals.text} {provenance(f.nationals)}.")
        else:
            lines.append(f"Extradition: nothing on record for {f.name} ({f.country}) "
                         "about extraditing its nationals.")
    return "\n".join(lines)
