"""A site's fields (country, its zones, coordinates, what the reference data says there),
the form that edits the selected site, and the dialog that adds one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.countries import country as find_country
from app.core.errors import ValidationError
from app.core.tlp import LEVELS
from app.services import targets
from app.services.reference_facts import JurisdictionFacts
from app.services.sites import SITE_STATUSES, SiteAction, SiteRow
from app.views.country_combo import CountryCombo
from app.views.facts_text import facts_html
from app.views.target_form import offset_text

FactsLookup = Callable[[str], JurisdictionFacts | None]
ACTION_COLUMNS = ("When", "Action", "Target", "Status", "Agency")


def _coordinate(value: float | None) -> str:
    return "" if value is None else str(value)  # the shortest text that reads back the same


class SiteFields(QWidget):
    """Name, address, country, a zone of that country, coordinates and TLP, with the
    reference facts for the place and the reason the last check refused it."""

    edited = Signal()

    def __init__(self, facts: FactsLookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facts_of = facts
        self.name = QLineEdit()
        self.name.setObjectName("siteName")
        self.address = QLineEdit()
        self.address.setObjectName("address")
        self.country = CountryCombo()
        self.country.setObjectName("siteCountry")
        self.zone = QComboBox()
        self.zone.setObjectName("zone")
        self.zone.setToolTip("Only the time zones of the chosen country (IANA tz database)")
        self.lat = QLineEdit()
        self.lat.setObjectName("lat")
        self.lat.setPlaceholderText("latitude, -90 to 90")
        self.lat.setToolTip("Decimal degrees, north positive (optional)")
        self.lon = QLineEdit()
        self.lon.setObjectName("lon")
        self.lon.setPlaceholderText("longitude, -180 to 180")
        self.lon.setToolTip("Decimal degrees, east positive (optional)")
        self.tlp = QComboBox()
        self.tlp.setObjectName("siteTlp")
        self.tlp.addItems(LEVELS)
        self.tlp.setCurrentText("AMBER")
        self.status = QComboBox()
        self.status.setObjectName("siteStatus")
        self.status.addItems(SITE_STATUSES)
        self.status.setToolTip("What became of the site: a site shut down (a server taken "
                               "offline, premises closed) counts among the outcomes")
        self.facts = QLabel()
        self.facts.setObjectName("facts")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setStyleSheet("background: palette(alternate-base); padding: 6px;")
        self.facts.hide()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Address:", self.address)
        form.addRow("Country:", self.country)
        form.addRow("Time zone:", self.zone)
        coordinates = QHBoxLayout()
        coordinates.addWidget(self.lat)
        coordinates.addWidget(self.lon)
        form.addRow("Latitude, longitude:", coordinates)
        form.addRow("TLP:", self.tlp)
        form.addRow("Status:", self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.facts)
        layout.addWidget(self.error)
        self.country.codeChanged.connect(self._country_changed)
        self.zone.currentIndexChanged.connect(lambda _i: self._show_facts())
        for line in (self.name, self.address, self.lat, self.lon):
            line.textEdited.connect(lambda _t: self.edited.emit())
        for combo in (self.zone, self.tlp, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.edited.emit())

    def set_values(self, row: SiteRow | None) -> None:
        self.blockSignals(True)  # filling in is not editing
        self.name.setText(row.name if row else "")
        self.address.setText(row.address if row else "")
        self.address.setCursorPosition(0)  # the start of a long address, not its end
        self.country.set_code(row.country if row else "")
        self._fill_zones(row.country if row else "", row.zone if row else "", stored=True)
        self.lat.setText(_coordinate(row.lat) if row else "")
        self.lon.setText(_coordinate(row.lon) if row else "")
        self.tlp.setCurrentText(row.tlp if row else "AMBER")
        self.status.setCurrentText(row.status if row else "planned")
        self.blockSignals(False)
        self.clear_error()
        self._show_facts()

    def _country_changed(self, code: str) -> None:
        self._fill_zones(code, str(self.zone.currentData() or ""))
        self._show_facts()
        self.edited.emit()

    def _fill_zones(self, code: str, keep: str, stored: bool = False) -> None:
        """The zones of ``code`` only; ``keep`` stays chosen when it is one of them."""
        self.zone.blockSignals(True)
        self.zone.clear()
        found = find_country(code) if code else None
        zones = found.zones if found else ()
        if len(zones) > 1:
            self.zone.addItem(f"choose one of {len(zones)} zones", "")
        for zone in zones:
            self.zone.addItem(zone, zone)
        if stored and keep and keep not in zones:
            # A stored zone outside its country (written elsewhere): shown as it is, so
            # that saving it again is refused with the reason.
            self.zone.addItem(f"{keep} (not in this country)", keep)
        self.zone.setCurrentIndex(max(self.zone.findData(keep), 0) if keep else 0)
        self.zone.blockSignals(False)

    def _show_facts(self) -> None:
        code = self.country.code()
        facts = self.facts_of(code) if code else None
        self.facts.setVisible(facts is not None)
        if facts is not None:
            self.facts.setText(facts_html(facts, zone=str(self.zone.currentData() or "")))

    def raw(self) -> dict[str, str]:
        """What the fields say, as typed."""
        return {"name": self.name.text(), "address": self.address.text(),
                "country": self.country.code() or self.country.currentText(),
                "zone": str(self.zone.currentData() or ""), "lat": self.lat.text(),
                "lon": self.lon.text(), "tlp": self.tlp.currentText(),
                "status": self.status.currentText()}

    def checked(self) -> dict[str, Any]:
        """The checked values to store; ValidationError (also shown here) if refused."""
        raw = self.raw()
        try:
            values = targets.site_values(raw["name"], raw["country"], raw["zone"],
                                         raw["lat"], raw["lon"], raw["address"], raw["tlp"])
        except ValidationError as error:
            self.show_error(str(error))
            raise
        self.clear_error()
        return {**values, "status": raw["status"]}

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def clear_error(self) -> None:
        self.error.clear()
        self.error.hide()


class SiteForm(QWidget):
    """The selected site. Emits checked values to save; the sites view turns them into
    an undoable command."""

    save_requested = Signal(dict)
    target_requested = Signal(str)

    def __init__(self, facts: FactsLookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.site: SiteRow | None = None
        self.fields = SiteFields(facts)
        self.owner_note = QLabel()
        self.owner_note.setObjectName("ownerNote")
        self.owner_note.setWordWrap(True)
        self.owner_note.setStyleSheet("background: #fff4ce; color: #5c4400; padding: 6px;")
        self.owner_note.hide()
        self.save = QPushButton("Save changes")
        self.save.setObjectName("saveSite")
        self.save.clicked.connect(self._save)
        self.revert = QPushButton("Revert")
        self.revert.setObjectName("revertSite")
        self.revert.clicked.connect(self.revert_edits)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert)
        buttons.addWidget(self.save)
        self.box = QGroupBox("Site")
        self.box.setMaximumWidth(460)
        box_layout = QVBoxLayout(self.box)
        box_layout.addWidget(self.owner_note)
        box_layout.addWidget(self.fields)
        box_layout.addStretch(1)
        box_layout.addLayout(buttons)

        self.action_table = QTableWidget(0, len(ACTION_COLUMNS))
        self.action_table.setObjectName("siteActions")
        self.action_table.setHorizontalHeaderLabels(ACTION_COLUMNS)
        self.action_table.verticalHeader().hide()
        self.action_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.action_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.action_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.action_table.verticalHeader().setDefaultSectionSize(
            self.action_table.fontMetrics().height() + 8)
        header = self.action_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACTION_COLUMNS.index("Target"),
                                    QHeaderView.ResizeMode.Stretch)
        self.action_table.setToolTip("Double-click an action to open its target")
        self.action_table.doubleClicked.connect(self._open_target)
        self.action_note = QLabel()
        self.action_note.setObjectName("actionNote")
        self.action_note.setWordWrap(True)
        self.action_note.setStyleSheet("color: gray;")
        self.action_box = QGroupBox("Actions at this site")
        action_layout = QVBoxLayout(self.action_box)
        action_layout.addWidget(self.action_table)
        action_layout.addWidget(self.action_note)

        self.placeholder = QLabel("Select a site in the table to see and edit it, or add "
                                  "one with Add site….")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: gray;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.box, 2)
        layout.addWidget(self.action_box, 3)
        self.fields.edited.connect(self._update_buttons)
        self.show_site(None)

    def show_site(self, site: SiteRow | None, actions: list[SiteAction] | None = None,
                  ours: bool = True) -> None:
        self.site = site
        self.placeholder.setVisible(site is None)
        self.box.setVisible(site is not None)
        self.action_box.setVisible(site is not None)
        self.fields.set_values(site)
        self.fields.setEnabled(site is not None and ours)
        if site is None:
            self.action_table.setRowCount(0)
            self.owner_note.hide()
            self._update_buttons()
            return
        self.box.setTitle(f"Site: {site.name}")
        self.owner_note.setVisible(not ours)
        self.owner_note.setText(
            f"Read-only: this site belongs to {site.owner or 'another agency'}. Only that "
            "agency can change or delete it; its changes reach you in its bundles.")
        self._show_actions(actions or [])
        self._update_buttons()

    def _show_actions(self, actions: list[SiteAction]) -> None:
        self.action_box.setTitle(f"Actions at this site ({len(actions)})")
        self.action_table.setRowCount(len(actions))
        for r, a in enumerate(actions):
            values = (offset_text(a.offset_min), a.kind, a.target, a.status, a.agency)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                item.setData(Qt.ItemDataRole.UserRole, a.target_id)
                self.action_table.setItem(r, c, item)
        self.action_note.setText(
            "No action is planned here yet; add one from the target's form in Targets."
            if not actions else
            "Actions are added and edited from their target (Targets). Deleting this site "
            "deletes these actions with it; Undo brings them all back.")

    def _open_target(self, index: QModelIndex) -> None:
        target_id = index.data(Qt.ItemDataRole.UserRole)
        if target_id:
            self.target_requested.emit(str(target_id))

    def is_edited(self) -> bool:
        if self.site is None:
            return False
        s, raw = self.site, self.fields.raw()
        return raw != {"name": s.name, "address": s.address, "country": s.country,
                       "zone": s.zone, "lat": _coordinate(s.lat), "lon": _coordinate(s.lon),
                       "tlp": s.tlp, "status": s.status}

    def _update_buttons(self) -> None:
        edited = self.fields.isEnabled() and self.is_edited()
        self.save.setEnabled(edited)
        self.revert.setEnabled(edited)

    def revert_edits(self) -> None:
        self.fields.set_values(self.site)
        self._update_buttons()

    def _save(self) -> None:
        if self.site is None:
            return
        try:
            values = self.fields.checked()
        except ValidationError:
            return  # the reason is shown under the fields; nothing is saved
        self.save_requested.emit(values)


class NewSiteDialog(QDialog):
    """On accept, ``values`` holds the checked values of the site to add."""

    def __init__(self, facts: FactsLookup, country: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add site")
        self.setMinimumWidth(520)
        self.values: dict[str, Any] = {}
        self.fields = SiteFields(facts)
        if country:
            self.fields.country.set_code(country)
        hint = QLabel("A place where actions will happen: a house, an office, a data "
                      "centre. Its time zone sets the local time of those actions.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)

    def check_and_accept(self) -> None:
        try:
            self.values = self.fields.checked()
        except ValidationError:
            return
        self.accept()
