"""The readiness list: the warnings, most severe first, each with its reason and the data
behind it; then every person target with its requesting states and routes; then every
seizure abroad with its basis. A line knows the target or seizure it is about, so the
view can draw that one's route."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.core.legal import DataRef, PersonLegal, RouteAnswer, SeizureLegal
from app.services.legal import LegalReport
from app.views.legal_words import (
    BASIS_TEXT,
    answer_html,
    answer_text,
    basis_html,
    person_html,
    person_verdict,
    ref_line,
    short_state,
    state_name,
    status_verdict,
    verdict_colours,
    warning_html,
    warning_verdict,
)
from app.views.route_map import Selection

# Up to this many warnings show their reasons at once; more would bury the list, and a
# selected warning opens to show its own.
EXPANDED_WARNINGS = 8
KIND_ROLE = Qt.ItemDataRole.UserRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # the target's or the seizure action's id
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2  # HTML shown under the list for the line


class WrappingDelegate(QStyledItemDelegate):
    """Lines of explanation (spanning the columns) wrap to the width they have, so a
    reason is read in full, not cut at the column's edge."""

    def __init__(self, tree: ReadinessTree) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() != 0 or index.data(KIND_ROLE) != "text":
            return size
        depth, parent = 1, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = max(120, self.tree.viewport().width() - depth * self.tree.indentation() - 8)
        metrics = QFontMetrics(option.font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        height = metrics.boundingRect(QRect(0, 0, width, 100_000),
                                      int(Qt.TextFlag.TextWordWrap), text).height()
        return QSize(size.width(), max(size.height(), height + 4))


class ReadinessTree(QTreeWidget):
    """``selection_changed(Selection | None, html)``: the line chosen, and its detail."""

    selection_changed = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readiness")
        self.setColumnCount(3)
        self.setHeaderLabels(["Target, seizure or data", "Verdict", "Confidence"])
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 180)
        header.resizeSection(2, 80)
        self.people: dict[str, QTreeWidgetItem] = {}
        self.seizures: dict[str, QTreeWidgetItem] = {}
        self.warnings_section: QTreeWidgetItem | None = None
        self.setItemDelegate(WrappingDelegate(self))
        self.currentItemChanged.connect(lambda item, _old: self._announce(item))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # the wrapped lines' heights change

    # ---- filling -----------------------------------------------------------------------

    def show_report(self, report: LegalReport) -> None:
        """Fill the list again, keeping the selected target or seizure selected."""
        kept = self.selection()
        self.blockSignals(True)
        self.clear()
        self.people, self.seizures = {}, {}
        readiness = report.readiness
        people = {p.case.target_id for p in readiness.people}
        count = len(readiness.warnings)
        section = self._section(f"Warnings ({count}), most severe first" if count else
                                "Warnings: none")
        self.warnings_section = section
        for warning in readiness.warnings:
            kind = "person" if warning.record_id in people else "seizure"
            verdict = warning_verdict(warning, kind == "seizure")
            item = self._line(section, [warning.subject, verdict,
                                        warning.confidence if warning.data else ""],
                              warning_html(warning, verdict), kind, warning.record_id)
            self._paint(item, warning.level)
            item.setExpanded(count <= EXPANDED_WARNINGS)
            self._text(item, f"Why: {warning.reason}")
            for ref in warning.data:
                self._ref(item, ref)
        section.setExpanded(True)
        arrests = self._section(f"Arrests: {len(readiness.people)} person target(s) with a "
                                "planned arrest or a requesting state")
        for person in readiness.people:
            self.people[person.case.target_id] = self._person(arrests, person)
        arrests.setExpanded(True)
        abroad = [s for s in readiness.seizures if s.abroad]
        victims = ", ".join(short_state(v) for v in readiness.victim_states) or "not known"
        source = (", the lead agency's" if report.victim_states_from == "lead agency"
                  else "")
        seized = self._section(f"Seizures abroad: {len(abroad)} (victims' states: "
                               f"{victims}{source})")
        for seizure in abroad:
            self.seizures[seizure.case.action_id] = self._seizure(seized, seizure)
        seized.setExpanded(True)
        if readiness.unplaced:
            unplaced = self._section(f"Instruments that name no party at all "
                                     f"({len(readiness.unplaced)}): not used for routes")
            for ref in readiness.unplaced:
                self._ref(unplaced, ref)
        self.blockSignals(False)
        if kept is not None:
            self.select(kept)
        if self.currentItem() is None:
            self.selection_changed.emit(None, "")

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title])
        item.setFirstColumnSpanned(True)
        font = QFont(self.font())
        font.setBold(True)
        item.setFont(0, font)
        item.setBackground(0, QBrush(QColor("#e8edf3")))
        item.setData(0, KIND_ROLE, "section")
        return item

    def _line(self, parent: QTreeWidgetItem, texts: list[str], detail: str, kind: str,
              record_id: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, texts)
        item.setData(0, KIND_ROLE, kind)
        item.setData(0, RECORD_ROLE, record_id)
        item.setData(0, DETAIL_ROLE, detail)
        item.setToolTip(0, texts[0])
        return item

    def _text(self, parent: QTreeWidgetItem, text: str, colour: str = "") -> QTreeWidgetItem:
        """A line of explanation under ``parent``, across the columns, wrapped."""
        item = QTreeWidgetItem(parent, [text])
        item.setFirstColumnSpanned(True)
        item.setToolTip(0, text)
        item.setData(0, KIND_ROLE, "text")
        if colour:
            item.setForeground(0, QBrush(QColor(colour)))
        return item

    def _ref(self, parent: QTreeWidgetItem, ref: DataRef) -> QTreeWidgetItem:
        return self._text(parent, f"Rests on: {ref_line(ref)}", "#455a64")

    def _paint(self, item: QTreeWidgetItem, verdict: str) -> None:
        fg, bg = verdict_colours(verdict)
        item.setForeground(1, QBrush(QColor(fg)))
        item.setBackground(1, QBrush(QColor(bg)))

    def _person(self, parent: QTreeWidgetItem, person: PersonLegal) -> QTreeWidgetItem:
        case = person.case
        verdict, colour = person_verdict(person)
        best = person.best()
        confidence = best.confidence if best and best.status != "domestic" else ""
        item = self._line(parent, [case.name, verdict, confidence],
                          person_html(person), "person", case.target_id)
        self._paint(item, colour)
        for answer in person.answers:
            self._answer(item, answer, case.name, case.target_id, False)
        for answer in person.alternatives:
            self._answer(item, answer, case.name, case.target_id, True)
        return item

    def _answer(self, parent: QTreeWidgetItem, answer: RouteAnswer, name: str,
                target_id: str, alternative: bool) -> None:
        if alternative:
            title = (f"Better: arrest in {state_name(answer.custody)} (travels there), "
                     f"wanted by {short_state(answer.requesting)}")
        else:
            title = (f"Wanted by {state_name(answer.requesting)}, held in "
                     f"{short_state(answer.custody)}")
        item = self._line(parent, [title, answer_text(answer),
                                   answer.confidence if answer.status != "domestic" else ""],
                          answer_html(answer, name, alternative), "person", target_id)
        self._paint(item, status_verdict(answer.status))
        self._text(item, f"Why: {answer.reason}")
        if answer.fallback:
            self._text(item, f"Fallback: {answer.fallback}", "#bf360c")
        for condition in answer.conditions:
            self._text(item, f"Condition: {condition}", "#1a237e")
        for ref in answer.rests_on:
            self._ref(item, ref)

    def _seizure(self, parent: QTreeWidgetItem, seizure: SeizureLegal) -> QTreeWidgetItem:
        case = seizure.case
        subject = f"{case.target}" + (f" at {case.site}" if case.site else "")
        statuses = [a.status for a in seizure.answers]
        worst = next((s for s in ("none", "gap", "basis") if s in statuses), "")
        verdict = BASIS_TEXT.get(worst, "no victims' state to check")
        detail = "".join(basis_html(a, f"Seizure of {subject}") for a in seizure.answers)
        item = self._line(parent, [f"{subject} (in {short_state(case.state)})", verdict,
                                   ""], detail, "seizure", case.action_id)
        self._paint(item, status_verdict(worst) if worst != "basis" else "basis")
        for answer in seizure.answers:
            line = self._line(item, [f"Victims in {state_name(answer.victim_state)}",
                                     BASIS_TEXT[answer.status],
                                     answer.confidence if answer.status != "none" else ""],
                              basis_html(answer, f"Seizure of {subject}"), "seizure",
                              case.action_id)
            self._paint(line, status_verdict(answer.status) if answer.status != "basis"
                        else "basis")
            self._text(line, f"Why: {answer.reason}")
            for ref in (*answer.instruments, *answer.gaps):
                self._ref(line, ref)
        return item

    # ---- selection ---------------------------------------------------------------------

    def selection(self) -> Selection | None:
        item = self.currentItem()
        while item is not None:
            kind = item.data(0, KIND_ROLE)
            if kind in ("person", "seizure"):
                return Selection(str(kind), str(item.data(0, RECORD_ROLE)))
            item = item.parent()
        return None

    def select(self, selection: Selection) -> bool:
        found = (self.people if selection.kind == "person" else self.seizures).get(
            selection.record_id)
        if found is None:
            return False
        self.setCurrentItem(found)
        self.scrollToItem(found)
        return True

    def _announce(self, item: QTreeWidgetItem | None) -> None:
        if item is not None and item.data(0, KIND_ROLE) in ("person", "seizure"):
            item.setExpanded(True)
        detail = ""
        line = item
        while line is not None and not detail:
            detail = str(line.data(0, DETAIL_ROLE) or "")
            line = line.parent()
        self.selection_changed.emit(self.selection(), detail)
