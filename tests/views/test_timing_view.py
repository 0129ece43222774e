"""The Timing tab on a small operation (sites in France, Kenya with its sunrise-to-sunset
rule, and Angola whose rule is not known): rows and states, H-hour set by a click on the
matrix and undone, the banner of an infeasible plan, authorisation, rule corrections and
briefing packs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from gui_support import PASSPHRASE
from matplotlib.backend_bases import MouseEvent
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import jurisdictions, operations, targets
from app.services.context import AppContext
from app.services.timing import plan_timing
from app.views.main_window import MainWindow
from app.views.timing_view import TimingView
from app.views.unlock_dialog import UnlockDialog

DAY = date(2026, 6, 1)
# matplotlib's Qt backend asks Qt about a high-DPI attribute that Qt 6 deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*AA_UseHighDpiPixmaps:DeprecationWarning")


def _action(ctx: AppContext, op: str, name: str, site: str, cc: str, lat: str, lon: str,
            offset: int = 0) -> str:
    tid, _ = targets.add_record(ctx, "target", op, targets.target_values("person", name, cc))
    sid, _ = targets.add_record(ctx, "site", op, targets.site_values(site, cc, "", lat, lon))
    aid, _ = targets.add_record(ctx, "action", op, targets.action_values(
        "arrest", tid, sid, ctx.agency_id, offset))
    return aid


@pytest.fixture
def op(ctx: AppContext) -> str:
    op_id, _ = operations.create_operation(ctx, "TIDE")
    _action(ctx, op_id, "Anna Example", "Nairobi flat", "KE", "-1.29", "36.82")  # solar
    _action(ctx, op_id, "Bruno Example", "Paris office", "FR", "48.86", "2.35")  # 06-21
    _action(ctx, op_id, "Carla Example", "Luanda hall", "AO", "-8.83", "13.23")  # unknown
    return op_id


def plan(qtbot: QtBot, view: TimingView, step: Callable[[], Any]) -> Any:
    """Do ``step`` and wait until the plan it causes is on screen."""
    with qtbot.waitSignal(view.planned, timeout=10_000):
        result = step()
    return result


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, op: str, store_dir: Path) -> Iterator[MainWindow]:
    win = MainWindow(ctx, store_dir)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.select_operation(op)
    view = win.workspace.timing
    plan(qtbot, view, lambda: win.workspace.tabs.setCurrentWidget(view))
    plan(qtbot, view, lambda: view.set_range(DAY, DAY))
    yield win
    win.close()


def _view(window: MainWindow) -> TimingView:
    return window.workspace.timing


def _states(view: TimingView) -> dict[str, str]:
    model = view.model
    return {model.index(r, 2).data(): model.index(r, 6).data()
            for r in range(model.rowCount())}


def _set_typed(qtbot: QtBot, view: TimingView, text: str) -> None:
    view.h_hour.setText(text)
    plan(qtbot, view, lambda: qtbot.mouseClick(view.set_h_hour, Qt.MouseButton.LeftButton))


def _click(view: TimingView, when: datetime) -> None:
    """A left click on the matrix at ``when``, on the first site's row."""
    matrix = view.matrix
    x, y = matrix.instant_to_pixels(when, 1.0)
    matrix.on_press(MouseEvent("button_press_event", matrix.canvas, x, y, button=1))


def _select(view: TimingView, site: str) -> None:
    view.table.selectRow(next(r for r in range(view.model.rowCount())
                              if view.model.index(r, 2).data() == site))


def test_rows_and_states(qtbot: QtBot, window: MainWindow) -> None:
    view = _view(window)
    assert view.dates() == (DAY, DAY)
    assert set(_states(view).values()) == {"no H-hour set"}
    assert "No H-hour set yet" in view.banner.text()
    assert "Angola" in view.banner.text()  # its rule is not known: said, not hidden
    _set_typed(qtbot, view, "2026-06-01T05:00Z")
    assert _states(view) == {"Nairobi flat": "lawful", "Paris office": "lawful",
                             "Luanda hall": "rule unknown: confirm"}
    assert view.model.index(0, 5).data() == "Mon 01 Jun 06:00 (UTC+01:00)"  # Luanda
    groups = view.matrix.plan.groups if view.matrix.plan else []
    assert [g.country for g in groups] == ["AO", "FR", "KE"]
    assert [r.label() for g in groups for r in g.rows] == [
        "Luanda hall · Africa/Luanda · 06:00 local (UTC+01:00)",
        "Paris office · Europe/Paris · 07:00 local (UTC+02:00)",
        "Nairobi flat · Africa/Nairobi · 08:00 local (UTC+03:00)"]
    assert "Every action starts within its lawful hours" in view.banner.text()
    _set_typed(qtbot, view, "2026-06-01T02:00Z")  # 04:00 in Paris
    assert _states(view)["Paris office"] == "OUTSIDE lawful hours"
    assert "arrest Bruno Example at Paris office (FR)" in view.banner.text()


def test_click_in_a_feasible_window_sets_h_hour_and_undo(qtbot: QtBot, window: MainWindow,
                                                         ctx: AppContext) -> None:
    view = _view(window)
    assert view.data is not None
    # Paris opens at 06:00 CEST
    assert view.data.report.windows[0][0] == datetime(2026, 6, 1, 4, tzinfo=UTC)
    assert view.matrix is not None
    zoomed = (view.matrix.axes.get_xlim()[0] + 0.25, view.matrix.axes.get_xlim()[0] + 0.5)
    view.matrix.axes.set_xlim(*zoomed)  # as the toolbar's zoom leaves it: 06:00 to 12:00
    plan(qtbot, view, lambda: _click(view, datetime(2026, 6, 1, 7, 3, 20, tzinfo=UTC)))
    assert view.matrix.axes.get_xlim() == pytest.approx(zoomed)  # the zoom is kept
    chosen = datetime(2026, 6, 1, 7, 5, tzinfo=UTC)
    assert plan_timing(ctx, "TIDE", DAY, DAY).h_hour == chosen
    assert view.h_hour.text() == "2026-06-01T07:05Z"
    assert view.matrix.plan is not None and view.matrix.plan.h_hour == chosen
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    plan(qtbot, view, window.undo_action.trigger)
    assert plan_timing(ctx, "TIDE", DAY, DAY).h_hour is None
    assert view.h_hour.text() == ""
    plan(qtbot, view, window.redo_action.trigger)
    assert plan_timing(ctx, "TIDE", DAY, DAY).h_hour == chosen


def test_table_and_matrix_select_the_same_site(window: MainWindow) -> None:
    view = _view(window)
    matrix = view.matrix
    assert matrix is not None
    _select(view, "Paris office")
    paris = next(y for y, site in matrix.row_of_y.items()
                 if view.data and view.data.windows[view.panel.selected().id].site_id == site)
    assert matrix.canvas.highlight_row == paris
    # A click on the Nairobi row's label, left of the plot, selects its action.
    nairobi = max(matrix.row_of_y)
    x, y = matrix.instant_to_pixels(datetime(2026, 6, 1, 12, tzinfo=UTC), nairobi)
    matrix.on_press(MouseEvent("button_press_event", matrix.canvas, 20, y, button=1))
    selected = view.panel.selected()
    assert selected is not None and selected.site == "Nairobi flat"
    assert matrix.canvas.highlight_row == nairobi
    assert x > matrix.axes.bbox.x0


def test_click_outside_says_why_and_changes_nothing(qtbot: QtBot, window: MainWindow,
                                                   ctx: AppContext) -> None:
    view = _view(window)
    _click(view, datetime(2026, 6, 1, 1, 0, tzinfo=UTC))  # 03:00 in Paris
    message = window.statusBar().currentMessage()
    assert "not a feasible H-hour" in message and "Paris office" in message
    assert "Nairobi" in message  # before sunrise there too
    assert plan_timing(ctx, "TIDE", DAY, DAY).h_hour is None
    assert not window.stack.canUndo()


def test_infeasible_plan_banner_and_authorise(qtbot: QtBot, window: MainWindow,
                                              ctx: AppContext) -> None:
    view = _view(window)
    # Searches in Angola only in the evening, when it is dark in Nairobi and too late
    # in Paris: no H-hour suits all three.
    jurisdictions.set_search_rule(ctx, "AO", {"kind": "window", "start": "20:00",
                                              "end": "22:00"}, "", "Test advice")
    plan(qtbot, view, view.replan)
    text = view.banner.text()
    assert "No H-hour from 01 Jun to 01 Jun 2026 lets every action start lawfully" in text
    assert "Fewest to re-time or authorise (1):</b> arrest Carla Example at Luanda hall" in text
    assert "Never lawful together: actions in " in text
    assert "Angola ↔ France" in text and "Angola ↔ Kenya" in text
    details = view.banner.toolTip()  # every pair, for who wants them
    assert "arrest Carla Example at Luanda hall (AO) ↔ arrest Bruno Example" in details
    assert "arrest Carla Example at Luanda hall (AO) ↔ arrest Anna Example" in details
    _click(view, datetime(2026, 6, 1, 8, tzinfo=UTC))
    assert "No H-hour in these dates" in window.statusBar().currentMessage()

    _select(view, "Luanda hall")
    dialog = view.panel.ask_authorise()
    assert dialog is not None
    dialog.ref.setText("Luanda court order 7/2026")
    plan(qtbot, view, dialog.check)
    assert "No H-hour from" not in view.banner.text()
    assert _states(view)["Luanda hall"] == "no H-hour set"
    assert plan_timing(ctx, "TIDE", DAY, DAY).feasible
    luanda = view.model.row_of(next(a.id for a in view.model.actions if a.site == "Luanda hall"))
    assert "authorised: Luanda court order 7/2026 of" in view.model.index(luanda, 8).data()
    _set_typed(qtbot, view, "2026-06-01T05:00Z")
    assert _states(view)["Luanda hall"] == "authorised"
    plan(qtbot, view, window.undo_action.trigger)  # the H-hour
    plan(qtbot, view, window.undo_action.trigger)  # the authorisation
    assert not plan_timing(ctx, "TIDE", DAY, DAY).feasible
    assert "Fewest to re-time or authorise (1)" in view.banner.text()


def test_a_bad_typed_h_hour_is_refused(qtbot: QtBot, window: MainWindow,
                                       ctx: AppContext) -> None:
    view = _view(window)
    view.h_hour.setText("tomorrow at dawn")
    qtbot.mouseClick(view.set_h_hour, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "not an ISO 8601 time" in box.text()
    assert plan_timing(ctx, "TIDE", DAY, DAY).h_hour is None
    assert not window.stack.canUndo()
    box.close()


def test_rule_dialog_refuses_a_bad_time_then_records_the_correction(
        qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    view = _view(window)
    _select(view, "Paris office")
    dialog = view.panel.ask_rule()
    assert dialog is not None
    shipped = dialog.findChild(type(dialog.problem), "shipped")
    assert "As shipped:</b> start 06:00–21:00 local" in shipped.text()
    assert "confidence high" in shipped.text() and "as of" in shipped.text()
    assert dialog.every_day.kind.currentData() == "window"
    dialog.every_day.start.setText("7am")
    dialog.source.setText("Prosecutor's advice of 2026-05-20")
    dialog.try_save()
    assert "'7am' is not HH:MM" in dialog.problem.text()
    assert dialog.isVisible()
    assert not jurisdictions.search_rule_info(ctx, "FR").corrected
    dialog.every_day.start.setText("07:00")
    dialog.days["sun"].kind.setCurrentIndex(dialog.days["sun"].kind.findData("none"))
    plan(qtbot, view, dialog.try_save)
    info = jurisdictions.search_rule_info(ctx, "FR")
    assert info.rule == {"kind": "window", "start": "07:00", "end": "21:00",
                         "weekdays": {"sun": {"kind": "none"}}}
    assert view.data is not None
    assert view.data.report.windows[0][0] == datetime(2026, 6, 1, 5, tzinfo=UTC)
    assert "rule for France is recorded" in view.last_message


def test_rule_dialog_needs_a_source(qtbot: QtBot, window: MainWindow,
                                    ctx: AppContext) -> None:
    view = _view(window)
    _select(view, "Luanda hall")
    dialog = view.panel.ask_rule()
    assert dialog is not None
    assert "no search-hour rule for this country" in dialog.findChild(
        type(dialog.problem), "shipped").text()
    dialog.every_day.kind.setCurrentIndex(dialog.every_day.kind.findData("solar"))
    dialog.try_save()
    assert "Say where the rule comes from" in dialog.problem.text()
    assert not jurisdictions.search_rule_info(ctx, "AO").corrected
    dialog.reject()


def test_briefing_dialog_writes_a_pdf(qtbot: QtBot, window: MainWindow,
                                      tmp_path: Path) -> None:
    dialog = _view(window).ask_briefing()
    assert dialog is not None
    assert dialog.agency.count() == 1 and dialog.agency.currentData() == "Kenya DCI"
    assert dialog.path.text().endswith("TIDE-briefing-Kenya-DCI.pdf")
    target = tmp_path / "tide.pdf"
    dialog.path.setText(str(target))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Written to" in dialog.outcome.text(), timeout=20_000)
    assert str(target) in dialog.outcome.text()
    assert target.read_bytes().startswith(b"%PDF")
    dialog.path.setText(str(tmp_path / "no such folder" / "x.pdf"))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in dialog.outcome.text()
    dialog.reject()


def test_lock_hides_the_plan_and_unlock_brings_it_back(qtbot: QtBot,
                                                       window: MainWindow) -> None:
    view = _view(window)
    _set_typed(qtbot, view, "2026-06-01T05:00Z")
    window.lock()
    assert view.model.rowCount() == 0 and view.data is None
    assert view.banner.text() == "" and view.h_hour.text() == ""
    assert view.matrix is not None and view.matrix.plan is None
    dialog = window.unlock_dialog
    assert isinstance(dialog, UnlockDialog)
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(view.planned, timeout=10_000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert window.workspace.tabs.currentWidget() is view
    assert view.dates() == (DAY, DAY)  # the dates chosen before the lock
    assert _states(view)["Paris office"] == "lawful"


def test_bad_dates_and_missing_coordinates_are_said_in_the_banner(
        qtbot: QtBot, window: MainWindow, ctx: AppContext, op: str) -> None:
    view = _view(window)
    plan(qtbot, view, lambda: view.set_range(date(2026, 6, 2), DAY))
    assert "The plan cannot be worked out:</b> The range ends (2026-06-01) before it " \
           "starts (2026-06-02)." in view.banner.text()
    assert view.model.rowCount() == 0 and not view.panel.authorise.isEnabled()
    assert view.matrix is not None and view.matrix.plan is None
    plan(qtbot, view, lambda: view.set_range(DAY, DAY))
    assert view.model.rowCount() == 3
    _action(ctx, op, "Eve Example", "Somewhere in Kenya", "KE", "", "")
    plan(qtbot, view, view.replan)
    assert "sunrise-to-sunset rule needs the site's coordinates" in view.banner.text()
