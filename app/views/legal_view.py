"""The "Legal" tab: is every planned arrest going to reach a court that wants the person,
and can every asset seized abroad go back to the victims?

The readiness check runs on a worker thread whenever the operation changes while the tab
is in view (and when it next comes into view otherwise); a result that a newer run has
overtaken is dropped. The drawing (matplotlib) is made when the tab is first shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError, NotFoundError
from app.core.legal import BARRED, GAP, NO_ROUTE, PersonCase
from app.services import legal
from app.services.context import AppContext
from app.services.legal import LegalDrawing, LegalReport
from app.views.in_view_reader import InViewReader
from app.views.legal_commands import SetTargetLegal, SetVictimStates
from app.views.legal_words import counted, severity_counts, short_state
from app.views.readiness_tree import ReadinessTree
from app.views.route_map import Selection, route_map
from app.views.target_legal_dialog import TargetLegalDialog
from app.views.undo_commands import CommandEnv, Refresh
from app.views.victim_states_dialog import VictimStatesDialog

if TYPE_CHECKING:  # matplotlib loads when the tab is first shown, not at start-up
    from app.views.instrument_editor import InstrumentEditor
    from app.views.legal_drawing import RouteDrawing

BANNERS = {"ready": ("#e8f5e9", "#2e7d32"), "check": ("#fffde7", "#f9a825"),
           "gaps": ("#fff3e0", "#ef6c00"), "bad": ("#ffebee", "#c62828")}


@dataclass(frozen=True)
class LegalData:
    report: LegalReport
    drawing: LegalDrawing


def banner(report: LegalReport) -> tuple[str, str]:
    """(level, HTML) of the line above the list."""
    readiness = report.readiness
    counts = severity_counts(readiness.warnings)
    listed = " · ".join(counted(level, n) for level, n in counts)
    victims = ", ".join(short_state(v) for v in readiness.victim_states) or "none"
    tail = (f"<br><span style='color:#555'>Instruments in force on {report.today:%d %b %Y}"
            f" · victims' states: {escape(victims)}"
            + (" (the lead agency's country)" if report.victim_states_from == "lead agency"
               else "") + "</span>")
    if readiness.ready:
        more = (f" Still to check before H-hour: {escape(listed)}." if counts else "")
        return "ready", ("<b>Ready: every planned arrest has a route and every seizure "
                         f"abroad a basis.</b>{more}{tail}")
    worst = min(w.severity for w in readiness.warnings)
    level = "bad" if worst in (NO_ROUTE, BARRED) else "gaps" if worst == GAP else "check"
    return level, (f"<b>Not ready: {escape(listed)}.</b> Select a line for its reason and "
                   f"the data it rests on.{tail}")


class LegalView(QWidget):
    reported = Signal()  # a readiness check has been shown (or its failure)

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.data: LegalData | None = None
        self.reader = InViewReader(self)
        self.editor: InstrumentEditor | None = None

        self.banner = QLabel()
        self.banner.setObjectName("legalBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.busy = QLabel()
        self.busy.setStyleSheet("color: gray;")
        self.requesting = QPushButton("Requesting states…")
        self.requesting.setObjectName("requestingStates")
        self.requesting.setToolTip("Which states want the selected person, its "
                                   "nationalities and where it travels")
        self.victims = QPushButton("Victims' states…")
        self.victims.setObjectName("victimStates")
        self.victims.setToolTip("Where assets seized abroad should go back to")
        self.instruments = QPushButton("Instruments…")
        self.instruments.setObjectName("instruments")
        self.instruments.setToolTip("Browse, search, add and correct treaties, conventions "
                                    "and schemes")
        bar = QHBoxLayout()
        bar.addWidget(self.requesting)
        bar.addWidget(self.victims)
        bar.addWidget(self.instruments)
        bar.addWidget(self.busy, 1)

        self.tree = ReadinessTree()
        self.detail = QTextBrowser()
        self.detail.setObjectName("legalDetail")
        self.detail.setOpenExternalLinks(True)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.tree)
        left.addWidget(self.detail)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setSizes([460, 240])
        self.drawing: RouteDrawing | None = None  # made when the tab is first shown
        self.drawing_box = QVBoxLayout()
        self.drawing_box.setContentsMargins(0, 0, 0, 0)
        right = QWidget()
        right.setLayout(self.drawing_box)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 500])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.tree.selection_changed.connect(self._selected)
        self.requesting.clicked.connect(self.ask_target_legal)
        self.victims.clicked.connect(self.ask_victims)
        self.instruments.clicked.connect(self.open_instruments)
        self._enable()

    # ---- operation and the readiness check ---------------------------------------------

    def set_operation(self, op_id: str) -> None:
        self.op_id = op_id
        self.data = None
        self.reader.overtake()
        self.tree.clear()
        self.detail.clear()
        self.banner.clear()
        if self.drawing is not None:
            self.drawing.clear()
        self._enable()
        self.recheck()

    def clear(self) -> None:
        """No operation (or the store locked): nothing of it stays on screen."""
        if self.editor is not None:
            self.editor.close()
        self.set_operation("")

    def apply_refresh(self, refresh: Refresh) -> None:
        if refresh.op_id == self.op_id:
            self.recheck()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.drawing is None:
            from app.views.legal_drawing import RouteDrawing

            self.drawing = RouteDrawing()
            self.drawing_box.addWidget(self.drawing)
            self._draw()
        if self.reader.stale:
            self.recheck()

    def recheck(self) -> None:
        """Run the readiness check again on a worker thread; only while in view."""
        if not self.op_id:
            return
        op_id, ctx = self.op_id, self.context()

        def failed(error: BaseException) -> None:
            self.busy.clear()
            if isinstance(error, NotFoundError):
                self.clear()
            elif isinstance(error, KnownError):
                self._show_banner("bad", f"<b>The readiness check failed:</b> "
                                         f"{escape(str(error))}")
            else:
                self.env.failed(error)
            self.reported.emit()

        if self.reader.read(lambda: LegalData(legal.legal_report(ctx, op_id),
                                              legal.legal_drawing(ctx, op_id)),
                            self.show_data, failed):
            self.busy.setText("Checking routes…")

    def show_data(self, data: LegalData) -> None:
        self.data = data
        self.busy.clear()
        self._show_banner(*banner(data.report))
        self.tree.show_report(data.report)  # announces the selection: detail and drawing
        self._enable()
        self.reported.emit()

    def _show_banner(self, level: str, html: str) -> None:
        background, border = BANNERS[level]
        self.banner.setProperty("level", level)
        self.banner.setStyleSheet(f"QLabel {{ background: {background}; border-left: 5px "
                                  f"solid {border}; padding: 6px 10px; }}")
        self.banner.setText(html)

    # ---- selection ---------------------------------------------------------------------

    def _selected(self, _selection: Selection | None, html: str) -> None:
        self.detail.setHtml(html or "<p style='color:gray'>Select a warning, a target or a "
                                    "seizure: its reason and the data it rests on show "
                                    "here, and its route in the drawing.</p>")
        self._draw()
        self._enable()

    def _draw(self) -> None:
        if self.drawing is None:
            return
        if self.data is None:
            self.drawing.clear("Checking routes…" if self.op_id else "")
            return
        self.drawing.show_map(route_map(self.data.drawing, self.data.report,
                                        self.tree.selection()))

    def selected_person(self) -> PersonCase | None:
        chosen = self.tree.selection()
        if chosen is None or chosen.kind != "person" or self.data is None:
            return None
        return next((p.case for p in self.data.report.readiness.people
                     if p.case.target_id == chosen.record_id), None)

    def _enable(self) -> None:
        self.requesting.setEnabled(self.selected_person() is not None)
        self.victims.setEnabled(self.data is not None)
        self.instruments.setEnabled(bool(self.op_id))

    # ---- edits -------------------------------------------------------------------------

    def ask_target_legal(self) -> TargetLegalDialog | None:
        case = self.selected_person()
        if case is None:
            return None
        op_id = self.op_id

        def save(wanted: list[str], nationality: list[str], travels: list[str]) -> None:
            SetTargetLegal(self.env, op_id, case.target_id, case.name, wanted, nationality,
                           travels).push_to(self.stack)

        dialog = TargetLegalDialog(case, save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_victims(self) -> VictimStatesDialog | None:
        if self.data is None:
            return None
        report, op_id = self.data.report, self.op_id
        from_lead = report.victim_states_from == "lead agency"
        previous = [] if from_lead else list(report.readiness.victim_states)

        def save(states: list[str]) -> None:
            SetVictimStates(self.env, op_id, states, previous).push_to(self.stack)

        dialog = VictimStatesDialog(report.readiness.victim_states, from_lead, save, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_instruments(self) -> InstrumentEditor:
        from app.views.instrument_editor import InstrumentEditor

        if self.editor is None:
            self.editor = InstrumentEditor(self.context, self)
            self.editor.changed.connect(self.recheck)
        elif self.editor.isVisible():
            self.editor.raise_()  # already open, perhaps behind the main window
            return self.editor
        else:
            self.editor.reload()
        self.editor.show()
        return self.editor
