"""A field for a list of states as ISO codes ("CN, US"), naming each code as it is typed
so that a slip (CH for China) shows before it is saved."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.countries import country as find_country
from app.services.legal import country_list


def split_codes(text: str) -> list[str]:
    return [part for part in re.split(r"[,;\s]+", text) if part]


class CountryListField(QWidget):
    def __init__(self, name: str, codes: list[str] | tuple[str, ...], placeholder: str,
                 parent: QWidget | None = None) -> None:
        """``name``: the object name of the line edit (tests find it by it)."""
        super().__init__(parent)
        self.edit = QLineEdit(", ".join(codes))
        self.edit.setObjectName(name)
        self.edit.setPlaceholderText(placeholder)
        self.names = QLabel()
        self.names.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.edit)
        layout.addWidget(self.names)
        self.edit.textChanged.connect(lambda _t: self._name())
        self._name()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def codes(self) -> list[str]:
        """The codes, checked (a ValidationError names the first unknown one)."""
        return country_list(split_codes(self.edit.text()))

    def _name(self) -> None:
        parts = split_codes(self.edit.text())
        named = []
        unknown = []
        for part in parts:
            found = find_country(part)
            if found is None:
                unknown.append(part)
            else:
                named.append(found.name)
        if unknown:
            self.names.setStyleSheet("color: #b71c1c; font-size: 8pt;")
            self.names.setText(f"Not a country code: {', '.join(unknown)} (use two-letter "
                               "ISO codes such as CN, US)")
        else:
            self.names.setStyleSheet("color: gray; font-size: 8pt;")
            self.names.setText(", ".join(named) if named else "none")
