"""STIX 2.1 export and import dialogs: export for a recipient (optionally anonymised) off the
GUI thread; import with a preview of what will be created and skipped, progress, Cancel,
and a report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
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

from app.core.errors import KnownError
from app.services.context import AppContext
from app.services.stix_export import COMMUNITY, StixExportReport, export_stix, recipients
from app.services.stix_import import (
    PlannedRecord,
    StixImportReport,
    StixPlan,
    import_stix,
    plan_import,
)
from app.views.dialog_parts import ERROR_COLOUR, cancel_and, error_label
from app.views.messages import show_crash
from app.views.progress_page import ProgressPage
from app.views.workers import Cancel, Job, Progress, run_job

STIX_FILTER = "STIX 2.1 bundles (*.json);;All files (*)"
ERROR_STYLE = f"color: {ERROR_COLOUR};"


def _file_row(edit: QLineEdit, browse: Callable[[], None]) -> QHBoxLayout:
    button = QPushButton("Choose file…")
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def _table(headers: list[str], stretch: int = -1) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for i in range(len(headers)):
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch % len(headers), QHeaderView.ResizeMode.Stretch)
    return table


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _details(record: PlannedRecord, names: dict[str, str]) -> str:
    """What a planned record holds besides its name, in a few words."""
    v = record.values
    if record.kind == "wallet":
        owner = names.get(record.owner)
        return f"{v['chain']}; " + (f"belongs to {owner}" if owner else
                                     "with a wallet target of its own")
    if record.kind == "site":
        point = f", {v['lat']}, {v['lon']}" if v.get("lat") is not None else ""
        return f"{v['country']} ({v['zone']}){point}"
    parts = [str(v.get("country") or "no country")]
    if v.get("aliases"):
        parts.append("aka " + ", ".join(v["aliases"]))
    if v.get("location"):
        parts.append(f"at {v['location']}")
    return "; ".join(parts)


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    if len(rows) <= 500:  # row heights for wrapped reasons; slow on thousands
        table.resizeRowsToContents()


class StixExportDialog(QDialog):
    """Emits ``exported(report)`` once the file is written."""

    exported = Signal(object)

    def __init__(self, context: Callable[[], AppContext], codenames: list[str],
                 codename: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.job: Job | None = None
        self.report: StixExportReport | None = None
        self.setWindowTitle("Export STIX 2.1")
        self.resize(640, 360)
        heading = QLabel("<h3>Export an operation as STIX 2.1</h3>For MISP, OpenCTI and "
                         "partners' own tools. Records the recipient may not see are left "
                         "out, as in bundles; every object carries its TLP 2.0 marking.")
        heading.setWordWrap(True)
        self.operation = QComboBox()
        self.operation.setObjectName("operation")
        self.operation.addItems(codenames)
        if codename:
            self.operation.setCurrentText(codename)
        self.operation.currentTextChanged.connect(lambda _t: self._fill_recipients())
        self.recipient = QComboBox()
        self.recipient.setObjectName("recipient")
        self.anonymised = QCheckBox("Anonymised: no names of people, aliases, nationalities, "
                                    "sites or addresses (for threat-mapping platforms)")
        self.anonymised.setObjectName("anonymised")
        self.file = QLineEdit()
        self.file.setObjectName("file")
        self.file.setPlaceholderText("where to write the bundle (.json)")
        self.file.textChanged.connect(lambda _t: self._update())
        form = QFormLayout()
        form.addRow("Operation:", self.operation)
        form.addRow("For:", self.recipient)
        form.addRow("", self.anonymised)
        form.addRow("File:", _file_row(self.file, self._browse))
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.hide()
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("close")
        self.close_button.clicked.connect(self.reject)
        self.start = QPushButton("Export")
        self.start.setObjectName("start")
        self.start.setDefault(True)
        self.start.clicked.connect(self.start_export)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.outcome, 1)
        layout.addLayout(buttons)
        self._fill_recipients()
        self._update()

    def _fill_recipients(self) -> None:
        self.recipient.clear()
        self.recipient.addItem(f"{COMMUNITY[0].upper()}{COMMUNITY[1:]} (TLP:CLEAR and GREEN "
                               "only)", "")
        codename = self.operation.currentText()
        if codename:
            try:
                for agency_id, name in recipients(self.context(), codename):
                    self.recipient.addItem(name, agency_id)
            except KnownError as error:
                self._say(str(error), error=True)

    def _browse(self) -> None:
        name, _f = QFileDialog.getSaveFileName(self, "Export STIX 2.1", "", STIX_FILTER)
        if name:
            self.file.setText(name)

    def _update(self) -> None:
        self.start.setEnabled(bool(self.file.text().strip()) and self.job is None
                              and bool(self.operation.currentText()))

    def _say(self, text: str, error: bool = False) -> None:
        self.outcome.setText(text)
        self.outcome.setStyleSheet(ERROR_STYLE if error else "")

    def start_export(self) -> None:
        path = Path(self.file.text().strip())
        codename = self.operation.currentText()
        agency_id = str(self.recipient.currentData() or "") or None
        anonymised = self.anonymised.isChecked()
        if path.is_dir() or not path.parent.is_dir():
            self._say(f"{path} is not a file in an existing folder.", error=True)
            return
        context = self.context()

        def work(progress: Progress, cancel: Cancel) -> StixExportReport:
            return export_stix(context, codename, path, agency_id, anonymised, progress,
                               cancel)

        self.progress.setRange(0, 0)
        self.progress.show()
        self._say(f"Writing {path.name}…")
        self.job = run_job(work, self, self._done, self._failed)
        self.job.progressed.connect(self._progressed)
        self._update()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _done(self, result: Any) -> None:
        report: StixExportReport = result
        self.job = None
        self.report = report
        self.progress.hide()
        left = "".join(f"\n  left out: {n} ({reason})"
                       for reason, n in sorted(report.withheld.items()))
        self._say(report.summary()[0].upper() + report.summary()[1:] + left)
        self.close_button.setText("Close")
        self._update()
        self.exported.emit(report)

    def _failed(self, error: BaseException) -> None:
        self.job = None
        self.progress.hide()
        self._update()
        if isinstance(error, KnownError):
            self._say(str(error), error=True)
        else:
            show_crash(self, error)

    def reject(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            return
        super().reject()


CHOOSE, RUNNING, PLAN = 0, 1, 2


class StixImportDialog(QDialog):
    """Choose a file, preview what it gives, import it. Emits ``imported(report)``."""

    imported = Signal(object)

    def __init__(self, context: Callable[[], AppContext], codenames: list[str],
                 codename: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.job: Job | None = None
        self.plan: StixPlan | None = None
        self.report: StixImportReport | None = None
        self.path: Path | None = None
        self.setWindowTitle("Import STIX 2.1")
        self.resize(900, 640)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page(codenames, codename))
        self.pages.addWidget(self._running_page())
        self.pages.addWidget(self._plan_page())
        QVBoxLayout(self).addWidget(self.pages)

    # ---- choose --------------------------------------------------------------------------

    def _choose_page(self, codenames: list[str], codename: str) -> QWidget:
        page = QWidget()
        heading = QLabel("<h3>Import a STIX 2.1 bundle</h3>From MISP, OpenCTI or another "
                         "JointOps: threat actors and intrusion sets become targets, wallet "
                         "indicators wallets, locations sites and countries. You see what "
                         "will be created and what skipped, and why, before anything is "
                         "written.")
        heading.setWordWrap(True)
        self.operation = QComboBox()
        self.operation.setObjectName("operation")
        self.operation.addItems(codenames)
        if codename:
            self.operation.setCurrentText(codename)
        self.file = QLineEdit()
        self.file.setObjectName("file")
        self.file.setPlaceholderText("a STIX 2.1 bundle (.json)")
        form = QFormLayout()
        form.addRow("Into operation:", self.operation)
        form.addRow("File:", _file_row(self.file, self._browse))
        self.choose_error = error_label("chooseError")
        self.choose_error.show()  # empty until a choice is refused
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("preview")
        self.preview_button.clicked.connect(self.start_preview)
        buttons = cancel_and(self, self.preview_button)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.choose_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _browse(self) -> None:
        name, _f = QFileDialog.getOpenFileName(self, "Import STIX 2.1", "", STIX_FILTER)
        if name:
            self.file.setText(name)

    # ---- running (preview or import) -----------------------------------------------------

    def _running_page(self) -> QWidget:
        self.running = page = ProgressPage("cancelRun")
        page.text.setObjectName("runningText")
        self.running_text, self.progress, self.cancel_button = page.text, page.bar, page.cancel
        self.cancel_button.clicked.connect(self.cancel_run)
        return page

    def _run(self, text: str, work: Callable[[Progress, Cancel], Any],
             done: Callable[[Any], None], reader: bool) -> None:
        self.running.start(text)
        self.pages.setCurrentIndex(RUNNING)
        self.job = run_job(work, self, done, self._failed, reader=reader)
        self.job.progressed.connect(self.running.progressed)

    def cancel_run(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.running.cancelling()

    def start_preview(self) -> None:
        text = self.file.text().strip()
        codename = self.operation.currentText().strip()
        if not text or not codename:
            self.choose_error.setText("Choose a file and the operation to import into.")
            return
        path, context = Path(text), self.context()
        if not path.is_file():
            self.choose_error.setText(f"There is no file {path}.")
            return
        self.path = path
        self.choose_error.clear()

        def work(progress: Progress, cancel: Cancel) -> StixPlan:
            return plan_import(context, codename, path, progress, cancel)

        self._run(f"Reading and checking {path.name}…", work, self._planned, reader=True)

    def _failed(self, error: BaseException) -> None:
        self.job = None
        self.pages.setCurrentIndex(CHOOSE)
        if isinstance(error, KnownError):
            self.choose_error.setText(str(error))
        else:
            show_crash(self, error)

    # ---- the plan, then the report -------------------------------------------------------

    def _plan_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.created = _table(["Will create", "Name", "Details", "TLP"], stretch=2)
        self.created.setObjectName("created")
        self.skipped = _table(["Skipped", "Name", "Why"], stretch=2)
        self.skipped.setObjectName("skipped")
        self.back = QPushButton("Back")
        self.back.clicked.connect(lambda: self.pages.setCurrentIndex(CHOOSE))
        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("import")
        self.import_button.clicked.connect(self.start_import)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("close")
        self.close_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addStretch(1)
        row.addWidget(self.close_button)
        row.addWidget(self.import_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addWidget(self.created, 2)
        layout.addWidget(self.skipped, 3)
        layout.addLayout(row)
        return page

    def _planned(self, result: Any) -> None:
        plan: StixPlan = result
        self.job = None
        self.plan = plan
        counts = plan.counts()
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(plan.target_kinds().items()))
        self.summary.setText(
            f"{plan.file} into {plan.codename} ({_plural(plan.objects, 'object')}; the "
            f"operation takes up to TLP:{plan.allowed}).\nWill import "
            f"{_plural(counts['target'], 'target')} ({kinds or 'none'}), "
            f"{_plural(counts['site'], 'site')}, {_plural(counts['wallet'], 'wallet')} and "
            f"{_plural(plan.relationships, 'relationship')}; "
            f"{_plural(len(plan.skipped), 'object')} skipped.")
        self.summary.setStyleSheet("")
        self.created.setHorizontalHeaderLabels(["Will create", "Name", "Details", "TLP"])
        names = {r.stix_id: str(r.values.get("name", "")) for r in plan.records}
        _fill(self.created, [(r.kind if r.kind != "target" else str(r.values["kind"]),
                              str(r.values.get("name") or r.values.get("label", "")),
                              _details(r, names), str(r.values["tlp"]))
                             for r in plan.records])
        _fill(self.skipped, [(s.type or "?", s.name, s.reason) for s in plan.skipped])
        self.import_button.setVisible(True)
        self.import_button.setEnabled(bool(plan.records))
        self.back.setVisible(True)
        self.close_button.setText("Cancel")
        self.pages.setCurrentIndex(PLAN)

    def start_import(self) -> None:
        plan, path, context = self.plan, self.path, self.context()
        assert plan is not None and path is not None
        codename = plan.codename

        def work(progress: Progress, cancel: Cancel) -> StixImportReport:
            return import_stix(context, codename, path, progress, cancel, plan=plan)

        self._run(f"Importing {path.name} into {codename}…", work, self._imported,
                  reader=False)

    def _imported(self, result: Any) -> None:
        report: StixImportReport = result
        self.job = None
        self.report = report
        self.pages.setCurrentIndex(PLAN)
        self.summary.setText(report.summary())
        self.summary.setStyleSheet(ERROR_STYLE if report.cancelled else "")
        self.import_button.setVisible(report.cancelled)
        self.back.setVisible(report.cancelled)
        self.close_button.setText("Cancel" if report.cancelled else "Close")
        if not report.cancelled:
            self.created.setHorizontalHeaderLabels(["Created", "Name", "Details", "TLP"])
            self.imported.emit(report)

    def reject(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.cancel_run()
            return
        super().reject()
