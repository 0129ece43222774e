"""Conflicts: a field edited in two stores at once. Every store kept the same value (the
deterministic winner); a person reviews the other one and may pick it instead, which is
itself a change that travels to the partners."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import conflicts, operations, targets
from app.services.conflicts import ConflictInfo
from app.services.context import AppContext
from app.views.exchange_words import kind_name, value_text, when_text
from app.views.messages import show_error
from app.views.workers import settle_readers

COLUMNS = ("Record", "Name", "Field", "Current value (in every store)",
           "Other value (not applied)", "Found")
NOT_OWNER = ("Only the agency that owns this record can choose its value; add a note to "
             "ask it.")


def record_label(ctx: AppContext, kind: str, record_id: str) -> str:
    """A name a person recognises for the record, or its short id."""
    try:
        if kind in ("target", "site"):
            return str(targets.record_values(ctx, kind, record_id, ["name"])["name"])
        if kind == "action":
            values = targets.record_values(ctx, "action", record_id, ["kind", "target_id"])
            target = targets.record_values(ctx, "target", values["target_id"], ["name"])
            return f"{values['kind']} of {target['name']}"
        if kind == "operation":
            return operations.overview(ctx, record_id).summary.codename
    except KnownError:
        pass
    return record_id[:8]


class ConflictsView(QWidget):
    """``count_changed(n)`` whenever the number of unresolved conflicts is read again;
    ``resolved()`` after a choice that changed a record."""

    count_changed = Signal(int)
    resolved = Signal()
    status = Signal(str)

    def __init__(self, context: Callable[[], AppContext], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.conflicts: list[ConflictInfo] = []
        intro = QLabel(
            "A conflict is a field that this agency and a partner changed at the same time. "
            "Every store applied the same value (the current value), so the operation stays "
            "consistent, and the other value is kept here: nothing was lost. Check each one: "
            "keep the current value, or, for records this agency owns, use the other value "
            "instead (partners receive the choice with the next bundle).")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("conflicts")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel("No conflicts to review.")
        self.empty.setObjectName("noConflicts")
        self.empty.setStyleSheet("color: gray; font-size: 14pt;")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keep = QPushButton("Keep current value")
        self.keep.setObjectName("keepWinner")
        self.keep.setToolTip("Mark the conflict as reviewed; nothing changes")
        self.keep.clicked.connect(lambda: self.resolve_selected("winner"))
        self.other = QPushButton("Use the other value")
        self.other.setObjectName("useOther")
        self.other.clicked.connect(lambda: self.resolve_selected("loser"))
        self.why = QLabel()
        self.why.setObjectName("why")
        self.why.setStyleSheet("color: gray;")
        self.why.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.why, 1)
        buttons.addWidget(self.keep)
        buttons.addWidget(self.other)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selection_changed()

    def refresh(self) -> int:
        ctx = self.context()
        keep = self.selected()
        self.conflicts = conflicts.list_conflicts(ctx)
        self.table.setRowCount(len(self.conflicts))
        for r, c in enumerate(self.conflicts):
            values = (kind_name(c.record_kind).capitalize(),
                      record_label(ctx, c.record_kind, c.record_id), c.field.replace("_", " "),
                      f"{value_text(c.winner)}   (set by {c.winner_agency})",
                      f"{value_text(c.loser)}   (set by {c.loser_agency})",
                      when_text(c.detected_at))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 1:
                    item.setToolTip(c.record_id)
                self.table.setItem(r, col, item)
        self.empty.setVisible(not self.conflicts)
        self.table.setVisible(bool(self.conflicts))
        ids = [c.id for c in self.conflicts]
        if keep is not None and keep.id in ids:
            self.table.selectRow(ids.index(keep.id))
        elif self.conflicts:
            self.table.selectRow(0)
        self._selection_changed()
        self.count_changed.emit(len(self.conflicts))
        return len(self.conflicts)

    def selected(self) -> ConflictInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.conflicts[rows[0].row()] if rows else None

    def select(self, conflict_id: int) -> None:
        ids = [c.id for c in self.conflicts]
        self.table.selectRow(ids.index(conflict_id))

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.keep.setEnabled(chosen is not None)
        self.other.setEnabled(chosen is not None and chosen.can_choose)
        if chosen is None:
            self.why.clear()
        elif chosen.can_choose:
            self.why.setText(f"This agency owns the record: it may set {chosen.field!r} back "
                             f"to {value_text(chosen.loser)!r}.")
        else:
            self.why.setText(NOT_OWNER)
        self.other.setToolTip("" if chosen is None or chosen.can_choose else NOT_OWNER)

    def resolve_selected(self, keep: str) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        settle_readers()
        try:
            change = conflicts.resolve_conflict(self.context(), chosen.id, keep)
        except KnownError as error:
            show_error(self, error)
            return
        if keep == "loser":
            self.status.emit(f"{chosen.field.replace('_', ' ')} is now "
                             f"{value_text(chosen.loser)}; partners receive it with the next "
                             "bundle.")
        else:
            self.status.emit("Conflict reviewed; the current value stays.")
        self.refresh()
        if change.count("updated", chosen.record_kind):
            self.resolved.emit()

    def clear(self) -> None:
        self.conflicts = []
        self.table.setRowCount(0)
        self._selection_changed()
