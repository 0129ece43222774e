"""Auto-lock: a timer that any user input restarts, and that fires after the idle time."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app.views import workers

_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
          QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride}


class IdleLock(QObject):
    """Emits ``idle`` when no key, mouse or touch input reached the application for the
    set time. 0 minutes turns it off. A running job holds the lock off until it ends."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timeout)
        self._interval_ms = 0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(minutes * 60_000)

    def set_interval_ms(self, interval_ms: int) -> None:
        self._interval_ms = interval_ms
        self.restart()

    def interval_ms(self) -> int:
        return self._interval_ms

    def restart(self) -> None:
        if self._interval_ms > 0:
            self.timer.start(self._interval_ms)
        else:
            self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self.timer.isActive():
            self.timer.start(self._interval_ms)
        return False

    def _timeout(self) -> None:
        if workers.busy():
            self.restart()
            return
        self.idle.emit()

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
