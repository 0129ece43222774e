"""Reference facts for a country, with source, as-of date and confidence."""

from __future__ import annotations

from app.services.context import AppContext
from app.services.reference_facts import jurisdiction_facts


def test_kenya_has_a_sourced_search_rule(ctx: AppContext) -> None:
    facts = jurisdiction_facts(ctx, "ke")
    assert facts is not None
    assert (facts.country, facts.name, facts.zones) == ("KE", "Kenya", ("Africa/Nairobi",))
    assert facts.zones_source.startswith("IANA tzdata ")
    rule = facts.search_rule
    assert rule is not None and "sunrise" in rule.text
    assert rule.sources and rule.confidence == "high" and rule.as_of
    assert "Source: " in rule.provenance() and "confidence high" in rule.provenance()


def test_subdivisions_and_nationals(ctx: AppContext) -> None:
    us = jurisdiction_facts(ctx, "US")
    assert us is not None
    assert any("US-DC" in name for name, _fact in us.subdivisions)
    germany = jurisdiction_facts(ctx, "DE")
    assert germany is not None and germany.nationals is not None
    assert "does not extradite its own nationals" in germany.nationals.text
    assert germany.nationals.sources


def test_gaps_are_gaps(ctx: AppContext) -> None:
    assert jurisdiction_facts(ctx, "XX") is None
    brazil = jurisdiction_facts(ctx, "BR")
    assert brazil is not None and brazil.search_rule is None and len(brazil.zones) > 1
