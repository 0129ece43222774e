"""A new passphrase, typed twice, with a live strength hint."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit

from app.services.store_admin import MIN_PASSPHRASE, passphrase_strength

_COLOURS = {0: "#b00020", 1: "#b00020", 2: "#a05a00", 3: "#1b6e20", 4: "#1b6e20"}


class PassphraseFields:
    """The two fields and the hint, added as rows of the dialog's own form so that they
    line up with its other fields."""

    def __init__(self, form: QFormLayout, label: str = "Passphrase") -> None:
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setObjectName("passphrase")
        self.first.setPlaceholderText(f"at least {MIN_PASSPHRASE} characters; a phrase of "
                                      "several words is best")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setObjectName("passphraseRepeat")
        self.hint = QLabel()
        self.hint.setObjectName("strengthHint")
        self.hint.setWordWrap(True)
        form.addRow(f"{label}:", self.first)
        form.addRow("Repeat it:", self.second)
        form.addRow("", self.hint)
        self.first.textChanged.connect(self._update_hint)
        self.second.textChanged.connect(self._update_hint)
        self._update_hint()

    def _update_hint(self) -> None:
        text = self.first.text()
        if not text:
            self.hint.setText(f"Use at least {MIN_PASSPHRASE} characters.")
            self.hint.setStyleSheet("color: gray;")
            return
        score, hint = passphrase_strength(text)
        if self.second.text() and self.second.text() != text:
            hint += " The two entries differ."
        self.hint.setText(f"Strength: {hint}")
        self.hint.setStyleSheet(f"color: {_COLOURS[score]};")

    def problem(self) -> str | None:
        """Why the passphrase cannot be used, or None."""
        text = self.first.text()
        if len(text) < MIN_PASSPHRASE:
            return f"The passphrase must have at least {MIN_PASSPHRASE} characters."
        if text != self.second.text():
            return "The two passphrases differ; type the same passphrase twice."
        return None

    def passphrase(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
