"""Send and open bundles from the window: what each partner will not receive and why, the
file written off the GUI thread, import by Open bundle and by a drop, the report, and a
refused bundle that changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.services import exchange, operations, targets
from app.services.context import AppContext
from app.views.bundle_export_dialog import ExportBundleDialog
from app.views.bundle_import import BundleReportDialog
from app.views.main_window import MainWindow
from tests.sync.exchange_helpers import make_store, partner_from_file

RED = "TLP:RED and not addressed to this agency"
NOT_PARTICIPANT = "not a participant in the operation"


@pytest.fixture
def three(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext, AppContext]]:
    """Kenya leads TIDE with Angola; Zambia is a partner of Kenya but not in TIDE."""
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    zm = make_store(tmp_path / "zm", "Zambia DEC", "ZM")
    for a, b in [(ke, ao), (ao, ke), (ke, zm), (zm, ke)]:
        partner_from_file(a, b, tmp_path)
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    targets.add_record(ke, "target", op, targets.target_values("person", "Shared", "KE"))
    targets.add_record(ke, "target", op, targets.target_values("person", "Red one", "KE",
                                                               "RED"))
    yield ke, ao, zm
    for ctx in (ke, ao, zm):
        ctx.close()


def _window(qtbot: QtBot, ctx: AppContext, folder: Path) -> MainWindow:
    win = MainWindow(ctx, folder)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _op_id(ctx: AppContext) -> str:
    return next(s.id for s in operations.list_operations(ctx) if s.codename == "TIDE")


def _target_names(ctx: AppContext) -> set[str]:
    return {r.name for s in operations.list_operations(ctx)
            for r in targets.target_rows(ctx, s.id)}


def _report(qtbot: QtBot, win: MainWindow) -> BundleReportDialog:
    qtbot.waitUntil(lambda: win.exchange.last_report is not None
                    and win.exchange.last_report.isVisible(), timeout=20_000)
    assert win.exchange.last_report is not None
    return win.exchange.last_report


def _drop(win: MainWindow, *urls: QUrl) -> tuple[bool, bool]:
    """Drag ``urls`` over the window and drop them: (enter accepted, drop accepted)."""
    mime = QMimeData()
    mime.setUrls(list(urls))
    # QDragEnterEvent takes a QPoint (QDropEvent a QPointF) in the PySide6 we pin.
    enter = QDragEnterEvent(QPoint(40, 40), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, enter)
    drop = QDropEvent(QPointF(40, 40), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, drop)
    return enter.isAccepted(), drop.isAccepted()


def _plan_for(qtbot: QtBot, dialog: ExportBundleDialog, *agency_ids: str) -> None:
    dialog.choose(*agency_ids)
    qtbot.waitUntil(lambda: {s.agency_id for s in dialog.shares} == set(dialog.chosen()),
                    timeout=20_000)


def _tree_lines(dialog: ExportBundleDialog) -> list[str]:
    lines = []

    def walk(item: object, depth: int) -> None:
        assert hasattr(item, "childCount")
        for i in range(item.childCount()):  # type: ignore[attr-defined]
            child = item.child(i)  # type: ignore[attr-defined]
            lines.append("  " * depth + f"{child.text(0)} | {child.text(1)}")
            walk(child, depth + 1)

    walk(dialog.plan_tree.invisibleRootItem(), 0)
    return lines


def test_export_dialog_says_what_is_withheld_and_writes_the_bundle(
        qtbot: QtBot, three: tuple[AppContext, ...], tmp_path: Path) -> None:
    ke, ao, zm = three
    win = _window(qtbot, ke, tmp_path / "ke")
    assert win.exchange.send_bundle() is None  # no operation chosen yet
    assert "Choose the operation" in win.findChild(QMessageBox, "errorBox").text()
    win.select_operation(_op_id(ke))
    dialog = win.exchange.send_bundle()
    assert dialog is not None and dialog.windowTitle() == "Send bundle: TIDE"
    assert not dialog.send.isEnabled()
    _plan_for(qtbot, dialog, ao.agency_id)
    assert dialog.withheld(ao.agency_id) == {RED: 1}
    lines = _tree_lines(dialog)
    assert lines[0] == "Angola SIC | "
    assert "  Will receive | " in lines[1]
    assert "    changes to targets | 1" in lines
    assert "  Will not receive: | 1" in lines and f"    {RED} | 1" in lines
    _plan_for(qtbot, dialog, ao.agency_id, zm.agency_id)
    assert NOT_PARTICIPANT in dialog.withheld(zm.agency_id)
    assert "Zambia DEC | " in _tree_lines(dialog)
    assert "send each partner its own bundle" in dialog.plan_note.text()
    dialog.partners.item(1).setCheckState(Qt.CheckState.Unchecked)  # Zambia: not this time
    qtbot.waitUntil(lambda: [s.agency for s in dialog.shares] == ["Angola SIC"])
    target = tmp_path / "tide.jopb"
    dialog.file.setText(str(target))
    assert dialog.send.isEnabled()
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as sent:
        qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    report = sent.args[0]
    assert target.is_file() and report.file == target
    assert f"Bundle {report.bundle_id} written" in dialog.outcome.text()
    assert f"{report.changesets} changes for Angola SIC" in dialog.outcome.text()
    assert not dialog.send.isEnabled() and dialog.close_button.text() == "Close"
    assert "Bundle written to" in win.statusBar().currentMessage()
    history = exchange.bundle_history(ke)
    assert [(h.direction, h.agency) for h in history] == [("sent", "Angola SIC")]
    win.close()


def test_an_unwritable_file_is_said_and_nothing_recorded(
        qtbot: QtBot, three: tuple[AppContext, ...], tmp_path: Path) -> None:
    ke, ao, _zm = three
    dialog = ExportBundleDialog(lambda: ke, _op_id(ke), "TIDE")
    qtbot.addWidget(dialog)
    dialog.show()
    _plan_for(qtbot, dialog, ao.agency_id)
    dialog.file.setText(str(tmp_path / "no such folder" / "x.jopb"))
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome.isVisible(), timeout=20_000)
    assert dialog.outcome.text().endswith("cannot be written. No bundle was written.")
    assert exchange.bundle_history(ke) == [] and dialog.send.isEnabled()


def test_open_bundle_then_the_same_again(qtbot: QtBot, three: tuple[AppContext, ...],
                                         tmp_path: Path) -> None:
    ke, ao, _zm = three
    path = tmp_path / "1.jopb"
    sent = exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    win = _window(qtbot, ao, tmp_path / "ao")
    assert win.operations.list.count() == 0
    win.exchange.import_file(path)  # what Open bundle… does with the chosen file
    report = _report(qtbot, win)
    assert report.windowTitle() == "Bundle from Kenya DCI"
    merge = report.report.merge
    assert report.summary.text() == (f"From Kenya DCI: {sent.changesets} changes applied "
                                     f"({sum(merge.created.values())} new and "
                                     f"{sum(merge.updated.values())} updated records).")
    rows = {report.records.item(r, 0).text(): report.records.item(r, 1).text()
            for r in range(report.records.rowCount())}
    assert rows["Targets"] == "1" and rows["Operations"] == "1"
    assert "Kenya DCI: roster unchanged" in report.notes.text()
    assert not report.review.isVisible()
    assert win.operations.list.count() == 1  # the operation list was read again
    assert _target_names(ao) == {"Shared"}
    qtbot.mouseClick(report.findChild(type(report.review), "close"), Qt.MouseButton.LeftButton)
    win.exchange.last_report = None
    win.exchange.import_file(path)
    again = _report(qtbot, win)
    assert again.summary.text() == ("This bundle from Kenya DCI was imported before; "
                                     "nothing was done.")
    assert again.records.rowCount() == 0
    win.close()


def test_dropped_bundle_refreshes_the_open_operation(qtbot: QtBot,
                                                     three: tuple[AppContext, ...],
                                                     tmp_path: Path) -> None:
    ke, ao, _zm = three
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "1.jopb")
    exchange.import_bundle(ao, tmp_path / "1.jopb")
    targets.add_record(ao, "target", _op_id(ao), targets.target_values("organisation",
                                                                       "AO finding", "AO"))
    exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], tmp_path / "2.jopb")
    win = _window(qtbot, ke, tmp_path / "ke")
    win.select_operation(_op_id(ke))
    win.workspace.tabs.setCurrentIndex(1)
    table = win.workspace.targets.proxy
    qtbot.waitUntil(lambda: table.rowCount() == 2)
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    assert _drop(win, QUrl.fromLocalFile(str(other))) == (False, False)
    assert _drop(win, QUrl("https://example.org/2.jopb")) == (False, False)
    assert win.exchange.last_report is None
    assert _drop(win, QUrl.fromLocalFile(str(tmp_path / "2.jopb"))) == (True, True)
    report = _report(qtbot, win)
    assert report.summary.text().startswith("From Angola SIC: ")
    qtbot.waitUntil(lambda: table.rowCount() == 3)
    names = {table.index(r, 0).data() for r in range(table.rowCount())}
    assert "AO finding" in names
    win.close()


def test_refused_bundle_is_one_sentence_and_changes_nothing(
        qtbot: QtBot, three: tuple[AppContext, ...], tmp_path: Path) -> None:
    ke, ao, _zm = three
    path = tmp_path / "x.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))
    win = _window(qtbot, ao, tmp_path / "ao")
    before = [s.codename for s in operations.list_operations(ao)]
    assert _drop(win, QUrl.fromLocalFile(str(path))) == (True, True)
    qtbot.waitUntil(lambda: win.findChild(QMessageBox, "bundleRefused") is not None,
                    timeout=20_000)
    box = win.findChild(QMessageBox, "bundleRefused")
    assert box.text().startswith("The bundle was refused: ") and box.text().endswith(".")
    assert "\n" not in box.text()
    assert box.informativeText() == "Nothing in this store was changed."
    assert win.exchange.last_report is None
    assert [s.codename for s in operations.list_operations(ao)] == before == []
    assert win.operations.list.count() == 0 and _target_names(ao) == set()
    assert exchange.bundle_history(ao) == []
    win.close()


def test_report_lists_refused_changes_conflicts_and_rosters(qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    from app.sync.merge import MergeReport

    merge = MergeReport(applied=7, duplicates=2, pending=1, quarantined=1, conflicts=2,
                        refused=[("c0ffee" * 10, "its device has no authority over the "
                                                 "target it changes")],
                        created={"target": 3, "note": 1}, updated={"action": 2})
    report = exchange.BundleImportReport("b-1", "Angola SIC", False, merge,
                                         {"Angola SIC": "updated", "Zambia DEC": "pending"},
                                         ["bundles 2 to 3 from Angola SIC never arrived; "
                                          "nothing is lost, this one carries what they held"])
    dialog = BundleReportDialog(report, tmp_path / "in.jopb")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.summary.text() == ("From Angola SIC: 7 changes applied (4 new and 2 updated "
                                     "records). 1 change refused. 2 conflicts to review.")
    rows = [[dialog.records.item(r, c).text() for c in range(3)]
            for r in range(dialog.records.rowCount())]
    assert rows == [["Actions", "0", "2"], ["Notes", "1", "0"], ["Targets", "3", "0"]]
    assert dialog.refused.rowCount() == 1
    assert dialog.refused.item(0, 1).text().startswith("its device has no authority")
    assert dialog.refused.item(0, 0).toolTip() == "c0ffee" * 10
    assert "2 fields were edited here and by a partner" in dialog.conflicts.text()
    notes = dialog.notes.text()
    assert "Zambia DEC: new agency, pending: compare its fingerprint" in notes
    assert "2 changes were already here" in notes and "1 change is held back" in notes
    assert "too far in the future" in notes and "• Bundles 2 to 3 from Angola SIC" in notes
    with qtbot.waitSignal(dialog.review_conflicts):
        qtbot.mouseClick(dialog.review, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
