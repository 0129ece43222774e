"""Strike timing: the feasible H-hour windows (``app.core.timing.plan``) of 1,000 actions
over 60 time zones and a 14-day range.

Inputs are built directly as ``ActionTiming`` values (no store): a mix of daily windows,
night bans, sunrise-to-sunset with the site's coordinates, per-weekday overrides and
offsets from H-hour. Cases:

- world: 60 zones round the world (every UTC offset from -10:00 to +13:45, half and
  three-quarter hours, DST in both hemispheres); nothing fits all of them, so the plan is
  infeasible and also names the conflicting pairs and the fewest actions to move.
- band: 60 zones of Europe, Africa and the Middle East (UTC-1 to +4:30) and rules wide
  enough to meet: a feasible plan, windows ranked.
- shared: 1,000 actions of which most share a few (zone, rule) pairs, as in an
  operation with many sites in a handful of countries.

    .venv/bin/python -m bench.bench_timing [--runs 7]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from app.core.timing import ActionTiming, Plan, Rule, plan
from bench.measure import machine, median_of, table

START = datetime(2026, 3, 20, tzinfo=UTC)  # spans the northern spring change (29 March)
DAYS = 14

WORLD_ZONES = [
    # (zone, latitude, longitude) of a city in it, for the solar rule
    ("Pacific/Honolulu", 21.3, -157.9), ("America/Anchorage", 61.2, -149.9),
    ("America/Los_Angeles", 34.1, -118.2), ("America/Vancouver", 49.3, -123.1),
    ("America/Phoenix", 33.4, -112.1), ("America/Denver", 39.7, -105.0),
    ("America/Mexico_City", 19.4, -99.1), ("America/Chicago", 41.9, -87.6),
    ("America/Bogota", 4.7, -74.1), ("America/New_York", 40.7, -74.0),
    ("America/Toronto", 43.7, -79.4), ("America/Caracas", 10.5, -66.9),
    ("America/Halifax", 44.6, -63.6), ("America/Santiago", -33.4, -70.7),
    ("America/St_Johns", 47.6, -52.7), ("America/Sao_Paulo", -23.6, -46.6),
    ("America/Argentina/Buenos_Aires", -34.6, -58.4), ("America/Nuuk", 64.2, -51.7),
    ("Atlantic/Azores", 37.7, -25.7), ("Atlantic/Cape_Verde", 14.9, -23.5),
    ("Europe/London", 51.5, -0.1), ("Europe/Lisbon", 38.7, -9.1),
    ("Africa/Casablanca", 33.6, -7.6), ("Africa/Lagos", 6.5, 3.4),
    ("Europe/Paris", 48.9, 2.4), ("Europe/Berlin", 52.5, 13.4),
    ("Europe/Oslo", 59.9, 10.8), ("Africa/Johannesburg", -26.2, 28.0),
    ("Europe/Athens", 38.0, 23.7), ("Europe/Kyiv", 50.5, 30.5),
    ("Africa/Cairo", 30.0, 31.2), ("Asia/Jerusalem", 31.8, 35.2),
    ("Africa/Nairobi", -1.3, 36.8), ("Europe/Moscow", 55.8, 37.6),
    ("Europe/Istanbul", 41.0, 29.0), ("Asia/Tehran", 35.7, 51.4),
    ("Asia/Dubai", 25.2, 55.3), ("Asia/Kabul", 34.5, 69.2),
    ("Asia/Karachi", 24.9, 67.0), ("Asia/Kolkata", 19.1, 72.9),
    ("Asia/Kathmandu", 27.7, 85.3), ("Asia/Dhaka", 23.8, 90.4),
    ("Asia/Yangon", 16.8, 96.2), ("Asia/Bangkok", 13.8, 100.5),
    ("Asia/Jakarta", -6.2, 106.8), ("Asia/Shanghai", 31.2, 121.5),
    ("Asia/Singapore", 1.3, 103.8), ("Australia/Perth", -31.9, 115.9),
    ("Australia/Eucla", -31.7, 128.9), ("Asia/Tokyo", 35.7, 139.7),
    ("Asia/Seoul", 37.6, 127.0), ("Australia/Darwin", -12.5, 130.8),
    ("Australia/Adelaide", -34.9, 138.6), ("Australia/Brisbane", -27.5, 153.0),
    ("Australia/Sydney", -33.9, 151.2), ("Australia/Lord_Howe", -31.6, 159.1),
    ("Pacific/Noumea", -22.3, 166.5), ("Pacific/Auckland", -36.8, 174.8),
    ("Pacific/Chatham", -43.9, -176.5), ("Pacific/Tongatapu", -21.1, -175.2),
]

BAND_ZONES = [
    ("Atlantic/Azores", 37.7, -25.7), ("Atlantic/Canary", 28.1, -15.4),
    ("Europe/Lisbon", 38.7, -9.1), ("Europe/Dublin", 53.3, -6.3),
    ("Europe/London", 51.5, -0.1), ("Africa/Abidjan", 5.3, -4.0),
    ("Africa/Accra", 5.6, -0.2), ("Africa/Casablanca", 33.6, -7.6),
    ("Africa/Algiers", 36.8, 3.1), ("Africa/Lagos", 6.5, 3.4),
    ("Africa/Tunis", 36.8, 10.2), ("Europe/Madrid", 40.4, -3.7),
    ("Europe/Paris", 48.9, 2.4), ("Europe/Brussels", 50.8, 4.4),
    ("Europe/Amsterdam", 52.4, 4.9), ("Europe/Berlin", 52.5, 13.4),
    ("Europe/Rome", 41.9, 12.5), ("Europe/Vienna", 48.2, 16.4),
    ("Europe/Warsaw", 52.2, 21.0), ("Europe/Prague", 50.1, 14.4),
    ("Europe/Stockholm", 59.3, 18.1), ("Europe/Oslo", 59.9, 10.8),
    ("Europe/Copenhagen", 55.7, 12.6), ("Europe/Zurich", 47.4, 8.5),
    ("Europe/Budapest", 47.5, 19.0), ("Europe/Belgrade", 44.8, 20.5),
    ("Africa/Kinshasa", -4.3, 15.3), ("Africa/Luanda", -8.8, 13.2),
    ("Africa/Windhoek", -22.6, 17.1), ("Africa/Johannesburg", -26.2, 28.0),
    ("Africa/Maputo", -25.9, 32.6), ("Africa/Lusaka", -15.4, 28.3),
    ("Africa/Harare", -17.8, 31.0), ("Africa/Kampala", 0.3, 32.6),
    ("Africa/Nairobi", -1.3, 36.8), ("Africa/Dar_es_Salaam", -6.8, 39.3),
    ("Africa/Addis_Ababa", 9.0, 38.7), ("Africa/Khartoum", 15.6, 32.5),
    ("Africa/Cairo", 30.0, 31.2), ("Africa/Tripoli", 32.9, 13.2),
    ("Europe/Athens", 38.0, 23.7), ("Europe/Bucharest", 44.4, 26.1),
    ("Europe/Sofia", 42.7, 23.3), ("Europe/Helsinki", 60.2, 24.9),
    ("Europe/Riga", 56.9, 24.1), ("Europe/Vilnius", 54.7, 25.3),
    ("Europe/Tallinn", 59.4, 24.8), ("Europe/Kyiv", 50.5, 30.5),
    ("Europe/Chisinau", 47.0, 28.9), ("Europe/Istanbul", 41.0, 29.0),
    ("Asia/Beirut", 33.9, 35.5), ("Asia/Jerusalem", 31.8, 35.2),
    ("Asia/Amman", 31.9, 35.9), ("Asia/Baghdad", 33.3, 44.4),
    ("Asia/Riyadh", 24.7, 46.7), ("Europe/Moscow", 55.8, 37.6),
    ("Europe/Minsk", 53.9, 27.6), ("Asia/Tbilisi", 41.7, 44.8),
    ("Asia/Dubai", 25.2, 55.3), ("Asia/Tehran", 35.7, 51.4),
]

WINDOWS = [("05:00", "21:00"), ("06:00", "21:00"), ("06:00", "22:00"), ("07:00", "20:00"),
           ("20:00", "04:00")]  # the last one runs over midnight
BANS = [("21:00", "06:00"), ("22:00", "05:00"), ("23:00", "04:00"), ("00:00", "05:00")]
WEEKDAY_RULES = [(("sun", Rule("window", "09:00", "18:00")),),
                 (("sat", Rule("night_ban", "20:00", "08:00")),
                  ("sun", Rule("solar")))]


def _rule(rng: random.Random, wide: bool) -> Rule:
    pick = rng.random()
    if pick < 0.35:
        start, end = rng.choice(WINDOWS[:3] if wide else WINDOWS)
        rule = Rule("window", start, end)
    elif pick < 0.65:
        start, end = rng.choice(BANS)
        rule = Rule("night_ban", start, end)
    elif pick < 0.95:
        rule = Rule("solar")
    else:
        rule = Rule("none")
    if rng.random() < 0.15 and rule.kind != "none":
        rule = Rule(rule.kind, rule.start, rule.end,
                    WEEKDAY_RULES[0] if wide else rng.choice(WEEKDAY_RULES))
    return rule


def distinct_actions(zones: list[tuple[str, float, float]], count: int, seed: int,
                     wide: bool) -> list[ActionTiming]:
    """``count`` actions spread over ``zones``, each with its own site coordinates."""
    rng = random.Random(seed)
    actions = []
    for index in range(count):
        zone, lat, lon = zones[index % len(zones)]
        offset = rng.choice([0, 0, 0, -30, 15, 30, 60, 90, -120]) if wide else \
            rng.randrange(-240, 241, 15)
        actions.append(ActionTiming(
            f"a{index}", f"site {index}", zone, offset, _rule(rng, wide),
            round(lat + rng.uniform(-0.5, 0.5), 4), round(lon + rng.uniform(-0.5, 0.5), 4),
            authorised=rng.random() < 0.02))
    return actions


def shared_actions(count: int, seed: int) -> list[ActionTiming]:
    """Most actions share five (zone, rule) pairs at H-hour; a tenth are spread out."""
    rng = random.Random(seed)
    common = [("Africa/Nairobi", Rule("solar"), -1.29, 36.82),
              ("Europe/Paris", Rule("window", "06:00", "21:00"), 48.86, 2.35),
              ("Europe/London", Rule("night_ban", "21:00", "07:00"), 51.5, -0.1),
              ("Africa/Luanda", Rule("unknown"), -8.83, 13.23),
              ("Europe/Berlin", Rule("window", "06:00", "21:00",
                                     (("sun", Rule("window", "09:00", "18:00")),)), 52.5, 13.4)]
    actions = []
    for index in range(count):
        if rng.random() < 0.9:
            zone, rule, lat, lon = rng.choice(common)
            offset = 0 if rng.random() < 0.8 else rng.choice([-30, 30, 60])
        else:
            zone, lat, lon = rng.choice(BAND_ZONES)
            rule = _rule(rng, wide=True)
            offset = rng.choice([0, 30])
        actions.append(ActionTiming(f"s{index}", f"site {index}", zone, offset, rule, lat, lon))
    return actions


def _describe(result: Plan) -> str:
    if result.feasible:
        return f"feasible, {len(result.windows)} windows"
    return (f"infeasible, {len(result.conflicts):,} conflicting pairs, "
            f"{len(result.to_retime)} to re-time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--actions", type=int, default=1000)
    args = parser.parse_args()

    end = START + timedelta(days=DAYS)
    cases = [
        ("world: 60 zones, distinct actions", distinct_actions(WORLD_ZONES, args.actions, 1,
                                                                wide=False)),
        ("band: 60 zones, distinct actions", distinct_actions(BAND_ZONES, args.actions, 2,
                                                               wide=True)),
        ("shared: most share 5 (zone, rule) pairs", shared_actions(args.actions, 3)),
    ]
    rows = []
    for name, actions in cases:
        zones = len({a.zone for a in actions})
        began = time.perf_counter()
        result = plan(actions, START, end)
        first = time.perf_counter() - began  # reads the zones' files, if not read before
        median, times = median_of(args.runs, lambda actions=actions: plan(actions, START, end))
        rows.append([name, len(actions), zones, _describe(result), first, median, min(times),
                     max(times), "yes" if median <= 0.5 else "NO"])
    print(f"Timing benchmark: plan() over {DAYS} days from {START:%Y-%m-%d}, median of "
          f"{args.runs} runs per case")
    print(f"Machine: {machine()}\n")
    print(table(["case", "actions", "zones", "result", "first call (s)", "median (s)",
                 "min (s)", "max (s)", "<= 0.5 s"], rows))


if __name__ == "__main__":
    main()
