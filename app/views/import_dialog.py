"""Import targets, sites and actions from a CSV file: choose, preview, map, run, report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.csv_rows import COLUMNS, REQUIRED, ColumnMapping, check_mapping, preview
from app.core.errors import KnownError
from app.services.context import AppContext
from app.services.csv_import import ImportReport, import_csv
from app.views.messages import show_crash
from app.views.workers import Cancel, Job, Progress, run_job

PREVIEW_ROWS = 8
NOT_IN_FILE = "(not in the file)"
HELP = {"target": "name of the target", "kind": "person, organisation, wallet, premises, "
        "server", "site": "where the action happens", "country": "ISO code, e.g. KE",
        "zone": "IANA zone; needed when the country has several", "lat": "latitude",
        "lon": "longitude", "action": "arrest, search, seizure, takedown",
        "offset_min": "minutes after H-hour (default 0)", "agency": "agency that acts",
        "tlp": "TLP marking (default AMBER)"}


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020; font-weight: bold;")
    label.hide()
    return label


class ImportDialog(QDialog):
    """Emits ``imported(report)`` after an import that changed the store."""

    imported = Signal(object)

    def __init__(self, context: Callable[[], AppContext], codenames: list[str],
                 codename: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.path: Path | None = None
        self.headers: tuple[str, ...] = ()
        self.job: Job | None = None
        self.report: ImportReport | None = None
        self.setWindowTitle("Import CSV")
        self.resize(820, 640)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page(codenames, codename))
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._result_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # ---- page 1: file, preview, mapping -------------------------------------------------

    def _choose_page(self, codenames: list[str], codename: str) -> QWidget:
        page = QWidget()
        self.file = QLineEdit()
        self.file.setObjectName("file")
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("a CSV file, one row per action")
        browse = QPushButton("Choose file…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("File:"))
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        self.operation = QComboBox()
        self.operation.setObjectName("operation")
        self.operation.setEditable(True)
        self.operation.addItems(codenames)
        self.operation.setCurrentText(codename)
        line = self.operation.lineEdit()
        if line is not None:
            line.setPlaceholderText("a codename; a new one creates the operation")
        op_row = QHBoxLayout()
        op_row.addWidget(QLabel("Into operation:"))
        op_row.addWidget(self.operation, 1)
        op_row.addWidget(QLabel("(pick one, or type a new codename to create it)"))
        self.preview = QTableWidget()
        self.preview.setObjectName("preview")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setMaximumHeight(220)
        self.preview.verticalHeader().setDefaultSectionSize(
            self.preview.fontMetrics().height() + 6)
        preview_box = QGroupBox("First rows of the file (on the left: their line numbers in "
                                "the file)")
        QVBoxLayout(preview_box).addWidget(self.preview)
        self.mapping_box = QGroupBox("Columns: which column of the file holds each of ours "
                                     "(* required)")
        grid = QGridLayout(self.mapping_box)
        self.combos: dict[str, QComboBox] = {}
        for i, column in enumerate(COLUMNS):
            combo = QComboBox()
            combo.setObjectName(f"map_{column}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(120)
            self.combos[column] = combo
            star = " *" if column in REQUIRED else ""
            hint = QLabel(HELP[column])
            hint.setStyleSheet("color: gray;")
            row, col = divmod(i, 2)
            grid.addWidget(QLabel(f"{column}{star}"), row, col * 3)
            grid.addWidget(combo, row, col * 3 + 1)
            grid.addWidget(hint, row, col * 3 + 2)
        self.choose_error = _error_label()
        self.start = QPushButton("Import")
        self.start.setObjectName("start")
        self.start.setDefault(True)
        self.start.setEnabled(False)
        self.start.clicked.connect(self.start_import)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start)
        layout = QVBoxLayout(page)
        layout.addLayout(file_row)
        layout.addLayout(op_row)
        layout.addWidget(preview_box)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.choose_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Import CSV", "",
                                                    "CSV files (*.csv *.txt);;All files (*)")
        if name:
            self.set_file(Path(name))

    def set_file(self, path: Path) -> None:
        """Read the head of ``path``: preview and guessed mapping, or why it cannot be."""
        self.path = path
        self.file.setText(str(path))
        self.choose_error.hide()
        self.start.setEnabled(False)
        try:
            head = preview(path, PREVIEW_ROWS)
        except KnownError as error:
            self.preview.clear()
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            self._show_choose_error(str(error))
            return
        self.headers = head.layout.headers
        self.preview.clear()
        self.preview.setColumnCount(len(self.headers))
        self.preview.setHorizontalHeaderLabels(list(self.headers))
        self.preview.setRowCount(len(head.rows))
        self.preview.setVerticalHeaderLabels([str(line) for line, _ in head.rows])
        for r, (_line, values) in enumerate(head.rows):
            for c, value in enumerate(values):
                self.preview.setItem(r, c, QTableWidgetItem(value))
        self.preview.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        for column, combo in self.combos.items():
            combo.clear()
            combo.addItem(NOT_IN_FILE, "")
            for header in self.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(combo.findData(head.mapping.get(column, "")), 0))
        self.start.setEnabled(True)

    def _show_choose_error(self, text: str) -> None:
        self.choose_error.setText(text)
        self.choose_error.show()

    def mapping(self) -> ColumnMapping:
        return {column: str(combo.currentData()) for column, combo in self.combos.items()
                if combo.currentData()}

    # ---- page 2: running ---------------------------------------------------------------

    def _progress_page(self) -> QWidget:
        page = QWidget()
        self.progress_text = QLabel("Reading and checking the rows…")
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelImport")
        self.cancel_button.clicked.connect(self.cancel_import)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.progress_text)
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def start_import(self) -> None:
        codename = self.operation.currentText().strip()
        if self.path is None:
            self._show_choose_error("Choose a file to import.")
            return
        if not codename:
            self._show_choose_error("Name the operation to import into.")
            return
        mapping = self.mapping()
        try:
            check_mapping(mapping, self.headers)
        except KnownError as error:
            self._show_choose_error(str(error))
            return
        path, context = self.path, self.context()

        def work(progress: Progress, cancel: Cancel) -> ImportReport:
            return import_csv(context, codename, path, mapping, progress, cancel)

        self.result_source.setText(f"File {path} into operation {codename}")
        self.pages.setCurrentIndex(1)
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.progress_text.setText(f"Reading and checking the rows of {path.name}…")
        self.job = run_job(work, self, self._done, self._failed)
        self.job.progressed.connect(self._progressed)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def cancel_import(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_text.setText("Cancelling: nothing will be imported…")

    def reject(self) -> None:
        # Closing the window while the import runs cancels it first.
        if self.job is not None and self.job.isRunning():
            self.cancel_import()
            return
        super().reject()

    # ---- page 3: result ----------------------------------------------------------------

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary.setFont(font)
        self.refused = QTableWidget(0, 2)
        self.refused.setObjectName("refused")
        self.refused.setHorizontalHeaderLabels(["Line", "Why the row was refused"])
        self.refused.verticalHeader().hide()
        self.refused.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.refused.setWordWrap(True)
        header = self.refused.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.back = QPushButton("Back to the file and columns")
        self.back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        close = QPushButton("Close")
        close.setObjectName("close")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addStretch(1)
        row.addWidget(close)
        self.result_source = QLabel()
        self.result_source.setObjectName("resultSource")
        self.result_source.setTextFormat(Qt.TextFormat.PlainText)
        self.result_source.setStyleSheet("color: gray;")
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_source)
        layout.addWidget(self.summary)
        layout.addWidget(self.refused, 1)
        layout.addLayout(row)
        return page

    def _done(self, result: Any) -> None:
        report: ImportReport = result
        self.job = None
        self.report = report
        self.summary.setText(report.summary())
        self.summary.setStyleSheet("" if report.imported else "color: #b00020;")
        self.refused.setVisible(bool(report.errors))
        self.refused.setRowCount(len(report.errors))
        for r, error in enumerate(report.errors):
            line = QTableWidgetItem(str(error.line))
            line.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.refused.setItem(r, 0, line)
            self.refused.setItem(r, 1, QTableWidgetItem(error.reason))
        if len(report.errors) <= 500:  # row heights for wrapped reasons; slow on thousands
            self.refused.resizeRowsToContents()
        self.back.setVisible(not report.imported)
        self.pages.setCurrentIndex(2)
        if report.imported:
            self.imported.emit(report)

    def _failed(self, error: BaseException) -> None:
        self.job = None
        if not isinstance(error, KnownError):
            self.pages.setCurrentIndex(0)
            show_crash(self, error)
            return
        self.report = None
        self.summary.setText(f"{error} Nothing was imported.")
        self.summary.setStyleSheet("color: #b00020;")
        self.refused.hide()
        self.back.show()
        self.pages.setCurrentIndex(2)
