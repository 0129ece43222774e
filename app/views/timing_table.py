"""The actions of a timing report as a table: where, when in local time, and whether that
is lawful, coloured by state."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.timing import ActionTime

COLUMNS = ("Target", "Action", "Site", "Country", "Zone", "Local start at site", "State",
           "Offset", "Search-hour rule")
STATE_COLUMN, RULE_COLUMN = 6, 8
ID_ROLE = Qt.ItemDataRole.UserRole + 1
# Background and wording of each state; red is kept for what would break the law.
STATES = {
    "lawful": ("#c8e6c9", "lawful"),
    "no rule": ("#c8e6c9", "lawful (no rule)"),
    "outside window": ("#ffcdd2", "OUTSIDE lawful hours"),
    "authorised": ("#bbdefb", "authorised"),
    "rule unknown": ("#ffe0b2", "rule unknown: confirm"),
    "no H-hour": ("#eeeeee", "no H-hour set"),
}

Index = QModelIndex | QPersistentModelIndex


def offset_label(minutes: int) -> str:
    if minutes == 0:
        return "at H-hour"
    sign = "+" if minutes > 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"H{sign}{hours}h{mins:02d}" if hours else f"H{sign}{mins} min"


def local_label(action: ActionTime) -> str:
    if action.local_start is None:
        return "—"
    text = f"{action.local_start:%a %d %b %H:%M} (UTC{action.utc_offset})"
    if action.ambiguous:  # a repeated hour: say which of the two
        which = "first" if action.local_start.fold == 0 else "second"
        text += f" · occurs twice, this is the {which}"
    return text


def rule_label(action: ActionTime) -> str:
    if action.authorisation:
        return f"{action.rule} · authorised: {action.authorisation}"
    return action.rule


class TimingTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.actions: list[ActionTime] = []

    def set_actions(self, actions: list[ActionTime]) -> None:
        self.beginResetModel()
        # Actions at sites first: those without one (a wallet seized remotely) have no
        # search-hour rule and matter least here.
        self.actions = sorted(actions, key=lambda a: not a.site)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.actions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def text(self, action: ActionTime, column: int) -> str:
        values = (action.target, action.action, action.site or "(no site)", action.country,
                  action.zone, local_label(action),
                  STATES.get(action.state, ("", action.state))[1],
                  offset_label(action.offset_min), rule_label(action))
        return values[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        action = self.actions[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(action, column)
        if role == ID_ROLE:
            return action.id
        if role == Qt.ItemDataRole.BackgroundRole and column == STATE_COLUMN:
            colour = STATES.get(action.state, ("#ffffff", ""))[0]
            return QBrush(QColor(colour))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == RULE_COLUMN:
                return (f"{action.rule}\nSource: {action.rule_source or 'not recorded'}"
                        + (f"\nAuthorised: {action.authorisation}"
                           if action.authorisation else ""))
            if column == 5 and action.utc_start is not None:
                return f"{action.utc_start:%Y-%m-%d %H:%M} UTC"
        return None

    def row_of(self, action_id: str) -> int:
        return next((i for i, a in enumerate(self.actions) if a.id == action_id), -1)
