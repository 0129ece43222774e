"""The planner's sunrise and sunset are astral's, to the microsecond: it runs astral's
computation in parts (shared per date, cached per site) for speed, which must not
change a single result."""

from __future__ import annotations

from datetime import date, timedelta

from astral import Observer, SunDirection
from astral.sun import sunrise, sunset
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import timing

ZONES = ["Europe/Paris", "Africa/Nairobi", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kathmandu", "Pacific/Kiritimati", "America/Adak", "Arctic/Longyearbyen",
         "Antarctica/McMurdo", "UTC"]


def _astral(observer: Observer, zone: str, day: date, direction: SunDirection) -> object:
    crossing = sunrise if direction is SunDirection.RISING else sunset
    try:
        return crossing(observer, day, tzinfo=timing.zone_of(zone))
    except ValueError:
        return None


def _planner(observer: Observer, zone: str, day: date, direction: SunDirection,
             transits: timing.Transits) -> object:
    try:
        return timing._sun_crossing(observer, timing.zone_of(zone), day, direction, transits)
    except ValueError:
        return None


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ZONES), st.floats(-90, 90), st.floats(-180, 180),
       st.dates(date(2020, 1, 1), date(2035, 12, 31)))
def test_crossings_match_astral(zone: str, lat: float, lon: float, first: date) -> None:
    observer = Observer(lat, lon)
    transits: timing.Transits = {}  # shared across days, as lawful_starts shares it
    for day in (first + timedelta(days=k) for k in range(4)):
        for direction in (SunDirection.RISING, SunDirection.SETTING):
            assert _planner(observer, zone, day, direction, transits) == \
                _astral(observer, zone, day, direction)
