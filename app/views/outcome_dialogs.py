"""The dialogs that add or edit a victim and an asset record. OK checks the fields (the
services' checks, one sentence each) and hands the values to ``save``; a refusal, there
or from the store, is shown in the dialog, which stays open with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.core.tlp import LEVELS
from app.core.tracing import plain
from app.services import outcome_records as records
from app.services.outcome_records import AssetRow, SourceChoice, VictimRow
from app.views.country_combo import CountryCombo

Saver = Callable[[dict[str, Any]], None]
STAGE_HINTS = {
    "seized": "taken at a search or seizure: cash, devices, vehicles, hardware wallets",
    "frozen": "the value of what a freeze request froze (the amount is the request's)",
    "recovered": "now held by the authorities (for instance moved from an exchange)",
    "returned": "handed back to victims or their state",
}


def _line(name: str, text: str = "", hint: str = "") -> QLineEdit:
    line = QLineEdit(text)
    line.setObjectName(name)
    line.setPlaceholderText(hint)
    return line


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


class _RecordDialog(QDialog):
    def __init__(self, title: str, save: Saver, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.save = save
        self.values: dict[str, Any] = {}
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.check_and_accept)
        self.buttons.rejected.connect(self.reject)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("color: gray;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def checked(self) -> dict[str, Any]:
        raise NotImplementedError

    def check_and_accept(self) -> None:
        try:
            self.values = self.checked()
            self.save(self.values)
        except KnownError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()


class VictimDialog(_RecordDialog):
    def __init__(self, save: Saver, victim: VictimRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Edit victim" if victim else "Add victim", save, parent)
        self.intro.setText("A victim is recorded by a complaint or case reference, never by "
                           "name: partners need the figures, not the person.")
        v = victim
        self.reference = _line("reference", v.reference if v else "", "e.g. KE-COMPLAINT-0142")
        self.country = CountryCombo()
        self.country.setObjectName("victimCountry")
        if v:
            self.country.set_code(v.country)
        self.loss = _line("loss", plain(v.loss) if v else "", "amount lost")
        self.currency = _line("currency", v.currency if v else "USD", "USD, KES, USDT…")
        self.identified = _line("identified", v.identified_on if v else _today(),
                                "YYYY-MM-DD")
        self.repaid = _line("repaid", plain(v.repaid) if v else "0", "repaid so far")
        self.repaid_on = _line("repaidOn", v.repaid_on if v else "", "YYYY-MM-DD, if repaid")
        self.tlp = QComboBox()
        self.tlp.setObjectName("victimTlp")
        self.tlp.addItems(LEVELS)
        self.tlp.setCurrentText(v.tlp if v else "AMBER")
        for label, widget in (("Reference:", self.reference), ("Country:", self.country),
                              ("Loss:", self.loss), ("Currency:", self.currency),
                              ("Identified on:", self.identified), ("Repaid:", self.repaid),
                              ("Repaid on:", self.repaid_on), ("TLP:", self.tlp)):
            self.form.addRow(label, widget)

    def checked(self) -> dict[str, Any]:
        return records.victim_values(
            reference=self.reference.text(), country=self.country.code() or
            self.country.currentText(), loss=self.loss.text(),
            currency=self.currency.text(), identified_on=self.identified.text(),
            repaid=self.repaid.text() or "0", repaid_on=self.repaid_on.text(),
            tlp=self.tlp.currentText())


class AssetDialog(_RecordDialog):
    """``sources``: the seizures and freeze requests an asset may come from; choosing a
    frozen request fills in its asset, amount and country."""

    def __init__(self, save: Saver, sources: list[SourceChoice], currency: str,
                 record: AssetRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit asset record" if record else "Add asset record", save, parent)
        self.sources = sources
        r = record
        self.stage = QComboBox()
        self.stage.setObjectName("stage")
        self.stage.addItems(records.ASSET_STAGES)
        self.stage.setCurrentText(r.stage if r else "seized")
        self.source = QComboBox()
        self.source.setObjectName("source")
        self.asset = _line("asset", r.asset if r else "", "BTC, USDT, cash KES, vehicles…")
        self.amount = _line("amount", plain(r.amount) if r else "", "how much of it")
        self.value = _line("value", plain(r.value) if r and r.value is not None else "",
                           f"its value in {currency} (empty: not valued)")
        self.currency = _line("valueCurrency", r.currency if r and r.currency else currency,
                              "the reporting currency")
        self.country = CountryCombo()
        self.country.setObjectName("assetCountry")
        if r:
            self.country.set_code(r.country)
        self.on = _line("on", r.on if r else _today(), "YYYY-MM-DD")
        self.note = _line("note", r.note if r else "")
        self.tlp = QComboBox()
        self.tlp.setObjectName("assetTlp")
        self.tlp.addItems(LEVELS)
        self.tlp.setCurrentText(r.tlp if r else "AMBER")
        for label, widget in (("Stage:", self.stage), ("Comes from:", self.source),
                              ("Asset:", self.asset), ("Amount:", self.amount),
                              ("Value:", self.value), ("Currency of the value:", self.currency),
                              ("Country:", self.country), ("Date:", self.on),
                              ("Note:", self.note), ("TLP:", self.tlp)):
            self.form.addRow(label, widget)
        self._fill_sources(r.source_id if r else None)
        self.stage.currentTextChanged.connect(lambda _t: self._fill_sources(None))
        self.source.currentIndexChanged.connect(self._source_chosen)

    def _fill_sources(self, keep: str | None) -> None:
        stage = self.stage.currentText()
        self.intro.setText(f"{stage.capitalize()}: {STAGE_HINTS[stage]}.")
        self.source.blockSignals(True)
        self.source.clear()
        if stage != "frozen":
            self.source.addItem("(nothing recorded here)", None)
        for choice in self.sources:
            if stage == "frozen" and choice.kind != "freeze_request":
                continue
            self.source.addItem(choice.text, choice)
        found = next((i for i in range(self.source.count())
                      if isinstance(self.source.itemData(i), SourceChoice)
                      and self.source.itemData(i).id == keep), 0)
        self.source.setCurrentIndex(found)
        self.source.blockSignals(False)
        if keep is None:
            self._source_chosen(self.source.currentIndex())

    def _source_chosen(self, _index: int) -> None:
        choice = self.source.currentData()
        if not isinstance(choice, SourceChoice):
            return
        if choice.country:
            self.country.set_code(choice.country)
        if choice.kind == "freeze_request":
            self.asset.setText(choice.asset)
            if choice.amount != "0":
                self.amount.setText(choice.amount)

    def checked(self) -> dict[str, Any]:
        choice = self.source.currentData()
        kind, source = ((choice.kind, choice.id) if isinstance(choice, SourceChoice)
                        else ("", None))
        return records.asset_values(
            stage=self.stage.currentText(), asset=self.asset.text(), amount=self.amount.text(),
            country=self.country.code() or self.country.currentText(), on=self.on.text(),
            value=self.value.text(), currency=self.currency.text() if self.value.text().strip()
            else "", source_kind=kind, source_id=source, note=self.note.text(),
            tlp=self.tlp.currentText())
