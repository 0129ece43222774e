"""Reading transfers from CSV or JSON, and checking them row by row.

Pure: no SQL. The import service streams records through ``open_records`` and
``TransferChecker``; the GUI's preview and column-mapping steps use ``preview``,
``guess_mapping`` and ``check_mapping``. CSV line numbers are those of a text editor (the
header is line 1); JSON arrays and JSON Lines give the line where a record starts.

A row is refused, with every reason it has, for a malformed amount (anything but plain
digits with at most one decimal point and 18 decimals), a time that is malformed or has no
time zone, an address that fails its chain's checks (checksum, length, network), or an
unknown chain.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from app.core.addresses import AddressCheck, check_address, normalise_chain
from app.core.csv_rows import EXTRA_FIELDS, CsvFileError, CsvReader, RowError, match_headers

COLUMNS: tuple[str, ...] = ("tx_hash", "chain", "from", "to", "asset", "amount", "time")
REQUIRED: tuple[str, ...] = ("tx_hash", "chain", "from", "to", "amount", "time")
ColumnMapping = dict[str, str]

MAX_PLACES = 18  # the wei: no chain here divides its unit further
MAX_AMOUNT_CHARS = 60  # the column's length (records.Transfer.amount)
MAX_HASH = 120
MAX_ASSET = 20
NATIVE_ASSET = {"bitcoin": "BTC", "ethereum": "ETH", "tron": "TRX", "litecoin": "LTC",
                "polygon": "POL", "bsc": "BNB", "arbitrum": "ETH", "optimism": "ETH",
                "base": "ETH", "avalanche": "AVAX"}
SAMPLE_RECORDS = 50
CHUNK_CHARS = 1 << 20
ADDRESS_CACHE = 200_000

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "tx_hash": ("tx_hash", "hash", "txid", "tx id", "transaction hash", "transaction id",
                "txn hash", "tx"),
    "chain": ("chain", "network", "blockchain", "ledger"),
    "from": ("from", "from address", "sender", "source", "from wallet", "input address"),
    "to": ("to", "to address", "recipient", "destination", "receiver", "to wallet",
           "output address"),
    "asset": ("asset", "token", "symbol", "token symbol", "currency", "coin", "ticker"),
    "amount": ("amount", "value", "quantity", "amount decimal", "token value", "qty"),
    "time": ("time", "timestamp", "datetime", "block time", "date time", "date",
             "datetime utc", "date time utc", "block timestamp", "time utc", "unix timestamp"),
}

_AMOUNT = re.compile(r"^\+?(\d+)(?:\.(\d*))?$|^\+?\.(\d+)$")
_JSON_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?[eE][+-]?\d+$")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class TransferRow:
    """A checked transfer: chain canonical, addresses in their canonical spelling, the
    asset in upper case, the amount exact, the time an aware UTC instant."""

    line: int
    tx_hash: str
    chain: str
    from_address: str
    to_address: str
    asset: str
    amount: Decimal
    time: datetime


# ---- amounts and times --------------------------------------------------------------


def parse_amount(text: str, *, exponent: bool = False) -> Decimal:
    """An amount in whole units ("0.5", "1250"), exactly; ValueError with the reason.

    Exponent form ("1.2E+5") is refused unless ``exponent`` (JSON numbers, which are
    exact): in a CSV file it is the mark of a spreadsheet that rounded the number."""
    value = text.strip()
    if not value:
        raise ValueError("amount is missing")
    if len(value) > MAX_AMOUNT_CHARS:
        raise ValueError(f"amount is longer than {MAX_AMOUNT_CHARS} characters")
    if value.startswith("-"):
        raise ValueError(f"amount {value!r} is negative (give the amount moved, "
                         "from sender to recipient)")
    if exponent and _JSON_NUMBER.match(value):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"malformed amount {value!r}") from None
        return _places(value, amount)
    match = _AMOUNT.match(value)
    if match is None:
        if "," in value:
            raise ValueError(f"malformed amount {value!r}: write amounts with a decimal point "
                             "and no thousands separators (1234.5)")
        if re.search(r"\d[eE][+-]?\d", value):
            raise ValueError(f"malformed amount {value!r}: exponent form, as a spreadsheet "
                             "writes a number it has rounded; give all the digits")
        raise ValueError(f"malformed amount {value!r}")
    return _places(value, Decimal(value.lstrip("+")))


def _places(text: str, amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise ValueError(f"malformed amount {text!r}")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise ValueError(f"amount {text!r} has more than {MAX_PLACES} decimal places")
    return amount


def parse_time(text: str, *, assume_utc: bool = False) -> datetime:
    """An ISO 8601 time with Z or an offset, or a Unix time in seconds (or milliseconds),
    as an aware UTC instant; ValueError with the reason.

    A time without a zone is refused (it cannot be guessed) unless ``assume_utc``: the
    file's column says UTC ("DateTime (UTC)")."""
    value = text.strip()
    if not value:
        raise ValueError("time is missing")
    if _EPOCH.match(value):
        seconds = Decimal(value)
        if seconds >= 10**12:
            seconds /= 1000
        try:
            return datetime.fromtimestamp(int(seconds), UTC).replace(
                microsecond=int((seconds % 1) * 1_000_000))
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"time {value!r} is out of range") from None
    iso = value.replace(" UTC", "Z").replace(" utc", "Z")
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(f"malformed time {value!r} (expected ISO 8601 such as "
                         "2026-03-29T01:30:00Z, or a Unix time)") from None
    if moment.tzinfo is None:
        if not assume_utc:
            raise ValueError(f"time {value!r} has no time zone (add Z for UTC or an offset "
                             "such as +03:00)")
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# ---- mapping ------------------------------------------------------------------------


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Our columns onto the file's headers by name, ignoring case, spaces and punctuation,
    with the usual synonyms (hash, txid, sender, value, timestamp, …); each header once,
    exact names before synonyms."""
    return match_headers(headers, COLUMNS, _SYNONYMS)


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str], *,
                  chain: str | None = None) -> None:
    """Refuse a mapping that names unknown columns or headers, or misses a required one
    (the chain may instead be given for the whole file)."""
    problems: list[str] = []
    unknown = sorted(set(mapping) - set(COLUMNS))
    if unknown:
        problems.append(f"unknown column {', '.join(unknown)} (ours are {', '.join(COLUMNS)})")
    missing = [c for c in REQUIRED if not mapping.get(c) and not (c == "chain" and chain)]
    if missing:
        problems.append(f"no column for {', '.join(missing)}")
    absent = sorted({h for h in mapping.values() if h and h not in headers})
    if absent:
        problems.append(f"the file has no column {', '.join(repr(h) for h in absent)}")
    twice = sorted({h for h in mapping.values() if h and list(headers).count(h) > 1})
    if twice:
        problems.append(f"the header names {', '.join(repr(h) for h in twice)} more than once")
    if problems:
        shown = ", ".join(repr(h) for h in headers[:12]) + (", …" if len(headers) > 12 else "")
        raise CsvFileError(f"The columns cannot be imported: {'; '.join(problems)}. The file's "
                           f"columns are {shown}; map them to {', '.join(COLUMNS)}.")


# ---- reading ------------------------------------------------------------------------


class RecordReader(Protocol):
    """CSV or JSON records as (line, header -> text)."""

    @property
    def headers(self) -> tuple[str, ...]: ...

    @property
    def size(self) -> int: ...

    @property
    def done_bytes(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def unit(self) -> str:
        """What the numbers of rows count: "line", or "record" (a wrapped JSON list)."""

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]: ...

    def close(self) -> None: ...


class CsvRecords:
    kind = "csv"
    unit = "line"

    def __init__(self, path: Path) -> None:
        self._reader = CsvReader(path)

    @property
    def headers(self) -> tuple[str, ...]:
        return self._reader.layout.headers

    @property
    def size(self) -> int:
        return self._reader.layout.size

    @property
    def done_bytes(self) -> int:
        return self._reader.done_bytes

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self._reader.rows()

    def close(self) -> None:
        self._reader.close()


def _fail(path: Path, what: str) -> CsvFileError:
    return CsvFileError(f"{path.name} {what}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


class JsonRecords:
    """A JSON array of objects, or one object per line (JSON Lines), read a chunk at a time;
    numbers are kept as their text, so no amount passes through a float. A single object
    holding the list (an explorer's {"result": [...]}) is read whole."""

    kind = "json"
    unit = "line"
    WRAPPERS = ("transfers", "result", "data", "items", "records")

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._size = path.stat().st_size
        except OSError as error:
            raise _fail(path, f"cannot be read: {error.strerror or error}.") from None
        self._done = 0
        self._wrapped: list[Any] | None = None
        sample: list[dict[str, str]] = []
        for _line, record in self._records(limit=SAMPLE_RECORDS):
            sample.append(record)
        if not sample:
            raise _fail(path, "holds no records.")
        headers: list[str] = []
        for record in sample:
            headers.extend(k for k in record if k not in headers)
        self._headers = tuple(headers)

    @property
    def headers(self) -> tuple[str, ...]:
        return self._headers

    @property
    def size(self) -> int:
        return self._size

    @property
    def done_bytes(self) -> int:
        return self._done

    def close(self) -> None:
        pass

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self._records()

    def _records(self, limit: int | None = None) -> Iterator[tuple[int, dict[str, str]]]:
        decoder = json.JSONDecoder(parse_float=str, parse_int=str,
                                   parse_constant=_refuse_constant)
        path = self.path
        count = 0
        try:
            handle = path.open("rb")
        except OSError as error:
            raise _fail(path, f"cannot be read: {error.strerror or error}.") from None
        with handle:
            reader = codecs.getreader("utf-8-sig")(handle)
            buffer, index, line, eof = "", 0, 1, False
            in_array: bool | None = None
            expect_value = True

            def more() -> bool:
                nonlocal buffer, index, line, eof
                if eof:
                    return False
                try:
                    chunk = reader.read(CHUNK_CHARS)
                except UnicodeDecodeError:
                    raise _fail(path, f"is not UTF-8 text after line {line}.") from None
                self._done = handle.tell()
                if not chunk:
                    eof = True
                    return False
                line += buffer.count("\n", 0, index)
                buffer = buffer[index:] + chunk
                index = 0
                return True

            while True:
                while True:  # white space, and between values a comma or the end
                    while index < len(buffer) and buffer[index] in " \t\r\n":
                        index += 1
                    if index < len(buffer) or not more():
                        break
                if index >= len(buffer):
                    if in_array:
                        raise _fail(path, f"is not valid JSON: the array is not closed "
                                    f"(line {line + buffer.count(chr(10), 0, index)}).")
                    return
                char = buffer[index]
                here = line + buffer.count("\n", 0, index)
                if in_array is None:
                    in_array = char == "["
                    if in_array:
                        index += 1
                        continue
                if in_array and char == "]":
                    return
                if in_array and not expect_value:
                    if char != ",":
                        raise _fail(path, f"is not valid JSON at line {here}: expected ',' or "
                                    "']' between records.")
                    index += 1
                    expect_value = True
                    continue
                while True:
                    try:
                        value, end = decoder.raw_decode(buffer, index)
                        break
                    except (json.JSONDecodeError, ValueError) as error:
                        if not more():
                            where = line + buffer.count("\n", 0, index)
                            raise _fail(path, f"is not valid JSON at line {where}: "
                                        f"{getattr(error, 'msg', error)}.") from None
                here = line + buffer.count("\n", 0, index)
                index = end
                expect_value = False
                if not isinstance(value, dict):
                    raise _fail(path, f"is not a list of transfers: the record at line {here} "
                                "is not a JSON object.")
                if count == 0 and not in_array:
                    wrapped = self._wrapper(value)
                    if wrapped is not None:
                        self.unit = "record"
                        for n, item in enumerate(wrapped, start=1):
                            if limit is not None and n > limit:
                                return
                            if not isinstance(item, dict):
                                raise _fail(path, f"is not a list of transfers: record {n} "
                                            "is not a JSON object.")
                            yield n, {str(k): _text(v) for k, v in item.items()}
                        return
                count += 1
                yield here, {str(k): _text(v) for k, v in value.items()}
                if limit is not None and count >= limit:
                    return

    def _wrapper(self, value: dict[str, Any]) -> list[Any] | None:
        for key in self.WRAPPERS:
            inner = value.get(key)
            if isinstance(inner, list):
                return inner
        return None


def open_records(path: Path) -> RecordReader:
    """CSV or JSON, by the file's name or its first character; CsvFileError with the
    reason when the file cannot be read as either."""
    if not path.is_file():
        raise CsvFileError(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        return JsonRecords(path)
    if suffix not in (".csv", ".tsv", ".txt"):
        try:
            with path.open("rb") as f:
                start = f.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
        except OSError as error:
            raise _fail(path, f"cannot be read: {error.strerror or error}.") from None
        if start[:1] in (b"[", b"{"):
            return JsonRecords(path)
    return CsvRecords(path)


@dataclass(frozen=True)
class TransferPreview:
    kind: str  # "csv" or "json"
    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    mapping: ColumnMapping


def preview(path: Path, n: int = 20) -> TransferPreview:
    """The columns, the first ``n`` records as they stand, and a guessed mapping."""
    reader = open_records(path)
    try:
        rows: list[tuple[int, list[str]]] = []
        for line, row in reader.rows():
            if len(rows) >= n:
                break
            rows.append((line, [row.get(h, "") for h in reader.headers]))
        return TransferPreview(reader.kind, reader.headers, rows, guess_mapping(reader.headers))
    finally:
        reader.close()


# ---- checking -----------------------------------------------------------------------


def _unicode(text: str) -> bool:
    """Whether ``text`` is Unicode text: a JSON file can hold a lone surrogate ("\\ud800"),
    which no record could be written with (UTF-8, canonical JSON)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class TransferChecker:
    """Checks rows with one mapping; remembers address checks, since a file names the
    same wallets again and again (an EIP-55 check costs about a millisecond)."""

    def __init__(self, mapping: Mapping[str, str], *, chain: str | None = None,
                 json_numbers: bool = False) -> None:
        self.mapping = dict(mapping)
        self.chain = normalise_chain(chain) if chain else None
        self.json_numbers = json_numbers
        time_header = self.mapping.get("time", "")
        # A column named "DateTime (UTC)" states the zone its times leave out.
        self.time_is_utc = "utc" in time_header.lower()
        self._addresses: dict[tuple[str, str], AddressCheck] = {}
        self._chains: dict[str, str | ValueError] = {}
        self._headers = tuple(self.mapping.get(column) or None for column in COLUMNS)

    def __enter__(self) -> TransferChecker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._addresses.clear()
        self._chains.clear()

    def address(self, chain: str, text: str) -> AddressCheck:
        key = (chain, text)
        found = self._addresses.get(key)
        if found is None:
            if len(self._addresses) >= ADDRESS_CACHE:
                self._addresses.clear()
            found = self._addresses[key] = check_address(chain, text)
        return found

    def _chain(self, text: str) -> str | ValueError:
        """``normalise_chain`` remembered: a file names one or two chains a million times."""
        found = self._chains.get(text)
        if found is None:
            if len(self._chains) >= ADDRESS_CACHE:
                self._chains.clear()
            try:
                found = normalise_chain(text)
            except ValueError as error:
                found = error
            self._chains[text] = found
        return found

    def check(self, line: int, row: Mapping[str, str]) -> TransferRow | RowError:
        # The headers looked up once (``get`` below), not per column and row.
        h_tx, h_chain, h_from, h_to, h_asset, h_amount, h_time = self._headers
        get = row.get
        reasons: list[str] = []
        extra = get(EXTRA_FIELDS, "")
        if extra and not extra.endswith(" empty"):
            reasons.append(f"the line has {extra} more field(s) than the header; a value that "
                           "holds the separator must be in quotes")
        tx_hash = get(h_tx, "").strip() if h_tx else ""
        if not tx_hash:
            reasons.append("tx_hash is missing")
        elif len(tx_hash) > MAX_HASH or _SPACE.search(tx_hash) or not _unicode(tx_hash):
            reasons.append(f"malformed tx_hash {tx_hash[:40]!r}")
        chain_text = get(h_chain, "").strip() if h_chain else ""
        chain: str | None = self.chain
        if chain_text or chain is None:
            found = self._chain(chain_text)
            if isinstance(found, ValueError):
                reasons.append(str(found))
                chain = None
            else:
                chain = found
        addresses: list[str] = []
        for column, header in (("from", h_from), ("to", h_to)):
            text = get(header, "").strip() if header else ""
            if not text:
                reasons.append(f"{column} address is missing")
            elif chain is not None:
                result = self._addresses.get((chain, text))
                if result is None:
                    result = self.address(chain, text)
                if result.valid and result.canonical is not None:
                    addresses.append(result.canonical)
                else:
                    reasons.append(f"{column} address {text[:64]!r} is not a valid {chain} "
                                   f"address: {result.reason}")
        asset = ((get(h_asset, "").strip() if h_asset else "").upper()
                 or (NATIVE_ASSET.get(chain, "") if chain else ""))
        if len(asset) > MAX_ASSET:
            reasons.append(f"asset is longer than {MAX_ASSET} characters")
        elif not _unicode(asset):
            reasons.append(f"malformed asset {asset!r}")
        amount: Decimal | None = None
        try:
            amount = parse_amount(get(h_amount, "").strip() if h_amount else "",
                                  exponent=self.json_numbers)
        except ValueError as error:
            reasons.append(str(error))
        moment: datetime | None = None
        try:
            moment = parse_time(get(h_time, "").strip() if h_time else "",
                                assume_utc=self.time_is_utc)
        except ValueError as error:
            reasons.append(str(error))
        if reasons and extra.endswith(" empty"):
            reasons.append(f"the line has {extra.split()[0]} more field(s) than the header; a "
                           "value that holds the separator must be in quotes")
        if reasons or chain is None or amount is None or moment is None or len(addresses) < 2:
            return RowError(line, "; ".join(reasons))
        return TransferRow(line, tx_hash, chain, addresses[0], addresses[1], asset, amount,
                           moment)
