"""STIX dialogs: export for a partner, anonymised, off the GUI thread; import with its
preview, the import itself, a cancel and a file that is not JSON (nothing changed); the
Exchange menu's entries."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import operations
from app.services.context import AppContext
from app.services.demo import DEMO_CODENAME
from app.views.main_window import MainWindow
from app.views.stix_dialogs import CHOOSE, PLAN, StixExportDialog, StixImportDialog

OPENCTI = Path(__file__).resolve().parents[1] / "data" / "stix_opencti_bundle.json"


def _counts(ctx: AppContext) -> list[tuple[str, int, int]]:
    return [(s.codename, s.targets, s.sites) for s in operations.list_operations(ctx)]


def _import_dialog(qtbot: QtBot, ctx: AppContext, path: Path) -> StixImportDialog:
    dialog = StixImportDialog(lambda: ctx, [DEMO_CODENAME], DEMO_CODENAME)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.file.setText(str(path))
    return dialog


def test_export_for_a_partner_anonymised(qtbot: QtBot, demo_ctx: AppContext,
                                         tmp_path: Path) -> None:
    dialog = StixExportDialog(lambda: demo_ctx, [DEMO_CODENAME], DEMO_CODENAME)
    qtbot.addWidget(dialog)
    dialog.show()
    names = [dialog.recipient.itemText(i) for i in range(dialog.recipient.count())]
    assert names[0].startswith("A sharing community outside the operation")
    assert "Angola Digital Crime Brigade" in names and "Kenya DCI" not in names
    assert not dialog.start.isEnabled()  # no file yet
    dialog.recipient.setCurrentIndex(names.index("Angola Digital Crime Brigade"))
    dialog.anonymised.setChecked(True)
    out = tmp_path / "anon.json"
    dialog.file.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    assert dialog.report is not None and dialog.report.anonymised
    assert "for Angola Digital Crime Brigade in an anonymised STIX bundle" in \
        dialog.outcome.text()
    assert "left out: 5 (premises: anonymised" in dialog.outcome.text()
    text = out.read_text(encoding="utf-8")
    assert json.loads(text)["type"] == "bundle" and "Grace Achieng Mutua" not in text


def test_import_preview_then_import(qtbot: QtBot, demo_ctx: AppContext) -> None:
    dialog = _import_dialog(qtbot, demo_ctx, OPENCTI)
    before = _counts(demo_ctx)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == PLAN, timeout=30_000)
    assert dialog.summary.text() == (
        f"stix_opencti_bundle.json into {DEMO_CODENAME} (13 objects; the operation takes up "
        "to TLP:AMBER).\nWill import 3 targets (1 organisation, 1 person, 1 wallet), 1 site, "
        "2 wallets and 3 relationships; 3 objects skipped.")
    details = {dialog.created.item(r, 1).text(): dialog.created.item(r, 2).text()
               for r in range(dialog.created.rowCount())}
    assert details["Fictional Yield Network"] == "NG; aka FYN, Yield Club"
    assert details["Imaginary Recruiter"] == "NG; aka IR; at Lagos"
    assert details["Lagos"] == "NG (Africa/Lagos), 6.4541, 3.3947"
    created = {dialog.created.item(r, 1).text() for r in range(dialog.created.rowCount())}
    assert {"Fictional Yield Network", "Imaginary Recruiter", "Lagos"} <= created
    reasons = [dialog.skipped.item(r, 2).text() for r in range(dialog.skipped.rowCount())]
    assert any("no place for this link" in r for r in reasons)
    assert _counts(demo_ctx) == before  # a preview writes nothing
    with qtbot.waitSignal(dialog.imported, timeout=30_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.summary.text() == (f"Imported into {DEMO_CODENAME}: 3 targets, 1 site, "
                                     "2 wallets; 3 objects skipped.")
    assert not dialog.import_button.isVisible()
    after = dict((c, (t, s)) for c, t, s in _counts(demo_ctx))
    assert after[DEMO_CODENAME] == (21 + 3, 12 + 1)


def test_a_cancelled_preview_and_a_file_that_is_not_json(qtbot: QtBot, demo_ctx: AppContext,
                                                         tmp_path: Path) -> None:
    before = _counts(demo_ctx)
    dialog = _import_dialog(qtbot, demo_ctx, OPENCTI)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == CHOOSE and dialog.job is None,
                    timeout=30_000)
    assert dialog.choose_error.text() == "The STIX import was cancelled; nothing was imported."
    bad = tmp_path / "feed.json"
    bad.write_text("not json", encoding="utf-8")
    dialog.file.setText(str(bad))
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job is None and bool(dialog.choose_error.text())
                    and "JSON" in dialog.choose_error.text(), timeout=30_000)
    assert dialog.choose_error.text().startswith("feed.json is not a STIX file: it is not JSON")
    assert _counts(demo_ctx) == before


def test_exchange_menu_opens_both(qtbot: QtBot, window: MainWindow) -> None:
    menu = window.exchange
    assert menu.stix_export_action in window.data_actions
    exported = menu.export_stix()
    assert exported.operation.count() >= 1
    exported.close()
    imported = menu.import_stix()
    assert imported.windowTitle() == "Import STIX 2.1"
    imported.close()
