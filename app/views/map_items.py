"""The pieces of the operation map's scene: the world's outlines on the Equal Earth plane,
all sites as one item, money-flow arrows, and labels that keep their size when zoomed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPolygonItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.core.world_map import (
    FloatArray,
    equal_earth,
    equal_earth_arrays,
    globe_outline,
    projected_outlines,
)
from app.services.map_layers import SitePoint
from app.views.map_style import LABEL_TEXT, STATUS_ORDER, status_colour

# Scene units per Earth radius: the world is about 5,400 by 2,600 units.
SCALE = 1000.0
DOT = 9.0  # a site's diameter in pixels, whatever the zoom


def scene_point(lon: float, lat: float) -> QPointF:
    x, y = equal_earth(lon, lat)
    return QPointF(x * SCALE, -y * SCALE)  # the scene's y runs down


def _path(rings: Sequence[Sequence[tuple[float, float]]]) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for ring in rings:
        path.addPolygon(QPolygonF([QPointF(x * SCALE, -y * SCALE) for x, y in ring]))
        path.closeSubpath()
    return path


@cache
def country_paths() -> dict[str, QPainterPath]:
    """Each country's outline in scene units, made once per process."""
    return {code: _path(rings) for code, rings in projected_outlines().items()}


@cache
def globe_path() -> QPainterPath:
    return _path([globe_outline()])


def scene_points(sites: Sequence[SitePoint]) -> FloatArray:
    """The sites' places in scene units, one row (x, y) each."""
    if not sites:
        return np.zeros((0, 2))
    x, y = equal_earth_arrays([s.lon for s in sites], [s.lat for s in sites])
    return np.column_stack((x * SCALE, -y * SCALE))


class SiteLayer(QGraphicsItem):
    """Every site as a dot of the same size on screen at any zoom, painted in a few
    calls rather than an item per site (ten thousand items take long to make and to
    hit-test). Each paint maps the places to the screen at once (numpy), keeps those in
    view, and draws the dots that fall on one pixel once: at world scale ten thousand
    sites around a dozen cities are a few dozen dots."""

    def __init__(self) -> None:
        super().__init__()
        self.sites: list[SitePoint] = []
        self.xy: FloatArray = np.zeros((0, 2))
        self._groups: list[tuple[str, bool, FloatArray]] = []
        self._bounds = globe_path().boundingRect().adjusted(-50, -50, 50, 50)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_sites(self, sites: Sequence[SitePoint]) -> None:
        self.prepareGeometryChange()
        self.sites = list(sites)
        self.xy = scene_points(self.sites)
        rank = {status: i for i, status in enumerate(STATUS_ORDER)}
        keys = sorted({(s.status, s.approximate) for s in self.sites},
                      key=lambda k: (rank.get(k[0], -1), not k[1]))
        self._groups = []
        for status, approximate in keys:
            chosen = np.fromiter((s.status == status and s.approximate == approximate
                                  for s in self.sites), dtype=bool, count=len(self.sites))
            self._groups.append((status, approximate, self.xy[chosen]))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        def pen(colour: str, width: float) -> QPen:
            p = QPen(QColor(colour), width)
            p.setCapStyle(Qt.PenCapStyle.RoundCap)
            return p

        t = painter.worldTransform()
        exposed = option.exposedRect
        margin = DOT / max(t.m11(), 1e-9)
        left, right = exposed.left() - margin, exposed.right() + margin
        top, bottom = exposed.top() - margin, exposed.bottom() + margin
        painter.save()
        painter.resetTransform()  # dots are drawn in pixels
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for status, approximate, xy in self._groups:
            x, y = xy[:, 0], xy[:, 1]
            seen = xy[(x >= left) & (x <= right) & (y >= top) & (y <= bottom)]
            if not len(seen):
                continue
            px = np.rint(t.m11() * seen[:, 0] + t.m21() * seen[:, 1] + t.dx())
            py = np.rint(t.m12() * seen[:, 0] + t.m22() * seen[:, 1] + t.dy())
            pixels = np.unique(np.column_stack((px, py)), axis=0)
            points = QPolygonF([QPointF(a, b) for a, b in pixels.tolist()])
            painter.setPen(pen("#ffffff", DOT + 3))
            painter.drawPoints(points)
            painter.setPen(pen(status_colour(status), DOT))
            painter.drawPoints(points)
            if approximate:  # a ring: no place of its own
                painter.setPen(pen("#ffffff", DOT - 5))
                painter.drawPoints(points)
        painter.restore()


class LabelItem(QGraphicsItem):
    """Text on a pale box that keeps its size on screen, beside its anchor: ``sides``
    are the directions (in pixels, y down) it may be put in, best first; (0, 0) centres
    it on the anchor. ``priority``: when labels collide, the higher one stays."""

    GAP = 8.0

    def __init__(self, lines: Sequence[str], anchor: QPointF,
                 sides: Sequence[tuple[float, float]], priority: float,
                 bold_first: bool = False, region: QPainterPath | None = None) -> None:
        super().__init__()
        self.region = region  # in scene units: where the label reads best (its country)
        self.lines = list(lines)
        self.priority = priority
        self.bold_first = bold_first
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(anchor)
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self.bold = QFont(self.font)
        self.bold.setBold(True)
        metrics, bold = QFontMetricsF(self.font), QFontMetricsF(self.bold)
        self.line_height = metrics.height()
        self.width = 8 + max((bold if i == 0 and bold_first else metrics).horizontalAdvance(line)
                             for i, line in enumerate(self.lines))
        self.height = 4 + self.line_height * len(self.lines)
        self.sides = list(sides) or [(0.0, 0.0)]
        self.box = self.box_at(self.sides[0])

    def box_at(self, side: tuple[float, float]) -> QRectF:
        """The box on that side; a side longer than 1 puts it that much further out."""
        ux, uy = side
        cx = ux * self.width / 2 + math.copysign(self.GAP, ux) * abs(ux) if ux else 0.0
        cy = uy * self.height / 2 + math.copysign(self.GAP, uy) * abs(uy) if uy else 0.0
        return QRectF(cx - self.width / 2, cy - self.height / 2, self.width, self.height)

    def place(self, box: QRectF) -> None:
        if box != self.box:
            self.prepareGeometryChange()
            self.box = box

    def text(self) -> str:
        return "\n".join(self.lines)

    def boundingRect(self) -> QRectF:
        return self.box.united(QRectF(-1, -1, 2, 2))  # the leader's end at the anchor

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.box.contains(QPointF(0, 0)):  # beside its anchor: a leader to it
            nearest = QPointF(min(max(0.0, self.box.left()), self.box.right()),
                              min(max(0.0, self.box.top()), self.box.bottom()))
            painter.setPen(QPen(QColor(0, 0, 0, 110), 1.0))
            painter.drawLine(QPointF(0, 0), nearest)
        painter.setPen(QPen(QColor(0, 0, 0, 60), 0.8))
        painter.setBrush(QBrush(QColor(255, 255, 255, 225)))
        painter.drawRoundedRect(self.box, 3, 3)
        painter.setPen(QColor(LABEL_TEXT))
        for i, line in enumerate(self.lines):
            painter.setFont(self.bold if i == 0 and self.bold_first else self.font)
            row = QRectF(self.box.left(), self.box.top() + 2 + i * self.line_height,
                         self.box.width(), self.line_height)
            painter.drawText(row, Qt.AlignmentFlag.AlignCenter, line)


@dataclass(frozen=True)
class FlowCurve:
    path: QPainterPath
    middle: QPointF  # where its label goes
    tip: QPointF
    angle: float  # of the line at its tip, degrees, for the arrowhead
    outward: tuple[float, float]  # unit vector from the chord to the bulge


def flow_curve(start: QPointF, end: QPointF) -> FlowCurve:
    """A curve bent to the right of its direction, so that money going both ways
    between two countries draws two lines, not one."""
    dx, dy = end.x() - start.x(), end.y() - start.y()
    length = math.hypot(dx, dy) or 1.0
    bend = 0.22 * length
    control = QPointF((start.x() + end.x()) / 2 - dy / length * bend,
                      (start.y() + end.y()) / 2 + dx / length * bend)
    path = QPainterPath(start)
    path.quadTo(control, end)
    middle = path.pointAtPercent(0.5)
    angle = math.degrees(math.atan2(end.y() - control.y(), end.x() - control.x()))
    return FlowCurve(path, middle, end, angle, (-dy / length, dx / length))


def arrowhead(curve: FlowCurve, colour: QColor, size: float) -> QGraphicsPolygonItem:
    """A filled triangle at the tip, in pixels (it keeps its size when zoomed)."""
    head = QGraphicsPolygonItem(QPolygonF([QPointF(0, 0), QPointF(-size * 2.2, -size * 1.1),
                                           QPointF(-size * 1.7, 0),
                                           QPointF(-size * 2.2, size * 1.1)]))
    head.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    head.setPos(curve.tip)
    head.setRotation(curve.angle)
    head.setBrush(QBrush(colour))
    edge = QPen(QColor("#ffffff"), 1.2)  # stands out on a dark country
    edge.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    head.setPen(edge)
    return head
