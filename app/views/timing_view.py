"""The "Timing" tab: the date range, the H-hour, the synchronisation matrix, the actions
table with their local starts and states, and the briefing packs.

Planning reads the store on a worker thread (a large operation takes a while); a result
that a newer request has overtaken is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.timing import Interval
from app.services import operations, timing
from app.services.context import AppContext
from app.services.timing import ActionWindows, TimingReport
from app.views.in_view_reader import InViewReader
from app.views.matrix_rows import matrix_groups
from app.views.timing_actions import ActionsPanel
from app.views.timing_banner import LEVELS, Banner, banner, blocked_at
from app.views.timing_commands import SetHHour
from app.views.undo_commands import CommandEnv, Refresh

if TYPE_CHECKING:  # matplotlib and ReportLab load when first needed, not at start-up
    from app.views.briefing_dialog import BriefingDialog
    from app.views.sync_matrix import SyncMatrix

STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class TimingData:
    report: TimingReport
    windows: dict[str, ActionWindows]


def rounded_in(when: datetime, window: Interval, step: timedelta = STEP) -> datetime | None:
    """``when`` to the nearest ``step``, or the next nearest that is still in the window."""
    seconds = int(step.total_seconds())
    base = datetime.fromtimestamp(int(when.timestamp()) // seconds * seconds, UTC)
    nearest = base + step if when - base >= step / 2 else base
    for candidate in (nearest, base, base + step):
        if window[0] <= candidate < window[1]:
            return candidate
    return None


def iso_text(when: datetime | None) -> str:
    return f"{when:%Y-%m-%dT%H:%MZ}" if when else ""


class TimingView(QWidget):
    planned = Signal()  # a plan has been shown (or its failure)

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.data: TimingData | None = None
        self.reader = InViewReader(self)
        self._fit_range = False
        self._range_of = ""  # the operation whose dates are chosen (kept over a lock)
        self.last_message = ""
        self.briefing_folder = Path.home()

        self.start = QDateEdit()
        self.start.setObjectName("rangeStart")
        self.end = QDateEdit()
        self.end.setObjectName("rangeEnd")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.h_hour = QLineEdit()
        self.h_hour.setObjectName("hHour")
        self.h_hour.setPlaceholderText("e.g. 2026-03-29T04:30Z")
        self.h_hour.setMinimumWidth(190)
        self.set_h_hour = QPushButton("Set H-hour")
        self.set_h_hour.setObjectName("setHHour")
        self.busy = QLabel()
        self.busy.setStyleSheet("color: gray;")
        self.briefing = QPushButton("Briefing pack…")
        self.briefing.setObjectName("briefingPack")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Plan from"))
        bar.addWidget(self.start)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.end)
        bar.addSpacing(18)
        bar.addWidget(QLabel("H-hour (UTC):"))
        bar.addWidget(self.h_hour)
        bar.addWidget(self.set_h_hour)
        bar.addWidget(self.busy, 1)
        bar.addWidget(self.briefing)

        self.banner = QLabel()
        self.banner.setObjectName("timingBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.matrix: SyncMatrix | None = None  # made when the tab is first shown
        self.matrix_box = QVBoxLayout()
        self.matrix_box.setContentsMargins(0, 0, 0, 0)
        upper = QWidget()
        upper.setLayout(self.matrix_box)
        self.panel = ActionsPanel(context, stack, env, lambda: self.op_id)
        self.panel.rule_saved.connect(self._rule_saved)
        self.panel.selection_changed.connect(self._selected)
        self.table, self.model = self.panel.table, self.panel.model
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([470, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self._default_range()
        self.start.dateChanged.connect(lambda _d: self.replan())
        self.end.dateChanged.connect(lambda _d: self.replan())
        self.set_h_hour.clicked.connect(self.enter_h_hour)
        self.h_hour.returnPressed.connect(self.enter_h_hour)
        self.briefing.clicked.connect(self.ask_briefing)
        self._enable()

    # ---- operation and planning --------------------------------------------------------

    def _default_range(self) -> None:
        today = datetime.now(UTC).date()
        self.set_range(today, today + timedelta(days=timing.DEFAULT_DAYS - 1))

    def set_range(self, start: date, end: date) -> None:
        """Both ends at once, planned once."""
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self.replan()

    def dates(self) -> tuple[date, date]:
        first, last = self.start.date(), self.end.date()
        return (date(first.year(), first.month(), first.day()),
                date(last.year(), last.month(), last.day()))

    def set_operation(self, op_id: str) -> None:
        self.op_id = op_id
        self.data = None
        self.reader.overtake()
        self.model.set_actions([])
        if self.matrix is not None:
            self.matrix.clear()
        if op_id == self._range_of:
            self.replan()  # the same operation again (after a lock): the same dates
        else:
            self._range_of = op_id
            self._fit_range = True  # show the operation's H-hour if it lies outside
            self._default_range()
        self._enable()

    def clear(self) -> None:
        self.op_id = ""
        self.data = None
        self.reader.overtake()
        self.model.set_actions([])
        if self.matrix is not None:
            self.matrix.clear()
        self.banner.clear()
        self.h_hour.clear()
        self._enable()

    def apply_refresh(self, refresh: Refresh) -> None:
        if refresh.op_id == self.op_id:
            self.replan()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.matrix is None:
            from app.views.sync_matrix import SyncMatrix

            self.matrix = SyncMatrix()
            self.matrix.clicked.connect(self.pick_h_hour)
            self.matrix.site_clicked.connect(self.select_site)
            self.matrix_box.addWidget(self.matrix)
        if self.reader.stale:
            self.replan()

    def replan(self) -> None:
        """Work the plan out again on a worker thread; only while in view."""
        if not self.op_id:
            return
        op_id, ctx = self.op_id, self.context()
        start, end = self.dates()

        def failed(error: BaseException) -> None:
            self.busy.clear()
            if not isinstance(error, KnownError):
                self.env.failed(error)
                return
            self.data = None
            self.model.set_actions([])
            if self.matrix is not None:
                self.matrix.clear()
            self._show_banner(Banner("bad", f"<b>The plan cannot be worked out:</b> {error}"))
            self._enable()
            self.planned.emit()

        if self.reader.read(
                lambda: TimingData(*timing.plan_with_windows(ctx, op_id, start, end)),
                self.show_data, failed):
            self.busy.setText("Planning…")

    def show_data(self, data: TimingData) -> None:
        report = data.report
        if self._fit_range:
            self._fit_range = False
            h = report.h_hour
            if h is not None and not report.start <= h < report.end:
                self.set_range(h.date() - timedelta(days=3), h.date() + timedelta(days=10))
                return
        self.data = data
        self.busy.clear()
        self.panel.set_actions(report.actions)
        if not self.h_hour.hasFocus() or not self.h_hour.isModified():
            self.h_hour.setText(iso_text(report.h_hour))
            self.h_hour.setModified(False)
        if self.matrix is not None:
            from app.views.sync_matrix import MatrixPlan

            self.matrix.show_plan(MatrixPlan(matrix_groups(report, data.windows),
                                             report.windows, report.h_hour, report.start,
                                             report.end))
        self._show_banner(banner(report))
        self._enable()
        self.planned.emit()

    def _show_banner(self, found: Banner) -> None:
        background, border = LEVELS[found.level]
        self.banner.setProperty("level", found.level)
        self.banner.setStyleSheet(f"QLabel {{ background: {background}; border-left: 5px solid "
                                  f"{border}; padding: 6px 10px; }}")
        self.banner.setText(found.html)
        self.banner.setToolTip(found.details)

    def _enable(self) -> None:
        for widget in (self.h_hour, self.set_h_hour, self.briefing):
            widget.setEnabled(bool(self.op_id))
        self.panel.enable(self.data is not None)

    def _selected(self) -> None:
        self._enable()
        action = self.panel.selected()
        if self.matrix is not None and self.data is not None:
            found = self.data.windows.get(action.id) if action else None
            self.matrix.highlight(found.site_id if found else None)

    def select_site(self, site_id: str) -> None:
        """A click on a row's label in the matrix selects the site's first action."""
        windows = self.data.windows if self.data else {}
        self.panel.select_first(lambda a: a.id in windows and windows[a.id].site_id == site_id)

    def _rule_saved(self, name: str) -> None:
        self.say(f"The search-hour rule for {name} is recorded; the plan was worked out "
                 "again.")
        self.replan()

    def say(self, text: str) -> None:
        """A passing remark in the window's status bar."""
        self.last_message = text
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 15_000)

    # ---- H-hour ------------------------------------------------------------------------

    def pick_h_hour(self, when: datetime) -> bool:
        """A click on the matrix at ``when``: inside a feasible window it becomes the
        H-hour (to 5 minutes); elsewhere the status bar says why not."""
        if self.data is None:
            return False
        report = self.data.report
        if not report.feasible:
            self.say("No H-hour in these dates lets every action start lawfully: re-time or "
                     "authorise the actions the banner names, or widen the dates.")
            return False
        window = next((w for w in report.windows if w[0] <= when < w[1]), None)
        if window is None:
            allowed = {i: w.windows for i, w in self.data.windows.items()}
            blocked = blocked_at(report, allowed, when)
            names = "; ".join(blocked[:3]) + (f" and {len(blocked) - 3} more"
                                              if len(blocked) > 3 else "")
            self.say(f"{when:%d %b %H:%M} UTC is not a feasible H-hour: {len(blocked)} "
                     f"action(s) would start outside their lawful hours ({names}). Click "
                     "inside a gold band.")
            return False
        chosen = rounded_in(when, window)
        if chosen is None:
            self.say("That window is narrower than five minutes; type the H-hour instead.")
            return False
        return self.change_h_hour(chosen)

    def enter_h_hour(self) -> None:
        text = self.h_hour.text().strip()
        try:
            when = timing.parse_instant(text) if text else None
        except KnownError as error:
            self.say(str(error))
            self.env.failed(error)
            return
        self.h_hour.setModified(False)
        self.change_h_hour(when)

    def change_h_hour(self, when: datetime | None) -> bool:
        previous = self.data.report.h_hour if self.data else None
        if when == previous:
            return False
        try:
            SetHHour(self.env, self.op_id, when, previous).push_to(self.stack)
        except KnownError as error:
            self.env.failed(error)
            return False
        self.say(f"H-hour set to {when:%a %d %b %Y %H:%M} UTC (Ctrl+Z undoes it)."
                 if when else "H-hour cleared (Ctrl+Z undoes it).")
        return True

    def ask_briefing(self) -> BriefingDialog | None:
        if not self.op_id:
            return None
        from app.views.briefing_dialog import BriefingDialog

        ctx = self.context()
        overview = operations.overview(ctx, self.op_id)
        dialog = BriefingDialog(self.context, overview.summary.codename,
                                overview.participants, self.briefing_folder, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
