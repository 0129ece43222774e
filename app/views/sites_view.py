"""The sites of an operation: a sortable, filterable list, the selected site's form, and
adding and deleting sites; and the "Targets | Sites" switch of the Targets & sites tab."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError, NotFoundError
from app.services import sites
from app.services.context import AppContext
from app.services.reference_facts import JurisdictionFacts, jurisdiction_facts
from app.views.record_table import record_table, table_over_form
from app.views.site_commands import AddSite, DeleteSite, EditSite
from app.views.site_form import NewSiteDialog, SiteForm
from app.views.site_table_model import (
    ANY,
    NONE,
    SOME,
    SiteFilterProxy,
    SiteTableModel,
    country_text,
)
from app.views.target_table_model import ID_ROLE
from app.views.targets_view import TargetsView
from app.views.undo_commands import CommandEnv, Refresh

# Site, Country, Time zone, Actions, TLP (Owner takes the rest).
COLUMN_WIDTHS = (260, 170, 160, 70, 110)
# Changes of these records can change what the sites list shows.
SITE_KINDS = {"site", "action", "target"}


class SitesView(QWidget):
    target_requested = Signal(str)  # show this target in the targets list

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.stale = False  # the rows are read when the list is first shown
        self.model = SiteTableModel(self)
        self.proxy = SiteFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit()
        self.filter.setObjectName("siteFilter")
        self.filter.setPlaceholderText("Filter by name, address, zone or country…")
        self.filter.setClearButtonEnabled(True)
        self.country = QComboBox()
        self.country.setObjectName("siteCountryFilter")
        self.country.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.actions_filter = QComboBox()
        self.actions_filter.setObjectName("actionsFilter")
        self.actions_filter.addItem("With or without actions", ANY)
        self.actions_filter.addItem("With actions", SOME)
        self.actions_filter.addItem("Without actions", NONE)
        self.count = QLabel()
        self.count.setObjectName("siteCount")
        self.add_site = QPushButton("Add site…")
        self.add_site.setObjectName("addSite")
        self.delete_site = QPushButton("Delete site…")
        self.delete_site.setObjectName("deleteSite")
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.country)
        bar.addWidget(self.actions_filter)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.add_site)
        bar.addWidget(self.delete_site)

        self.table = record_table("sites", self.proxy, COLUMN_WIDTHS)
        self.form = SiteForm(self._facts)
        splitter = table_over_form(self.table, self.form, [340, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.filter.textChanged.connect(self._filter)
        self.country.currentIndexChanged.connect(self._filter)
        self.actions_filter.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self.add_site.clicked.connect(self.ask_new_site)
        self.delete_site.clicked.connect(self.ask_delete)
        self.form.save_requested.connect(self.save_site)
        self.form.target_requested.connect(self.target_requested.emit)
        self._set_enabled(False)

    def _facts(self, code: str) -> JurisdictionFacts | None:
        return jurisdiction_facts(self.context(), code)

    # ---- operation ---------------------------------------------------------------------

    def set_operation(self, op_id: str) -> None:
        self.op_id = op_id
        self.model.clear()
        self.form.show_site(None)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._set_enabled(bool(op_id))
        self.stale = bool(op_id)
        if op_id and self.isVisible():
            self.load()
        self._update_count()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.load()

    def load(self) -> None:
        """Read every site of the operation again, keeping the selected one."""
        selected = self.selected_id()
        self.stale = False
        ctx = self.context()
        self.model.set_rows(sites.site_rows(ctx, self.op_id), ctx.agency_id)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._fill_countries()
        self._update_count()
        if selected:
            self.select_site(selected)

    def clear(self) -> None:
        self.op_id = ""
        self.stale = False
        self.model.clear()
        self.form.show_site(None)
        self._fill_countries()
        self._set_enabled(False)
        self._update_count()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.filter, self.country, self.actions_filter, self.add_site, self.table):
            widget.setEnabled(enabled)
        self._update_delete()

    def _fill_countries(self) -> None:
        """The countries that have sites, each with how many."""
        chosen = str(self.country.currentData() or "")
        per_country = Counter(row.country for row in self.model.rows)
        self.country.blockSignals(True)
        self.country.clear()
        self.country.addItem("All countries", "")
        for code in sorted(per_country, key=country_text):
            self.country.addItem(f"{country_text(code)}: {per_country[code]}", code)
        self.country.setCurrentIndex(max(self.country.findData(chosen), 0))
        self.country.blockSignals(False)
        if self.country.currentData() != chosen:
            self._filter()  # its last site went: show every country again

    def _filter(self) -> None:
        self.proxy.set_filter(self.filter.text(), str(self.country.currentData() or ""),
                              str(self.actions_filter.currentData() or ANY))
        self._update_count()

    def _filtering(self) -> bool:
        return bool(self.filter.text().strip() or self.country.currentData()
                    or self.actions_filter.currentData())

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if not self.op_id:
            self.count.setText("")
        elif self._filtering():
            self.count.setText(f"{shown:,} of {total:,} sites match")
        else:
            self.count.setText(f"{total:,} sites")

    # ---- selection ---------------------------------------------------------------------

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return str(rows[0].data(ID_ROLE)) if rows else None

    def select_site(self, site_id: str) -> bool:
        source_row = self.model.row_of(site_id)
        index = (self.proxy.mapFromSource(self.model.index(source_row, 0))
                 if source_row >= 0 else None)
        if index is None or not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self.show_site(self.selected_id())

    def show_site(self, site_id: str | None) -> None:
        ctx = self.context() if site_id else None
        try:
            row = sites.site_row(ctx, site_id) if ctx and site_id else None
        except NotFoundError:
            row = None
        if ctx is None or row is None:
            self.form.show_site(None)
        else:
            self.form.show_site(row, sites.site_actions(ctx, row.id),
                                ours=row.owner_agency_id == ctx.agency_id)
        self._update_delete()

    def _update_delete(self) -> None:
        site = self.form.site
        self.delete_site.setEnabled(bool(self.op_id) and site is not None
                                    and self.form.fields.isEnabled())
        self.delete_site.setToolTip("" if site is None or self.form.fields.isEnabled() else
                                    f"Only {site.owner} can delete this site.")

    # ---- changes -----------------------------------------------------------------------

    def apply_refresh(self, refresh: Refresh) -> None:
        """Update the rows the change touched; read later if the list is not in view."""
        if refresh.op_id != self.op_id or not self.op_id:
            return
        if not SITE_KINDS & refresh.change.kinds():
            return
        if not self.isVisible() or self.stale:
            self.stale = True
            return
        ctx = self.context()
        touched = sites.sites_touched(ctx, refresh.change)
        self.model.merge(sites.site_rows(ctx, self.op_id, touched), touched)
        self._fill_countries()
        selected = self.selected_id()
        if selected is None or touched is None or selected in touched:
            self.show_site(selected)
        self._update_count()

    def _push(self, command: AddSite | EditSite | DeleteSite) -> bool:
        try:
            command.push_to(self.stack)
        except KnownError as error:
            self.env.failed(error)
            return False
        return True

    def save_site(self, values: dict[str, Any]) -> None:
        site = self.form.site
        if site is not None:
            self._push(EditSite(self.env, self.op_id, site.id, values))

    def ask_new_site(self) -> NewSiteDialog:
        dialog = NewSiteDialog(self._facts, str(self.country.currentData() or ""), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.add_new_site(dialog.values))
        dialog.open()
        return dialog

    def add_new_site(self, values: dict[str, Any]) -> None:
        command = AddSite(self.env, self.op_id, values)
        if not self._push(command) or command.site_id is None:
            return
        if not self.select_site(command.site_id):  # hidden by the filter: show it
            self.filter.clear()
            self.country.setCurrentIndex(0)
            self.actions_filter.setCurrentIndex(0)
            self.select_site(command.site_id)

    def ask_delete(self) -> QMessageBox | None:
        site = self.form.site
        if site is None:
            return None
        actions = sites.site_actions(self.context(), site.id)
        if actions:
            listed = "; ".join(f"{a.kind} of {a.target}" for a in actions[:5])
            more = f" and {len(actions) - 5} more" if len(actions) > 5 else ""
            what = (f"Its {len(actions)} action{'s' if len(actions) > 1 else ''} "
                    f"({listed}{more}) will be deleted with it.")
        else:
            what = "No action takes place there."
        box = QMessageBox(QMessageBox.Icon.Question, "Delete site",
                          f"Delete the site “{site.name}”? {what} Undo brings it back "
                          "with exactly these actions.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmDeleteSite")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        delete = box.addButton("Delete site", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("confirmDelete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        site_id, name = site.id, site.name
        delete.clicked.connect(lambda: self.delete(site_id, name))
        box.open()
        return box

    def delete(self, site_id: str, name: str) -> None:
        self._push(DeleteSite(self.env, self.op_id, site_id, name))


class TargetsAndSites(QWidget):
    """The Targets & sites tab: a "Targets | Sites" switch over the two lists."""

    def __init__(self, targets_view: TargetsView, sites_view: SitesView,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.targets_view = targets_view
        self.sites_view = sites_view
        self.show_targets = QPushButton("Targets")
        self.show_targets.setObjectName("showTargets")
        self.show_sites = QPushButton("Sites")
        self.show_sites.setObjectName("showSites")
        group = QButtonGroup(self)
        switch_row = QWidget()
        switch = QHBoxLayout(switch_row)
        switch.setContentsMargins(11, 8, 11, 0)  # in line with the lists' own margins
        switch.setSpacing(0)
        for button in (self.show_targets, self.show_sites):
            button.setCheckable(True)
            button.setMinimumWidth(110)
            button.setStyleSheet("QPushButton:checked { background: palette(highlight); "
                                 "color: palette(highlighted-text); font-weight: bold; }")
            group.addButton(button)
            switch.addWidget(button)
        self.show_targets.setToolTip("Targets and the actions against them")
        self.show_sites.setToolTip("The places where actions happen: edit, add or delete "
                                   "them")
        switch.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(targets_view)
        self.pages.addWidget(sites_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(switch_row)
        layout.addWidget(self.pages, 1)
        self.show_targets.setChecked(True)
        self.show_targets.toggled.connect(lambda on: self.show_page(not on))
        sites_view.target_requested.connect(self.show_target)

    def show_page(self, sites_page: bool) -> None:
        (self.show_sites if sites_page else self.show_targets).setChecked(True)
        self.pages.setCurrentWidget(self.sites_view if sites_page else self.targets_view)

    def show_target(self, target_id: str) -> None:
        self.show_page(False)
        self.targets_view.select_target(target_id)
