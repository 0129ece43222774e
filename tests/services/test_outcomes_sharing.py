"""Victims and asset records travel in bundles like any other record: a participant holds
the same ones, reports the same outcomes, and cannot change the lead's."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_money_sharing import pair as pair
from test_outcomes import asset, victim

from app.core.errors import KnownError
from app.services import exchange, operations
from app.services import outcome_records as records
from app.services.context import AppContext
from app.services.outcomes import outcomes


def test_a_victim_reaches_a_partner_through_a_bundle(pair: tuple[AppContext, AppContext],
                                                     tmp_path: Path) -> None:
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    victim_id, _ = records.add_record(ke, "victim", op, victim(
        "KE-CASE-0042", "KE", "1200.50", repaid="200", repaid_on="2026-03-20"))
    records.add_record(ke, "asset_record", op, asset(
        "recovered", "USDT", "200", "KE", value="200", currency="USD"))

    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "1.jopb")
    report = exchange.import_bundle(ao, tmp_path / "1.jopb")
    assert report.merge.refused == []
    assert (report.merge.created["victim"], report.merge.created["asset_record"]) == (1, 1)

    [seen] = records.list_victims(ao, op)
    assert (seen.id, seen.reference, str(seen.loss), seen.owner, seen.ours) == (
        victim_id, "KE-CASE-0042", "1200.5", "Kenya DCI", False)
    assert outcomes(ao, "TIDE") == outcomes(ke, "TIDE")
    # The victim is Kenya's record: Angola may read it, not change it.
    with pytest.raises(KnownError, match="belongs to another agency"):
        records.update_record(ao, "victim", victim_id, {"repaid": "300"})
    assert records.list_victims(ao, op)[0].repaid == 200
