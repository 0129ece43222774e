"""Send bundle: choose partners, see what each will and will not receive and why, write
the file off the GUI thread, and say what was written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import exchange
from app.services.context import AppContext
from app.services.exchange import ExportReport, PartnerShare
from app.views.exchange_words import counted, kind_name
from app.views.messages import show_crash
from app.views.workers import Cancel, Job, Progress, run_job

BUNDLE_FILTER = "JointOps bundles (*.jopb)"
ALONE = "another addressed partner may not see it; send to this partner alone"
WITHHELD = QColor("#b00020")


class ExportBundleDialog(QDialog):
    """Emits ``exported(report)`` once the bundle file is written."""

    exported = Signal(object)

    def __init__(self, context: Callable[[], AppContext], op_id: str, codename: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.op_id = op_id
        self.codename = codename
        self.shares: list[PartnerShare] = []
        self.plan_error = ""
        self.job: Job | None = None
        self.report: ExportReport | None = None
        self._generation = 0
        self.setWindowTitle(f"Send bundle: {codename}")
        self.resize(900, 600)
        ctx = context()
        me = exchange.identity_info(ctx)
        heading = QLabel(f"<h3>Send the changes of {codename}</h3>A bundle carries what the "
                         "partners chosen may see and have not yet acknowledged. Carry the "
                         "file to them (USB stick, network share); it is signed and "
                         "encrypted to them.")
        heading.setWordWrap(True)
        self.partners = QListWidget()
        self.partners.setObjectName("partners")
        for p in exchange.list_partners(ctx):
            item = QListWidgetItem(p.name if p.trust == "trusted"
                                   else f"{p.name} (not trusted yet)")
            item.setData(Qt.ItemDataRole.UserRole, p.agency_id)
            flags = Qt.ItemFlag.ItemIsUserCheckable
            if p.trust == "trusted":
                flags |= Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.partners.addItem(item)
        if len(exchange.roster_devices(ctx)) > 1:
            own = QListWidgetItem(f"{me.name}: our other devices")
            own.setData(Qt.ItemDataRole.UserRole, me.agency_id)
            own.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            own.setCheckState(Qt.CheckState.Unchecked)
            self.partners.addItem(own)
        self.partners.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.partners.itemChanged.connect(lambda _item: self.plan())
        self.plan_tree = QTreeWidget()
        self.plan_tree.setObjectName("plan")
        self.plan_tree.setHeaderLabels(["What", "Changes"])
        self.plan_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.plan_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.plan_tree.header().setStretchLastSection(False)
        self.plan_note = QLabel("Tick the partners to send to.")
        self.plan_note.setObjectName("planNote")
        self.plan_note.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Send to</b>"))
        left_layout.addWidget(self.partners)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("<b>What each will receive, and what not</b>"))
        right_layout.addWidget(self.plan_note)
        right_layout.addWidget(self.plan_tree, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([260, 640])
        self.file = QLineEdit()
        self.file.setObjectName("file")
        self.file.setPlaceholderText("where to write the bundle (.jopb)")
        self.file.textChanged.connect(lambda _t: self._update_send())
        browse = QPushButton("Choose file…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("File:"))
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.hide()
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.hide()
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("close")
        self.close_button.clicked.connect(self.reject)
        self.send = QPushButton("Write bundle")
        self.send.setObjectName("send")
        self.send.setDefault(True)
        self.send.setEnabled(False)
        self.send.clicked.connect(self.start_export)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)
        layout.addLayout(file_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)

    # ---- choosing ----------------------------------------------------------------------

    def chosen(self) -> list[str]:
        items = (self.partners.item(i) for i in range(self.partners.count()))
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def choose(self, *agency_ids: str) -> None:
        for i in range(self.partners.count()):
            item = self.partners.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in agency_ids:
                item.setCheckState(Qt.CheckState.Checked)

    def plan(self) -> None:
        """Ask what the chosen partners would get, on a worker thread; the answer to an
        older choice is dropped."""
        self._generation += 1
        generation, to = self._generation, self.chosen()
        self.shares, self.plan_error = [], ""
        self.plan_tree.clear()
        self._update_send()
        if not to:
            self.plan_note.setText("Tick the partners to send to.")
            return
        self.plan_note.setText("Working out what each may receive…")
        ctx, op_id = self.context(), self.op_id

        def work(_progress: Progress, _cancel: Cancel) -> list[PartnerShare]:
            return exchange.plan_export(ctx, op_id, to)[0]

        def done(result: Any) -> None:
            if generation == self._generation:
                self.show_plan(result)

        def failed(error: BaseException) -> None:
            if generation != self._generation:
                return
            if not isinstance(error, KnownError):
                show_crash(self, error)
            self.plan_error = str(error)
            self.plan_note.setText(self.plan_error)

        run_job(work, self, done, failed, reader=True)

    def show_plan(self, shares: list[PartnerShare]) -> None:
        self.shares = shares
        self.plan_tree.clear()
        bold = QFont(self.plan_tree.font())
        bold.setBold(True)
        total = shares[0].changesets if shares else 0
        apart = any(ALONE in s.withheld for s in shares)
        if total:
            note = f"The bundle will carry {counted(total, 'change')}."
        elif apart:
            note = "Nothing to send to these partners together."
        else:
            note = "Nothing to send: the partners chosen already have everything they may see."
        if apart:
            note += (" One bundle carries only what every partner chosen may see; send each "
                     "partner its own bundle to give it all it may see.")
        self.plan_note.setText(note)
        for share in shares:
            top = QTreeWidgetItem([share.agency, ""])
            top.setFont(0, bold)
            self.plan_tree.addTopLevelItem(top)
            given = QTreeWidgetItem(["Will receive" if share.changesets
                                     else "Will receive nothing new", str(share.changesets)])
            top.addChild(given)
            for kind, n in sorted(share.by_kind.items(), key=lambda k: (-k[1], k[0])):
                given.addChild(QTreeWidgetItem([f"changes to {kind_name(kind, 2)}", str(n)]))
            given.setExpanded(True)
            held = sum(share.withheld.values())
            if held:
                kept = QTreeWidgetItem(["Will not receive:", str(held)])
                kept.setForeground(0, QBrush(WITHHELD))
                top.addChild(kept)
                for reason, n in sorted(share.withheld.items(), key=lambda r: -r[1]):
                    why = QTreeWidgetItem([reason, str(n)])
                    why.setForeground(0, QBrush(WITHHELD))
                    why.setToolTip(0, reason)
                    kept.addChild(why)
                kept.setExpanded(True)
            top.setExpanded(True)
        self._update_send()

    def withheld(self, agency_id: str) -> dict[str, int]:
        return next((s.withheld for s in self.shares if s.agency_id == agency_id), {})

    def _browse(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        default = f"{self.codename.replace(' ', '-')}-{stamp}.jopb"
        name, _f = QFileDialog.getSaveFileName(self, "Write bundle", default, BUNDLE_FILTER)
        if name:
            self.file.setText(name if name.endswith(".jopb") else name + ".jopb")

    def _update_send(self) -> None:
        self.send.setEnabled(bool(self.shares) and bool(self.file.text().strip())
                             and self.job is None and self.report is None)

    # ---- writing -----------------------------------------------------------------------

    def start_export(self) -> None:
        to, target = self.chosen(), Path(self.file.text().strip())
        if not to or not self.file.text().strip():
            return
        ctx, op_id = self.context(), self.op_id

        def work(progress: Progress, _cancel: Cancel) -> ExportReport:
            try:
                return exchange.export_bundle(ctx, op_id, to, target, progress)
            except OSError:
                raise KnownError(f"{target} cannot be written.") from None

        self.partners.setEnabled(False)
        self.file.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.close_button.setEnabled(False)  # a bundle half-written is never left
        self.job = run_job(work, self, self._done, self._failed)
        self.job.progressed.connect(self._progressed)
        self._update_send()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _done(self, result: Any) -> None:
        report: ExportReport = result
        self.job, self.report = None, report
        self.progress.hide()
        names = ", ".join(s.agency for s in report.shares)
        self.outcome.setText(f"<b>Bundle {report.bundle_id} written</b> to {report.file}: "
                            f"{counted(report.changesets, 'change')} for {names}.<br>Carry "
                            "the file to them; they open it with Exchange → Open bundle "
                            "(or drop it on the JointOps window).")
        self.outcome.setStyleSheet("")
        self.outcome.show()
        self.close_button.setText("Close")
        self.close_button.setEnabled(True)
        self._update_send()
        self.exported.emit(report)

    def _failed(self, error: BaseException) -> None:
        self.job = None
        self.progress.hide()
        self.partners.setEnabled(True)
        self.file.setEnabled(True)
        self.close_button.setEnabled(True)
        self._update_send()
        if not isinstance(error, KnownError):
            show_crash(self, error)
            return
        self.outcome.setText(f"{error} No bundle was written.")
        self.outcome.setStyleSheet("color: #b00020; font-weight: bold;")
        self.outcome.show()

    def reject(self) -> None:
        if self.job is not None and self.job.isRunning():
            return  # the file is being written; it finishes in a moment
        super().reject()
