"""An operation at a glance: who leads, who takes part, when, and how much is planned."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.countries import country
from app.services.operations import OperationOverview
from app.views.operation_list import utc_text

PARTICIPANT_COLUMNS = ("Agency", "Country", "Role", "24/7 contact")


class CountTile(QFrame):
    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.number = QLabel("–")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        self.number.setFont(font)
        caption = QLabel(label)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number)
        layout.addWidget(caption)

    def set_count(self, value: int | None) -> None:
        self.number.setText("–" if value is None else f"{value:,}")


class OverviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.codename = QLabel()
        self.codename.setObjectName("codename")
        font = self.codename.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.codename.setFont(font)
        self.lead = QLabel()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.h_hour = QLabel()
        self.h_hour.setObjectName("hHour")
        self.crimes = QLabel()
        self.crimes.setWordWrap(True)
        facts = QFormLayout()
        facts.addRow("Lead agency:", self.lead)
        facts.addRow("Status:", self.status)
        facts.addRow("H-hour:", self.h_hour)
        facts.addRow("Crime types:", self.crimes)
        self.targets = CountTile("targets")
        self.targets.setObjectName("targetsCount")
        self.sites = CountTile("sites")
        self.sites.setObjectName("sitesCount")
        self.actions_tile = CountTile("actions")
        self.actions_tile.setObjectName("actionsCount")
        tiles = QHBoxLayout()
        for tile in (self.targets, self.sites, self.actions_tile):
            tiles.addWidget(tile)
        self.description = QLabel()
        self.description.setObjectName("description")
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.participants = QTableWidget(0, len(PARTICIPANT_COLUMNS))
        self.participants.setObjectName("participants")
        self.participants.setHorizontalHeaderLabels(PARTICIPANT_COLUMNS)
        self.participants.verticalHeader().hide()
        self.participants.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.participants.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.participants.setAlternatingRowColors(True)
        header = self.participants.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.codename)
        layout.addLayout(facts)
        layout.addLayout(tiles)
        layout.addWidget(QLabel("<b>Description</b>"))
        layout.addWidget(self.description)
        layout.addWidget(QLabel("<b>Participating agencies</b>"))
        layout.addWidget(self.participants, 1)

    def show_overview(self, ov: OperationOverview) -> None:
        s = ov.summary
        self.codename.setText(s.codename)
        self.lead.setText(s.lead_agency)
        self.status.setText(s.status)
        self.h_hour.setText(utc_text(s.h_hour) if s.h_hour else
                            "not set yet (all actions are planned relative to it)")
        self.crimes.setText(", ".join(ov.crime_types) or "none recorded")
        self.targets.set_count(s.targets)
        self.sites.set_count(s.sites)
        self.actions_tile.set_count(s.actions)
        self.description.setText(ov.description if ov.description
                                 else "No description.")
        self.participants.setRowCount(len(ov.participants))
        for r, p in enumerate(ov.participants):
            found = country(p.country)
            values = (p.agency, f"{found.name} ({p.country})" if found else p.country, p.role,
                      p.contact_24_7 or "not recorded")
            for c, value in enumerate(values):
                self.participants.setItem(r, c, QTableWidgetItem(value))

    def clear(self) -> None:
        for label in (self.codename, self.lead, self.status, self.h_hour, self.crimes,
                      self.description):
            label.clear()
        for tile in (self.targets, self.sites, self.actions_tile):
            tile.set_count(None)
        self.participants.setRowCount(0)
