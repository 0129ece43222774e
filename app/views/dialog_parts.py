"""Pieces every dialog of the app builds the same way: the line that says what is wrong
with what was entered, and the Cancel button beside the dialog's main button."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton

ERROR_COLOUR = "#b00020"


def error_label(name: str = "error") -> QLabel:
    """Hidden until there is something to say; a refusal is one sentence in red."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
    label.hide()
    return label


def cancel_and(dialog: QDialog, main: QPushButton) -> QHBoxLayout:
    """Cancel then the main button, at the right; Enter presses the main one."""
    main.setDefault(True)
    cancel = QPushButton("Cancel")
    cancel.clicked.connect(dialog.reject)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    buttons.addWidget(cancel)
    buttons.addWidget(main)
    return buttons
