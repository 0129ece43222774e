"""Unlock the store: the passphrase, or the recovery key when it is forgotten."""

from __future__ import annotations

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

from app.core.errors import KnownError, UnlockError
from app.services.context import AppContext, open_store
from app.services.store_admin import StoreInfo, check_openable
from app.views.messages import show_crash, show_known_error
from app.views.workers import Cancel, Progress, run_job


class UnlockDialog(QDialog):
    """``context`` is the unlocked store once the dialog is accepted.

    A wrong secret is said in the dialog, which stays open; other known errors (another
    JointOps using the store, a damaged key file) are shown in a message box.
    """

    def __init__(self, info: StoreInfo, parent: QWidget | None = None,
                 reason: str = "") -> None:
        super().__init__(parent)
        self.info = info
        self.context: AppContext | None = None
        self.setWindowTitle("JointOps: unlock")
        self.setMinimumWidth(480)
        heading = QLabel("<b>The store is locked.</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        where = QLabel(reason or f"Enter the passphrase to open the store in "
                       f"<code>{info.folder}</code>.")
        where.setObjectName("reason")
        where.setWordWrap(True)
        where.setTextFormat(Qt.TextFormat.RichText)
        self.secret = QLineEdit()
        self.secret.setObjectName("secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_label = QLabel("Passphrase:")
        form = QFormLayout()
        form.addRow(self.secret_label, self.secret)
        self.use_recovery = QCheckBox("Use the recovery key instead (passphrase forgotten)")
        self.use_recovery.setObjectName("useRecovery")
        self.use_recovery.toggled.connect(self._switch)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton("Unlock",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.setDefault(True)
        self.buttons.addButton("Quit JointOps", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.use_recovery)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.secret.setFocus()

    def _switch(self, recovery: bool) -> None:
        self.secret.clear()
        self.error.hide()
        self.secret_label.setText("Recovery key:" if recovery else "Passphrase:")
        self.secret.setEchoMode(QLineEdit.EchoMode.Normal if recovery
                                else QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("the key shown when the store was created"
                                       if recovery else "")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def unlock(self) -> None:
        secret = self.secret.text()
        if not secret:
            self.show_error("Enter the recovery key." if self.use_recovery.isChecked()
                            else "Enter the passphrase.")
            return
        folder = self.info.folder
        recovery = self.use_recovery.isChecked()
        try:
            # What no secret would fix (a damaged key file, another JointOps using the
            # store) is a message box; what the secret fixes stays in the dialog.
            check_openable(folder)
        except KnownError as error:
            self.error.hide()
            show_known_error(self, error, "JointOps: the store cannot be opened")
            return

        def work(_progress: Progress, _cancel: Cancel) -> AppContext:
            if recovery:
                return open_store(folder, recovery_key=secret)
            return open_store(folder, passphrase=secret)

        self._busy(True)
        run_job(work, self, self._opened, self._failed)

    def _busy(self, busy: bool) -> None:
        self.setEnabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _opened(self, context: Any) -> None:
        self._busy(False)
        self.context = context
        self.secret.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.secret.selectAll()
        self.secret.setFocus()
        if isinstance(error, UnlockError):
            self.show_error(str(error))
        elif isinstance(error, KnownError):
            self.error.hide()
            show_known_error(self, error, "JointOps: the store cannot be opened")
        else:
            show_crash(self, error)
