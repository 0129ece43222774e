"""The victims' states of the operation: where assets seized abroad should go back. Empty
falls back on the lead agency's country, and the dialog says so."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.core.errors import KnownError
from app.views.country_list_field import CountryListField

VictimsSaver = Callable[[list[str]], None]


class VictimStatesDialog(QDialog):
    def __init__(self, codes: tuple[str, ...], from_lead: bool, save: VictimsSaver,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.save = save
        self.setWindowTitle("Victims' states")
        self.setMinimumWidth(480)
        now = ("None are set: the lead agency's country stands in for them."
               if from_lead else "")
        intro = QLabel("The states where the victims are: every asset seized in another "
                       "state needs an asset-sharing or legal-assistance basis to go back "
                       f"to them. {now}")
        intro.setWordWrap(True)
        self.states = CountryListField("victimStates", () if from_lead else codes,
                                       "e.g. KE, ZM (empty: the lead agency's country)")
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
        layout.addWidget(self.states)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def try_save(self) -> None:
        try:
            self.save(self.states.codes())
        except KnownError as error:
            self.problem.setText(str(error))
            return
        self.accept()
