"""Import of an operation's transfers (CSV or JSON) and address labels (CSV, JSON or a
GraphSense TagPack), with the steps of every file import: preview, mapping, progress,
cancel and the report of refused rows (import_dialog.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core import tlp as tlp_levels
from app.core.addresses import CHAINS
from app.core.csv_rows import ColumnMapping
from app.core.transfer_rows import COLUMNS as TRANSFER_COLUMNS
from app.core.transfer_rows import REQUIRED as TRANSFER_REQUIRED
from app.core.transfer_rows import check_mapping as check_transfer_mapping
from app.services import labels
from app.services.context import AppContext
from app.services.labels import LabelImportReport, import_labels, preview_labels
from app.services.transfers_import import (
    TransferImportReport,
    import_transfers,
    preview_transfers,
)
from app.views.import_dialog import PREVIEW_ROWS, FileHead, FileImportDialog, FileKind
from app.views.workers import Cancel, JobFunction, Progress

TRANSFER_HELP = {"tx_hash": "transaction hash", "chain": "bitcoin, ethereum, tron, …",
                 "from": "sender's address", "to": "recipient's address",
                 "asset": "USDT, BTC… (default: the chain's coin)",
                 "amount": "whole units, e.g. 1250.5", "time": "ISO 8601 with Z, or Unix"}
LABEL_HELP = {"chain": "bitcoin, ethereum, tron, …", "address": "the labelled address",
              "category": "exchange, mixer, bridge, dex, victim, suspect",
              "name": "e.g. the exchange's name", "source": "whose word it is",
              "country": "ISO code (for the FIU)", "contact": "compliance contact"}
NO_CHAIN = "(from the file's chain column)"


def _row(layout: QVBoxLayout, text: str, field: QWidget, hint: str) -> None:
    row = QHBoxLayout()
    row.addWidget(QLabel(text))
    row.addWidget(field, 1)
    note = QLabel(hint)
    note.setStyleSheet("color: gray;")
    row.addWidget(note)
    layout.addLayout(row)


def _tlp_combo() -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("tlp")
    combo.addItems(list(tlp_levels.LEVELS))
    combo.setCurrentText(tlp_levels.DEFAULT)
    return combo


class TransferImportDialog(FileImportDialog):
    """An operation's transfers; all or nothing, in one transaction."""

    def __init__(self, context: Callable[[], AppContext], op_id: str, codename: str,
                 parent: QWidget | None = None) -> None:
        self.op_id = op_id
        self.codename = codename
        super().__init__(context, FileKind(
            f"Import transfers into {codename}", "a CSV or JSON file, one record per transfer",
            "Transfers (*.csv *.json *.jsonl *.txt);;All files (*)", TRANSFER_COLUMNS,
            TRANSFER_REQUIRED, TRANSFER_HELP), parent)

    def add_options(self, layout: QVBoxLayout) -> None:
        self.chain = QComboBox()
        self.chain.setObjectName("chain")
        self.chain.addItem(NO_CHAIN, "")
        for chain in CHAINS:
            self.chain.addItem(chain, chain)
        self.tlp = _tlp_combo()
        _row(layout, "Chain of every row:", self.chain, "when the file has no chain column")
        _row(layout, "Marking:", self.tlp, "TLP of the imported transfers")

    def read_head(self, path: Path) -> FileHead:
        head = preview_transfers(path, PREVIEW_ROWS)
        return FileHead(head.headers, head.rows, head.mapping)

    def check_choice(self, mapping: ColumnMapping) -> None:
        check_transfer_mapping(mapping, self.headers, chain=self.chain.currentData() or None)

    def make_job(self, path: Path, mapping: ColumnMapping) -> tuple[JobFunction, str]:
        context, op_id = self.context(), self.op_id
        chain, level = str(self.chain.currentData() or "") or None, self.tlp.currentText()

        def work(progress: Progress, cancel: Cancel) -> TransferImportReport:
            return import_transfers(context, op_id, path, mapping, chain=chain, tlp=level,
                                    progress=progress, cancel=cancel)

        return work, f"Transfers from {path} into operation {self.codename}"


class LabelImportDialog(FileImportDialog):
    """Labels of addresses; a TagPack names its fields, so it has no mapping step."""

    def __init__(self, context: Callable[[], AppContext], op_id: str, codename: str,
                 parent: QWidget | None = None) -> None:
        self.op_id = op_id
        self.codename = codename
        super().__init__(context, FileKind(
            f"Import address labels into {codename}",
            "a CSV or JSON file, or a GraphSense TagPack (.yaml)",
            "Labels (*.csv *.json *.jsonl *.yaml *.yml);;All files (*)", labels.COLUMNS,
            labels.REQUIRED, LABEL_HELP), parent)

    def add_options(self, layout: QVBoxLayout) -> None:
        self.source = QLineEdit()
        self.source.setObjectName("source")
        self.source.setPlaceholderText("e.g. the exchange's reply of 3 March, case file 7")
        self.tlp = _tlp_combo()
        _row(layout, "Source:", self.source, "for rows that name none")
        _row(layout, "Marking:", self.tlp, "TLP of the imported labels")

    def read_head(self, path: Path) -> FileHead:
        head = preview_labels(path, PREVIEW_ROWS)
        return FileHead(head.headers, head.rows, head.mapping, head.format != "tagpack")

    def check_choice(self, mapping: ColumnMapping) -> None:
        if self.mappable:
            labels.check_mapping(mapping, self.headers)

    def make_job(self, path: Path, mapping: ColumnMapping) -> tuple[JobFunction, str]:
        context, op_id = self.context(), self.op_id
        source, level = self.source.text().strip(), self.tlp.currentText()
        columns = mapping if self.mappable else None

        def work(_progress: Progress, cancel: Cancel) -> LabelImportReport:
            return import_labels(context, op_id, path, columns, source=source, tlp=level,
                                 cancel=cancel)

        return work, f"Labels from {path} into operation {self.codename}"
