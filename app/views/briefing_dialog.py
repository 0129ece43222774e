"""Write one participating agency's briefing pack as a PDF, off the GUI thread."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services.briefing import build_briefing
from app.services.briefing_pdf import write_briefing_pdf
from app.services.context import AppContext
from app.services.operations import ParticipantInfo
from app.views.workers import Cancel, Progress, run_job


def default_name(codename: str, agency: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", f"{codename} briefing {agency}").strip("-")
    return f"{safe}.pdf"


class BriefingDialog(QDialog):
    def __init__(self, context: Callable[[], AppContext], codename: str,
                 participants: list[ParticipantInfo], folder: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.codename = codename
        self.folder = folder
        self.written: Path | None = None
        self.setWindowTitle(f"Briefing pack: {codename}")
        self.setMinimumWidth(620)
        intro = QLabel("A PDF for one agency: the operation order with H-hour in its own "
                       "clock, its own actions in local time, the other agencies' 24/7 "
                       "contacts, and only the targets it may see (TLP, participation).")
        intro.setWordWrap(True)
        self.agency = QComboBox()
        self.agency.setObjectName("briefingAgency")
        for p in participants:
            self.agency.addItem(f"{p.agency} ({p.country}, {p.role})", p.agency)
        self.path = QLineEdit()
        self.path.setObjectName("briefingPath")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_file)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(choose)
        form = QFormLayout()
        form.addRow("For agency:", self.agency)
        form.addRow("Save as:", where)
        self.outcome = QLabel()
        self.outcome.setObjectName("briefingOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.write_button = buttons.addButton("Write PDF",
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.write_button.setObjectName("writeBriefing")
        self.write_button.clicked.connect(self.write)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.agency.currentIndexChanged.connect(self._suggest_path)
        self._suggest_path()

    def _suggest_path(self) -> None:
        agency = str(self.agency.currentData() or "")
        self.path.setText(str(self.folder / default_name(self.codename, agency)))

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the briefing pack",
                                                self.path.text(), "PDF files (*.pdf)")
        if chosen:
            self.path.setText(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")

    def write(self) -> None:
        agency = str(self.agency.currentData() or "")
        text = self.path.text().strip()
        if not agency:
            self._say("This operation has no participating agency to brief.", error=True)
            return
        if not text:
            self._say("Choose where to save the PDF.", error=True)
            return
        target = Path(text).expanduser()
        if not target.parent.is_dir():
            self._say(f"The folder {target.parent} does not exist.", error=True)
            return
        ctx, codename = self.context(), self.codename

        def work(_progress: Progress, _cancel: Cancel) -> Path:
            write_briefing_pdf(build_briefing(ctx, codename, agency), target)
            return target

        self.write_button.setEnabled(False)
        self._say(f"Writing the briefing pack for {agency}…")
        run_job(work, self, self._written, self._failed, reader=True)

    def _written(self, result: Any) -> None:
        self.written = Path(result)
        self.write_button.setEnabled(True)
        url = QUrl.fromLocalFile(str(self.written.parent)).toString()
        self._say(f"Written to <b>{escape(str(self.written))}</b> (<a href='{url}'>open "
                  "the folder</a>). Send it to the agency by your usual secure channel.")

    def _failed(self, error: BaseException) -> None:
        self.write_button.setEnabled(True)
        if isinstance(error, KnownError):
            self._say(str(error), error=True)
        elif isinstance(error, OSError):
            self._say(f"The PDF could not be written: {error.strerror or error}.", error=True)
        else:
            raise error

    def _say(self, text: str, error: bool = False) -> None:
        self.outcome.setStyleSheet("color: #b71c1c;" if error else "")
        self.outcome.setText(text)
