"""Per-action H-hour windows (what the sync matrix shades) and the rule editor's facts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.services import operations, targets
from app.services.context import AppContext
from app.services.jurisdictions import authorise, search_rule_info, set_search_rule
from app.services.timing import lawful_windows_by_action, plan_timing


def _action(ctx: AppContext, op: str, site: str, cc: str, lat: str, lon: str,
            offset: int) -> tuple[str, str]:
    tid, _ = targets.add_record(ctx, "target", op, targets.target_values("person", site, cc))
    sid, _ = targets.add_record(ctx, "site", op, targets.site_values(site, cc, "", lat, lon))
    aid, _ = targets.add_record(ctx, "action", op, targets.action_values(
        "arrest", tid, sid, ctx.agency_id, offset))
    return aid, sid


def test_windows_per_action_are_the_h_hours_at_which_it_is_lawful(ctx: AppContext) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    paris, paris_site = _action(ctx, op, "Paris office", "FR", "48.86", "2.35", 60)
    luanda, _ = _action(ctx, op, "Luanda hall", "AO", "-8.83", "13.23", 0)
    found = lawful_windows_by_action(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    assert set(found) == {paris, luanda}
    assert found[paris].site_id == paris_site
    # 06:00-21:00 CEST is 04:00-19:00 UTC; an hour after H-hour, so H 03:00-18:00.
    assert found[paris].windows == [(datetime(2026, 6, 1, 3, tzinfo=UTC),
                                     datetime(2026, 6, 1, 18, tzinfo=UTC))]
    assert found[luanda].windows == [(datetime(2026, 6, 1, tzinfo=UTC),
                                      datetime(2026, 6, 2, tzinfo=UTC))]  # rule unknown
    report = plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    assert report.windows == found[paris].windows
    authorise(ctx, paris, "Order 1", "2026-05-30")
    found = lawful_windows_by_action(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 1))
    assert found[paris].windows == [(datetime(2026, 6, 1, tzinfo=UTC),
                                     datetime(2026, 6, 2, tzinfo=UTC))]
    with pytest.raises(ValidationError, match="ends"):
        lawful_windows_by_action(ctx, "TIDE", date(2026, 6, 2), date(2026, 6, 1))


def test_rule_info_shows_the_shipped_rule_and_the_correction(ctx: AppContext) -> None:
    info = search_rule_info(ctx, "fr")
    assert info.shipped_rule == info.rule == {"kind": "window", "start": "06:00",
                                              "end": "21:00"}
    assert info.shipped_confidence == "high" and info.shipped_source and not info.corrected
    set_search_rule(ctx, "FR", {"kind": "window", "start": "07:00", "end": "20:00"},
                    "Stricter, as advised", "Prosecutor's advice")
    info = search_rule_info(ctx, "FR")
    assert info.rule["start"] == "07:00" and info.corrected
    assert info.source == "Prosecutor's advice" and info.text == "Stricter, as advised"
    assert info.shipped_rule["start"] == "06:00"
    with pytest.raises(NotFoundError):
        search_rule_info(ctx, "XX")


def test_plan_with_windows_is_plan_timing_and_the_windows(ctx: AppContext) -> None:
    from app.services.jurisdictions import set_search_rule
    from app.services.timing import plan_with_windows

    op, _ = operations.create_operation(ctx, "TIDE")
    _action(ctx, op, "Paris office", "FR", "48.86", "2.35", 60)
    _action(ctx, op, "Nairobi flat", "KE", "-1.29", "36.82", 0)
    luanda, _ = _action(ctx, op, "Luanda hall", "AO", "-8.83", "13.23", 0)
    for case in ("feasible", "infeasible"):
        if case == "infeasible":
            set_search_rule(ctx, "AO", {"kind": "window", "start": "20:00", "end": "22:00"},
                            "", "Test advice")
        report, windows = plan_with_windows(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 3))
        assert report == plan_timing(ctx, "TIDE", date(2026, 6, 1), date(2026, 6, 3))
        assert windows == lawful_windows_by_action(ctx, "TIDE", date(2026, 6, 1),
                                                   date(2026, 6, 3))
        assert report.feasible == (case == "feasible")
    assert report.retime_ids == [luanda]
