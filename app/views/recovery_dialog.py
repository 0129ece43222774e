"""The recovery key, shown once, with what to do with it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

WARNING = (
    "<b>Write this recovery key down now and keep it somewhere safe, away from this "
    "computer</b> (a sealed envelope in your unit's safe, for example).<br><br>"
    "It is shown only this once. If the passphrase is forgotten, this key is the only way "
    "to open the store: without both, the data cannot be recovered by anyone, including "
    "the JointOps developers. Anyone holding the key can open the store, so treat it like "
    "the passphrase.")


class RecoveryKeyDialog(QDialog):
    """OK is enabled only after the user confirms the key is stored; it cannot be
    dismissed before that."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("JointOps: your recovery key")
        self.setMinimumWidth(560)
        title = QLabel("Your recovery key")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        warning = QLabel(WARNING)
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.RichText)
        warning.setStyleSheet("background: #fff4e5; border: 1px solid #e0a040; padding: 8px;"
                              " color: #3d2a00;")
        self.key = QLineEdit(recovery_key)
        self.key.setObjectName("recoveryKey")
        self.key.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(font.pointSizeF())
        self.key.setFont(mono)
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance(recovery_key) + 24)
        self.copy = QPushButton("Copy")
        self.copy.setObjectName("copy")
        self.copy.setToolTip("Copy the key to the clipboard, to paste it into a password "
                             "manager; clear the clipboard afterwards.")
        self.copy.clicked.connect(self._copy)
        row = QHBoxLayout()
        row.addWidget(self.key, 1)
        row.addWidget(self.copy)
        self.confirm = QCheckBox("I have stored the recovery key")
        self.confirm.setObjectName("confirm")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.confirm.toggled.connect(self.ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(warning)
        layout.addLayout(row)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.key.text())
        self.copy.setText("Copied")

    def reject(self) -> None:
        # Escape or the close button must not skip the confirmation.
        if self.confirm.isChecked():
            self.accept()

    def done(self, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and not self.confirm.isChecked():
            return
        super().done(result)
