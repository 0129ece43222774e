"""Drafting a freeze request from a trace endpoint, and moving a request to its next
status with the time it happened. A refused entry (a KnownError from the service) is told
in a one-sentence message box and the dialog stays open with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.tracing import Endpoint, plain
from app.services.freeze import NEXT, URGENCY_CHOICES, FreezeInfo
from app.views.messages import show_known_error
from app.views.trace_form import set_utc, utc_edit, utc_of
from app.views.trace_map import amount_text


def _buttons(dialog: QDialog, text: str, name: str, accept: Callable[[], None]
             ) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(text)
    ok.setObjectName(name)
    box.accepted.connect(accept)
    box.rejected.connect(dialog.reject)
    return box


class DraftFreezeDialog(QDialog):
    """``save(addressee, amount, legal_basis, urgency)`` drafts the request; it raises a
    KnownError when the service refuses."""

    def __init__(self, endpoint: Endpoint, addressee: str,
                 save: Callable[[str, str, str, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.save = save
        self.setWindowTitle("Draft a freeze request")
        self.resize(560, 360)
        service = f"{endpoint.category}: {endpoint.label}" if endpoint.label else "no label"
        wallet = QLabel(f"<b>{endpoint.address}</b><br>{endpoint.chain} · {service} · "
                        f"{amount_text(endpoint.amount, endpoint.asset)} traced to it")
        wallet.setObjectName("freezeWallet")
        wallet.setWordWrap(True)
        self.addressee = QLineEdit(addressee)
        self.addressee.setObjectName("addressee")
        self.addressee.setPlaceholderText("no compliance contact or country is known: "
                                          "name the addressee")
        self.addressee.setToolTip("Suggested from the address's label: its compliance "
                                  "contact, else the FIU of its country")
        self.amount = QLineEdit(plain(endpoint.amount))
        self.amount.setObjectName("freezeAmount")
        self.amount.setToolTip(f"At most the {plain(endpoint.amount)} {endpoint.asset} traced")
        self.basis = QPlainTextEdit()
        self.basis.setObjectName("legalBasis")
        self.basis.setPlaceholderText("the order or provision it rests on, e.g. Order "
                                      "12/2026 of the High Court, Nairobi")
        self.urgency = QComboBox()
        self.urgency.setObjectName("urgency")
        self.urgency.addItems(list(URGENCY_CHOICES))
        self.urgency.setCurrentText("urgent")
        form = QFormLayout()
        form.addRow("Wallet", wallet)
        form.addRow("Addressee", self.addressee)
        form.addRow(f"Amount ({endpoint.asset})", self.amount)
        form.addRow("Legal basis", self.basis)
        form.addRow("Urgency", self.urgency)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Draft", "draft", self.try_save))

    def try_save(self) -> None:
        try:
            self.save(self.addressee.text().strip(), self.amount.text().strip(),
                      self.basis.toPlainText().strip(), self.urgency.currentText())
        except KnownError as error:
            show_known_error(self, error)
            return
        self.accept()


class FreezeStatusDialog(QDialog):
    """``save(status, at, frozen_amount or None, note)`` moves the request on."""

    def __init__(self, info: FreezeInfo,
                 save: Callable[[str, datetime, str | None, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.save = save
        self.setWindowTitle("Freeze request: next step")
        what = QLabel(f"{amount_text(info.amount, info.asset)} at {info.address} "
                      f"({info.wallet_label or info.chain}), to {info.addressee}. "
                      f"Now: <b>{info.status}</b>.")
        what.setWordWrap(True)
        self.status = QComboBox()
        self.status.setObjectName("nextStatus")
        self.status.addItems(list(NEXT.get(info.status, ())))
        self.at = utc_edit("statusTime")
        self.at.setEnabled(True)
        # Now, to the next whole second: the edit keeps no fractions, and a step a moment
        # before the previous one (drafted a second ago) would be refused.
        set_utc(self.at, datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1))
        self.frozen = QLineEdit()
        self.frozen.setObjectName("frozenAmount")
        self.note = QLineEdit()
        self.note.setObjectName("statusNote")
        self.note.setPlaceholderText("e.g. reference of the exchange's answer")
        form = QFormLayout()
        form.addRow(what)
        form.addRow("New status", self.status)
        form.addRow("When (UTC)", self.at)
        form.addRow(f"Frozen ({info.asset})", self.frozen)
        form.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Record", "record", self.try_save))
        self.status.currentTextChanged.connect(self._status_changed)
        self._status_changed(self.status.currentText())

    def _status_changed(self, status: str) -> None:
        freezing = status in ("frozen", "partly frozen")
        self.frozen.setEnabled(freezing)
        if status == "frozen":
            self.frozen.setText(plain(self.info.amount))
        elif not freezing:
            self.frozen.clear()
        elif self.frozen.text() == plain(self.info.amount):
            self.frozen.clear()  # partly: less than requested, to be typed

    def try_save(self) -> None:
        status = self.status.currentText()
        frozen = self.frozen.text().strip() if status in ("frozen", "partly frozen") else None
        try:
            self.save(status, utc_of(self.at), frozen or None, self.note.text().strip())
        except KnownError as error:
            show_known_error(self, error)
            return
        self.accept()

