"""Conflicts page: a concurrent edit arrives in a bundle, the badge counts it, the report
leads to it, and it is resolved from the page (the other value only where this agency
owns the record)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import conflicts, exchange, operations, targets
from app.services.context import AppContext
from app.views.conflicts_view import NOT_OWNER
from app.views.exchange_menu import CONFLICTS
from app.views.main_window import MainWindow
from tests.sync.exchange_helpers import kenya_and_angola


@pytest.fixture
def edited(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext, str]]:
    """Kenya owns an arrest assigned to Angola; both set its status at the same time.
    Each side holds a bundle from the other (to.ke.jopb, to.ao.jopb), not yet opened."""
    ke, ao = kenya_and_angola(tmp_path)
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", "Mr A", "AO"))
    aid, _ = targets.add_record(ke, "action", op, targets.action_values(
        "arrest", tid, None, ao.agency_id))
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "0.jopb")
    exchange.import_bundle(ao, tmp_path / "0.jopb")
    targets.update_record(ke, "action", aid, {"status": "aborted"})
    targets.update_record(ao, "action", aid, {"status": "done"})
    exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], tmp_path / "to.ke.jopb")
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "to.ao.jopb")
    yield ke, ao, aid
    ke.close()
    ao.close()


def _window(qtbot: QtBot, ctx: AppContext, folder: Path) -> MainWindow:
    win = MainWindow(ctx, folder)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _row(win: MainWindow) -> list[str]:
    table = win.exchange.conflicts.table
    return [table.item(0, c).text() for c in range(table.columnCount())]


def test_owner_uses_the_other_value(qtbot: QtBot, edited: tuple[AppContext, AppContext, str],
                                    tmp_path: Path) -> None:
    ke, _ao, aid = edited
    win = _window(qtbot, ke, tmp_path / "ke")
    tabs = win.exchange.tabs
    assert tabs.tabText(CONFLICTS) == "Conflicts"
    win.exchange.import_file(tmp_path / "to.ke.jopb")
    qtbot.waitUntil(lambda: win.exchange.last_report is not None, timeout=20_000)
    report = win.exchange.last_report
    assert report is not None and report.review.isVisible()
    assert tabs.tabText(CONFLICTS) == "Conflicts (1)"
    qtbot.mouseClick(report.review, Qt.MouseButton.LeftButton)
    assert tabs.currentIndex() == CONFLICTS
    view = win.exchange.conflicts
    found = conflicts.list_conflicts(ke)[0]
    assert _row(win)[:3] == ["Action", "arrest of Mr A", "status"]
    assert _row(win)[3:5] == [f"{found.winner}   (set by {found.winner_agency})",
                              f"{found.loser}   (set by {found.loser_agency})"]
    assert {found.winner_agency, found.loser_agency} == {"Kenya DCI", "Angola SIC"}
    assert view.other.isEnabled() and "This agency owns the record" in view.why.text()
    qtbot.mouseClick(view.other, Qt.MouseButton.LeftButton)
    assert conflicts.list_conflicts(ke) == []
    assert targets.record_values(ke, "action", aid, ["status"]) == {"status": found.loser}
    assert tabs.tabText(CONFLICTS) == "Conflicts"
    assert view.empty.isVisible() and not view.keep.isEnabled()
    assert "partners receive it with the next bundle" in win.statusBar().currentMessage()
    win.close()


def test_partner_keeps_the_value_of_a_record_it_does_not_own(
        qtbot: QtBot, edited: tuple[AppContext, AppContext, str], tmp_path: Path) -> None:
    _ke, ao, aid = edited
    exchange.import_bundle(ao, tmp_path / "to.ao.jopb")
    kept = targets.record_values(ao, "action", aid, ["status"])
    win = _window(qtbot, ao, tmp_path / "ao")
    tabs = win.exchange.tabs
    assert tabs.tabText(CONFLICTS) == "Conflicts (1)"
    win.exchange.conflicts_action.trigger()
    view = win.exchange.conflicts
    assert view.selected() is not None
    assert not view.other.isEnabled() and view.why.text() == NOT_OWNER
    qtbot.mouseClick(view.keep, Qt.MouseButton.LeftButton)
    assert conflicts.list_conflicts(ao) == []
    assert targets.record_values(ao, "action", aid, ["status"]) == kept
    assert tabs.tabText(CONFLICTS) == "Conflicts"
    assert win.statusBar().currentMessage() == "Conflict reviewed; the current value stays."
    win.close()
