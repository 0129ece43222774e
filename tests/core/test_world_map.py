"""The world map: outlines keyed by ISO code, a point inside every country, Equal Earth."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from app.core.countries import all_countries
from app.core.world_map import (
    ALPHA3,
    WORLD_GEOJSON,
    equal_earth,
    equal_earth_arrays,
    feature_code,
    globe_outline,
    inside,
    parse_zone_place,
    project_ring,
    projected_outlines,
    world_map,
)


def test_every_feature_of_the_shipped_map_loads_under_a_known_code() -> None:
    document = json.loads(WORLD_GEOJSON.read_text(encoding="utf-8"))
    world = world_map()
    assert world.unmapped == ()
    codes = {feature_code(f["properties"]) for f in document["features"]}
    assert None not in codes
    assert set(world.countries) == codes
    known = all_countries()
    assert [c for c in world.countries if c not in known] == []
    assert len(world.countries) >= 170
    kenya = world.countries["KE"]
    assert kenya.name == "Kenya"
    assert len(kenya.polygons) == 1 and len(kenya.polygons[0][0]) > 10


def test_codes_natural_earth_leaves_out_are_found_by_name() -> None:
    world = world_map()
    assert world.countries["XK"].name == "Kosovo"  # iso_a3 -99 in this file
    assert feature_code({"iso_a3": "-99", "name": "France"}) == "FR"  # as in other versions
    assert feature_code({"iso_a3": "-99", "name": "Norway"}) == "NO"
    assert feature_code({"iso_a3": "-99", "name": "Atlantis"}) is None
    # Territories without an ISO code count as the country they are in.
    assert world.countries["CY"].name == "Cyprus" and len(world.countries["CY"].polygons) == 2
    assert world.countries["SO"].name == "Somalia"
    assert set(ALPHA3.values()) <= set(all_countries())


def test_a_map_with_a_feature_of_no_code_keeps_the_others(tmp_path: Path) -> None:
    square = [[[30, -5], [40, -5], [40, 5], [30, 5], [30, -5]]]
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"properties": {"iso_a3": "KEN", "name": "Kenya"},
         "geometry": {"type": "Polygon", "coordinates": square}},
        {"properties": {"iso_a3": "-99", "name": "Nowhere"},
         "geometry": {"type": "Polygon", "coordinates": square}}]}), encoding="utf-8")
    world = world_map(path)
    assert list(world.countries) == ["KE"]
    assert world.unmapped == ("Nowhere",)
    assert world.countries["KE"].anchor == pytest.approx((35, 0))


def test_every_country_code_has_a_place() -> None:
    world = world_map()
    missing = [code for code in all_countries() if world.anchor(code) is None]
    assert missing == []
    assert world.anchor("ke") == world.countries["KE"].anchor
    assert world.anchor("ZZ") is None
    # Off the 1:110m map, a small state is placed at its main city.
    lon, lat = world.anchor("SG") or (0, 0)
    assert lon == pytest.approx(103.85, abs=0.01) and lat == pytest.approx(1.28, abs=0.01)


@pytest.mark.parametrize("code", ["KE", "FR", "US", "NO", "CL", "HR", "ID", "RU", "VN", "IT"])
def test_a_country_s_anchor_lies_inside_its_outline(code: str) -> None:
    shape = world_map().countries[code]
    assert any(inside(shape.anchor, polygon) for polygon in shape.polygons)


def test_known_cities_fall_inside_their_countries() -> None:
    countries = world_map().countries
    cities = {"KE": (36.82, -1.29), "AO": (13.29, -8.84), "NL": (4.90, 52.37),
              "BR": (-47.93, -15.78), "AU": (149.13, -35.28)}
    for code, city in cities.items():
        assert any(inside(city, p) for p in countries[code].polygons), code
        assert not any(inside(city, p) for p in countries["ZA"].polygons)


def test_zone_tab_coordinates() -> None:
    assert parse_zone_place("+0117+10351") == pytest.approx((103 + 51 / 60, 1 + 17 / 60))
    lon, lat = parse_zone_place("-690022+0393524")
    assert lat == pytest.approx(-(69 + 22 / 3600))
    assert lon == pytest.approx(39 + 35 / 60 + 24 / 3600)


def test_equal_earth_known_points() -> None:
    assert equal_earth(0, 0) == (0.0, 0.0)
    # The published extent for a unit sphere: 2.7066 wide each way, 1.3173 high.
    assert equal_earth(180, 0)[0] == pytest.approx(2.70663, abs=1e-5)
    assert equal_earth(0, 90) == pytest.approx((0.0, 1.31736), abs=1e-5)
    # The poles are lines, shorter than the equator but not points.
    assert 0.5 < equal_earth(180, 90)[0] / equal_earth(180, 0)[0] < 0.6
    east, north = equal_earth(36.82, -1.29)  # Nairobi: east of Greenwich, just south
    assert east > 0 > north
    assert equal_earth(-36.82, 1.29) == pytest.approx((-east, -north))


@pytest.mark.parametrize(("lon", "lat"), [(0, 0), (36, -1), (-100, 40), (150, -70), (10, 80)])
def test_equal_earth_keeps_areas(lon: float, lat: float) -> None:
    """The area of a small cell on the plane is its area on the unit sphere: the
    Jacobian's determinant is cos(latitude) per radian squared."""
    h = 1e-4
    x0, y0 = equal_earth(lon, lat)
    x1, y1 = equal_earth(lon + h, lat)
    x2, y2 = equal_earth(lon, lat + h)
    det = ((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)) / math.radians(h) ** 2
    assert det == pytest.approx(math.cos(math.radians(lat)), rel=1e-3)


def test_projected_outlines_cover_the_world_inside_its_edge() -> None:
    outlines = projected_outlines()
    assert set(outlines) == set(world_map().countries)
    xs = [x for rings in outlines.values() for ring in rings for x, _y in ring]
    ys = [y for rings in outlines.values() for ring in rings for _x, y in ring]
    assert -2.71 < min(xs) < -2.6 and 2.6 < max(xs) < 2.71
    assert min(ys) < -1.2 and max(ys) > 1.0
    edge = globe_outline()
    assert edge[0] == pytest.approx(equal_earth(180, -90))
    assert max(abs(x) for x, _y in edge) == pytest.approx(2.70663, abs=1e-5)


def test_arrays_project_as_single_points_do() -> None:
    lons, lats = [-170.5, 0.0, 36.82, 179.9], [-80.0, 0.0, -1.29, 66.6]
    xs, ys = equal_earth_arrays(lons, lats)
    assert list(zip(xs.tolist(), ys.tolist(), strict=True)) == [
        pytest.approx(equal_earth(lon, lat)) for lon, lat in zip(lons, lats, strict=True)]
    assert project_ring([]) == []
    assert project_ring([(36.82, -1.29)]) == [pytest.approx(equal_earth(36.82, -1.29))]
