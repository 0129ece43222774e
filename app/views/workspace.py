"""One operation's workspace: the Overview tab and the Targets & sites tab."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QWidget

from app.core.errors import NotFoundError
from app.services import operations
from app.services.context import AppContext
from app.services.operations import OperationOverview
from app.views.overview_view import OverviewView
from app.views.targets_view import TargetsView
from app.views.undo_commands import CommandEnv, Refresh


class Workspace(QStackedWidget):
    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack, env: CommandEnv,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.op_id = ""
        self.overview_data: OperationOverview | None = None
        self.placeholder = QLabel("Choose an operation on the left.")
        self.placeholder.setObjectName("noOperation")
        self.placeholder.setStyleSheet("color: gray; font-size: 14pt;")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs = QTabWidget()
        self.overview = OverviewView()
        self.targets = TargetsView(context, stack, env)
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.targets, "Targets && sites")
        self.addWidget(self.placeholder)
        self.addWidget(self.tabs)

    def set_operation(self, op_id: str) -> OperationOverview | None:
        self.op_id = op_id
        if not op_id:
            self.clear()
            return None
        try:
            ov = operations.overview(self.context(), op_id)
        except NotFoundError:
            self.clear()
            return None
        self.overview_data = ov
        self.overview.show_overview(ov)
        self.targets.set_operation(op_id, ov.participants)
        self.setCurrentWidget(self.tabs)
        return ov

    def apply_refresh(self, refresh: Refresh) -> OperationOverview | None:
        """Update the table and the counts from what the change says; the counts are
        moved by the records created and deleted, not counted again in the store."""
        if refresh.op_id != self.op_id or self.overview_data is None:
            return None
        self.targets.apply_refresh(refresh)
        change, ov = refresh.change, self.overview_data

        def moved(kind: str) -> int:
            return change.count("created", kind) - change.count("deleted", kind)

        s = ov.summary
        summary = replace(s, targets=s.targets + moved("target"), sites=s.sites + moved("site"),
                          actions=s.actions + moved("action"))
        self.overview_data = replace(ov, summary=summary)
        self.overview.show_overview(self.overview_data)
        return self.overview_data

    def clear(self) -> None:
        self.op_id = ""
        self.overview_data = None
        self.overview.clear()
        self.targets.clear()
        self.setCurrentWidget(self.placeholder)
