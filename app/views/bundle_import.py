"""Open a bundle: import it off the GUI thread, then say what changed. A refused bundle is
one sentence in a message box, and nothing in the store changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import exchange
from app.services.context import AppContext
from app.services.exchange import BundleCancelledError, BundleImportReport, BundleRefusedError
from app.views.exchange_words import counted, kind_name
from app.views.messages import show_error
from app.views.workers import Cancel, Progress, run_job

BUNDLE_SUFFIX = ".jopb"
ROSTER_WORDS = {"updated": "roster updated", "unchanged": "roster unchanged",
                "pending": "new agency, pending: compare its fingerprint in Partners & sync "
                           "before its changes apply"}


def bundle_paths(urls: list[QUrl]) -> list[Path]:
    """The local ``.jopb`` files among dropped URLs (remote or other files are ignored)."""
    return [Path(u.toLocalFile()) for u in urls
            if u.isLocalFile() and u.toLocalFile().lower().endswith(BUNDLE_SUFFIX)]


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class BundleReportDialog(QDialog):
    """What an imported bundle changed; ``review_conflicts`` when asked to see them."""

    review_conflicts = Signal()

    def __init__(self, report: BundleImportReport, path: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"Bundle from {report.sender}")
        self.setMinimumWidth(680)
        m = report.merge
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary.setFont(font)
        source = QLabel(f"{path.name} · bundle {report.bundle_id}")
        source.setObjectName("source")
        source.setStyleSheet("color: gray;")
        source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(source)
        layout.addWidget(self.summary)
        self.records = _table(["Records", "New", "Updated"], "records")
        self.refused = _table(["Change", "Why it was refused"], "refused")
        self.notes = QLabel()
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        self.conflicts = QLabel()
        self.conflicts.setObjectName("conflicts")
        self.conflicts.setWordWrap(True)
        self.review = QPushButton("Review conflicts…")
        self.review.setObjectName("review")
        self.review.clicked.connect(self._review)
        if report.duplicate_bundle:
            self.summary.setText(f"This bundle from {report.sender} was imported before; "
                                 "nothing was done.")
        else:
            self.summary.setText(self._summary_text())
            self._fill(layout)
        close = QPushButton("Close")
        close.setObjectName("close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addStretch(1)
        layout.addLayout(row)
        self.review.setVisible(not report.duplicate_bundle and m.conflicts > 0)
        self.resize(max(self.sizeHint().width(), 720), self.sizeHint().height())

    def _summary_text(self) -> str:
        m = self.report.merge
        new, updated = sum(m.created.values()), sum(m.updated.values())
        text = (f"From {self.report.sender}: {counted(m.applied, 'change')} applied "
                f"({new:,} new and {updated:,} updated records).")
        if m.refused:
            text += f" {counted(len(m.refused), 'change')} refused."
        if m.conflicts:
            text += f" {counted(m.conflicts, 'conflict')} to review."
        return text

    def _fill(self, layout: QVBoxLayout) -> None:
        m = self.report.merge
        kinds = sorted(set(m.created) | set(m.updated))
        if kinds:
            self.records.setRowCount(len(kinds))
            for r, kind in enumerate(kinds):
                values = (kind_name(kind, 2).capitalize(), str(m.created.get(kind, 0)),
                          str(m.updated.get(kind, 0)))
                for c, value in enumerate(values):
                    item = QTableWidgetItem(value)
                    if c:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                              | Qt.AlignmentFlag.AlignVCenter)
                    self.records.setItem(r, c, item)
            self.records.horizontalHeader().setStretchLastSection(False)
            self.records.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
            self.records.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.records.resizeColumnsToContents()
            for column in (1, 2):
                self.records.setColumnWidth(column, max(self.records.columnWidth(column), 80))
            frame = 2 * self.records.frameWidth()
            self.records.setFixedSize(
                frame + sum(self.records.columnWidth(c) for c in range(3)),
                frame + self.records.horizontalHeader().sizeHint().height()
                + sum(self.records.rowHeight(r) for r in range(len(kinds))))
            layout.addWidget(self.records)
        if m.conflicts:
            self.conflicts.setText(
                f"{counted(m.conflicts, 'field was', 'fields were')} edited here and by a "
                "partner at the same time. The same value was kept in every store; review "
                "the other one in Conflicts.")
            layout.addWidget(_heading("Conflicts"))
            row = QHBoxLayout()
            row.addWidget(self.conflicts, 1)
            row.addWidget(self.review)
            layout.addLayout(row)
        if m.refused:
            layout.addWidget(_heading("Refused changes (not applied; the rest was)"))
            self.refused.setRowCount(len(m.refused))
            for r, (changeset_id, reason) in enumerate(m.refused):
                short = QTableWidgetItem(changeset_id[:12])
                short.setToolTip(changeset_id)
                self.refused.setItem(r, 0, short)
                self.refused.setItem(r, 1, QTableWidgetItem(reason))
            layout.addWidget(self.refused)
        lines = [f"{name}: {ROSTER_WORDS.get(what, what)}"
                 for name, what in sorted(self.report.rosters.items())]
        if m.duplicates:
            lines.append(f"{counted(m.duplicates, 'change was', 'changes were')} already "
                         "here")
        if m.pending:
            lines.append(f"{counted(m.pending, 'change is', 'changes are')} held back until "
                         "what they need arrives (a record they change, or trust in the "
                         "agency that wrote them); they apply by themselves then")
        if m.quarantined:
            lines.append(f"{counted(m.quarantined, 'change is', 'changes are')} stamped "
                         "too far in the future and held back (check the sender's clock)")
        lines += self.report.notes
        if lines:
            layout.addWidget(_heading("Also"))
            self.notes.setText("\n".join(f"• {line[0].upper()}{line[1:]}" for line in lines))
            layout.addWidget(self.notes)

    def _review(self) -> None:
        self.review_conflicts.emit()
        self.accept()


def show_refused(parent: QWidget | None, error: KnownError) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "Bundle refused", str(error),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("bundleRefused")
    box.setInformativeText("Nothing in this store was changed.")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class BundleImporter(QObject):
    """Runs one import at a time behind a busy dialog with Cancel; ``imported(report,
    path)`` after one that was applied, ``refused(message)`` after one that was not,
    ``cancelled()`` after one the person cancelled (rolled back: nothing changed)."""

    imported = Signal(object, object)
    refused = Signal(str)
    cancelled = Signal()

    def __init__(self, context: Callable[[], AppContext], parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent
        self.running = False

    def import_file(self, path: Path) -> bool:
        """Start importing ``path``; False when another import still runs."""
        if self.running:
            return False
        self.running = True
        ctx = self.context()
        # Applied in one transaction: Cancel rolls all of it back.
        busy = QProgressDialog(f"Checking and applying {path.name}…", "Cancel", 0, 0,
                               self.parent_widget)
        busy.setObjectName("importBusy")
        busy.setWindowModality(Qt.WindowModality.WindowModal)
        busy.setMinimumDuration(400)
        busy.setAutoClose(False)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

        def work(_progress: Progress, cancel: Cancel) -> BundleImportReport:
            try:
                return exchange.import_bundle(ctx, path, cancel=cancel)
            except OSError:
                raise KnownError(f"{path} cannot be read.") from None

        def finish() -> None:
            self.running = False
            busy.close()
            busy.deleteLater()
            QApplication.restoreOverrideCursor()

        def done(result: Any) -> None:
            finish()
            self.imported.emit(result, path)

        def failed(error: BaseException) -> None:
            finish()
            if isinstance(error, BundleCancelledError):
                self.cancelled.emit()  # as asked: nothing to tell
            elif isinstance(error, BundleRefusedError):
                show_refused(self.parent_widget, error)
                self.refused.emit(str(error))
            else:
                show_error(self.parent_widget, error)

        job = run_job(work, self.parent_widget, done, failed)

        def cancel() -> None:
            job.cancel()
            busy.setLabelText(f"Cancelling the import of {path.name}…")
            button = busy.findChild(QPushButton)
            if button is not None:
                button.setEnabled(False)

        busy.canceled.connect(cancel)
        return True
