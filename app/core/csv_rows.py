"""Reading a CSV file of targets, sites and actions, and checking it row by row.

Pure: no SQL. The import service streams rows through ``CsvReader`` and
``validate_row``; the GUI's preview and column-mapping steps use ``preview``,
``guess_mapping`` and ``check_mapping``. Line numbers are the ones a person sees in
a text editor (the header is line 1), so a refused row can be found and fixed.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TypeVar

from app.core import placement
from app.core.errors import ValidationError

COLUMNS: tuple[str, ...] = ("target", "kind", "site", "country", "zone", "lat", "lon",
                            "action", "offset_min", "agency", "tlp")
REQUIRED: tuple[str, ...] = ("target", "kind")

ColumnMapping = dict[str, str]
"""Our column -> the header of the file's column that holds it."""

# Longest names the records hold (String lengths in app/models/records.py); checked here
# so a server database would refuse nothing the import let through.
MAX_NAME = {"target": 300, "site": 300, "agency": 200}

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
# Fields past the header's width: the usual sign of a value that holds the separator
# without quotes, which shifts every column after it. Its value: "N" or "N empty".
EXTRA_FIELDS = "\x00extra"

T = TypeVar("T")

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "target": ("target", "target name", "name", "subject", "suspect", "entity"),
    "kind": ("kind", "target kind", "type", "target type", "category"),
    "site": ("site", "site name", "location", "place", "address"),
    "country": ("country", "country code", "cc", "iso", "iso2", "iso country"),
    "zone": ("zone", "tz", "timezone", "time zone", "iana zone", "tzid"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "action": ("action", "action kind", "action type", "task"),
    "offset_min": ("offset_min", "offset min", "offset minutes", "offset", "minutes",
                   "h offset", "offset from h hour"),
    "agency": ("agency", "executing agency", "assigned agency", "unit", "team"),
    "tlp": ("tlp", "tlp level", "marking", "classification"),
}


class CsvFileError(ValidationError):
    """The file as a whole cannot be imported: not CSV, empty, unreadable, or its
    columns do not map onto ours."""


@dataclass(frozen=True)
class CsvLayout:
    """What sniffing found: the separator and the header, and where the header ends."""

    path: Path
    delimiter: str
    headers: tuple[str, ...]
    size: int


@dataclass(frozen=True)
class CsvPreview:
    layout: CsvLayout
    rows: list[tuple[int, list[str]]]
    mapping: ColumnMapping


@dataclass(frozen=True)
class ImportRow:
    """A checked row: names stripped, codes canonical, numbers parsed.

    ``site`` empty: no site (a wallet or server target). ``action`` empty: the row
    brings a target and maybe a site, no action. ``agency`` empty: the local agency.
    """

    line: int
    target: str
    kind: str
    site: str = ""
    country: str = ""
    zone: str = ""
    lat: float | None = None
    lon: float | None = None
    action: str = ""
    offset_min: int = 0
    agency: str = ""
    tlp: str = "AMBER"


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


# ---- mapping ------------------------------------------------------------------------


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Map our columns onto the file's headers by name, ignoring case, spaces and
    punctuation, and knowing the usual synonyms (latitude, lng, timezone, …).

    Exact names are matched before synonyms, and each header is used once.
    """
    return match_headers(headers, COLUMNS, _SYNONYMS)


def match_headers(headers: Sequence[str], columns: Sequence[str],
                  synonyms: Mapping[str, Sequence[str]]) -> ColumnMapping:
    """Columns onto headers: each column's names tried in order of preference (rank by
    rank across all columns), ignoring case and punctuation, each header used once.
    Shared by every file import that has a column-mapping step."""
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(_norm(header), header)
    mapping: ColumnMapping = {}
    used: set[str] = set()
    for rank in range(max(len(s) for s in synonyms.values())):
        for column in columns:
            names = synonyms[column]
            if column in mapping or rank >= len(names):
                continue
            found = by_norm.get(_norm(names[rank]))
            if found is not None and found not in used:
                mapping[column] = found
                used.add(found)
    return mapping


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> None:
    """Refuse a mapping that names unknown columns or headers, or misses a required one."""
    problems: list[str] = []
    unknown = sorted(set(mapping) - set(COLUMNS))
    if unknown:
        problems.append(f"unknown column {', '.join(unknown)} (ours are {', '.join(COLUMNS)})")
    missing = [c for c in REQUIRED if not mapping.get(c)]
    if missing:
        problems.append(f"no column for {' and '.join(missing)}")
    absent = sorted({h for h in mapping.values() if h and h not in headers})
    if absent:
        problems.append(f"the file has no column {', '.join(repr(h) for h in absent)}")
    twice = sorted({h for h in mapping.values() if h and list(headers).count(h) > 1})
    if twice:
        problems.append(f"the header names {', '.join(repr(h) for h in twice)} more than once")
    if problems:
        shown = ", ".join(repr(h) for h in headers[:12]) + (", …" if len(headers) > 12 else "")
        raise CsvFileError(f"The columns cannot be imported: {'; '.join(problems)}. "
                           f"The file's columns are {shown}; map them to target, kind, site, "
                           "country, zone, lat, lon, action, offset_min, agency and tlp.")


# ---- reading ------------------------------------------------------------------------


def _fail(path: Path, what: str) -> CsvFileError:
    return CsvFileError(f"{path.name} {what}")


def sniff(path: Path) -> CsvLayout:
    """Check that ``path`` is a UTF-8 CSV file with a header of several columns and find
    its separator; raises CsvFileError with the reason otherwise."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
    except OSError as error:
        raise _fail(path, f"cannot be read: {error.strerror or error}.") from None
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(path, "is UTF-16 text; save it as \"CSV UTF-8\" and import it again.")
    if b"\x00" in sample:
        raise _fail(path, "is not a CSV file: it holds binary data.")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(sample, final=len(sample) >= size)
    except UnicodeDecodeError as error:
        raise _fail(path, f"is not UTF-8 text (byte {error.start} cannot be read); save it as "
                    "\"CSV UTF-8\" and import it again.") from None
    if not text.strip():
        raise _fail(path, "is empty.")
    if len(sample) < size and "\n" in text:
        text = text[:text.rindex("\n") + 1]  # only whole lines
    delimiter, headers = _best_delimiter(path, text)
    if len(headers) < 2:
        first = next(line for line in text.splitlines() if line.strip())
        raise _fail(path, f"does not look like a CSV file: its first line has a single column "
                    f"({first[:40]!r}). Expected columns such as target, kind, site, country.")
    return CsvLayout(path, delimiter, tuple(headers), size)


def _best_delimiter(path: Path, text: str) -> tuple[str, list[str]]:
    """The separator whose header has the most columns, with the rows that follow it
    agreeing on that width most often."""
    best: tuple[int, int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = [row for row in itertools.islice(reader, 50) if any(v.strip() for v in row)]
        except csv.Error:
            continue
        if not rows:
            continue
        header = [h.strip() for h in rows[0]]
        agree = sum(1 for r in rows[1:] if len(r) == len(header))
        score = (len(header) if len(header) > 1 else 0, agree)
        if best is None or score > best[:2]:
            best = (*score, delimiter, header)
    if best is None:
        raise _fail(path, "is not a CSV file that can be read.")
    return best[2], best[3]


class CsvReader:
    """Streams the rows of a CSV file as (line number, header -> value), reading a
    buffer at a time, and tells how many bytes it has read so far."""

    def __init__(self, path: Path) -> None:
        self.layout = sniff(path)
        self._raw: BinaryIO | None = None
        self._text: io.TextIOWrapper | None = None

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._text is not None:
            self._text.close()
            self._text = self._raw = None

    @property
    def done_bytes(self) -> int:
        """Bytes read so far (to the reader's buffer, within a few KiB of the row)."""
        if self._raw is None or self._raw.closed:
            return 0
        return self._raw.tell()

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        layout = self.layout
        path = layout.path
        self.close()
        self._raw = layout.path.open("rb")
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(self._text, delimiter=layout.delimiter)
        headers = layout.headers
        width = len(headers)
        seen_header = False
        last = 0
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise _fail(path, f"is not UTF-8 text after line {last}; save it as "
                            "\"CSV UTF-8\" and import it again.") from None
            except csv.Error as error:
                raise _fail(path, f"is not valid CSV at line {last + 1}: {error}.") from None
            line, last = last + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if any("\x00" in v for v in values):
                raise _fail(path, f"is not a CSV file: it holds binary data (line {line}).")
            if not seen_header:
                seen_header = True
                continue
            row = dict(zip(headers, values, strict=False))
            if len(values) > width:
                filled = any(v.strip() for v in values[width:])
                row[EXTRA_FIELDS] = f"{len(values) - width}{'' if filled else ' empty'}"
            yield line, row


def preview(path: Path, n: int = 20) -> CsvPreview:
    """The header, the first ``n`` rows as they stand in the file, and a guessed mapping."""
    with CsvReader(path) as reader:
        rows: list[tuple[int, list[str]]] = []
        for line, row in reader.rows():
            if len(rows) >= n:
                break
            rows.append((line, [row.get(h, "") for h in reader.layout.headers]))
        return CsvPreview(reader.layout, rows, guess_mapping(reader.layout.headers))


# ---- checking -------------------------------------------------------------------------


def _coordinate_text(text: str) -> str:
    # Spreadsheets in many locales write a decimal comma, and pasted text brings the
    # Unicode minus sign; neither is ambiguous in a coordinate.
    text = text.strip().replace("\u2212", "-")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return text


def _attempt(reasons: list[str], check: Callable[..., T], *args: str) -> T | None:
    try:
        return check(*args)
    except ValueError as error:
        reasons.append(str(error))
        return None


def validate_row(line_no: int, row: Mapping[str, str],
                 mapping: Mapping[str, str]) -> ImportRow | RowError:
    """Check one row (file header -> text) with the placement rules; every problem of
    the row is named in its one reason."""

    def get(column: str) -> str:
        header = mapping.get(column)
        return row.get(header, "").strip() if header else ""

    reasons: list[str] = []
    extra = row.get(EXTRA_FIELDS, "")
    if extra and not extra.endswith(" empty"):
        reasons.append(f"the line has {extra} more field(s) than the header; a value that "
                       "holds the separator must be in quotes")
    target, site, agency = get("target"), get("site"), get("agency")
    for column, value in (("target", target), ("site", site), ("agency", agency)):
        if len(value) > MAX_NAME[column]:
            reasons.append(f"{column} name is longer than {MAX_NAME[column]} characters")
    if not target:
        reasons.append("target is missing")
    kind_text = get("kind")
    kind = _attempt(reasons, placement.check_target_kind, kind_text) if kind_text else None
    if not kind_text:
        reasons.append("kind is missing")
    country_text, zone_text = get("country"), get("zone")
    lat_text, lon_text = _coordinate_text(get("lat")), _coordinate_text(get("lon"))
    country = zone = None
    lat = lon = None
    if site:
        country = _attempt(reasons, placement.check_country, country_text)
        if country is not None:
            zone = _attempt(reasons, placement.check_zone, country, zone_text)
        lat = _attempt(reasons, placement.check_latitude, lat_text)
        lon = _attempt(reasons, placement.check_longitude, lon_text)
        if (lat_text == "") != (lon_text == ""):
            reasons.append("give both lat and lon, or neither")
    else:
        if country_text:
            country = _attempt(reasons, placement.check_country, country_text)
        given = [c for c, v in (("zone", zone_text), ("lat", lat_text), ("lon", lon_text)) if v]
        if given:
            reasons.append(f"{', '.join(given)} given without a site")
    action_text, offset_text = get("action"), get("offset_min")
    action = _attempt(reasons, placement.check_action_kind, action_text) if action_text else ""
    offset = _attempt(reasons, placement.check_offset, offset_text)
    if not action_text:
        given = [c for c, v in (("offset_min", offset_text), ("agency", agency)) if v]
        if given:
            reasons.append(f"{' and '.join(given)} given without an action")
    tlp = _attempt(reasons, placement.check_tlp, get("tlp"))
    if reasons and extra.endswith(" empty"):
        # Empty surplus fields alone are harmless (spreadsheets leave them), but with
        # other problems they are the likely cause: a separator inside a value.
        reasons.append(f"the line has {extra.split()[0]} more field(s) than the header; a "
                       "value that holds the separator must be in quotes")
    if reasons or kind is None or tlp is None or offset is None or action is None:
        return RowError(line_no, "; ".join(reasons))
    return ImportRow(line_no, target, kind, site, country or "", zone or "", lat, lon,
                     action, offset, agency, tlp)
