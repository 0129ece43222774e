"""First start, recovery key and unlock dialogs: what the user sees, and that a refused
input changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import PASSPHRASE, files_of
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import operations
from app.services.context import open_store
from app.services.store_admin import set_remember, store_info
from app.views import launcher
from app.views.recovery_dialog import RecoveryKeyDialog
from app.views.setup_dialog import SetupDialog
from app.views.unlock_dialog import UnlockDialog


def _setup(qtbot: QtBot, folder: Path) -> SetupDialog:
    dialog = SetupDialog(store_info(folder))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _fill(dialog: SetupDialog, name: str = "Kenya DCI", country: str = "KE",
          first: str = PASSPHRASE, second: str = PASSPHRASE) -> None:
    dialog.agency.setText(name)
    dialog.country.set_code(country)
    dialog.passphrase.first.setText(first)
    dialog.passphrase.second.setText(second)


def test_first_start_refuses_mismatched_passphrases(qtbot: QtBot, store_dir: Path) -> None:
    dialog = _setup(qtbot, store_dir)
    _fill(dialog, second=PASSPHRASE + "x")
    assert "differ" in dialog.passphrase.hint.text()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible()
    assert "two passphrases differ" in dialog.error.text()
    assert dialog.isVisible() and dialog.context is None
    assert not store_info(store_dir).exists


def test_first_start_refuses_a_short_passphrase(qtbot: QtBot, store_dir: Path) -> None:
    dialog = _setup(qtbot, store_dir)
    _fill(dialog, first="short", second="short")
    assert "Too short" in dialog.passphrase.hint.text()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "at least 10 characters" in dialog.error.text()
    assert not store_info(store_dir).exists


def test_first_start_needs_agency_and_country(qtbot: QtBot, store_dir: Path) -> None:
    dialog = _setup(qtbot, store_dir)
    _fill(dialog, name="  ")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Enter the name of your agency."
    _fill(dialog, country="")
    dialog.country.setEditText("Atlantis")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "country" in dialog.error.text()
    assert not store_info(store_dir).exists


def test_strength_hint_follows_typing(qtbot: QtBot, store_dir: Path) -> None:
    dialog = _setup(qtbot, store_dir)
    qtbot.keyClicks(dialog.passphrase.first, "abcdefghijk")
    weak = dialog.passphrase.hint.text()
    qtbot.keyClicks(dialog.passphrase.first, " Long Phrase of 7 words here")
    assert weak.startswith("Strength: Weak")
    assert dialog.passphrase.hint.text() == "Strength: Strong."


def test_remember_is_disabled_without_a_keyring(qtbot: QtBot, store_dir: Path) -> None:
    dialog = _setup(qtbot, store_dir)
    assert not dialog.remember.isEnabled()
    assert "unavailable on this machine" in dialog.remember.text()
    assert dialog.remember_note.isVisible()


def test_remember_is_offered_with_a_keyring(qtbot: QtBot, store_dir: Path,
                                           memory_keyring: object) -> None:
    dialog = _setup(qtbot, store_dir)
    assert dialog.remember.isEnabled()
    assert "unavailable" not in dialog.remember.text()


def test_first_start_creates_the_store(qtbot: QtBot, store_dir: Path) -> None:
    dialog = _setup(qtbot, store_dir)
    _fill(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.context is not None
    assert dialog.context.agency_name == "Kenya DCI"
    assert len(dialog.recovery_key) > 20
    assert dialog.passphrase.passphrase() == ""  # not kept in the widget
    assert store_info(store_dir).slots == ("passphrase", "recovery")
    dialog.context.close()


def test_recovery_key_dialog_needs_confirmation(qtbot: QtBot) -> None:
    dialog = RecoveryKeyDialog("ABCD-EFGH-IJKL-MNOP")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.key.text() == "ABCD-EFGH-IJKL-MNOP"
    assert dialog.key.isReadOnly()
    assert not dialog.ok.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # Escape does not skip the warning
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "ABCD-EFGH-IJKL-MNOP"
    dialog.confirm.setChecked(True)
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def _unlock(qtbot: QtBot, folder: Path) -> UnlockDialog:
    dialog = UnlockDialog(store_info(folder))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_wrong_passphrase_says_so_and_changes_nothing(
        qtbot: QtBot, closed_store: tuple[Path, str]) -> None:
    folder, _key = closed_store
    before = files_of(folder)
    dialog = _unlock(qtbot, folder)
    qtbot.keyClicks(dialog.secret, "not the passphrase at all")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.isEnabled(), timeout=10_000)
    assert dialog.error.text() == "Wrong passphrase: the store was not unlocked."
    assert dialog.isVisible() and dialog.result() == 0 and dialog.context is None
    assert files_of(folder) == before
    open_store(folder, PASSPHRASE).close()  # not locked by the failed attempt


def test_right_passphrase_unlocks(qtbot: QtBot, closed_store: tuple[Path, str]) -> None:
    folder, _key = closed_store
    dialog = _unlock(qtbot, folder)
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.context is not None
    assert [s.codename for s in operations.list_operations(dialog.context)] == ["SERENGETI SUN"]
    assert dialog.secret.text() == ""
    dialog.context.close()


def test_recovery_key_unlocks_and_a_wrong_one_is_named(
        qtbot: QtBot, closed_store: tuple[Path, str]) -> None:
    folder, key = closed_store
    dialog = _unlock(qtbot, folder)
    dialog.use_recovery.setChecked(True)
    assert dialog.secret_label.text() == "Recovery key:"
    dialog.secret.setText("AAAA-BBBB-CCCC-DDDD")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "recovery key" in dialog.error.text().lower()
    dialog.secret.setText(key)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.context is not None
    dialog.context.close()


def test_second_instance_is_a_message_box(qtbot: QtBot,
                                          closed_store: tuple[Path, str]) -> None:
    folder, _key = closed_store
    holder = open_store(folder, PASSPHRASE)
    try:
        before = files_of(folder)
        dialog = _unlock(qtbot, folder)
        dialog.secret.setText(PASSPHRASE)
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.findChild(QMessageBox) is not None, timeout=10_000)
        box = dialog.findChild(QMessageBox)
        assert box is not None
        assert "already open in another JointOps" in box.text()
        assert dialog.isVisible() and dialog.context is None
        assert files_of(folder) == before
        box.close()
    finally:
        holder.close()


def test_launcher_unlocks_from_the_keyring_without_asking(
        qtbot: QtBot, closed_store: tuple[Path, str], memory_keyring: object) -> None:
    folder, _key = closed_store
    ctx = open_store(folder, PASSPHRASE)
    assert set_remember(ctx, True)
    ctx.close()
    info = store_info(folder)
    assert info.remembered
    unlocked = launcher.unlock(info)  # no dialog: it would block this test
    assert unlocked is not None
    unlocked.close()


def test_launcher_takes_the_scripted_passphrase(
        qtbot: QtBot, closed_store: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _key = closed_store
    monkeypatch.setenv(launcher.PASSPHRASE_ENV, PASSPHRASE)
    unlocked = launcher.unlock(store_info(folder))
    assert unlocked is not None
    unlocked.close()


def test_damaged_key_file_is_a_message_box_and_changes_nothing(
        qtbot: QtBot, closed_store: tuple[Path, str]) -> None:
    folder, _key = closed_store
    key_file = next(p for p in folder.iterdir() if p.suffix == ".key")
    key_file.write_bytes(key_file.read_bytes()[:40])
    before = files_of(folder)
    dialog = _unlock(qtbot, folder)
    dialog.secret.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    box = dialog.findChild(QMessageBox)
    assert box is not None and "is damaged" in box.text() and key_file.name in box.text()
    assert not dialog.error.isVisible() and dialog.context is None
    assert files_of(folder) == before
    box.close()
