"""The drawing of the Legal tab: the states involved as circles, the instruments between
them as labelled lines (dashed where the party list is not recorded), and the selected
target's routes drawn over them in the colour of their verdict.

What is drawn is a RouteMap (route_map.py), kept as ``self.map`` so that tests read the
highlighted routes from it rather than from pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.views.legal_words import short_state
from app.views.route_map import ROLE_TEXT, ROLES, RouteLine, RouteMap

Canvas: Callable[[Figure], FigureCanvasQTAgg] = FigureCanvasQTAgg

ROLE_COLOURS = {"custody": "#1f4e79", "seizure": "#5d4037", "travels": "#90a4ae",
                "requesting": "#6a1b9a", "victims": "#00695c"}
OTHER_STATE = "#b0bec5"
KNOWN_EDGE = "#546e7a"
GAP_EDGE = "#9e9e9e"
Style = Literal["-", "--", ":"]
# Selected lines: (colour, line style) per status.
LINE_STYLES: dict[str, tuple[str, Style]] = {
    "route": ("#2e7d32", "-"), "basis": ("#2e7d32", "-"), "domestic": ("#2e7d32", "-"),
    "conditional": ("#f9a825", "-"), "gap": ("#ef6c00", "--"),
    "barred": ("#d84315", ":"), "no_route": ("#b71c1c", ":"), "none": ("#b71c1c", ":"),
}
SELECTED_RING = "#ffb300"
PLACES = (0.5, 0.38, 0.62, 0.28, 0.72)  # where along a line its label may sit
LIMIT = 1.4  # the ring has radius 1; room for the names under the circles
NAME_BELOW = 0.16


class RouteDrawing(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = Figure(dpi=96)
        self.canvas = Canvas(self.figure)
        self.draw_idle: Callable[[], None] = self.canvas.draw_idle
        self.canvas.setObjectName("legalDrawing")
        self.canvas.setMinimumSize(360, 320)
        self.axes: Axes = self.figure.add_axes((0.0, 0.2, 1.0, 0.74))
        self.taken: list[tuple[float, float]] = []
        self.caption = QLabel()
        self.caption.setObjectName("drawingCaption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #455a64; font-size: 8pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.caption)
        self.map: RouteMap | None = None
        self.clear()

    def clear(self, message: str = "") -> None:
        self.map = None
        self.figure.legends.clear()
        ax = self.axes
        ax.clear()
        ax.set_axis_off()
        ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
                color="gray", wrap=True)
        self.caption.clear()
        self.draw_idle()

    def show_map(self, found: RouteMap) -> None:
        self.map = found
        self.figure.legends.clear()
        ax = self.axes
        ax.clear()
        ax.set_axis_off()
        ax.set_xlim(-LIMIT - 0.25, LIMIT + 0.25)
        ax.set_ylim(-LIMIT, LIMIT)
        if not found.states:
            message = (f"{found.hidden} states are involved: select a target or a seizure "
                       "in the list to draw its states and routes." if found.hidden else
                       "No state is involved yet: plan an arrest, or set a person "
                       "target's requesting states.")
            ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
                    color="gray", wrap=True)
            self.caption.clear()
            self.draw_idle()
            return
        selected_pairs = {frozenset((line.a, line.b)) for line in found.lines}
        # Label places taken so far: the states, then the selected lines' labels; each
        # edge's label goes where along its line it is furthest from them.
        self.taken = [*found.positions.values(),
                      *((x, y - NAME_BELOW) for x, y in found.positions.values())]
        for line in found.lines:
            self._line(found, line)
        for edge in found.edges:
            self._edge(found, edge.a, edge.b, edge.dashed,
                       "" if frozenset((edge.a, edge.b)) in selected_pairs else edge.label())
        self._states(found)
        title = (f"Routes for {found.subject}" if found.subject else
                 "States involved and the instruments between them: select a target "
                 "in the list to draw its routes")
        ax.set_title(title, fontsize=10, fontweight="bold" if found.subject else "normal",
                     color="#263238")
        self._legend(found)
        self.caption.setText(self._caption(found))
        self.draw_idle()

    def _edge(self, found: RouteMap, a: str, b: str, dashed: bool, label: str) -> None:
        (x0, y0), (x1, y1) = found.positions[a], found.positions[b]
        colour = GAP_EDGE if dashed else KNOWN_EDGE
        self.axes.plot([x0, x1], [y0, y1], color=colour, linewidth=1.0 if dashed else 1.6,
                       linestyle="--" if dashed else "-", zorder=1)
        if label:
            x, y = self._place(x0, y0, x1, y1)
            # Along the line, never upside down: labels of crossing lines then cross too
            # instead of piling up side by side.
            angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
            if angle > 90:
                angle -= 180
            elif angle < -90:
                angle += 180
            self.axes.text(x, y, label, fontsize=7, color=colour, rotation=angle,
                           rotation_mode="anchor", transform_rotates_text=True,
                           ha="center", va="center", zorder=2,
                           bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                                 "edgecolor": "none", "alpha": 0.85})

    def _line(self, found: RouteMap, line: RouteLine) -> None:
        colour, style = LINE_STYLES.get(line.status, LINE_STYLES["route"])
        x0, y0 = found.positions[line.a]
        if line.a == line.b:  # tried at home: a ring round the state, no line
            self.axes.text(x0, y0 - 0.33, line.label(), fontsize=7.5, color=colour,
                           ha="center", va="top", fontweight="bold", zorder=6)
            return
        x1, y1 = found.positions[line.b]
        self.axes.plot([x0, x1], [y0, y1], color=colour, linestyle=style,
                       linewidth=3.0 if line.alternative else 4.0, zorder=3,
                       solid_capstyle="round")
        x, y = self._place(x0, y0, x1, y1)
        self.axes.text(x, y, line.label(), fontsize=8,
                       color="white" if style == "-" and line.status != "conditional"
                       else "black", ha="center", va="center", fontweight="bold", zorder=4,
                       bbox={"boxstyle": "round,pad=0.25", "facecolor": colour,
                             "edgecolor": "none"})

    def _place(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
        """The point along the line furthest from the labels and states placed so far."""
        best = ((x0 + x1) / 2, (y0 + y1) / 2)
        best_room = -1.0
        for t in PLACES:
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            # Labels are wide, not tall: distance across counts for less.
            room = min((((x - a) / 2.2) ** 2 + (y - b) ** 2 for a, b in self.taken),
                       default=9.0)
            if room > best_room + 1e-9:
                best, best_room = (x, y), room
        self.taken.append(best)
        return best

    def _states(self, found: RouteMap) -> None:
        chosen = {code for line in found.lines for code in (line.a, line.b)}
        for code in found.states:
            x, y = found.positions[code]
            roles = found.roles.get(code, ())
            colour = ROLE_COLOURS[min(roles, key=ROLES.index)] if roles else OTHER_STATE
            ring = SELECTED_RING if code in chosen else "white"
            self.axes.scatter([x], [y], s=900, c=colour, edgecolors=ring,
                              linewidths=4.0 if code in chosen else 1.5, zorder=5)
            self.axes.text(x, y, code, fontsize=9, fontweight="bold", ha="center",
                           va="center", color="white", zorder=6)
            self.axes.text(x, y - NAME_BELOW, short_state(code), fontsize=7.5, ha="center",
                           va="top", color="#263238", zorder=6,
                           bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                                 "edgecolor": "none", "alpha": 0.8})

    def _legend(self, found: RouteMap) -> None:
        used = {min(roles, key=ROLES.index) for roles in found.roles.values() if roles}
        handles: list[Line2D | Patch] = [
            Patch(facecolor=ROLE_COLOURS[r], label=ROLE_TEXT[r]) for r in ROLES if r in used]
        handles += [
            Line2D([], [], color=KNOWN_EDGE, linewidth=1.6,
                   label="instrument binding both (parties known)"),
            Line2D([], [], color=GAP_EDGE, linewidth=1.0, linestyle="--",
                   label="may apply: party list not recorded (gap)")]
        statuses = {line.status for line in found.lines}
        for statuses_of, text in ((("route", "basis", "domestic"), "selected: route"),
                                  (("conditional",), "selected: route under conditions"),
                                  (("gap",), "selected: gap in data"),
                                  (("barred",), "selected: barred, fallback only"),
                                  (("no_route", "none"), "selected: no route")):
            if statuses & set(statuses_of):
                colour, style = LINE_STYLES[statuses_of[0]]
                handles.append(Line2D([], [], color=colour, linestyle=style, linewidth=3.5,
                                      label=text))
        self.figure.legend(handles=handles, loc="lower center", ncol=2, fontsize=7.5,
                           frameon=False, bbox_to_anchor=(0.5, 0.0))

    def _caption(self, found: RouteMap) -> str:
        parts = []
        if found.everywhere:
            keys = ", ".join(r.key or r.label for r in found.everywhere)
            parts.append(f"Not drawn on every pair: {keys}: party list not recorded, may "
                         "bind any two of these states (a gap, not a route).")
        if found.hidden:
            parts.append(f"{found.hidden} more states are involved: select a target to "
                         "draw its states.")
        return " ".join(parts)
