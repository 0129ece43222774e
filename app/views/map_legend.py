"""The operation map's legend: what the colours of sites and countries mean, and the money
flows as text (what the arrows show, readable without hovering)."""

from __future__ import annotations

from collections import Counter
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.services.map_layers import MapLayers
from app.views.map_canvas import country_name
from app.views.map_style import (
    FLOW,
    LAND,
    OTHER_STATUS,
    STATUS_COLOURS,
    ShadeClass,
    amount_text,
    by_share,
)

MAX_FLOWS = 12
ATTRIBUTION = "Country outlines: Natural Earth 1:110m (public domain). Equal Earth projection."


def _swatch(colour: str, mark: str = "●") -> str:
    return f"<span style='color:{colour}; font-size:13pt'>{mark}</span>"


def sites_html(layers: MapLayers | None) -> str:
    counts = Counter(s.status for s in layers.sites) if layers else Counter[str]()
    rows = [f"{_swatch(colour)} {status} ({counts.get(status, 0):,})"
            for status, colour in STATUS_COLOURS.items()]
    others = sum(n for status, n in counts.items() if status not in STATUS_COLOURS)
    if others:
        rows.append(f"{_swatch(OTHER_STATUS)} other status ({others:,})")
    approximate = sum(1 for s in layers.sites if s.approximate) if layers else 0
    rows.append(f"{_swatch('#757575', '○')} no coordinates: shown inside its country "
                f"({approximate:,})")
    if layers and layers.unplaced:
        rows.append(f"<span style='color:#c62828'>{len(layers.unplaced):,} not on the map "
                    "(no coordinates, unknown country)</span>")
    return "<b>Sites</b><br>" + "<br>".join(rows)


def countries_html(classes: list[ShadeClass]) -> str:
    rows = [f"{_swatch(c.colour, '■')} {c.label}" for c in reversed(classes)]
    rows.append(f"{_swatch(LAND, '■')} none")
    return "<b>Targets per country</b><br>" + "<br>".join(rows)


def flows_html(layers: MapLayers | None, left_out: int = 0) -> str:
    head = f"<b>Money between countries</b> <span style='color:{FLOW}'>⟶</span>"
    if layers is None or not layers.flows:
        return (f"{head}<br><span style='color:gray'>None known: transfers count when the "
                "country of both addresses is (a label's country, or the wallet's "
                "target's).</span>")
    rows = []
    for flow in by_share(layers.flows)[:MAX_FLOWS]:
        route = (f"within {escape(country_name(flow.source))}" if flow.source == flow.dest
                 else f"{escape(flow.source)} → {escape(flow.dest)}")
        rows.append(f"{route}: {escape(amount_text(flow.amount, flow.asset))}")
    if len(layers.flows) > MAX_FLOWS:
        rows.append(f"… and {len(layers.flows) - MAX_FLOWS:,} more")
    if left_out:
        rows.append(f"<span style='color:gray'>The {left_out:,} smallest flows between "
                    "countries are not drawn.</span>")
    if layers.unreadable_amounts:
        rows.append(f"<span style='color:#c62828'>{layers.unreadable_amounts:,} transfers "
                    "with an amount that is not a number: not counted</span>")
    return f"{head}<br>" + "<br>".join(rows)


class MapLegend(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapLegend")
        self.setWidgetResizable(True)
        self.setMinimumWidth(230)
        self.setMaximumWidth(300)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.sites = self._section("legendSites")
        self.countries = self._section("legendCountries")
        self.flows = self._section("legendFlows")
        self.attribution = self._section("legendAttribution")
        self.attribution.setStyleSheet("color: gray; font-size: 8pt;")
        self.attribution.setText(ATTRIBUTION)
        for label in (self.sites, self.countries, self.flows):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.attribution)
        self.setWidget(body)
        self.show_layers(None, [])

    @staticmethod
    def _section(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return label

    def show_layers(self, layers: MapLayers | None, classes: list[ShadeClass],
                    flows_left_out: int = 0) -> None:
        self.sites.setText(sites_html(layers))
        self.countries.setText(countries_html(classes))
        self.flows.setText(flows_html(layers, flows_left_out))

    def text(self) -> str:
        """What the legend says, as plain text (for tests and accessibility)."""
        return "\n".join(label.text() for label in (self.sites, self.countries, self.flows,
                                                    self.attribution))
