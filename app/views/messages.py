"""How the GUI tells people about errors: a known error is its sentence in a message box;
anything else is a bug, logged with its traceback, and a crash dialog says where."""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import platformdirs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.core.errors import KnownError

LOG_NAME = "jointops.log"


def log_file() -> Path:
    return Path(platformdirs.user_log_dir("JointOps")) / LOG_NAME


def _message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str,
                 text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def show_known_error(parent: QWidget | None, error: KnownError,
                     title: str = "JointOps") -> QMessageBox:
    """Show the error's sentence; window-modal and not blocking, so a caller's own loop
    (and a test) carries on while it is open."""
    box = _message_box(parent, QMessageBox.Icon.Warning, title, str(error))
    box.open()
    return box


def write_bug_log(error: BaseException) -> Path | None:
    """Append the traceback to the log; tracebacks hold no local values, so no secrets."""
    text = "".join(traceback.format_exception(error))
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} jointops gui\n{text}\n")
    except OSError:
        print(text, file=sys.stderr)
        return None
    return path


def show_crash(parent: QWidget | None, error: BaseException) -> QMessageBox:
    path = write_bug_log(error)
    where = (f"The details are in {path}; please send that file to whoever supports "
             "JointOps in your agency." if path else
             "The details could not be written to the log and were printed on the console.")
    text = (f"Something went wrong inside JointOps ({type(error).__name__}). This is a bug, "
            f"not something you did. {where} Your data is safe: every save is complete or "
            "not made at all.")
    box = _message_box(parent, QMessageBox.Icon.Critical, "JointOps: unexpected error", text)
    box.open()
    return box


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    if isinstance(error, KnownError):
        return show_known_error(parent, error)
    return show_crash(parent, error)


def install_excepthook() -> None:
    """Exceptions that escape a slot end up here instead of vanishing into stderr."""

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        show_error(QApplication.activeWindow(), error.with_traceback(tb))

    sys.excepthook = hook
