"""A new target: the few fields it needs to exist; the rest is edited in the form."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ValidationError
from app.core.placement import TARGET_KINDS
from app.core.tlp import LEVELS
from app.services import targets
from app.views.country_combo import CountryCombo


class NewTargetDialog(QDialog):
    """``values`` holds the checked values once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add target")
        self.values: dict[str, Any] = {}
        self.name = QLineEdit()
        self.name.setObjectName("newTargetName")
        self.kind = QComboBox()
        self.kind.setObjectName("newTargetKind")
        self.kind.addItems(TARGET_KINDS)
        self.country = CountryCombo(allow_none=True)
        self.country.setObjectName("newTargetCountry")
        self.tlp = QComboBox()
        self.tlp.addItems(LEVELS)
        self.tlp.setCurrentText("AMBER")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Kind:", self.kind)
        form.addRow("Country:", self.country)
        form.addRow("TLP:", self.tlp)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def check_and_accept(self) -> None:
        try:
            self.values = targets.target_values(
                self.kind.currentText(), self.name.text(),
                self.country.code() or self.country.currentText(), self.tlp.currentText())
        except ValidationError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()
