"""File imports: choose, preview, map, run (off the GUI thread, with progress and
cancel), report. ``FileImportDialog`` holds the steps; each kind of file (a plan of
targets, sites and actions here; transfers and address labels in money_import.py) says
how its file is previewed, checked and imported."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

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
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.csv_rows import COLUMNS, REQUIRED, ColumnMapping, RowError, check_mapping, preview
from app.core.errors import KnownError, ValidationError
from app.services.context import AppContext
from app.services.csv_import import ImportReport, import_csv
from app.views.dialog_parts import cancel_and, error_label
from app.views.messages import show_crash
from app.views.progress_page import ProgressPage
from app.views.workers import Cancel, Job, JobFunction, Progress, run_job

PREVIEW_ROWS = 8
NOT_IN_FILE = "(not in the file)"
HELP = {"target": "name of the target", "kind": "person, organisation, wallet, premises, "
        "server", "site": "where the action happens", "country": "ISO code, e.g. KE",
        "zone": "IANA zone; needed when the country has several", "lat": "latitude",
        "lon": "longitude", "action": "arrest, search, seizure, takedown",
        "offset_min": "minutes after H-hour (default 0)", "agency": "agency that acts",
        "tlp": "TLP marking (default AMBER)"}


@dataclass(frozen=True)
class FileKind:
    """What a dialog imports: its title, the file types offered, our columns."""

    title: str
    hint: str  # placeholder of the file field
    filter: str  # for the file chooser
    columns: Sequence[str]
    required: Sequence[str]
    help: Mapping[str, str]


@dataclass(frozen=True)
class FileHead:
    """The head of a chosen file: its columns, first rows (with their line numbers) and a
    guessed mapping. ``mappable`` False: the format names its fields (nothing to map)."""

    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    mapping: Mapping[str, str]
    mappable: bool = True


class Report(Protocol):
    """What every import service reports."""

    @property
    def errors(self) -> list[RowError]: ...

    @property
    def imported(self) -> bool: ...

    def summary(self) -> str: ...


class FileImportDialog(QDialog):
    """Emits ``imported(report)`` after an import that changed the store.

    Subclasses give ``read_head``, ``check_choice`` and ``make_job``, and may add fields
    under the file in ``add_options``."""

    imported = Signal(object)

    def __init__(self, context: Callable[[], AppContext], kind: FileKind,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.kind = kind
        self.path: Path | None = None
        self.headers: tuple[str, ...] = ()
        self.mappable = True
        self.job: Job | None = None
        self.report: Any = None
        self.setWindowTitle(kind.title)
        self.resize(820, 640)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page())
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._result_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # ---- what each kind of file says ---------------------------------------------------

    def add_options(self, layout: QVBoxLayout) -> None:
        """Fields between the file and its preview (none by default)."""

    def read_head(self, path: Path) -> FileHead:
        raise NotImplementedError

    def check_choice(self, mapping: ColumnMapping) -> None:
        """Refuse, with a KnownError, what cannot be imported before it runs."""

    def make_job(self, path: Path, mapping: ColumnMapping) -> tuple[JobFunction, str]:
        """The import to run on a worker thread, and what it reads into what (a line for
        the result page)."""
        raise NotImplementedError

    # ---- page 1: file, preview, mapping -------------------------------------------------

    def _choose_page(self) -> QWidget:
        page = QWidget()
        self.file = QLineEdit()
        self.file.setObjectName("file")
        self.file.setReadOnly(True)
        self.file.setPlaceholderText(self.kind.hint)
        browse = QPushButton("Choose file…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("File:"))
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
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
        for i, column in enumerate(self.kind.columns):
            combo = QComboBox()
            combo.setObjectName(f"map_{column}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(120)
            self.combos[column] = combo
            star = " *" if column in self.kind.required else ""
            hint = QLabel(self.kind.help.get(column, ""))
            hint.setStyleSheet("color: gray;")
            row, col = divmod(i, 2)
            grid.addWidget(QLabel(f"{column}{star}"), row, col * 3)
            grid.addWidget(combo, row, col * 3 + 1)
            grid.addWidget(hint, row, col * 3 + 2)
        self.choose_error = error_label()
        self.start = QPushButton("Import")
        self.start.setObjectName("start")
        self.start.setEnabled(False)
        self.start.clicked.connect(self.start_import)
        buttons = cancel_and(self, self.start)
        layout = QVBoxLayout(page)
        layout.addLayout(file_row)
        self.add_options(layout)
        layout.addWidget(preview_box)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.choose_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, self.kind.title, "",
                                                    self.kind.filter)
        if name:
            self.set_file(Path(name))

    def set_file(self, path: Path) -> None:
        """Read the head of ``path``: preview and guessed mapping, or why it cannot be."""
        self.path = path
        self.file.setText(str(path))
        self.choose_error.hide()
        self.start.setEnabled(False)
        try:
            head = self.read_head(path)
        except KnownError as error:
            self.preview.clear()
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            self._show_choose_error(str(error))
            return
        self.headers = head.headers
        self.mappable = head.mappable
        self.mapping_box.setVisible(head.mappable)
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

    def start_import(self) -> None:
        if self.path is None:
            self._show_choose_error("Choose a file to import.")
            return
        mapping = self.mapping()
        try:
            self.check_choice(mapping)
            work, source = self.make_job(self.path, mapping)
        except KnownError as error:
            self._show_choose_error(str(error))
            return
        self.result_source.setText(source)
        self.pages.setCurrentIndex(1)
        self.running.start(f"Reading and checking the rows of {self.path.name}…")
        self.job = run_job(work, self, self._done, self._failed)
        self.job.progressed.connect(self.running.progressed)

    # ---- page 2: running ---------------------------------------------------------------

    def _progress_page(self) -> QWidget:
        self.running = page = ProgressPage("cancelImport")
        self.progress_text, self.progress, self.cancel_button = page.text, page.bar, page.cancel
        self.cancel_button.clicked.connect(self.cancel_import)
        return page

    def cancel_import(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.running.cancelling()

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
        report: Report = result
        self.job = None
        self.report = report
        unit = str(getattr(report, "unit", "line")).capitalize()
        self.refused.setHorizontalHeaderLabels([unit, "Why it was refused"])
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


class ImportDialog(FileImportDialog):
    """Targets, sites and actions from a CSV file, into an operation (a new codename
    creates it)."""

    def __init__(self, context: Callable[[], AppContext], codenames: list[str],
                 codename: str = "", parent: QWidget | None = None) -> None:
        self.codenames = codenames
        self.codename = codename
        super().__init__(context, FileKind("Import CSV", "a CSV file, one row per action",
                                           "CSV files (*.csv *.txt);;All files (*)", COLUMNS,
                                           REQUIRED, HELP), parent)

    def add_options(self, layout: QVBoxLayout) -> None:
        self.operation = QComboBox()
        self.operation.setObjectName("operation")
        self.operation.setEditable(True)
        self.operation.addItems(self.codenames)
        self.operation.setCurrentText(self.codename)
        line = self.operation.lineEdit()
        if line is not None:
            line.setPlaceholderText("a codename; a new one creates the operation")
        op_row = QHBoxLayout()
        op_row.addWidget(QLabel("Into operation:"))
        op_row.addWidget(self.operation, 1)
        op_row.addWidget(QLabel("(pick one, or type a new codename to create it)"))
        layout.addLayout(op_row)

    def read_head(self, path: Path) -> FileHead:
        head = preview(path, PREVIEW_ROWS)
        return FileHead(head.layout.headers, head.rows, head.mapping)

    def check_choice(self, mapping: ColumnMapping) -> None:
        if not self.operation.currentText().strip():
            raise ValidationError("Name the operation to import into.")
        check_mapping(mapping, self.headers)

    def make_job(self, path: Path, mapping: ColumnMapping) -> tuple[JobFunction, str]:
        codename, context = self.operation.currentText().strip(), self.context()

        def work(progress: Progress, cancel: Cancel) -> ImportReport:
            return import_csv(context, codename, path, mapping, progress, cancel)

        return work, f"File {path} into operation {codename}"
