"""The Freeze requests page of the Money tab: every request of the operation with its
status and the time of each step, the next step recorded, the PDF written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import escape

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services.freeze import NEXT, FreezeDetail, FreezeInfo
from app.views.trace_map import amount_text, short_address

COLUMNS = ("Wallet", "Addressee", "Requested", "Frozen", "Status", "Request to freeze",
           "Urgency", "Drafted", "Sent", "Acknowledged", "Frozen at", "Released")
ADDRESSEE_WIDTH = 250
STATUS_COLOURS = {"drafted": "#eceff1", "sent": "#fff8e1", "acknowledged": "#fff3e0",
                  "frozen": "#c8e6c9", "partly frozen": "#e8f5e9", "rejected": "#ffcdd2",
                  "released": "#e3f2fd"}


def time_text(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(UTC):%d %b %Y %H:%M}"


def duration_text(value: timedelta | None) -> str:
    """2 h 05 min; 3 d 4 h: what a commander compares at a glance."""
    if value is None:
        return ""
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


class FreezePanel(QWidget):
    status_requested = Signal(object)  # FreezeInfo
    pdf_requested = Signal(object)  # FreezeInfo

    def __init__(self, detail_of: Callable[[str], FreezeDetail],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail_of = detail_of
        self.freezes: list[FreezeInfo] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("freezeRequests")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # The addressee can be long (a compliance contact): cut, whole in its tooltip.
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(1, ADDRESSEE_WIDTH)
        self.table.itemSelectionChanged.connect(self._selected)
        self.history = QTextBrowser()
        self.history.setObjectName("freezeHistory")
        self.hint = QLabel("Draft a request from an endpoint of a forward trace (Trace page: "
                           "select the endpoint, Draft freeze request…).")
        self.hint.setStyleSheet("color: gray;")
        self.status_button = QPushButton("Next step…")
        self.status_button.setObjectName("freezeStatus")
        self.status_button.setToolTip("Record that the request was sent, acknowledged, "
                                      "frozen…, and when")
        self.status_button.clicked.connect(
            lambda: self._emit(self.status_requested))
        self.pdf_button = QPushButton("Write PDF…")
        self.pdf_button.setObjectName("freezePdf")
        self.pdf_button.clicked.connect(lambda: self._emit(self.pdf_requested))
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint)
        buttons.addStretch(1)
        buttons.addWidget(self.status_button)
        buttons.addWidget(self.pdf_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.history)
        splitter.setSizes([330, 220])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._selected()

    def set_freezes(self, freezes: list[FreezeInfo]) -> None:
        keep = self.selected()
        self.freezes = freezes
        self.table.setRowCount(len(freezes))
        for r, info in enumerate(freezes):
            wallet = (f"{info.wallet_label} · " if info.wallet_label else "") + \
                f"{info.chain} {short_address(info.address)}"
            frozen = (amount_text(info.frozen_amount, info.asset)
                      if info.status in ("frozen", "partly frozen", "released") else "")
            cells = (wallet, info.addressee, amount_text(info.amount, info.asset), frozen,
                     info.status, duration_text(info.time_to_freeze), info.urgency,
                     time_text(info.drafted_at), time_text(info.sent_at),
                     time_text(info.acknowledged_at), time_text(info.frozen_at),
                     time_text(info.released_at))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setToolTip(f"{info.chain}: {info.address}")
                if c == 1:
                    item.setToolTip(info.addressee)
                if c in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if c == 4:
                    item.setBackground(QBrush(QColor(STATUS_COLOURS.get(info.status,
                                                                        "#ffffff"))))
                self.table.setItem(r, c, item)
            if keep is not None and info.id == keep.id:
                self.table.selectRow(r)
        self.hint.setVisible(not freezes)
        self._selected()

    def select(self, request_id: str) -> None:
        for r, info in enumerate(self.freezes):
            if info.id == request_id:
                self.table.selectRow(r)

    def selected(self) -> FreezeInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.freezes[rows[0].row()] if rows else None

    def _emit(self, signal: SignalInstance) -> None:
        info = self.selected()
        if info is not None:
            signal.emit(info)

    def _selected(self) -> None:
        info = self.selected()
        self._enable(info)
        if info is None:
            self.history.setHtml("<p style='color:gray'>Select a request: its steps, who "
                                 "recorded them, and the trace it rests on show here.</p>")
            return
        try:
            detail = self.detail_of(info.id)
        except KnownError as error:
            self.history.setPlainText(str(error))
            return
        self.history.setHtml(history_html(detail))

    def _enable(self, info: FreezeInfo | None) -> None:
        self.status_button.setEnabled(info is not None and bool(NEXT.get(info.status)))
        self.pdf_button.setEnabled(info is not None)


def history_html(detail: FreezeDetail) -> str:
    info, basis = detail.info, detail.basis

    def frozen(text: str) -> str:
        return escape(amount_text(Decimal(text), info.asset)) if text else ""

    steps = "".join(
        f"<tr><td><b>{escape(s.status)}</b></td><td>{time_text(s.at)} UTC</td>"
        f"<td>{frozen(s.frozen_amount)}</td><td>{escape(s.agency)}</td>"
        f"<td>{escape(s.note)}</td></tr>" for s in detail.steps)
    rests = (f"<p><b>Traced by</b> {escape(str(basis.get('statement', '')))}<br>"
             f"{frozen(str(basis.get('traced', '')))} reached "
             f"{escape(info.address)} ({escape(str(basis.get('label', '')) or 'no label')})"
             "</p>" if basis.get("statement") else
             "<p>The trace it was drafted from is not recorded in this store.</p>")
    return (f"<p><b>{escape(amount_text(info.amount, info.asset))}</b> at "
            f"{escape(info.address)} ({escape(info.chain)}) · to {escape(info.addressee)} · "
            f"{escape(info.urgency)} · legal basis: {escape(info.legal_basis)}</p>"
            "<table cellpadding='3'><tr><th align='left'>Step</th><th align='left'>When</th>"
            "<th align='left'>Frozen</th><th align='left'>By</th><th align='left'>Note</th>"
            f"</tr>{steps}</table>{rests}")
