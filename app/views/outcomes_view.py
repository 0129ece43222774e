"""The "Outcomes" tab: what the operation achieved, from its records, read at a glance.

The headline figures sit above the charts (outcome_charts.py); the victims and the
assets seized, frozen, recovered and returned are listed and edited in their own tabs,
through undoable commands. The figures are read on a worker thread when the operation
changes while the tab is in view (and when it next comes into view otherwise); a result
that a newer read has overtaken is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError, NotFoundError
from app.services import outcome_records as records
from app.services.context import AppContext
from app.services.outcome_records import AssetRow, VictimRow
from app.services.outcomes import Outcomes, outcomes
from app.views.messages import show_error
from app.views.outcome_charts import OutcomeCharts, ask_export, headline_cards
from app.views.outcome_commands import AddOutcome, DeleteOutcome, EditOutcome
from app.views.outcome_dialogs import AssetDialog, VictimDialog
from app.views.outcome_tables import (
    ASSET_COLUMNS,
    VICTIM_COLUMNS,
    Line,
    RecordsPanel,
    asset_line,
    victim_line,
)
from app.views.undo_commands import CommandEnv, Refresh
from app.views.workers import Cancel, Progress, run_job

# Changes to these records move no figure of the tab: no read for them.
UNCOUNTED = frozenset({"note", "wallet", "transfer", "address_label", "participant",
                       "agency", "instrument", "jurisdiction"})


@dataclass(frozen=True)
class RecordLists:
    victims: list[VictimRow]
    assets: list[AssetRow]


def read_lists(ctx: AppContext, op_id: str) -> RecordLists:
    return RecordLists(records.list_victims(ctx, op_id), records.list_asset_records(ctx, op_id))


class Card(QFrame):
    """One headline figure: what it is, the figure, and what it is of."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("QFrame { background: #f5f7f8; border-radius: 4px; }")
        self.name = QLabel()
        self.name.setStyleSheet("color: #607d8b; font-size: 8pt;")
        self.figure = QLabel()
        self.figure.setStyleSheet("color: #263238; font-size: 16pt; font-weight: bold;")
        self.small = QLabel()
        self.small.setStyleSheet("color: #607d8b; font-size: 8pt;")
        self.small.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(1)
        for label in (self.name, self.figure, self.small):
            layout.addWidget(label)

    def show_figure(self, name: str, figure: str, small: str) -> None:
        self.name.setText(name.upper())
        self.figure.setText(figure)
        self.small.setText(small)


class OutcomesView(QWidget):
    shown_data = Signal()  # a read is complete: figures and lists on screen (or it failed)

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.data: Outcomes | None = None  # the figures on screen
        self.generation = 0
        self._stale = False
        self.compare_dialog: QWidget | None = None

        self.title = QLabel()
        self.title.setObjectName("outcomesTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.busy = QLabel()
        self.busy.setObjectName("outcomesBusy")
        self.busy.setStyleSheet("color: gray;")
        self.compare = QPushButton("Compare operations…")
        self.compare.setObjectName("compareOperations")
        self.compare.setToolTip("Several operations side by side")
        self.export = QPushButton("Export PNG or PDF…")
        self.export.setObjectName("exportOutcomes")
        self.export.setToolTip("The charts with the headline figures, for a report")
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addWidget(self.busy, 1)
        bar.addWidget(self.compare)
        bar.addWidget(self.export)
        self.cards = [Card() for _ in range(7)]
        cards = QGridLayout()
        cards.setHorizontalSpacing(6)
        for i, card in enumerate(self.cards):
            cards.addWidget(card, 0, i)
        self.left_out = QLabel()
        self.left_out.setObjectName("leftOut")
        self.left_out.setWordWrap(True)
        self.left_out.setStyleSheet("color: #ef6c00;")
        self.left_out.hide()

        self.charts = OutcomeCharts()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.charts)
        self.victims = RecordsPanel(
            "victims", VICTIM_COLUMNS, (170, 60, 90, 90, 70, 90, 90, 60), "victim",
            "Victims by complaint or case reference (never by name), with their loss and "
            "what was repaid: the restitution rate is repaid over loss.")
        self.assets = RecordsPanel(
            "assets", ASSET_COLUMNS, (90, 80, 90, 90, 90, 70, 60, 420), "asset record",
            "Assets seized, frozen (the value of a freeze request), recovered and returned, "
            "each with its value in the reporting currency where it is known.")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("outcomeTabs")
        self.tabs.addTab(scroll, "Dashboard")
        self.tabs.addTab(self.victims, "Victims")
        self.tabs.addTab(self.assets, "Seized && recovered")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(cards)
        layout.addWidget(self.left_out)
        layout.addWidget(self.tabs, 1)

        self.compare.clicked.connect(self.open_compare)
        self.export.clicked.connect(self.ask_export)
        self.victims.add_requested.connect(lambda: self.ask_victim(None))
        self.victims.edit_requested.connect(self.ask_victim)
        self.victims.delete_requested.connect(lambda line: self.ask_delete("victim", line))
        self.assets.add_requested.connect(lambda: self.ask_asset(None))
        self.assets.edit_requested.connect(self.ask_asset)
        self.assets.delete_requested.connect(
            lambda line: self.ask_delete("asset_record", line))
        self._show_empty()

    # ---- the operation and its figures --------------------------------------------------

    def set_operation(self, op_id: str) -> None:
        self.op_id = op_id
        self.data = None
        self.generation += 1
        self._show_empty("Reading the outcomes…" if op_id else "")
        self.reload()

    def clear(self) -> None:
        """No operation (or the store locked): nothing of it stays on screen."""
        if self.compare_dialog is not None:
            self.compare_dialog.close()
            self.compare_dialog = None
        self.set_operation("")

    def apply_refresh(self, refresh: Refresh) -> None:
        kinds = refresh.change.kinds()
        if refresh.op_id == self.op_id and (not kinds or kinds - UNCOUNTED):
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Read the figures again on a worker thread; only while in view."""
        if not self.op_id:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.generation += 1
        generation, op_id, ctx = self.generation, self.op_id, self.context()

        # The dashboard first; the lists of victims and assets (thousands of rows, in
        # tabs behind it) are read after it is drawn.
        def work(_progress: Progress, _cancel: Cancel) -> Outcomes:
            return outcomes(ctx, op_id)

        def lists(_progress: Progress, _cancel: Cancel) -> RecordLists:
            return read_lists(ctx, op_id)

        def done(result: Any) -> None:
            if generation == self.generation and op_id == self.op_id:
                self.show_outcomes(result)
                run_job(lists, self, listed, failed, reader=True)

        def listed(result: Any) -> None:
            if generation == self.generation and op_id == self.op_id:
                self.show_lists(result)

        def failed(error: BaseException) -> None:
            if generation != self.generation or op_id != self.op_id:
                return
            self.busy.clear()
            if isinstance(error, NotFoundError):
                self.clear()
            elif isinstance(error, KnownError):
                self.busy.setText(f"The outcomes could not be read: {error}")
            else:
                self.env.failed(error)
            self.shown_data.emit()

        self.busy.setText("Reading the outcomes…")
        run_job(work, self, done, failed, reader=True)

    def show_outcomes(self, o: Outcomes, as_of: date | None = None) -> None:
        """The headline figures and the charts."""
        self.data = o
        self.busy.clear()
        self.title.setText(f"{o.codename}: outcomes (values in {o.currency})")
        for card, (name, figure, small) in zip(self.cards, headline_cards(o), strict=True):
            card.show_figure(name, figure, small)
        if o.other_currency:
            left = ", ".join(f"{n} in {code}" for code, n in sorted(o.other_currency.items()))
            self.left_out.setText(f"Not converted, so left out of the {o.currency} figures: "
                                  f"{left}.")
        self.left_out.setVisible(bool(o.other_currency))
        self.charts.show_outcomes(o, as_of or datetime.now(UTC).date())
        self._enable()

    def show_lists(self, lists: RecordLists) -> None:
        """The victims and asset records; the read is complete."""
        self.victims.set_lines([victim_line(v) for v in lists.victims])
        self.assets.set_lines([asset_line(a) for a in lists.assets])
        self.tabs.setTabText(1, f"Victims ({len(lists.victims)})")
        self.tabs.setTabText(2, f"Seized && recovered ({len(lists.assets)})")
        self.shown_data.emit()

    def _show_empty(self, message: str = "") -> None:
        self.title.setText("Outcomes")
        self.busy.setText(message)
        for card in self.cards:
            card.show_figure("", "", "")
        self.left_out.hide()
        self.charts.clear(message)
        self.victims.set_lines([])
        self.assets.set_lines([])
        self.tabs.setTabText(1, "Victims")
        self.tabs.setTabText(2, "Seized && recovered")
        self._enable()

    def _enable(self) -> None:
        has = self.data is not None
        for widget in (self.export, self.victims.add, self.assets.add):
            widget.setEnabled(has)
        self.compare.setEnabled(bool(self.op_id))

    # ---- export and comparison -------------------------------------------------------

    def ask_export(self) -> str | None:
        if self.data is None:
            return None
        safe = re.sub(r"[^A-Za-z0-9]+", "-", self.data.codename).strip("-").lower()
        try:
            written = ask_export(self, self.charts, f"{safe or 'operation'}-outcomes.pdf")
        except KnownError as error:
            show_error(self, error)
            return None
        if written:
            self.busy.setText(f"Wrote {written}.")
        return written

    def open_compare(self) -> QWidget:
        from app.views.outcome_compare import CompareDialog

        dialog = CompareDialog(self.context, self.op_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "compare_dialog", None))
        self.compare_dialog = dialog
        dialog.show()
        return dialog

    # ---- victims and assets -----------------------------------------------------------------

    def _push(self, command: AddOutcome | EditOutcome | DeleteOutcome) -> None:
        """Run and push an edit; a refusal propagates to the dialog that asked for it."""
        command.push_to(self.stack)

    def ask_victim(self, line: Line | None) -> VictimDialog:
        victim = line.record if line is not None else None
        assert victim is None or isinstance(victim, VictimRow)

        def save(values: dict[str, Any]) -> None:
            if line is None:
                self._push(AddOutcome(self.env, self.op_id, "victim", values,
                                      values["reference"]))
            else:
                self._push(EditOutcome(self.env, self.op_id, "victim", line.id, values,
                                       values["reference"]))

        dialog = VictimDialog(save, victim, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_asset(self, line: Line | None) -> AssetDialog:
        record = line.record if line is not None else None
        assert record is None or isinstance(record, AssetRow)
        # Read when asked for: an operation may hold thousands of seizures.
        sources = records.source_choices(self.context(), self.op_id)
        currency = self.data.currency if self.data else "USD"

        def save(values: dict[str, Any]) -> None:
            name = f"{values['amount']} {values['asset']}"
            if line is None:
                self._push(AddOutcome(self.env, self.op_id, "asset_record", values, name))
            else:
                self._push(EditOutcome(self.env, self.op_id, "asset_record", line.id, values,
                                       name))

        dialog = AssetDialog(save, sources, currency, record, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_delete(self, kind: str, line: Line) -> QMessageBox:
        what = "victim" if kind == "victim" else "asset record"
        box = QMessageBox(QMessageBox.Icon.Question, f"Delete {what}",
                          f"Delete the {what} {line.name}? Undo brings it back.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmDeleteOutcome")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        delete = box.addButton(f"Delete {what}", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("confirmDelete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        delete.clicked.connect(lambda: self.delete(kind, line))
        box.open()
        return box

    def delete(self, kind: str, line: Line) -> None:
        try:
            self._push(DeleteOutcome(self.env, self.op_id, kind, line.id, line.name))
        except KnownError as error:
            show_error(self, error)
