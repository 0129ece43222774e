"""Freeze requests: drafted from a saved trace's endpoint (addressee from the label),
followed through their statuses with times, refused moves, the operation's figures
(median and 90th percentile time to freeze) and the PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_money_trace import ETH_EXCHANGE, EXCHANGE_A, EXCHANGE_B, MULE, VICTIM
from test_money_trace import op as op

from app.core.errors import KnownError, NotFoundError, ValidationError
from app.models.money_records import FreezeEvent
from app.models.records import FreezeRequest, Wallet
from app.services.context import AppContext
from app.services.freeze import draft_freeze, freeze_detail, list_freezes, set_freeze_status
from app.services.freeze_pdf import write_freeze_pdf
from app.services.money import money_summary, trace_operation

# Requests recorded after the fact: drafted at T0, then sent at T and so on.
T0 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
T = T0 + timedelta(hours=1)


@pytest.fixture
def trace_id(ctx: AppContext, op: str) -> str:
    run = trace_operation(ctx, op, [VICTIM], "fifo", save=True)
    assert run.trace_id is not None
    return run.trace_id


def test_draft_from_an_endpoint(ctx: AppContext, trace_id: str) -> None:
    request_id, change = draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis="Order 12/2026")
    assert change.count("created", "freeze_request") == 1
    assert change.count("created", "wallet") == 1
    [info] = list_freezes(ctx, "SERENGETI")
    # FIFO traced 4 USDT to exchange B, labelled in Kenya with no compliance contact.
    assert (info.id, info.address, info.asset, info.amount) == (request_id, EXCHANGE_B, "USDT",
                                                                Decimal(4))
    assert info.addressee == "Financial intelligence unit of Kenya (KE)"
    assert (info.status, info.urgency, info.wallet_label) == ("drafted", "urgent", "Exchange B")
    detail = freeze_detail(ctx, request_id)
    assert detail.basis["method"] == "fifo" and detail.basis["traced"] == "4"
    assert [s["tx_hash"] for s in detail.basis["path"]] == ["t2", "t4"]
    assert [s.status for s in detail.steps] == ["drafted"]


def test_the_compliance_contact_comes_first(ctx: AppContext, op: str) -> None:
    run = trace_operation(ctx, op, [VICTIM], "poison", save=True)
    assert run.trace_id is not None
    request_id, _ = draft_freeze(ctx, run.trace_id, EXCHANGE_A, legal_basis="Order 12/2026",
                                 amount="3.5", urgency="immediate")
    info = freeze_detail(ctx, request_id).info
    assert info.addressee == "Exchange A, compliance: compliance@a.example"
    assert (info.amount, info.urgency) == (Decimal("3.5"), "immediate")


def test_refused_drafts_change_nothing(ctx: AppContext, op: str,
                                       trace_id: str) -> None:
    def requests() -> int:
        with ctx.session() as session:
            return int(session.scalar(select(func.count()).select_from(FreezeRequest)) or 0)

    with pytest.raises(ValidationError, match="needs its legal basis"):
        draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis=" ")
    with pytest.raises(ValidationError, match="more than the 4 traced"):
        draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis="Order", amount="4.01")
    with pytest.raises(NotFoundError, match="is not an endpoint of that trace"):
        draft_freeze(ctx, trace_id, MULE, legal_basis="Order")
    with pytest.raises(ValidationError, match="Unknown urgency"):
        draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis="Order", urgency="whenever")
    back = trace_operation(ctx, op, [EXCHANGE_B], "fifo", "backward", save=True)
    assert back.trace_id is not None
    with pytest.raises(ValidationError, match="drafted from a forward trace"):
        draft_freeze(ctx, back.trace_id, VICTIM, legal_basis="Order")
    assert requests() == 0
    with ctx.session() as session:
        assert session.scalar(select(func.count()).select_from(Wallet)) == 0


def test_statuses_with_times_and_the_figures(ctx: AppContext, trace_id: str) -> None:
    first, _ = draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis="Order 12/2026",
                         at=T0)
    second, _ = draft_freeze(ctx, trace_id, ETH_EXCHANGE, legal_basis="Order 12/2026",
                             addressee="FIU Angola", at=T0)
    set_freeze_status(ctx, first, "sent", at=T)
    set_freeze_status(ctx, first, "acknowledged", at=T + timedelta(minutes=20))
    set_freeze_status(ctx, first, "frozen", at=T + timedelta(hours=2))
    set_freeze_status(ctx, second, "sent", at=T)
    set_freeze_status(ctx, second, "partly frozen", at=T + timedelta(hours=6),
                      frozen_amount="60", note="the rest had left")
    infos = {i.id: i for i in list_freezes(ctx, "SERENGETI")}
    assert (infos[first].status, infos[first].frozen_amount) == ("frozen", Decimal(4))
    assert infos[first].time_to_freeze == timedelta(hours=2)
    assert (infos[second].status, infos[second].frozen_amount) == ("partly frozen", 60)
    steps = freeze_detail(ctx, second).steps
    assert [(s.status, s.frozen_amount, s.note) for s in steps] == [
        ("drafted", "", ""), ("sent", "", ""), ("partly frozen", "60", "the rest had left")]
    summary = money_summary(ctx, "SERENGETI")
    usdt = summary.assets[0]
    # Traced by FIFO: 4 to exchange B and 100 to exchange E; requested 4 + 100; frozen 4 + 60.
    assert (usdt.traced, usdt.requested, usdt.frozen) == (104, 104, 64)
    assert (summary.requests, summary.answered) == (2, 2)
    # Times to freeze: 2 h and 6 h: median 4 h; 90th percentile by nearest rank, 6 h.
    assert summary.time_to_freeze_median == timedelta(hours=4)
    assert summary.time_to_freeze_p90 == timedelta(hours=6)
    set_freeze_status(ctx, second, "released", at=T + timedelta(days=9))
    assert money_summary(ctx, "SERENGETI").assets[0].released == 60


def test_moves_that_are_refused(ctx: AppContext, trace_id: str) -> None:
    request_id, _ = draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis="Order 12/2026", at=T0)
    with pytest.raises(KnownError, match="drafted cannot become frozen; it can become sent"):
        set_freeze_status(ctx, request_id, "frozen")
    with pytest.raises(ValidationError, match="Unknown status 'lost'"):
        set_freeze_status(ctx, request_id, "lost")
    with pytest.raises(ValidationError, match="in the future"):
        set_freeze_status(ctx, request_id, "sent", at=datetime.now(UTC) + timedelta(days=1))
    set_freeze_status(ctx, request_id, "sent", at=T)
    with pytest.raises(ValidationError, match="before the request's previous step"):
        set_freeze_status(ctx, request_id, "acknowledged", at=T - timedelta(hours=1))
    with pytest.raises(ValidationError, match="Say how much was frozen"):
        set_freeze_status(ctx, request_id, "partly frozen", at=T)
    with pytest.raises(ValidationError, match="is all that was requested"):
        set_freeze_status(ctx, request_id, "partly frozen", at=T, frozen_amount="4")
    with pytest.raises(NotFoundError):
        set_freeze_status(ctx, "no-such-id", "sent")
    with ctx.session() as session:
        assert session.scalar(select(func.count()).select_from(FreezeEvent)) == 2
    assert list_freezes(ctx, "SERENGETI")[0].status == "sent"


def test_the_pdf_says_what_to_freeze_and_how_it_was_traced(ctx: AppContext, trace_id: str,
                                                          tmp_path: Path) -> None:
    request_id, _ = draft_freeze(ctx, trace_id, EXCHANGE_B, legal_basis="Order 12/2026 of "
                                 "the High Court", urgency="immediate", at=T0)
    set_freeze_status(ctx, request_id, "sent", at=T)
    out = tmp_path / "freeze.pdf"
    write_freeze_pdf(freeze_detail(ctx, request_id), out)
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("Request to freeze virtual assets", "IMMEDIATE", "Kenya DCI",
                     "Financial intelligence unit of Kenya (KE)", "4 USDT",
                     "Order 12/2026 of the High Court", "FIFO", "TLP:AMBER", EXCHANGE_B):
        assert expected in text, expected
