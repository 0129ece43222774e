"""Reading a tab's data off the GUI thread, and only while the tab is in view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from app.views.workers import Cancel, Progress, run_job


class InViewReader:
    """Runs a tab's reads on a worker thread while the tab is shown; a tab out of view is
    marked stale and reads when it is shown again (``stale``). A read that a newer one (or
    ``overtake``, when the operation changes) overtook is dropped when it arrives, so an
    old operation's data never lands on a new one's screen."""

    def __init__(self, widget: QWidget) -> None:
        self.widget = widget
        self.generation = 0
        self.stale = False

    def overtake(self) -> None:
        """Drop whatever read is on its way."""
        self.generation += 1

    def read(self, work: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None]) -> bool:
        """Start ``work`` now if the tab is in view (True), else remember to."""
        if not self.widget.isVisible():
            self.stale = True
            return False
        self.stale = False
        self.generation += 1
        generation = self.generation

        def job(_progress: Progress, _cancel: Cancel) -> Any:
            return work()

        def on_done(result: Any) -> None:
            if generation == self.generation:
                done(result)

        def on_failed(error: BaseException) -> None:
            if generation == self.generation:
                failed(error)

        run_job(job, self.widget, on_done, on_failed, reader=True)
        return True
