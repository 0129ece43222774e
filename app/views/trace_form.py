"""The trace form of the Money tab: wallets to trace from (picked from the operation's
wallets, or typed), direction, method, hops, minimum amount and time window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ValidationError
from app.core.tracing import DEFAULT_HOPS, MAX_HOPS, METHOD_TEXT
from app.services.money import WalletInfo
from app.views.trace_map import short_address

METHOD_NAMES = {"haircut": "Haircut", "fifo": "FIFO", "poison": "Poison"}
DIRECTION_NAMES = {"forward": "Forward: where did it go?",
                   "backward": "Backward: where did it come from?"}
SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class TraceRequest:
    seeds: list[str]  # addresses, or CHAIN:ADDRESS
    method: str
    direction: str
    hops: int
    min_amount: str
    start: datetime | None
    end: datetime | None


def utc_edit(name: str) -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setObjectName(name)
    edit.setTimeZone(QTimeZone.utc())
    edit.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
    edit.setCalendarPopup(True)
    edit.setEnabled(False)
    return edit


def utc_of(edit: QDateTimeEdit) -> datetime:
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC)


def set_utc(edit: QDateTimeEdit, moment: datetime) -> None:
    edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.utc()))


class TraceForm(QWidget):
    run_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wallets = QListWidget()
        self.wallets.setObjectName("seedWallets")
        self.wallets.setToolTip("Tick the wallets to trace from")
        self.typed = QPlainTextEdit()
        self.typed.setObjectName("typedSeeds")
        self.typed.setPlaceholderText("or type addresses, one per line (CHAIN:ADDRESS to "
                                      "name the chain)")
        self.typed.setMaximumHeight(54)
        self.typed.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.direction = QComboBox()
        self.direction.setObjectName("direction")
        for key, text in DIRECTION_NAMES.items():
            self.direction.addItem(text, key)
        self.method = QComboBox()
        self.method.setObjectName("method")
        for key, text in METHOD_NAMES.items():
            self.method.addItem(text, key)
            self.method.setItemData(self.method.count() - 1, METHOD_TEXT[key],
                                    Qt.ItemDataRole.ToolTipRole)
        self.method.currentIndexChanged.connect(
            lambda _i: self.method.setToolTip(METHOD_TEXT[self.method_key()]))
        self.method.setToolTip(METHOD_TEXT["haircut"])
        self.hops = QLineEdit(str(DEFAULT_HOPS))
        self.hops.setObjectName("hops")
        self.hops.setToolTip(f"1 to {MAX_HOPS}")
        self.min_amount = QLineEdit("0")
        self.min_amount.setObjectName("minAmount")
        self.min_amount.setToolTip("Transfers carrying less than this are not followed")
        self.use_start = QCheckBox("from")
        self.use_end = QCheckBox("to")
        self.start = utc_edit("windowStart")
        self.end = utc_edit("windowEnd")
        self.use_start.toggled.connect(self.start.setEnabled)
        self.use_end.toggled.connect(self.end.setEnabled)
        window = QVBoxLayout()
        for check, edit in ((self.use_start, self.start), (self.use_end, self.end)):
            row = QHBoxLayout()
            row.addWidget(check)
            row.addWidget(edit, 1)
            window.addLayout(row)
        self.run = QPushButton("Trace")
        self.run.setObjectName("runTrace")
        self.run.setDefault(True)
        self.run.clicked.connect(self.run_requested)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelTrace")
        self.cancel.clicked.connect(self.cancel_requested)
        self.progress = QProgressBar()
        self.progress.setObjectName("traceProgress")
        self.progress.setTextVisible(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.run)
        form = QFormLayout()
        form.addRow("Direction", self.direction)
        form.addRow("Method", self.method)
        form.addRow("Hops at most", self.hops)
        form.addRow("Minimum amount", self.min_amount)
        form.addRow("Time window", window)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.wallets, 1)
        layout.addWidget(self.typed)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.set_running(False)

    def set_wallets(self, wallets: list[WalletInfo]) -> None:
        ticked = set(self.ticked())
        self.wallets.clear()
        for w in wallets:
            name = w.label or short_address(w.address)
            role = f" [{w.category}]" if w.category else ""
            item = QListWidgetItem(f"{name}{role} · {w.chain} {short_address(w.address)}")
            item.setData(Qt.ItemDataRole.UserRole, f"{w.chain}:{w.address}")
            item.setToolTip(f"{w.chain}: {w.address}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            key = f"{w.chain}:{w.address}"
            item.setCheckState(Qt.CheckState.Checked if key in ticked
                               else Qt.CheckState.Unchecked)
            self.wallets.addItem(item)
        if not wallets:
            self.wallets.addItem("No wallets recorded: type addresses below.")

    def ticked(self) -> list[str]:
        found = []
        for i in range(self.wallets.count()):
            item = self.wallets.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                found.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return found

    def tick(self, keys: set[str]) -> None:
        for i in range(self.wallets.count()):
            item = self.wallets.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in keys:
                item.setCheckState(Qt.CheckState.Checked)

    def method_key(self) -> str:
        return str(self.method.currentData())

    def request(self) -> TraceRequest:
        """What to trace; ValidationError for what the services cannot be asked."""
        typed = [t for t in SEPARATORS.split(self.typed.toPlainText()) if t]
        seeds = self.ticked() + [t for t in typed if t not in self.ticked()]
        if not seeds:
            raise ValidationError("Tick a wallet to trace from, or type its address.")
        hops_text = self.hops.text().strip()
        if not hops_text.isdigit():
            raise ValidationError(f"Hops must be a whole number from 1 to {MAX_HOPS}, "
                                  f"not {hops_text!r}.")
        return TraceRequest(seeds, self.method_key(), str(self.direction.currentData()),
                            int(hops_text), self.min_amount.text().strip() or "0",
                            utc_of(self.start) if self.use_start.isChecked() else None,
                            utc_of(self.end) if self.use_end.isChecked() else None)

    def set_running(self, running: bool) -> None:
        self.run.setEnabled(not running)
        self.cancel.setVisible(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)

    def set_progress(self, hop: int, hops: int) -> None:
        self.progress.setRange(0, hops)
        self.progress.setValue(hop)
        self.progress.setFormat(f"hop {hop} of {hops}")
