"""Countries and their IANA zones, read from the installed tzdata package.

tzdata ships ``iso3166.tab`` (code -> name) and ``zone.tab`` (code -> zones); reading
them at run time keeps the map in step with the zone rules the app converts with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

# Kosovo has no ISO 3166-1 code and no row in zone.tab; agencies use XK for it.
_EXTRA = {"XK": ("Kosovo", ["Europe/Belgrade"])}


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    zones: tuple[str, ...] = field(default_factory=tuple)


def _read_tab(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def all_countries() -> dict[str, Country]:
    names = {row[0]: row[1] for row in _read_tab("iso3166.tab")}
    zones: dict[str, list[str]] = {}
    for row in _read_tab("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    result = {code: Country(code, name, tuple(zones.get(code, ()))) for code, name in names.items()}
    for code, (name, extra_zones) in _EXTRA.items():
        result.setdefault(code, Country(code, name, tuple(extra_zones)))
    return result


def country(code: str) -> Country | None:
    return all_countries().get(code.strip().upper())


def tzdata_version() -> str:
    first = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").open(encoding="utf-8")
    with first:
        line = first.readline()
    return line.removeprefix("# version").strip()
