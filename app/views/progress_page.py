"""The page a dialog shows while its job runs: what it does, a bar, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class ProgressPage(QWidget):
    """``text``, ``bar`` and ``cancel`` are the dialog's to connect; the bar is busy (no
    total) until the job says how far it is."""

    def __init__(self, cancel_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setObjectName("progress")
        self.bar.setRange(0, 0)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName(cancel_name)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        layout.addStretch(1)

    def start(self, text: str) -> None:
        self.text.setText(text)
        self.bar.setRange(0, 0)
        self.cancel.setEnabled(True)

    def progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def cancelling(self, text: str = "Cancelling: nothing will be imported…") -> None:
        self.cancel.setEnabled(False)
        self.text.setText(text)
