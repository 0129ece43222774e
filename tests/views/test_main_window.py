"""The main window on the demo operation: list, overview, targets table, undoable edits,
lock and auto-lock."""

from __future__ import annotations

from gui_support import PASSPHRASE
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import operations, targets
from app.services.context import AppContext
from app.services.demo import demo_h_hour
from app.services.operations import OperationSummary
from app.views.action_dialog import NEW_SITE, ActionDialog
from app.views.main_window import MainWindow
from app.views.unlock_dialog import UnlockDialog


def _open_demo(window: MainWindow, summary: OperationSummary) -> None:
    window.select_operation(summary.id)
    assert window.workspace.op_id == summary.id


def _names(window: MainWindow) -> list[str]:
    proxy = window.workspace.targets.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def _select(window: MainWindow, name: str) -> str:
    view = window.workspace.targets
    row = view.model.rows[[r.name for r in view.model.rows].index(name)]
    view.select_target(row.id)
    assert view.form.detail is not None and view.form.detail.id == row.id
    return row.id


def test_lists_operations_and_shows_the_overview(window: MainWindow,
                                                 demo_summary: OperationSummary) -> None:
    items = window.operations.list
    assert items.count() == 1
    assert items.item(0).text().startswith("SERENGETI SUN\n")
    assert f"{demo_summary.targets} targets" in items.item(0).text()
    _open_demo(window, demo_summary)
    ov = window.workspace.overview
    assert ov.codename.text() == "SERENGETI SUN"
    assert ov.targets.number.text() == f"{demo_summary.targets:,}"
    assert ov.sites.number.text() == f"{demo_summary.sites:,}"
    assert ov.actions_tile.number.text() == f"{demo_summary.actions:,}"
    assert ov.h_hour.text() == f"{demo_h_hour():%Y-%m-%d %H:%M} UTC"
    assert ov.participants.rowCount() >= 3
    roles = {ov.participants.item(r, 2).text() for r in range(ov.participants.rowCount())}
    assert "lead" in roles


def test_targets_table_sorts_and_filters(window: MainWindow, demo_ctx: AppContext,
                                         demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    rows = targets.target_rows(demo_ctx, demo_summary.id)
    assert view.proxy.rowCount() == len(rows) == demo_summary.targets
    assert _names(window) == [r.name for r in rows]
    view.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert _names(window) == sorted((r.name for r in rows), key=str.casefold, reverse=True)
    view.filter.setText("wallet")
    wallets = [r for r in rows if "wallet" in r.name.lower() or r.kind == "wallet"]
    assert view.proxy.rowCount() == len(wallets) > 0
    assert view.count.text() == f"{len(wallets)} of {len(rows)} targets match"
    view.filter.setText("")
    view.kind.setCurrentIndex(view.kind.findData("person"))
    assert view.proxy.rowCount() == sum(r.kind == "person" for r in rows)
    view.filter.setText("ao")  # Angola, by country code
    assert view.proxy.rowCount() == sum(r.kind == "person" and (
        "ao" in r.name.lower() or r.country == "AO") for r in rows)


def test_add_target_undo_redo(window: MainWindow, demo_ctx: AppContext,
                              demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    before = view.proxy.rowCount()
    view.add_new_target(targets.target_values("person", "Zed Test Person", "KE"))
    assert view.proxy.rowCount() == before + 1
    assert "Zed Test Person" in _names(window)
    assert view.form.detail is not None and view.form.detail.name == "Zed Test Person"
    assert targets.count_targets(demo_ctx, demo_summary.id) == before + 1
    assert window.workspace.overview.targets.number.text() == str(before + 1)
    window.undo_action.trigger()
    assert "Zed Test Person" not in _names(window)
    assert targets.count_targets(demo_ctx, demo_summary.id) == before
    window.redo_action.trigger()
    assert "Zed Test Person" in _names(window)
    assert targets.count_targets(demo_ctx, demo_summary.id) == before + 1


def test_edit_target_in_the_form_undo_redo(qtbot: QtBot, window: MainWindow,
                                           demo_ctx: AppContext,
                                           demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    target_id = _select(window, "Brian Otieno Kamau")
    view.form.name.setText("Brian O. Kamau")
    view.form.nationality.setText("ke, ug")
    qtbot.mouseClick(view.form.save, Qt.MouseButton.LeftButton)
    detail = targets.target_detail(demo_ctx, target_id)
    assert (detail.name, detail.nationality) == ("Brian O. Kamau", ["KE", "UG"])
    assert "Brian O. Kamau" in _names(window) and "Brian Otieno Kamau" not in _names(window)
    assert view.selected_id() == target_id  # the edited row stays selected
    assert "Extradition" in view.form.nationals_fact.text()
    window.undo_action.trigger()
    assert targets.target_detail(demo_ctx, target_id).name == "Brian Otieno Kamau"
    assert "Brian Otieno Kamau" in _names(window)
    assert view.form.name.text() == "Brian Otieno Kamau"
    window.redo_action.trigger()
    assert targets.target_detail(demo_ctx, target_id).name == "Brian O. Kamau"


def test_invalid_edit_is_refused_and_changes_nothing(qtbot: QtBot, window: MainWindow,
                                                     demo_ctx: AppContext,
                                                     demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    target_id = _select(window, "Brian Otieno Kamau")
    view.form.name.setText("   ")
    qtbot.mouseClick(view.form.save, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and box.text() == "The target needs a name."
    assert targets.target_detail(demo_ctx, target_id).name == "Brian Otieno Kamau"
    assert window.stack.count() == 0
    box.close()
    view.form.name.setText("Brian Otieno Kamau")
    view.form.nationality.setText("KE, Narnia")
    qtbot.mouseClick(view.form.save, Qt.MouseButton.LeftButton)
    texts = [b.text() for b in window.findChildren(QMessageBox, "errorBox")]
    assert any("Unknown country 'NARNIA'" in t or "Narnia" in t for t in texts), texts
    assert targets.target_detail(demo_ctx, target_id).nationality == ["KE"]
    assert window.stack.count() == 0


def test_delete_target_takes_its_actions_and_undo_brings_them_back(
        qtbot: QtBot, window: MainWindow, demo_ctx: AppContext,
        demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    target_id = _select(window, "Brian Otieno Kamau")
    actions = len(targets.target_detail(demo_ctx, target_id).actions)
    assert actions > 0
    qtbot.mouseClick(view.delete_target, Qt.MouseButton.LeftButton)
    assert "Brian Otieno Kamau" not in _names(window)
    assert view.form.detail is None or view.form.detail.id != target_id
    after = operations.overview(demo_ctx, demo_summary.id).summary
    assert (after.targets, after.actions) == (demo_summary.targets - 1,
                                             demo_summary.actions - actions)
    assert window.workspace.overview.actions_tile.number.text() == f"{after.actions:,}"
    window.undo_action.trigger()
    assert "Brian Otieno Kamau" in _names(window)
    assert len(targets.target_detail(demo_ctx, target_id).actions) == actions
    assert operations.overview(demo_ctx, demo_summary.id).summary.actions == \
        demo_summary.actions
    window.redo_action.trigger()
    assert "Brian Otieno Kamau" not in _names(window)
    window.select_operation(window.operations.list.item(0).data(Qt.ItemDataRole.UserRole + 1))
    window.create_operation("ANOTHER")  # the undo below is for an operation not on screen
    window.undo_action.trigger()
    item = window.operations.list.item(1)
    assert item.text().startswith("SERENGETI SUN")
    assert f"{demo_summary.actions} actions" in item.text()


def _action_dialog(window: MainWindow) -> ActionDialog:
    dialog = window.findChild(ActionDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_add_action_at_a_new_site_undo_redo(qtbot: QtBot, window: MainWindow,
                                            demo_ctx: AppContext,
                                            demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    target_id = _select(window, "Grace Achieng Mutua")
    before = len(targets.target_detail(demo_ctx, target_id).actions)
    qtbot.mouseClick(view.form.add_action, Qt.MouseButton.LeftButton)
    dialog = _action_dialog(window)
    dialog.kind.setCurrentText("search")
    dialog.site.setCurrentIndex(dialog.site.findData(NEW_SITE))
    dialog.site_name.setText("Karen safe house")
    dialog.site_country.set_code("KE")
    assert dialog.zone.count() == 1 and dialog.zone.currentText() == "Africa/Nairobi"
    assert "Search hours" in dialog.facts.text() and "confidence" in dialog.facts.text()
    dialog.lat.setText("-1.32")
    dialog.lon.setText("36.71")
    dialog.offset.setValue(30)
    with qtbot.waitSignal(dialog.accepted):
        dialog.check_and_accept()
    detail = targets.target_detail(demo_ctx, target_id)
    added = [a for a in detail.actions if a.site == "Karen safe house"]
    assert len(detail.actions) == before + 1 and len(added) == 1
    assert (added[0].kind, added[0].offset_min, added[0].zone) == ("search", 30,
                                                                   "Africa/Nairobi")
    assert view.form.action_table.rowCount() == before + 1
    summary = operations.overview(demo_ctx, demo_summary.id).summary
    assert summary.sites == demo_summary.sites + 1
    overview = window.workspace.overview  # counts moved by the change, as the store has them
    assert overview.sites.number.text() == str(summary.sites)
    assert overview.actions_tile.number.text() == str(summary.actions)
    assert f"{summary.sites} sites" in window.operations.list.item(0).text()
    window.undo_action.trigger()
    assert len(targets.target_detail(demo_ctx, target_id).actions) == before
    assert operations.overview(demo_ctx, demo_summary.id).summary.sites == demo_summary.sites
    assert window.workspace.overview.sites.number.text() == str(demo_summary.sites)
    assert view.form.action_table.rowCount() == before
    window.redo_action.trigger()
    assert len(targets.target_detail(demo_ctx, target_id).actions) == before + 1


def test_action_dialog_refuses_a_missing_zone(qtbot: QtBot, window: MainWindow,
                                              demo_ctx: AppContext,
                                              demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    target_id = _select(window, "Grace Achieng Mutua")
    before = targets.target_detail(demo_ctx, target_id)
    qtbot.mouseClick(view.form.add_action, Qt.MouseButton.LeftButton)
    dialog = _action_dialog(window)
    dialog.site.setCurrentIndex(dialog.site.findData(NEW_SITE))
    dialog.site_name.setText("Somewhere in Brazil")
    dialog.site_country.set_code("BR")
    assert dialog.zone.currentText().startswith("choose one of")
    dialog.check_and_accept()
    assert dialog.isVisible()
    assert "time zones; name the site's zone" in dialog.error.text()
    dialog.zone.setCurrentIndex(dialog.zone.findData("America/Sao_Paulo"))
    dialog.lat.setText("95")
    dialog.check_and_accept()
    assert "latitude 95 is out of range" in dialog.error.text().lower()
    dialog.reject()
    assert targets.target_detail(demo_ctx, target_id) == before
    assert window.stack.count() == 0


def test_edit_and_delete_an_action(qtbot: QtBot, window: MainWindow, demo_ctx: AppContext,
                                   demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    view = window.workspace.targets
    target_id = _select(window, "Brian Otieno Kamau")
    first = targets.target_detail(demo_ctx, target_id).actions[0]
    view.form.select_action(first.id)
    qtbot.mouseClick(view.form.edit_action, Qt.MouseButton.LeftButton)
    dialog = _action_dialog(window)
    assert dialog.kind.currentText() == first.kind
    assert dialog.site.currentData() == first.site_id
    dialog.offset.setValue(first.offset_min + 45)
    dialog.check_and_accept()
    edited = next(a for a in targets.target_detail(demo_ctx, target_id).actions
                  if a.id == first.id)
    assert edited.offset_min == first.offset_min + 45
    view.form.select_action(first.id)
    qtbot.mouseClick(view.form.delete_action, Qt.MouseButton.LeftButton)
    assert first.id not in {a.id for a in targets.target_detail(demo_ctx, target_id).actions}
    window.undo_action.trigger()
    window.undo_action.trigger()
    back = next(a for a in targets.target_detail(demo_ctx, target_id).actions
                if a.id == first.id)
    assert back.offset_min == first.offset_min


def _unlock_again(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.unlock_dialog
    assert isinstance(dialog, UnlockDialog) and dialog.isVisible()
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)


def test_lock_now_clears_the_data_and_unlock_restores_it(
        qtbot: QtBot, window: MainWindow, demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    window.workspace.tabs.setCurrentIndex(1)
    target_id = _select(window, "Grace Achieng Mutua")
    with qtbot.waitSignal(window.locked):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked()
    assert window.operations.list.count() == 0
    assert window.workspace.targets.model.rowCount() == 0
    assert window.workspace.overview.codename.text() == ""
    assert window.workspace.targets.form.detail is None
    assert not window.import_action.isEnabled()
    wrong = window.unlock_dialog
    assert wrong is not None
    wrong.secret.setText("wrong passphrase here")
    qtbot.mouseClick(wrong.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wrong.error.isVisible(), timeout=10_000)
    assert window.is_locked() and window.operations.list.count() == 0
    _unlock_again(qtbot, window)
    assert not window.is_locked()
    assert window.operations.current_id() == demo_summary.id
    assert window.workspace.tabs.currentIndex() == 1
    assert window.workspace.targets.proxy.rowCount() == demo_summary.targets
    assert window.workspace.targets.selected_id() == target_id


def test_auto_lock_fires_after_the_idle_time(qtbot: QtBot, window: MainWindow,
                                             demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    with qtbot.waitSignal(window.locked, timeout=5_000):
        window.idle.set_interval_ms(50)
    assert window.workspace.targets.model.rowCount() == 0
    _unlock_again(qtbot, window)
    assert window.workspace.overview.codename.text() == "SERENGETI SUN"


def test_idle_minutes_are_saved(window: MainWindow, demo_ctx: AppContext) -> None:
    from app.services.store_admin import idle_lock_minutes
    window.store_menu.set_idle_minutes(3)
    assert idle_lock_minutes(demo_ctx) == 3
    assert window.idle.interval_ms() == 180_000 and window.idle.timer.isActive()
    window.store_menu.set_idle_minutes(0)
    assert not window.idle.timer.isActive()


def test_remember_is_disabled_here(window: MainWindow) -> None:
    action = window.store_menu.remember_action
    assert not action.isEnabled()
    assert "Unavailable on this machine" in action.toolTip()


def test_new_operation(window: MainWindow, demo_ctx: AppContext) -> None:
    window.create_operation("HAECHI TEST")
    assert window.operations.list.count() == 2
    assert window.workspace.overview.codename.text() == "HAECHI TEST"
    window.create_operation("HAECHI TEST")
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "already exists" in box.text()
    assert len(operations.list_operations(demo_ctx)) == 2


def test_a_large_operation_is_fetched_lazily_then_in_the_background(
        qtbot: QtBot, window: MainWindow, demo_ctx: AppContext) -> None:
    from app.services import demo
    from app.views.target_table_model import PAGE
    op_id, _change = demo.generate(demo_ctx, "LARGE", targets=1200, actions=1500, seed=3)
    window.reload()
    window.select_operation(op_id)
    view = window.workspace.targets
    assert view.model.rowCount() == PAGE  # the first page, then the rest off the GUI thread
    qtbot.waitUntil(view.model.all_fetched, timeout=10_000)
    rows = targets.target_rows(demo_ctx, op_id)
    assert [r.id for r in view.model.rows] == [r.id for r in rows]
    assert view.count.text() == "1,200 targets"
    view.kind.setCurrentIndex(view.kind.findData("wallet"))
    assert view.proxy.rowCount() == sum(r.kind == "wallet" for r in rows)


def test_filter_typed_before_the_background_fetch_still_sees_every_row(
        window: MainWindow, demo_ctx: AppContext) -> None:
    from app.services import demo
    op_id, _change = demo.generate(demo_ctx, "LARGE", targets=1200, actions=1500, seed=3)
    window.reload()
    view = window.workspace.targets
    view.filter.setText("wallet")  # set before the operation opens: fetches all at once
    window.select_operation(op_id)
    rows = targets.target_rows(demo_ctx, op_id)
    assert view.model.all_fetched()
    assert view.proxy.rowCount() == sum("wallet" in r.name.lower() or r.kind == "wallet"
                                        for r in rows)


def test_with_targets_in_view_the_overview_follows_from_a_worker(
        qtbot: QtBot, window: MainWindow, demo_ctx: AppContext,
        demo_summary: OperationSummary) -> None:
    window.create_operation("EMPTY")
    window.workspace.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(window.workspace.overview_shown, timeout=10_000):
        window.select_operation(demo_summary.id)
        assert window.workspace.targets.proxy.rowCount() == demo_summary.targets
    assert window.workspace.overview.codename.text() == "SERENGETI SUN"
    # An edit made while the overview is still being read makes it read again.
    window.select_operation(next(s.id for s in operations.list_operations(demo_ctx)
                                 if s.codename == "EMPTY"))
    qtbot.waitUntil(lambda: window.workspace.overview_data is not None, timeout=10_000)
    with qtbot.waitSignal(window.workspace.overview_shown, timeout=10_000):
        window.select_operation(demo_summary.id)
        window.workspace.targets.add_new_target(
            targets.target_values("person", "Added While Loading", "KE"))
    qtbot.waitUntil(lambda: window.workspace.overview.targets.number.text()
                    == str(demo_summary.targets + 1), timeout=10_000)


def test_the_outcomes_tab_shows_the_operation_and_is_cleared_by_lock(
        qtbot: QtBot, window: MainWindow, demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    tabs = window.workspace.tabs
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert names[-3:] == ["Money", "Outcomes", "Map"]
    outcomes = window.workspace.outcomes
    with qtbot.waitSignal(outcomes.shown_data, timeout=20_000):
        tabs.setCurrentWidget(outcomes)
    arrests = outcomes.cards[0]
    assert (arrests.name.text(), arrests.figure.text()) == ("ARRESTS", "2")
    window.lock()
    assert outcomes.op_id == ""  # nothing of the operation stays on screen when locked


def test_a_site_clicked_on_the_map_opens_its_form(qtbot: QtBot, window: MainWindow,
                                                   demo_summary: OperationSummary) -> None:
    _open_demo(window, demo_summary)
    workspace = window.workspace
    with qtbot.waitSignal(workspace.map.drawn, timeout=20_000):
        workspace.tabs.setCurrentWidget(workspace.map)
    canvas = workspace.map.canvas
    site = next(s for s in canvas.sites.sites if s.name == "Amsterdam hosting hall")
    where = canvas.site_pos(site.id)
    assert where is not None
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=where + QPoint(2, 1))
    assert workspace.tabs.currentWidget() is workspace.targets_and_sites
    qtbot.waitUntil(lambda: workspace.sites.selected_id() == site.id)
    assert workspace.sites.form.fields.name.text() == "Amsterdam hosting hall"
