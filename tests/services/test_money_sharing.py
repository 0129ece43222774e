"""The money records travel to partners like any other: a participant that imports the
lead's bundle holds the same transfers, labels, saved trace and freeze requests, traces
the same endpoints, and cannot change the lead's request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_freeze import T0
from test_money_trace import EXCHANGE_B, LABELS, TRANSFERS, VICTIM

from app.core.errors import KnownError
from app.services import exchange, operations
from app.services.context import AppContext
from app.services.freeze import draft_freeze, freeze_detail, list_freezes, set_freeze_status
from app.services.labels import import_labels, list_labels
from app.services.money import list_traces, money_summary, trace_operation
from app.services.transfers_import import import_transfers
from tests.sync.exchange_helpers import make_store


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    for a, b in ((ke, ao), (ao, ke)):
        path = tmp_path / f"{b.agency_id}.roster"
        exchange.export_identity(b, path)
        exchange.add_partner_from_file(a, path, exchange.identity_info(b).root_fingerprint)
    yield ke, ao
    ke.close()
    ao.close()


def test_a_partner_receives_the_money_records(pair: tuple[AppContext, AppContext],
                                              tmp_path: Path) -> None:
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    (tmp_path / "t.csv").write_text(TRANSFERS, encoding="utf-8")
    (tmp_path / "l.csv").write_text(LABELS, encoding="utf-8")
    assert import_transfers(ke, "TIDE", tmp_path / "t.csv").imported
    assert import_labels(ke, "TIDE", tmp_path / "l.csv").imported
    run = trace_operation(ke, "TIDE", [VICTIM], "fifo", save=True)
    assert run.trace_id is not None
    request_id, _ = draft_freeze(ke, run.trace_id, EXCHANGE_B, legal_basis="Order 12/2026",
                                 at=T0)
    set_freeze_status(ke, request_id, "sent", at=T0 + timedelta(hours=1))
    set_freeze_status(ke, request_id, "frozen", at=T0 + timedelta(hours=3))

    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "1.jopb")
    report = exchange.import_bundle(ao, tmp_path / "1.jopb")
    assert report.merge.refused == []
    created = report.merge.created
    assert (created["transfer"], created["address_label"], created["trace_record"],
            created["freeze_event"]) == (7, 5, 1, 3)

    assert len(list_labels(ao, "TIDE")) == 5
    assert [t.id for t in list_traces(ao, "TIDE")] == [run.trace_id]
    again = trace_operation(ao, "TIDE", [VICTIM], "fifo")
    assert again.result.endpoints == run.result.endpoints
    [info] = list_freezes(ao, "TIDE")
    assert (info.status, info.time_to_freeze) == ("frozen", timedelta(hours=2))
    assert [s.agency for s in freeze_detail(ao, request_id).steps] == ["Kenya DCI"] * 3
    assert money_summary(ao, "TIDE") == money_summary(ke, "TIDE")
    # The request is Kenya's: Angola may read it, not move it.
    with pytest.raises(KnownError, match="belongs to another agency"):
        set_freeze_status(ao, request_id, "released")
