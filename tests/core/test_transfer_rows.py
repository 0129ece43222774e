"""Reading transfers from CSV and JSON, the column mapping, and every reason a row is
refused: unknown chain, malformed amount, malformed or zone-less time, bad address."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.csv_rows import CsvFileError, RowError
from app.core.transfer_rows import (
    TransferChecker,
    TransferRow,
    check_mapping,
    guess_mapping,
    open_records,
    parse_amount,
    parse_time,
    preview,
)
from app.services.demo import bitcoin_address, ethereum_address, tron_address

IDENTITY = {c: c for c in ("tx_hash", "chain", "from", "to", "asset", "amount", "time")}
TRON_A, TRON_B = tron_address("a"), tron_address("b")


def row(**values: str) -> dict[str, str]:
    base = {"tx_hash": "ab12", "chain": "tron", "from": TRON_A, "to": TRON_B,
            "asset": "usdt", "amount": "12.5", "time": "2026-03-01T10:00:00Z"}
    base.update(values)
    return base


def refused(**values: str) -> str:
    result = TransferChecker(IDENTITY).check(9, row(**values))
    assert isinstance(result, RowError), result
    assert result.line == 9
    return result.reason


def test_a_good_row_is_made_canonical() -> None:
    evm = ethereum_address("x")
    values = row(chain="ETH", **{"from": evm, "to": evm.lower()})
    result = TransferChecker(IDENTITY).check(2, values)
    assert isinstance(result, TransferRow)
    assert result.chain == "ethereum"
    assert result.from_address == result.to_address == evm.lower()  # one spelling stored
    assert result.asset == "USDT"
    assert result.amount == Decimal("12.5")
    assert result.time == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_the_asset_defaults_to_the_chain_native_one() -> None:
    result = TransferChecker(IDENTITY).check(2, row(asset=""))
    assert isinstance(result, TransferRow) and result.asset == "TRX"


def test_amounts_are_exact_and_refused_with_a_reason() -> None:
    assert parse_amount("0.1") + parse_amount("0.2") == Decimal("0.3")
    assert parse_amount("0.000000000000000001") == Decimal("1e-18")
    assert parse_amount("+5") == Decimal(5)
    assert parse_amount(".5") == Decimal("0.5")
    assert parse_amount("1.5E-7", exponent=True) == Decimal("0.00000015")
    for text, reason in [("", "amount is missing"), ("-3", "is negative"),
                         ("1,234.5", "decimal point and no thousands separators"),
                         ("12,5", "no thousands separators"),
                         ("1.23457E+11", "exponent form"), ("abc", "malformed amount"),
                         ("0.0000000000000000001", "more than 18 decimal places"),
                         ("NaN", "malformed amount"), ("1.2.3", "malformed amount")]:
        with pytest.raises(ValueError, match=reason):
            parse_amount(text)


def test_times_need_a_zone_unless_the_column_says_utc() -> None:
    assert parse_time("2026-03-01T12:00:00+03:00") == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert parse_time("2026-03-01 09:00:00 UTC") == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert parse_time("1772355600") == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert parse_time("1772355600000") == datetime(2026, 3, 1, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="has no time zone"):
        parse_time("2026-03-01 09:00:00")
    assert parse_time("2026-03-01 09:00:00", assume_utc=True) == datetime(2026, 3, 1, 9,
                                                                         tzinfo=UTC)
    with pytest.raises(ValueError, match="malformed time"):
        parse_time("01/03/2026 09:00")
    with pytest.raises(ValueError, match="time is missing"):
        parse_time(" ")


def test_a_utc_column_name_lets_zone_less_times_in() -> None:
    mapping = dict(IDENTITY, time="DateTime (UTC)")
    result = TransferChecker(mapping).check(3, {**row(), "DateTime (UTC)": "2026-03-01 10:00:00"})
    assert isinstance(result, TransferRow) and result.time.hour == 10


def test_every_reason_of_a_row_is_named() -> None:
    assert "unknown chain 'dogecoin'" in refused(chain="dogecoin")
    reason = refused(amount="12,50", time="2026-03-01 10:00")
    assert "no thousands separators" in reason and "has no time zone" in reason
    bad = TRON_A[:-1] + ("1" if TRON_A[-1] != "1" else "2")
    assert f"from address '{bad}' is not a valid tron address: bad checksum" in refused(
        **{"from": bad})
    assert "not a valid tron address: wrong chain (Bitcoin address)" in refused(
        to=bitcoin_address("c"))
    assert "tx_hash is missing" in refused(tx_hash="")


def test_text_that_is_not_unicode_is_refused() -> None:
    # A JSON escape can make a lone surrogate, which no record can be written with.
    assert refused(tx_hash="ab\ud800") == "malformed tx_hash 'ab\\ud800'"
    assert refused(asset="us\udfff") == "malformed asset 'US\\udfff'"
    result = TransferChecker(IDENTITY).check(2, row(tx_hash="ab€", asset="€uro"))
    assert isinstance(result, TransferRow) and result.asset == "€URO"


def test_checking_twice_gives_the_same_answers() -> None:
    # The checker remembers chains and addresses; a second look answers the same.
    checker = TransferChecker(IDENTITY)
    rows = [row(), row(chain="TRX"), row(chain="dogecoin"), row(chain=" "),
            row(to=TRON_A[:-1] + "1")]
    first = [checker.check(2, r) for r in rows]
    assert [checker.check(2, r) for r in rows] == first
    assert first[0] == first[1] and isinstance(first[0], TransferRow)
    assert isinstance(first[3], RowError) and "chain is missing" in first[3].reason


def test_mapping_guess_and_check() -> None:
    headers = ["Txhash", "Blockno", "UnixTimestamp", "DateTime (UTC)", "From", "To",
               "TokenValue", "TokenSymbol", "Network"]
    mapping = guess_mapping(headers)
    assert mapping == {"tx_hash": "Txhash", "time": "DateTime (UTC)", "from": "From",
                       "to": "To", "amount": "TokenValue", "asset": "TokenSymbol",
                       "chain": "Network"}
    check_mapping(mapping, headers)
    with pytest.raises(CsvFileError, match="no column for chain"):
        check_mapping({k: v for k, v in mapping.items() if k != "chain"}, headers)
    check_mapping({k: v for k, v in mapping.items() if k != "chain"}, headers, chain="tron")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_and_json_records_with_lines(tmp_path: Path) -> None:
    csv = write(tmp_path, "t.csv", "tx_hash,chain,from,to,amount,time\n"
                f"h1,tron,{TRON_A},{TRON_B},1,2026-03-01T10:00:00Z\n"
                f"h2,tron,{TRON_B},{TRON_A},2,2026-03-01T11:00:00Z\n")
    reader = open_records(csv)
    assert reader.kind == "csv" and [line for line, _r in reader.rows()] == [2, 3]
    array = write(tmp_path, "t.json", '[\n  {"tx_hash": "h1", "amount": 0.1,\n'
                  '   "time": 1772355600},\n  {"tx_hash": "h2", "amount": 2}\n]\n')
    reader = open_records(array)
    records = list(reader.rows())
    # Numbers keep their text: 0.1 is never a float.
    assert records == [(2, {"tx_hash": "h1", "amount": "0.1", "time": "1772355600"}),
                       (4, {"tx_hash": "h2", "amount": "2"})]
    assert reader.headers == ("tx_hash", "amount", "time")
    lines = write(tmp_path, "t.jsonl", '{"tx_hash": "a"}\n\n{"tx_hash": "b"}\n')
    assert [line for line, _r in open_records(lines).rows()] == [1, 3]
    wrapped = write(tmp_path, "api.json", '{"status": "1", "result": [{"hash": "x"}]}')
    assert list(open_records(wrapped).rows()) == [(1, {"hash": "x"})]


def test_broken_json_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", '[\n {"a": 1},\n {"a": 2\n')
    with pytest.raises(CsvFileError, match="is not valid JSON at line 3"):
        list(open_records(path).rows())
    path = write(tmp_path, "t2.json", '[1, 2]')
    with pytest.raises(CsvFileError, match="is not a JSON object"):
        open_records(path)
    with pytest.raises(CsvFileError, match="There is no file"):
        open_records(tmp_path / "missing.csv")


def test_a_large_json_array_is_read_in_chunks(tmp_path: Path) -> None:
    items = ",\n".join(f'{{"tx_hash": "h{i}", "amount": "{i}.5"}}' for i in range(30000))
    path = write(tmp_path, "big.json", f"[\n{items}\n]")
    reader = open_records(path)
    rows = list(reader.rows())
    assert len(rows) == 30000
    assert rows[-1] == (30001, {"tx_hash": "h29999", "amount": "29999.5"})
    assert reader.done_bytes == path.stat().st_size


def test_preview_shows_rows_and_a_guess(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "hash,network,sender,recipient,value,timestamp\n"
                 f"h1,tron,{TRON_A},{TRON_B},1,2026-03-01T10:00:00Z\n")
    shown = preview(path)
    assert shown.kind == "csv"
    assert shown.mapping == {"tx_hash": "hash", "chain": "network", "from": "sender",
                             "to": "recipient", "amount": "value", "time": "timestamp"}
    assert shown.rows == [(2, ["h1", "tron", TRON_A, TRON_B, "1", "2026-03-01T10:00:00Z"])]
