"""Planning an operation's H-hour from its sites' zones and jurisdictions' rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.services import operations, targets
from app.services.context import AppContext
from app.services.timing import parse_instant, plan_timing, set_h_hour


def _action(ctx: AppContext, op: str, name: str, site: str, cc: str, lat: str, lon: str,
            offset: int = 0, zone: str = "") -> str:
    tid, _ = targets.add_record(ctx, "target", op, targets.target_values("person", name, cc))
    sid, _ = targets.add_record(ctx, "site", op, targets.site_values(site, cc, zone, lat, lon))
    aid, _ = targets.add_record(ctx, "action", op, targets.action_values(
        "arrest", tid, sid, ctx.agency_id, offset))
    return aid


@pytest.fixture
def op(ctx: AppContext) -> str:
    op_id, _ = operations.create_operation(ctx, "TIDE")
    _action(ctx, op_id, "A. Example", "Nairobi flat", "KE", "-1.29", "36.82")  # solar
    _action(ctx, op_id, "B. Example", "Paris office", "FR", "48.86", "2.35")  # 06-21
    _action(ctx, op_id, "C. Example", "Luanda hall", "AO", "-8.83", "13.23")  # unknown
    return op_id


def test_windows_and_local_starts(ctx: AppContext, op: str) -> None:
    report = plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 2))
    assert report.h_hour is None and report.feasible
    assert all(a.lawful is None and a.state == "no H-hour" for a in report.actions)
    start, _end = report.windows[0]
    assert start == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # Paris opens 06:00 CEST
    rules = {a.country: a.rule for a in report.actions}
    assert rules == {"KE": "sunrise to sunset", "FR": "start 06:00–21:00 local",
                     "AO": "rule not known"}
    assert "confidence high" in next(a.rule_source for a in report.actions if a.country == "FR")


def test_setting_h_hour_gives_local_times(ctx: AppContext, op: str) -> None:
    set_h_hour(ctx, "TIDE", parse_instant("2026-06-01T03:30:00Z"))
    report = plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    by_country = {a.country: a for a in report.actions}
    assert by_country["FR"].local_start is not None
    assert by_country["FR"].local_start.isoformat() == "2026-06-01T05:30:00+02:00"
    assert by_country["FR"].lawful is False and by_country["FR"].state == "outside window"
    assert by_country["KE"].local_start.isoformat() == "2026-06-01T06:30:00+03:00"
    assert by_country["AO"].state == "rule unknown"


def test_bad_input(ctx: AppContext, op: str) -> None:
    with pytest.raises(ValidationError, match="ends"):
        plan_timing(ctx, "TIDE", date(2026, 6, 2), date(2026, 6, 1))
    with pytest.raises(NotFoundError):
        plan_timing(ctx, "NO SUCH OP")
    with pytest.raises(ValidationError, match="no UTC offset"):
        parse_instant("2026-03-29T01:30:00")
    with pytest.raises(ValidationError, match="not an ISO 8601"):
        parse_instant("tomorrow at dawn")


def test_an_agency_correction_overrides_the_shipped_rule(ctx: AppContext, op: str) -> None:
    from app.services.jurisdictions import authorise, set_search_rule

    set_search_rule(ctx, "AO", {"kind": "window", "start": "07:00", "end": "19:00",
                                "weekdays": {"sun": {"kind": "none"}}},
                    "Angolan search hours as advised", "Prosecutor's advice of 2026-11-01")
    report = plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    angola = next(a for a in report.actions if a.country == "AO")
    assert angola.rule.startswith("start 07:00–19:00 local; sun: no rule")
    assert "agency correction" in angola.rule_source
    set_h_hour(ctx, "TIDE", parse_instant("2026-06-01T03:00:00Z"))  # 04:00 in Luanda
    report = plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    angola = next(a for a in report.actions if a.country == "AO")
    assert angola.state == "outside window"
    authorise(ctx, angola.id, "Luanda court order 12/2026", "2026-05-30")
    report = plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    angola = next(a for a in report.actions if a.country == "AO")
    assert angola.state == "authorised" and angola.lawful
    assert angola.authorisation == "Luanda court order 12/2026 of 2026-05-30"


def test_bad_rules_are_refused(ctx: AppContext) -> None:
    from app.services.jurisdictions import authorise, set_search_rule

    with pytest.raises(ValidationError, match="Unknown rule kind"):
        set_search_rule(ctx, "AO", {"kind": "sometimes"}, "", "x")
    with pytest.raises(ValidationError, match="HH:MM"):
        set_search_rule(ctx, "AO", {"kind": "window", "start": "7am", "end": "19:00"}, "",
                        "x")
    with pytest.raises(ValidationError, match="where the rule comes from"):
        set_search_rule(ctx, "AO", {"kind": "none"}, "", " ")
    with pytest.raises(NotFoundError):
        authorise(ctx, "no-such-action", "ref", "2026-01-01")


def test_a_search_hours_correction_keeps_the_nationals_entry(ctx: AppContext) -> None:
    from app.services.jurisdictions import set_search_rule
    from app.services.reference_facts import jurisdiction_facts

    before = jurisdiction_facts(ctx, "AO").nationals
    set_search_rule(ctx, "AO", {"kind": "none"}, "no fixed hours", "advice")
    after = jurisdiction_facts(ctx, "AO").nationals
    assert before is not None and after is not None and after.text == before.text
