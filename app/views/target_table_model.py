"""The targets of one operation as a Qt table, fetched a page at a time.

Rows stay in the store's order (name, then id) while pages are still being fetched, so
the next page is simply the next offset. Sorting and filtering need every row: they
fetch the rest first, which takes a few tens of milliseconds for ten thousand targets.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from app.services.targets import TARGET_COLUMNS, TargetRow

PAGE = 500
ID_ROLE = Qt.ItemDataRole.UserRole + 1
NUMERIC = {3, 4}  # Sites, Actions
TLP_COLUMN = 5
# TLP 2.0's colours (on white), so a RED target stands out in a long table.
TLP_COLOURS = {"RED": QColor("#cc0033"), "AMBER": QColor("#b36b00"),
               "AMBER+STRICT": QColor("#b36b00"), "GREEN": QColor("#1a7f37")}

Index = QModelIndex | QPersistentModelIndex
Fetch = Callable[[int, int], list[TargetRow]]


def _order_key(row: TargetRow) -> tuple[str, str]:
    return (row.name, row.id)


class TargetTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[TargetRow] = []
        self._fetch: Fetch | None = None
        self._total = 0
        self._sort: tuple[int, Qt.SortOrder] | None = None
        # Bumped by every change of the rows, so a page fetched in the background is
        # used only if nothing moved while it was being read.
        self.generation = 0

    # ---- source ------------------------------------------------------------------------

    def set_source(self, fetch: Fetch | None, total: int) -> None:
        """``fetch(offset, limit)`` gives rows in store order; ``total`` counts them."""
        self.beginResetModel()
        self.generation += 1
        self._fetch = fetch
        self._total = total if fetch is not None else 0
        self.rows = []
        self._sort = None
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def clear(self) -> None:
        self.set_source(None, 0)

    def total(self) -> int:
        """Rows in the store, fetched or not."""
        return max(self._total, len(self.rows))

    def all_fetched(self) -> bool:
        return self._fetch is None or len(self.rows) >= self._total

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self.all_fetched()

    def fetchMore(self, parent: Index) -> None:
        self._append(PAGE)

    def fetch_all(self) -> None:
        if not self.all_fetched():
            self._append(None)

    def _append(self, limit: int | None) -> None:
        if self._fetch is None:
            return
        start = len(self.rows)
        page = self._fetch(start, limit if limit is not None else max(self._total - start, 0))
        if limit is None or len(page) < limit:
            self._total = start + len(page)  # the store is the truth
        self._extend(page)

    def _extend(self, page: list[TargetRow]) -> None:
        if not page:
            return
        start = len(self.rows)
        self.generation += 1
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()

    def rest_to_fetch(self) -> tuple[int, int, int] | None:
        """(generation, offset, count) of the rows not fetched yet, or None."""
        if self.all_fetched():
            return None
        return self.generation, len(self.rows), self._total - len(self.rows)

    def add_fetched(self, generation: int, offset: int, page: list[TargetRow]) -> bool:
        """Append rows read in the background; False (and nothing done) when the rows
        changed meanwhile."""
        if generation != self.generation or offset != len(self.rows):
            return False
        self._total = offset + len(page)
        self._extend(page)
        return True

    # ---- targeted updates -----------------------------------------------------------------

    def row_of(self, target_id: str) -> int:
        for i, row in enumerate(self.rows):
            if row.id == target_id:
                return i
        return -1

    def remove_ids(self, ids: Iterable[str]) -> None:
        wanted = set(ids)
        for i in range(len(self.rows) - 1, -1, -1):
            if self.rows[i].id in wanted:
                self.generation += 1
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
                self._total -= 1

    def put(self, row: TargetRow) -> None:
        """Insert or replace one row where the current order puts it."""
        old = self.row_of(row.id)
        if old >= 0:
            if self._position(row, skip=old) == old:
                self.generation += 1
                self.rows[old] = row
                self.dataChanged.emit(self.index(old, 0),
                                      self.index(old, self.columnCount() - 1))
                return
            self.remove_ids([row.id])
        at = self._position(row)
        self.generation += 1
        if at >= len(self.rows) and not self.all_fetched():
            self._total += 1  # it lies in a page not fetched yet
            return
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.insert(at, row)
        self.endInsertRows()
        self._total += 1

    def _position(self, row: TargetRow, skip: int = -1) -> int:
        others = [r for i, r in enumerate(self.rows) if i != skip] if skip >= 0 else self.rows
        if self._sort is None:
            return bisect.bisect_right([_order_key(r) for r in others], _order_key(row))
        column, order = self._sort
        keys = [self._sort_key(r, column) for r in others]
        key = self._sort_key(row, column)
        if order == Qt.SortOrder.DescendingOrder:
            return len(keys) - bisect.bisect_left(keys[::-1], key)
        return bisect.bisect_right(keys, key)

    # ---- Qt model ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt)
        return 0 if parent.isValid() else len(TARGET_COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.values()[index.column()]
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == TLP_COLUMN:
            return TLP_COLOURS.get(row.tlp)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return TARGET_COLUMNS[section]
        return None

    @staticmethod
    def _sort_key(row: TargetRow, column: int) -> tuple[Any, ...]:
        value = row.values()[column]
        text = value.casefold() if isinstance(value, str) else value
        return (text, row.name.casefold(), row.id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here in Python (one key per row), not in the proxy, which would call
        ``data`` n log n times."""
        if column < 0:
            return
        self.fetch_all()
        self.generation += 1
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self.rows[i.row()].id for i in old]
        self.rows.sort(key=lambda r: self._sort_key(r, column),
                       reverse=order == Qt.SortOrder.DescendingOrder)
        self._sort = (column, order)
        where = {r.id: i for i, r in enumerate(self.rows)}
        self.changePersistentIndexList(old, [self.index(where[rid], i.column())
                                             for rid, i in zip(old_ids, old, strict=True)])
        self.layoutChanged.emit()


class TargetFilterProxy(QSortFilterProxyModel):
    """Filters on name, kind and country (the text) and on one kind (the combo)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._kind = ""

    def source(self) -> TargetTableModel:
        model = self.sourceModel()
        assert isinstance(model, TargetTableModel)
        return model

    def set_filter(self, text: str, kind: str) -> None:
        text, kind = text.strip().casefold(), kind.strip()
        if text or kind:
            self.source().fetch_all()
        if (text, kind) == (self._text, self._kind):
            return
        self.beginFilterChange()
        self._text, self._kind = text, kind
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not (self._text or self._kind):
            return True
        row = self.source().rows[source_row]
        if self._kind and row.kind != self._kind:
            return False
        text = self._text
        return (not text or text in row.name.casefold() or text in row.kind
                or text in row.country.casefold())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)
