"""The main window: operations on the left, the chosen operation's workspace on the right,
and the lock that hides it all."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import operations, store_admin
from app.services.context import AppContext
from app.services.csv_import import ImportReport
from app.views import workers
from app.views.exchange_menu import ExchangeMenu
from app.views.import_dialog import ImportDialog
from app.views.lock import IdleLock
from app.views.messages import show_error
from app.views.operation_list import OperationList
from app.views.store_menu import StoreMenu
from app.views.undo_commands import CommandEnv, Refresh
from app.views.unlock_dialog import UnlockDialog
from app.views.workspace import Workspace


class LockedStoreError(KnownError):
    """The store was locked while something still wanted it."""


class MainWindow(QMainWindow):
    locked = Signal()
    unlocked = Signal()

    def __init__(self, context: AppContext, folder: Path) -> None:
        super().__init__()
        self.ctx: AppContext | None = context
        self.folder = folder
        self.setWindowTitle(f"JointOps — {context.agency_name}")
        self.resize(1360, 840)
        self.stack = QUndoStack(self)
        self.env = CommandEnv(self.context, self.apply_refresh, self.show_error)
        self.operations = OperationList()
        self.workspace = Workspace(self.context, self.stack, self.env)
        splitter = QSplitter()
        splitter.addWidget(self.operations)
        splitter.addWidget(self.workspace)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([285, 1075])
        self.pages = QStackedWidget()
        self.exchange = ExchangeMenu(self)
        self.pages.addWidget(self.exchange.sections_with(splitter))
        self.pages.addWidget(self._locked_page())
        self.setCentralWidget(self.pages)
        self.idle = IdleLock(self)
        self.idle.idle.connect(self.lock)
        self.store_menu = StoreMenu(self)
        self._menus()
        self.operations.selected.connect(self.show_operation)
        self.workspace.overview_shown.connect(
            lambda ov: self.operations.update_summary(ov.summary))
        self.unlock_dialog: UnlockDialog | None = None
        self._restore: tuple[str, int, str | None] = ("", 0, None)
        self.reload()
        self.idle.set_minutes(store_admin.idle_lock_minutes(context))
        self.statusBar().showMessage(f"Store: {folder}")

    # ---- the unlocked store -----------------------------------------------------------

    def context(self) -> AppContext:
        if self.ctx is None:
            raise LockedStoreError("The store is locked; unlock it first.")
        return self.ctx

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_operation_action = file_menu.addAction("&New operation…")
        self.new_operation_action.triggered.connect(self.ask_new_operation)
        self.import_action = file_menu.addAction("&Import CSV…")
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.open_import)
        self.backup_action = file_menu.addAction("&Backup…")
        self.backup_action.triggered.connect(self.store_menu.backup)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.store_menu.build(bar.addMenu("&Store"))
        self.lock_action: QAction = self.store_menu.lock_action
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        for action in (self.new_operation_action, self.import_action, self.undo_action,
                       self.redo_action, self.lock_action):
            toolbar.addAction(action)
        self.data_actions = [self.new_operation_action, self.import_action,
                             self.backup_action, *self.store_menu.data_actions]
        self.exchange.build(bar.addMenu("E&xchange"), toolbar)
        self.data_actions += self.exchange.data_actions

    def reload(self, select: str = "") -> None:
        """Read the operation list again; select ``select`` (or keep the current one)."""
        keep = select or self.workspace.op_id
        summaries = operations.list_operations(self.context())
        self.operations.set_operations(summaries, keep)
        if keep and any(s.id == keep for s in summaries):
            if keep != self.workspace.op_id or select:
                self.workspace.set_operation(keep)
        elif self.workspace.op_id:
            self.workspace.clear()

    def show_operation(self, op_id: str) -> None:
        self.workspace.set_operation(op_id)

    def select_operation(self, op_id: str) -> None:
        self.operations.select(op_id)

    def apply_refresh(self, refresh: Refresh) -> None:
        ov = self.workspace.apply_refresh(refresh)
        if ov is None and refresh.op_id != self.workspace.op_id:
            # An undo in an operation not on screen: count it again.
            ov = operations.overview(self.context(), refresh.op_id)
        if ov is not None:
            self.operations.update_summary(ov.summary)

    def show_error(self, error: BaseException) -> None:
        show_error(self, error)

    # ---- file menu ---------------------------------------------------------------------

    def ask_new_operation(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("New operation")
        dialog.setLabelText("Codename of the new operation:")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.create_operation)
        dialog.open()

    def create_operation(self, codename: str) -> None:
        workers.settle_readers()
        try:
            op_id, _change = operations.create_operation(self.context(), codename)
        except KnownError as error:
            self.show_error(error)
            return
        self.reload(select=op_id)

    def open_import(self) -> ImportDialog:
        codenames = [s.codename for s in operations.list_operations(self.context())]
        current = (self.workspace.overview_data.summary.codename
                   if self.workspace.overview_data else "")
        dialog = ImportDialog(self.context, codenames, current, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._imported)
        dialog.open()
        return dialog

    def _imported(self, report: ImportReport) -> None:
        self.reload(select=report.operation_id or "")
        self.statusBar().showMessage(report.summary(), 15_000)

    # ---- locking -----------------------------------------------------------------------

    def _locked_page(self) -> QWidget:
        page = QWidget()
        label = QLabel("<h2>JointOps is locked</h2><p>The store is closed and its data "
                       "hidden. Unlock it to carry on where you were.</p>")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        button = QPushButton("Unlock…")
        button.setObjectName("unlockAgain")
        button.clicked.connect(self.ask_unlock)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(label)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        return page

    def is_locked(self) -> bool:
        return self.ctx is None

    def lock(self, reason: str = "") -> None:
        """Close the store, clear every view of its data and ask to unlock."""
        if self.ctx is None:
            return
        self.idle.stop()
        for dialog in self.findChildren(QDialog):
            if dialog is not self.unlock_dialog and dialog.isVisible():
                dialog.reject()
        for box in self.findChildren(QMessageBox):
            box.close()
        targets_view = self.workspace.targets
        self._restore = (self.workspace.op_id, self.workspace.tabs.currentIndex(),
                         targets_view.selected_id())
        self.operations.clear()
        self.workspace.clear()
        self.pages.setCurrentIndex(1)
        for action in self.data_actions:
            action.setEnabled(False)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        workers.stop_all()
        context, self.ctx = self.ctx, None
        context.close()
        self.locked.emit()
        self.ask_unlock(reason or "JointOps was locked. Enter the passphrase to unlock it.")

    def ask_unlock(self, reason: str = "") -> None:
        if self.unlock_dialog is not None:
            self.unlock_dialog.raise_()
            return
        dialog = UnlockDialog(store_admin.store_info(self.folder), self, reason)
        dialog.buttons.buttons()[-1].setText("Cancel")
        self.unlock_dialog = dialog
        dialog.finished.connect(lambda _r: self._unlock_finished(dialog))
        dialog.open()

    def _unlock_finished(self, dialog: UnlockDialog) -> None:
        self.unlock_dialog = None
        dialog.deleteLater()
        if dialog.context is not None:
            self.unlock(dialog.context)

    def unlock(self, context: AppContext) -> None:
        self.ctx = context
        for action in self.data_actions:
            action.setEnabled(True)
        self.undo_action.setEnabled(self.stack.canUndo())
        self.redo_action.setEnabled(self.stack.canRedo())
        self.pages.setCurrentIndex(0)
        op_id, tab, target_id = self._restore
        self.reload(select=op_id)
        self.workspace.tabs.setCurrentIndex(tab)
        if target_id:
            self.workspace.targets.select_target(target_id)
        self.idle.set_minutes(store_admin.idle_lock_minutes(context))
        self.unlocked.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self.idle.detach()
        workers.stop_all()
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None
        event.accept()
