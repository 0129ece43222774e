"""Long jobs off the GUI thread: a QThread that runs one service call and reports back.

Service callbacks (``progress(done, total)``, ``cancel()``) are adapted to Qt signals
here, so services stay free of Qt and the window keeps painting while they run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, QTimer, Signal

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
JobFunction = Callable[[Progress, Cancel], Any]

_running: set[Job] = set()


def busy() -> bool:
    """True while any job runs (auto-lock waits: closing the store under a job would
    break it)."""
    return any(job.isRunning() for job in _running)


def stop_all() -> None:
    """Ask every running job to cancel and wait for it: before the store is closed under
    them (lock, quit)."""
    for job in list(_running):
        job.cancel()
    for job in list(_running):
        job.wait()


def settle_readers() -> None:
    """Wait for the background reads before a write on the GUI thread.

    Every service session ends by saving the clock, so a read on a worker thread that
    overlaps a write could try to write too and find its snapshot stale (SQLite then
    refuses one of the two). Reads take a few hundred milliseconds at most; their
    results, delivered later, are dropped or read again by their receivers when the
    rows changed meanwhile."""
    for job in list(_running):
        if job.reader:
            job.cancel()
            job.wait()


class Job(QThread):
    """Runs ``function(progress, cancel)`` once on its own thread.

    Exactly one of ``succeeded(result)`` or ``failed(error)`` follows, then ``ended``.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    ended = Signal()
    # Emitted on the job's thread and received by this object, which lives on the GUI
    # thread: a queued hop, so that whatever is connected to the public signals (lambdas
    # included) always runs on the GUI thread.
    _progress_hop = Signal(int, int)
    _success_hop = Signal(object)
    _failure_hop = Signal(object)

    def __init__(self, function: JobFunction, owner: QObject | None = None,
                 reader: bool = False) -> None:
        # No Qt parent: a parent deleted while the thread still runs (a dialog closed by
        # the job's own result) would take the running thread with it. The module's set
        # keeps the job alive until its thread has ended.
        super().__init__(None)
        self._owner = owner
        self.reader = reader
        self._function = function
        self._cancel = threading.Event()
        self._progress_hop.connect(self._relay_progress)
        self._success_hop.connect(self._relay_success)
        self._failure_hop.connect(self._relay_failure)
        self.finished.connect(self._finish)

    def start_job(self) -> None:
        _running.add(self)
        self.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        def progress(done: int, total: int) -> None:
            # Signals carry C ints; byte counts of large files do not fit in 32 bits.
            scale = max(1, total // 1_000_000_000 + 1)
            self._progress_hop.emit(done // scale, total // scale)

        try:
            result = self._function(progress, self._cancel.is_set)
        except BaseException as error:  # reported on the GUI thread, never lost
            self._failure_hop.emit(error)
        else:
            self._success_hop.emit(result)

    def _owner_gone(self) -> bool:
        return self._owner is not None and not shiboken6.isValid(self._owner)

    def _relay_progress(self, done: int, total: int) -> None:
        if not self._owner_gone():
            self.progressed.emit(done, total)

    def _relay_success(self, result: object) -> None:
        if not self._owner_gone():
            self.succeeded.emit(result)

    def _relay_failure(self, error: object) -> None:
        if not self._owner_gone():
            self.failed.emit(error)

    def _finish(self) -> None:
        self.wait()  # the thread is past run(); make sure it is gone before release
        # Released on the next turn of the event loop, not inside this object's own
        # event handler, where dropping the last reference would delete it mid-call.
        QTimer.singleShot(0, lambda: _running.discard(self))
        if not self._owner_gone():
            self.ended.emit()


def run_job(function: JobFunction, owner: QObject, on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], reader: bool = False) -> Job:
    """Start ``function`` on its own thread. ``reader``: it only reads the store, and
    writes on the GUI thread wait for it (see ``settle_readers``); any other job runs
    alone, behind a modal dialog."""
    if not reader:
        settle_readers()
    job = Job(function, owner, reader)
    job.succeeded.connect(on_success)
    job.failed.connect(on_failure)
    job.start_job()
    return job
