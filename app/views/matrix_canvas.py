"""The matrix's canvas: matplotlib draws the bars, lines and time axis; Qt draws the row
labels and country headers on top, and only those in the exposed part of the widget.

matplotlib renders each glyph of each label in Python-driven FreeType calls: 260 labels
on 200 rows took seconds. Qt draws the same text in microseconds, and the labels follow
the axes' transform, so zoom and pan keep them on their rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent

LABEL_POINTS = 8.0
HEADER_COLOUR = QColor("#1f3a5f")
HIGHLIGHT = QColor(31, 95, 168, 40)  # the table's selection, see-through


@dataclass(frozen=True)
class RowLabel:
    y: int  # the row, in data coordinates
    text: str
    header: bool  # a country header, drawn inside the plot on its band


class MatrixCanvas(FigureCanvasQTAgg):
    def __init__(self, figure: Figure) -> None:
        super().__init__(figure)  # type: ignore[no-untyped-call]  # matplotlib's own
        self.labels: list[RowLabel] = []
        self.highlight_row: int | None = None
        self.corner = ""  # over the row labels, beside the top time axis
        self.label_font = QFont(self.font())
        self.label_font.setPointSizeF(LABEL_POINTS)
        self.header_font = QFont(self.label_font)
        self.header_font.setBold(True)
        self.header_font.setPointSizeF(LABEL_POINTS + 0.5)

    def label_width(self, texts: list[str]) -> int:
        """Pixels the widest row label needs."""
        metrics = QFontMetrics(self.label_font)
        return max((metrics.horizontalAdvance(t) for t in texts), default=0)

    def row_span(self) -> tuple[float, float] | None:
        """The Qt y of row 0 and the pixels from one row to the next, from the axes."""
        axes = self.figure.axes
        if not axes:
            return None
        ratio = float(self.device_pixel_ratio)
        (_x0, y0), (_x1, y1) = axes[0].transData.transform([(0, 0), (0, 1)])
        height = self.height()
        return height - y0 / ratio, (y0 - y1) / ratio

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # type: ignore[no-untyped-call]
        span = self.row_span() if self.labels else None
        if span is None:
            return
        top_of_rows, step = span
        ratio = float(self.device_pixel_ratio)
        box = self.figure.axes[0].bbox
        left = int(box.x0 / ratio)
        plot_top = self.height() - box.y1 / ratio
        plot_bottom = self.height() - box.y0 / ratio
        exposed = event.rect()
        half = max(int(abs(step) / 2), 6)
        painter = QPainter(self)
        try:
            if self.corner and exposed.top() < plot_top:
                painter.setFont(self.header_font)
                painter.setPen(HEADER_COLOUR)
                painter.drawText(QRect(2, int(plot_top) - 34, left - 40, 30),
                                 int(Qt.AlignmentFlag.AlignRight
                                     | Qt.AlignmentFlag.AlignBottom), self.corner)
            if self.highlight_row is not None:
                middle = top_of_rows + self.highlight_row * step
                painter.fillRect(QRect(0, int(middle) - half, self.width(), 2 * half),
                                 HIGHLIGHT)
            for label in self.labels:
                middle = top_of_rows + label.y * step
                if not plot_top <= middle <= plot_bottom:
                    continue
                if middle + half < exposed.top() or middle - half > exposed.bottom():
                    continue
                if label.header:
                    painter.setFont(self.header_font)
                    painter.setPen(HEADER_COLOUR)
                    rect = QRect(left + 6, int(middle) - half, self.width() - left - 12,
                                 2 * half)
                    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                else:
                    painter.setFont(self.label_font)
                    painter.setPen(Qt.GlobalColor.black)
                    rect = QRect(2, int(middle) - half, left - 8, 2 * half)
                    flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                painter.drawText(rect, int(flags), label.text)
        finally:
            painter.end()
