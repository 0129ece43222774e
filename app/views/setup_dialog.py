"""First start: who this store belongs to and the passphrase that locks it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services.context import AppContext, init_store
from app.services.store_admin import StoreInfo
from app.views.country_combo import CountryCombo
from app.views.messages import show_crash
from app.views.passphrase_fields import PassphraseFields
from app.views.workers import Cancel, Progress, run_job

REMEMBER_TEXT = "Remember on this device (unlock from the system keyring)"
NO_KEYRING_TEXT = "Remember on this device: unavailable on this machine"
NO_KEYRING_NOTE = ("No usable system keyring was found here, so JointOps will ask for the "
                   "passphrase at each start.")


class SetupDialog(QDialog):
    """Creates the store on Create; ``context`` and ``recovery_key`` are set on accept."""

    def __init__(self, info: StoreInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.context: AppContext | None = None
        self.recovery_key = ""
        self.setWindowTitle("JointOps: set up this store")
        self.setMinimumWidth(560)

        intro = QLabel(
            "<b>Welcome to JointOps.</b> This machine has no JointOps store yet. Name the "
            "agency that will use it, and choose the passphrase that encrypts it. "
            f"<br>The store will be created in <code>{info.folder}</code>.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.agency = QLineEdit()
        self.agency.setObjectName("agencyName")
        self.agency.setPlaceholderText("e.g. Directorate of Criminal Investigations")
        self.country = CountryCombo()
        self.country.setObjectName("country")
        self.contact = QLineEdit()
        self.contact.setPlaceholderText("optional: duty desk phone or e-mail, around the clock")
        form = QFormLayout()
        form.addRow("Agency name:", self.agency)
        form.addRow("Country:", self.country)
        form.addRow("24/7 contact:", self.contact)
        self.passphrase = PassphraseFields(form)
        self.remember = QCheckBox(REMEMBER_TEXT)
        self.remember.setObjectName("remember")
        self.remember_note = QLabel(NO_KEYRING_NOTE)
        self.remember_note.setWordWrap(True)
        self.remember_note.setStyleSheet("color: gray;")
        self.remember_note.setVisible(not info.keyring_available)
        if not info.keyring_available:
            self.remember.setEnabled(False)
            self.remember.setText(NO_KEYRING_TEXT)
            self.remember.setToolTip(NO_KEYRING_NOTE)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            "Create the store", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("create")
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.create_store)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.remember_note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def problem(self) -> str | None:
        if not self.agency.text().strip():
            return "Enter the name of your agency."
        if not self.country.code():
            return "Choose your agency's country from the list."
        return self.passphrase.problem()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def create_store(self) -> None:
        problem = self.problem()
        if problem:
            self.show_error(problem)
            return
        self.error.hide()
        folder: Path = self.info.folder
        name, code = self.agency.text().strip(), self.country.code()
        passphrase = self.passphrase.passphrase()
        remember = self.remember.isEnabled() and self.remember.isChecked()
        contact = self.contact.text().strip()

        def work(_progress: Progress, _cancel: Cancel) -> tuple[AppContext, str]:
            return init_store(folder, passphrase, name, code, remember=remember,
                              contact=contact)

        self._busy(True)
        run_job(work, self, self._created, self._failed)

    def _busy(self, busy: bool) -> None:
        self.setEnabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _created(self, result: Any) -> None:
        self._busy(False)
        self.context, self.recovery_key = result
        self.passphrase.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        if isinstance(error, KnownError):
            self.show_error(str(error))
        else:
            show_crash(self, error)
