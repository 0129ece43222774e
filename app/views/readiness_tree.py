"""The readiness list: the warnings, most severe first, each with its reason and the data
behind it; then every person target with its requesting states and routes; then every
seizure abroad with its basis. A line knows the target or seizure it is about, so the
view can draw that one's route."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from app.services.legal import LegalReport
from app.views.readiness_model import KIND_ROLE, Node, ReadinessModel, report_nodes
from app.views.route_map import Selection

# Up to this many warnings show their reasons at once; more would bury the list, and a
# selected warning opens to show its own.
EXPANDED_WARNINGS = 8
SPANNED = ("section", "text")


class WrappingDelegate(QStyledItemDelegate):
    """Lines of explanation (spanning the columns) wrap to the width they have, so a
    reason is read in full, not cut at the column's edge."""

    def __init__(self, tree: ReadinessTree) -> None:
        super().__init__(tree)
        self.tree = tree
        self.line: QSize | None = None

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        if index.column() != 0 or index.data(KIND_ROLE) != "text":
            # One line: every such row is as high as the first (asking the style for
            # each of 20,000 rows cost seconds).
            if self.line is None:
                self.line = super().sizeHint(option, index)
            return self.line
        size = super().sizeHint(option, index)
        depth, parent = 1, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = max(120, self.tree.viewport().width() - depth * self.tree.indentation() - 8)
        metrics = QFontMetrics(option.font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        height = metrics.boundingRect(QRect(0, 0, width, 100_000),
                                      int(Qt.TextFlag.TextWordWrap), text).height()
        return QSize(size.width(), max(size.height(), height + 4))


class ReadinessTree(QTreeView):
    """``selection_changed(Selection | None, html)``: the line chosen, and its detail."""

    selection_changed = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readiness")
        self.model_ = ReadinessModel(self)
        self.setModel(self.model_)
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemDelegate(WrappingDelegate(self))
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 180)
        header.resizeSection(2, 80)
        self.people: dict[str, Node] = {}
        self.seizures: dict[str, Node] = {}
        self.warnings_section: Node | None = None
        self.expanded.connect(self._span_children)
        self.selectionModel().currentChanged.connect(lambda index, _old: self._announce(
            index))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # the wrapped lines' heights change

    # ---- filling -----------------------------------------------------------------------

    def show_report(self, report: LegalReport) -> None:
        """Fill the list again, keeping the selected target or seizure selected."""
        kept = self.selection()
        root, self.people, self.seizures = report_nodes(report)
        self.blockSignals(True)
        self.model_.set_root(root)
        self.warnings_section = root.children[0]
        self._span_children(QModelIndex())
        for section in root.children[:3]:
            self.expand(self.model_.index_of(section))
        if len(self.warnings_section.children) <= EXPANDED_WARNINGS:
            for warning in self.warnings_section.children:
                self.expand(self.model_.index_of(warning))
        self.blockSignals(False)
        if kept is None or not self.select(kept):
            self.selection_changed.emit(None, "")

    def clear(self) -> None:
        self.people, self.seizures, self.warnings_section = {}, {}, None
        self.model_.set_root(Node(None, [], "root"))

    def _span_children(self, parent: QModelIndex) -> None:
        """Sections and lines of explanation run across the columns."""
        node = self.model_.node(parent)
        for child in node.children:
            if child.kind in SPANNED:
                self.setFirstColumnSpanned(child.row, parent, True)

    # ---- reading it (the tests and the view) ---------------------------------------------

    def node_at(self, index: QModelIndex) -> Node | None:
        return self.model_.node(index) if index.isValid() else None

    def current(self) -> Node | None:
        return self.node_at(self.currentIndex())

    def set_current(self, node: Node | None) -> None:
        if node is None:
            self.setCurrentIndex(QModelIndex())
            return
        index = self.model_.index_of(node)
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def person(self, name: str) -> Node:
        return next(node for node in self.people.values() if node.text(0) == name)

    # ---- selection ---------------------------------------------------------------------

    def selection(self) -> Selection | None:
        node = self.current()
        if node is None or not node.about or not node.record_id:
            return None
        return Selection(node.about, node.record_id)

    def select(self, selection: Selection) -> bool:
        found = (self.people if selection.kind == "person" else self.seizures).get(
            selection.record_id)
        if found is None:
            return False
        self.set_current(found)
        return True

    def _announce(self, index: QModelIndex) -> None:
        node = self.node_at(index)
        if node is not None and node.kind in ("warning", "person", "answer", "seizure",
                                              "basis"):
            self.expand(self.model_.index_of(node))
        self.selection_changed.emit(self.selection(), node.html() if node else "")
