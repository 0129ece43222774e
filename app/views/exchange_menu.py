"""The exchange in the main window: the Partners & sync and Conflicts pages beside the
operations, the Exchange menu, and bundles dropped on the window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QTabWidget, QToolBar, QWidget

from app.core.errors import KnownError
from app.services import operations
from app.services.exchange import BundleImportReport
from app.services.stix_import import StixImportReport
from app.views.bundle_export_dialog import ExportBundleDialog
from app.views.bundle_import import BundleImporter, BundleReportDialog, bundle_paths
from app.views.conflicts_view import ConflictsView
from app.views.partners_view import PartnersView
from app.views.stix_dialogs import StixExportDialog, StixImportDialog

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

OPERATIONS, PARTNERS, CONFLICTS = 0, 1, 2


class ExchangeMenu(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.partners = PartnersView(window.context)
        self.partners.send_requested.connect(self.send_from_partners)
        self.partners.open_requested.connect(self.open_bundle)
        self.partners.status.connect(self._say)
        self.partners.changed.connect(self.refresh_conflicts)
        self.conflicts = ConflictsView(window.context)
        self.conflicts.count_changed.connect(self._show_count)
        self.conflicts.resolved.connect(self._records_changed)
        self.conflicts.status.connect(self._say)
        self.importer = BundleImporter(window.context, window)
        self.importer.imported.connect(self._imported)
        self.importer.refused.connect(lambda _m: self._next_queued())
        self.queue: list[Path] = []
        self.last_report: BundleReportDialog | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("sections")
        self.tabs.setDocumentMode(True)
        self.data_actions: list[QAction] = []
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        window.locked.connect(self.clear)
        window.unlocked.connect(self.refresh)

    def sections_with(self, operations_page: QWidget) -> QTabWidget:
        """The pages of the window: operations, partners, conflicts."""
        self.tabs.addTab(operations_page, "Operations")
        self.tabs.addTab(self.partners, "Partners && sync")
        self.tabs.addTab(self.conflicts, "Conflicts")
        self.tabs.currentChanged.connect(self._section_shown)
        return self.tabs

    def build(self, menu: QMenu, toolbar: QToolBar | None = None) -> None:
        self.partners_action = menu.addAction("&Partners && sync")
        self.partners_action.triggered.connect(lambda: self.tabs.setCurrentIndex(PARTNERS))
        self.conflicts_action = menu.addAction("&Conflicts")
        self.conflicts_action.triggered.connect(lambda: self.tabs.setCurrentIndex(CONFLICTS))
        menu.addSeparator()
        self.send_action = menu.addAction("&Send bundle…")
        self.send_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.send_action.setToolTip("Write a bundle of the chosen operation for partners")
        self.send_action.triggered.connect(lambda: self.send_bundle())
        self.open_action = menu.addAction("&Open bundle…")
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_action.setToolTip("Import a bundle from a partner (or drop the .jopb file "
                                    "on the window)")
        self.open_action.triggered.connect(self.open_bundle)
        menu.addSeparator()
        self.stix_export_action = menu.addAction("Export S&TIX 2.1…")
        self.stix_export_action.setToolTip("Write the chosen operation as a STIX 2.1 bundle "
                                           "for MISP, OpenCTI or a partner")
        self.stix_export_action.triggered.connect(lambda: self.export_stix())
        self.stix_import_action = menu.addAction("&Import STIX 2.1…")
        self.stix_import_action.setToolTip("Preview and import a STIX 2.1 bundle into an "
                                           "operation")
        self.stix_import_action.triggered.connect(lambda: self.import_stix())
        menu.addSeparator()
        identity = menu.addAction("&Export our identity…")
        identity.triggered.connect(self.partners.partner_actions.export_identity)
        add = menu.addAction("&Add partner…")
        add.triggered.connect(self.partners.partner_actions.add_partner)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.send_action)
            toolbar.addAction(self.open_action)
        self.data_actions = [self.partners_action, self.conflicts_action, self.send_action,
                             self.open_action, self.stix_export_action,
                             self.stix_import_action, identity, add]
        self.refresh_conflicts()

    # ---- pages ---------------------------------------------------------------------------

    def _section_shown(self, index: int) -> None:
        if self.window.is_locked():
            return
        if index == PARTNERS:
            self.partners.refresh(self.window.workspace.op_id)
        elif index == CONFLICTS:
            self.conflicts.refresh()

    def refresh(self) -> None:
        self.refresh_conflicts()
        if self.tabs.currentIndex() == PARTNERS:
            self.partners.refresh(self.window.workspace.op_id)

    def refresh_conflicts(self) -> None:
        if not self.window.is_locked():
            self.conflicts.refresh()

    def _show_count(self, n: int) -> None:
        text = f"Conflicts ({n})" if n else "Conflicts"
        self.tabs.setTabText(CONFLICTS, text)
        self.tabs.setTabToolTip(CONFLICTS, f"{n} conflicts to review" if n else
                                "No conflicts to review")
        if self.data_actions:
            self.conflicts_action.setText(f"&{text}")

    def clear(self) -> None:
        self.queue.clear()
        self.partners.clear()
        self.conflicts.clear()

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15_000)

    def _records_changed(self) -> None:
        self.window.reload(select=self.window.workspace.op_id)

    # ---- sending -------------------------------------------------------------------------

    def send_bundle(self, op_id: str = "") -> ExportBundleDialog | None:
        op_id = op_id or self.window.workspace.op_id
        if not op_id:
            self.window.show_error(KnownError("Choose the operation to send on the left "
                                              "first."))
            return None
        ctx = self.window.context()
        codename = next((s.codename for s in operations.list_operations(ctx)
                         if s.id == op_id), op_id)
        dialog = ExportBundleDialog(self.window.context, op_id, codename, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(lambda report: self._exported(report.file))
        dialog.open()
        return dialog

    def send_from_partners(self) -> None:
        self.send_bundle(str(self.partners.operation.currentData() or ""))

    def _exported(self, path: Path) -> None:
        self._say(f"Bundle written to {path}.")
        if self.tabs.currentIndex() == PARTNERS:
            self.partners.refresh()

    # ---- STIX 2.1 ------------------------------------------------------------------------

    def _codenames(self) -> tuple[list[str], str]:
        """The operations' codenames, and the one chosen on the left."""
        summaries = operations.list_operations(self.window.context())
        chosen = next((s.codename for s in summaries if s.id == self.window.workspace.op_id),
                      "")
        return [s.codename for s in summaries], chosen

    def export_stix(self) -> StixExportDialog:
        codenames, chosen = self._codenames()
        dialog = StixExportDialog(self.window.context, codenames, chosen, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(lambda report: self._say(
            f"STIX bundle written to {report.file}."))
        dialog.open()
        return dialog

    def import_stix(self) -> StixImportDialog:
        codenames, chosen = self._codenames()
        dialog = StixImportDialog(self.window.context, codenames, chosen, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._stix_imported)
        dialog.open()
        return dialog

    def _stix_imported(self, report: StixImportReport) -> None:
        if not self.window.is_locked():
            self.window.reload(select=self.window.workspace.op_id)
            self._say(report.summary())

    # ---- receiving -----------------------------------------------------------------------

    def open_bundle(self) -> None:
        name, _f = QFileDialog.getOpenFileName(self.window, "Open bundle", "",
                                               "JointOps bundles (*.jopb);;All files (*)")
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Import ``path`` now, or after the import that is running."""
        if not self.importer.import_file(path):
            self.queue.append(path)

    def _next_queued(self) -> None:
        if self.queue and not self.window.is_locked():
            self.import_file(self.queue.pop(0))

    def _imported(self, report: BundleImportReport, path: Path) -> None:
        if self.window.is_locked():  # locked meanwhile: the report would show its data
            return
        if not report.duplicate_bundle:
            self.window.reload(select=self.window.workspace.op_id)
            self.refresh_conflicts()
            if self.tabs.currentIndex() == PARTNERS:
                self.partners.refresh()
        self._say(f"Bundle from {report.sender}: {report.merge.applied} changes applied."
                  if not report.duplicate_bundle else
                  f"Bundle from {report.sender} was imported before; nothing was done.")
        dialog = BundleReportDialog(report, path, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.review_conflicts.connect(lambda: self.tabs.setCurrentIndex(CONFLICTS))
        dialog.open()
        self.last_report = dialog
        self._next_queued()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Bundles dropped anywhere on the window: only local files ending in .jopb."""
        kind = event.type()
        if watched is not self.window or kind not in (QEvent.Type.DragEnter,
                                                      QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        assert isinstance(event, QDropEvent)  # drag enter and move events are drop events
        paths = bundle_paths(event.mimeData().urls()) if event.mimeData().hasUrls() else []
        if not paths or self.window.is_locked():
            event.ignore()
            return True
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            for path in paths:
                self.import_file(path)
        return True
