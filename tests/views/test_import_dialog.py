"""Import CSV dialog: preview and mapping, a good file, refused rows, a file that is not
CSV, and cancel; in every refusal nothing is imported."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import operations, targets
from app.services.context import AppContext
from app.services.operations import OperationSummary
from app.views.import_dialog import NOT_IN_FILE, ImportDialog
from app.views.main_window import MainWindow

GOOD = """\
target,kind,site,country,zone,lat,lon,action,offset_min,agency,tlp
Mining hall 3,premises,Luanda warehouse,AO,,-8.83,13.23,search,0,,AMBER
Fictional Person,person,Nairobi flat,KE,,-1.29,36.82,arrest,-15,Kenya DCI,
Fictional Person,person,Nairobi flat,KE,,-1.29,36.82,search,-10,,
"""

BAD = """\
target,kind,site,country,zone,lat,lon,action,offset_min,agency,tlp
Good Row,person,Nairobi flat,KE,,-1.29,36.82,arrest,0,,
Bad Country,person,Somewhere,XX,,,,search,0,,
Bad Latitude,premises,Hall,AO,,123,13.2,search,0,,
Wrong Zone,premises,Hall 2,KE,Europe/Paris,,,search,0,,
"""

OTHER_HEADERS = """\
Suspect;Type;Place;Country code;Latitude;Longitude;Task;Minutes
Renamed Person;person;Lusaka yard;ZM;-15.4;28.3;arrest;5
"""


def _dialog(qtbot: QtBot, ctx: AppContext, codename: str = "SERENGETI SUN") -> ImportDialog:
    dialog = ImportDialog(lambda: ctx, [s.codename for s in operations.list_operations(ctx)],
                          codename)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _run(qtbot: QtBot, dialog: ImportDialog) -> None:
    qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 2, timeout=20_000)


def _counts(ctx: AppContext) -> list[tuple[str, int, int, int]]:
    return [(s.codename, s.targets, s.sites, s.actions) for s in operations.list_operations(ctx)]


def test_good_file_is_previewed_mapped_and_imported(qtbot: QtBot, tmp_path: Path,
                                                    demo_ctx: AppContext,
                                                    demo_summary: OperationSummary) -> None:
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    dialog = _dialog(qtbot, demo_ctx)
    dialog.set_file(path)
    assert dialog.preview.rowCount() == 3 and dialog.preview.columnCount() == 11
    assert dialog.preview.item(0, 0).text() == "Mining hall 3"
    assert dialog.preview.verticalHeaderItem(0).text() == "2"  # line numbers as in the file
    assert dialog.combos["target"].currentText() == "target"
    assert dialog.combos["offset_min"].currentText() == "offset_min"
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as imported:
        qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    report = imported.args[0]
    assert report.rows_imported == 3
    assert dialog.summary.text() == ("3 rows imported into SERENGETI SUN: 2 targets, "
                                     "2 sites, 3 actions created.")
    assert not dialog.refused.isVisible()
    after = operations.overview(demo_ctx, demo_summary.id).summary
    assert (after.targets, after.actions) == (demo_summary.targets + 2,
                                             demo_summary.actions + 3)


def test_bad_rows_are_listed_and_nothing_is_imported(qtbot: QtBot, tmp_path: Path,
                                                    demo_ctx: AppContext) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    before = _counts(demo_ctx)
    dialog = _dialog(qtbot, demo_ctx, "NEW OP FROM CSV")
    dialog.set_file(path)
    _run(qtbot, dialog)
    assert "3 of 4 rows were refused; nothing was imported" in dialog.summary.text()
    table = dialog.refused
    refused = {table.item(r, 0).text(): table.item(r, 1).text()
               for r in range(table.rowCount())}
    assert list(refused) == ["3", "4", "5"]
    assert "unknown country 'XX'" in refused["3"]
    assert "latitude 123 is out of range" in refused["4"]
    assert "zone Europe/Paris is not in Kenya" in refused["5"]
    assert dialog.back.isVisible()
    assert _counts(demo_ctx) == before  # not even the new operation was made


def test_other_headers_are_mapped(qtbot: QtBot, tmp_path: Path, demo_ctx: AppContext) -> None:
    path = tmp_path / "other.csv"
    path.write_text(OTHER_HEADERS, encoding="utf-8")
    dialog = _dialog(qtbot, demo_ctx, "ZAMBIA TEST")
    dialog.set_file(path)
    mapping = dialog.mapping()
    assert mapping == {"target": "Suspect", "kind": "Type", "site": "Place",
                       "country": "Country code", "lat": "Latitude", "lon": "Longitude",
                       "action": "Task", "offset_min": "Minutes"}
    assert dialog.combos["zone"].currentText() == NOT_IN_FILE
    dialog.combos["target"].setCurrentIndex(0)  # unmapped: refused before running
    qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0
    assert "no column for target" in dialog.choose_error.text()
    dialog.combos["target"].setCurrentText("Suspect")
    _run(qtbot, dialog)
    assert dialog.summary.text().startswith("1 rows imported into ZAMBIA TEST")
    op = next(s for s in operations.list_operations(demo_ctx) if s.codename == "ZAMBIA TEST")
    assert [r.name for r in targets.target_rows(demo_ctx, op.id)] == ["Renamed Person"]


def test_not_a_csv_file_and_an_empty_file(qtbot: QtBot, tmp_path: Path,
                                          demo_ctx: AppContext) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    dialog = _dialog(qtbot, demo_ctx)
    dialog.set_file(binary)
    assert "is not a CSV file" in dialog.choose_error.text()
    assert not dialog.start.isEnabled()
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    dialog.set_file(empty)
    assert dialog.choose_error.text() == "empty.csv is empty."
    assert not dialog.start.isEnabled() and dialog.preview.rowCount() == 0


def test_cancel_imports_nothing(qtbot: QtBot, tmp_path: Path, demo_ctx: AppContext) -> None:
    path = tmp_path / "large.csv"
    rows = [f"Person {i:05d},person,Site {i:05d},KE,,-1.2,36.8,arrest,0,,"
            for i in range(40_000)]
    path.write_text("target,kind,site,country,zone,lat,lon,action,offset_min,agency,tlp\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    before = _counts(demo_ctx)
    dialog = _dialog(qtbot, demo_ctx, "LARGE")
    dialog.set_file(path)
    qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1 and dialog.cancel_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert "nothing will be imported" in dialog.progress_text.text()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 2, timeout=20_000)
    assert dialog.summary.text() == "The import was cancelled; nothing was imported."
    assert _counts(demo_ctx) == before


def test_import_from_the_main_window_refreshes_it(qtbot: QtBot, tmp_path: Path,
                                                  window: MainWindow) -> None:
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    dialog = window.open_import()
    dialog.operation.setCurrentText("IMPORTED OP")
    dialog.set_file(path)
    _run(qtbot, dialog)
    assert window.operations.list.count() == 2
    assert window.workspace.overview.codename.text() == "IMPORTED OP"
    assert window.workspace.targets.proxy.rowCount() == 2
    qtbot.mouseClick(dialog.findChild(type(dialog.start), "close"), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
