"""Long jobs off the GUI thread: a QThread that runs one service call and reports back.

Service callbacks (``progress(done, total)``, ``cancel()``) are adapted to Qt signals
here, so services stay free of Qt and the window keeps painting while they run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
JobFunction = Callable[[Progress, Cancel], Any]

_running: set[Job] = set()


def busy() -> bool:
    """True while any job runs (auto-lock waits: closing the store under a job would
    break it)."""
    return bool(_running)


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

    def __init__(self, function: JobFunction, parent: QObject | None = None) -> None:
        super().__init__(parent)
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

    def _relay_progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)

    def _relay_success(self, result: object) -> None:
        self.succeeded.emit(result)

    def _relay_failure(self, error: object) -> None:
        self.failed.emit(error)

    def _finish(self) -> None:
        _running.discard(self)
        self.ended.emit()


def run_job(function: JobFunction, parent: QObject, on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None]) -> Job:
    job = Job(function, parent)
    job.succeeded.connect(on_success)
    job.failed.connect(on_failure)
    job.ended.connect(job.deleteLater)
    job.start_job()
    return job
