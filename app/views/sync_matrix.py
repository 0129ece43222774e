"""The synchronisation matrix: one row per site, grouped by country, over UTC time.

Each row shades the H-hours at which that site's actions would be lawful; the gold bands
across all rows are the H-hours at which every action is. Clicking in the axes reports
the instant (``clicked``); the view decides whether it may become the H-hour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import matplotlib.dates as mdates
from matplotlib.backend_bases import MouseEvent
from matplotlib.backends.backend_qt import NavigationToolbar2QT
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from app.core.timing import Interval
from app.views.matrix_rows import AUTHORISED, CHECKED, UNKNOWN, MatrixGroup

LABEL_SIZE = 8
ROW_PX = 24  # height of a row on screen; the canvas grows and scrolls past the viewport
LEFT_PX, RIGHT_PX, TOP_PX, BOTTOM_PX = 330, 16, 96, 52
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
Canvas: Callable[[Figure], FigureCanvasQTAgg] = FigureCanvasQTAgg
Toolbar: Callable[[FigureCanvasQTAgg, QWidget], NavigationToolbar2QT] = NavigationToolbar2QT


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = Figure(dpi=96)
        self.canvas = Canvas(self.figure)
        self.draw_idle: Callable[[], None] = self.canvas.draw_idle
        self.canvas.setObjectName("syncMatrix")
        self.axes = self.figure.add_subplot()
        self.toolbar = Toolbar(self.canvas, self)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
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
        self.plan = plan
        self.canvas.setMinimumHeight(TOP_PX + BOTTOM_PX + ROW_PX * max(plan.row_count, 6))
        self._margins()
        ax = self.axes
        ax.clear()
        self.row_of_y = {}
        lo, hi = date2num(plan.start), date2num(plan.end)
        if not plan.groups:
            ax.set_xlim(lo, hi)
            ax.set_yticks([])
            ax.text(0.5, 0.5, "No action of this operation has a site yet.",
                    transform=ax.transAxes, ha="center", va="center", color="gray")
            self._time_axis(plan, rows=0)
            self.draw_idle()
            return
        labels: list[str] = []
        shaded: dict[str, list[list[tuple[float, float]]]] = {k: [] for k in SHADES}
        marks: list[tuple[float, int, str]] = []
        left_text = blended_transform_factory(ax.transAxes, ax.transData)
        y = 0
        for group in plan.groups:
            ax.axhspan(y - 0.5, y + 0.5, color="#eef2f7", zorder=0)
            ax.text(0.004, y, group.title, transform=left_text, va="center",
                    fontsize=8.5, fontweight="bold", color="#1f3a5f", zorder=5)
            labels.append("")
            y += 1
            for row in group.rows:
                self.row_of_y[y] = row.site_id
                labels.append(row.label())
                for a, b in row.windows:
                    x0, x1 = date2num(a), date2num(b)
                    shaded[row.shade].append([(x0, y - 0.32), (x0, y + 0.32),
                                              (x1, y + 0.32), (x1, y - 0.32)])
                for action in row.actions:
                    if action.start is not None:
                        marks.append((date2num(action.start), y, action.state))
                y += 1
        for kind, polygons in shaded.items():
            colour, hatch = SHADES[kind]
            if polygons:
                ax.add_collection(PolyCollection(
                    polygons, facecolors=colour, edgecolors="#7f9f7f" if hatch else "none",
                    linewidths=0.0, hatch=hatch or None, zorder=1))
        for a, b in plan.feasible:
            ax.axvspan(date2num(a), date2num(b), color=FEASIBLE, alpha=0.35,
                       zorder=2, linewidth=0)
        if marks:
            ax.scatter([m[0] for m in marks], [m[1] for m in marks], s=26, marker="D",
                       c=[MARKERS.get(m[2], "#333333") for m in marks], edgecolors="white",
                       linewidths=0.6, zorder=4)
        if plan.h_hour is not None:
            ax.axvline(date2num(plan.h_hour), color=H_HOUR, linewidth=1.8, zorder=3)
        self._fit_labels(labels)
        ax.set_yticks(range(len(labels)), labels, fontsize=LABEL_SIZE)
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(lo, hi)
        self._time_axis(plan, rows=len(labels))
        self._legend(plan)
        self.toolbar.update()  # "home" is this view, not the previous operation's
        self.draw_idle()

    def _fit_labels(self, labels: list[str]) -> None:
        """Leave room on the left for the longest row label (measured once)."""
        longest = max(labels, key=len, default="")
        probe = self.figure.text(0, 0, longest, fontsize=LABEL_SIZE)
        renderer: Callable[[], Any] = self.canvas.get_renderer
        width = probe.get_window_extent(renderer()).width
        probe.remove()
        self.left_px = max(120, int(width) + 14)
        self._margins()

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

    def _legend(self, plan: MatrixPlan) -> None:
        for old in list(self.figure.legends):
            old.remove()
        h_text = (f"H-hour {plan.h_hour:%d %b %H:%M} UTC" if plan.h_hour else
                  "H-hour (not set)")
        handles: list[Any] = [
            Patch(facecolor=SHADES[CHECKED][0],
                  label="H-hours at which the site's actions are lawful (its rule)"),
            Patch(facecolor=FEASIBLE, alpha=0.5, label="H-hours at which EVERY action "
                                                       "is lawful (choose here)"),
            Line2D([], [], color=H_HOUR, linewidth=1.8, label=h_text),
            Patch(facecolor=SHADES[UNKNOWN][0], hatch=SHADES[UNKNOWN][1],
                  label="Rule not known: not checked, confirm locally"),
            Patch(facecolor=SHADES[AUTHORISED][0], label="Authorised by a court: any hour"),
            Line2D([], [], linestyle="", marker="D", color=MARKERS["lawful"],
                   label="Action start (H-hour + offset); red = outside its hours"),
        ]
        self.figure.legend(handles=handles, loc="upper left", ncol=3, fontsize=7.5,
                           frameon=False, bbox_to_anchor=(0.0, 1.0),
                           bbox_transform=self.figure.transFigure, handlelength=1.8,
                           columnspacing=1.2)

    # ---- clicks ------------------------------------------------------------------------

    def on_press(self, event: MouseEvent) -> None:
        if (self.plan is None or event.inaxes is not self.axes or event.xdata is None
                or event.button != 1 or self.toolbar.mode.name != "NONE"):
            return  # zoom and pan clicks belong to the toolbar
        when = num2date(float(event.xdata), tz=UTC)
        self.clicked.emit(when)

    def instant_to_pixels(self, when: datetime, y: float = 1.0) -> tuple[float, float]:
        """Where an instant is drawn, in the canvas's event coordinates (for tests and
        tools that simulate a click)."""
        x, py = self.axes.transData.transform((date2num(when), y))
        return float(x), float(py)

    def clear(self) -> None:
        self.plan = None
        self.axes.clear()
        for old in list(self.figure.legends):
            old.remove()
        self.draw_idle()
