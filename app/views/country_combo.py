"""A searchable country picker over every ISO country and its IANA zones."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from app.core.countries import all_countries


class CountryCombo(QComboBox):
    """Type part of a name or the code ("ken", "KE") to find a country.

    ``code()`` is the ISO code of the chosen country, "" when none.
    """

    codeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, allow_none: bool = False) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if allow_none:
            self.addItem("", "")
        for country in sorted(all_countries().values(), key=lambda c: c.name):
            self.addItem(f"{country.name} ({country.code})", country.code)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setCurrentIndex(0 if allow_none else -1)
        self.currentIndexChanged.connect(lambda _i: self.codeChanged.emit(self.code()))
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText("Type a country name or code")

    def code(self) -> str:
        index = self.currentIndex()
        if index < 0 or self.itemText(index) != self.currentText():
            # Typed text that matches no item: accept an exact code or name.
            typed = self.currentText().strip()
            for i in range(self.count()):
                data = str(self.itemData(i) or "")
                if typed and (typed.upper() == data
                              or typed.casefold() == self.itemText(i).casefold()):
                    return data
            return ""
        return str(self.itemData(index) or "")

    def set_code(self, code: str) -> None:
        index = self.findData(code.strip().upper())
        self.setCurrentIndex(index if index >= 0 else (0 if self.findData("") == 0 else -1))
