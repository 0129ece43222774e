"""Record a judicial authorisation that lifts an action's search-hour rule."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.timing import ActionTime


class AuthoriseDialog(QDialog):
    """On accept, ``reference`` and ``issued`` (YYYY-MM-DD) hold what to record; both are
    empty when an authorisation is withdrawn."""

    def __init__(self, action: ActionTime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Judicial authorisation")
        self.setMinimumWidth(480)
        self.reference = ""
        self.issued = ""
        ref, _, issued = action.authorisation.partition(" of ")
        intro = QLabel(
            f"<b>{escape(action.action)} {escape(action.target)}</b> at "
            f"{escape(action.site or 'no site')} ({escape(action.country)})<br>Rule there: "
            f"{escape(action.rule)}.<br>An authorisation by a "
            "court or judge lets this action start at any hour. Leave the reference empty "
            "to withdraw one.")
        intro.setWordWrap(True)
        self.ref = QLineEdit(ref)
        self.ref.setObjectName("authorisationRef")
        self.ref.setPlaceholderText("e.g. Milimani court order 12/2026")
        self.date = QDateEdit()
        self.date.setObjectName("authorisationDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        found = QDate.fromString(issued, "yyyy-MM-dd")
        self.date.setDate(found if found.isValid() else QDate.currentDate())
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #b71c1c;")
        form = QFormLayout()
        form.addRow("Reference:", self.ref)
        form.addRow("Issued on:", self.date)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def check(self) -> None:
        self.reference = self.ref.text().strip()
        self.issued = self.date.date().toString("yyyy-MM-dd") if self.reference else ""
        if self.reference and self.date.date() > QDate.currentDate():
            self.problem.setText("An authorisation cannot be issued in the future.")
            return
        self.accept()
