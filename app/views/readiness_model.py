"""The readiness list as an item model: lines are plain Python nodes, and a line's own
lines (reasons, data, routes) are made only when it is first opened. An operation with
5,000 people has some 50,000 lines; made all at once as widget items they took seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.legal import DataRef, LegalWarning, PersonLegal, RouteAnswer, SeizureLegal
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

KIND_ROLE = Qt.ItemDataRole.UserRole
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # the target's or the seizure action's id
Index = QModelIndex | QPersistentModelIndex
NO_INDEX = QModelIndex()  # the invisible root, as a default argument
SECTION_BACKGROUND = QBrush(QColor("#e8edf3"))
REF_COLOUR = "#455a64"


class Node:
    """One line: up to three texts (what, verdict, confidence), what it is about, the
    HTML shown under the list when chosen, and how to make its own lines."""

    about: str
    __slots__ = ("_children", "about", "build", "colour", "detail", "kind", "parent",
                 "record_id", "row", "texts", "verdict")

    def __init__(self, parent: Node | None, texts: list[str], kind: str,
                 record_id: str = "", verdict: str = "", colour: str = "", about: str = "",
                 detail: Callable[[], str] | None = None,
                 build: Callable[[Node], None] | None = None) -> None:
        self.parent = parent
        self.texts = texts
        self.kind = kind  # section, warning, person, answer, seizure, basis, text
        self.record_id = record_id
        # What the line is about, "person" or "seizure" (with record_id), as its parent
        # is unless said.
        self.about = about or (parent.about if parent is not None else "")
        if not about and parent is not None:
            self.record_id = record_id or parent.record_id
        self.verdict = verdict  # colours the verdict column
        self.colour = colour  # the text's colour (a reason, a fallback, data)
        self.detail = detail
        self.build = build
        self._children: list[Node] | None = None if build else []
        self.row = 0
        if parent is not None:
            self.row = len(parent.children)
            parent.children.append(self)

    @property
    def children(self) -> list[Node]:
        if self._children is None:
            self._children = []
            assert self.build is not None
            self.build(self)
        return self._children

    def text(self, column: int) -> str:
        return self.texts[column] if column < len(self.texts) else ""

    def html(self) -> str:
        node: Node | None = self
        while node is not None:
            if node.detail is not None:
                return node.detail()
            node = node.parent
        return ""


def _text(parent: Node, text: str, colour: str = "") -> Node:
    return Node(parent, [text], "text", colour=colour)


def _ref(parent: Node, ref: DataRef) -> Node:
    return _text(parent, f"Rests on: {ref_line(ref)}", REF_COLOUR)


def _warning_lines(warning: LegalWarning) -> Callable[[Node], None]:
    def build(node: Node) -> None:
        _text(node, f"Why: {warning.reason}")
        for ref in warning.data:
            _ref(node, ref)
    return build


def _answer_lines(answer: RouteAnswer) -> Callable[[Node], None]:
    def build(node: Node) -> None:
        _text(node, f"Why: {answer.reason}")
        if answer.fallback:
            _text(node, f"Fallback: {answer.fallback}", "#bf360c")
        for condition in answer.conditions:
            _text(node, f"Condition: {condition}", "#1a237e")
        for ref in answer.rests_on:
            _ref(node, ref)
    return build


def _answer(parent: Node, answer: RouteAnswer, person: PersonLegal,
            alternative: bool) -> None:
    case = person.case
    if alternative:
        title = (f"Better: arrest in {state_name(answer.custody)} (travels there), wanted "
                 f"by {short_state(answer.requesting)}")
    else:
        title = (f"Wanted by {state_name(answer.requesting)}, held in "
                 f"{short_state(answer.custody)}")
    Node(parent, [title, answer_text(answer),
                  answer.confidence if answer.status != "domestic" else ""],
         "answer", case.target_id, status_verdict(answer.status),
         detail=lambda: answer_html(answer, case.name, alternative),
         build=_answer_lines(answer))


def _person_lines(person: PersonLegal) -> Callable[[Node], None]:
    def build(node: Node) -> None:
        for answer in person.answers:
            _answer(node, answer, person, False)
        for answer in person.alternatives:
            _answer(node, answer, person, True)
    return build


def _seizure_lines(seizure: SeizureLegal, subject: str) -> Callable[[Node], None]:
    def build(node: Node) -> None:
        for answer in seizure.answers:
            def lines(line: Node, answer: Any = answer) -> None:
                _text(line, f"Why: {answer.reason}")
                for ref in (*answer.instruments, *answer.gaps):
                    _ref(line, ref)
            Node(node, [f"Victims in {state_name(answer.victim_state)}",
                        BASIS_TEXT[answer.status],
                        answer.confidence if answer.status != "none" else ""],
                 "basis", seizure.case.action_id,
                 status_verdict(answer.status) if answer.status != "basis" else "basis",
                 detail=partial(basis_html, answer, f"Seizure of {subject}"),
                 build=lines)
    return build


def _seizure_html(seizure: SeizureLegal, subject: str) -> str:
    return "".join(basis_html(a, f"Seizure of {subject}") for a in seizure.answers)


def report_nodes(report: LegalReport) -> tuple[Node, dict[str, Node], dict[str, Node]]:
    """(the root, person lines by target id, seizure lines by action id)."""
    root = Node(None, [], "root")
    readiness = report.readiness
    people_ids = {p.case.target_id for p in readiness.people}
    count = len(readiness.warnings)
    warnings = Node(root, [f"Warnings ({count}), most severe first" if count else
                           "Warnings: none"], "section")
    for warning in readiness.warnings:
        is_seizure = warning.record_id not in people_ids
        verdict = warning_verdict(warning, is_seizure)
        Node(warnings, [warning.subject, verdict, warning.confidence if warning.data
                        else ""], "warning", warning.record_id, warning.level,
             about="seizure" if is_seizure else "person",
             detail=partial(warning_html, warning, verdict),
             build=_warning_lines(warning))
    arrests = Node(root, [f"Arrests: {len(readiness.people)} person target(s) with a "
                          "planned arrest or a requesting state"], "section")
    people: dict[str, Node] = {}
    for person in readiness.people:
        verdict, colour = person_verdict(person)
        best = person.best()
        confidence = best.confidence if best and best.status != "domestic" else ""
        people[person.case.target_id] = Node(
            arrests, [person.case.name, verdict, confidence], "person",
            person.case.target_id, colour, about="person",
            detail=partial(person_html, person),
            build=_person_lines(person))
    abroad = [s for s in readiness.seizures if s.abroad]
    victims = ", ".join(short_state(v) for v in readiness.victim_states) or "not known"
    source = ", the lead agency's" if report.victim_states_from == "lead agency" else ""
    seized = Node(root, [f"Seizures abroad: {len(abroad)} (victims' states: {victims}"
                         f"{source})"], "section")
    seizures: dict[str, Node] = {}
    for seizure in abroad:
        case = seizure.case
        subject = case.target + (f" at {case.site}" if case.site else "")
        statuses = [a.status for a in seizure.answers]
        worst = next((s for s in ("none", "gap", "basis") if s in statuses), "")
        seizures[case.action_id] = Node(
            seized, [f"{subject} (in {short_state(case.state)})",
                     BASIS_TEXT.get(worst, "no victims' state to check"), ""],
            "seizure", case.action_id,
            status_verdict(worst) if worst != "basis" else "basis", about="seizure",
            detail=partial(_seizure_html, seizure, subject),
            build=_seizure_lines(seizure, subject))
    if readiness.unplaced:
        unplaced = Node(root, [f"Instruments that name no party at all "
                               f"({len(readiness.unplaced)}): not used for routes"],
                        "section")
        for ref in readiness.unplaced:
            _ref(unplaced, ref)
    return root, people, seizures


class ReadinessModel(QAbstractItemModel):
    HEADERS = ("Target, seizure or data", "Verdict", "Confidence")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.root = Node(None, [], "root")
        self.bold = QFont()
        self.bold.setBold(True)
        self._brushes: dict[str, QBrush] = {}

    def set_root(self, root: Node) -> None:
        self.beginResetModel()
        self.root = root
        self.endResetModel()

    def node(self, index: Index) -> Node:
        if not index.isValid():
            return self.root
        found = index.internalPointer()
        assert isinstance(found, Node)
        return found

    def index_of(self, node: Node, column: int = 0) -> QModelIndex:
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node)

    def index(self, row: int, column: int, parent: Index = NO_INDEX) -> QModelIndex:
        children = self.node(parent).children
        if not 0 <= row < len(children) or not 0 <= column < 3:
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = NO_INDEX) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        up = self.node(index).parent
        if up is None or up.parent is None:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: Index = NO_INDEX) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def hasChildren(self, parent: Index = NO_INDEX) -> bool:
        node = self.node(parent)
        return node.build is not None or bool(node.children)

    def columnCount(self, _parent: Index = NO_INDEX) -> int:
        return 3

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def _brush(self, colour: str) -> QBrush:
        found = self._brushes.get(colour)
        if found is None:
            found = self._brushes[colour] = QBrush(QColor(colour))
        return found

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node, column = self.node(index), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return node.text(column) or None
        if role == KIND_ROLE:
            return node.kind
        if role == RECORD_ROLE:
            return node.record_id
        if role == Qt.ItemDataRole.FontRole and node.kind == "section":
            return self.bold
        if role == Qt.ItemDataRole.BackgroundRole:
            if node.kind == "section":
                return SECTION_BACKGROUND
            if column == 1 and node.verdict:
                return self._brush(verdict_colours(node.verdict)[1])
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1 and node.verdict:
                return self._brush(verdict_colours(node.verdict)[0])
            if node.colour:
                return self._brush(node.colour)
        return None
