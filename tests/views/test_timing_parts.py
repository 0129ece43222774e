"""The Timing tab's parts that need no window: table texts (a repeated local hour says
which of the two), rounding a click to five minutes inside its window, the intersection of
a site's windows, and the banner's summary of an infeasible plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.services.timing import ActionTime, TimingReport
from app.views.matrix_rows import intersect, local_clock
from app.views.timing_banner import banner, conflict_summary
from app.views.timing_table import local_label, offset_label
from app.views.timing_view import rounded_in

PARIS = ZoneInfo("Europe/Paris")


def _at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def _action(id_: str, site: str, country: str, local: datetime | None = None,
            state: str = "no H-hour", rule: str = "start 06:00–21:00 local",
            ambiguous: bool = False) -> ActionTime:
    offset = "" if local is None else f"+{int(local.utcoffset().total_seconds()) // 3600:02d}:00"
    return ActionTime(id_, f"T {id_}", "arrest", site, country, "Europe/Paris", 0, rule, "",
                      "", local.astimezone(UTC) if local else None, local, offset,
                      None if local is None else state == "lawful", state, ambiguous)


def test_a_repeated_local_hour_says_which_one() -> None:
    # 25 October 2026: 02:30 happens twice in Paris, first at +02:00 then at +01:00.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(PARIS)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(PARIS)
    assert (first.hour, second.hour, first.fold, second.fold) == (2, 2, 0, 1)
    assert local_label(_action("a", "Paris", "FR", first, ambiguous=True)) == \
        "Sun 25 Oct 02:30 (UTC+02:00) · occurs twice, this is the first"
    assert local_label(_action("b", "Paris", "FR", second, ambiguous=True)) == \
        "Sun 25 Oct 02:30 (UTC+01:00) · occurs twice, this is the second"
    assert local_label(_action("c", "Paris", "FR")) == "—"


def test_offsets_read_as_hours_and_minutes() -> None:
    assert [offset_label(m) for m in (0, 15, -30, 80, -125)] == [
        "at H-hour", "H+15 min", "H−30 min", "H+1h20", "H−2h05"]


def test_a_click_is_rounded_to_five_minutes_inside_its_window() -> None:
    window = (_at(4, 2), _at(4, 9))
    assert rounded_in(_at(4, 3) + timedelta(seconds=20), (_at(4), _at(5))) == _at(4, 5)
    assert rounded_in(_at(4, 2), (_at(4), _at(5))) == _at(4, 0)
    assert rounded_in(_at(4, 3), window) == _at(4, 5)  # 04:05 is the only one inside
    assert rounded_in(_at(4, 8), (_at(4, 6), _at(4, 9))) is None  # no multiple of five
    assert rounded_in(_at(4, 58), (_at(4), _at(5))) == _at(4, 55)  # 05:00 is the end


def test_intersect_and_local_clock() -> None:
    a = [(_at(1), _at(5)), (_at(8), _at(12))]
    b = [(_at(4), _at(9)), (_at(11), _at(20))]
    assert intersect(a, b) == [(_at(4), _at(5)), (_at(8), _at(9)), (_at(11), _at(12))]
    assert intersect(a, []) == []
    assert local_clock(_at(5), "Asia/Kolkata") == "10:30 local (UTC+05:30)"
    assert local_clock(None, "Asia/Kolkata") == ""


def test_banner_of_an_infeasible_plan_groups_by_country_and_site() -> None:
    actions = [_action("ke1", "Nairobi flat", "KE"), _action("ke2", "Mombasa yard", "KE"),
               _action("ao1", "Luanda hall", "AO", rule="rule not known"),
               _action("ao2", "Luanda hall", "AO", rule="rule not known")]
    report = TimingReport("TIDE", None, _at(0), _at(0, day=3), actions, [],
                          conflict_ids=[("ke1", "ao1"), ("ke2", "ao1"), ("ke1", "ao2")],
                          retime_ids=["ao1", "ao2"])
    countries, sites = conflict_summary(report)
    assert countries == ["Angola ↔ Kenya (3 pairs)"]
    assert sites == ["2 at Luanda hall (AO)"]
    found = banner(report)
    assert found.level == "bad"
    assert "No H-hour from 01 Jun to 02 Jun 2026" in found.html
    assert "Fewest to re-time or authorise (2):</b> the actions 2 at Luanda hall (AO)" \
        in found.html
    assert "2 action(s) are in Angola, whose search hours JointOps does not know" in found.html
    assert "arrest T ke1 at Nairobi flat (KE) ↔ arrest T ao1 at Luanda hall (AO)" \
        in found.details


def test_banner_when_all_is_well_and_when_h_hour_is_outside() -> None:
    lawful = [_action("fr", "Paris", "FR", _at(7).astimezone(PARIS), "lawful")]
    report = TimingReport("TIDE", _at(5), _at(0), _at(0, day=2), lawful, [(_at(4), _at(19))])
    found = banner(report)
    assert found.level == "good"
    assert "Every action starts within its lawful hours at H-hour Mon 01 Jun 05:00 UTC" \
        in found.html
    assert "Best window: Mon 01 Jun 04:00–19:00 UTC (15 h 00 min)" in found.html
    outside = [_action("fr", "Paris", "FR", _at(3).astimezone(PARIS), "outside window")]
    report = TimingReport("TIDE", _at(1), _at(0), _at(0, day=2), outside, [(_at(4), _at(19))])
    assert banner(report).level == "bad"
    assert "1 action(s) would start outside their lawful hours" in banner(report).html
