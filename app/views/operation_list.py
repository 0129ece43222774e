"""The list of operations on the left of the main window."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.services.operations import OperationSummary

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def utc_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "not set"


def summary_text(s: OperationSummary) -> str:
    return (f"{s.codename}\n{s.status} · H-hour {utc_text(s.h_hour)}\n"
            f"{s.targets:,} targets · {s.sites:,} sites · {s.actions:,} actions")


class OperationList(QWidget):
    """Emits ``selected(operation id)`` when the user picks an operation ("" for none)."""

    selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<b>Operations</b>")
        self.list = QListWidget()
        self.list.setObjectName("operations")
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.empty = QLabel("No operations yet. Use File › New operation… or "
                            "File › Import CSV… to start one.")
        self.empty.setWordWrap(True)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        self.list.currentItemChanged.connect(self._changed)

    def set_operations(self, summaries: list[OperationSummary], keep: str = "") -> None:
        """Show ``summaries``; keep the operation ``keep`` selected when it is still there,
        without emitting ``selected`` again."""
        self.list.blockSignals(True)
        self.list.clear()
        for s in summaries:
            item = QListWidgetItem(summary_text(s))
            item.setData(ID_ROLE, s.id)
            item.setToolTip(f"{s.codename}: lead agency {s.lead_agency}")
            self.list.addItem(item)
            if s.id == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.empty.setVisible(not summaries)

    def update_summary(self, summary: OperationSummary) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(ID_ROLE) == summary.id:
                item.setText(summary_text(summary))

    def current_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(ID_ROLE)) if item is not None else ""

    def select(self, op_id: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == op_id:
                self.list.setCurrentRow(i)
                return

    def clear(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)

    def _changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        self.selected.emit(str(current.data(ID_ROLE)) if current is not None else "")
