"""Requesting states of a person target: the states that want the person, its
nationalities, and the states it is known to travel through (where an arrest may have a
better route). Checked before anything is saved; a refused save leaves the dialog open."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.legal import PersonCase
from app.views.country_list_field import CountryListField
from app.views.legal_words import state_name

# save(wanted_by, nationality, travels); a KnownError is shown and nothing closes.
TargetLegalSaver = Callable[[list[str], list[str], list[str]], None]


class TargetLegalDialog(QDialog):
    def __init__(self, case: PersonCase, save: TargetLegalSaver,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.save = save
        self.setWindowTitle(f"Requesting states: {case.name}")
        self.setMinimumWidth(520)
        held = ", ".join(state_name(c) for c in case.custody) or "not known"
        intro = QLabel(f"<b>{escape(case.name)}</b>, held in <b>{escape(held)}</b> (where "
                       "the planned arrests are).<br>Type two-letter country codes, "
                       "separated by commas.")
        intro.setWordWrap(True)
        self.wanted = CountryListField("wantedBy", case.wanted_by,
                                       "States that want the person, e.g. CN, US")
        self.nationality = CountryListField("nationality", case.nationalities,
                                            "e.g. AO (both, for a dual national)")
        self.travels = CountryListField("travels", case.travels,
                                        "States the person is known to travel through")
        form = QFormLayout()
        form.addRow("Wanted by:", self.wanted)
        form.addRow("Nationalities:", self.nationality)
        form.addRow("Travels through:", self.travels)
        note = QLabel("Nationality decides whether a bar on extraditing nationals applies; "
                      "a state the person travels through may offer a better place of "
                      "arrest.")
        note.setWordWrap(True)
        note.setStyleSheet("color: gray;")
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def try_save(self) -> None:
        try:
            wanted = self.wanted.codes()
            nationality = self.nationality.codes()
            travels = self.travels.codes()
            self.save(wanted, nationality, travels)
        except KnownError as error:
            self.problem.setText(str(error))
            return
        self.accept()
