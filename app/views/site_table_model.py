"""The sites of one operation as a Qt table, and the filter over it.

An operation has far fewer sites than actions, so every row is read at once; edits
then move, add or drop single rows, so that the selection and the scroll stay put.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from app.core.countries import country as find_country
from app.services.sites import SITE_COLUMNS, SiteRow
from app.views.target_table_model import ID_ROLE, TLP_COLOURS

COUNTRY_COLUMN, ACTIONS_COLUMN, TLP_COLUMN, OWNER_COLUMN = 1, 3, 4, 5
Index = QModelIndex | QPersistentModelIndex


def country_text(code: str) -> str:
    found = find_country(code)
    return f"{found.name} ({code})" if found else code


class SiteTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[SiteRow] = []
        self.local_agency_id = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[SiteRow], local_agency_id: str) -> None:
        """Rows in the store's order (name, then id)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.local_agency_id = local_agency_id
        self._sort = None
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([], "")

    def row_of(self, site_id: str) -> int:
        return next((i for i, row in enumerate(self.rows) if row.id == site_id), -1)

    def remove_ids(self, ids: Iterable[str]) -> None:
        wanted = set(ids)
        for i in range(len(self.rows) - 1, -1, -1):
            if self.rows[i].id in wanted:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()

    def put(self, row: SiteRow) -> None:
        """Insert or replace one row where the current order puts it."""
        old = self.row_of(row.id)
        if old >= 0:
            if self._position(row, skip=old) == old:
                self.rows[old] = row
                self.dataChanged.emit(self.index(old, 0),
                                      self.index(old, self.columnCount() - 1))
                return
            self.remove_ids([row.id])
        at = self._position(row)
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.insert(at, row)
        self.endInsertRows()

    def merge(self, rows: list[SiteRow], only: set[str] | None = None) -> None:
        """Bring the table in line with ``rows``, read again from the store: every row
        when ``only`` is None, else the rows of those ids (missing ones are gone)."""
        fresh = {row.id: row for row in rows}
        shown = {row.id: row for row in self.rows}
        candidates = set(shown) if only is None else set(only)
        self.remove_ids([i for i in candidates if i in shown and i not in fresh])
        for row in rows:
            if shown.get(row.id) != row:
                self.put(row)

    def _position(self, row: SiteRow, skip: int = -1) -> int:
        others = [r for i, r in enumerate(self.rows) if i != skip] if skip >= 0 else self.rows
        column, order = self._sort or (-1, Qt.SortOrder.AscendingOrder)
        keys = [self._sort_key(r, column) for r in others]
        key = self._sort_key(row, column)
        if order == Qt.SortOrder.DescendingOrder:
            return len(keys) - bisect.bisect_left(keys[::-1], key)
        return bisect.bisect_right(keys, key)

    # ---- Qt model ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt)
        return 0 if parent.isValid() else len(SITE_COLUMNS)

    def is_ours(self, row: SiteRow) -> bool:
        return row.owner_agency_id == self.local_agency_id

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COUNTRY_COLUMN:
                return country_text(row.country)
            if column == OWNER_COLUMN and self.is_ours(row):
                return f"{row.owner} (us)"
            return row.values()[column]
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if not self.is_ours(row):
                return f"Read-only: this site belongs to {row.owner or 'another agency'}."
            return row.address or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == TLP_COLUMN:
                return TLP_COLOURS.get(row.tlp)
            if column == ACTIONS_COLUMN and row.actions == 0:
                return QColor("gray")
        if role == Qt.ItemDataRole.FontRole and not self.is_ours(row):
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ACTIONS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return SITE_COLUMNS[section]
        return None

    def _sort_key(self, row: SiteRow, column: int) -> tuple[Any, ...]:
        if column < 0:
            return (row.name, row.id)  # the store's order
        value: Any = country_text(row.country) if column == COUNTRY_COLUMN else \
            row.values()[column]
        text = value.casefold() if isinstance(value, str) else value
        return (text, row.name.casefold(), row.id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here, one key per row, keeping the selection on the same sites."""
        if column < 0:
            return
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


# The "actions" filter: any number, none at all, or at least one.
ANY, NONE, SOME = "", "none", "some"


class SiteFilterProxy(QSortFilterProxyModel):
    """Filters on text (name, address, zone, country), one country, and whether a site
    has actions."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._country = ""
        self._actions = ANY

    def source(self) -> SiteTableModel:
        model = self.sourceModel()
        assert isinstance(model, SiteTableModel)
        return model

    def set_filter(self, text: str, country: str = "", actions: str = ANY) -> None:
        wanted = (text.strip().casefold(), country.strip().upper(), actions)
        if wanted == (self._text, self._country, self._actions):
            return
        self.beginFilterChange()
        self._text, self._country, self._actions = wanted
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        row = self.source().rows[source_row]
        if self._country and row.country != self._country:
            return False
        if self._actions == NONE and row.actions:
            return False
        if self._actions == SOME and not row.actions:
            return False
        text = self._text
        return (not text or text in row.name.casefold() or text in row.address.casefold()
                or text in row.zone.casefold() or text in country_text(row.country).casefold())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)
