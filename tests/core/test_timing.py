"""Strike timing, with time conversions checked against GNU date as an independent oracle."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.timing import (
    ActionTiming,
    Rule,
    TimingError,
    h_hour_windows,
    lawful_starts,
    local_start,
    plan,
)

DAY_WINDOW = Rule("window", "06:00", "21:00")

# Zones chosen for what makes conversions hard: DST in both hemispheres, half-hour and
# 45-minute offsets, a 30-minute DST shift, and rules changed in recent years.
ORACLE_CASES = [
    ("Europe/Paris", "2026-03-29T00:30:00Z"),  # just before spring forward
    ("Europe/Paris", "2026-03-29T01:00:00Z"),  # at the gap
    ("Europe/Paris", "2026-10-25T00:30:00Z"),  # first 02:30
    ("Europe/Paris", "2026-10-25T01:30:00Z"),  # second 02:30
    ("America/New_York", "2026-03-08T07:00:00Z"),
    ("America/New_York", "2026-11-01T05:30:00Z"),
    ("America/New_York", "2026-11-01T06:30:00Z"),
    ("Australia/Sydney", "2026-04-04T15:30:00Z"),  # southern autumn: repeated hour
    ("Australia/Sydney", "2026-04-04T16:30:00Z"),
    ("Australia/Sydney", "2026-10-03T16:30:00Z"),  # southern spring: gap
    ("America/Santiago", "2026-04-05T02:30:00Z"),
    ("Asia/Kolkata", "2026-06-01T12:00:00Z"),  # +05:30
    ("Asia/Kathmandu", "2026-06-01T12:00:00Z"),  # +05:45
    ("Australia/Eucla", "2026-01-15T03:00:00Z"),  # +08:45
    ("Australia/Lord_Howe", "2026-04-04T14:45:00Z"),  # 30-minute DST shift
    ("Australia/Lord_Howe", "2026-04-04T15:15:00Z"),
    ("Australia/Lord_Howe", "2026-10-03T15:45:00Z"),
    ("America/Mexico_City", "2026-07-01T12:00:00Z"),  # DST abolished 2022
    ("Europe/Kyiv", "2026-07-01T12:00:00Z"),  # renamed, rules changed
    ("America/Nuuk", "2026-07-01T12:00:00Z"),  # moved to -02 with DST in 2023
    ("Africa/Casablanca", "2026-02-20T12:00:00Z"),  # Ramadan change
    ("Asia/Tehran", "2026-07-01T12:00:00Z"),  # DST abolished 2022
]


def _gnu_date(zone: str, instant: datetime) -> str:
    out = subprocess.run(["date", "-d", f"@{int(instant.timestamp())}", "+%Y-%m-%dT%H:%M:%S%:z"],
                         env={"TZ": zone, "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(shutil.which("date") is None, reason="GNU date is not installed")
@pytest.mark.parametrize(("zone", "instant"), ORACLE_CASES)
def test_local_start_matches_gnu_date(zone: str, instant: str) -> None:
    h_hour = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    result = local_start(ActionTiming("a", "site", zone, 0, Rule("none")), h_hour)
    assert result.local_start.isoformat() == _gnu_date(zone, h_hour)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([z for z, _ in ORACLE_CASES]),
       st.integers(min_value=1_767_225_600, max_value=1_830_297_600))
def test_random_instants_match_gnu_date(zone: str, epoch: int) -> None:
    instant = datetime.fromtimestamp(epoch, UTC)
    result = local_start(ActionTiming("a", "site", zone, 0, Rule("none")), instant)
    assert result.local_start.isoformat() == _gnu_date(zone, instant)


def test_repeated_hour_is_stated_and_gap_never_produced() -> None:
    paris = ActionTiming("a", "Paris", "Europe/Paris", 0, Rule("none"))
    first = local_start(paris, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = local_start(paris, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert first.ambiguous and second.ambiguous
    assert (first.utc_offset, second.utc_offset) == ("+02:00", "+01:00")
    # Every minute across the spring gap: no local time between 02:00 and 03:00 appears.
    for minute in range(0, 120):
        t = datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(minutes=minute)
        local = local_start(paris, t)
        assert not (2 <= local.local_start.hour < 3)
        assert not local.ambiguous


def test_window_across_spring_gap_starts_at_the_transition() -> None:
    # A window opening at 02:30 local on the night Paris skips 02:00-03:00.
    action = ActionTiming("a", "Paris", "Europe/Paris", 0, Rule("window", "02:30", "04:00"))
    day = lawful_starts(action, datetime(2026, 3, 28, 12, tzinfo=UTC),
                        datetime(2026, 3, 29, 12, tzinfo=UTC))
    # 03:00 CEST = 01:00Z is the first instant whose wall time is in the window.
    assert day == [(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0,
                                                                          tzinfo=UTC))]


def test_window_in_repeated_hour_covers_both_occurrences() -> None:
    action = ActionTiming("a", "Paris", "Europe/Paris", 0, Rule("window", "02:00", "03:00"))
    day = lawful_starts(action, datetime(2026, 10, 24, 12, tzinfo=UTC),
                        datetime(2026, 10, 25, 12, tzinfo=UTC))
    assert day == [(datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
                    datetime(2026, 10, 25, 2, 0, tzinfo=UTC))]


def test_plan_intersects_windows_across_zones() -> None:
    paris = ActionTiming("fr", "Paris", "Europe/Paris", 0, DAY_WINDOW)
    nairobi = ActionTiming("ke", "Nairobi", "Africa/Nairobi", 0, Rule("solar"), -1.28, 36.82)
    dc = ActionTiming("us", "Washington", "America/New_York", 30, DAY_WINDOW)
    result = plan([paris, nairobi, dc], datetime(2026, 3, 27, tzinfo=UTC),
                  datetime(2026, 3, 28, tzinfo=UTC))
    assert result.feasible and len(result.windows) == 1
    start, end = result.windows[0]
    # DC opens 06:00 EDT = 10:00Z, less the 30 minutes' offset; Nairobi's sunset ~15:40Z.
    assert start == datetime(2026, 3, 27, 9, 30, tzinfo=UTC)
    assert datetime(2026, 3, 27, 15, 35, tzinfo=UTC) < end < datetime(2026, 3, 27, 15, 50,
                                                                         tzinfo=UTC)


def test_windows_ranked_widest_first_then_earliest() -> None:
    rule = Rule("window", "06:00", "21:00", (("sat", Rule("window", "10:00", "12:00")),))
    action = ActionTiming("a", "Paris", "Europe/Paris", 0, rule)
    result = plan([action], datetime(2026, 6, 5, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC))
    widths = [end - start for start, end in result.windows]
    assert widths == sorted(widths, reverse=True)
    assert result.windows[0][0] == datetime(2026, 6, 5, 4, tzinfo=UTC)  # Friday, earliest
    assert result.windows[-1][1] - result.windows[-1][0] == timedelta(hours=2)  # Saturday


def test_infeasible_plan_names_conflicts_and_fewest_to_move() -> None:
    paris = ActionTiming("fr", "Paris", "Europe/Paris", 0, Rule("window", "06:00", "08:00"))
    berlin = ActionTiming("de", "Berlin", "Europe/Berlin", 0, Rule("window", "06:00", "08:00"))
    sydney = ActionTiming("au", "Sydney", "Australia/Sydney", 0,
                          Rule("window", "06:00", "08:00"))
    result = plan([paris, berlin, sydney], datetime(2026, 6, 1, tzinfo=UTC),
                  datetime(2026, 6, 3, tzinfo=UTC))
    assert not result.feasible
    assert set(result.conflicts) == {("fr", "au"), ("de", "au")}
    assert result.to_retime == ["au"]


def test_authorisation_lifts_the_rule() -> None:
    night = datetime(2026, 6, 1, 1, tzinfo=UTC)  # 03:00 in Paris
    banned = ActionTiming("a", "Paris", "Europe/Paris", 0, DAY_WINDOW)
    authorised = ActionTiming("a", "Paris", "Europe/Paris", 0, DAY_WINDOW, authorised=True)
    assert local_start(banned, night).state == "outside window"
    assert local_start(authorised, night).state == "authorised"


def test_negative_offset_shifts_the_h_hour_windows() -> None:
    action = ActionTiming("a", "Paris", "Europe/Paris", -60, DAY_WINDOW)
    windows = h_hour_windows(action, datetime(2026, 6, 1, tzinfo=UTC),
                             datetime(2026, 6, 2, tzinfo=UTC))
    assert windows[0][0] == datetime(2026, 6, 1, 5, tzinfo=UTC)  # 06:00 CEST + 1 h


def test_polar_day_is_all_lawful_under_solar_rule() -> None:
    action = ActionTiming("a", "Longyearbyen", "Arctic/Longyearbyen", 0, Rule("solar"), 78.2,
                          15.6)
    day = lawful_starts(action, datetime(2026, 6, 21, tzinfo=UTC),
                        datetime(2026, 6, 22, tzinfo=UTC))
    assert day == [(datetime(2026, 6, 21, tzinfo=UTC), datetime(2026, 6, 22, tzinfo=UTC))]


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(TimingError, match="unknown time zone"):
        local_start(ActionTiming("a", "x", "Mars/Olympus", 0, Rule("none")),
                    datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(TimingError, match="needs the site's coordinates"):
        lawful_starts(ActionTiming("a", "Nairobi flat", "Africa/Nairobi", 0, Rule("solar")),
                      datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    with pytest.raises(TimingError, match="not after its start"):
        plan([], datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
