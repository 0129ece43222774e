"""Import of transfers from a CSV or JSON file into an operation.

All or nothing, as the plan import: the records are read, checked and written in one
transaction, and if any row is refused, the import is cancelled or anything fails, the
transaction is rolled back and the report lists every refused row with its line. Records
are streamed and written in batches; a transfer already in the operation (same chain,
hash, addresses, asset and amount), or twice in the file, is counted and skipped, so a
file can be imported again after an export grew.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.core import tlp as tlp_levels
from app.core.csv_rows import CsvFileError, RowError
from app.core.errors import ValidationError
from app.core.tracing import plain
from app.core.transfer_rows import (
    RecordReader,
    TransferChecker,
    TransferPreview,
    TransferRow,
    check_mapping,
    guess_mapping,
    open_records,
    preview,
)
from app.models.base import Shareable
from app.models.records import Transfer
from app.models.store import bulk_cache
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.file_import import (
    Cancel,
    FileImportReport,
    Progress,
    RollbackSignal,
)
from app.services.operations import find_operation
from app.sync.bulk_insert import insert_rows
from app.sync.recorder import RECORDER

CANCEL_EVERY_ROWS = 512
BATCH_ROWS = 4000
# The page cache of an import's transaction: the address indexes of a million transfers
# (random keys, about 50 MB each) stay in it (see bulk_cache).
BULK_CACHE_KIB = 256 * 1024

__all__ = ["TransferImportReport", "import_transfers", "preview_transfers"]


def preview_transfers(path: Path | str, n: int = 20) -> TransferPreview:
    """For the mapping step: the file's columns, its first rows and a guessed mapping.
    Raises CsvFileError when the file is neither CSV nor JSON records."""
    return preview(Path(path), n)


@dataclass
class TransferImportReport(FileImportReport):
    """What a transfer import did, or why it did nothing. ``unit``: what ``errors``
    number, "line" or "record"."""

    codename: str
    file: str
    rows_imported: int = 0
    duplicates: int = 0
    unit: str = "line"

    def summary(self) -> str:
        nothing = self.nothing_imported("transfers")
        if nothing:
            return nothing
        skipped = (f" ({self.duplicates} already in the operation or repeated, skipped)"
                   if self.duplicates else "")
        return f"{self.rows_imported} transfers imported into {self.codename}{skipped}."


def _key(chain: str, tx_hash: str, source: str, dest: str, asset: str, amount: str) -> bytes:
    text = "\x1f".join((chain, tx_hash.lower(), source, dest, asset, amount))
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def import_transfers(ctx: AppContext, codename: str, path: Path | str,
                     mapping: Mapping[str, str] | None = None, *, chain: str | None = None,
                     tlp: str = "AMBER", progress: Progress | None = None,
                     cancel: Cancel | None = None) -> TransferImportReport:
    """Import the transfers of ``path`` (CSV or JSON) into the existing operation
    ``codename``.

    ``mapping`` (our column -> the file's header) defaults to ``guess_mapping``; ``chain``
    is the chain of every row when the file has no chain column. ``progress(done_bytes,
    total_bytes)`` about every 1%; ``cancel()`` asked every few hundred rows. A file that
    cannot be read raises CsvFileError; refused rows are in the report, nothing imported.
    """
    path = Path(path)
    try:
        level = tlp_levels.normalise(tlp)
    except ValueError as error:
        raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    with ctx.session() as session:
        op = find_operation(session, codename)
        name, op_id = op.codename, op.id
    try:
        reader = open_records(path)
        columns = dict(mapping) if mapping is not None else guess_mapping(reader.headers)
        check_mapping(columns, reader.headers, chain=chain)
        checker = TransferChecker(columns, chain=chain, json_numbers=reader.kind == "json")
    except ValueError as error:  # an unknown chain given for the whole file
        raise ValidationError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    except CsvFileError as error:
        _audit(ctx, "transfer import refused", name, path, reason=str(error))
        raise
    report = TransferImportReport(name, path.name, unit=reader.unit)
    try:
        with checker, ctx.session() as session, bulk_cache(session, BULK_CACHE_KIB):
            _run(session, ctx, op_id, level, report, reader, checker, progress, cancel)
            if not report.imported:
                raise RollbackSignal
            ctx.audit(session, "transfer import", codename=name, file=path.name,
                      rows=report.rows_imported, duplicates=report.duplicates)
    except RollbackSignal:
        pass
    except CsvFileError as error:
        _audit(ctx, "transfer import refused", name, path, reason=str(error))
        raise
    finally:
        reader.close()
    if not report.imported:
        if report.cancelled:
            _audit(ctx, "transfer import cancelled", name, path, rows_read=report.rows_read)
        else:
            _audit(ctx, "transfer import refused", name, path, rows_read=report.rows_read,
                   rows_refused=report.rows_refused,
                   first=[str(e) for e in report.errors[:20]])
        report.rows_imported = report.duplicates = 0
        report.change = Change()
        return report
    if progress is not None:
        progress(reader.size, reader.size)
    return report


def _existing(session: Session, op_id: str) -> set[bytes]:
    rows = session.execute(select(Transfer.chain, Transfer.tx_hash, Transfer.from_address,
                                  Transfer.to_address, Transfer.asset, Transfer.amount)
                           .where(Transfer.operation_id == op_id,
                                  Transfer.deleted.is_(False)))
    return {_key(c, h, f, t, a, plain(Decimal(amount))) for c, h, f, t, a, amount in rows}


class _TimeOrderedIds:
    """UUIDs of version 7 (RFC 9562): the time in milliseconds, then 74 random bits.

    The ids of a large import then grow with time, and each INSERT adds to the end of
    the primary key's B-tree instead of a random page of it: with a million transfers
    that index outgrows the page cache, and random ids cost a page read, decryption and
    write for nearly every row. The random bits come from os.urandom, as uuid4's do, read
    for many ids at once."""

    _RANDOM = (1 << 80) - 1 & ~(0xF << 76) & ~(0x3 << 62)  # less version and variant
    _VERSION = 0x7 << 76 | 0x2 << 62  # version 7, variant 10
    _BATCH = 4096

    def __init__(self) -> None:
        self._random = b""
        self._at = 0

    def __call__(self) -> str:
        if self._at >= len(self._random):
            self._random, self._at = os.urandom(10 * self._BATCH), 0
        bits = int.from_bytes(self._random[self._at:self._at + 10])
        self._at += 10
        value = (time.time_ns() // 1_000_000) << 80 | bits & self._RANDOM | self._VERSION
        text = f"{value:032x}"  # as str(uuid.UUID(int=value)) writes it
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class _TransferWriter:
    """New transfers written in batches: recorded as changesets (or stamped, when the
    session records nothing), then one INSERT per batch with the columns' own bind
    processing (``insert_rows``), not the mapped bulk INSERT's work per row.
    ``discard`` stops all writing (used once the outcome is a rollback anyway)."""

    def __init__(self, session: Session, ctx: AppContext, op_id: str,
                 batch_rows: int = BATCH_ROWS) -> None:
        self.session = session
        self.ctx = ctx
        self.op_id = op_id
        self.batch_rows = batch_rows
        self.discard = False
        self.change = Change()
        self._rows: list[dict[str, Any]] = []
        self._recorder = session.info.get(RECORDER)
        self._table = cast(Table, Transfer.__table__)
        self._new_id = _TimeOrderedIds()

    def add(self, values: dict[str, Any]) -> None:
        if self.discard:
            return
        record_id = self._new_id()
        row = {"id": record_id, "owner_agency_id": self.ctx.agency_id,
               "operation_id": self.op_id}
        if self._recorder is not None:
            row.update(values)  # the recorder stamps the rows as it records them
        else:
            record = _Unrecorded(row)
            stamp_write(cast(Shareable, record), values, self.ctx.clock)
        self._rows.append(row)
        self.change.add("created", Transfer.__tablename__, record_id)
        if len(self._rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if not self.discard and self._rows:
            if self._recorder is not None:  # a bulk INSERT bypasses the unit of work
                self._recorder.bulk_rows(Transfer, self._rows)
                # The changesets sealed so far, written now rather than held in memory
                # to the end (about a megabyte each; insert_rows does not autoflush).
                self.session.flush()
            insert_rows(self.session, self._table, self._rows)
        self._rows = []


class _Unrecorded:
    """A row's values as attributes, for ``stamp_write``, which fills it as it fills a
    new ORM record (every given field stamped with one tick)."""

    def __init__(self, row: dict[str, Any]) -> None:
        row.update(stamps={}, updated="", deleted=False)
        self.__dict__ = row


def _run(session: Session, ctx: AppContext, op_id: str, level: str,
         report: TransferImportReport, reader: RecordReader, checker: TransferChecker,
         progress: Progress | None, cancel: Cancel | None) -> None:
    seen = _existing(session, op_id)
    bulk = _TransferWriter(session, ctx, op_id)
    total = reader.size
    step = max(total // 100, 1)
    next_report = step
    if progress is not None:
        progress(0, total)
    for line, raw in reader.rows():
        report.rows_read += 1
        if report.rows_read % CANCEL_EVERY_ROWS == 0:
            if cancel is not None and cancel():
                report.cancelled = True
                return
            done = reader.done_bytes
            if progress is not None and done >= next_report:
                progress(done, total)
                next_report = done + step
        row = checker.check(line, raw)
        if isinstance(row, RowError):
            report.refuse(row)
            bulk.discard = True
            continue
        _add(bulk, seen, report, row, level)
    if report.rows_read == 0:
        raise CsvFileError(f"{report.file} has no transfers.")
    if cancel is not None and cancel():
        report.cancelled = True
        return
    bulk.flush()
    report.change = bulk.change


def _add(bulk: _TransferWriter, seen: set[bytes], report: TransferImportReport,
         row: TransferRow, level: str) -> None:
    amount = plain(row.amount)
    key = _key(row.chain, row.tx_hash, row.from_address, row.to_address, row.asset, amount)
    if key in seen:
        report.duplicates += 1
        return
    seen.add(key)
    bulk.add({"tx_hash": row.tx_hash, "chain": row.chain,
                        "from_address": row.from_address, "to_address": row.to_address,
                        "asset": row.asset, "amount": amount, "time": row.time, "tlp": level})
    report.rows_imported += 1


def _audit(ctx: AppContext, action: str, codename: str, path: Path, **detail: object) -> None:
    with ctx.session() as session:
        ctx.audit(session, action, codename=codename, file=path.name, **detail)
