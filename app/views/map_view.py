"""The "Map" tab: where the operation happens and where its money went, drawn offline on
the world map shipped in resources/ (no tiles, no network).

The layers are read on a worker thread whenever the operation changes while the tab is
in view (and when it next comes into view otherwise); a result that a newer read has
overtaken is dropped. Clicking a site emits ``site_opened`` with its id.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import KnownError, NotFoundError
from app.services.context import AppContext
from app.services.map_layers import MapLayers, map_layers
from app.views.in_view_reader import InViewReader
from app.views.map_canvas import ZOOM_STEP, MapCanvas
from app.views.map_legend import MapLegend
from app.views.undo_commands import CommandEnv, Refresh

# Kinds of record whose change moves something on the map.
MAPPED_KINDS = {"operation", "target", "site", "wallet", "transfer", "address_label"}


def summary_text(layers: MapLayers) -> str:
    if layers.empty:
        return (f"{layers.codename}: no sites, no targets with a country and no money "
                "between countries yet.")
    approximate = sum(1 for s in layers.sites if s.approximate)
    sites = f"{len(layers.sites):,} site{'s' if len(layers.sites) != 1 else ''}"
    if approximate:
        sites += f" ({approximate:,} without coordinates)"
    targets = sum(layers.targets.values())
    crossing = sum(1 for f in layers.flows if f.source != f.dest)
    return (f"{layers.codename}: {sites} · {targets:,} targets in {len(layers.targets):,} "
            f"countr{'ies' if len(layers.targets) != 1 else 'y'} · {crossing:,} money "
            f"flow{'s' if crossing != 1 else ''} between countries")


class MapView(QWidget):
    site_opened = Signal(str)
    drawn = Signal()  # the layers of the operation (or its failure, or nothing) are shown

    def __init__(self, context: Callable[[], AppContext], stack: QUndoStack,
                 env: CommandEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = stack
        self.env = env
        self.op_id = ""
        self.layers: MapLayers | None = None
        self.reader = InViewReader(self)

        self.canvas = MapCanvas()
        self.legend = MapLegend()
        self.status = QLabel()
        self.status.setObjectName("mapStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # a codename is not markup
        self.zoom_in = self._button("+", "zoomIn", "Zoom in (Ctrl++, or turn the wheel)")
        self.zoom_out = self._button("−", "zoomOut", "Zoom out (Ctrl+-, or turn the wheel)")
        self.fit = self._button("Fit", "fitMap", "Show the whole operation")
        bar = QHBoxLayout()
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.fit)
        bar.addWidget(self.status, 1)
        hint = QLabel("Drag to pan · click a site to open it")
        hint.setStyleSheet("color: gray;")
        bar.addWidget(hint)
        body = QHBoxLayout()
        body.addWidget(self.canvas, 1)
        body.addWidget(self.legend)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

        self.zoom_in.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn))
        self.zoom_out.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.zoom_in.clicked.connect(lambda: self.canvas.zoom_by(ZOOM_STEP))
        self.zoom_out.clicked.connect(lambda: self.canvas.zoom_by(1 / ZOOM_STEP))
        self.fit.clicked.connect(self.canvas.fit)
        self.canvas.site_clicked.connect(self.site_opened)

    @staticmethod
    def _button(text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setFixedWidth(44 if len(text) > 1 else 32)
        return button

    # ---- the operation -------------------------------------------------------------------

    def set_operation(self, op_id: str) -> None:
        self.op_id = op_id
        self.reader.overtake()
        self.show_layers(None)
        self.reload()

    def clear(self) -> None:
        """No operation (or the store locked): nothing of it stays on screen."""
        self.set_operation("")

    def apply_refresh(self, refresh: Refresh) -> None:
        if refresh.op_id == self.op_id and refresh.change.kinds() & MAPPED_KINDS:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.reader.stale:
            self.reload()

    def reload(self) -> None:
        """Read the layers again on a worker thread; only while in view."""
        if not self.op_id:
            self.reader.stale = False
            return
        op_id, ctx = self.op_id, self.context()

        def failed(error: BaseException) -> None:
            if isinstance(error, NotFoundError):
                self.clear()
            elif isinstance(error, KnownError):
                self.status.setText(f"The map could not be read: {error}")
            else:
                self.env.failed(error)
            self.drawn.emit()

        if self.reader.read(lambda: map_layers(ctx, op_id), self.show_layers, failed):
            self.status.setText("Reading the map…")

    def show_layers(self, layers: MapLayers | None) -> None:
        """Draw the given layers (None: the bare world)."""
        self.layers = layers
        self.canvas.show_layers(layers)
        self.legend.show_layers(layers, self.canvas.classes, self.canvas.flows_left_out)
        self.status.setText(summary_text(layers) if layers else "")
        if layers is not None or not self.op_id:
            self.drawn.emit()
