"""The demo operation and generated operations have outcomes to show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.services.context import AppContext
from app.services.demo import create_demo, generate
from app.services.outcomes import outcomes


def test_the_demo_has_outcomes_in_the_past(ctx: AppContext) -> None:
    op_id, change = create_demo(ctx)
    assert change.count("created", "victim") == 6
    result = outcomes(ctx, op_id)
    assert (result.currency, result.arrests, result.arrests_planned) == ("USD", 2, 7)
    assert (result.sites_shut_down, result.sites) == (3, 12)
    assert (result.frozen_requests, result.frozen_valued, result.frozen) == (
        3, 2, Decimal(58950))
    assert (result.seized, result.recovered, result.returned) == (
        Decimal(143400), Decimal(31500), Decimal(10250))
    assert (result.victims, result.victims_repaid, result.loss, result.repaid) == (
        6, 3, Decimal(33750), Decimal(10250))
    assert (result.time_to_freeze_median, result.time_to_freeze_p90) == (
        timedelta(hours=9), timedelta(hours=30))
    usdt = next(a for a in result.assets if a.asset == "USDT")
    assert (usdt.traced, usdt.requested, usdt.frozen, usdt.recovered) == (
        Decimal(33750), Decimal(31500), Decimal(31500), Decimal(31500))
    today = datetime.now(UTC).date()
    assert all(date.fromisoformat(d.on) < today for d in result.dated)
    assert {c.country for c in result.by_country} == {"KE", "AO", "ZM", "ZA", "NL"}


def test_a_generated_operation_may_have_outcomes_at_scale(ctx: AppContext) -> None:
    plain_op, _ = generate(ctx, "PLAIN", targets=50, actions=100)
    assert outcomes(ctx, plain_op).arrests == 0
    op_id, _ = generate(ctx, "BUSY", targets=50, actions=100, outcomes=True)
    result = outcomes(ctx, op_id)
    assert 0 < result.arrests < result.arrests_planned
    assert 0 < result.sites_shut_down < result.sites
    assert (result.victims, result.frozen_requests, result.frozen_valued) == (10, 1, 1)
    assert result.restitution_rate is not None and result.time_to_freeze_median is not None
