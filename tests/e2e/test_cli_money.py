"""The money commands in subprocesses: wallet check without a store, an import refused
with nothing changed, and the whole way from transfers to a freeze request's PDF."""

from __future__ import annotations

import json
from pathlib import Path

from cli_run import Runner, fingerprint, run_cli

from app.services.demo import tron_address

VICTIM, OTHER, MULE = tron_address("victim"), tron_address("other"), tron_address("mule")
EXCHANGE_A, EXCHANGE_B = tron_address("exchange-a"), tron_address("exchange-b")
TRANSFERS = f"""\
tx_hash,chain,from,to,asset,amount,time
t1,tron,{OTHER},{MULE},USDT,6,2026-03-01T10:01:00Z
t2,tron,{VICTIM},{MULE},USDT,4,2026-03-01T10:02:00Z
t3,tron,{MULE},{EXCHANGE_A},USDT,5,2026-03-01T10:03:00Z
t4,tron,{MULE},{EXCHANGE_B},USDT,5,2026-03-01T10:04:00Z
"""
TAGPACK = f"""\
title: Exchanges of the case
creator: Kenya DCI
source: case file 7
currency: TRX
tags:
  - address: {EXCHANGE_A}
    label: Exchange A
    category: exchange
  - address: {EXCHANGE_B}
    label: Exchange B
    category: exchange
"""


def test_wallet_check_needs_no_store(tmp_path: Path) -> None:
    missing = tmp_path / "no-store"
    good = run_cli(missing, tmp_path, "wallet", "check", "BTC",
                   "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "--json")
    assert good.code == 0, good.err
    assert json.loads(good.out)["canonical"] == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    bad = run_cli(missing, tmp_path, "wallet", "check", "eth",
                  "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")  # EIP-55 vector, last letter
    assert (bad.code, bad.out) == (1, "")
    assert bad.err_lines == ["Not a valid ethereum address: bad EIP-55 checksum."]
    unknown = run_cli(missing, tmp_path, "wallet", "check", "doge", "D8vFz4p1L37jdg")
    assert unknown.code == 2 and "Unknown chain 'doge'" in unknown.err
    assert not missing.exists()


def test_a_refused_import_changes_nothing(jointops: Runner, store: Path,
                                          tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(TRANSFERS + f"t5,tron,{VICTIM},{MULE},USDT,1e3,2026-03-01T10:05:00Z\n"
                   f"t6,dogecoin,{VICTIM},{MULE},DOGE,1,2026-03-01 10:06\n", encoding="utf-8")
    before = fingerprint(store)
    result = jointops("money", "import", "SERENGETI", str(bad))
    assert result.code == 1
    assert "line 6: malformed amount '1e3': exponent form" in result.out
    assert "line 7: unknown chain 'dogecoin'" in result.out and "has no time zone" in result.out
    assert result.err_lines == ["2 of 6 transfers were refused; nothing was imported. Correct "
                                "them and import the file again."]
    # Only the audit entry of the refusal is written: no transfer, no changeset.
    listed = jointops("money", "summary", "SERENGETI", "--json")
    assert json.loads(listed.out)["transfers"] == 0
    assert set(fingerprint(store)) == set(before)


def test_from_transfers_to_a_freeze_request(jointops: Runner, tmp_path: Path) -> None:
    transfers, pack = tmp_path / "t.csv", tmp_path / "pack.yaml"
    transfers.write_text(TRANSFERS, encoding="utf-8")
    pack.write_text(TAGPACK, encoding="utf-8")
    imported = jointops("money", "import", "SERENGETI", str(transfers), "--json")
    assert imported.code == 0, imported.err
    assert json.loads(imported.out)["imported"] == 4
    labels = jointops("money", "labels", "SERENGETI", str(pack))
    assert labels.code == 0 and "2 labels imported" in labels.out
    # The same graph, two methods, two answers (worked out in tests/core/test_tracing.py).
    haircut = jointops("money", "trace", "SERENGETI", "--from", VICTIM, "--method", "haircut",
                       "--json")
    assert haircut.code == 0, haircut.err
    document = json.loads(haircut.out)
    assert document["method"] == "haircut" and "haircut" in document["statement"]
    assert {e["address"]: e["amount"] for e in document["endpoints"]} == {
        EXCHANGE_A: "2", EXCHANGE_B: "2"}
    out_csv = tmp_path / "trace.csv"
    fifo = jointops("money", "trace", "SERENGETI", "--from", VICTIM, "--method", "FIFO",
                    "--hops", "3", "--save", "--csv", str(out_csv))
    assert fifo.code == 0, fifo.err
    assert "by FIFO" in fifo.out and "Exchange B (exchange)" in fifo.out
    assert out_csv.read_text(encoding="utf-8").startswith("method,direction,chain,address")
    trace_id = next(line.split()[3].rstrip(";") for line in fifo.out.splitlines()
                    if line.startswith("Saved as trace"))
    draft = jointops("freeze", "draft", "SERENGETI", "--trace", trace_id, "--wallet",
                     EXCHANGE_B, "--legal-basis", "Order 12/2026", "--addressee",
                     "Exchange B compliance", "--at", "2026-03-02T08:00:00Z", "--json")
    assert draft.code == 0, draft.err
    request = json.loads(draft.out)
    assert (request["amount"], request["asset"], request["status"]) == ("4", "USDT", "drafted")
    for status, at in (("sent", "2026-03-02T09:00:00Z"), ("frozen", "2026-03-02T12:30:00Z")):
        moved = jointops("freeze", "set-status", request["id"], status, "--at", at)
        assert moved.code == 0, moved.err
    refused = jointops("freeze", "set-status", request["id"], "sent")
    assert refused.code == 1 and "frozen cannot become sent" in refused.err
    listed = json.loads(jointops("freeze", "list", "SERENGETI", "--json").out)
    assert [(r["status"], r["frozen_amount"], r["time_to_freeze_s"]) for r in listed] == [
        ("frozen", "4", 3.5 * 3600)]
    summary = json.loads(jointops("money", "summary", "SERENGETI", "--json").out)
    assert summary["time_to_freeze_median_s"] == 3.5 * 3600
    assert summary["assets"] == [{"asset": "USDT", "traced": "4", "traced_to_services": "4",
                                  "requested": "4", "frozen": "4", "released": "0"}]
    pdf = tmp_path / "freeze.pdf"
    printed = jointops("freeze", "pdf", request["id"], str(pdf))
    assert printed.code == 0, printed.err
    assert pdf.read_bytes().startswith(b"%PDF")


def test_usage_errors(jointops: Runner) -> None:
    no_method = jointops("money", "trace", "SERENGETI", "--from", VICTIM)
    assert no_method.code == 2 and "--method" in no_method.err
    bad_hops = jointops("money", "trace", "SERENGETI", "--from", VICTIM, "--method", "fifo",
                        "--hops", "0")
    assert bad_hops.code == 2 and "hops must be 1 to 50" in bad_hops.err
