"""Add or edit an action: what, where (an existing site or a new one), by whom, when."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.countries import country as find_country
from app.core.errors import ValidationError
from app.core.placement import ACTION_KINDS
from app.core.tlp import LEVELS
from app.services import targets
from app.services.operations import ParticipantInfo
from app.services.reference_facts import JurisdictionFacts
from app.services.targets import ActionInfo, SiteInfo
from app.views.country_combo import CountryCombo
from app.views.facts_text import facts_html
from app.views.target_form import offset_text

NEW_SITE = "__new__"
FactsLookup = Any  # Callable[[str], JurisdictionFacts | None]


class ActionDialog(QDialog):
    """On accept, ``action`` holds checked action values and ``new_site`` the checked
    values of a site to create first (its id goes into the action), or None."""

    def __init__(self, target_id: str, sites: list[SiteInfo],
                 participants: list[ParticipantInfo], local_agency_id: str,
                 facts: FactsLookup, existing: ActionInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target_id = target_id
        self.sites = {s.id: s for s in sites}
        self.existing = existing
        self.facts_of: FactsLookup = facts
        self.action: dict[str, Any] = {}
        self.new_site: dict[str, Any] | None = None
        self.setWindowTitle("Edit action" if existing else "Add action")
        self.setMinimumWidth(560)

        self.kind = QComboBox()
        self.kind.setObjectName("actionKind")
        self.kind.addItems(ACTION_KINDS)
        self.site = QComboBox()
        self.site.setObjectName("site")
        self.site.addItem("No site (e.g. a wallet or a server seized remotely)", "")
        for s in sites:
            self.site.addItem(f"{s.name} ({s.country}, {s.zone})", s.id)
        self.site.addItem("New site…", NEW_SITE)
        self.agency = QComboBox()
        self.agency.setObjectName("agency")
        for p in participants:
            self.agency.addItem(f"{p.agency} ({p.country}, {p.role})", p.agency_id)
        self.offset = QSpinBox()
        self.offset.setObjectName("offset")
        self.offset.setRange(-7 * 24 * 60, 7 * 24 * 60)
        self.offset.setSuffix(" min after H-hour")
        self.offset_hint = QLabel()
        self.offset.valueChanged.connect(lambda v: self.offset_hint.setText(offset_text(v)))
        self.tlp = QComboBox()
        self.tlp.setObjectName("tlp")
        self.tlp.addItems(LEVELS)
        form = QFormLayout()
        form.addRow("Action:", self.kind)
        form.addRow("Site:", self.site)
        form.addRow("By agency:", self.agency)
        offset_row = QHBoxLayout()
        offset_row.addWidget(self.offset, 1)
        offset_row.addWidget(self.offset_hint)
        form.addRow("Offset:", offset_row)
        form.addRow("TLP:", self.tlp)

        self.site_box = QGroupBox("New site")
        self.site_name = QLineEdit()
        self.site_name.setObjectName("siteName")
        self.site_country = CountryCombo()
        self.site_country.setObjectName("siteCountry")
        self.zone = QComboBox()
        self.zone.setObjectName("zone")
        self.lat = QLineEdit()
        self.lat.setObjectName("lat")
        self.lat.setPlaceholderText("decimal degrees, -90 to 90 (optional)")
        self.lon = QLineEdit()
        self.lon.setObjectName("lon")
        self.lon.setPlaceholderText("decimal degrees, -180 to 180 (optional)")
        self.address = QLineEdit()
        site_form = QFormLayout(self.site_box)
        site_form.addRow("Name:", self.site_name)
        site_form.addRow("Country:", self.site_country)
        site_form.addRow("Time zone:", self.zone)
        site_form.addRow("Latitude:", self.lat)
        site_form.addRow("Longitude:", self.lon)
        site_form.addRow("Address:", self.address)

        self.facts = QLabel()
        self.facts.setObjectName("facts")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setOpenExternalLinks(False)
        self.facts.setStyleSheet("background: palette(alternate-base); padding: 6px;")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.site_box)
        layout.addWidget(self.facts)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.site.currentIndexChanged.connect(self._site_changed)
        self.site_country.codeChanged.connect(self._country_changed)
        self.zone.currentIndexChanged.connect(lambda _i: self._show_facts())
        self._fill(existing, local_agency_id)

    def _fill(self, existing: ActionInfo | None, local_agency_id: str) -> None:
        agency = existing.agency_id if existing and existing.agency_id else local_agency_id
        self.agency.setCurrentIndex(max(self.agency.findData(agency), 0))
        if existing is not None:
            self.kind.setCurrentText(existing.kind)
            self.site.setCurrentIndex(max(self.site.findData(existing.site_id or ""), 0))
            self.offset.setValue(existing.offset_min)
            self.tlp.setCurrentText(existing.tlp)
        else:
            self.tlp.setCurrentText("AMBER")
        self.offset_hint.setText(offset_text(self.offset.value()))
        self._site_changed()

    # ---- site and its facts --------------------------------------------------------------

    def _site_changed(self) -> None:
        self.site_box.setVisible(self.site.currentData() == NEW_SITE)
        self._show_facts()
        self.adjustSize()

    def _country_changed(self, code: str) -> None:
        self.zone.clear()
        found = find_country(code) if code else None
        zones = found.zones if found else ()
        if len(zones) > 1:
            self.zone.addItem(f"choose one of {len(zones)} zones", "")
        for zone in zones:
            self.zone.addItem(zone, zone)
        self._show_facts()

    def site_country_code(self) -> str:
        chosen = self.site.currentData()
        if chosen == NEW_SITE:
            return self.site_country.code()
        site = self.sites.get(str(chosen or ""))
        return site.country if site else ""

    def _show_facts(self) -> None:
        code = self.site_country_code()
        facts: JurisdictionFacts | None = self.facts_of(code) if code else None
        self.facts.setVisible(facts is not None)
        if facts is not None:
            self.facts.setText(facts_html(facts, zone=self._zone_of_choice()))

    def _zone_of_choice(self) -> str:
        chosen = self.site.currentData()
        if chosen == NEW_SITE:
            return str(self.zone.currentData() or "")
        site = self.sites.get(str(chosen or ""))
        return site.zone if site else ""

    # ---- result ------------------------------------------------------------------------

    def check_and_accept(self) -> None:
        try:
            chosen = str(self.site.currentData() or "")
            new_site = None
            if chosen == NEW_SITE:
                new_site = targets.site_values(
                    self.site_name.text(), self.site_country.code() or
                    self.site_country.currentText(), str(self.zone.currentData() or ""),
                    self.lat.text(), self.lon.text(), self.address.text(),
                    self.tlp.currentText())
            status = self.existing.status if self.existing else "planned"
            action = targets.action_values(
                self.kind.currentText(), self.target_id,
                None if chosen in ("", NEW_SITE) else chosen,
                str(self.agency.currentData() or "") or None, self.offset.value(),
                self.tlp.currentText(), status)
        except ValidationError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.new_site, self.action = new_site, action
        self.accept()
