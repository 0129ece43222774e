"""The "Money" tab: where the victims' funds went and whether they were frozen in time.

Above, the operation's figures (value traced, requested, frozen, time from request to
freeze); then the Trace page (trace_panel.py) and the Freeze requests page
(freeze_panel.py). Imports of transfers and labels open their dialogs (money_import.py).
The figures and lists are read on a worker thread when the tab is in view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError, NotFoundError
from app.core.tracing import Endpoint
from app.services import freeze, money
from app.services.context import AppContext
from app.services.freeze import FreezeInfo
from app.services.freeze_pdf import write_freeze_pdf
from app.services.money import MoneySummary, SavedTrace, WalletInfo
from app.views.freeze_dialogs import DraftFreezeDialog, FreezeStatusDialog
from app.views.freeze_panel import FreezePanel, duration_text
from app.views.messages import show_error
from app.views.money_import import LabelImportDialog, TransferImportDialog
from app.views.trace_map import amount_text
from app.views.trace_panel import TracePanel
from app.views.undo_commands import CommandEnv, Refresh
from app.views.workers import run_job, settle_readers

MONEY_KINDS = {"transfer", "address_label", "trace_record", "freeze_request", "freeze_event",
               "wallet", "operation"}
CARD_STYLE = ("QLabel {{ background: {bg}; border-left: 5px solid {border}; "
              "padding: 4px 10px; }}")


@dataclass(frozen=True)
class MoneyData:
    wallets: list[WalletInfo]
    traces: list[SavedTrace]
    freezes: list[FreezeInfo]
    summary: MoneySummary


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    lines: list[str]
    note: str
    colours: tuple[str, str]  # background, border


def figure_cards(summary: MoneySummary, freezes: list[FreezeInfo]) -> list[Card]:
    """The four figures, one card each, in words a commander reads at a glance."""
    def per_asset(attribute: str) -> list[str]:
        found = [amount_text(getattr(a, attribute), a.asset) for a in summary.assets
                 if getattr(a, attribute)]
        return found or ["none"]

    method = (f"by the latest saved forward trace ({summary.trace_method.upper()})"
              if summary.trace_method else "no saved forward trace yet")
    at_services = [amount_text(a.traced_to_services, a.asset) for a in summary.assets
                   if a.traced_to_services]
    released = [amount_text(a.released, a.asset) for a in summary.assets if a.released]
    median, p90 = summary.time_to_freeze_median, summary.time_to_freeze_p90
    drafted = sum(1 for f in freezes if f.sent_at is None)
    sent = len(freezes) - drafted
    return [
        Card("traced", "Value traced", per_asset("traced"),
             method + (f"; at exchanges and services: {', '.join(at_services)}"
                       if at_services else ""), ("#e3f2fd", "#1565c0")),
        Card("requested", "Requested to freeze", per_asset("requested"),
             f"{sent} request{'s' if sent != 1 else ''} sent, {summary.answered} answered"
             + (f"; {drafted} drafted, not sent yet" if drafted else ""),
             ("#fff8e1", "#f9a825")),
        Card("frozen", "Frozen now", per_asset("frozen"),
             f"released since: {', '.join(released)}" if released else "",
             ("#e8f5e9", "#2e7d32")),
        Card("time", "Request to freeze",
             [f"median {duration_text(median)}" if median is not None else "no freeze yet"],
             f"90th percentile {duration_text(p90)}" if p90 is not None else "",
             ("#f3e5f5", "#6a1b9a")),
    ]


def read_money(ctx: AppContext, op_id: str) -> MoneyData:
    return MoneyData(money.list_wallets(ctx, op_id), money.list_traces(ctx, op_id),
                     freeze.list_freezes(ctx, op_id), money.money_summary(ctx, op_id))


class MoneyView(QWidget):
    loaded = Signal()  # the figures and lists of the operation are on screen

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.codename = ""
        self.data: MoneyData | None = None
        self.generation = 0
        self._stale = False
        self._select_request = ""

        self.cards: dict[str, QLabel] = {}
        cards = QHBoxLayout()
        for key in ("traced", "requested", "frozen", "time"):
            label = QLabel()
            label.setObjectName(f"figure_{key}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setFrameShape(QFrame.Shape.NoFrame)
            self.cards[key] = label
            cards.addWidget(label, 1)
        self.import_transfers = QPushButton("Import transfers…")
        self.import_transfers.setObjectName("importTransfers")
        self.import_transfers.clicked.connect(self.open_transfer_import)
        self.import_labels = QPushButton("Import labels…")
        self.import_labels.setObjectName("importLabels")
        self.import_labels.setToolTip("Exchanges, mixers, bridges, DEXs, victims and "
                                      "suspects, with their source (CSV, JSON or TagPack)")
        self.import_labels.clicked.connect(self.open_label_import)
        self.busy = QLabel()
        self.busy.setObjectName("moneyBusy")
        self.busy.setStyleSheet("color: gray;")
        bar = QHBoxLayout()
        bar.addWidget(self.import_transfers)
        bar.addWidget(self.import_labels)
        bar.addWidget(self.busy, 1)
        self.trace = TracePanel(context, env)
        self.trace.draft_requested.connect(self.ask_draft)
        self.freezes = FreezePanel(lambda request_id: freeze.freeze_detail(self.context(),
                                                                           request_id))
        self.freezes.status_requested.connect(self.ask_status)
        self.freezes.pdf_requested.connect(lambda info: self.write_pdf(info))
        self.pages = QTabWidget()
        self.pages.setObjectName("moneyPages")
        self.pages.addTab(self.trace, "Trace")
        self.pages.addTab(self.freezes, "Freeze requests")
        layout = QVBoxLayout(self)
        layout.addLayout(cards)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self._show_cards(None, [])
        self._enable()

    # ---- operation and data ------------------------------------------------------------

    def set_operation(self, op_id: str) -> None:
        self.op_id = op_id
        self.codename = ""
        self.data = None
        self.generation += 1
        self.trace.clear()
        self.trace.op_id = op_id
        self.freezes.set_freezes([])
        self._show_cards(None, [])
        self._enable()
        self.reload()

    def clear(self) -> None:
        """No operation (or the store locked): nothing of it stays on screen."""
        self.set_operation("")

    def apply_refresh(self, refresh: Refresh) -> None:
        if refresh.op_id == self.op_id and refresh.change.kinds() & MONEY_KINDS:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Read the figures and lists again on a worker thread; only while in view. A read
        that a newer one overtook (or another operation) is dropped when it arrives."""
        if not self.op_id:
            return
        self._stale = not self.isVisible()
        if self._stale:
            return
        self.generation += 1
        seq, ctx = (self.op_id, self.generation), self.context()
        self.busy.setText("Reading the money…")
        run_job(lambda _progress, _cancel: (seq, read_money(ctx, seq[0])), self,
                self._arrived, lambda error: self._read_failed(seq, error), reader=True)

    def _current(self, seq: tuple[str, int]) -> bool:
        return seq == (self.op_id, self.generation)

    def _arrived(self, answer: tuple[tuple[str, int], MoneyData]) -> None:
        if self._current(answer[0]):
            self.show_data(answer[1])

    def _read_failed(self, seq: tuple[str, int], error: BaseException) -> None:
        if not self._current(seq):
            return
        self.busy.clear()
        if isinstance(error, NotFoundError):
            self.clear()
        else:
            self.env.failed(error)
        self.loaded.emit()

    def show_data(self, data: MoneyData) -> None:
        self.data = data
        self.codename = data.summary.codename
        self.busy.setText(f"{data.summary.transfers:,} transfers in {self.codename}")
        self._show_cards(data.summary, data.freezes)
        self.trace.set_data(self.op_id, data.wallets, data.traces)
        self.freezes.set_freezes(data.freezes)
        if self._select_request:
            self.freezes.select(self._select_request)
            self._select_request = ""
        self.pages.setTabText(1, f"Freeze requests ({len(data.freezes)})")
        self._enable()
        self.loaded.emit()

    def _show_cards(self, summary: MoneySummary | None, freezes: list[FreezeInfo]) -> None:
        if summary is None:
            for label in self.cards.values():
                label.clear()
                label.setStyleSheet("")
            return
        for card in figure_cards(summary, freezes):
            label = self.cards[card.key]
            bg, border = card.colours
            label.setStyleSheet(CARD_STYLE.format(bg=bg, border=border))
            value = "<br>".join(escape(line) for line in card.lines)
            label.setText(f"<span style='color:#455a64'>{escape(card.title.upper())}</span><br>"
                          f"<span style='font-size:13pt; font-weight:bold'>{value}</span>"
                          + (f"<br><span style='color:#455a64; font-size:8pt'>"
                             f"{escape(card.note)}</span>" if card.note else ""))

    def _enable(self) -> None:
        for button in (self.import_transfers, self.import_labels):
            button.setEnabled(bool(self.op_id))

    def _changed(self, change: Any) -> None:
        self.env.changed(Refresh(change, self.op_id, None))

    # ---- imports -----------------------------------------------------------------------

    def open_transfer_import(self) -> TransferImportDialog:
        dialog = TransferImportDialog(self.context, self.op_id, self.codename, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda report: self._changed(report.change))
        dialog.open()
        return dialog

    def open_label_import(self) -> LabelImportDialog:
        dialog = LabelImportDialog(self.context, self.op_id, self.codename, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda report: self._changed(report.change))
        dialog.open()
        return dialog

    # ---- freeze requests ---------------------------------------------------------------

    def ask_draft(self, trace_id: str, endpoint: Endpoint) -> DraftFreezeDialog | None:
        try:
            addressee = freeze.suggested_addressee(self.context(), self.op_id, endpoint.chain,
                                                   endpoint.address)
        except KnownError as error:
            show_error(self, error)
            return None

        def save(to: str, amount: str, basis: str, urgency: str) -> None:
            settle_readers()
            request_id, change = freeze.draft_freeze(
                self.context(), trace_id, endpoint.address, legal_basis=basis,
                asset=endpoint.asset, urgency=urgency, addressee=to or None,
                amount=amount or None)
            self._select_request = request_id
            self.pages.setCurrentWidget(self.freezes)
            self._changed(change)

        dialog = DraftFreezeDialog(endpoint, addressee, save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_status(self, info: FreezeInfo) -> FreezeStatusDialog:
        def save(status: str, at: datetime, frozen: str | None, note: str) -> None:
            settle_readers()
            change = freeze.set_freeze_status(self.context(), info.id, status, at=at,
                                              frozen_amount=frozen, note=note)
            self._select_request = info.id
            self._changed(change)

        dialog = FreezeStatusDialog(info, save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def write_pdf(self, info: FreezeInfo, path: Path | None = None) -> Path | None:
        """Write the request as a PDF (asks where unless ``path``)."""
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self, "Write freeze request", f"freeze-{self.codename}-{info.id[:8]}.pdf",
                "PDF files (*.pdf)")
            if not name:
                return None
            path = Path(name)
        try:
            write_freeze_pdf(freeze.freeze_detail(self.context(), info.id), path)
        except KnownError as error:
            show_error(self, error)
            return None
        except OSError as error:
            show_error(self, KnownError(f"{path} cannot be written: "
                                        f"{error.strerror or error}."))
            return None
        self.busy.setText(f"Freeze request written to {path.name}.")
        return path
