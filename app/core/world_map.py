"""The world map the operation map is drawn on: country outlines keyed by ISO 3166-1
alpha-2 code, a point inside each country, and the Equal Earth projection.

The outlines are Natural Earth's 1:110m countries as shipped in resources/ (see
WORLD_MAP_ATTRIBUTION.md beside them); they are read once per process.

Equal Earth (Šavrič, Patterson and Jenny, 2018) rather than a plain longitude/latitude
grid: the map shades countries by how many targets they hold, and an equal-area
projection keeps a country's share of the map in proportion to its share of the globe,
so Canada or Russia does not outweigh Kenya by distortion alone, while the continents
keep shapes people recognise. Its forward formula is closed-form and cheap, and here
computed on numpy arrays: ten thousand sites are projected in a millisecond.

Countries the 1:110m map leaves out (small islands, city-states) still get a point:
the place of their first time zone in tzdata's zone.tab, which lists one for every
ISO country but two uninhabited islands, given here.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

WORLD_GEOJSON = Path(__file__).resolve().parents[2] / "resources" / "world_110m.geojson"

FloatArray = NDArray[np.float64]
Point = tuple[float, float]  # (longitude, latitude) in degrees, or (x, y) on the plane
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # the outer ring, then its holes

# ISO 3166-1 alpha-3 to alpha-2 for the countries of the 1:110m map. Natural Earth's own
# codes for territories ISO does not list are mapped to the ISO country they are in
# (Northern Cyprus to CY, Somaliland to SO), so targets there shade the country.
ALPHA3: dict[str, str] = {
    "AFG": "AF", "AGO": "AO", "ALB": "AL", "ARE": "AE", "ARG": "AR", "ARM": "AM",
    "ATA": "AQ", "ATF": "TF", "AUS": "AU", "AUT": "AT", "AZE": "AZ", "BDI": "BI",
    "BEL": "BE", "BEN": "BJ", "BFA": "BF", "BGD": "BD", "BGR": "BG", "BHS": "BS",
    "BIH": "BA", "BLR": "BY", "BLZ": "BZ", "BOL": "BO", "BRA": "BR", "BRN": "BN",
    "BTN": "BT", "BWA": "BW", "CAF": "CF", "CAN": "CA", "CHE": "CH", "CHL": "CL",
    "CHN": "CN", "CIV": "CI", "CMR": "CM", "COD": "CD", "COG": "CG", "COL": "CO",
    "CRI": "CR", "CUB": "CU", "CYN": "CY", "CYP": "CY", "CZE": "CZ", "DEU": "DE",
    "DJI": "DJ", "DNK": "DK", "DOM": "DO", "DZA": "DZ", "ECU": "EC", "EGY": "EG",
    "ERI": "ER", "ESH": "EH", "ESP": "ES", "EST": "EE", "ETH": "ET", "FIN": "FI",
    "FJI": "FJ", "FLK": "FK", "FRA": "FR", "GAB": "GA", "GBR": "GB", "GEO": "GE",
    "GHA": "GH", "GIN": "GN", "GMB": "GM", "GNB": "GW", "GNQ": "GQ", "GRC": "GR",
    "GRL": "GL", "GTM": "GT", "GUY": "GY", "HND": "HN", "HRV": "HR", "HTI": "HT",
    "HUN": "HU", "IDN": "ID", "IND": "IN", "IRL": "IE", "IRN": "IR", "IRQ": "IQ",
    "ISL": "IS", "ISR": "IL", "ITA": "IT", "JAM": "JM", "JOR": "JO", "JPN": "JP",
    "KAZ": "KZ", "KEN": "KE", "KGZ": "KG", "KHM": "KH", "KOR": "KR", "KWT": "KW",
    "LAO": "LA", "LBN": "LB", "LBR": "LR", "LBY": "LY", "LKA": "LK", "LSO": "LS",
    "LTU": "LT", "LUX": "LU", "LVA": "LV", "MAR": "MA", "MDA": "MD", "MDG": "MG",
    "MEX": "MX", "MKD": "MK", "MLI": "ML", "MMR": "MM", "MNE": "ME", "MNG": "MN",
    "MOZ": "MZ", "MRT": "MR", "MWI": "MW", "MYS": "MY", "NAM": "NA", "NCL": "NC",
    "NER": "NE", "NGA": "NG", "NIC": "NI", "NLD": "NL", "NOR": "NO", "NPL": "NP",
    "NZL": "NZ", "OMN": "OM", "PAK": "PK", "PAN": "PA", "PER": "PE", "PHL": "PH",
    "PNG": "PG", "POL": "PL", "PRI": "PR", "PRK": "KP", "PRT": "PT", "PRY": "PY",
    "PSE": "PS", "QAT": "QA", "ROU": "RO", "RUS": "RU", "RWA": "RW", "SAU": "SA",
    "SDN": "SD", "SEN": "SN", "SLB": "SB", "SLE": "SL", "SLV": "SV", "SOL": "SO",
    "SOM": "SO", "SRB": "RS", "SSD": "SS", "SUR": "SR", "SVK": "SK", "SVN": "SI",
    "SWE": "SE", "SWZ": "SZ", "SYR": "SY", "TCD": "TD", "TGO": "TG", "THA": "TH",
    "TJK": "TJ", "TKM": "TM", "TLS": "TL", "TTO": "TT", "TUN": "TN", "TUR": "TR",
    "TWN": "TW", "TZA": "TZ", "UGA": "UG", "UKR": "UA", "URY": "UY", "USA": "US",
    "UZB": "UZ", "VEN": "VE", "VNM": "VN", "VUT": "VU", "YEM": "YE", "ZAF": "ZA",
    "ZMB": "ZM", "ZWE": "ZW",
}
# Natural Earth gives -99 where it assigns no ISO code: Kosovo in this file, and in some
# of its versions France and Norway too (their overseas parts confuse the code). Those
# features are known by name.
BY_NAME: dict[str, str] = {"Kosovo": "XK", "France": "FR", "Norway": "NO",
                           "N. Cyprus": "CY", "Northern Cyprus": "CY", "Somaliland": "SO"}
# The only ISO countries without a zone.tab line: uninhabited islands.
_NO_ZONE: dict[str, Point] = {"BV": (3.36, -54.42), "HM": (73.5, -53.08)}


@dataclass(frozen=True)
class CountryShape:
    code: str  # ISO 3166-1 alpha-2 (XK for Kosovo)
    name: str  # as the map names it
    polygons: tuple[Polygon, ...]  # longitude/latitude
    anchor: Point  # a point inside its largest part, for labels and lines


@dataclass(frozen=True)
class WorldMap:
    countries: dict[str, CountryShape]
    unmapped: tuple[str, ...]  # names of features no code could be found for

    def anchor(self, code: str) -> Point | None:
        """Where to put a country that has no better place: inside its outline, or
        (off this map's scale) at its first time zone's city; None if unknown."""
        key = code.strip().upper()
        shape = self.countries.get(key)
        if shape is not None:
            return shape.anchor
        return zone_places().get(key)


def feature_code(properties: dict[str, object]) -> str | None:
    """The alpha-2 code of a map feature, from its alpha-3 code or else its name."""
    iso_a3 = str(properties.get("iso_a3") or "").strip().upper()
    if iso_a3 in ALPHA3:
        return ALPHA3[iso_a3]
    return BY_NAME.get(str(properties.get("name") or "").strip())


@cache
def world_map(path: Path = WORLD_GEOJSON) -> WorldMap:
    """The countries of the GeoJSON file, read once (several features of one country
    are joined into one shape)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    parts: dict[str, list[Polygon]] = {}
    names: dict[str, tuple[float, str]] = {}  # the name of the country's largest feature
    unmapped: list[str] = []
    for feature in document.get("features", []):
        properties = feature.get("properties") or {}
        code = feature_code(properties)
        if code is None:
            unmapped.append(str(properties.get("name") or "?"))
            continue
        geometry = feature.get("geometry") or {}
        polygons = _polygons(geometry.get("type"), geometry.get("coordinates") or [])
        parts.setdefault(code, []).extend(polygons)
        size = sum(abs(ring_area(p[0])) for p in polygons)
        if size >= names.get(code, (-1.0, ""))[0]:
            names[code] = (size, str(properties.get("name") or code))
    countries = {code: CountryShape(code, names[code][1], tuple(polys), _anchor(polys))
                 for code, polys in parts.items() if polys}
    return WorldMap(countries, tuple(unmapped))


def _polygons(kind: object, coordinates: Any) -> list[Polygon]:
    def polygon(rings: Any) -> Polygon:
        return tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in rings)

    if kind == "Polygon":
        return [polygon(coordinates)]
    if kind == "MultiPolygon":
        return [polygon(p) for p in coordinates]
    return []


# ---- a point inside a country -------------------------------------------------------


def ring_area(ring: Sequence[Point]) -> float:
    """Signed area (shoelace) in square degrees; what matters is the comparison."""
    total = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        total += x0 * y1 - x1 * y0
    return total / 2


def _centroid(ring: Sequence[Point]) -> Point:
    area = ring_area(ring)
    if area == 0:
        xs, ys = zip(*ring, strict=True)
        return (sum(xs) / len(xs), sum(ys) / len(ys))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * area), cy / (6 * area))


def inside(point: Point, polygon: Polygon) -> bool:
    """Even-odd rule over the polygon's rings (holes included)."""
    x, y = point
    result = False
    for ring in polygon:
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                result = not result
    return result


def _anchor(polygons: Sequence[Polygon]) -> Point:
    """The centroid of the largest part; for a part whose centroid falls outside it (a
    crescent), the middle of the widest stretch of land along the centroid's latitude."""
    largest = max(polygons, key=lambda p: abs(ring_area(p[0])))
    centre = _centroid(largest[0])
    if inside(centre, largest):
        return centre
    y = centre[1]
    crossings = sorted(x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                       for ring in largest
                       for (x0, y0), (x1, y1) in itertools.pairwise(ring)
                       if (y0 > y) != (y1 > y))
    spans = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not spans:
        return centre
    start, end = max(spans, key=lambda s: s[1] - s[0])
    return ((start + end) / 2, y)


# ---- countries off the map ----------------------------------------------------------


def _degrees(text: str, width: int) -> float:
    """zone.tab's ±DDMM[SS] / ±DDDMM[SS] to degrees."""
    sign = -1.0 if text[0] == "-" else 1.0
    digits = text[1:]
    degrees = int(digits[:width])
    minutes = int(digits[width:width + 2])
    seconds = int(digits[width + 2:] or 0)
    return sign * (degrees + minutes / 60 + seconds / 3600)


def parse_zone_place(text: str) -> Point:
    """(longitude, latitude) of a zone.tab coordinate field such as +0117+10351."""
    split = max(text.rfind("+"), text.rfind("-"))
    return (_degrees(text[split:], 3), _degrees(text[:split], 2))


@cache
def zone_places() -> dict[str, Point]:
    """Each country's first zone.tab place (its main city, as a rule)."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    places: dict[str, Point] = dict(_NO_ZONE)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            places.setdefault(fields[0], parse_zone_place(fields[1]))
    places.setdefault("XK", (21.17, 42.67))  # Pristina; Kosovo has no zone.tab line
    return places


# ---- Equal Earth ----------------------------------------------------------------------

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(x, y) on the Equal Earth plane for a sphere of radius 1, y to the north, of
    longitudes and latitudes in degrees (arrays, or single numbers): x runs from -2.7066
    to 2.7066 and y from -1.3173 to 1.3173."""
    lam = np.radians(np.asarray(lon, dtype=float))
    theta = np.arcsin(_M * np.sin(np.radians(np.asarray(lat, dtype=float))))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    x = lam * np.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    return x, y


def equal_earth(lon: float, lat: float) -> Point:
    """One point on the Equal Earth plane (see ``equal_earth_arrays``)."""
    x, y = equal_earth_arrays(lon, lat)
    return (float(x), float(y))


def project_ring(ring: Sequence[Point]) -> list[Point]:
    if not ring:
        return []
    lons, lats = zip(*ring, strict=True)
    xs, ys = equal_earth_arrays(lons, lats)
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


@cache
def projected_outlines(path: Path = WORLD_GEOJSON) -> dict[str, tuple[tuple[Point, ...], ...]]:
    """Every ring of every country on the plane (holes as rings too: drawn with the
    even-odd rule they stay holes), computed once."""
    return {code: tuple(tuple(project_ring(ring)) for polygon in shape.polygons
                        for ring in polygon)
            for code, shape in world_map(path).countries.items()}


def globe_outline(steps: int = 90) -> list[Point]:
    """The edge of the world on the plane: the meridians of ±180° from pole to pole."""
    east = [equal_earth(180.0, -90 + 180 * i / steps) for i in range(steps + 1)]
    west = [equal_earth(-180.0, 90 - 180 * i / steps) for i in range(steps + 1)]
    return east + west
