"""The instrument editor: browse and search the treaties, conventions and schemes the
routes are read from; add one, correct one, remove this agency's own.

Each row shows where its data comes from (source, as-of date, confidence) and whether its
party list is known: an unknown list is a gap, and says so, rather than "no parties".
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.legal import PURPOSES
from app.services import instruments
from app.services.context import AppContext
from app.services.instruments import InstrumentInfo
from app.views.instrument_form import InstrumentForm
from app.views.legal_words import state_name
from app.views.workers import settle_readers

COLUMNS = ("Key", "Name", "Purpose", "Form", "Parties", "In force", "Confidence",
           "Source", "As of", "Origin")
WIDTHS = (150, 260, 120, 130, 150, 110, 110, 180, 110)
GAP_TEXT = "party list unknown (gap)"


def first_source(info: InstrumentInfo) -> str:
    found = instruments.source_texts(info.sources)
    more = f" (+{len(found) - 1})" if len(found) > 1 else ""
    return f"{found[0]}{more}" if found else "not recorded"


def row_texts(info: InstrumentInfo) -> list[str]:
    parties = (GAP_TEXT if info.parties is None else
               f"{len(info.parties)}: {', '.join(info.party_codes[:6])}"
               + ("…" if len(info.parties) > 6 else ""))
    return [info.ref_key, info.name, info.purpose, info.form + ("" if info.binding else
                                                                " (not binding)"),
            parties, info.in_force or "not known", info.confidence or "not stated",
            first_source(info), info.as_of or "unknown", info.origin]


def detail_html(info: InstrumentInfo) -> str:
    if info.parties is None:
        parties = ("<b style='color:#e65100'>Party list unknown: a gap in the data.</b> "
                   "Routes through it are reported as gaps, not as routes or as no route.")
        possible = sorted(instruments.to_fact(info).possible_parties()[0])
        if possible:
            parties += f"<br>Named as possible parties: {escape(', '.join(possible))}"
    else:
        parties = ", ".join(escape(state_name(p["country"])) + (
            f" from {escape(p['in_force'])}" if p.get("in_force") else "")
            for p in info.parties) or "none"
    conditions = ", ".join(k.replace("_", " ") for k, v in info.conditions.items()
                           if v is True) or "none recorded"
    if info.conditions.get("nationals"):
        conditions += f"; own nationals: {escape(str(info.conditions['nationals']))}"
    sources = "".join(
        f"<li>{escape(str(s.get('what', '')) if isinstance(s, dict) else str(s))}"
        + (f" — <a href='{escape(str(s['url']))}'>{escape(str(s['url']))}</a>"
           if isinstance(s, dict) and s.get("url") else "")
        + (f" <span style='color:gray'>(as of {escape(str(s['as_of']))})</span>"
           if isinstance(s, dict) and s.get("as_of") else "") + "</li>"
        for s in info.sources) or "<li>not recorded</li>"
    mine = (" · <i>this agency's own: it may be edited in place or removed</i>"
            if info.mine else " · <i>an edit is saved as this agency's correction</i>")
    return (f"<p><b>{escape(info.name)}</b> [{escape(info.ref_key)}]<br>"
            f"{escape(info.purpose)} · {escape(info.form)}"
            f"{'' if info.binding else ' (not binding)'} · in force from "
            f"{escape(info.in_force or 'not known')}<br><span style='color:gray'>"
            f"{escape(info.origin)}{mine}</span></p><p><b>Parties:</b> {parties}</p>"
            f"<p><b>Conditions:</b> {conditions}</p>"
            + (f"<p><b>Notes:</b> {escape(info.notes)}</p>" if info.notes else "")
            + f"<p><b>Sources</b> (as of {escape(info.as_of or 'unknown')}, confidence "
            f"{escape(info.confidence or 'not stated')}):</p><ul>{sources}</ul>")


class InstrumentEditor(QDialog):
    """``changed`` after any add, edit or removal, so the routes are worked out again."""

    changed = Signal()

    def __init__(self, context: Callable[[], AppContext],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Instruments: treaties, conventions and schemes")
        self.resize(1180, 680)
        self.rows: list[InstrumentInfo] = []
        self.search = QLineEdit()
        self.search.setObjectName("instrumentSearch")
        self.search.setPlaceholderText("Search key, name or notes…")
        self.search.setClearButtonEnabled(True)
        self.country = QLineEdit()
        self.country.setObjectName("instrumentCountry")
        self.country.setPlaceholderText("Party: country code")
        self.country.setMaximumWidth(150)
        self.purpose = QComboBox()
        self.purpose.setObjectName("instrumentPurpose")
        self.purpose.addItem("Any purpose", "")
        for purpose in PURPOSES:
            self.purpose.addItem(purpose, purpose)
        self.count = QLabel()
        self.add = QPushButton("Add…")
        self.add.setObjectName("addInstrument")
        self.edit = QPushButton("Edit…")
        self.edit.setObjectName("editInstrument")
        self.remove = QPushButton("Remove")
        self.remove.setObjectName("removeInstrument")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.country)
        bar.addWidget(self.purpose)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.add)
        bar.addWidget(self.edit)
        bar.addWidget(self.remove)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #b71c1c;")
        self.problem.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("instruments")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(WIDTHS):
            header.resizeSection(column, width)
        self.detail = QTextBrowser()
        self.detail.setObjectName("instrumentDetail")
        self.detail.setOpenExternalLinks(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([400, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.problem)
        layout.addWidget(splitter, 1)
        self.search.textChanged.connect(lambda _t: self.reload())
        self.country.textChanged.connect(lambda _t: self.reload())
        self.purpose.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _i: self.ask_edit())
        self.add.clicked.connect(self.ask_add)
        self.edit.clicked.connect(self.ask_edit)
        self.remove.clicked.connect(self.ask_remove)
        self.reload()

    # ---- the list ----------------------------------------------------------------------

    def reload(self, keep: str = "") -> None:
        current = self.selected()
        keep = keep or (current.base_id if current else "")
        country = self.country.text().strip()
        try:
            self.rows = instruments.list_instruments(
                self.context(), self.search.text(), country if len(country) == 2 else "",
                str(self.purpose.currentData() or ""))
        except KnownError as error:
            self.problem.setText(str(error))
            return
        self.problem.setText("" if len(country) in (0, 2) else
                             "Type a two-letter country code to list its instruments.")
        self.table.setRowCount(len(self.rows))
        for row, info in enumerate(self.rows):
            for column, text in enumerate(row_texts(info)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 4 and info.parties is None:
                    item.setForeground(QBrush(QColor("#e65100")))
                self.table.setItem(row, column, item)
        self.count.setText(f"{len(self.rows)} instrument(s)")
        if keep:
            self.select(keep)
        self._selected()

    def select(self, ref: str) -> bool:
        for row, info in enumerate(self.rows):
            if ref in (info.id, info.base_id, info.ref_key):
                self.table.selectRow(row)
                return True
        return False

    def selected(self) -> InstrumentInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _selected(self) -> None:
        info = self.selected()
        self.edit.setEnabled(info is not None)
        self.remove.setEnabled(info is not None and info.mine)
        self.remove.setToolTip("" if info is None or info.mine else
                               "Only this agency's own instruments and corrections can be "
                               "removed; correct this one instead.")
        self.detail.setHtml(detail_html(info) if info else
                            "<p style='color:gray'>Select an instrument to see its parties, "
                            "conditions and sources.</p>")

    # ---- changes -----------------------------------------------------------------------

    def ask_add(self) -> InstrumentForm:
        def save(values: dict[str, Any], source: str) -> None:
            settle_readers()
            values = dict(values)
            new_id, _change = instruments.add_instrument(
                self.context(), values.pop("name"), values.pop("purpose"),
                values.pop("form"), values.pop("parties"), source, **values)
            self._saved(new_id, f"Added {values.get('ref_key') or 'the instrument'}.")

        return self._open(InstrumentForm(None, save, self))

    def ask_edit(self) -> InstrumentForm | None:
        info = self.selected()
        if info is None:
            return None

        def save(values: dict[str, Any], source: str) -> None:
            settle_readers()
            instruments.edit_instrument(self.context(), info.base_id, values, source)
            self._saved(info.base_id, f"Saved {info.ref_key or info.name}" + (
                "." if info.mine else " as this agency's correction."))

        return self._open(InstrumentForm(info, save, self))

    def _open(self, form: InstrumentForm) -> InstrumentForm:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        return form

    def _saved(self, ref: str, text: str) -> None:
        self.reload(keep=ref)
        self.problem.setStyleSheet("color: #1b5e20;")
        self.problem.setText(text)
        self.changed.emit()

    def ask_remove(self) -> QMessageBox | None:
        info = self.selected()
        if info is None or not info.mine:
            return None
        what = ("this agency's correction (the record it corrects applies again)"
                if info.base_id != info.id else "this agency's instrument")
        box = QMessageBox(QMessageBox.Icon.Question, "Remove instrument",
                          f"Remove {info.ref_key or info.name}: {what}?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)
        box.setObjectName("confirmRemove")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self.remove_instrument(info))
        box.open()
        return box

    def remove_instrument(self, info: InstrumentInfo) -> None:
        settle_readers()
        try:
            instruments.remove_instrument(self.context(), info.id)
        except KnownError as error:
            self.problem.setStyleSheet("color: #b71c1c;")
            self.problem.setText(str(error))
            return
        self._saved(info.base_id, f"Removed {info.ref_key or info.name}.")
