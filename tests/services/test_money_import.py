"""Importing transfers (CSV, JSON) and address labels (CSV, TagPack YAML) into an
operation: one transaction, every refused row with its line, nothing changed by a refused
or cancelled import, duplicates skipped, and the writes recorded for partners."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.csv_rows import CsvFileError
from app.core.errors import NotFoundError
from app.models.money_records import AddressLabel
from app.models.records import AuditEntry, Transfer
from app.models.store import CACHE_KIB
from app.models.sync_records import ChangesetRecord
from app.services.context import AppContext
from app.services.demo import bitcoin_address, ethereum_address, tron_address
from app.services.labels import import_labels, list_labels, trace_labels
from app.services.operations import create_operation
from app.services.transfers_import import import_transfers, preview_transfers
from app.sync import changeset as cs

VICTIM, MULE, EXCHANGE = tron_address("victim"), tron_address("mule"), tron_address("exchange")
HEADER = "tx_hash,chain,from,to,asset,amount,time\n"
GOOD = (HEADER
        + f"aa01,tron,{VICTIM},{MULE},USDT,1250.00,2026-03-01T10:00:00Z\n"
        + f"aa02,TRX,{MULE},{EXCHANGE},usdt,0.1,2026-03-01T11:00:00+01:00\n"
        + f"aa03,tron,{MULE},{EXCHANGE},USDT,0.2,1772362800\n")
TABLES = (Transfer, AddressLabel, ChangesetRecord)


def counts(ctx: AppContext) -> dict[str, int]:
    with ctx.session() as session:
        return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0)
                for m in TABLES}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def op(ctx: AppContext) -> str:
    create_operation(ctx, "SERENGETI")
    return "SERENGETI"


def test_good_csv_is_imported_exactly(ctx: AppContext, op: str, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    report = import_transfers(ctx, op, write(tmp_path, "t.csv", GOOD),
                              progress=lambda d, t: calls.append((d, t)))
    assert report.imported and report.rows_imported == 3
    assert report.summary() == "3 transfers imported into SERENGETI."
    assert calls[-1][0] == calls[-1][1]
    with ctx.session() as session:
        rows = session.execute(select(Transfer.tx_hash, Transfer.chain, Transfer.asset,
                                      Transfer.amount, Transfer.time, Transfer.owner_agency_id)
                               .order_by(Transfer.tx_hash)).all()
        # Recorded for partners: the bulk rows went through the recorder.
        assert session.scalar(select(func.count()).select_from(ChangesetRecord)) >= 1
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("aa01", "tron", "USDT", "1250"), ("aa02", "tron", "USDT", "0.1"),
        ("aa03", "tron", "USDT", "0.2")]
    assert rows[1][4].isoformat() == "2026-03-01T10:00:00+00:00"  # +01:00 made UTC
    assert {r[5] for r in rows} == {ctx.agency_id}
    assert report.change.count("created", "transfer") == 3
    with ctx.session() as session:
        # New ids are UUIDs of version 7 (time first); the ids and the stamps the
        # changeset carries are those the rows hold.
        held = {r.id: r.stamps for r in session.scalars(select(Transfer))}
        ops = [op for row in session.scalars(select(ChangesetRecord))
               for op in cs.Changeset.from_body(row.body).ops if op.kind == "transfer"]
        # The page cache of the import's transaction was put back.
        assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one() \
            == -CACHE_KIB
    assert {uuid.UUID(i).version for i in held} == {7}
    assert {op.id for op in ops} == set(held)
    assert all(set(held[op.id]) == set(op.values) for op in ops)


def test_importing_again_skips_what_is_there(ctx: AppContext, op: str, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", GOOD)
    import_transfers(ctx, op, path)
    grown = write(tmp_path, "t2.csv", GOOD + f"aa04,tron,{EXCHANGE},{MULE},USDT,5,"
                  "2026-03-02T10:00:00Z\n" + f"aa04,tron,{EXCHANGE},{MULE},USDT,5.0,"
                  "2026-03-02T10:00:00Z\n")
    report = import_transfers(ctx, op, grown)
    assert (report.rows_imported, report.duplicates) == (1, 4)
    assert counts(ctx)["transfer"] == 4


def test_bad_rows_are_all_listed_and_nothing_changes(ctx: AppContext, op: str,
                                                     tmp_path: Path) -> None:
    bad_checksum = MULE[:-1] + ("1" if MULE[-1] != "1" else "2")
    text = (GOOD
            + f"bb01,dogecoin,{VICTIM},{MULE},DOGE,1,2026-03-01T10:00:00Z\n"
            + f"bb02,tron,{VICTIM},{MULE},USDT,\"1,250.00\",2026-03-01T10:00:00Z\n"
            + f"bb03,tron,{VICTIM},{MULE},USDT,12,2026-03-01 10:00\n"
            + f"bb04,tron,{VICTIM},{bad_checksum},USDT,12,2026-03-01T10:00:00Z\n"
            + f"bb05,tron,{VICTIM},{MULE},USDT,12,yesterday\n")
    before = counts(ctx)
    report = import_transfers(ctx, op, write(tmp_path, "bad.csv", text))
    assert not report.imported and report.rows_refused == 5 and report.rows_imported == 0
    reasons = {e.line: e.reason for e in report.errors}
    assert "unknown chain 'dogecoin'" in reasons[5]
    assert "malformed amount '1,250.00'" in reasons[6]
    assert "has no time zone" in reasons[7]
    assert "bad checksum" in reasons[8] and "to address" in reasons[8]
    assert "malformed time 'yesterday'" in reasons[9]
    assert counts(ctx) == before
    assert "5 of 8 transfers were refused; nothing was imported" in report.summary()
    with ctx.session() as session:
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())
                               ).first() == "transfer import refused"


def test_cancel_leaves_nothing(ctx: AppContext, op: str, tmp_path: Path) -> None:
    rows = "".join(f"c{i},tron,{VICTIM},{MULE},USDT,{i + 1},2026-03-01T10:00:00Z\n"
                   for i in range(3000))
    before = counts(ctx)
    report = import_transfers(ctx, op, write(tmp_path, "big.csv", HEADER + rows),
                              cancel=lambda: True)
    assert report.cancelled and not report.imported
    assert counts(ctx) == before


def test_json_with_a_mapping_and_a_chain_for_the_file(ctx: AppContext, op: str,
                                                      tmp_path: Path) -> None:
    a, b = bitcoin_address("a"), bitcoin_address("b")
    records = [{"txid": "f1", "sender": a, "recipient": b, "value": 0.00012345,
                "block_time": "2026-03-01T09:00:00Z"},
               {"txid": "f2", "sender": b, "recipient": a, "value": 1e-8,
                "block_time": 1772355600}]
    path = write(tmp_path, "btc.json", json.dumps(records))
    shown = preview_transfers(path)
    assert shown.kind == "json" and shown.mapping["tx_hash"] == "txid"
    mapping = dict(shown.mapping, time="block_time")
    report = import_transfers(ctx, op, path, mapping, chain="btc")
    assert report.imported, report.errors
    with ctx.session() as session:
        amounts = sorted(session.scalars(select(Transfer.amount)))
        assets = set(session.scalars(select(Transfer.asset)))
    assert amounts == ["0.00000001", "0.00012345"] and assets == {"BTC"}


def test_files_that_cannot_be_imported(ctx: AppContext, op: str, tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="no column for chain"):
        import_transfers(ctx, op, write(tmp_path, "t.csv", "tx_hash,from,to,amount,time\n"
                                        f"h,{VICTIM},{MULE},1,2026-03-01T10:00:00Z\n"))
    with pytest.raises(CsvFileError, match="is not valid JSON"):
        import_transfers(ctx, op, write(tmp_path, "t.json", '[{"tx_hash": '))
    with pytest.raises(NotFoundError, match="no operation 'NOPE'"):
        import_transfers(ctx, "NOPE", write(tmp_path, "g.csv", GOOD))


# ---- labels ------------------------------------------------------------------------------

TAGPACK = f"""\
title: Exchanges and a mixer seen in operation SERENGETI
creator: Kenya DCI
source: https://example.org/attribution-notes
currency: TRX
lastmod: 2026-03-01
tags:
  - address: {EXCHANGE}
    label: Example Exchange
    category: exchange
  - address: {MULE}
    label: Mixer of the case
    category: mixing_service
    source: analyst note 12
  - address: {VICTIM}
    label: A donation address
    category: donation
  - address: {ethereum_address("bridge")}
    currency: ETH
    label: Portal
    category: defi_bridge
"""


def test_a_tagpack_is_imported_with_its_sources(ctx: AppContext, op: str,
                                                tmp_path: Path) -> None:
    report = import_labels(ctx, op, write(tmp_path, "pack.yaml", TAGPACK))
    assert report.imported and report.format == "tagpack"
    assert (report.created, report.skipped) == (3, 1)
    assert report.skipped_categories == {"donation": 1}
    labels = {(lab.address, lab.category): lab for lab in list_labels(ctx, op)}
    assert labels[(EXCHANGE, "exchange")].source == "https://example.org/attribution-notes"
    assert labels[(MULE, "mixer")].source == "analyst note 12"
    bridge = labels[(ethereum_address("bridge").lower(), "bridge")]
    assert bridge.chain == "ethereum" and bridge.name == "Portal"
    # Importing the same pack again adds nothing.
    again = import_labels(ctx, op, write(tmp_path, "pack.yaml", TAGPACK))
    assert (again.created, again.duplicates) == (0, 3)


def test_csv_labels_need_a_source_and_a_known_category(ctx: AppContext, op: str,
                                                       tmp_path: Path) -> None:
    text = ("chain,address,category,name,country,contact\n"
            f"tron,{EXCHANGE},exchange,Example Exchange,SC,compliance@example.org\n"
            f"tron,{MULE},exchnage,typo,,\n"
            f"tron,{VICTIM[:-2]},victim,,,\n")
    before = counts(ctx)
    report = import_labels(ctx, op, write(tmp_path, "labels.csv", text))
    assert not report.imported and counts(ctx) == before
    reasons = {e.line: e.reason for e in report.errors}
    assert "source is missing" in reasons[2]
    assert "unknown category 'exchnage'" in reasons[3]
    assert "is not a valid tron address" in reasons[4]
    fixed = text.replace("exchnage", "suspect").replace(VICTIM[:-2], VICTIM)
    report = import_labels(ctx, op, write(tmp_path, "labels.csv", fixed), source="case file 7")
    assert report.imported and report.created == 3
    with ctx.session() as session:
        op_id = session.scalar(select(AddressLabel.operation_id))
        assert op_id is not None
        labels = trace_labels(session, op_id)
    exchange = labels[("tron", EXCHANGE)]
    assert (exchange.category, exchange.country, exchange.contact) == (
        "exchange", "SC", "compliance@example.org")


def test_a_broken_tagpack_is_refused(ctx: AppContext, op: str, tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="is not valid YAML at line 2"):
        import_labels(ctx, op, write(tmp_path, "bad.yaml", "title: x\n  tags: [\n"))
    with pytest.raises(CsvFileError, match="is not a TagPack"):
        import_labels(ctx, op, write(tmp_path, "list.yaml", "- a\n- b\n"))
