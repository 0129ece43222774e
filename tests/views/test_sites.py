"""The sites list of the Targets & sites tab: filter and sort, edit a site in its form,
add and delete sites, undo and redo, and sites another agency owns."""

from __future__ import annotations

from gui_support import PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.core.countries import country
from app.models.records import Agency, Site
from app.services import operations, sites, targets
from app.services.context import AppContext
from app.services.operations import OperationSummary
from app.views.main_window import MainWindow
from app.views.site_form import NewSiteDialog
from app.views.sites_view import SitesView


def _sites(qtbot: QtBot, window: MainWindow, summary: OperationSummary) -> SitesView:
    """Open the demo operation on its Targets & sites tab, switched to Sites."""
    window.select_operation(summary.id)
    workspace = window.workspace
    workspace.tabs.setCurrentWidget(workspace.targets_and_sites)
    qtbot.mouseClick(workspace.targets_and_sites.show_sites, Qt.MouseButton.LeftButton)
    view = workspace.sites
    assert view.isVisible() and not view.stale
    return view


def _names(view: SitesView) -> list[str]:
    return [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]


def _select(view: SitesView, name: str) -> str:
    site_id = next(r.id for r in view.model.rows if r.name == name)
    assert view.select_site(site_id)
    assert view.form.site is not None and view.form.site.id == site_id
    return site_id


def _site(ctx: AppContext, op_id: str, name: str) -> sites.SiteRow | None:
    return next((r for r in sites.site_rows(ctx, op_id) if r.name == name), None)


def test_sites_list_filters_and_sorts(qtbot: QtBot, window: MainWindow, demo_ctx: AppContext,
                                      demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    rows = sites.site_rows(demo_ctx, demo_summary.id)
    assert len(rows) == demo_summary.sites
    assert _names(view) == [r.name for r in rows]
    assert view.count.text() == f"{len(rows)} sites"
    view.filter.setText("nairobi")  # by zone, address or name
    nairobi = [r.name for r in rows if "nairobi" in (r.name + r.address + r.zone).lower()]
    assert _names(view) == nairobi and len(nairobi) >= 2
    assert view.count.text() == f"{len(nairobi)} of {len(rows)} sites match"
    view.filter.setText("zambia")  # by country name
    assert sorted(_names(view)) == sorted(r.name for r in rows if r.country == "ZM")
    view.filter.clear()
    view.country.setCurrentIndex(view.country.findData("AO"))
    assert view.country.currentText() == "Angola (AO): 3"
    assert sorted(_names(view)) == sorted(r.name for r in rows if r.country == "AO")
    view.country.setCurrentIndex(0)
    view.actions_filter.setCurrentIndex(view.actions_filter.findData("none"))
    assert _names(view) == []
    assert view.count.text() == f"0 of {len(rows)} sites match"
    view.actions_filter.setCurrentIndex(0)
    view.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.DescendingOrder)
    counts = [view.proxy.index(r, 3).data() for r in range(view.proxy.rowCount())]
    assert counts == sorted((r.actions for r in rows), reverse=True)
    assert _names(view)[0] == "Westlands call centre"  # four actions, the most
    assert view.proxy.index(0, 1).data() == "Kenya (KE)"
    assert view.proxy.index(0, 5).data() == "Kenya DCI (us)"


def test_edit_name_and_coordinates_undo_redo(qtbot: QtBot, window: MainWindow,
                                             demo_ctx: AppContext,
                                             demo_summary: OperationSummary) -> None:
    window.select_operation(demo_summary.id)
    brian = next(r.id for r in targets.target_rows(demo_ctx, demo_summary.id)
                 if r.name == "Brian Otieno Kamau")
    window.workspace.targets.select_target(brian)  # its actions name the site
    view = _sites(qtbot, window, demo_summary)
    site_id = _select(view, "Kilimani apartment 7C")
    form = view.form
    assert form.action_table.rowCount() == 2
    assert form.fields.zone.currentText() == "Africa/Nairobi"
    assert "Search hours" in form.fields.facts.text()
    assert not form.save.isEnabled()  # nothing edited yet
    form.fields.name.setText("Kilimani flat 7C")
    form.fields.lat.setText("-1.29")
    form.fields.lon.setText("36.79")
    form.fields.name.textEdited.emit("Kilimani flat 7C")
    assert form.save.isEnabled() and form.revert.isEnabled()
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    saved = sites.site_row(demo_ctx, site_id)
    assert (saved.name, saved.lat, saved.lon) == ("Kilimani flat 7C", -1.29, 36.79)
    assert "Kilimani flat 7C" in _names(view) and "Kilimani apartment 7C" not in _names(view)
    assert view.selected_id() == site_id and form.fields.lat.text() == "-1.29"
    assert not form.save.isEnabled()
    detail = window.workspace.targets.form.detail
    assert detail is not None and "Kilimani flat 7C" in {a.site for a in detail.actions}
    assert window.stack.undoText() == "Edit site Kilimani flat 7C"
    window.undo_action.trigger()
    back = sites.site_row(demo_ctx, site_id)
    assert (back.name, back.lat, back.lon) == ("Kilimani apartment 7C", -1.2906, 36.784)
    assert form.fields.name.text() == "Kilimani apartment 7C"
    assert form.fields.lon.text() == "36.784"
    detail = window.workspace.targets.form.detail
    assert detail is not None and "Kilimani apartment 7C" in {a.site for a in detail.actions}
    window.redo_action.trigger()
    assert sites.site_row(demo_ctx, site_id).name == "Kilimani flat 7C"
    assert form.fields.name.text() == "Kilimani flat 7C"


def test_revert_puts_back_what_is_stored(qtbot: QtBot, window: MainWindow,
                                         demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    _select(view, "Nyali villa")
    view.form.fields.country.set_code("TZ")
    assert view.form.fields.zone.currentText() == "Africa/Dar_es_Salaam"
    assert view.form.revert.isEnabled()
    qtbot.mouseClick(view.form.revert, Qt.MouseButton.LeftButton)
    assert view.form.fields.country.code() == "KE"
    assert view.form.fields.zone.currentText() == "Africa/Nairobi"
    assert not view.form.save.isEnabled()
    assert window.stack.count() == 0


def test_a_zone_outside_the_country_is_refused(qtbot: QtBot, window: MainWindow,
                                               demo_ctx: AppContext,
                                               demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    site_id = _select(view, "Westlands call centre")
    before = sites.site_row(demo_ctx, site_id)
    fields = view.form.fields
    fields.country.set_code("BR")  # several zones, none of them Nairobi's
    brazil = country("BR")
    assert brazil is not None
    assert fields.zone.currentText() == f"choose one of {len(brazil.zones)} zones"
    assert {fields.zone.itemData(i) for i in range(1, fields.zone.count())} == \
        set(brazil.zones)
    qtbot.mouseClick(view.form.save, Qt.MouseButton.LeftButton)
    assert fields.error.isVisible()
    assert f"Brazil has {len(brazil.zones)} time zones; name the site's zone" in \
        fields.error.text()
    # A zone of another country, however it got into the field, is refused too.
    fields.country.set_code("ZM")
    fields.zone.addItem("Africa/Nairobi", "Africa/Nairobi")
    fields.zone.setCurrentIndex(fields.zone.count() - 1)
    qtbot.mouseClick(view.form.save, Qt.MouseButton.LeftButton)
    assert fields.error.text() == "Zone Africa/Nairobi is not in Zambia (ZM)."
    assert sites.site_row(demo_ctx, site_id) == before
    assert window.stack.count() == 0
    fields.zone.setCurrentIndex(fields.zone.findData("Africa/Lusaka"))
    fields.lat.setText("-95")
    qtbot.mouseClick(view.form.save, Qt.MouseButton.LeftButton)
    assert "Latitude -95 is out of range" in fields.error.text()
    assert sites.site_row(demo_ctx, site_id) == before and window.stack.count() == 0


def _new_site_dialog(window: MainWindow) -> NewSiteDialog:
    dialog = window.findChild(NewSiteDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_add_site_undo_redo(qtbot: QtBot, window: MainWindow, demo_ctx: AppContext,
                            demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    view.country.setCurrentIndex(view.country.findData("ZM"))  # the dialog starts there
    qtbot.mouseClick(view.add_site, Qt.MouseButton.LeftButton)
    dialog = _new_site_dialog(window)
    assert dialog.fields.country.code() == "ZM"
    assert dialog.fields.zone.currentText() == "Africa/Lusaka"
    dialog.check_and_accept()
    assert dialog.isVisible() and dialog.fields.error.text() == "The site needs a name."
    dialog.fields.name.setText("Kabwe workshop")
    dialog.fields.country.set_code("KE")  # not the country filtered on
    dialog.fields.lat.setText("-1.3")
    dialog.fields.lon.setText("36.8")
    with qtbot.waitSignal(dialog.accepted):
        dialog.check_and_accept()
    added = _site(demo_ctx, demo_summary.id, "Kabwe workshop")
    assert added is not None
    assert (added.country, added.zone, added.lat, added.lon, added.actions, added.tlp) == (
        "KE", "Africa/Nairobi", -1.3, 36.8, 0, "AMBER")
    assert view.selected_id() == added.id  # shown: the filter made way for it
    assert view.country.currentIndex() == 0
    assert view.form.action_table.rowCount() == 0
    assert "No action is planned here yet" in view.form.action_note.text()
    overview = window.workspace.overview
    assert overview.sites.number.text() == str(demo_summary.sites + 1)
    assert f"{demo_summary.sites + 1} sites" in window.operations.list.item(0).text()
    window.undo_action.trigger()
    assert _site(demo_ctx, demo_summary.id, "Kabwe workshop") is None
    assert "Kabwe workshop" not in _names(view)
    assert view.form.site is None or view.form.site.id != added.id
    assert overview.sites.number.text() == str(demo_summary.sites)
    window.redo_action.trigger()
    assert _site(demo_ctx, demo_summary.id, "Kabwe workshop") is not None
    assert "Kabwe workshop" in _names(view)


def _confirm(window: MainWindow) -> QMessageBox:
    box = window.findChild(QMessageBox, "confirmDeleteSite")
    assert box is not None and box.isVisible()
    return box


def test_delete_site_with_two_actions_and_undo_brings_both_back(
        qtbot: QtBot, window: MainWindow, demo_ctx: AppContext,
        demo_summary: OperationSummary) -> None:
    op = demo_summary.id
    brian = next(r for r in targets.target_rows(demo_ctx, op) if r.name == "Brian Otieno Kamau")
    before = {a.id for a in targets.target_detail(demo_ctx, brian.id).actions}
    view = _sites(qtbot, window, demo_summary)
    site_id = _select(view, "Kilimani apartment 7C")
    at_site = {a.id for a in sites.site_actions(demo_ctx, site_id)}
    assert len(at_site) == 2 and at_site <= before
    qtbot.mouseClick(view.delete_site, Qt.MouseButton.LeftButton)
    box = _confirm(window)
    assert "Its 2 actions (arrest of Brian Otieno Kamau; search of Brian Otieno Kamau)" in \
        box.text()
    button = box.findChild(QPushButton, "confirmDelete")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Kilimani apartment 7C" not in _names(view)
    assert view.form.site is None or view.form.site.id != site_id
    assert _site(demo_ctx, op, "Kilimani apartment 7C") is None
    assert {a.id for a in targets.target_detail(demo_ctx, brian.id).actions} == \
        before - at_site
    summary = operations.overview(demo_ctx, op).summary
    assert (summary.sites, summary.actions) == (demo_summary.sites - 1,
                                                demo_summary.actions - 2)
    overview = window.workspace.overview
    assert overview.sites.number.text() == str(summary.sites)
    assert overview.actions_tile.number.text() == str(summary.actions)
    table = window.workspace.targets.model  # Brian's row counts what is left
    row = table.rows[table.row_of(brian.id)]
    assert (row.sites, row.actions) == (brian.sites - 1, brian.actions - 2)
    window.undo_action.trigger()
    assert {a.id for a in targets.target_detail(demo_ctx, brian.id).actions} == before
    assert {a.id for a in sites.site_actions(demo_ctx, site_id)} == at_site
    assert "Kilimani apartment 7C" in _names(view)
    assert overview.actions_tile.number.text() == str(demo_summary.actions)
    assert table.rows[table.row_of(brian.id)] == brian
    window.redo_action.trigger()
    assert _site(demo_ctx, op, "Kilimani apartment 7C") is None
    assert operations.overview(demo_ctx, op).summary.actions == demo_summary.actions - 2


def test_cancelled_delete_changes_nothing(qtbot: QtBot, window: MainWindow,
                                          demo_ctx: AppContext,
                                          demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    _select(view, "Westlands call centre")
    qtbot.mouseClick(view.delete_site, Qt.MouseButton.LeftButton)
    box = _confirm(window)
    assert "Its 4 actions" in box.text()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert cancel is not None
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert _site(demo_ctx, demo_summary.id, "Westlands call centre") is not None
    assert window.stack.count() == 0


def test_a_site_of_another_agency_is_read_only(qtbot: QtBot, window: MainWindow,
                                              demo_ctx: AppContext,
                                              demo_summary: OperationSummary) -> None:
    with demo_ctx.store.session() as session:  # as if it had come in Angola's bundle
        angola = session.query(Agency).filter_by(name="Angola Digital Crime Brigade").one()
        site = session.query(Site).filter_by(name="Viana warehouse").one()
        site.owner_agency_id = angola.id
        site_id = site.id
    view = _sites(qtbot, window, demo_summary)
    row = view.model.row_of(site_id)
    assert view.model.index(row, 5).data() == "Angola Digital Crime Brigade"
    _select(view, "Viana warehouse")
    form = view.form
    assert form.owner_note.isVisible()
    assert "belongs to Angola Digital Crime Brigade" in form.owner_note.text()
    assert not form.fields.isEnabled() and not form.save.isEnabled()
    assert not view.delete_site.isEnabled()
    assert form.action_table.rowCount() == 3  # its actions are still listed
    before = sites.site_row(demo_ctx, site_id)
    # Were a write to get through anyway, the store refuses it and says why.
    view.save_site(targets.site_values("Viana depot", "AO"))
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "belongs to another agency" in box.text()
    assert sites.site_row(demo_ctx, site_id) == before
    assert window.stack.count() == 0
    _select(view, "Cacuaco compound")  # one of ours again
    assert not form.owner_note.isVisible() and form.fields.isEnabled()
    assert view.delete_site.isEnabled()


def test_changes_made_in_targets_reach_the_sites_list(qtbot: QtBot, window: MainWindow,
                                                      demo_ctx: AppContext,
                                                      demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    site_id = _select(view, "Westlands call centre")
    switch = window.workspace.targets_and_sites
    qtbot.mouseClick(switch.show_targets, Qt.MouseButton.LeftButton)
    targets_view = window.workspace.targets
    centre = next(r.id for r in targets_view.model.rows if r.name == "Westlands call centre")
    targets_view.select_target(centre)
    qtbot.mouseClick(targets_view.delete_target, Qt.MouseButton.LeftButton)  # 2 actions
    assert view.stale  # read when it is next shown
    qtbot.mouseClick(switch.show_sites, Qt.MouseButton.LeftButton)
    row = view.model.rows[view.model.row_of(site_id)]
    assert row.actions == 2 and view.selected_id() == site_id
    assert view.form.action_table.rowCount() == 2
    window.undo_action.trigger()  # with the sites list in view
    assert view.model.rows[view.model.row_of(site_id)].actions == 4
    assert view.form.action_table.rowCount() == 4
    # Double-clicking an action at the site opens its target.
    index = view.form.action_table.model().index(0, 2)
    center = view.form.action_table.visualRect(index).center()
    viewport = view.form.action_table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=center)
    assert switch.pages.currentWidget() is targets_view
    detail = targets_view.form.detail
    assert detail is not None and detail.name == index.data()


def test_lock_and_unlock_with_the_sites_list_in_view(qtbot: QtBot, window: MainWindow,
                                                     demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    _select(view, "Nyali villa")
    with qtbot.waitSignal(window.locked):
        window.lock()
    assert view.model.rowCount() == 0 and view.form.site is None
    assert view.count.text() == "" and not view.add_site.isEnabled()
    dialog = window.unlock_dialog
    assert dialog is not None
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert view.isVisible()
    assert view.model.rowCount() == demo_summary.sites
    assert view.count.text() == f"{demo_summary.sites} sites"
