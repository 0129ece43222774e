"""The Outcomes tab on the demo operation: the headline figures and what the charts draw,
victims and asset records added, refused, edited, deleted and undone through the
dialogs, the charts exported as PNG and PDF, operations compared, and an empty
operation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.models.outcome_records import Victim
from app.services import outcome_records as records
from app.services.changes import Change
from app.services.context import AppContext
from app.services.demo import DEMO_CODENAME
from app.services.operations import OperationSummary, create_operation
from app.views.outcome_dialogs import AssetDialog, VictimDialog
from app.views.outcomes_view import OutcomesView
from app.views.undo_commands import CommandEnv, Refresh

# matplotlib's Qt backend asks Qt about a high-DPI attribute that Qt 6 deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*AA_UseHighDpiPixmaps:DeprecationWarning")


@pytest.fixture
def failures() -> list[BaseException]:
    return []


@pytest.fixture
def view(qtbot: QtBot, demo_ctx: AppContext, demo_summary: OperationSummary,
         failures: list[BaseException]) -> Iterator[OutcomesView]:
    stack = QUndoStack()
    holder: list[OutcomesView] = []
    env = CommandEnv(lambda: demo_ctx, lambda refresh: holder[0].apply_refresh(refresh),
                     failures.append)
    widget = OutcomesView(lambda: demo_ctx, stack, env)
    widget.stack = stack
    holder.append(widget)
    qtbot.addWidget(widget)
    widget.resize(1400, 1000)
    widget.show()
    qtbot.waitExposed(widget)
    shown(qtbot, widget, lambda: widget.set_operation(demo_summary.id))
    yield widget
    widget.close()


def shown(qtbot: QtBot, view: OutcomesView, step: Any) -> Any:
    """Do ``step`` and wait until the figures it causes to be read are on screen."""
    with qtbot.waitSignal(view.shown_data, timeout=10_000):
        result = step()
    return result


def cards(view: OutcomesView) -> dict[str, str]:
    return {c.name.text(): c.figure.text() for c in view.cards}


def test_the_demo_outcomes_at_a_glance(view: OutcomesView) -> None:
    assert view.title.text() == f"{DEMO_CODENAME}: outcomes (values in USD)"
    assert cards(view) == {"ARRESTS": "2", "SITES SHUT DOWN": "3", "SEIZED": "143,400",
                           "FROZEN": "58,950", "RECOVERED": "31,500", "RESTITUTION": "30.4 %",
                           "REQUEST TO FREEZE": "9h00"}
    drawn = view.charts.shown
    assert drawn["by_country"]["South Africa"] == (1.0, 1.0, 1.0)
    assert drawn["value_by_country"]["Angola"] == (96000.0, 0.0, 0.0, 0.0)
    assert drawn["flow"]["assets"] == ["USDT", "ETH", "BTC"]
    assert drawn["time_to_freeze_hours"] == [4.0, 9.0, 30.0]
    assert drawn["over_time"] == {"seized": 143400.0, "frozen": 58950.0,
                                  "recovered": 31500.0, "returned": 10250.0,
                                  "repaid": 10250.0}
    assert [view.tabs.tabText(i) for i in range(3)] == [
        "Dashboard", "Victims (6)", "Seized && recovered (7)"]
    assert view.victims.model.rowCount() == 6 and view.assets.model.rowCount() == 7


def _victim_dialog(view: OutcomesView) -> VictimDialog:
    dialog = view.ask_victim(None)
    dialog.reference.setText("KE-COMPLAINT-2026-0999")
    dialog.country.set_code("KE")
    dialog.loss.setText("2000")
    dialog.currency.setText("usd")
    dialog.identified.setText("2026-03-01")
    return dialog


def test_a_victim_added_undone_and_redone(qtbot: QtBot, view: OutcomesView,
                                          demo_ctx: AppContext) -> None:
    dialog = _victim_dialog(view)
    dialog.repaid.setText("500")
    dialog.repaid_on.setText("2026-03-10")
    shown(qtbot, view, dialog.check_and_accept)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert view.tabs.tabText(1) == "Victims (7)"
    assert cards(view)["RESTITUTION"] == "30.1 %"  # 10,750 of 35,750
    assert view.stack.undoText() == "Add victim KE-COMPLAINT-2026-0999"
    shown(qtbot, view, view.stack.undo)
    assert len(records.list_victims(demo_ctx, view.op_id)) == 6
    shown(qtbot, view, view.stack.redo)
    assert view.victims.model.rowCount() == 7


@pytest.mark.parametrize(("field", "text", "message"), [
    ("reference", "Jane Wanjiru", "not a name: names are personal data."),
    ("loss", "a lot", "The loss 'a lot' is not a number."),
    ("identified", "2999-01-01", "is in the future."),
    ("reference", "KE-COMPLAINT-2026-0101", "already recorded in this operation."),
])
def test_a_bad_victim_keeps_the_dialog_open_and_changes_nothing(
        view: OutcomesView, demo_ctx: AppContext, field: str, text: str,
        message: str) -> None:
    dialog = _victim_dialog(view)
    getattr(dialog, field).setText(text)
    dialog.check_and_accept()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text().endswith(message)
    assert len(records.list_victims(demo_ctx, view.op_id)) == 6
    assert view.stack.count() == 0
    dialog.reject()


def test_a_freeze_valued_from_its_request(qtbot: QtBot, view: OutcomesView) -> None:
    dialog: AssetDialog = view.ask_asset(None)
    dialog.stage.setCurrentText("frozen")
    choices = [dialog.source.itemText(i) for i in range(dialog.source.count())]
    assert len(choices) == 3 and all(c.startswith("freeze request:") for c in choices)
    eth = next(i for i, c in enumerate(choices) if "ETH" in c)
    dialog.source.setCurrentIndex(eth)
    assert (dialog.asset.text(), dialog.amount.text(), dialog.country.code()) == (
        "ETH", "7.5", "AO")
    dialog.value.setText("22500")
    shown(qtbot, view, dialog.check_and_accept)
    assert cards(view)["FROZEN"] == "81,450"
    assert view.cards[3].small.text() == "USD · 3 of 3 freezes valued"


def test_an_asset_record_edited_and_deleted_with_undo(qtbot: QtBot,
                                                      view: OutcomesView) -> None:
    assert view.assets.select(next(line.id for line in view.assets.model.lines
                                   if line.cells[3] == "vehicles"))
    dialog = view.ask_asset(view.assets.selected())
    assert dialog.stage.currentText() == "seized" and dialog.value.text() == "38000"
    dialog.value.setText("40000")
    shown(qtbot, view, dialog.check_and_accept)
    assert cards(view)["SEIZED"] == "145,400"
    line = view.assets.selected()
    assert line is not None and line.cells[3] == "vehicles"
    box = view.ask_delete("asset_record", line)
    button = box.findChild(QPushButton, "confirmDelete")
    assert isinstance(button, QPushButton)
    shown(qtbot, view, button.click)
    assert cards(view)["SEIZED"] == "105,400"
    assert view.stack.undoText() == "Delete asset record 2 vehicles"
    shown(qtbot, view, view.stack.undo)
    assert cards(view)["SEIZED"] == "145,400"


def test_the_charts_exported_as_png_and_pdf(view: OutcomesView, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for name, chosen, magic in (("report", "PNG image (*.png)", b"\x89PNG"),
                                ("report.pdf", "PDF document (*.pdf)", b"%PDF")):
        target = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *_a, t=target, c=chosen: (str(t), c))
        written = view.ask_export()
        assert written is not None and Path(written).read_bytes().startswith(magic)
    assert (tmp_path / "report.png").stat().st_size > 50_000
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: ("", ""))
    assert view.ask_export() is None


def test_an_export_that_cannot_be_written_is_a_known_error(
        qtbot: QtBot, view: OutcomesView, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "missing-folder" / "report.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(target), ""))
    assert view.ask_export() is None
    box = view.findChild(QMessageBox, "errorBox")
    assert isinstance(box, QMessageBox)
    assert box.text().startswith(f"The charts could not be written to {target}")
    box.close()


def test_operations_compared_side_by_side(qtbot: QtBot, view: OutcomesView,
                                          demo_ctx: AppContext) -> None:
    other, _ = create_operation(demo_ctx, "EBB TIDE")
    records.add_record(demo_ctx, "asset_record", other, records.asset_values(
        stage="recovered", asset="ETH", amount="2", country="FR", on="2026-03-01",
        value="6000", currency="USD"))
    dialog = view.open_compare()
    assert dialog.chosen() == [view.op_id]
    assert dialog.charts.shown == {}
    items = dialog.choices
    ebb = next(items.item(i) for i in range(items.count()) if items.item(i).text() == "EBB TIDE")
    ebb.setCheckState(Qt.CheckState.Checked)
    drawn = dialog.charts.shown
    assert drawn["operations"] == ["EBB TIDE", DEMO_CODENAME]
    assert drawn["values"]["Recovered"] == [6000.0, 31500.0]
    view.clear()
    assert view.compare_dialog is None


def test_an_operation_without_outcomes_and_no_operation(qtbot: QtBot, view: OutcomesView,
                                                        demo_ctx: AppContext) -> None:
    empty, _ = create_operation(demo_ctx, "QUIET")
    shown(qtbot, view, lambda: view.set_operation(empty))
    assert cards(view)["ARRESTS"] == "0" and cards(view)["RESTITUTION"] == "n/a"
    assert "by_country" not in view.charts.shown
    view.clear()
    assert view.op_id == "" and view.title.text() == "Outcomes"
    assert set(cards(view).values()) == {""} and view.victims.model.rowCount() == 0
    assert not view.export.isEnabled() and not view.victims.add.isEnabled()


def test_another_agencys_victim_is_read_only(qtbot: QtBot, view: OutcomesView,
                                             demo_ctx: AppContext) -> None:
    partner = "an-agency-from-a-bundle"
    with demo_ctx.store.session() as session:  # as a partner's record arrives in a bundle
        session.execute(update(Victim).where(Victim.reference == "ZA-COMPLAINT-2026-0106")
                        .values(owner_agency_id=partner))
    shown(qtbot, view, view.reload)
    line = next(x for x in view.victims.model.lines if x.name == "ZA-COMPLAINT-2026-0106")
    assert not line.ours
    assert view.victims.select(line.id)
    assert not view.victims.edit.isEnabled() and not view.victims.delete.isEnabled()
    row = view.victims.model.lines.index(line)
    tip = view.victims.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("'s record: read-only here.")
    ours = next(x for x in view.victims.model.lines if x.ours)
    assert view.victims.select(ours.id) and view.victims.edit.isEnabled()


def test_a_change_that_moves_no_figure_reads_nothing(view: OutcomesView) -> None:
    before = view.generation
    note = Change()
    note.add("created", "note", "n1")
    view.apply_refresh(Refresh(note, view.op_id, None))
    assert view.generation == before
    site = Change()
    site.add("updated", "site", "s1")
    view.apply_refresh(Refresh(site, "another operation", None))
    assert view.generation == before
    view.apply_refresh(Refresh(site, view.op_id, None))
    assert view.generation == before + 1
