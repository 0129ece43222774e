"""Several operations side by side: tick the operations, see their outcomes in one
currency, export the page as PNG or PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import operations
from app.services.context import AppContext
from app.services.outcomes import compare
from app.views.messages import show_error
from app.views.outcome_charts import OutcomeCharts, ask_export


class CompareDialog(QDialog):
    def __init__(self, context: Callable[[], AppContext], current: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Compare operations")
        self.resize(1280, 860)
        self.choices = QListWidget()
        self.choices.setObjectName("compareChoices")
        self.choices.setMaximumWidth(260)
        for summary in operations.list_operations(context()):
            item = QListWidgetItem(summary.codename)
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            item.setCheckState(Qt.CheckState.Checked if summary.id == current
                               else Qt.CheckState.Unchecked)
            self.choices.addItem(item)
        self.note = QLabel("Tick two or more operations.")
        self.note.setObjectName("compareNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray;")
        self.export = QPushButton("Export PNG or PDF…")
        self.export.setObjectName("compareExport")
        self.charts = OutcomeCharts()
        left = QVBoxLayout()
        left.addWidget(QLabel("Operations:"))
        left.addWidget(self.choices, 1)
        left.addWidget(self.note)
        left.addWidget(self.export)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.charts, 1)
        self.choices.itemChanged.connect(lambda _item: self.refresh())
        self.export.clicked.connect(self._export)
        self.refresh()

    def chosen(self) -> list[str]:
        return [str(self.choices.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.choices.count())
                if self.choices.item(i).checkState() == Qt.CheckState.Checked]

    def refresh(self) -> None:
        ids = self.chosen()
        self.export.setEnabled(len(ids) >= 2)
        if len(ids) < 2:
            self.note.setText("Tick two or more operations.")
            self.charts.clear("Tick two or more operations to see them side by side.")
            return
        try:
            result = compare(self.context(), ids)
        except KnownError as error:
            show_error(self, error)
            return
        self.note.setText(f"{len(ids)} operations; values in {result.currency}.")
        self.charts.show_comparison(result, datetime.now(UTC).date())

    def _export(self) -> None:
        try:
            written = ask_export(self, self.charts, "operations-compared.pdf")
        except KnownError as error:
            show_error(self, error)
            return
        if written:
            self.note.setText(f"Wrote {written}.")
