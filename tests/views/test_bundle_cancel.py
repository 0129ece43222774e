"""Cancel while a bundle is being imported: the import is rolled back, nothing changed, no
error shown."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.services import exchange, operations, targets
from app.services.context import AppContext
from app.views.bundle_import import BundleImporter
from tests.sync.exchange_helpers import kenya_and_angola


def test_cancel_rolls_the_import_back(qtbot: QtBot, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ke, ao = kenya_and_angola(tmp_path)
    try:
        op, _ = operations.create_operation(ke, "TIDE")
        operations.add_participant(ke, op, ao.agency_id)
        targets.add_record(ke, "target", op, targets.target_values("person", "A", "KE"))
        path = tmp_path / "b.jopb"
        exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
        # The import waits, on its worker thread, until Cancel was pressed: no race.
        pressed = threading.Event()
        real = exchange.import_bundle

        def import_after_cancel(ctx: AppContext, file: Path, **kwargs: Any) -> Any:
            assert pressed.wait(30)
            return real(ctx, file, **kwargs)

        monkeypatch.setattr(exchange, "import_bundle", import_after_cancel)
        parent = QWidget()
        qtbot.addWidget(parent)
        parent.show()
        importer = BundleImporter(lambda: ao, parent)
        outcomes: list[str] = []
        importer.imported.connect(lambda *_: outcomes.append("imported"))
        importer.refused.connect(lambda _: outcomes.append("refused"))
        importer.cancelled.connect(lambda: outcomes.append("cancelled"))
        assert importer.import_file(path)
        busy = parent.findChild(QProgressDialog, "importBusy")
        assert busy is not None
        qtbot.waitUntil(busy.isVisible)
        button = busy.findChild(QPushButton)
        assert button is not None and button.text() == "Cancel"
        button.click()
        assert busy.labelText() == "Cancelling the import of b.jopb…"
        assert not button.isEnabled()
        pressed.set()
        qtbot.waitUntil(lambda: outcomes == ["cancelled"])
        assert not importer.running
        assert parent.findChild(QMessageBox) is None
        assert operations.list_operations(ao) == []
        monkeypatch.undo()
        assert importer.import_file(path)  # and once not cancelled, it applies
        qtbot.waitUntil(lambda: outcomes == ["cancelled", "imported"])
        assert [s.codename for s in operations.list_operations(ao)] == ["TIDE"]
    finally:
        ke.close()
        ao.close()
