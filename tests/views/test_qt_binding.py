"""The Qt binding must not leak or drop references: PySide6 6.12.0 dropped one reference
to None per call of a Qt method returning nothing, and a long session then aborted the
process ("none_dealloc"), with no dialog and no log."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_qt_calls_keep_the_reference_count_of_none(qtbot: object) -> None:
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert before - sys.getrefcount(None) < 100
