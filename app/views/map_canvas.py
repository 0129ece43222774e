"""The operation map's drawing: the world with countries shaded by number of targets,
sites as dots, money flows as arrows; zoom with the wheel, pan by dragging, a tooltip per
site and per country, and a click on a site to open it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QMenu,
    QToolTip,
    QWidget,
)

from app.core.countries import country
from app.core.world_map import world_map
from app.services.map_layers import MapLayers, MoneyFlow, SitePoint
from app.views.map_items import (
    FlowCurve,
    LabelItem,
    SiteLayer,
    arrowhead,
    country_paths,
    flow_curve,
    globe_path,
    scene_point,
)
from app.views.map_style import (
    BORDER,
    FLOW,
    LAND,
    OCEAN,
    OUTSIDE,
    FlowPair,
    ShadeClass,
    amount_text,
    flow_pairs,
    shade_classes,
    shade_for,
)

HIT = 7.0  # pixels from a site's centre that count as on it
ZOOM_STEP = 1.25
MAX_SCALE = 120.0  # pixels per scene unit: sites a few hundred metres apart separate
MIN_SPAN = QRectF(0, 0, 700, 420)  # the smallest area "fit" zooms to (about 45° wide)
MENU_SITES = 15
MAX_DRAWN_FLOWS = 30  # the largest; more would hide the map (the legend lists them all)
FLOW_PRIORITY = 1e12
# Countries labelled, those with the most targets: the others show by their shading and
# tooltip (labels that could never all fit would only cost time at every zoom).
MAX_COUNTRY_LABELS = 60
# Where a country's label may go around its centre, nearest first: on it, then shifted by
# half and whole box sizes (declutter prefers those that keep it inside its country), then
# further out.
_STEPS = (0.0, 0.5, -0.5, 1.0, -1.0)
COUNTRY_SIDES = sorted(((x, y) for x in _STEPS for y in _STEPS),
                       key=lambda s: (abs(s[0]) + abs(s[1]), abs(s[0])))
COUNTRY_SIDES += [(2.2 * x, 2.2 * y) for x, y in COUNTRY_SIDES if abs(x) + abs(y) == 1]
KEEP_CLEAR = 7.0  # pixels around an arrow tip, or a site when few, that labels avoid
FEW_SITES = 300


def country_name(code: str) -> str:
    shape = world_map().countries.get(code)
    if shape is not None:
        return shape.name
    found = country(code)
    return found.name if found else code


def site_tooltip(sites: Sequence[SitePoint]) -> str:
    """Rich text: every value from the records is escaped (a partner's record may hold
    anything)."""
    if len(sites) > 1:
        names = "<br>".join(f"{escape(s.name)} ({escape(s.status)})" for s in sites[:8])
        more = f"<br>… and {len(sites) - 8} more; zoom in" if len(sites) > 8 else ""
        return f"<b>{len(sites)} sites here</b><br>{names}{more}<br><i>Click to choose one</i>"
    site = sites[0]
    place = ("<i>No coordinates: shown inside its country</i>" if site.approximate
             else f"{site.lat:.4f}, {site.lon:.4f}")
    return (f"<b>{escape(site.name)}</b><br>{escape(site.status)} · "
            f"{escape(country_name(site.country))}<br>"
            f"{escape(site.address) or '(no address)'}<br>{place}<br><i>Click to open</i>")


class MapCanvas(QGraphicsView):
    site_clicked = Signal(str)
    zoomed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapCanvas")
        self.scene_ = QGraphicsScene(self)
        self.setScene(self.scene_)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QBrush(QColor(OUTSIDE)))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMouseTracking(True)
        world = globe_path().boundingRect()
        # Room to pan past the edge of the world at any zoom.
        self.scene_.setSceneRect(world.adjusted(-world.width(), -world.height(),
                                                world.width(), world.height()))
        self.world_rect = world
        ocean = self.scene_.addPath(globe_path(), QPen(QColor(BORDER), 0),
                                    QBrush(QColor(OCEAN)))
        ocean.setZValue(0)
        border = QPen(QColor(BORDER), 0.6)
        border.setCosmetic(True)
        self.countries: dict[str, QGraphicsPathItem] = {}
        for code, path in country_paths().items():
            item = self.scene_.addPath(path, border, QBrush(QColor(LAND)))
            item.setZValue(1)
            item.setToolTip(f"{country_name(code)}: no target")
            self.countries[code] = item
        self.sites = SiteLayer()
        self.sites.setZValue(4)
        self.scene_.addItem(self.sites)
        self.extras: list[QGraphicsItem] = []  # flows and labels of the shown operation
        self.labels: list[LabelItem] = []
        self.obstacles: list[QPointF] = []  # arrow tips: labels keep clear of them
        self.flows_left_out = 0  # flows between countries too small to be drawn
        self.classes: list[ShadeClass] = []
        self.layers: MapLayers | None = None
        self._fit_pending = True
        # A pan moves labels to and from the edges: placed again once it pauses.
        self._replace_labels = QTimer(self)
        self._replace_labels.setSingleShot(True)
        self._replace_labels.setInterval(40)
        self._replace_labels.timeout.connect(self.declutter)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            # (not start itself: the bar's value would become the interval)
            bar.valueChanged.connect(lambda _value: self._replace_labels.start())

    # ---- what is shown ------------------------------------------------------------------

    def show_layers(self, layers: MapLayers | None) -> None:
        """Draw an operation's layers; the same operation drawn again (after a change)
        keeps the zoom and place a person chose, another one is fitted in view."""
        same = (layers is not None and self.layers is not None
                and layers.op_id == self.layers.op_id)
        self.layers = layers
        for extra in self.extras:
            self.scene_.removeItem(extra)
        self.extras, self.labels, self.obstacles = [], [], []
        self.flows_left_out = 0
        targets = layers.targets if layers else {}
        self.classes = shade_classes(targets.values())
        within = self._domestic(layers.flows if layers else [])
        for code, item in self.countries.items():
            count = targets.get(code, 0)
            item.setBrush(QBrush(QColor(shade_for(count, self.classes))))
            words = f"{count:,} target{'s' if count != 1 else ''}" if count else "no target"
            inner = "".join(f"<br>within: {escape(line)}" for line in within.get(code, []))
            item.setToolTip(f"<b>{escape(country_name(code))}</b>: {words}{inner}")
        self.sites.set_sites(layers.sites if layers else [])
        if layers is not None:
            self._country_labels(targets)
            self._flows(layers.flows)
        if same and not self._fit_pending:
            self.declutter()
        else:
            self.fit()

    @staticmethod
    def _domestic(flows: Sequence[MoneyFlow]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for flow in flows:
            if flow.source == flow.dest:
                found.setdefault(flow.source, []).append(amount_text(flow.amount, flow.asset))
        return found

    def _add(self, item: QGraphicsItem, z: float) -> None:
        item.setZValue(z)
        self.scene_.addItem(item)
        self.extras.append(item)

    def _country_labels(self, targets: dict[str, int]) -> None:
        world = world_map()
        largest = sorted(targets.items(), key=lambda item: (-item[1], item[0]))
        for code, count in largest[:MAX_COUNTRY_LABELS]:
            anchor = world.anchor(code)
            if anchor is None:
                continue
            label = LabelItem([country_name(code), f"{count:,} target{'s' if count != 1 else ''}"],
                              scene_point(*anchor), COUNTRY_SIDES, count, bold_first=True,
                              region=country_paths().get(code))
            self._add(label, 3.5)
            self.labels.append(label)

    def _flows(self, flows: Sequence[MoneyFlow]) -> None:
        world = world_map()
        colour = QColor(FLOW)
        pairs = flow_pairs(flows)
        self.flows_left_out = max(0, len(pairs) - MAX_DRAWN_FLOWS)
        for pair in pairs[:MAX_DRAWN_FLOWS]:
            start, end = world.anchor(pair.source), world.anchor(pair.dest)
            if start is None or end is None:
                continue
            curve = flow_curve(scene_point(*start), scene_point(*end))
            width = 1.5 + 2.5 * math.sqrt(pair.share)
            pen = QPen(QColor(colour.red(), colour.green(), colour.blue(), 210), width)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            line = QGraphicsPathItem(curve.path)
            line.setPen(pen)
            tip = (f"{escape(country_name(pair.source))} → {escape(country_name(pair.dest))}<br>"
                   + "<br>".join(f"{escape(amount_text(f.amount, f.asset))} in {f.transfers:,} "
                                 f"transfer{'s' if f.transfers != 1 else ''}"
                                 for f in pair.flows))
            line.setToolTip(tip)
            self._add(line, 3)
            self._add(arrowhead(curve, colour, 4 + width), 3.7)
            self.obstacles.append(curve.tip)
            self._flow_label(curve, pair)

    def _flow_label(self, curve: FlowCurve, pair: FlowPair) -> None:
        lines = [f"{pair.source} → {pair.dest}"] + [amount_text(f.amount, f.asset)
                                                    for f in pair.flows]
        # Flows rank above countries (what their label says is nowhere else on the map),
        # the larger first. Beside the curve on its outer side first, clear of the line.
        ux, uy = curve.outward
        label = LabelItem(lines, curve.middle, [(ux, uy), (-ux, -uy), (0.0, 0.0)],
                          FLOW_PRIORITY + pair.share, bold_first=True)
        self._add(label, 3.6)
        self.labels.append(label)

    # ---- zoom and pan ---------------------------------------------------------------------

    def scale_factor(self) -> float:
        return self.transform().m11()

    def data_rect(self) -> QRectF:
        """The operation's part of the world: its sites, its target countries and the ends
        of its flows, with a margin; the whole world when it has none."""
        xs, ys = self.sites.xy[:, 0].tolist(), self.sites.xy[:, 1].tolist()
        world = world_map()
        if self.layers is not None:
            codes = set(self.layers.targets)
            codes |= {f.source for f in self.layers.flows} | {f.dest for f in self.layers.flows}
            for code in codes:
                anchor = world.anchor(code)
                if anchor is not None:
                    point = scene_point(*anchor)
                    xs.append(point.x())
                    ys.append(point.y())
        if not xs:
            return self.world_rect
        rect = QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys)))
        width = max(rect.width() * 1.3, MIN_SPAN.width())
        height = max(rect.height() * 1.3, MIN_SPAN.height())
        return QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2,
                      width, height)

    def fit(self) -> None:
        """Fit the operation in view (once the view has a size)."""
        if self.viewport().width() < 10 or self.viewport().height() < 10:
            self._fit_pending = True
            return
        self._fit_pending = False
        self.fitInView(self.data_rect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._zoom_changed()

    def min_scale(self) -> float:
        size = self.viewport().size()
        return 0.8 * min(size.width() / self.world_rect.width(),
                         size.height() / self.world_rect.height())

    def zoom_by(self, factor: float) -> None:
        current = self.scale_factor()
        wanted = min(max(current * factor, self.min_scale()), MAX_SCALE)
        if current > 0 and not math.isclose(wanted, current):
            self.scale(wanted / current, wanted / current)
            self._zoom_changed()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_pending:
            self.fit()
        else:
            self.declutter()

    def _zoom_changed(self) -> None:
        self.declutter()
        self.zoomed.emit()

    def declutter(self) -> None:
        """Put each label, the most important first, where it is whole in view and
        covers no label placed before it and no arrow tip: on the first of its sides that
        keeps its middle in its country (if it has one) and covers no site (when there
        are few); else that covers no site; else in its country; hide it if there is no
        room at this zoom. Sites are drawn over labels, so a label on a site still shows
        the site."""
        def square(point: QPointF) -> QRectF:
            at = self.mapFromScene(point)
            return QRectF(at.x() - KEEP_CLEAR, at.y() - KEEP_CLEAR, 2 * KEEP_CLEAR,
                          2 * KEEP_CLEAR)

        tips = [square(p) for p in self.obstacles]
        sites = ([square(QPointF(x, y)) for x, y in self.sites.xy.tolist()]
                 if len(self.sites.sites) <= FEW_SITES else [])
        placed: list[QRectF] = []
        port = QRectF(self.viewport().rect())
        for label in sorted(self.labels, key=lambda lb: -lb.priority):
            corner = self.mapFromScene(label.pos())
            boxes = []
            for side in label.sides:
                box = label.box_at(side)
                shown = box.translated(corner.x(), corner.y())
                if not port.contains(shown):  # cut by the edge: placed again after a pan
                    continue
                home = (label.region is None
                        or label.region.contains(self.mapToScene(shown.center().toPoint())))
                boxes.append((box, shown, home))
            wanted = ((True, True), (False, True), (True, False), (False, False))
            chosen = next((box for in_home, clear_of_sites in wanted
                           for box, shown, home in boxes
                           if (home or not in_home) and not any(
                               shown.intersects(r)
                               for r in placed + tips + (sites if clear_of_sites else []))),
                          None)
            label.setVisible(chosen is not None)
            if chosen is not None:
                label.place(chosen)
                placed.append(chosen.translated(corner.x(), corner.y()))

    # ---- sites under the pointer ----------------------------------------------------------

    def sites_at(self, pos: QPoint) -> list[SitePoint]:
        """The sites within reach of a point of the viewport, nearest first."""
        scale = self.scale_factor()
        if scale <= 0 or not self.sites.sites:
            return []
        centre = self.mapToScene(pos)
        reach = HIT / scale
        distance = np.hypot(self.sites.xy[:, 0] - centre.x(), self.sites.xy[:, 1] - centre.y())
        near = np.flatnonzero(distance <= reach)
        ordered = near[np.argsort(distance[near], kind="stable")]
        return [self.sites.sites[i] for i in ordered.tolist()]

    def site_pos(self, site_id: str) -> QPoint | None:
        """Where a site is drawn in the viewport (for tests and for showing it)."""
        for site, (x, y) in zip(self.sites.sites, self.sites.xy.tolist(), strict=True):
            if site.id == site_id:
                return self.mapFromScene(QPointF(x, y))
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            here = self.sites_at(event.position().toPoint())
            if len(here) == 1:
                event.accept()
                self.site_clicked.emit(here[0].id)
                return
            if here:
                event.accept()
                self.choose_site(here, event.globalPosition().toPoint())
                return
        super().mousePressEvent(event)

    def choose_site(self, sites: Sequence[SitePoint], where: QPoint) -> QMenu:
        """Several sites under the click: a menu of them (the nearest first)."""
        menu = QMenu(self)
        menu.setObjectName("mapSiteMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for site in sites[:MENU_SITES]:
            # A menu item's text marks its shortcut key with &; a name's own & is doubled.
            action = menu.addAction(f"{site.name} ({site.status})".replace("&", "&&"))
            action.triggered.connect(lambda _=False, i=site.id: self.site_clicked.emit(i))
        if len(sites) > MENU_SITES:
            more = menu.addAction(f"… {len(sites) - MENU_SITES} more here: zoom in")
            more.setEnabled(False)
        menu.popup(where)
        return menu

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            here = self.sites_at(event.pos())
            if here:
                QToolTip.showText(event.globalPos(), site_tooltip(here), self.viewport())
                return True
        return super().viewportEvent(event)
