"""The GUI's entry point: first start or unlock, then the main window.

Scripts and benchmarks may set JOINTOPS_PASSPHRASE (tried before any dialog) and
JOINTOPS_EXIT_WHEN_SHOWN=1: once the main window is on screen, print
"JOINTOPS_SHOWN <epoch seconds>" on stdout and quit.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.core.errors import KnownError, UnlockError
from app.services import operations
from app.services.context import AppContext, open_store
from app.services.store_admin import StoreInfo, check_openable, store_info
from app.views.main_window import MainWindow
from app.views.messages import install_excepthook, show_crash
from app.views.recovery_dialog import RecoveryKeyDialog
from app.views.setup_dialog import SetupDialog
from app.views.unlock_dialog import UnlockDialog

PASSPHRASE_ENV = "JOINTOPS_PASSPHRASE"
EXIT_WHEN_SHOWN_ENV = "JOINTOPS_EXIT_WHEN_SHOWN"
SHOWN_MARK = "JOINTOPS_SHOWN"


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    created = QApplication(sys.argv[:1])
    created.setApplicationName("JointOps")
    created.setOrganizationName("JointOps")
    created.setApplicationDisplayName("JointOps")
    return created


def _fatal(error: KnownError) -> int:
    box = QMessageBox(QMessageBox.Icon.Critical, "JointOps: the store cannot be opened",
                      str(error), QMessageBox.StandardButton.Ok)
    box.exec()
    return error.exit_code


def first_start(info: StoreInfo) -> AppContext | None:
    setup = SetupDialog(info)
    if setup.exec() != QDialog.DialogCode.Accepted or setup.context is None:
        return None
    RecoveryKeyDialog(setup.recovery_key).exec()
    setup.recovery_key = ""
    return setup.context


def unlock(info: StoreInfo) -> AppContext | None:
    """The keyring (silently) when this device remembers the store, then the scripted
    passphrase, then the dialog. Raises known errors no secret would fix."""
    check_openable(info.folder)
    reason = ""
    if info.remembered:
        try:
            return open_store(info.folder, use_keyring=True)
        except UnlockError:
            reason = ("This device's keyring did not unlock the store; enter the passphrase "
                      "(you can turn Remember on this device on again afterwards).")
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase:
        try:
            return open_store(info.folder, passphrase=passphrase)
        except UnlockError as error:
            reason = f"{error} ({PASSPHRASE_ENV} is set but did not unlock the store.)"
    dialog = UnlockDialog(info, reason=reason)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.context


def ensure_demo(ctx: AppContext) -> str:
    """The demo operation's id, created when missing."""
    from app.services import demo

    codename = demo.DEMO_CODENAME
    for summary in operations.list_operations(ctx):
        if summary.codename == codename:
            return summary.id
    op_id, _change = demo.create_demo(ctx)
    return op_id


def run_gui(store_dir: Path, demo: bool) -> int:
    app = application()
    install_excepthook()
    try:
        info = store_info(store_dir)
        ctx = unlock(info) if info.exists else first_start(info)
    except KnownError as error:
        return _fatal(error)
    if ctx is None:
        return 0
    try:
        op_id = ensure_demo(ctx) if demo else ""
        window = MainWindow(ctx, store_dir)
    except KnownError as error:
        ctx.close()
        return _fatal(error)
    except Exception as error:
        ctx.close()
        show_crash(None, error).exec()
        return 70
    if op_id:
        window.select_operation(op_id)
    elif window.operations.list.count():
        window.operations.list.setCurrentRow(0)
    window.show()
    if os.environ.get(EXIT_WHEN_SHOWN_ENV) == "1":
        def shown() -> None:
            # Runs once the event loop has handled the show and the first paint.
            print(f"{SHOWN_MARK} {time.time():.6f}", flush=True)
            window.close()

        QTimer.singleShot(0, shown)
    return app.exec()
