"""The synchronisation matrix: one row per site, grouped by country, over UTC time.

Each row shades the H-hours at which that site's actions would be lawful; the gold bands
across all rows are the H-hours at which every action is. Clicking in the axes reports
the instant (``clicked``); the view decides whether it may become the H-hour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import matplotlib.dates as mdates
import numpy as np
from matplotlib.backend_bases import MouseEvent
from matplotlib.backends.backend_qt import NavigationToolbar2QT
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from app.core.timing import Interval
from app.views.matrix_canvas import MatrixCanvas, RowLabel
from app.views.matrix_legend import MatrixLegend
from app.views.matrix_rows import AUTHORISED, CHECKED, UNKNOWN, MatrixGroup

ROW_PX = 24  # height of a row on screen; the canvas grows and scrolls past the viewport
LEFT_PX, RIGHT_PX, TOP_PX, BOTTOM_PX = 330, 16, 44, 52
SHADES = {CHECKED: ("#9ed99e", ""), UNKNOWN: ("#d9d9d9", "////"), AUTHORISED: ("#a9c8ee", "")}
FEASIBLE = "#f2b600"
H_HOUR = "#c0392b"
MARKERS = {"lawful": "#1b5e20", "outside window": "#c62828", "authorised": "#0d47a1",
           "rule unknown": "#6d4c41", "no rule": "#1b5e20"}


# matplotlib's dates module and Qt backend carry no annotations: typed names for them.
date2num: Callable[[datetime], float] = mdates.date2num
num2date: Callable[..., datetime] = mdates.num2date
AutoDateLocator: Callable[..., Any] = mdates.AutoDateLocator
ConciseDateFormatter: Callable[..., Any] = mdates.ConciseDateFormatter
HourLocator: Callable[..., Any] = mdates.HourLocator
Toolbar: Callable[[MatrixCanvas, QWidget], NavigationToolbar2QT] = NavigationToolbar2QT


def rectangles(boxes: list[tuple[float, float, float, float]], **style: Any) -> PolyCollection:
    """One collection of axis-aligned rectangles (x0, x1, y0, y1), built as an array."""
    corners = np.array(boxes, dtype=float).reshape(-1, 4)
    verts = np.empty((len(corners), 4, 2))
    verts[:, :, 0] = corners[:, [0, 0, 1, 1]]
    verts[:, :, 1] = corners[:, [2, 3, 3, 2]]
    return PolyCollection(cast(Any, verts), **style)  # an (n, 4, 2) array is accepted


@dataclass(frozen=True)
class MatrixPlan:
    groups: list[MatrixGroup]
    feasible: list[Interval]
    h_hour: datetime | None
    start: datetime
    end: datetime

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) + 1 for g in self.groups)  # a header line per country


class SyncMatrix(QWidget):
    clicked = Signal(object)  # a UTC datetime
    site_clicked = Signal(str)  # a click on a row's label: the site id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = Figure(dpi=96)
        self.canvas = MatrixCanvas(self.figure)
        self.draw_idle: Callable[[], None] = self.canvas.draw_idle
        self.canvas.setObjectName("syncMatrix")
        self.axes = self.figure.add_subplot()
        self.toolbar = Toolbar(self.canvas, self)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.legend = MatrixLegend([
            (f"background: {SHADES[CHECKED][0]};", "The site's actions lawful (its rule)"),
            (f"background: {FEASIBLE};", "EVERY action lawful: click to set H-hour"),
            (f"background: white; border-left: 3px solid {H_HOUR};", "H-hour: not set"),
            (f"background: {SHADES[UNKNOWN][0]}; border: 1px dashed #7f7f7f;",
             "Rule not known: not checked"),
            (f"background: {SHADES[AUTHORISED][0]};", "Authorised by a court: any hour"),
            (f"background: white; border: 3px solid {MARKERS['lawful']}; "
             f"border-right-color: {MARKERS['outside window']};",
             "Action start: green lawful, red not"),
        ])
        self.toolbar.setMinimumWidth(self.toolbar.sizeHint().width())
        top = QHBoxLayout()
        top.addWidget(self.toolbar)
        top.addWidget(self.legend, 1)
        layout.addLayout(top)
        layout.addWidget(self.scroller, 1)
        self.plan: MatrixPlan | None = None
        self.row_of_y: dict[int, str] = {}  # y position -> site id
        self.left_px = LEFT_PX
        self.canvas.mpl_connect("button_press_event", self.on_press)
        self.canvas.mpl_connect("resize_event", lambda _e: self._margins())

    # ---- drawing -----------------------------------------------------------------------

    def _margins(self) -> None:
        width, height = self.figure.get_size_inches() * self.figure.dpi
        if width < 2 * RIGHT_PX + 200 or height < TOP_PX + BOTTOM_PX + 20:
            return
        left = min(self.left_px, width * 0.45)
        self.figure.subplots_adjust(left=left / width, right=1 - RIGHT_PX / width,
                                    top=1 - TOP_PX / height, bottom=BOTTOM_PX / height)
        if self.plan is not None:
            self._date_ticks(int(width - left - RIGHT_PX))

    def show_plan(self, plan: MatrixPlan) -> None:
        """Draw the whole matrix again (synchronously; 200 rows take well under a second,
        see bench/bench_timing_gui.py)."""
        before = self.plan
        # The same dates and rows again (a new H-hour, an authorisation): keep the
        # user's zoom, so that a click in a zoomed-in day does not throw the view out.
        kept = ((self.axes.get_xlim(), self.axes.get_ylim()) if before is not None
                and (before.start, before.end, before.row_count)
                == (plan.start, plan.end, plan.row_count) else None)
        self.plan = plan
        self.canvas.setMinimumHeight(TOP_PX + BOTTOM_PX + ROW_PX * max(plan.row_count, 6))
        self._margins()
        ax = self.axes
        ax.clear()
        self.row_of_y = {}
        lo, hi = date2num(plan.start), date2num(plan.end)

        def x_of(when: datetime) -> float:
            # matplotlib's date numbers are days; one call of date2num per bar took
            # a third of a redraw.
            return lo + (when - plan.start).total_seconds() / 86_400

        if not plan.groups:
            self.canvas.labels = []
            ax.set_xlim(lo, hi)
            ax.set_yticks([])
            ax.text(0.5, 0.5, "No action of this operation has a site yet.",
                    transform=ax.transAxes, ha="center", va="center", color="gray")
            self._time_axis(plan, rows=0)
            self.draw_idle()
            return
        # Rectangles as (x0, x1, y0, y1), drawn as one collection per kind: one patch
        # per band (axhspan, axvspan) cost more than all the rest of a redraw.
        labels: list[RowLabel] = []
        shaded: dict[str, list[tuple[float, float, float, float]]] = {k: [] for k in SHADES}
        bands: list[tuple[float, float, float, float]] = []
        marks: list[tuple[float, int, str]] = []
        y = 0
        for group in plan.groups:
            bands.append((lo, hi, y - 0.5, y + 0.5))
            labels.append(RowLabel(y, group.title, header=True))
            y += 1
            for row in group.rows:
                self.row_of_y[y] = row.site_id
                labels.append(RowLabel(y, row.label(), header=False))
                shaded[row.shade] += [(x_of(a), x_of(b), y - 0.32, y + 0.32)
                                      for a, b in row.windows]
                for action in row.actions:
                    if action.start is not None:
                        marks.append((x_of(action.start), y, action.state))
                y += 1
        ax.add_collection(rectangles(bands, facecolors="#eef2f7", zorder=0))
        for kind, boxes in shaded.items():
            colour, hatch = SHADES[kind]
            if boxes:
                ax.add_collection(rectangles(
                    boxes, facecolors=colour, edgecolors="#7f9f7f" if hatch else "none",
                    linewidths=0.0, hatch=hatch or None, zorder=1))
        if plan.feasible:
            ax.add_collection(rectangles(
                [(x_of(a), x_of(b), -0.5, y - 0.5) for a, b in plan.feasible],
                facecolors=FEASIBLE, alpha=0.35, linewidths=0.0, zorder=2))
        if marks:
            ax.scatter([m[0] for m in marks], [m[1] for m in marks], s=26, marker="D",
                       c=[MARKERS.get(m[2], "#333333") for m in marks], edgecolors="white",
                       linewidths=0.6, zorder=4)
        if plan.h_hour is not None:
            ax.axvline(x_of(plan.h_hour), color=H_HOUR, linewidth=1.8, zorder=3)
        self.canvas.labels = labels
        self.canvas.corner = "Site · zone · its clock at H-hour     times in UTC →"
        self.left_px = max(120, self.canvas.label_width(
            [label.text for label in labels if not label.header]) + 14)
        self._margins()
        ax.set_yticks([])
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(lo, hi)
        self._time_axis(plan, rows=len(labels))
        self.legend.set_text(2, f"H-hour {plan.h_hour:%a %d %b %H:%M} UTC" if plan.h_hour
                             else "H-hour: not set")
        if kept is None:
            self.toolbar.update()  # "home" is this view, not the previous operation's
        else:
            ax.set_xlim(*kept[0])
            ax.set_ylim(*kept[1])
        self.draw_idle()

    def _time_axis(self, plan: MatrixPlan, rows: int) -> None:
        ax = self.axes
        width, _height = self.figure.get_size_inches() * self.figure.dpi
        self._date_ticks(int(width * (self.figure.subplotpars.right
                                      - self.figure.subplotpars.left)))
        ax.xaxis.set_minor_locator(HourLocator(byhour=[0], tz=UTC))
        ax.grid(axis="x", which="minor", color="#c8c8c8", linewidth=0.6)
        ax.grid(axis="x", which="major", color="#e4e4e4", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.tick_params(axis="x", labelsize=8, labeltop=rows > 14, top=rows > 14)
        ax.set_xlabel("Time (UTC) · click inside a gold band to set the H-hour there",
                      fontsize=8.5)

    def _date_ticks(self, axes_px: int) -> None:
        """As many date ticks as fit the axes' width, days as "Fri / 27 Nov" (the weekday
        matters for search rules and for crews), hours with their day at midnight."""
        locator = AutoDateLocator(tz=UTC, minticks=3, maxticks=max(3, axes_px // 62))
        self.axes.xaxis.set_major_locator(locator)
        day = "%a\n%d %b"
        self.axes.xaxis.set_major_formatter(ConciseDateFormatter(
            locator, tz=UTC, formats=["%Y", "%b %Y", day, "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y", day, day, "%H:%M", "%H:%M"], show_offset=False))

    # ---- clicks ------------------------------------------------------------------------

    def on_press(self, event: MouseEvent) -> None:
        if self.plan is None or event.button != 1 or self.toolbar.mode.name != "NONE":
            return  # zoom and pan clicks belong to the toolbar
        if event.inaxes is not self.axes or event.xdata is None:
            _x, y = self.axes.transData.inverted().transform((event.x, event.y))
            site = self.row_of_y.get(round(float(y)))
            if site is not None and event.x < self.axes.bbox.x0:
                self.site_clicked.emit(site)
            return
        when = num2date(float(event.xdata), tz=UTC)
        self.clicked.emit(when)

    def highlight(self, site_id: str | None) -> None:
        """Mark a site's row (the table's selection) and scroll it into view."""
        y = next((y for y, s in self.row_of_y.items() if s == site_id), None)
        self.canvas.highlight_row = y
        self.canvas.update()
        span = self.canvas.row_span() if y is not None else None
        if span is not None and y is not None:
            top, step = span
            self.scroller.ensureVisible(0, int(top + y * step), 0, int(abs(step) * 2))

    def instant_to_pixels(self, when: datetime, y: float = 1.0) -> tuple[float, float]:
        """Where an instant is drawn, in the canvas's event coordinates (for tests and
        tools that simulate a click)."""
        x, py = self.axes.transData.transform((date2num(when), y))
        return float(x), float(py)

    def clear(self) -> None:
        self.plan = None
        self.canvas.labels = []
        self.canvas.highlight_row = None
        self.axes.clear()
        self.draw_idle()
