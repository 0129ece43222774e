"""Freeze requests in the Money tab: drafted from a trace endpoint with the addressee the
label gives, refused entries (no legal basis, more than was traced, a partly frozen
without its amount) told and changing nothing, the status moved on with its time, the
PDF, and the operation's figures (traced, requested, frozen, request to freeze)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import freeze, money
from app.services.context import AppContext
from app.views.freeze_dialogs import DraftFreezeDialog, FreezeStatusDialog
from app.views.money_view import MoneyView
from app.views.trace_form import set_utc
from tests.services.test_money_trace import ETH_EXCHANGE, EXCHANGE_A, EXCHANGE_B, VICTIM
from tests.views.test_money_view_trace import OP, run_trace
from tests.views.test_money_view_trace import money_tab as money_tab
from tests.views.test_money_view_trace import op as op

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*AA_UseHighDpiPixmaps:DeprecationWarning")


def error_text(parent: object) -> str:
    boxes = [b for b in parent.findChildren(QMessageBox, "errorBox")  # type: ignore[attr-defined]
             if b.isVisible()]
    assert boxes, "no error was shown"
    text = boxes[-1].text()
    boxes[-1].close()
    return str(text)


def select_endpoint(money_tab: MoneyView, label: str) -> None:
    table = money_tab.trace.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == label)
    table.selectRow(row)


def draft_dialog(qtbot: QtBot, money_tab: MoneyView, label: str) -> DraftFreezeDialog:
    run_trace(qtbot, money_tab.trace, VICTIM, "haircut")
    select_endpoint(money_tab, label)
    assert money_tab.trace.draft_button.isEnabled()
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):  # the trace is saved first
        money_tab.trace.draft_button.click()
    dialog = money_tab.findChild(DraftFreezeDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def status_dialog(money_tab: MoneyView, row: int) -> FreezeStatusDialog:
    money_tab.freezes.table.selectRow(row)
    money_tab.freezes.status_button.click()
    dialogs = [d for d in money_tab.findChildren(FreezeStatusDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def cells(money_tab: MoneyView, row: int) -> dict[str, str]:
    table = money_tab.freezes.table
    return {table.horizontalHeaderItem(c).text(): table.item(row, c).text()
            for c in range(table.columnCount())}


def test_draft_from_an_endpoint_and_move_it_on(qtbot: QtBot, money_tab: MoneyView,
                                              ctx: AppContext, tmp_path: Path) -> None:
    dialog = draft_dialog(qtbot, money_tab, "exchange: Exchange A")
    assert money.list_traces(ctx, OP)  # saved: the basis of the request
    assert dialog.addressee.text() == "Exchange A, compliance: compliance@a.example"
    assert dialog.amount.text() == "2"  # what haircut traced to it
    # Refused: no legal basis, then more than was traced; the dialog stays, nothing made.
    dialog.try_save()
    assert error_text(dialog).startswith("A freeze request needs its legal basis")
    dialog.basis.setPlainText("Order 12/2026, High Court Nairobi")
    dialog.amount.setText("2.5")
    dialog.try_save()
    assert error_text(dialog) == ("The amount 2.5 USDT is more than the 2 traced to "
                                  f"{EXCHANGE_A}.")
    assert dialog.isVisible() and freeze.list_freezes(ctx, OP) == []
    dialog.amount.setText("2")
    dialog.urgency.setCurrentText("immediate")
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):
        dialog.try_save()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert money_tab.pages.currentWidget() is money_tab.freezes
    row = cells(money_tab, 0)
    assert (row["Addressee"], row["Requested"], row["Status"], row["Urgency"]) == (
        "Exchange A, compliance: compliance@a.example", "2 USDT", "drafted", "immediate")
    assert row["Drafted"] and not row["Sent"]
    assert "1 drafted, not sent yet" in money_tab.cards["requested"].text()
    assert "Order 12/2026" in money_tab.freezes.history.toPlainText()
    [info] = freeze.list_freezes(ctx, OP)
    # Sent now; frozen four minutes later.
    step = status_dialog(money_tab, 0)
    assert [step.status.itemText(i) for i in range(step.status.count())] == ["sent"]
    sent = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    set_utc(step.at, sent)
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):
        step.try_save()
    row = cells(money_tab, 0)
    assert row["Status"] == "sent" and row["Sent"] == f"{sent:%d %b %Y %H:%M}"
    step = status_dialog(money_tab, 0)
    step.status.setCurrentText("partly frozen")
    assert step.frozen.isEnabled() and step.frozen.text() == ""
    set_utc(step.at, sent + timedelta(minutes=4))
    step.try_save()
    assert error_text(step).startswith("Say how much was frozen (less than the 2 USDT")
    assert freeze.list_freezes(ctx, OP)[0].status == "sent"
    step.status.setCurrentText("frozen")
    assert step.frozen.text() == "2"
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):
        step.try_save()
    row = cells(money_tab, 0)
    assert (row["Status"], row["Frozen"], row["Request to freeze"]) == (
        "frozen", "2 USDT", "4 min")
    assert "median 4 min" in money_tab.cards["time"].text()
    assert "2 USDT" in money_tab.cards["frozen"].text()
    history = money_tab.freezes.history.toPlainText()
    assert "drafted" in history and "sent" in history and "frozen" in history
    pdf = money_tab.write_pdf(info, tmp_path / "request.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_the_addressee_is_the_fiu_when_no_contact_is_known(
        qtbot: QtBot, money_tab: MoneyView, ctx: AppContext) -> None:
    dialog = draft_dialog(qtbot, money_tab, "exchange: Exchange B")
    assert dialog.addressee.text() == "Financial intelligence unit of Kenya (KE)"
    dialog.basis.setPlainText("Order 12/2026")
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):
        dialog.try_save()
    [info] = freeze.list_freezes(ctx, OP)
    assert (info.address, info.addressee) == (EXCHANGE_B,
                                              "Financial intelligence unit of Kenya (KE)")


def test_the_figures(qtbot: QtBot, money_tab: MoneyView, ctx: AppContext) -> None:
    run = money.trace_operation(ctx, OP, [VICTIM], "haircut", save=True)
    assert run.trace_id is not None
    t = datetime.now(UTC) - timedelta(days=1)
    first, _ = freeze.draft_freeze(ctx, run.trace_id, EXCHANGE_B, legal_basis="Order", at=t)
    second, _ = freeze.draft_freeze(ctx, run.trace_id, ETH_EXCHANGE, legal_basis="Order", at=t)
    freeze.set_freeze_status(ctx, first, "sent", at=t)
    freeze.set_freeze_status(ctx, first, "frozen", at=t + timedelta(hours=2))
    freeze.set_freeze_status(ctx, second, "sent", at=t)
    freeze.set_freeze_status(ctx, second, "partly frozen", at=t + timedelta(hours=6),
                             frozen_amount="60")
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):
        money_tab.reload()
    cards = {k: label.text() for k, label in money_tab.cards.items()}
    assert "104 USDT" in cards["traced"] and "HAIRCUT" in cards["traced"]
    assert "102 USDT" in cards["requested"]  # 2 at exchange B, 100 at exchange E
    assert "2 requests sent, 2 answered" in cards["requested"]
    assert "62 USDT" in cards["frozen"]
    # Request to freeze: 2 h and 6 h; the median 4 h, the 90th percentile (nearest rank) 6 h.
    assert "median 4 h 00 min" in cards["time"] and "90th percentile 6 h 00 min" in cards["time"]
    assert money_tab.pages.tabText(1) == "Freeze requests (2)"
