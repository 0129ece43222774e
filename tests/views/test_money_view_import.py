"""Imports from the Money tab: transfers from CSV (headers of another tool, mapped) and
JSON, refused rows listed with their reasons, a cancelled import, a file that is neither
CSV nor JSON, and labels from a TagPack and a CSV; whatever is refused changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services import labels, money
from app.services.context import AppContext
from app.services.demo import tron_address
from app.services.operations import create_operation
from app.views.import_dialog import NOT_IN_FILE, FileImportDialog
from app.views.main_window import MainWindow
from app.views.money_view import MoneyView

OP = "IMPORT GUI"
VICTIM, MULE, EXCHANGE = tron_address("victim"), tron_address("mule"), tron_address("exchange")
# As an explorer exports them: its own names, a separator of its own, times in UTC.
EXPLORER = f"""\
Txn Hash;Network;Sender;Recipient;Token Symbol;Value;DateTime (UTC)
aa01;tron;{VICTIM};{MULE};USDT;1250.00;2026-03-01 10:00:00
aa02;tron;{MULE};{EXCHANGE};USDT;1000;2026-03-01 11:00:00
"""
BAD = f"""\
tx_hash,chain,from,to,asset,amount,time
bb01,tron,{VICTIM},{MULE},USDT,12.5,2026-03-01T10:00:00Z
bb02,tron,{VICTIM},{MULE},USDT,"1,250.00",2026-03-01T10:00:00Z
bb03,tron,{VICTIM}x,{MULE},USDT,3,2026-03-01T10:00:00Z
bb04,tron,{VICTIM},{MULE},USDT,4,yesterday
"""
TAGPACK = f"""\
title: Exchanges seen in the case
creator: analyst
source: case file 7
currency: TRX
tags:
  - address: {EXCHANGE}
    label: Exchange X
    category: exchange
  - address: {MULE}
    label: Mule
    category: perpetrator
  - address: {VICTIM}
    label: a miner
    category: miner
"""


@pytest.fixture
def money_tab(qtbot: QtBot, ctx: AppContext, window: MainWindow) -> MoneyView:
    op_id, _ = create_operation(ctx, OP)
    window.reload(select=op_id)
    view = window.workspace.money
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        window.workspace.tabs.setCurrentWidget(view)
    return view


def transfers(ctx: AppContext) -> int:
    return money.money_summary(ctx, OP).transfers


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def finish(qtbot: QtBot, dialog: FileImportDialog) -> None:
    dialog.start.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 2, timeout=20_000)


def refused(dialog: FileImportDialog) -> dict[str, str]:
    table = dialog.refused
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_transfers_of_another_tool_are_mapped_and_imported(
        qtbot: QtBot, tmp_path: Path, ctx: AppContext, money_tab: MoneyView) -> None:
    dialog = money_tab.open_transfer_import()
    dialog.set_file(write(tmp_path, "explorer.csv", EXPLORER))
    assert dialog.preview.rowCount() == 2 and dialog.preview.columnCount() == 7
    assert dialog.preview.item(0, 0).text() == "aa01"
    assert dialog.mapping() == {"tx_hash": "Txn Hash", "chain": "Network", "from": "Sender",
                                "to": "Recipient", "asset": "Token Symbol", "amount": "Value",
                                "time": "DateTime (UTC)"}
    # Unmapped, a required column stops the import before it runs.
    dialog.combos["amount"].setCurrentText(NOT_IN_FILE)
    dialog.start.click()
    assert dialog.pages.currentIndex() == 0
    assert "no column for amount" in dialog.choose_error.text()
    dialog.combos["amount"].setCurrentText("Value")
    with qtbot.waitSignal(money_tab.loaded, timeout=20_000):
        finish(qtbot, dialog)
    assert dialog.summary.text() == "2 transfers imported into IMPORT GUI."
    assert not dialog.refused.isVisible()
    assert transfers(ctx) == 2
    assert money_tab.busy.text() == "2 transfers in IMPORT GUI"  # the view read them again


def test_json_with_the_chain_for_the_whole_file(qtbot: QtBot, tmp_path: Path,
                                                ctx: AppContext,
                                                money_tab: MoneyView) -> None:
    records = [{"hash": "cc01", "from": VICTIM, "to": MULE, "amount": "7.25",
                "timestamp": "2026-03-01T10:00:00Z"}]
    dialog = money_tab.open_transfer_import()
    dialog.set_file(write(tmp_path, "t.json", json.dumps(records)))
    assert dialog.combos["chain"].currentText() == NOT_IN_FILE
    dialog.start.click()
    assert "no column for chain" in dialog.choose_error.text()
    dialog.chain.setCurrentText("tron")
    finish(qtbot, dialog)
    assert dialog.summary.text() == "1 transfers imported into IMPORT GUI."
    assert transfers(ctx) == 1


def test_refused_rows_are_listed_and_nothing_is_imported(
        qtbot: QtBot, tmp_path: Path, ctx: AppContext, money_tab: MoneyView) -> None:
    dialog = money_tab.open_transfer_import()
    dialog.set_file(write(tmp_path, "bad.csv", BAD))
    finish(qtbot, dialog)
    assert dialog.summary.text() == ("3 of 4 transfers were refused; nothing was imported. "
                                     "Correct them and import the file again.")
    reasons = refused(dialog)
    assert list(reasons) == ["3", "4", "5"]
    assert "malformed amount '1,250.00'" in reasons["3"]
    assert f"from address '{VICTIM}x' is not a valid tron address" in reasons["4"]
    assert "malformed time 'yesterday'" in reasons["5"]
    assert dialog.refused.horizontalHeaderItem(0).text() == "Line"
    assert dialog.back.isVisible()
    assert transfers(ctx) == 0


def test_cancel_imports_nothing(qtbot: QtBot, tmp_path: Path, ctx: AppContext,
                                money_tab: MoneyView) -> None:
    rows = [f"t{i:06d},tron,{VICTIM},{MULE},USDT,{i + 1},2026-03-01T10:00:00Z"
            for i in range(30_000)]
    path = write(tmp_path, "large.csv", "tx_hash,chain,from,to,asset,amount,time\n"
                 + "\n".join(rows) + "\n")
    dialog = money_tab.open_transfer_import()
    dialog.set_file(path)
    dialog.start.click()
    assert dialog.pages.currentIndex() == 1 and dialog.cancel_button.isEnabled()
    dialog.cancel_button.click()
    assert "nothing will be imported" in dialog.progress_text.text()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 2, timeout=20_000)
    assert dialog.summary.text() == "The import was cancelled; nothing was imported."
    assert transfers(ctx) == 0


def test_a_file_that_is_neither_csv_nor_json(qtbot: QtBot, tmp_path: Path, ctx: AppContext,
                                             money_tab: MoneyView) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    dialog = money_tab.open_transfer_import()
    dialog.set_file(photo)
    assert dialog.choose_error.isVisible()
    assert dialog.choose_error.text() == "photo.png is not a CSV file: it holds binary data."
    assert not dialog.start.isEnabled() and dialog.preview.rowCount() == 0
    broken = write(tmp_path, "broken.json", '[{"hash": "dd01", "from": ')
    dialog.set_file(broken)
    assert "broken.json is not valid JSON" in dialog.choose_error.text()
    assert not dialog.start.isEnabled()
    assert transfers(ctx) == 0


def test_labels_from_a_tagpack_and_a_bad_csv(qtbot: QtBot, tmp_path: Path, ctx: AppContext,
                                             money_tab: MoneyView) -> None:
    dialog = money_tab.open_label_import()
    dialog.set_file(write(tmp_path, "case.yaml", TAGPACK))
    assert not dialog.mapping_box.isVisible()  # a TagPack names its fields
    assert dialog.preview.rowCount() == 3
    finish(qtbot, dialog)
    assert dialog.summary.text() == ("2 labels imported into IMPORT GUI; 1 of categories not "
                                     "used in tracing skipped (1 miner).")
    assert {(i.name, i.category, i.source) for i in labels.list_labels(ctx, OP)} == {
        ("Exchange X", "exchange", "case file 7"), ("Mule", "suspect", "case file 7")}
    dialog.close()
    bad = write(tmp_path, "labels.csv", "chain,address,category,name\n"
                f"tron,{EXCHANGE},casino,Lucky\n")
    dialog = money_tab.open_label_import()
    dialog.set_file(bad)
    assert dialog.mapping_box.isVisible()
    finish(qtbot, dialog)
    assert dialog.summary.text().startswith("1 of 1 labels were refused; nothing was imported")
    reason = refused(dialog)["2"]
    assert "unknown category 'casino'" in reason and "source is missing" in reason
    assert len(labels.list_labels(ctx, OP)) == 2
