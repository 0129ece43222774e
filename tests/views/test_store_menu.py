"""The Store menu and backup, run from the main window, and the crash dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import PASSPHRASE
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.core.errors import UnlockError
from app.services import operations
from app.services.context import open_store
from app.services.store_admin import restore_backup, store_info
from app.views import messages
from app.views.main_window import MainWindow

NEW_PASSPHRASE = "a new and longer passphrase for the store"


def _status_says(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.waitUntil(lambda: text in window.statusBar().currentMessage(), timeout=20_000)


def test_backup_writes_a_file_that_restores(qtbot: QtBot, window: MainWindow,
                                            tmp_path: Path) -> None:
    target = tmp_path / "copy.jobak"
    window.store_menu.backup_to(target)
    _status_says(qtbot, window, "Backup written to")
    assert target.stat().st_size > 0
    restored = tmp_path / "restored"
    restore_backup(restored, target, PASSPHRASE)
    ctx = open_store(restored, PASSPHRASE)
    try:
        assert [s.codename for s in operations.list_operations(ctx)] == ["SERENGETI SUN"]
    finally:
        ctx.close()


def test_change_passphrase(qtbot: QtBot, window: MainWindow, store_dir: Path) -> None:
    window.store_menu.set_passphrase(NEW_PASSPHRASE)
    _status_says(qtbot, window, "The passphrase was changed.")
    window.close()
    with pytest.raises(UnlockError):
        open_store(store_dir, PASSPHRASE)
    open_store(store_dir, NEW_PASSPHRASE).close()


def test_rotate_database_key_keeps_the_data(qtbot: QtBot, window: MainWindow,
                                            store_dir: Path) -> None:
    window.store_menu.rotate_key()
    _status_says(qtbot, window, "The database key was rotated.")
    assert window.operations.list.count() == 1
    window.close()
    ctx = open_store(store_dir, PASSPHRASE)
    try:
        assert len(operations.list_operations(ctx)) == 1
    finally:
        ctx.close()


def test_remember_on_this_device(window: MainWindow, store_dir: Path,
                                 memory_keyring: object) -> None:
    menu = window.store_menu
    menu.refresh_remember()
    assert menu.remember_action.isEnabled() and not menu.remember_action.isChecked()
    menu.remember_action.setChecked(True)
    assert store_info(store_dir).remembered
    menu.remember_action.setChecked(False)
    assert not store_info(store_dir).remembered


def test_a_bug_shows_the_crash_dialog_and_logs_it(qtbot: QtBot, window: MainWindow,
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "logs" / "jointops.log"
    monkeypatch.setattr(messages, "log_file", lambda: log)
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as error:
        window.show_error(error)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None
    assert "This is a bug" in box.text() and str(log) in box.text()
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")
    assert PASSPHRASE not in log.read_text(encoding="utf-8")
    box.close()
