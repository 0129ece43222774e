"""The matrix's legend as Qt widgets above the canvas: it stays in view while the rows
scroll, and costs the figure no text to render."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

# (swatch style, text): the swatch's CSS mirrors what the canvas draws.
Entry = tuple[str, str]


def swatch(style: str) -> QLabel:
    box = QLabel()
    box.setFixedSize(22, 11)
    box.setStyleSheet(f"QLabel {{ {style} }}")
    return box


class MatrixLegend(QWidget):
    def __init__(self, entries: list[Entry], columns: int = 3,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts: list[QLabel] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        for index, (style, text) in enumerate(entries):
            row, column = divmod(index, columns)
            label = QLabel(text)
            label.setStyleSheet("font-size: 8pt;")
            label.setWordWrap(True)
            self.texts.append(label)
            grid.addWidget(swatch(style), row, 2 * column)
            grid.addWidget(label, row, 2 * column + 1)
        for column in range(columns):
            grid.setColumnStretch(2 * column + 1, 1)

    def set_text(self, index: int, text: str) -> None:
        self.texts[index].setText(text)
