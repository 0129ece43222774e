"""The parts shared by the record lists (targets, sites): a sortable table of whole rows
over a scrolling form."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QScrollArea,
    QSplitter,
    QTableView,
    QWidget,
)


def record_table(name: str, proxy: QSortFilterProxyModel | QAbstractItemModel,
                 widths: Sequence[int]) -> QTableView:
    """One record per row, one selected at a time, sorted by a click on a header (the
    proxy sorts, so that a sort never reads the store again)."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(proxy)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    if isinstance(proxy, QSortFilterProxyModel):
        header.sortIndicatorChanged.connect(proxy.sort)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    return table


def table_over_form(table: QTableView, form: QWidget, sizes: Sequence[int]) -> QSplitter:
    """The table above, the selected record's form below (scrolling when it is long)."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(form)
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(table)
    splitter.addWidget(scroll)
    splitter.setSizes(list(sizes))
    return splitter
