"""The Store menu (lock, passphrase, database key, keyring, auto-lock) and backup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import store_admin
from app.views.passphrase_fields import PassphraseFields
from app.views.workers import Cancel, JobFunction, Progress, run_job, settle_readers

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

NO_KEYRING_TIP = ("Unavailable on this machine: there is no usable system keyring, so the "
                  "passphrase is needed at each start.")


class ChangePassphraseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change passphrase")
        form = QFormLayout()
        self.fields = PassphraseFields(form, label="New passphrase")
        note = QLabel("The store stays as it is; only the key that opens it is wrapped again "
                      "under the new passphrase. The recovery key keeps working.")
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        problem = self.fields.problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


class StoreMenu(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.lock_action = QAction("&Lock now", window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.setToolTip("Close the store and hide its data (Ctrl+L)")
        self.lock_action.triggered.connect(lambda: window.lock())
        self.passphrase_action = QAction("Change &passphrase…", window)
        self.passphrase_action.triggered.connect(self.change_passphrase)
        self.rekey_action = QAction("&Rotate database key…", window)
        self.rekey_action.triggered.connect(self.rekey)
        self.remember_action = QAction("Remember on this &device", window)
        self.remember_action.setObjectName("remember")
        self.remember_action.setCheckable(True)
        self.remember_action.toggled.connect(self.set_remember)
        self.idle_action = QAction("&Auto-lock after…", window)
        self.idle_action.triggered.connect(self.ask_idle_minutes)
        self.data_actions = [self.passphrase_action, self.rekey_action, self.remember_action,
                             self.idle_action, self.lock_action]
        self.refresh_remember()

    def build(self, menu: QMenu) -> None:
        menu.addAction(self.lock_action)
        menu.addSeparator()
        menu.addAction(self.passphrase_action)
        menu.addAction(self.rekey_action)
        menu.addAction(self.remember_action)
        menu.addAction(self.idle_action)
        menu.setToolTipsVisible(True)

    def refresh_remember(self) -> None:
        info = store_admin.store_info(self.window.folder)
        self.remember_action.blockSignals(True)
        self.remember_action.setChecked(info.remembered)
        self.remember_action.blockSignals(False)
        self.remember_action.setEnabled(info.keyring_available)
        self.remember_action.setToolTip(
            "Unlock from this device's keyring at start, without the passphrase"
            if info.keyring_available else NO_KEYRING_TIP)
        if not info.keyring_available:
            self.remember_action.setText("Remember on this device (unavailable here)")

    # ---- running a store job with a progress dialog -------------------------------------

    def _run(self, title: str, function: JobFunction, done: str) -> None:
        progress = QProgressDialog(title, "", 0, 0, self.window)
        progress.setCancelButton(None)  # none of these can stop half-way safely
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)

        def finished(_result: Any) -> None:
            progress.close()
            QApplication.restoreOverrideCursor()
            self.window.statusBar().showMessage(done, 10_000)

        def failed(error: BaseException) -> None:
            progress.close()
            QApplication.restoreOverrideCursor()
            self.window.show_error(error)

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        job = run_job(function, self.window, finished, failed)

        def show_progress(value: int, total: int) -> None:
            progress.setMaximum(total)
            progress.setValue(value)

        job.progressed.connect(show_progress)

    def backup(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self.window, "Back up the store",
                                                    "jointops-backup.jobak",
                                                    "JointOps backups (*.jobak)")
        if name:
            self.backup_to(Path(name))

    def backup_to(self, target: Path) -> None:
        ctx = self.window.context()

        def work(progress: Progress, _cancel: Cancel) -> None:
            store_admin.backup(ctx, target, progress)

        self._run("Writing the backup…", work,
                  f"Backup written to {target}. It is encrypted with the same key: keep the "
                  "recovery key to restore it.")

    def change_passphrase(self) -> None:
        dialog = ChangePassphraseDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_passphrase(dialog.fields.passphrase()))
        dialog.open()

    def set_passphrase(self, passphrase: str) -> None:
        ctx = self.window.context()

        def work(_progress: Progress, _cancel: Cancel) -> None:
            store_admin.change_passphrase(ctx, passphrase)

        self._run("Changing the passphrase…", work, "The passphrase was changed.")

    def rekey(self) -> None:
        answer = QMessageBox.question(
            self.window, "Rotate database key",
            "Re-encrypt the whole store under a new random key? This takes a while for a "
            "large store; the passphrase and recovery key stay the same. Backups made "
            "before stay readable with them.")
        if answer == QMessageBox.StandardButton.Yes:
            self.rotate_key()

    def rotate_key(self) -> None:
        ctx = self.window.context()
        self._run("Re-encrypting the store under a new key…",
                  lambda _p, _c: store_admin.rekey(ctx), "The database key was rotated.")

    def set_remember(self, remember: bool) -> None:
        settle_readers()
        try:
            done = store_admin.set_remember(self.window.context(), remember)
        except KnownError as error:
            self.window.show_error(error)
            done = True
        if not done:
            self.window.show_error(KnownError(
                "This device's keyring refused the key; the store is not remembered here."))
        self.refresh_remember()

    def ask_idle_minutes(self) -> None:
        ctx = self.window.context()
        minutes, ok = QInputDialog.getInt(
            self.window, "Auto-lock", "Lock JointOps after this many minutes without input "
            "(0: never):", store_admin.idle_lock_minutes(ctx), 0, 24 * 60)
        if ok:
            self.set_idle_minutes(minutes)

    def set_idle_minutes(self, minutes: int) -> None:
        settle_readers()
        try:
            store_admin.set_idle_lock_minutes(self.window.context(), minutes)
        except KnownError as error:
            self.window.show_error(error)
            return
        self.window.idle.set_minutes(minutes)
        self.window.statusBar().showMessage(
            f"JointOps locks after {minutes} minutes without input." if minutes
            else "Auto-lock is off.", 10_000)
