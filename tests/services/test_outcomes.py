"""Outcomes from the records: arrests done, sites shut down, value seized, frozen,
recovered and returned, victims and restitution, time to freeze, by country; the checks
on victims and asset records; operations compared."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from test_freeze import T0
from test_money_trace import ETH_EXCHANGE, EXCHANGE_B, VICTIM
from test_money_trace import op as op

from app.core.errors import KnownError, NotFoundError, ValidationError
from app.models.outcome_records import AssetRecord, Victim
from app.services import outcome_records as records
from app.services import targets
from app.services.context import AppContext
from app.services.freeze import draft_freeze, set_freeze_status
from app.services.money import trace_operation
from app.services.operations import create_operation, find_operation
from app.services.outcomes import compare, outcomes

TODAY = date(2026, 4, 1)


def victim(reference: str = "KE-CASE-0001", country: str = "KE", loss: str = "1000",
           currency: str = "USD", identified_on: str = "2026-03-01", repaid: str = "0",
           repaid_on: str = "") -> dict[str, Any]:
    return records.victim_values(reference=reference, country=country, loss=loss,
                                 currency=currency, identified_on=identified_on,
                                 repaid=repaid, repaid_on=repaid_on, today=TODAY)


def asset(stage: str = "seized", asset_name: str = "BTC", amount: str = "1.5",
          country: str = "KE", on: str = "2026-03-05", value: str = "", currency: str = "",
          source_kind: str = "", source_id: str | None = None) -> dict[str, Any]:
    return records.asset_values(stage=stage, asset=asset_name, amount=amount,
                                country=country, on=on, value=value, currency=currency,
                                source_kind=source_kind, source_id=source_id, today=TODAY)


def stored(ctx: AppContext) -> int:
    with ctx.session() as session:
        return sum(int(session.scalar(select(func.count()).select_from(m)) or 0)
                   for m in (Victim, AssetRecord))


@pytest.mark.parametrize(("given", "message"), [
    ({"reference": "  "}, "needs a reference"),
    ({"reference": "Jane Wanjiru Doe"}, "not a name"),
    ({"country": "XX"}, "XX"),
    ({"loss": "lots"}, "'lots' is not a number"),
    ({"loss": "0"}, "loss must be more than zero"),
    ({"currency": "US dollars"}, "not a currency code"),
    ({"identified_on": "01/03/2026"}, "not a date"),
    ({"identified_on": "2026-05-01"}, "in the future"),
    ({"repaid": "2000", "repaid_on": "2026-03-09"}, "more than the loss"),
    ({"repaid": "100"}, "date of the repayment"),
    ({"repaid_on": "2026-03-09"}, "no amount repaid"),
    ({"repaid": "10", "repaid_on": "2026-02-01"}, "before being identified"),
])
def test_a_bad_victim_is_refused_in_one_sentence(ctx: AppContext, given: dict[str, str],
                                                 message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        victim(**given)
    text = str(refused.value)
    assert text.endswith(".") and text.count(". ") == 0
    assert stored(ctx) == 0


@pytest.mark.parametrize(("given", "message"), [
    ({"stage": "stolen"}, "Unknown stage 'stolen'"),
    ({"asset_name": ""}, "which asset"),
    ({"amount": "-3"}, "amount must be more than zero"),
    ({"value": "12"}, "currency of the value"),
    ({"value": "abc", "currency": "USD"}, "not a number"),
    ({"on": "2026-13-01"}, "not a date"),
    ({"stage": "frozen", "value": "5", "currency": "USD"}, "value of a freeze request"),
    ({"source_kind": "action"}, "both the kind of source and the source"),
])
def test_a_bad_asset_record_is_refused(ctx: AppContext, given: dict[str, str],
                                       message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        asset(**given)
    assert stored(ctx) == 0


def test_victims_are_added_edited_deleted_and_unique_by_reference(ctx: AppContext) -> None:
    op_id, _ = create_operation(ctx, "TIDE")
    vid, change = records.add_record(ctx, "victim", op_id, victim())
    assert change.created == {"victim": [vid]}
    with pytest.raises(ValidationError, match="already recorded"):
        records.add_record(ctx, "victim", op_id, victim(loss="5"))
    records.update_record(ctx, "victim", vid, victim(repaid="250", repaid_on="2026-03-20"))
    [row] = records.list_victims(ctx, op_id)
    assert (row.reference, row.repaid, row.repaid_on, row.ours) == (
        "KE-CASE-0001", Decimal(250), "2026-03-20", True)
    assert records.record_values(ctx, "victim", vid, ["repaid"]) == {"repaid": "250"}
    records.set_deleted(ctx, "victim", vid, True)
    assert records.list_victims(ctx, op_id) == []
    with pytest.raises(NotFoundError, match="victim was not found"):
        records.update_record(ctx, "victim", vid, {"repaid": "1"})
    records.set_deleted(ctx, "victim", vid, False)
    assert len(records.list_victims(ctx, op_id)) == 1


def test_an_asset_from_a_source_outside_the_operation_is_refused(ctx: AppContext) -> None:
    op_id, _ = create_operation(ctx, "TIDE")
    other, _ = create_operation(ctx, "EBB")
    target, _ = targets.add_record(ctx, "target", other, targets.target_values("person", "X"))
    action, _ = targets.add_record(ctx, "action", other,
                                   targets.action_values("seizure", target, None, None))
    with pytest.raises(NotFoundError, match="action this asset comes from is not in"):
        records.add_record(ctx, "asset_record", op_id,
                           asset(source_kind="action", source_id=action))
    assert stored(ctx) == 0


def _operation(ctx: AppContext, op: str) -> str:
    """SERENGETI with two countries of arrests, a site shut down, two freezes (2 h in KE,
    10 h in AO), victims and assets."""
    op_id = find_operation_id(ctx, op)
    places = {}
    for cc, zone in (("KE", "Africa/Nairobi"), ("AO", "Africa/Luanda")):
        places[cc], _ = targets.add_record(ctx, "site", op_id,
                                           targets.site_values(f"Site {cc}", cc, zone))
    arrests = []
    for n, cc in enumerate(("KE", "KE", "AO", "AO")):
        person, _ = targets.add_record(ctx, "target", op_id,
                                       targets.target_values("person", f"P{n}", cc))
        arrests.append(targets.add_record(ctx, "action", op_id, targets.action_values(
            "arrest", person, places[cc], None))[0])
    for action in arrests[:3]:
        targets.update_record(ctx, "action", action, {"status": "done"})
    targets.update_record(ctx, "site", places["AO"], {"status": "shut down"})

    run = trace_operation(ctx, op, [VICTIM], "fifo", save=True)
    assert run.trace_id is not None
    to_b, _ = draft_freeze(ctx, run.trace_id, EXCHANGE_B, legal_basis="Order 1", at=T0)
    to_e, _ = draft_freeze(ctx, run.trace_id, ETH_EXCHANGE, legal_basis="Order 2", at=T0)
    for request, hours, amount in ((to_b, 2, None), (to_e, 10, "60")):
        set_freeze_status(ctx, request, "sent", at=T0)
        set_freeze_status(ctx, request, "partly frozen" if amount else "frozen",
                          at=T0 + timedelta(hours=hours), frozen_amount=amount)
    records.add_record(ctx, "asset_record", op_id, asset(
        "frozen", "USDT", "4", "KE", value="4", currency="USD",
        source_kind="freeze_request", source_id=to_b))
    records.add_record(ctx, "asset_record", op_id, asset(
        "seized", "BTC", "0.5", "KE", value="30000.50", currency="USD",
        source_kind="action", source_id=arrests[0]))
    records.add_record(ctx, "asset_record", op_id, asset(
        "recovered", "USDT", "4", "KE", on="2026-03-10", value="4", currency="USD"))
    records.add_record(ctx, "asset_record", op_id, asset(
        "returned", "USDT", "3", "AO", on="2026-03-12", value="3", currency="USD"))
    records.add_record(ctx, "asset_record", op_id, asset(
        "seized", "cash", "100000", "AO", value="100000", currency="AOA"))
    records.add_record(ctx, "victim", op_id, victim("KE-1", "KE", "100", repaid="25",
                                                    repaid_on="2026-03-12"))
    records.add_record(ctx, "victim", op_id, victim("KE-2", "KE", "300"))
    records.add_record(ctx, "victim", op_id, victim("AO-1", "AO", "50", "USD", repaid="50",
                                                    repaid_on="2026-03-11"))
    records.add_record(ctx, "victim", op_id, victim("AO-2", "AO", "9000", "AOA"))
    return op_id


def find_operation_id(ctx: AppContext, codename: str) -> str:
    with ctx.session() as session:
        return find_operation(session, codename).id


def test_outcomes_of_an_operation_by_country(ctx: AppContext, op: str) -> None:
    op_id = _operation(ctx, op)
    result = outcomes(ctx, op)
    assert result.currency == "USD"  # most values and losses are in dollars
    assert (result.arrests, result.arrests_planned) == (3, 4)
    assert (result.sites_shut_down, result.sites) == (1, 2)
    assert (result.seized, result.frozen, result.recovered, result.returned) == (
        Decimal("30000.50"), Decimal(4), Decimal(4), Decimal(3))
    assert (result.frozen_requests, result.frozen_valued) == (2, 1)
    assert result.other_currency == {"AOA": 2}  # the cash and one victim's loss
    assert (result.victims, result.victims_repaid) == (4, 2)
    assert (result.loss, result.repaid) == (Decimal(450), Decimal(75))
    assert result.restitution_rate == Decimal(75) / Decimal(450)
    assert result.freeze_times == [timedelta(hours=2), timedelta(hours=10)]
    assert (result.time_to_freeze_median, result.time_to_freeze_p90) == (
        timedelta(hours=6), timedelta(hours=10))
    usdt = next(f for f in result.assets if f.asset == "USDT")
    assert (usdt.traced, usdt.requested, usdt.frozen, usdt.recovered, usdt.returned) == (
        Decimal(104), Decimal(104), Decimal(64), Decimal(4), Decimal(3))
    countries = {c.country: c for c in result.by_country}
    ke, ao = countries["KE"], countries["AO"]
    assert (ke.arrests, ke.sites_shut_down, ke.seized, ke.frozen, ke.recovered) == (
        2, 0, Decimal("30000.50"), Decimal(4), Decimal(4))
    assert (ao.arrests, ao.sites_shut_down, ao.returned, ao.victims, ao.victims_repaid) == (
        1, 1, Decimal(3), 2, 1)
    assert (ke.restitution_rate, ao.restitution_rate) == (Decimal(25) / 400, Decimal(1))
    assert (ke.time_to_freeze_median, ao.time_to_freeze_median) == (
        timedelta(hours=2), timedelta(hours=10))
    assert [(d.on, d.stage) for d in result.dated] == [
        ("2026-03-05", "frozen"), ("2026-03-05", "seized"), ("2026-03-10", "recovered"),
        ("2026-03-11", "repaid"), ("2026-03-12", "repaid"), ("2026-03-12", "returned")]
    # In another currency, only that currency's values count.
    in_kwanza = outcomes(ctx, op_id, "aoa")
    assert (in_kwanza.currency, in_kwanza.seized, in_kwanza.loss) == (
        "AOA", Decimal(100000), Decimal(9000))


def test_a_released_freeze_no_longer_counts_as_frozen(ctx: AppContext, op: str) -> None:
    _operation(ctx, op)
    request = next(r for r in records.source_choices(ctx, find_operation_id(ctx, op))
                   if r.kind == "freeze_request" and r.country == "KE")
    set_freeze_status(ctx, request.id, "released", at=T0 + timedelta(days=1))
    result = outcomes(ctx, op)
    assert (result.frozen, result.frozen_requests, result.frozen_valued) == (0, 1, 0)


def test_an_operation_with_no_outcomes_yet(ctx: AppContext) -> None:
    create_operation(ctx, "EMPTY")
    result = outcomes(ctx, "EMPTY")
    assert (result.currency, result.arrests, result.victims, result.assets) == ("USD", 0, 0, [])
    assert result.restitution_rate is None and result.time_to_freeze_median is None


def test_operations_compared_in_one_currency(ctx: AppContext, op: str) -> None:
    _operation(ctx, op)
    other, _ = create_operation(ctx, "EBB")
    records.add_record(ctx, "asset_record", other, asset(
        "recovered", "ETH", "2", "FR", value="6000", currency="USD"))
    result = compare(ctx, ["EBB", op, other])
    assert result.currency == "USD"
    assert [o.codename for o in result.operations] == ["EBB", "SERENGETI"]
    assert [o.recovered for o in result.operations] == [Decimal(6000), Decimal(4)]
    with pytest.raises(KnownError, match="no operation 'NOPE'"):
        compare(ctx, ["NOPE"])
