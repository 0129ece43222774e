"""The victims and asset records of an operation as sortable tables, each with Add, Edit
and Delete; the records of other agencies are shown greyed and cannot be changed here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.tracing import plain
from app.services.outcome_records import AssetRow, VictimRow
from app.services.outcomes import value_text
from app.views.record_table import record_table

Index = QModelIndex | QPersistentModelIndex
VICTIM_COLUMNS = ("Reference", "Country", "Loss", "Repaid", "Currency", "Identified",
                  "Repaid on", "TLP", "Owner")
ASSET_COLUMNS = ("Date", "Stage", "Amount", "Asset", "Value", "Currency", "Country",
                 "Comes from", "Owner")
GREY = QColor("#9e9e9e")


@dataclass(frozen=True)
class Line:
    id: str
    name: str  # how the record is named in undo texts and messages
    cells: tuple[Any, ...]  # numbers stay numbers, so that sorting is by value
    ours: bool
    record: VictimRow | AssetRow


def victim_line(v: VictimRow) -> Line:
    return Line(v.id, v.reference, (v.reference, v.country, v.loss, v.repaid, v.currency,
                                    v.identified_on, v.repaid_on, v.tlp, v.owner), v.ours, v)


def asset_line(a: AssetRow) -> Line:
    return Line(a.id, f"{plain(a.amount)} {a.asset}",
                (a.on, a.stage, a.amount, a.asset, a.value, a.currency, a.country, a.source,
                 a.owner), a.ours, a)


class LinesModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.lines: list[Line] = []

    def set_lines(self, lines: list[Line]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt)
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt)
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        value = line.cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            return value_text(value) if not isinstance(value, str) else value
        if role == Qt.ItemDataRole.UserRole:  # the sort key
            return value if value is not None else -1
        if role == Qt.ItemDataRole.ForegroundRole and not line.ours:
            return GREY
        if role == Qt.ItemDataRole.TextAlignmentRole and not isinstance(value, str):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and not line.ours:
            return f"{line.cells[-1] or 'Another agency'}'s record: read-only here."
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        return None


class RecordsPanel(QWidget):
    """A table of lines with Add, Edit and Delete; the view does the work on request."""

    add_requested = Signal()
    edit_requested = Signal(object)  # Line
    delete_requested = Signal(object)  # Line

    def __init__(self, name: str, columns: Sequence[str], widths: Sequence[int],
                 what: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.model = LinesModel(columns, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = record_table(name, self.proxy, widths)
        self.table.doubleClicked.connect(lambda _i: self._edit())
        self.add = QPushButton(f"Add {what}…")
        self.add.setObjectName(f"{name}Add")
        self.edit = QPushButton("Edit…")
        self.edit.setObjectName(f"{name}Edit")
        self.delete = QPushButton("Delete")
        self.delete.setObjectName(f"{name}Delete")
        self.note = QLabel(hint)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray;")
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        for button in (self.add, self.edit, self.delete):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.add.clicked.connect(self.add_requested)
        self.edit.clicked.connect(self._edit)
        self.delete.clicked.connect(self._delete)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda _n, _o: self._enable())
        self._enable()

    def set_lines(self, lines: list[Line]) -> None:
        chosen = self.selected()
        self.model.set_lines(lines)
        if chosen is not None:
            self.select(chosen.id)
        self._enable()

    def selected(self) -> Line | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.lines[self.proxy.mapToSource(rows[0]).row()]

    def select(self, record_id: str) -> bool:
        for row, line in enumerate(self.model.lines):
            if line.id == record_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return True
        return False

    def _enable(self) -> None:
        line = self.selected()
        self.edit.setEnabled(line is not None and line.ours)
        self.delete.setEnabled(line is not None and line.ours)

    def _edit(self) -> None:
        line = self.selected()
        if line is not None and line.ours:
            self.edit_requested.emit(line)

    def _delete(self) -> None:
        line = self.selected()
        if line is not None and line.ours:
            self.delete_requested.emit(line)
