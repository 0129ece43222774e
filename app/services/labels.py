"""Labels of addresses (exchange, mixer, bridge, DEX, victim, suspect), each with its
source, imported from CSV, JSON or a GraphSense TagPack (YAML), and read by the tracer.

A TagPack's header fields (source, currency or network, category, label, actor) apply to
every tag that does not give its own. Its categories follow the INTERPOL Dark Web and
Virtual Assets taxonomy; those that name what tracing uses are mapped (mixing_service to
mixer, defi_dex to dex, defi_bridge to bridge, perpetrator to suspect) and tags of other
categories (a miner, a donation address) are skipped and counted, not refused. In a CSV
or JSON file an unknown category is a refused row: it is most likely a typing error.

All or nothing: one refused row and nothing is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import placement
from app.core import tlp as tlp_levels
from app.core.addresses import check_address, normalise_chain
from app.core.csv_rows import CsvFileError, RowError
from app.core.errors import ValidationError
from app.core.tracing import Label
from app.core.transfer_rows import open_records
from app.models.money_records import LABEL_CATEGORIES, AddressLabel
from app.services.changes import Change
from app.services.context import AppContext
from app.services.csv_import import BulkInserter
from app.services.file_import import (
    FileImportReport,
    RollbackSignal,
)
from app.services.operations import find_operation

COLUMNS = ("chain", "address", "category", "name", "source", "country", "contact")
REQUIRED = ("chain", "address", "category")
MAX_NAME = 200
# Which label of an address the tracer uses when there are several: a freeze point first.
PRIORITY = ("exchange", "mixer", "dex", "bridge", "suspect", "victim")

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "chain": ("chain", "network", "blockchain", "currency"),
    "address": ("address", "wallet", "wallet address"),
    "category": ("category", "type", "kind", "label type"),
    "name": ("name", "label", "entity", "actor", "service", "owner"),
    "source": ("source", "reference", "evidence", "url"),
    "country": ("country", "jurisdiction", "country code"),
    "contact": ("contact", "compliance contact", "compliance", "email", "le contact"),
}
_CATEGORIES = {c: c for c in LABEL_CATEGORIES} | {
    "mixing_service": "mixer", "mixing service": "mixer", "coinjoin": "mixer",
    "tumbler": "mixer", "defi_dex": "dex", "decentralized exchange": "dex",
    "defi_bridge": "bridge", "cross chain bridge": "bridge", "perpetrator": "suspect",
    "scammer": "suspect", "cex": "exchange", "centralized exchange": "exchange",
}


@dataclass(frozen=True)
class LabelRow:
    line: int
    chain: str
    address: str
    category: str
    name: str
    source: str
    country: str
    contact: str


@dataclass
class LabelImportReport(FileImportReport):
    codename: str
    file: str
    format: str
    created: int = 0
    duplicates: int = 0
    skipped: int = 0  # TagPack tags of categories tracing does not use
    skipped_categories: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        nothing = self.nothing_imported("labels")
        if nothing:
            return nothing
        parts = [f"{self.created} labels imported into {self.codename}"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already there")
        if self.skipped:
            kinds = ", ".join(f"{n} {c}" for c, n in sorted(self.skipped_categories.items()))
            parts.append(f"{self.skipped} of categories not used in tracing skipped ({kinds})")
        return "; ".join(parts) + "."


@dataclass(frozen=True)
class LabelInfo:
    id: str
    chain: str
    address: str
    category: str
    name: str
    source: str
    country: str
    contact: str
    tlp: str


# ---- reading ------------------------------------------------------------------------


def _norm(header: str) -> str:
    return "".join(c for c in header.lower() if c.isalnum())


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(_norm(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for rank in range(max(len(s) for s in _SYNONYMS.values())):
        for column in COLUMNS:
            names = _SYNONYMS[column]
            if column in mapping or rank >= len(names):
                continue
            found = by_norm.get(_norm(names[rank]))
            if found is not None and found not in used:
                mapping[column] = found
                used.add(found)
    return mapping


class _TextLoader(yaml.SafeLoader):
    """Every scalar stays text: YAML 1.1 would read an EVM address (0x...) as a hexadecimal
    number, and a long bitcoin amount or a date as something else again."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's own class field)


def _tagpack(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The tags of a TagPack, each with the header's fields it does not override, and
    the line where the tag starts."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(f"{path.name} is not UTF-8 text.") from None
    except OSError as error:
        raise CsvFileError(f"{path.name} cannot be read: {error.strerror or error}.") from None
    try:
        node = yaml.compose(text, Loader=_TextLoader)
        document = yaml.load(text, Loader=_TextLoader)  # a SafeLoader: no object tags
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CsvFileError(f"{path.name} is not valid YAML{where}.") from None
    if not isinstance(document, dict) or not isinstance(document.get("tags"), list):
        raise CsvFileError(f"{path.name} is not a TagPack: it has no list of tags (a YAML "
                           "file with a header and 'tags:').")
    header = {str(k): v for k, v in document.items() if k != "tags"}
    lines: list[int] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "tags" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value]
    for n, tag in enumerate(document["tags"]):
        line = lines[n] if n < len(lines) else n + 1
        if not isinstance(tag, dict):
            yield line, {"\x00bad": "the tag is not a mapping of fields"}
            continue
        merged = {**header, **{str(k): v for k, v in tag.items()}}
        yield line, _tag_fields(merged)


def _tag_fields(tag: Mapping[str, Any]) -> dict[str, str]:
    def text(key: str) -> str:
        value = tag.get(key)
        return "" if value is None else str(value).strip()

    network, currency = text("network"), text("currency")
    category = text("category")
    if not category and text("abuse"):
        category = "perpetrator"
    name = text("label") or text("actor")
    return {"chain": network or currency, "address": text("address"), "category": category,
            "name": name, "source": text("source"), "country": text("country"),
            "contact": text("contact"), "\x00tagpack": "1"}


@dataclass
class _Records:
    format: str
    headers: tuple[str, ...]
    rows: Iterator[tuple[int, dict[str, str]]]
    close: Callable[[], None]


def _open(path: Path) -> _Records:
    if not path.is_file():
        raise CsvFileError(f"There is no file {path}.")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _Records("tagpack", COLUMNS, _tagpack(path), lambda: None)
    reader = open_records(path)
    return _Records(reader.kind, reader.headers, reader.rows(), reader.close)


@dataclass(frozen=True)
class LabelPreview:
    format: str  # "csv", "json" or "tagpack"
    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    mapping: dict[str, str]  # guessed; a TagPack's fields need none


def preview_labels(path: Path | str, n: int = 20) -> LabelPreview:
    """For the mapping step: the file's columns (a TagPack's fields), its first rows and a
    guessed mapping. Raises CsvFileError when the file cannot be read as labels."""
    records = _open(Path(path))
    try:
        rows: list[tuple[int, list[str]]] = []
        for line, row in records.rows:
            if len(rows) >= n:
                break
            rows.append((line, [row.get(h, "") for h in records.headers]))
    finally:
        records.close()
    mapping = ({c: c for c in COLUMNS} if records.format == "tagpack"
               else guess_mapping(records.headers))
    return LabelPreview(records.format, records.headers, rows, mapping)


# ---- checking -----------------------------------------------------------------------


def check_row(line: int, row: Mapping[str, str], mapping: Mapping[str, str],
              default_source: str = "") -> LabelRow | RowError | str:
    """A checked label, a refused row, or (a TagPack tag of another category) the
    category it was skipped for."""
    tagpack = "\x00tagpack" in row

    def get(column: str) -> str:
        if tagpack:
            return row.get(column, "").strip()
        header = mapping.get(column)
        return row.get(header, "").strip() if header else ""

    if "\x00bad" in row:
        return RowError(line, row["\x00bad"])
    reasons: list[str] = []
    category_text = get("category")
    category = _CATEGORIES.get(category_text.lower().replace("-", "_"))
    if category is None and tagpack and category_text:
        return category_text.lower()
    if not category_text:
        reasons.append("category is missing")
    elif category is None:
        reasons.append(f"unknown category {category_text!r} (expected "
                       f"{', '.join(LABEL_CATEGORIES)})")
    chain: str | None = None
    try:
        chain = normalise_chain(get("chain"))
    except ValueError as error:
        reasons.append(str(error))
    address_text = get("address")
    address = ""
    if not address_text:
        reasons.append("address is missing")
    elif chain is not None:
        checked = check_address(chain, address_text)
        if checked.valid and checked.canonical:
            address = checked.canonical
        else:
            reasons.append(f"address {address_text[:64]!r} is not a valid {chain} address: "
                           f"{checked.reason}")
    name = get("name")
    if len(name) > MAX_NAME:
        reasons.append(f"name is longer than {MAX_NAME} characters")
    if category == "bridge" and not name:
        reasons.append("a bridge needs a name: its addresses with the same name on two "
                       "chains are the two ends of one bridge")
    source = get("source") or default_source.strip()
    if not source:
        reasons.append("source is missing (say where the label comes from, in the file or "
                       "for the whole file)")
    country = get("country")
    if country:
        try:
            country = placement.check_country(country)
        except ValueError as error:
            reasons.append(str(error))
    if reasons or category is None or chain is None:
        return RowError(line, "; ".join(reasons))
    return LabelRow(line, chain, address, category, name, source, country, get("contact"))


# ---- the service ----------------------------------------------------------------------


def import_labels(ctx: AppContext, codename: str, path: Path | str,
                  mapping: Mapping[str, str] | None = None, *, source: str = "",
                  tlp: str = "AMBER", cancel: Callable[[], bool] | None = None
                  ) -> LabelImportReport:
    """Import the labels of ``path`` (CSV, JSON or a TagPack .yaml) into the operation.

    ``source`` applies to rows that name none. A label already in the operation (same
    address, category, name and source) is skipped."""
    path = Path(path)
    try:
        level = tlp_levels.normalise(tlp)
    except ValueError as error:
        raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    with ctx.session() as session:
        op = find_operation(session, codename)
        name, op_id = op.codename, op.id
    records = _open(path)
    report = LabelImportReport(name, path.name, records.format)
    try:
        columns = dict(mapping) if mapping is not None else guess_mapping(records.headers)
        if records.format != "tagpack":
            _check_mapping(columns, records.headers)
        with ctx.session() as session:
            _run(session, ctx, op_id, level, report, records, columns, source, cancel)
            if not report.imported:
                raise RollbackSignal
            ctx.audit(session, "label import", codename=name, file=path.name,
                      created=report.created, skipped=report.skipped)
    except RollbackSignal:
        pass
    finally:
        records.close()
    if not report.imported:
        with ctx.session() as session:
            ctx.audit(session, "label import refused", codename=name, file=path.name,
                      refused=report.rows_refused, cancelled=report.cancelled)
        report.created = report.duplicates = 0
        report.change = Change()
    return report


def _run(session: Session, ctx: AppContext, op_id: str, level: str, report: LabelImportReport,
         records: _Records, columns: dict[str, str], source: str,
         cancel: Callable[[], bool] | None) -> None:
    bulk = BulkInserter(session, ctx, op_id)
    seen = _existing(session, op_id)
    for line, raw in records.rows:
        report.rows_read += 1
        if cancel is not None and report.rows_read % 256 == 0 and cancel():
            report.cancelled = True
            return
        row = check_row(line, raw, columns, source)
        if isinstance(row, str):
            report.skipped += 1
            report.skipped_categories[row] = report.skipped_categories.get(row, 0) + 1
        elif isinstance(row, RowError):
            report.refuse(row)
            bulk.discard = True
        else:
            _add(bulk, seen, report, row, level)
    if report.rows_read == 0:
        raise CsvFileError(f"{report.file} has no labels.")
    if cancel is not None and cancel():
        report.cancelled = True
        return
    bulk.flush()
    report.change = bulk.change


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> None:
    """Refuse, before importing, a mapping without the required columns (CsvFileError)."""
    _check_mapping(mapping, headers)


def _check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if not mapping.get(c)]
    absent = sorted({h for h in mapping.values() if h and h not in headers})
    if missing or absent:
        problems = ([f"no column for {', '.join(missing)}"] if missing else []) + (
            [f"the file has no column {', '.join(repr(h) for h in absent)}"] if absent else [])
        raise CsvFileError(f"The columns cannot be imported: {'; '.join(problems)}. The file's "
                           f"columns are {', '.join(repr(h) for h in headers[:12])}; map them "
                           f"to {', '.join(COLUMNS)}.")


def _existing(session: Session, op_id: str) -> set[tuple[str, ...]]:
    rows = session.execute(select(AddressLabel.chain, AddressLabel.address,
                                  AddressLabel.category, AddressLabel.name,
                                  AddressLabel.source)
                           .where(AddressLabel.operation_id == op_id,
                                  AddressLabel.deleted.is_(False)))
    return {tuple(r) for r in rows}


def _add(bulk: BulkInserter, seen: set[tuple[str, ...]], report: LabelImportReport,
         row: LabelRow, level: str) -> None:
    key = (row.chain, row.address, row.category, row.name, row.source)
    if key in seen:
        report.duplicates += 1
        return
    seen.add(key)
    bulk.add(AddressLabel, {"chain": row.chain, "address": row.address,
                            "category": row.category, "name": row.name, "source": row.source,
                            "country": row.country, "contact": row.contact, "tlp": level})
    report.created += 1


def list_labels(ctx: AppContext, codename: str) -> list[LabelInfo]:
    with ctx.session() as session:
        op = find_operation(session, codename)
        rows = session.scalars(select(AddressLabel).where(
            AddressLabel.operation_id == op.id, AddressLabel.deleted.is_(False))
            .order_by(AddressLabel.category, AddressLabel.name, AddressLabel.address))
        return [LabelInfo(r.id, r.chain, r.address, r.category, r.name, r.source, r.country,
                          r.contact, r.tlp) for r in rows]


def trace_labels(session: Session, op_id: str) -> dict[tuple[str, str], Label]:
    """One label per address for the tracer: a freeze point before a bridge before a
    mark (suspect, victim); among equals, the latest written."""
    rows = session.execute(select(AddressLabel.chain, AddressLabel.address,
                                  AddressLabel.category, AddressLabel.name,
                                  AddressLabel.source, AddressLabel.country,
                                  AddressLabel.contact, AddressLabel.updated)
                           .where(AddressLabel.operation_id == op_id,
                                  AddressLabel.deleted.is_(False)))
    best: dict[tuple[str, str], tuple[int, str, Label]] = {}
    for chain, address, category, name, source, country, contact, updated in rows:
        rank = -PRIORITY.index(category) if category in PRIORITY else -len(PRIORITY)
        found = best.get((chain, address))
        if found is None or (rank, updated) > found[:2]:
            best[(chain, address)] = (rank, updated, Label(chain, address, category, name,
                                                           source, country, contact))
    return {key: value[2] for key, value in best.items()}
