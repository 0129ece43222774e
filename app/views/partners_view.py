"""Partners & sync: this agency's identity, its partners and the bundles exchanged.

What each partner has not yet received depends on an operation and on reading what it
may see of it, so it is counted on a worker thread and filled in when it arrives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import tlp
from app.core.errors import KnownError
from app.services import exchange, operations
from app.services.context import AppContext
from app.views.exchange_words import counted, country_text, when_text
from app.views.messages import show_error
from app.views.partner_actions import PartnerActions
from app.views.partner_dialogs import FingerprintLabel
from app.views.workers import Cancel, Progress, run_job, settle_readers

PARTNER_COLUMNS = ("Agency", "Country", "Root fingerprint", "Trust", "Roster", "TLP ceiling",
                   "Last bundle sent", "Last bundle received", "Not yet received")
HISTORY_COLUMNS = ("Bundle", "Direction", "Agency", "No.", "When", "Result", "Changes")
PENDING_COLUMN = 8
TRUSTED = "✓ trusted"
PENDING = "⚠ pending: compare fingerprint"


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _counts_text(entry: exchange.BundleHistoryEntry) -> str:
    d = entry.detail
    if entry.direction == "sent":
        return counted(int(str(d.get("changesets", 0))), "change")
    parts = [f"{d.get('applied', 0)} applied"]
    for key, one, many in (("duplicates", "already here", "already here"),
                           ("refused", "refused", "refused"),
                           ("conflicts", "conflict", "conflicts")):
        n = int(str(d.get(key) or 0))
        if n:
            parts.append(counted(n, one, many))
    return ", ".join(parts)


class PartnersView(QWidget):
    send_requested = Signal()
    open_requested = Signal()
    status = Signal(str)
    changed = Signal()  # partners or identity changed: conflicts and menus may follow

    def __init__(self, context: Callable[[], AppContext], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.partners: list[Any] = []
        self._generation = 0
        self.partner_actions = PartnerActions(context, self)
        self.partner_actions.changed.connect(self.refresh)
        self.partner_actions.changed.connect(self.changed)
        self.partner_actions.status.connect(self.status)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._partners_box())
        splitter.addWidget(self._history_box())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self._identity_box())
        layout.addWidget(splitter, 1)

    # ---- building ----------------------------------------------------------------------

    def _identity_box(self) -> QGroupBox:
        box = QGroupBox("This agency")
        self.agency = QLabel()
        self.agency.setObjectName("ourAgency")
        font = self.agency.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.agency.setFont(font)
        self.fingerprint = FingerprintLabel()
        self.fingerprint.setObjectName("ourFingerprint")
        self.roster = QLabel()
        self.roster.setObjectName("ourRoster")
        self.devices = QLabel()
        self.devices.setObjectName("ourDevices")
        self.devices.setWordWrap(True)
        facts = QFormLayout()
        facts.addRow(self.agency)
        facts.addRow("Root fingerprint:", self.fingerprint)
        facts.addRow("Roster version:", self.roster)
        facts.addRow("Devices:", self.devices)
        hint = QLabel("Partners compare this fingerprint with you by phone or in person "
                      "before they trust bundles from this agency.")
        hint.setStyleSheet("color: gray;")
        hint.setWordWrap(True)
        buttons = QVBoxLayout()
        for text, slot, name in (
                ("Export our identity…", self.partner_actions.export_identity, "exportIdentity"),
                ("Enrol a device…", self.partner_actions.enrol_device, "enrolDevice"),
                ("Revoke device…", self.partner_actions.revoke_device, "revokeDevice"),
                ("Rotate root key…", self.partner_actions.rotate_root, "rotateRoot")):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(facts)
        left.addWidget(hint)
        row = QHBoxLayout(box)
        row.addLayout(left, 1)
        row.addLayout(buttons)
        return box

    def _partners_box(self) -> QGroupBox:
        box = QGroupBox("Partner agencies")
        self.operation = QComboBox()
        self.operation.setObjectName("pendingOperation")
        self.operation.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.operation.currentIndexChanged.connect(lambda _i: self.count_pending())
        self.table = _table(PARTNER_COLUMNS, "partners")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        header = self.table.horizontalHeaderItem(PENDING_COLUMN)
        if header is not None:
            header.setToolTip("Changes of the chosen operation that the partner may see and "
                              "has not yet confirmed receiving (each bundle it sends back "
                              "confirms what it received)")
        self.add = QPushButton("Add partner…")
        self.add.setObjectName("addPartner")
        self.add.clicked.connect(self.partner_actions.add_partner)
        self.trust = QPushButton("Trust…")
        self.trust.setObjectName("trustPartner")
        self.trust.setToolTip("Compare the fingerprint of a partner that arrived through a "
                              "relay, then trust it")
        self.trust.clicked.connect(self.trust_selected)
        send = QPushButton("Send bundle…")
        send.setObjectName("sendBundle")
        send.clicked.connect(self.send_requested)
        receive = QPushButton("Open bundle…")
        receive.setObjectName("openBundle")
        receive.clicked.connect(self.open_requested)
        top = QHBoxLayout()
        top.addWidget(QLabel("Not yet received, for operation:"))
        top.addWidget(self.operation)
        top.addStretch(1)
        for button in (self.add, self.trust, send, receive):
            top.addWidget(button)
        self.empty = QLabel("No partner yet. Ask a partner agency for its roster file "
                            "(Export our identity… on its side), then Add partner….")
        self.empty.setObjectName("noPartners")
        self.empty.setStyleSheet("color: gray;")
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        return box

    def _history_box(self) -> QGroupBox:
        box = QGroupBox("Bundles sent and received (newest first)")
        self.history = _table(HISTORY_COLUMNS, "history")
        QVBoxLayout(box).addWidget(self.history)
        return box

    # ---- filling -----------------------------------------------------------------------

    def refresh(self, op_id: str = "") -> None:
        """Read identity, partners and history again; ``op_id``: the operation whose
        pending changes to count (else the one chosen)."""
        ctx = self.context()
        me = exchange.identity_info(ctx)
        self.agency.setText(f"{me.name} · {country_text(me.country)}")
        self.fingerprint.set_fingerprint(me.root_fingerprint)
        self.roster.setText(str(me.roster_version))
        self.devices.setText(", ".join(
            f"{d.name} (this device)" if d.id == me.device_id else d.name
            for d in exchange.roster_devices(ctx)))
        keep = op_id or str(self.operation.currentData() or "")
        self.operation.blockSignals(True)
        self.operation.clear()
        for summary in operations.list_operations(ctx):
            self.operation.addItem(summary.codename, summary.id)
        self.operation.setCurrentIndex(max(self.operation.findData(keep), 0))
        self.operation.blockSignals(False)
        self._fill_partners(exchange.list_partners(ctx))
        self._fill_history(exchange.bundle_history(ctx))
        self.count_pending()

    def _fill_partners(self, partners: list[Any]) -> None:
        self.partners = partners
        self.empty.setVisible(not partners)
        self.table.setVisible(bool(partners))
        self.table.setRowCount(len(partners))
        mono = QFont("monospace")
        for r, p in enumerate(partners):
            trusted = p.trust == "trusted"
            values = (p.name, country_text(p.country), p.fingerprint,
                      TRUSTED if trusted else PENDING, str(p.roster_version), "",
                      when_text(p.last_sent), when_text(p.last_received), "…")
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 2:
                    item.setFont(mono)
                if c == 3:
                    item.setForeground(QColor("#1b7f3b" if trusted else "#b35c00"))
                self.table.setItem(r, c, item)
            self.table.setCellWidget(r, 5, self._ceiling_combo(p.agency_id, p.tlp_ceiling))
        self._selection_changed()

    def _ceiling_combo(self, agency_id: str, level: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"ceiling_{agency_id}")
        combo.setToolTip("The highest TLP marking this partner receives")
        combo.addItems([f"TLP:{lvl}" for lvl in tlp.LEVELS])
        combo.setCurrentIndex(tlp.LEVELS.index(level))
        combo.currentIndexChanged.connect(
            lambda i: self.set_ceiling(agency_id, tlp.LEVELS[i], combo, level))
        return combo

    def set_ceiling(self, agency_id: str, level: str, combo: QComboBox | None = None,
                    before: str = "") -> None:
        settle_readers()
        try:
            exchange.set_tlp_ceiling(self.context(), agency_id, level)
        except KnownError as error:
            show_error(self, error)
            if combo is not None and before:
                combo.blockSignals(True)
                combo.setCurrentIndex(tlp.LEVELS.index(before))
                combo.blockSignals(False)
            return
        name = next((p.name for p in self.partners if p.agency_id == agency_id), agency_id)
        self.status.emit(f"{name} now receives records up to TLP:{level}.")
        self.partners = exchange.list_partners(self.context())
        self.count_pending()

    def _fill_history(self, entries: list[exchange.BundleHistoryEntry]) -> None:
        self.history.setRowCount(len(entries))
        for r, e in enumerate(entries):
            values = (e.bundle_id[:12], "sent to" if e.direction == "sent" else "received from",
                      e.agency, str(e.sequence), when_text(e.at), e.result, _counts_text(e))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 0:
                    item.setToolTip(e.bundle_id)
                self.history.setItem(r, c, item)

    def count_pending(self) -> None:
        """Count, off the GUI thread, what each trusted partner has not received of the
        chosen operation."""
        self._generation += 1
        generation, op_id = self._generation, str(self.operation.currentData() or "")
        trusted = [p.agency_id for p in self.partners if p.trust == "trusted"]
        for r, p in enumerate(self.partners):
            self._set_pending(r, "…" if p.trust == "trusted" and op_id else
                              "trust it first" if op_id else "no operation")
        if not op_id or not trusted:
            return
        ctx = self.context()

        def work(_progress: Progress, cancel: Cancel) -> dict[str, int]:
            found = {}
            for agency_id in trusted:
                if cancel():
                    break
                found[agency_id] = exchange.pending_for(ctx, op_id, agency_id)
            return found

        def done(result: Any) -> None:
            if generation != self._generation:
                return
            for r, p in enumerate(self.partners):
                if p.agency_id in result:
                    n = result[p.agency_id]
                    self._set_pending(r, counted(n, "change") if n else "up to date")

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                show_error(self, error)

        run_job(work, self, done, failed, reader=True)

    def _set_pending(self, row: int, text: str) -> None:
        item = self.table.item(row, PENDING_COLUMN)
        if item is not None:
            item.setText(text)

    # ---- selection ---------------------------------------------------------------------

    def selected_partner(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return self.partners[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected_partner()
        self.trust.setEnabled(chosen is not None and chosen.trust != "trusted")

    def trust_selected(self) -> None:
        chosen = self.selected_partner()
        if chosen is not None:
            self.partner_actions.trust(chosen)

    def clear(self) -> None:
        self._generation += 1
        for label in (self.agency, self.roster, self.devices):
            label.clear()
        self.fingerprint.set_fingerprint("")
        self.operation.blockSignals(True)
        self.operation.clear()
        self.operation.blockSignals(False)
        self.partners = []
        self.table.setRowCount(0)
        self.history.setRowCount(0)
