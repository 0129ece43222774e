"""The "Targets & sites" tab: the filterable targets table and the selected target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError, NotFoundError
from app.core.placement import TARGET_KINDS
from app.services import operations, sites, targets
from app.services.context import AppContext
from app.services.operations import ParticipantInfo
from app.services.reference_facts import jurisdiction_facts
from app.services.targets import TargetDetail, TargetRow
from app.views.action_dialog import ActionDialog
from app.views.facts_text import nationals_text
from app.views.new_target_dialog import NewTargetDialog
from app.views.record_table import record_table, table_over_form
from app.views.target_form import TargetForm
from app.views.target_table_model import ID_ROLE, TargetFilterProxy, TargetTableModel
from app.views.undo_commands import (
    AddTarget,
    CommandEnv,
    DeleteRecord,
    EditRecord,
    Refresh,
    SaveAction,
)
from app.views.workers import Cancel, Job, Progress, run_job

# Name, Kind, Country, Sites, Actions, TLP (Grading takes the rest).
COLUMN_WIDTHS = (300, 110, 80, 70, 70, 120)


def row_of(detail: TargetDetail) -> TargetRow:
    sites = {a.site_id for a in detail.actions if a.site_id}
    return TargetRow(detail.id, detail.name, detail.kind, detail.country, len(sites),
                     len(detail.actions), detail.tlp, detail.grading)


class TargetsView(QWidget):
    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.participants: list[ParticipantInfo] = []
        self.prefetch: Job | None = None
        self.model = TargetTableModel(self)
        self.proxy = TargetFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit()
        self.filter.setObjectName("filter")
        self.filter.setPlaceholderText("Filter by name, kind or country…")
        self.filter.setClearButtonEnabled(True)
        self.kind = QComboBox()
        self.kind.setObjectName("kindFilter")
        self.kind.addItem("All kinds", "")
        for kind in TARGET_KINDS:
            self.kind.addItem(kind, kind)
        self.count = QLabel()
        self.count.setObjectName("count")
        self.add_target = QPushButton("Add target…")
        self.add_target.setObjectName("addTarget")
        self.delete_target = QPushButton("Delete target")
        self.delete_target.setObjectName("deleteTarget")
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.kind)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.add_target)
        bar.addWidget(self.delete_target)

        self.table = record_table("targets", self.proxy, COLUMN_WIDTHS)
        self.form = TargetForm()
        splitter = table_over_form(self.table, self.form, [380, 400])
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.filter.textChanged.connect(self._filter)
        self.kind.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self.add_target.clicked.connect(self.ask_new_target)
        self.delete_target.clicked.connect(self.delete_selected)
        self.form.save_requested.connect(self.save_target)
        self.form.add_action_requested.connect(lambda: self.ask_action(None))
        self.form.edit_action_requested.connect(self.ask_action)
        self.form.delete_action_requested.connect(self.delete_action)
        self._set_enabled(False)

    # ---- operation ---------------------------------------------------------------------

    def set_operation(self, op_id: str, participants: list[ParticipantInfo]) -> None:
        self.op_id = op_id
        self.participants = participants
        self.form.show_detail(None)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        if not op_id:
            self.model.clear()
            self._set_enabled(False)
            return
        ctx = self.context()

        def fetch(offset: int, limit: int) -> list[TargetRow]:
            return targets.target_rows(self.context(), op_id, offset, limit)

        self.model.set_source(fetch, targets.count_targets(ctx, op_id))
        text, kind = self.filter.text(), str(self.kind.currentData() or "")
        if text or kind:
            self.proxy.set_filter(text, kind)
        self._set_enabled(True)
        self._update_count()
        self._prefetch_rest()

    def _prefetch_rest(self) -> None:
        """Read the rows the table has not asked for yet on a worker thread, so that the
        first sort or filter need not wait for them."""
        rest = self.model.rest_to_fetch()
        if rest is None:
            return
        generation, offset, count = rest
        ctx, op_id = self.context(), self.op_id

        def work(_progress: Progress, _cancel: Cancel) -> list[TargetRow]:
            return targets.target_rows(ctx, op_id, offset, count)

        def done(page: Any) -> None:
            if op_id == self.op_id and self.model.add_fetched(generation, offset, page):
                self._update_count()

        def failed(_error: BaseException) -> None:
            pass  # only an optimisation: the rows are fetched when needed instead

        self.prefetch = run_job(work, self, done, failed, reader=True)

    def clear(self) -> None:
        self.op_id = ""
        self.model.clear()
        self.form.show_detail(None)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.filter, self.kind, self.add_target, self.table):
            widget.setEnabled(enabled)
        self.delete_target.setEnabled(enabled and self.selected_id() is not None)

    def _filter(self) -> None:
        self.proxy.set_filter(self.filter.text(), str(self.kind.currentData() or ""))
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.total()
        shown = self.proxy.rowCount()
        if not self.op_id:
            self.count.setText("")
        elif self.filter.text() or self.kind.currentData():
            self.count.setText(f"{shown:,} of {total:,} targets match")
        else:
            self.count.setText(f"{total:,} targets")

    # ---- selection ---------------------------------------------------------------------

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.model() else []
        return str(rows[0].data(ID_ROLE)) if rows else None

    def select_target(self, target_id: str) -> None:
        source_row = self.model.row_of(target_id)
        if source_row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self.show_target(self.selected_id())

    def show_target(self, target_id: str | None) -> None:
        self.delete_target.setEnabled(target_id is not None)
        if target_id is None:
            self.form.show_detail(None)
            return
        try:
            detail = targets.target_detail(self.context(), target_id)
        except NotFoundError:
            self.form.show_detail(None)
            return
        self.form.show_detail(detail, self._nationals(detail))

    def _nationals(self, detail: TargetDetail) -> str:
        ctx = self.context()
        facts = [f for code in detail.nationality
                 for f in [jurisdiction_facts(ctx, code)] if f is not None]
        return nationals_text(facts)

    # ---- changes -----------------------------------------------------------------------

    def apply_refresh(self, refresh: Refresh) -> None:
        """Update the rows and the detail that the change touched, nothing else."""
        if refresh.op_id != self.op_id or not self.op_id:
            return
        change = refresh.change
        gone = set(change.deleted.get("target", []))
        touched = set(change.created.get("target", [])) | set(change.updated.get("target", []))
        if refresh.target_id:
            touched.add(refresh.target_id)
        self.model.remove_ids(gone)
        ctx = self.context()
        touched |= sites.targets_touched(ctx, change)  # a site's actions, or its name
        for target_id in touched - gone:
            try:
                self.model.put(row_of(targets.target_detail(ctx, target_id)))
            except NotFoundError:
                self.model.remove_ids([target_id])
        selected = self.selected_id()
        if selected in touched:
            self.show_target(selected)
        elif selected is None:
            self.form.show_detail(None)
        self._update_count()

    def _push(self, command: AddTarget | EditRecord | DeleteRecord | SaveAction) -> bool:
        try:
            command.push_to(self.stack)
        except KnownError as error:
            self.env.failed(error)
            return False
        return True

    def ask_new_target(self) -> None:
        dialog = NewTargetDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.add_new_target(dialog.values))
        dialog.open()

    def add_new_target(self, values: dict[str, Any]) -> None:
        command = AddTarget(self.env, self.op_id, values)
        if self._push(command) and command.target_id:
            self.select_target(command.target_id)

    def save_target(self, raw: dict[str, Any]) -> None:
        detail = self.form.detail
        if detail is None:
            return
        try:
            values = targets.target_values(raw["kind"], raw["name"], raw["country"],
                                           raw["tlp"], nationality=raw["nationality"],
                                           grading=raw["grading"], notes=raw["notes"])
        except KnownError as error:
            self.env.failed(error)
            return
        self._push(EditRecord(self.env, self.op_id, detail.id, "target", detail.id, values,
                              f"Edit target {values['name']}"))

    def delete_selected(self) -> None:
        target_id = self.selected_id()
        if target_id is None:
            return
        name = self.model.rows[self.model.row_of(target_id)].name
        self._push(DeleteRecord(self.env, self.op_id, target_id, "target", target_id,
                                f"Delete target {name}"))

    def ask_action(self, action_id: str | None) -> None:
        detail = self.form.detail
        if detail is None:
            return
        existing = next((a for a in detail.actions if a.id == action_id), None)
        ctx = self.context()
        if not self.participants:  # the overview is still on its way
            self.participants = operations.overview(ctx, self.op_id).participants
        dialog = ActionDialog(detail.id, targets.sites_of(ctx, self.op_id), self.participants,
                              ctx.agency_id, lambda code: jurisdiction_facts(self.context(),
                                                                             code),
                              existing, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.save_action(
            detail.id, action_id, dialog.action, dialog.new_site))
        dialog.open()

    def save_action(self, target_id: str, action_id: str | None, action: dict[str, Any],
                    new_site: dict[str, Any] | None) -> None:
        verb = "Edit" if action_id else "Add"
        self._push(SaveAction(self.env, self.op_id, target_id, action_id, action, new_site,
                              f"{verb} {action.get('kind', 'action')}"))

    def delete_action(self, action_id: str) -> None:
        detail = self.form.detail
        if detail is None:
            return
        kind = next((a.kind for a in detail.actions if a.id == action_id), "action")
        self._push(DeleteRecord(self.env, self.op_id, detail.id, "action", action_id,
                                f"Delete {kind}"))
