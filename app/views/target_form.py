"""The selected target: its fields, its actions, and the buttons that change them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.placement import TARGET_KINDS
from app.core.tlp import LEVELS
from app.services.targets import ActionInfo, TargetDetail
from app.views.country_combo import CountryCombo

# The agency, often a long name, comes last, where it is cut short to the width left.
ACTION_COLUMNS = ("Kind", "Site", "Country", "Zone", "Offset", "Status", "Agency")
SOURCE_GRADES = ("", "A", "B", "C", "D", "E", "F")
INFO_GRADES = ("", "1", "2", "3", "4", "5", "6")
SOURCE_TIPS = ("not graded", "completely reliable", "usually reliable", "fairly reliable",
               "not usually reliable", "unreliable", "reliability cannot be judged")
INFO_TIPS = ("not graded", "confirmed", "probably true", "possibly true", "doubtful",
             "improbable", "truth cannot be judged")


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"H{sign}{hours}:{mins:02d}"


def _grade_combo(values: tuple[str, ...], tips: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    for value, tip in zip(values, tips, strict=True):
        combo.addItem(f"{value} – {tip}" if value else "–", value)
    return combo


class TargetForm(QWidget):
    """Emits what the user asked for; the targets view turns it into undoable commands."""

    save_requested = Signal(dict)
    add_action_requested = Signal()
    edit_action_requested = Signal(str)
    delete_action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: TargetDetail | None = None
        self.name = QLineEdit()
        self.name.setObjectName("targetName")
        self.kind = QComboBox()
        self.kind.setObjectName("targetKind")
        self.kind.addItems(TARGET_KINDS)
        self.country = CountryCombo(allow_none=True)
        self.country.setObjectName("targetCountry")
        self.nationality = QLineEdit()
        self.nationality.setObjectName("nationality")
        self.nationality.setPlaceholderText("ISO codes, comma-separated, e.g. KE, UG")
        self.source_grade = _grade_combo(SOURCE_GRADES, SOURCE_TIPS)
        self.info_grade = _grade_combo(INFO_GRADES, INFO_TIPS)
        grading = QHBoxLayout()
        grading.addWidget(self.source_grade)
        grading.addWidget(self.info_grade)
        self.tlp = QComboBox()
        self.tlp.addItems(LEVELS)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setMaximumHeight(60)
        self.nationals_fact = QLabel()
        self.nationals_fact.setObjectName("nationalsFact")
        self.nationals_fact.setWordWrap(True)
        self.nationals_fact.setStyleSheet("color: #555;")
        self.nationals_fact.hide()
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Kind:", self.kind)
        form.addRow("Country:", self.country)
        form.addRow("Nationality:", self.nationality)
        form.addRow("", self.nationals_fact)
        grading_label = QLabel("Grading:")
        grading_label.setToolTip("Admiralty scale: reliability of the source (A-F) and "
                                 "credibility of the information (1-6)")
        form.addRow(grading_label, grading)
        form.addRow("TLP:", self.tlp)
        form.addRow("Notes:", self.notes)
        self.save = QPushButton("Save changes")
        self.save.setObjectName("saveTarget")
        self.save.clicked.connect(self._save)
        self.revert = QPushButton("Revert")
        self.revert.clicked.connect(lambda: self.show_detail(self.detail))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert)
        buttons.addWidget(self.save)
        self.fields = QGroupBox("Target")
        # Wide enough for its fields; the actions table next to it needs the rest.
        self.fields.setMaximumWidth(430)
        fields_layout = QVBoxLayout(self.fields)
        fields_layout.addLayout(form)
        fields_layout.addLayout(buttons)

        self.action_table = QTableWidget(0, len(ACTION_COLUMNS))
        self.action_table.setObjectName("actions")
        self.action_table.setHorizontalHeaderLabels(ACTION_COLUMNS)
        self.action_table.verticalHeader().hide()
        self.action_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.action_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.action_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.action_table.verticalHeader().setDefaultSectionSize(
            self.action_table.fontMetrics().height() + 8)
        self.action_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.action_table.horizontalHeader().setSectionResizeMode(
            len(ACTION_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.action_table.doubleClicked.connect(lambda _i: self._edit_action())
        self.add_action = QPushButton("Add action…")
        self.add_action.setObjectName("addAction")
        self.add_action.clicked.connect(self.add_action_requested.emit)
        self.edit_action = QPushButton("Edit action…")
        self.edit_action.setObjectName("editAction")
        self.edit_action.clicked.connect(self._edit_action)
        self.delete_action = QPushButton("Delete action")
        self.delete_action.setObjectName("deleteAction")
        self.delete_action.clicked.connect(self._delete_action)
        action_buttons = QHBoxLayout()
        action_buttons.addWidget(self.add_action)
        action_buttons.addWidget(self.edit_action)
        action_buttons.addWidget(self.delete_action)
        action_buttons.addStretch(1)
        self.action_box = QGroupBox("Actions against this target")
        action_layout = QVBoxLayout(self.action_box)
        action_layout.addWidget(self.action_table)
        action_layout.addLayout(action_buttons)

        self.placeholder = QLabel("Select a target in the table to see and edit it, or add "
                                  "one with Add target….")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: gray;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.fields, 2)
        layout.addWidget(self.action_box, 5)
        self.action_table.itemSelectionChanged.connect(self._update_buttons)
        self.show_detail(None)

    # ---- showing -----------------------------------------------------------------------

    def show_detail(self, detail: TargetDetail | None, facts: str = "") -> None:
        self.detail = detail
        self.placeholder.setVisible(detail is None)
        self.fields.setVisible(detail is not None)
        self.action_box.setVisible(detail is not None)
        if detail is None:
            self.action_table.setRowCount(0)
            return
        self.fields.setTitle(f"Target: {detail.name}")
        self.name.setText(detail.name)
        self.kind.setCurrentText(detail.kind)
        self.country.set_code(detail.country)
        self.nationality.setText(", ".join(detail.nationality))
        grade = detail.grading or "  "
        self.source_grade.setCurrentIndex(max(self.source_grade.findData(grade[0].strip()), 0))
        self.info_grade.setCurrentIndex(max(self.info_grade.findData(grade[1:].strip()), 0))
        self.tlp.setCurrentText(detail.tlp)
        self.notes.setPlainText(detail.notes)
        self.set_facts(facts)
        self.show_actions(detail.actions)

    def set_facts(self, text: str) -> None:
        self.nationals_fact.setText(text)
        self.nationals_fact.setVisible(bool(text))

    def show_actions(self, actions: list[ActionInfo]) -> None:
        self.action_table.setRowCount(len(actions))
        for r, a in enumerate(actions):
            values = (a.kind, a.site or "no site", a.country, a.zone, offset_text(a.offset_min),
                      a.status, a.agency)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, a.id)
                item.setToolTip(value)
                self.action_table.setItem(r, c, item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = bool(self.action_table.selectedItems())
        self.edit_action.setEnabled(chosen)
        self.delete_action.setEnabled(chosen)

    # ---- asking ------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        grading = (str(self.source_grade.currentData() or "")
                   + str(self.info_grade.currentData() or ""))
        return {"kind": self.kind.currentText(), "name": self.name.text(),
                "country": self.country.code(), "tlp": self.tlp.currentText(),
                "nationality": [c.strip().upper() for c in self.nationality.text().split(",")
                                if c.strip()],
                "grading": grading, "notes": self.notes.toPlainText()}

    def selected_action(self) -> str | None:
        rows = {i.row() for i in self.action_table.selectedIndexes()}
        if not rows:
            return None
        item = self.action_table.item(min(rows), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def select_action(self, action_id: str) -> None:
        for r in range(self.action_table.rowCount()):
            item = self.action_table.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == action_id:
                self.action_table.selectRow(r)

    def _save(self) -> None:
        self.save_requested.emit(self.values())

    def _edit_action(self) -> None:
        action_id = self.selected_action()
        if action_id:
            self.edit_action_requested.emit(action_id)

    def _delete_action(self) -> None:
        action_id = self.selected_action()
        if action_id:
            self.delete_action_requested.emit(action_id)
