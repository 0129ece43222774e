"""Checks on where things are: country codes, IANA zones, coordinates, kinds and levels.

Shared by the forms, the CSV import and the CLI, so that every way in refuses the
same input with the same reason.
"""

from __future__ import annotations

from app.core import tlp
from app.core.countries import country

TARGET_KINDS = ("person", "organisation", "wallet", "premises", "server")
ACTION_KINDS = ("arrest", "search", "seizure", "takedown")
# A joint operation strikes within hours of H-hour; an offset beyond a week is a typo.
MAX_OFFSET_MIN = 7 * 24 * 60
_KIND_ALIASES = {"organization": "organisation", "org": "organisation", "company": "organisation"}


def check_country(code: str) -> str:
    found = country(code) if code.strip() else None
    if found is None:
        raise ValueError(f"unknown country {code.strip()!r}" if code.strip()
                         else "country is missing")
    return found.code


def check_zone(country_code: str, zone: str) -> str:
    """The site's IANA zone: the one given, which must belong to the country, or the
    country's only zone. A country with several zones needs the zone named."""
    found = country(country_code)
    assert found is not None
    zone = zone.strip()
    if zone:
        if zone not in found.zones:
            raise ValueError(f"zone {zone} is not in {found.name} ({found.code})")
        return zone
    if len(found.zones) == 1:
        return found.zones[0]
    if not found.zones:
        raise ValueError(f"{found.name} has no time zone in the tz database")
    raise ValueError(f"{found.name} has {len(found.zones)} time zones; name the site's zone "
                     f"(e.g. {found.zones[0]})")


def check_latitude(text: str) -> float | None:
    return _coordinate(text, "latitude", 90.0)


def check_longitude(text: str) -> float | None:
    return _coordinate(text, "longitude", 180.0)


def _coordinate(text: str, name: str, limit: float) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not -limit <= value <= limit or value != value:
        raise ValueError(f"{name} {text} is out of range (-{limit:g} to {limit:g})")
    return value


def check_target_kind(text: str) -> str:
    kind = text.strip().lower()
    kind = _KIND_ALIASES.get(kind, kind)
    if kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {text.strip()!r} (expected "
                         f"{', '.join(TARGET_KINDS)})")
    return kind


def check_action_kind(text: str) -> str:
    kind = text.strip().lower()
    if kind not in ACTION_KINDS:
        raise ValueError(f"unknown action {text.strip()!r} (expected {', '.join(ACTION_KINDS)})")
    return kind


def check_offset(text: str) -> int:
    text = text.strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"offset_min {text!r} is not a whole number of minutes") from None
    if abs(value) > MAX_OFFSET_MIN:
        raise ValueError(f"offset_min {value} is more than a week from H-hour "
                         f"(at most ±{MAX_OFFSET_MIN})")
    return value


def check_tlp(text: str) -> str:
    return tlp.normalise(text)
