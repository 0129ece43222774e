"""Add or edit one instrument: what it is for, its form, its parties ("DE, FR:2004-01-01",
or "?" when the party list is not known), its conditions and where it comes from.

Editing an instrument this agency does not own (a shipped one, a partner's) saves a
correction of this agency's own: the dialog says so, and asks where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.legal import CONDITIONS, FORMS, NATIONALS_RULES, PURPOSES, purposes_of
from app.services.instruments import CONFIDENCES, InstrumentInfo

# save(values, source): add or edit; a KnownError is shown and the dialog stays open.
InstrumentSaver = Callable[[dict[str, Any], str], None]
CONDITION_LABELS = {"dual_criminality": "Dual criminality",
                    "death_penalty_assurance": "Death-penalty assurance",
                    "speciality": "Speciality"}
NATIONALS_LABELS = {"": "as its purpose implies (surrender schemes surrender them)",
                    "surrendered": "surrendered: lifts a bar that yields to a treaty",
                    "optional": "optional: the requested state's bar stays"}


def parties_text(info: InstrumentInfo) -> str:
    if info.parties is None:
        return "?"
    return ", ".join(f"{p['country']}:{p['in_force']}" if p.get("in_force")
                     else p["country"] for p in info.parties)


class InstrumentForm(QDialog):
    def __init__(self, info: InstrumentInfo | None, save: InstrumentSaver,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.save = save
        self.values: dict[str, Any] = {}
        self.setWindowTitle("Add an instrument" if info is None else
                            f"Edit {info.ref_key or info.name}")
        self.setMinimumWidth(620)
        self.key = QLineEdit(info.ref_key if info else "")
        self.key.setObjectName("instrumentKey")
        self.key.setPlaceholderText("Short key, e.g. KE_UK_EXTRADITION (made from the name "
                                    "when empty)")
        self.name = QLineEdit(info.name if info else "")
        self.name.setObjectName("instrumentName")
        self.purposes: dict[str, QCheckBox] = {}
        chosen = purposes_of(info.purpose) if info else frozenset()
        purpose_row = QHBoxLayout()
        for purpose in PURPOSES:
            box = QCheckBox(purpose)
            box.setObjectName(f"purpose_{purpose.replace(' ', '_')}")
            box.setChecked(purpose in chosen)
            self.purposes[purpose] = box
            purpose_row.addWidget(box)
        self.form = QComboBox()
        self.form.setObjectName("instrumentForm")
        for kind in FORMS:
            self.form.addItem(kind, kind)
        if info is not None and self.form.findData(info.form) < 0:
            self.form.addItem(info.form, info.form)
        self.form.setCurrentIndex(max(0, self.form.findData(info.form if info else
                                                            "bilateral treaty")))
        self.binding = QCheckBox("Binding (a treaty); unticked: each state applies it "
                                 "through its own law")
        self.binding.setChecked(info.binding if info else True)
        self.parties = QLineEdit(parties_text(info) if info else "")
        self.parties.setObjectName("parties")
        self.parties.setPlaceholderText("DE, FR:2004-01-01 (in force for FR from then); "
                                        "? when the party list is not known")
        self.possible = QLineEdit(", ".join(
            str(c) for c in (info.conditions.get("possible_parties") or []))
            if info else "")
        self.possible.setObjectName("possibleParties")
        self.possible.setPlaceholderText("When the list is not known: states that may be "
                                         "parties (signatories, members)")
        self.in_force = QLineEdit(info.in_force if info else "")
        self.in_force.setObjectName("inForce")
        self.in_force.setPlaceholderText("YYYY-MM-DD (empty: not known)")
        self.conditions: dict[str, QCheckBox] = {}
        condition_row = QHBoxLayout()
        for key, label in CONDITION_LABELS.items():
            box = QCheckBox(label)
            box.setToolTip(CONDITIONS[key])
            box.setChecked(bool(info and info.conditions.get(key) is True))
            self.conditions[key] = box
            condition_row.addWidget(box)
        self.nationals = QComboBox()
        for rule in ("", *NATIONALS_RULES):
            self.nationals.addItem(NATIONALS_LABELS[rule], rule)
        self.nationals.setCurrentIndex(max(0, self.nationals.findData(
            str(info.conditions.get("nationals", "")) if info else "")))
        self.notes = QPlainTextEdit(info.notes if info else "")
        self.notes.setFixedHeight(54)
        self.source = QLineEdit()
        self.source.setObjectName("source")
        self.source.setPlaceholderText("e.g. Treaty text, Kenya Gazette 2026/12; central "
                                       "authority's advice of 2026-03-02")
        self.confidence = QComboBox()
        self.confidence.setObjectName("confidence")
        for level in CONFIDENCES:
            self.confidence.addItem(level, level)
        if info is not None and info.confidence not in CONFIDENCES:
            self.confidence.addItem(f"as recorded: {info.confidence or 'not stated'}",
                                    info.confidence)
        self.confidence.setCurrentIndex(max(0, self.confidence.findData(
            info.confidence if info else "medium")))
        form = QFormLayout()
        form.addRow("Key:", self.key)
        form.addRow("Name:", self.name)
        form.addRow("Purpose:", purpose_row)
        form.addRow("Form:", self.form)
        form.addRow("", self.binding)
        form.addRow("Parties:", self.parties)
        form.addRow("Possible parties:", self.possible)
        form.addRow("In force from:", self.in_force)
        form.addRow("Conditions:", condition_row)
        form.addRow("Own nationals:", self.nationals)
        form.addRow("Notes:", self.notes)
        needs_source = info is None or not info.mine
        form.addRow("Source (required):" if needs_source else "Source:", self.source)
        form.addRow("Confidence:", self.confidence)
        self.notice = QLabel(self._notice())
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for edit in (self.name, self.parties, self.in_force):
            edit.setCursorPosition(0)  # long texts read from their start
        self.parties.textChanged.connect(lambda _t: self._enable())
        self._enable()

    def _notice(self) -> str:
        info = self.info
        if info is None:
            return ("A new instrument of this agency's own: it applies in this store and "
                    "is shared with the operation's partners.")
        if info.mine:
            return f"<b>{escape(info.origin.capitalize())}</b>: your edit changes it in place."
        return (f"<div style='background:#fff3cd; padding:4px'><b>This instrument is "
                f"{escape(info.origin)}.</b> Your edit is saved as this agency's "
                "correction: it applies in this store in place of that record, which "
                "stays on record; removing your correction brings it back. Say where the "
                "correction comes from.</div>")

    def _enable(self) -> None:
        unknown = self.parties.text().strip().casefold() in ("?", "unknown")
        self.possible.setEnabled(unknown)

    def form_values(self) -> dict[str, Any]:
        """Every field as the instruments service takes it (checked there)."""
        conditions = dict(self.info.conditions) if self.info else {}
        for key, box in self.conditions.items():
            if box.isChecked():
                conditions[key] = True
            else:
                conditions.pop(key, None)
        rule = str(self.nationals.currentData() or "")
        if rule:
            conditions["nationals"] = rule
        else:
            conditions.pop("nationals", None)
        possible = [p for p in self.possible.text().replace(";", ",").replace(" ", ",")
                    .split(",") if p]
        if self.possible.isEnabled() and possible:
            conditions["possible_parties"] = possible
        else:
            conditions.pop("possible_parties", None)
        return {"ref_key": self.key.text().strip(), "name": self.name.text().strip(),
                "purpose": ", ".join(p for p, box in self.purposes.items()
                                     if box.isChecked()),
                "form": str(self.form.currentData()), "binding": self.binding.isChecked(),
                "parties": self.parties.text(), "in_force": self.in_force.text().strip(),
                "conditions": conditions, "notes": self.notes.toPlainText().strip(),
                "confidence": str(self.confidence.currentData())}

    def changed_values(self) -> dict[str, Any]:
        """For an edit, only what differs from the instrument as it stands."""
        values = self.form_values()
        info = self.info
        if info is None:
            if not values["ref_key"]:
                values.pop("ref_key")
            return values
        before = {"ref_key": info.ref_key, "name": info.name,
                  "purpose": ", ".join(p for p in PURPOSES if p in purposes_of(info.purpose)),
                  "form": info.form, "binding": info.binding, "parties": parties_text(info),
                  "in_force": info.in_force, "conditions": info.conditions,
                  "notes": info.notes, "confidence": info.confidence}
        return {k: v for k, v in values.items() if v != before[k]}

    def try_save(self) -> None:
        values = self.changed_values()
        if self.info is not None and not values and not self.source.text().strip():
            self.problem.setText("Nothing was changed.")
            return
        try:
            self.save(values, self.source.text().strip())
        except KnownError as error:
            self.problem.setText(str(error))
            return
        self.values = values
        self.accept()
