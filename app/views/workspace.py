"""One operation's workspace: the Overview, Targets & sites, Timing, Legal, Money, Outcomes and
Map tabs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QWidget

from app.core.errors import NotFoundError
from app.services import operations
from app.services.context import AppContext
from app.services.operations import OperationOverview
from app.views.legal_view import LegalView
from app.views.map_view import MapView
from app.views.money_view import MoneyView
from app.views.outcomes_view import OutcomesView
from app.views.overview_view import OverviewView
from app.views.sites_view import SitesView, TargetsAndSites
from app.views.targets_view import TargetsView
from app.views.timing_view import TimingView
from app.views.undo_commands import CommandEnv, Refresh
from app.views.workers import Cancel, Progress, run_job


class Page(Protocol):
    """A tab of the workspace that shows one operation."""

    def set_operation(self, op_id: str) -> None: ...
    def apply_refresh(self, refresh: Refresh) -> Any: ...
    def clear(self) -> None: ...


class Workspace(QStackedWidget):
    overview_shown = Signal(object)

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack, env: CommandEnv,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.env = env
        self._overview_stale = False
        self.op_id = ""
        self.overview_data: OperationOverview | None = None
        self.placeholder = QLabel("Choose an operation on the left.")
        self.placeholder.setObjectName("noOperation")
        self.placeholder.setStyleSheet("color: gray; font-size: 14pt;")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs = QTabWidget()
        self.overview = OverviewView()
        self.targets = TargetsView(context, stack, env)
        self.tabs.addTab(self.overview, "Overview")
        self.sites = SitesView(context, stack, env)
        self.targets_and_sites = TargetsAndSites(self.targets, self.sites)
        self.tabs.addTab(self.targets_and_sites, "Targets && sites")
        self.timing = TimingView(context, stack, env)
        self.tabs.addTab(self.timing, "Timing")
        self.legal = LegalView(context, stack, env)
        self.tabs.addTab(self.legal, "Legal")
        self.money = MoneyView(context, stack, env)
        self.tabs.addTab(self.money, "Money")
        self.outcomes = OutcomesView(context, stack, env)
        self.tabs.addTab(self.outcomes, "Outcomes")
        self.map = MapView(context, stack, env)
        self.tabs.addTab(self.map, "Map")
        self.map.site_opened.connect(self.open_site)
        # The pages that follow the operation shown and its changes (targets apart: they
        # also take the participants).
        self.pages: list[Page] = [self.sites, self.timing, self.legal, self.money,
                                  self.outcomes, self.map]
        self.addWidget(self.placeholder)
        self.addWidget(self.tabs)

    def set_operation(self, op_id: str) -> None:
        """Show an operation. The tab in view is filled first: with "Targets & sites" in
        view the overview (whose counts take a while on a large operation) is read on a
        worker thread and shown when it arrives."""
        self.op_id = op_id
        self.overview_data = None
        self._overview_stale = False
        if not op_id:
            self.clear()
            return
        if self.tabs.currentWidget() is self.overview:
            try:
                self._show_overview(operations.overview(self.context(), op_id))
            except NotFoundError:
                self.clear()
                return
        else:
            self.overview.clear()
            self.overview.codename.setText("Loading…")
            self._load_overview()
        self.targets.set_operation(op_id, self.overview_data.participants
                                   if self.overview_data else [])
        for page in self.pages:
            page.set_operation(op_id)
        self.setCurrentWidget(self.tabs)

    def open_site(self, site_id: str) -> None:
        """A site clicked on the map: its form, in the sites list."""
        self.tabs.setCurrentWidget(self.targets_and_sites)
        self.targets_and_sites.show_page(True)
        self.sites.select_site(site_id)

    def _show_overview(self, ov: OperationOverview) -> None:
        self.overview_data = ov
        self.overview.show_overview(ov)
        self.targets.participants = ov.participants
        self.overview_shown.emit(ov)

    def _load_overview(self) -> None:
        ctx, op_id = self.context(), self.op_id

        def work(_progress: Progress, _cancel: Cancel) -> OperationOverview:
            return operations.overview(ctx, op_id)

        def done(result: Any) -> None:
            if op_id != self.op_id:
                return
            if self._overview_stale:  # changed while it was being read: read it again
                self._overview_stale = False
                self._load_overview()
                return
            self._show_overview(result)

        def failed(error: BaseException) -> None:
            if op_id != self.op_id:
                return
            if isinstance(error, NotFoundError):
                self.clear()
                return
            try:  # read it here instead
                self._show_overview(operations.overview(self.context(), op_id))
            except Exception as again:
                self.env.failed(again)

        run_job(work, self, done, failed, reader=True)

    def apply_refresh(self, refresh: Refresh) -> OperationOverview | None:
        """Update the table and the counts from what the change says; the counts are
        moved by the records created and deleted, not counted again in the store."""
        if refresh.op_id != self.op_id:
            return None
        self.targets.apply_refresh(refresh)
        for page in self.pages:
            page.apply_refresh(refresh)
        if self.overview_data is None:
            self._overview_stale = True  # the overview on its way predates this change
            return None
        change, ov = refresh.change, self.overview_data

        def moved(kind: str) -> int:
            return change.count("created", kind) - change.count("deleted", kind)

        s = ov.summary
        summary = replace(s, targets=s.targets + moved("target"), sites=s.sites + moved("site"),
                          actions=s.actions + moved("action"))
        self.overview_data = replace(ov, summary=summary)
        self.overview.show_overview(self.overview_data)
        if "operation" in change.kinds():
            self._load_overview()  # a field of the operation itself (its H-hour) changed
        return self.overview_data

    def clear(self) -> None:
        self.op_id = ""
        self.overview_data = None
        self.overview.clear()
        self.targets.clear()
        for page in self.pages:
            page.clear()
        self.setCurrentWidget(self.placeholder)
