"""Correct a jurisdiction's search-hour rule: kind, hours, per-weekday differences, and
where the correction comes from. The shipped rule stays in view with its provenance."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.timing import WEEKDAYS, Rule
from app.services.jurisdictions import SearchRuleInfo

KINDS = (("window", "Daily window: searches may start between"),
         ("night_ban", "Night ban: no search may start between"),
         ("solar", "Sunrise to sunset at the site"),
         ("none", "No rule: any hour"))
SAME = "same"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Saver = Callable[[dict[str, Any], str, str], None]


class RuleRow:
    """A kind and its start/end hours: the rule of every day, or of one weekday."""

    def __init__(self, with_same: bool) -> None:
        self.kind = QComboBox()
        if with_same:
            self.kind.addItem("as every day", SAME)
        for key, text in KINDS:
            self.kind.addItem(text if not with_same else text.split(":")[0], key)
        self.start = QLineEdit()
        self.end = QLineEdit()
        for edit in (self.start, self.end):
            edit.setPlaceholderText("HH:MM")
            edit.setMaximumWidth(70)
        self.kind.currentIndexChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        timed = self.kind.currentData() in ("window", "night_ban")
        self.start.setEnabled(timed)
        self.end.setEnabled(timed)

    def set_rule(self, rule: dict[str, Any] | None) -> None:
        kind = (rule or {}).get("kind", SAME if self.kind.findData(SAME) >= 0 else "window")
        index = self.kind.findData(kind)
        self.kind.setCurrentIndex(max(index, 0))
        self.start.setText(str((rule or {}).get("start", "")))
        self.end.setText(str((rule or {}).get("end", "")))

    def rule(self) -> dict[str, Any] | None:
        kind = str(self.kind.currentData())
        if kind == SAME:
            return None
        if kind in ("window", "night_ban"):
            return {"kind": kind, "start": self.start.text().strip(),
                    "end": self.end.text().strip()}
        return {"kind": kind}


def describe(rule: dict[str, Any]) -> str:
    return Rule.from_data(rule).describe()


class RuleDialog(QDialog):
    """``save(rule, text, source)`` records the correction; a KnownError from it is shown
    here and the dialog stays open, unchanged."""

    def __init__(self, info: SearchRuleInfo, save: Saver,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.save = save
        self.setWindowTitle(f"Search-hour rule: {info.name}")
        self.setMinimumWidth(640)
        shipped = QLabel(self._shipped_html())
        shipped.setObjectName("shipped")
        shipped.setWordWrap(True)
        shipped.setOpenExternalLinks(True)
        self.every_day = RuleRow(with_same=False)
        self.every_day.kind.setObjectName("ruleKind")
        self.every_day.start.setObjectName("ruleStart")
        self.every_day.end.setObjectName("ruleEnd")
        self.every_day.set_rule(info.rule if info.rule.get("kind") != "unknown" else None)
        hours = QHBoxLayout()
        hours.addWidget(self.every_day.kind, 1)
        hours.addWidget(self.every_day.start)
        hours.addWidget(QLabel("and"))
        hours.addWidget(self.every_day.end)
        self.days: dict[str, RuleRow] = {}
        grid = QGridLayout()
        overrides = info.rule.get("weekdays") or {}
        for row, (day, name) in enumerate(zip(WEEKDAYS, DAY_NAMES, strict=True)):
            line = RuleRow(with_same=True)
            line.kind.setObjectName(f"day_{day}")
            line.set_rule(overrides.get(day))
            self.days[day] = line
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(line.kind, row, 1)
            grid.addWidget(line.start, row, 2)
            grid.addWidget(line.end, row, 3)
        days_box = QGroupBox("Where the law differs by weekday")
        days_box.setLayout(grid)
        self.text = QLineEdit(info.text if info.corrected else "")
        self.text.setObjectName("ruleText")
        self.text.setPlaceholderText("What the law says, in a sentence")
        self.source = QLineEdit(info.source if info.corrected else "")
        self.source.setObjectName("ruleSource")
        self.source.setPlaceholderText("e.g. Prosecutor's advice of 2026-03-02, CPP art. 59")
        form = QFormLayout()
        form.addRow("Searches:", hours)
        form.addRow("In plain words:", self.text)
        form.addRow("Source (required):", self.source)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b71c1c;")
        note = QLabel("Your correction applies in this store and is shared with the "
                      "operation's partners; the shipped rule stays on record.")
        note.setWordWrap(True)
        note.setStyleSheet("color: gray;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(shipped)
        layout.addLayout(form)
        layout.addWidget(days_box)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _shipped_html(self) -> str:
        info = self.info
        kind = info.shipped_rule.get("kind", "unknown")
        text = (f"<b>{escape(info.name)} ({escape(info.code)})</b><br>"
                f"<b>As shipped:</b> {escape(describe(info.shipped_rule))}")
        if kind == "unknown":
            text += (" — the reference data has no search-hour rule for this country; the "
                     "planner treats every hour as allowed until you record one.")
        else:
            text += (f" — {escape(info.shipped_text)}<br><span style='color:gray'>Source: "
                     f"{escape(info.shipped_source or 'not recorded')}; as of "
                     f"{escape(info.shipped_as_of or 'unknown')}; confidence "
                     f"{escape(info.shipped_confidence or 'not stated')}.</span>")
        if info.corrected:
            text += (f"<br><b>In force here (a correction):</b> "
                     f"{escape(describe(info.rule))}. Source: {escape(info.source)}.")
        return text

    def rule(self) -> dict[str, Any]:
        rule = self.every_day.rule() or {"kind": "none"}
        days = {day: r for day, line in self.days.items() for r in [line.rule()] if r}
        if days:
            rule["weekdays"] = days
        return rule

    def try_save(self) -> None:
        try:
            self.save(self.rule(), self.text.text(), self.source.text())
        except KnownError as error:
            self.problem.setText(str(error))
            return
        self.accept()
