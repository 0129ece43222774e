"""The Timing tab's actions table and what can be done to the selected action: record a
court's authorisation (undoable), or correct its country's search-hour rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import jurisdictions
from app.services.context import AppContext
from app.services.timing import ActionTime
from app.views.authorise_dialog import AuthoriseDialog
from app.views.rule_dialog import RuleDialog
from app.views.timing_commands import Authorise
from app.views.timing_table import TimingTableModel
from app.views.undo_commands import CommandEnv
from app.views.workers import settle_readers

COLUMN_WIDTHS = (160, 62, 160, 58, 125, 215, 150, 80)  # the rule column takes the rest


class ActionsPanel(QWidget):
    selection_changed = Signal()
    rule_saved = Signal(str)  # the jurisdiction's name

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, op_id: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = op_id
        self.model = TimingTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("timingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        self.authorise = QPushButton("Authorise…")
        self.authorise.setObjectName("authorise")
        self.authorise.setToolTip("Record a court's authorisation that lifts the selected "
                                  "action's search-hour rule")
        self.edit_rule = QPushButton("Edit rule…")
        self.edit_rule.setObjectName("editRule")
        self.edit_rule.setToolTip("Correct the search-hour rule of the selected action's "
                                  "country")
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Selected action:"))
        buttons.addWidget(self.authorise)
        buttons.addWidget(self.edit_rule)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.selection_changed.emit())
        self.authorise.clicked.connect(self.ask_authorise)
        self.edit_rule.clicked.connect(self.ask_rule)
        self.enable(False)

    def set_actions(self, actions: list[ActionTime]) -> None:
        """New rows; the selected action stays selected."""
        selected = self.selected()
        self.model.set_actions(actions)
        if selected is not None:
            self.select_action(selected.id)

    def enable(self, planned: bool) -> None:
        selected = self.selected() if planned else None
        self.authorise.setEnabled(selected is not None)
        self.edit_rule.setEnabled(selected is not None and bool(selected.country))

    def selected(self) -> ActionTime | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.model.actions[row] if row < len(self.model.actions) else None

    def select_action(self, action_id: str) -> None:
        row = self.model.row_of(action_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def select_first(self, wanted: Callable[[ActionTime], bool]) -> None:
        found = next((a for a in self.model.actions if wanted(a)), None)
        if found is not None:
            self.select_action(found.id)

    def ask_authorise(self) -> AuthoriseDialog | None:
        action = self.selected()
        if action is None:
            return None
        dialog = AuthoriseDialog(action, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.record_authorisation(
            action, dialog.reference, dialog.issued))
        dialog.open()
        return dialog

    def record_authorisation(self, action: ActionTime, reference: str, issued: str) -> None:
        text = (f"Authorise {action.action} {action.target}" if reference else
                f"Withdraw the authorisation of {action.action} {action.target}")
        try:
            Authorise(self.env, self.op_id(), action.id, reference, issued,
                      text).push_to(self.stack)
        except KnownError as error:
            self.env.failed(error)

    def ask_rule(self) -> RuleDialog | None:
        action = self.selected()
        if action is None or not action.country:
            return None
        code = action.country
        try:
            info = jurisdictions.search_rule_info(self.context(), code)
        except KnownError as error:
            self.env.failed(error)
            return None

        def save(rule: dict[str, Any], text: str, source: str) -> None:
            settle_readers()
            jurisdictions.set_search_rule(self.context(), code, rule, text, source)

        dialog = RuleDialog(info, save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.rule_saved.emit(info.name))
        dialog.open()
        return dialog
