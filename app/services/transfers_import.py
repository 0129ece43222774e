"""Import of transfers from a CSV or JSON file into an operation.

All or nothing, as the plan import: the records are read, checked and written in one
transaction, and if any row is refused, the import is cancelled or anything fails, the
transaction is rolled back and the report lists every refused row with its line. Records
are streamed and written in batches; a transfer already in the operation (same chain,
hash, addresses, asset and amount), or twice in the file, is counted and skipped, so a
file can be imported again after an export grew. The rows of a large file are read and
checked by a second process while this one writes (see transfer_checking).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
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
    check_mapping,
    guess_mapping,
    open_records,
    preview,
)
from app.models.base import Shareable
from app.models.records import Transfer
from app.models.store import bulk_cache, defer_checkpoint
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.file_import import (
    Cancel,
    FileImportReport,
    Progress,
    RollbackSignal,
)
from app.services.operations import find_operation
from app.services.transfer_checking import (
    PROCESS_MIN_BYTES,
    Batch,
    CheckerProcess,
    CheckSetup,
    Good,
    checked_batches,
    duplicate_key,
)
from app.sync.bulk_insert import insert_rows
from app.sync.recorder import RECORDER

BATCH_ROWS = 4000  # rows in one INSERT
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


def import_transfers(ctx: AppContext, codename: str, path: Path | str,
                     mapping: Mapping[str, str] | None = None, *, chain: str | None = None,
                     tlp: str = "AMBER", progress: Progress | None = None,
                     cancel: Cancel | None = None) -> TransferImportReport:
    """Import the transfers of ``path`` (CSV or JSON) into the existing operation
    ``codename``.

    ``mapping`` (our column -> the file's header) defaults to ``guess_mapping``; ``chain``
    is the chain of every row when the file has no chain column. ``progress(done_bytes,
    total_bytes)`` about every 1%; ``cancel()`` asked every thousand rows. A file that
    cannot be read raises CsvFileError; refused rows are in the report, nothing imported.
    A large file is checked by a second process while this one writes (see
    transfer_checking).
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
    setup = CheckSetup(str(path), columns, chain, ctx.agency_id, op_id, level, encode=True)
    try:
        with checker, ctx.session() as session, bulk_cache(session, BULK_CACHE_KIB):
            # The commit leaves the write-ahead log (as large as what the import wrote)
            # to be copied into the database by a thread after (checkpoint_soon below).
            defer_checkpoint(session)
            _run(session, ctx, op_id, level, report, reader, checker, setup, progress,
                 cancel)
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
    ctx.store.checkpoint_soon()
    if progress is not None:
        progress(reader.size, reader.size)
    return report


def _existing(session: Session, op_id: str) -> set[bytes]:
    rows = session.execute(select(Transfer.chain, Transfer.tx_hash, Transfer.from_address,
                                  Transfer.to_address, Transfer.asset, Transfer.amount)
                           .where(Transfer.operation_id == op_id,
                                  Transfer.deleted.is_(False)))
    return {duplicate_key(c, h, f, t, a, plain(Decimal(amount)))
            for c, h, f, t, a, amount in rows}


class _TransferWriter:
    """New transfers written in batches: recorded as changesets (their ops made by the
    checking, see transfer_checking) or stamped, when the session records nothing; then
    one INSERT per batch with the columns' own bind processing (``insert_rows``), not
    the mapped bulk INSERT's work per row."""

    def __init__(self, session: Session, ctx: AppContext, op_id: str, level: str,
                 batch_rows: int = BATCH_ROWS) -> None:
        self.session = session
        self.ctx = ctx
        self.op_id = op_id
        self.level = level
        self.batch_rows = batch_rows
        self.created: list[str] = []
        self._rows: list[dict[str, Any]] = []
        self._ops: list[bytes] = []
        self._recorder = session.info.get(RECORDER)
        self._table = cast(Table, Transfer.__table__)

    @property
    def recorded(self) -> bool:
        return self._recorder is not None

    def add(self, good: Good) -> None:
        _key, record_id, tx_hash, chain, source, dest, asset, amount, moment, op = good
        row = {"id": record_id, "owner_agency_id": self.ctx.agency_id,
               "operation_id": self.op_id, "tx_hash": tx_hash, "chain": chain,
               "from_address": source, "to_address": dest, "asset": asset,
               "amount": amount, "time": datetime.fromisoformat(moment), "tlp": self.level}
        if self._recorder is not None:
            assert op is not None
            self._ops.append(op)  # the recorder stamps the rows as it records them
        else:
            values = {k: row.pop(k) for k in _STAMPED}
            stamp_write(cast(Shareable, _Unrecorded(row)), values, self.ctx.clock)
        self._rows.append(row)
        self.created.append(record_id)
        if len(self._rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            if self._recorder is not None:  # a bulk INSERT bypasses the unit of work
                self._recorder.bulk_rows(Transfer, self._rows, self._ops)
                # The changesets sealed so far, written now rather than held in memory
                # to the end (about a megabyte each; insert_rows does not autoflush).
                self.session.flush()
            insert_rows(self.session, self._table, self._rows)
        self._rows, self._ops = [], []


_STAMPED = ("tx_hash", "chain", "from_address", "to_address", "asset", "amount", "time",
            "tlp")


class _Unrecorded:
    """A row's values as attributes, for ``stamp_write``, which fills it as it fills a
    new ORM record (every given field stamped with one tick)."""

    def __init__(self, row: dict[str, Any]) -> None:
        row.update(stamps={}, updated="", deleted=False)
        self.__dict__ = row


def _batches(setup: CheckSetup, reader: RecordReader, checker: TransferChecker,
             processes: list[CheckerProcess]) -> Iterator[Batch]:
    """The checked rows: from a checker process for a large file (started now, kept in
    ``processes`` to be stopped), else checked here."""
    if reader.size >= PROCESS_MIN_BYTES:
        try:
            process = CheckerProcess(setup)
        except OSError:
            pass
        else:
            processes.append(process)
            return _from_process(process, setup, reader, checker)
    return checked_batches(setup, reader, checker)


def _from_process(process: CheckerProcess, setup: CheckSetup, reader: RecordReader,
                  checker: TransferChecker) -> Iterator[Batch]:
    """The process's batches; the rows checked here instead should it fail before its
    first batch (it cannot start in this installation, say)."""
    batches = process.batches()
    try:
        first = next(batches, None)
    except RuntimeError:
        process.close()
        yield from checked_batches(setup, reader, checker)
        return
    if first is not None:
        yield first
        yield from batches


def _run(session: Session, ctx: AppContext, op_id: str, level: str,
         report: TransferImportReport, reader: RecordReader, checker: TransferChecker,
         setup: CheckSetup, progress: Progress | None, cancel: Cancel | None) -> None:
    processes: list[CheckerProcess] = []
    try:
        _write(session, ctx, op_id, level, report, reader, checker, setup, progress, cancel,
               processes)
    finally:
        for process in processes:
            process.close()


def _write(session: Session, ctx: AppContext, op_id: str, level: str,
           report: TransferImportReport, reader: RecordReader, checker: TransferChecker,
           setup: CheckSetup, progress: Progress | None, cancel: Cancel | None,
           processes: list[CheckerProcess]) -> None:
    bulk = _TransferWriter(session, ctx, op_id, level)
    batches = _batches(replace(setup, encode=bulk.recorded), reader, checker, processes)
    seen = _existing(session, op_id)
    total = reader.size
    step = max(total // 100, 1)
    next_report = step
    if progress is not None:
        progress(0, total)
    for batch in batches:
        report.rows_read += batch.rows_read
        for line, reason in batch.refused:
            report.refuse(RowError(line, reason))
        if not report.rows_refused:
            for good in batch.goods:
                key = good[0]
                if key in seen:
                    report.duplicates += 1
                    continue
                seen.add(key)
                bulk.add(good)
        if cancel is not None and cancel():
            report.cancelled = True
            return
        if progress is not None and batch.done_bytes >= next_report:
            progress(batch.done_bytes, total)
            next_report = batch.done_bytes + step
    if report.rows_read == 0:
        raise CsvFileError(f"{report.file} has no transfers.")
    if report.rows_refused:
        return
    if cancel is not None and cancel():
        report.cancelled = True
        return
    bulk.flush()
    report.rows_imported = len(bulk.created)
    report.change = Change(created={Transfer.__tablename__: bulk.created})


def _audit(ctx: AppContext, action: str, codename: str, path: Path, **detail: object) -> None:
    with ctx.session() as session:
        ctx.audit(session, action, codename=codename, file=path.name, **detail)
