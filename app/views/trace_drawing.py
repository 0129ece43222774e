"""The trace graph of the Money tab (matplotlib): wallets in columns by hops, money
flowing left to right with the amount traced on each arrow, exchanges as red squares
marked FREEZE POINT with the amount that reached them, other services grey, bridges
purple, victims green, suspects orange, the seeds ringed.

What is drawn is a TraceMap (trace_map.py), kept as ``self.map`` for the tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.views.trace_map import ROLE_TEXT, MapEdge, MapNode, TraceMap

Canvas: Callable[[Figure], FigureCanvasQTAgg] = FigureCanvasQTAgg

# role: (colour, marker, size)
ROLE_STYLE = {"freeze point": ("#c62828", "s", 520), "service": ("#757575", "h", 420),
              "bridge": ("#6a1b9a", "D", 360), "victim": ("#2e7d32", "o", 360),
              "suspect": ("#ef6c00", "^", 400), "wallet": ("#90a4ae", "o", 300)}
SEED_RING = "#0d47a1"
ARROW = "#37474f"


class TraceDrawing(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map: TraceMap | None = None
        self.one_asset = False
        self.figure = Figure(dpi=96)
        self.axes: Axes = self.figure.add_axes((0.01, 0.12, 0.98, 0.8))
        self.canvas = Canvas(self.figure)
        self.canvas.setObjectName("traceDrawing")
        self.canvas.setMinimumSize(420, 280)
        self.draw_idle: Callable[[], None] = self.canvas.draw_idle
        self.caption = QLabel(wordWrap=True)
        self.caption.setObjectName("traceCaption")
        self.caption.setStyleSheet("color: #455a64; font-size: 8pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.canvas, 1), (self.caption, 0)):
            layout.addWidget(widget, stretch)
        self.show_message("")

    def show_message(self, text: str) -> None:
        """No graph: a line of text in its place."""
        self.map = None
        self.figure.legends.clear()
        self.axes.clear()
        self.axes.set_axis_off()
        self.axes.text(0.5, 0.5, text, transform=self.axes.transAxes, ha="center",
                       va="center", color="gray", wrap=True)
        self.caption.clear()
        self.draw_idle()

    def show_map(self, found: TraceMap, caption: str = "") -> None:
        self.map = found
        self.figure.legends.clear()
        ax = self.axes
        ax.clear()
        ax.set_axis_off()
        if not found.nodes:
            self.show_message("The trace found no transfer to follow.")
            return
        xs = [n.x for n in found.nodes.values()]
        ys = [n.y for n in found.nodes.values()]
        # Room on the right for the amounts beside the last column's services.
        boxes = any(n.stop and n.room_right and n.x == max(xs) for n in found.nodes.values())
        ax.set_xlim(min(xs) - 0.45, max(xs) + (1.25 if boxes else 0.45))
        ax.set_ylim(min(ys) - 0.7, max(ys) + 0.75)
        # One asset: said once in the title, and the arrows carry bare numbers (shorter
        # labels cover less of the drawing).
        self.one_asset = len(found.assets()) == 1
        places = LabelPlaces(found, self._scale(), self.one_asset)
        for edge in sorted(found.edges, key=lambda e: -e.amount):
            self._edge(found.nodes[edge.a], found.nodes[edge.b], edge, places.place(edge))
        for node in found.nodes.values():
            self._node(node)
        title = found.title + (f" · amounts in {next(iter(found.assets()))}"
                               if self.one_asset else "")
        ax.set_title(title, fontsize=10, fontweight="bold", color="#263238")
        self._legend(found)
        self.caption.setText(" ".join(t for t in (caption, found.left_out) if t))
        self.draw_idle()

    def _scale(self) -> tuple[float, float]:
        """Pixels per unit across and up, as the axes are now."""
        box = self.axes.get_position()
        width, height = self.canvas.width() * box.width, self.canvas.height() * box.height
        (x0, x1), (y0, y1) = self.axes.get_xlim(), self.axes.get_ylim()
        return width / max(x1 - x0, 1e-9), height / max(y1 - y0, 1e-9)

    def _edge(self, a: MapNode, b: MapNode, edge: MapEdge, t: float) -> None:
        self.axes.add_patch(FancyArrowPatch(
            (a.x, a.y), (b.x, b.y), arrowstyle="-|>", mutation_scale=14, color=ARROW,
            linewidth=edge.width, alpha=0.7, shrinkA=12, shrinkB=14, zorder=1))
        self.axes.text(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t,
                       edge.label(not self.one_asset), fontsize=8,
                       ha="center", va="center", color="#263238", zorder=7,
                       bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                             "edgecolor": "#b0bec5", "alpha": 0.95})

    def _text(self, node: MapNode, dx: float, dy: float, text: str, **style: Any) -> None:
        """Text beside the node, (dx, dy) points away: clear of it at any size of the
        canvas. Beside a stop (nothing leaves it) it goes right, else above or below."""
        self.axes.annotate(text, (node.x, node.y), xytext=(dx, dy), textcoords="offset points",
                           ha="left" if dx else "center",
                           va="center" if dx else "bottom" if dy > 0 else "top", zorder=6,
                           **style)

    def _node(self, node: MapNode) -> None:
        colour, marker, size = ROLE_STYLE[node.role]
        self.axes.scatter([node.x], [node.y], s=size, c=colour, marker=marker,
                          edgecolors=SEED_RING if node.seed else "white",
                          linewidths=3.0 if node.seed else 1.2, zorder=4)
        name = textwrap.fill(node.name, 12)
        self._text(node, 0, -12, name, fontsize=8, color="#263238",
                   fontweight="normal" if node.role == "wallet" else "bold")
        below = -23 - 11 * name.count("\n")
        if node.detail:
            self._text(node, 0, below, node.detail, fontsize=6.5, color="#607d8b")
            below -= 10
        right = node.stop and node.room_right
        if node.freeze:
            self._text(node, 14 if right else 0, 0 if right else 13,
                       f"FREEZE POINT\n{node.end_text()}", fontsize=8, fontweight="bold",
                       color="white", bbox={"boxstyle": "round,pad=0.25",
                                            "facecolor": "#c62828", "edgecolor": "none"})
        elif node.ends and node.stop:
            self._text(node, 14 if right else 0, 0 if right else 11, node.end_text(),
                       fontsize=7.5, color="#37474f", fontweight="bold")
        elif node.ends:  # money that stays in a wallet the trace passes through
            self._text(node, 0, below, f"{node.why} {node.end_text()}".strip(), fontsize=7,
                       color="#37474f", fontstyle="italic")

    def _legend(self, found: TraceMap) -> None:
        used = found.roles()
        handles = [Line2D([], [], linestyle="", marker=ROLE_STYLE[r][1], markersize=8,
                          color=ROLE_STYLE[r][0], label=ROLE_TEXT[r])
                   for r in ROLE_STYLE if r in used]
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=8,
                              markerfacecolor="white", markeredgecolor=SEED_RING,
                              markeredgewidth=2.5, label="traced from (seed)"))
        handles.append(Line2D([], [], color=ARROW, linewidth=2,
                              label="amount traced along the transfers"))
        self.figure.legend(handles=handles, loc="lower center", ncol=4, fontsize=7.5,
                           frameon=False, bbox_to_anchor=(0.5, 0.0))


class LabelPlaces:
    """Where along each arrow its amount goes: of a few places along it, the one that
    covers least of the wallets, their names and tags, and the amounts placed before it.
    Sizes are estimated in pixels from the characters (the drawing is not measured)."""

    PLACES = (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75)
    CHAR = 6.3  # pixels of an 8-point character, about
    POINT = 96 / 72

    def __init__(self, found: TraceMap, scale: tuple[float, float], bare: bool) -> None:
        self.found = found
        self.bare = bare
        self.sx, self.sy = scale
        self.taken: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1 pixels
        for node in found.nodes.values():
            x, y = self.pixels(node.x, node.y)
            self.taken.append((x - 13, y - 13, x + 13, y + 13))
            lines = textwrap.fill(node.name, 12).splitlines() + ([node.detail] if node.detail
                                                                 else [])
            wide = max(len(line) for line in lines) * self.CHAR
            top = y - 12 * self.POINT
            self.taken.append((x - wide / 2, top - 12 * len(lines), x + wide / 2, top))
            if node.freeze or (node.ends and node.stop):
                tag_wide = max(12, len(node.end_text())) * self.CHAR
                if node.stop and node.room_right:
                    left = x + 14 * self.POINT
                    self.taken.append((left, y - 16, left + tag_wide, y + 16))
                else:
                    bottom = y + 13 * self.POINT
                    self.taken.append((x - tag_wide / 2, bottom, x + tag_wide / 2,
                                       bottom + 32))

    def pixels(self, x: float, y: float) -> tuple[float, float]:
        return x * self.sx, y * self.sy

    def place(self, edge: MapEdge) -> float:
        a, b = self.found.nodes[edge.a], self.found.nodes[edge.b]
        half_wide, half_high = (len(edge.label(not self.bare)) * self.CHAR + 8) / 2, 9.0
        best, least, chosen = 0.5, float("inf"), (0.0, 0.0, 0.0, 0.0)
        for t in self.PLACES:
            x, y = self.pixels(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
            box = (x - half_wide, y - half_high, x + half_wide, y + half_high)
            covered = sum(_overlap(box, other) for other in self.taken)
            if covered < least - 1e-6:
                best, least, chosen = t, covered, box
        self.taken.append(chosen)
        return best


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]
             ) -> float:
    across = min(a[2], b[2]) - max(a[0], b[0])
    up = min(a[3], b[3]) - max(a[1], b[1])
    return across * up if across > 0 and up > 0 else 0.0
