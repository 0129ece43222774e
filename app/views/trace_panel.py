"""The Trace page of the Money tab: the form and the saved traces on the left; on the
right the shown trace with its method stated, its graph and its endpoints (address,
label, amount traced, why it stops, path), saved, exported to CSV, or the basis of a
freeze request. Traces run on a worker thread, with the hop reached and a Cancel."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.tracing import HELD, HOP_LIMIT, ORIGIN, SERVICE, Endpoint, TraceResult
from app.services import money
from app.services.context import AppContext
from app.services.money import SavedTrace, TraceCancelledError, TraceRun
from app.views.messages import show_error
from app.views.trace_form import TraceForm
from app.views.trace_map import amount_text, short_address, trace_map
from app.views.undo_commands import CommandEnv, Refresh
from app.views.workers import Cancel, Job, Progress, run_job, settle_readers

if TYPE_CHECKING:  # matplotlib loads when the page is first shown
    from app.views.trace_drawing import TraceDrawing

COLUMNS = ("Label / service", "Amount traced", "Why it stops", "Hops", "Address", "Path")
FREEZE_ROW = QColor("#ffebee")
METHOD_BADGE = "#1f3a5f"


def reason_text(endpoint: Endpoint, forward: bool) -> str:
    if endpoint.reason == SERVICE:
        if endpoint.category == "exchange":
            return "at an exchange: freeze point" if forward else "came from an exchange"
        return f"at a {endpoint.category or 'service'}: trace stops"
    return {HOP_LIMIT: "hop limit reached", HELD: "still held in the wallet",
            ORIGIN: "origin in the data"}.get(endpoint.reason, endpoint.reason)


def path_text(endpoint: Endpoint) -> str:
    return " → ".join(short_address(s.tx_hash) for s in endpoint.path)


def saved_text(saved: SavedTrace) -> str:
    return (f"{saved.made_at:%Y-%m-%d %H:%M} UTC · {saved.method.upper()} {saved.direction} "
            f"· {len(saved.seeds)} seed{'s' if len(saved.seeds) != 1 else ''} · "
            f"{len(saved.endpoints)} endpoint{'s' if len(saved.endpoints) != 1 else ''}")


class TracePanel(QWidget):
    shown = Signal()  # a trace is on screen (or its failure told)
    draft_requested = Signal(str, object)  # saved trace id, Endpoint

    def __init__(self, context: Callable[[], AppContext], env: CommandEnv,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.env = env
        self.op_id = ""
        self.run: TraceRun | None = None
        self.reopened = False
        self.job: Job | None = None
        self.drawing: TraceDrawing | None = None

        self.form = TraceForm()
        self.form.run_requested.connect(self.start_trace)
        self.form.cancel_requested.connect(self.cancel_trace)
        form_box = QGroupBox("Trace from")
        QVBoxLayout(form_box).addWidget(self.form)
        self.saved = QListWidget()
        self.saved.setObjectName("savedTraces")
        self.saved.itemActivated.connect(lambda _item: self.open_saved())
        self.saved.currentItemChanged.connect(lambda _new, _old: self._enable())
        self.open_button = QPushButton("Open saved trace")
        self.open_button.setObjectName("openTrace")
        self.open_button.clicked.connect(self.open_saved)
        saved_box = QGroupBox("Saved traces (the basis of freeze requests)")
        saved_layout = QVBoxLayout(saved_box)
        saved_layout.addWidget(self.saved)
        saved_layout.addWidget(self.open_button)
        form_box.setMinimumWidth(220)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(form_box)
        left.addWidget(saved_box)
        left.setSizes([520, 160])

        self.statement = QLabel()
        self.statement.setObjectName("traceStatement")
        self.statement.setWordWrap(True)
        self.statement.setTextFormat(Qt.TextFormat.RichText)
        self.drawing_box = QVBoxLayout()
        self.drawing_box.setContentsMargins(0, 0, 0, 0)
        drawing_holder = QWidget()
        drawing_holder.setLayout(self.drawing_box)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("endpoints")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Widths set once per fill: sized to contents on every change, a table of
        # thousands of endpoints took minutes to fill.
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        self.save_button = QPushButton("Save trace")
        self.save_button.setObjectName("saveTrace")
        self.save_button.clicked.connect(self.save_trace)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportTrace")
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.draft_button = QPushButton("Draft freeze request…")
        self.draft_button.setObjectName("draftFreeze")
        self.draft_button.setToolTip("For the selected endpoint of a forward trace")
        self.draft_button.clicked.connect(self.request_draft)
        self.note = QLabel()
        self.note.setObjectName("traceNote")
        self.note.setStyleSheet("color: #455a64;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.draft_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.table, 1)
        lower_layout.addLayout(buttons)
        results = QSplitter(Qt.Orientation.Vertical)
        results.addWidget(drawing_holder)
        results.addWidget(lower)
        results.setSizes([440, 200])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.statement)
        right_layout.addWidget(results, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([270, 820])
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.clear()

    # ---- the operation -----------------------------------------------------------------

    def clear(self) -> None:
        self.cancel_trace()
        self.op_id = ""
        self.opened_for = ""  # the operation whose newest saved trace was shown on arrival
        self.run = None
        self.reopened = False
        self.saved.clear()
        self.form.wallets.clear()
        self.form.typed.clear()
        self._show_nothing()

    def _show_nothing(self) -> None:
        self.run = None
        self.statement.setText("<span style='color:gray'>Tick the wallets to trace from, "
                               "choose the method and press Trace.</span>")
        self.table.setRowCount(0)
        self.note.clear()
        if self.drawing is not None:
            self.drawing.show_message("")
        self._enable()

    def set_data(self, op_id: str, wallets: list[money.WalletInfo],
                 traces: list[SavedTrace]) -> None:
        if op_id != self.op_id:
            self.clear()
            self.op_id = op_id
        self.form.set_wallets(wallets)
        current = self.saved.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.saved.clear()
        for saved in traces:
            item = QListWidgetItem(saved_text(saved))
            item.setData(Qt.ItemDataRole.UserRole, saved.id)
            item.setToolTip(saved.statement)
            self.saved.addItem(item)
            if saved.id == keep:
                self.saved.setCurrentItem(item)
        if not traces:
            self.saved.addItem("None yet: a trace is saved with Save trace, or when a freeze "
                               "request is drafted from it.")
        elif self.run is None and self.opened_for != op_id:
            # The commander opening the tab sees where the money went, as last traced.
            self.opened_for = op_id
            self.saved.setCurrentRow(0)
            self.open_saved()
        self._enable()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.drawing is None:
            from app.views.trace_drawing import TraceDrawing

            self.drawing = TraceDrawing()
            self.drawing_box.addWidget(self.drawing)
            if self.run is not None:
                self._draw()

    # ---- running a trace ---------------------------------------------------------------

    def start_trace(self) -> None:
        if not self.op_id or (self.job is not None and self.job.isRunning()):
            return
        try:
            asked = self.form.request()
        except KnownError as error:
            show_error(self, error)
            return
        ctx, op_id = self.context(), self.op_id

        def work(progress: Progress, cancel: Cancel) -> TraceRun:
            return money.trace_operation(ctx, op_id, asked.seeds, asked.method,
                                         asked.direction, hops=asked.hops,
                                         min_amount=asked.min_amount, start=asked.start,
                                         end=asked.end, progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            self._finished()
            if op_id == self.op_id:
                self.show_run(result, reopened=False)

        def failed(error: BaseException) -> None:
            self._finished()
            if op_id != self.op_id:
                return
            if isinstance(error, TraceCancelledError):
                self.note.setText(str(error))
            else:
                show_error(self, error)
            self.shown.emit()

        self.form.set_running(True)
        self.note.setText("Tracing…")
        self.job = run_job(work, self, done, failed, reader=True)
        self.job.progressed.connect(self.form.set_progress)

    def cancel_trace(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _finished(self) -> None:
        self.job = None
        self.form.set_running(False)

    def open_saved(self) -> None:
        item = self.saved.currentItem()
        trace_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not trace_id:
            return
        try:
            run = money.reopen_trace(self.context(), str(trace_id))
        except KnownError as error:
            show_error(self, error)
            return
        self.show_run(run, reopened=True)

    # ---- showing it --------------------------------------------------------------------

    def show_run(self, run: TraceRun, reopened: bool) -> None:
        self.run = run
        self.reopened = reopened
        result = run.result
        self.statement.setText(self._statement_html(run))
        self._fill_table(result)
        self.note.setText(
            f"{len(result.endpoints)} endpoint{'s' if len(result.endpoints) != 1 else ''}"
            + (f" · {result.transfers_read:,} transfers read" if not reopened else
               " · saved trace"))
        self._draw()
        self._enable()
        self.shown.emit()

    def _statement_html(self, run: TraceRun) -> str:
        result = run.result
        moved = "left the seeds" if result.direction == "forward" else "reached the seeds"
        totals = " · ".join(f"{amount_text(t.seeded, t.asset)} {moved}, "
                            f"{amount_text(t.to_services, t.asset)} reached services"
                            for t in result.totals)
        saved = ("saved " + (f"trace {run.trace_id[:8]}" if run.trace_id else "")
                 if run.trace_id else "not saved")
        return (f"<span style='background:{METHOD_BADGE}; color:white; font-weight:bold'>"
                f"&nbsp;{escape(result.method.upper())}&nbsp;</span> "
                f"<b>{escape(result.statement)}</b><br>"
                f"<span style='color:#455a64'>{escape(totals)} ({saved})</span>")

    def _fill_table(self, result: TraceResult) -> None:
        forward = result.direction == "forward"
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(0)
        self.table.setRowCount(len(result.endpoints))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, e in enumerate(result.endpoints):
            label = f"{e.category}: {e.label}" if e.label else e.category
            cells = (label, amount_text(e.amount, e.asset), reason_text(e, forward),
                     str(e.hops), f"{e.chain} {e.address}", path_text(e))
            freeze = forward and e.reason == SERVICE and e.category == "exchange"
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setToolTip(f"exactly {amount_text(e.amount, e.asset, exact=True)}")
                if c in (1, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if freeze:
                    item.setBackground(QBrush(FREEZE_ROW))
                    item.setFont(bold)
                self.table.setItem(r, c, item)
            tip = "\n".join(f"{s.time:%Y-%m-%d %H:%M} {s.tx_hash}: {amount_text(s.traced, s.asset)}"
                            f" of {amount_text(s.amount, s.asset)}" for s in e.path)
            path_item = self.table.item(r, 5)
            if path_item is not None:
                path_item.setToolTip(tip)
        self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)

    def _draw(self) -> None:
        if self.drawing is None or self.run is None:
            return
        caption = ("Reopened from the saved trace: the arrows are each endpoint's main "
                   "route (the one that carried the largest share)." if self.reopened else "")
        self.drawing.show_map(trace_map(self.run.result), caption)

    def selected_endpoint(self) -> Endpoint | None:
        rows = self.table.selectionModel().selectedRows()
        if self.run is None or not rows:
            return None
        return self.run.result.endpoints[rows[0].row()]

    def _enable(self) -> None:
        has = self.run is not None
        self.save_button.setEnabled(has and self.run is not None and not self.run.trace_id)
        self.export_button.setEnabled(has)
        self.draft_button.setEnabled(
            has and self.run is not None and self.run.result.direction == "forward"
            and self.selected_endpoint() is not None)
        item = self.saved.currentItem()
        self.open_button.setEnabled(bool(item and item.data(Qt.ItemDataRole.UserRole)))

    # ---- saving, export, freeze --------------------------------------------------------

    def save_trace(self) -> str | None:
        """Keep the shown trace (a shared record); returns its id."""
        run = self.run
        if run is None:
            return None
        if run.trace_id:
            return run.trace_id
        settle_readers()
        try:
            trace_id, change = money.save_trace(self.context(), run.operation_id, run.result)
        except KnownError as error:
            show_error(self, error)
            return None
        self.run = TraceRun(run.codename, run.operation_id, run.result, trace_id, change)
        self.statement.setText(self._statement_html(self.run))
        self._enable()
        self.env.changed(Refresh(change, run.operation_id, None))
        return trace_id

    def export_csv(self, path: Path | None = None) -> int:
        """Write the endpoints to CSV (asks where unless ``path``); the rows written."""
        if self.run is None:
            return 0
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self, "Export trace", f"trace-{self.run.codename}-{self.run.result.method}.csv",
                "CSV files (*.csv)")
            if not name:
                return 0
            path = Path(name)
        try:
            rows = money.export_trace_csv(self.run.result, path)
        except OSError as error:
            show_error(self, KnownError(f"{path} cannot be written: "
                                        f"{error.strerror or error}."))
            return 0
        self.note.setText(f"{rows} endpoints written to {path.name}.")
        return rows

    def request_draft(self) -> None:
        endpoint = self.selected_endpoint()
        if endpoint is None or self.run is None or self.run.result.direction != "forward":
            return
        trace_id = self.save_trace()
        if trace_id:
            self.draft_requested.emit(trace_id, endpoint)
