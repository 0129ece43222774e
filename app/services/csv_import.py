"""Import of targets, sites and actions from a CSV file, one row per action.

All or nothing: the rows are read, checked and written in one transaction, and if
any row is refused, the import is cancelled or anything fails, the transaction is
rolled back and the report lists every refused row. Rows are streamed and written in
batches through the ORM's bulk INSERT, so a file of tens of megabytes needs neither
its size in memory nor one round trip per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.core.csv_rows import (
    CsvFileError,
    CsvReader,
    ImportRow,
    RowError,
    check_mapping,
    guess_mapping,
    validate_row,
)
from app.core.errors import ValidationError
from app.models.base import Shareable, new_id, reference_id
from app.models.records import Action, Agency, Operation, Participant, Site, Target
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.file_import import (
    Cancel,
    FileImportReport,
    Progress,
    RollbackSignal,
)
from app.services.operations import add_participant_in, create_operation_in
from app.sync.recorder import RECORDER

CANCEL_EVERY_ROWS = 256
BATCH_ROWS = 4000
# Insert order: a record after what it refers to, as a reader of the changesets expects.
_INSERT_ORDER: tuple[type[Any], ...] = (Target, Site, Action)


@dataclass
class ImportReport(FileImportReport):
    """What a plan import did, or why it did nothing."""

    codename: str
    operation_id: str | None
    operation_created: bool = False
    rows_imported: int = 0
    targets_created: int = 0
    sites_created: int = 0
    actions_created: int = 0
    # Rows whose action the operation already holds (the same file imported twice, say).
    actions_existing: int = 0
    agencies_created: int = 0

    def summary(self) -> str:
        nothing = self.nothing_imported("rows")
        if nothing:
            return nothing
        text = (f"{self.rows_imported} rows imported into {self.codename}: "
                f"{self.targets_created} targets, {self.sites_created} sites, "
                f"{self.actions_created} actions created.")
        if self.actions_existing:
            text += (f" {self.actions_existing} actions were already there and were left "
                     "as they are.")
        return text


class _NewRecord:
    """The column values of a record to be bulk-inserted.

    ``stamp_write`` fills it exactly as it fills a new ORM record (every given field
    stamped with one tick), without the cost of an ORM instance per row.
    """

    def __init__(self, **fixed: Any) -> None:
        self.__dict__.update(fixed)
        self.stamps: dict[str, Any] = {}
        self.updated = ""
        self.deleted = False


class BulkInserter:
    """New targets, sites, actions (or any operation-scoped record) written in batches.

    Ids are made here, so callers can refer to a record before its batch is written.
    ``discard`` stops all writing (used once the outcome is a rollback anyway).
    """

    def __init__(self, session: Session, ctx: AppContext, op_id: str,
                 batch_rows: int = BATCH_ROWS) -> None:
        self.session = session
        self.ctx = ctx
        self.op_id = op_id
        self.batch_rows = batch_rows
        self.discard = False
        self.change = Change()
        self._pending: dict[type[Any], list[dict[str, Any]]] = {}
        self._count = 0
        self._recorded = RECORDER in session.info

    def add(self, model: type[Any], values: dict[str, Any]) -> str:
        """Queue a new record owned by this store's agency; returns its id."""
        record_id = new_id()
        if self.discard:
            return record_id
        record = _NewRecord(id=record_id, owner_agency_id=self.ctx.agency_id,
                            operation_id=self.op_id)
        if self._recorded:
            record.__dict__.update(values)  # the recorder stamps the rows as it records them
        else:
            stamp_write(cast(Shareable, record), values, self.ctx.clock)
        self._pending.setdefault(model, []).append(record.__dict__)
        self.change.add("created", model.__tablename__, record_id)
        self._count += 1
        if self._count >= self.batch_rows:
            self.flush()
        return record_id

    def flush(self) -> None:
        if not self.discard:
            order = [*_INSERT_ORDER, *(m for m in self._pending if m not in _INSERT_ORDER)]
            recorder = self.session.info.get(RECORDER)
            for model in order:
                rows = self._pending.get(model)
                if rows:
                    if recorder is not None:  # bulk INSERTs bypass the unit of work
                        recorder.bulk_rows(model, rows)
                    self.session.execute(insert(model), rows)
        self._pending.clear()
        self._count = 0


@dataclass
class _SiteSeen:
    id: str
    zone: str
    lat: float | None
    lon: float | None
    line: int  # 0: already in the operation before this import


class _Import:
    """One import's state: the records known by name, and the rows still to write."""

    def __init__(self, session: Session, ctx: AppContext, report: ImportReport,
                 op_id: str) -> None:
        self.session = session
        self.ctx = ctx
        self.report = report
        self.op_id = op_id
        self.bulk = BulkInserter(session, ctx, op_id)
        self.targets: dict[tuple[str, str], str] = {
            (name, kind): tid for tid, name, kind in session.execute(
                select(Target.id, Target.name, Target.kind).where(
                    Target.operation_id == op_id, Target.deleted.is_(False)))}
        self.sites: dict[tuple[str, str], _SiteSeen] = {
            (name, cc): _SiteSeen(sid, zone, lat, lon, 0)
            for sid, name, cc, zone, lat, lon in session.execute(
                select(Site.id, Site.name, Site.country, Site.zone, Site.lat, Site.lon).where(
                    Site.operation_id == op_id, Site.deleted.is_(False)))}
        self.agencies: dict[str, str] = {
            name.casefold(): aid for aid, name in session.execute(
                select(Agency.id, Agency.name).where(Agency.deleted.is_(False))
                .order_by(Agency.updated))}
        # An action is the same action when it does the same thing to the same target at the
        # same site, by the same agency at the same time: importing a file again adds none.
        self.actions: set[tuple[Any, ...]] = {tuple(row) for row in session.execute(
            select(Action.kind, Action.target_id, Action.site_id, Action.agency_id,
                   Action.offset_min).where(Action.operation_id == op_id,
                                            Action.deleted.is_(False)))}
        self.participants: set[str] = set(session.scalars(
            select(Participant.agency_id).where(Participant.operation_id == op_id,
                                                Participant.deleted.is_(False))))

    def refuse(self, error: RowError) -> None:
        self.report.refuse(error)
        self.bulk.discard = True

    def add(self, row: ImportRow) -> None:
        agency_id = self._agency(row)
        site_id = self._site(row) if row.site else None
        if agency_id is None or (row.site and site_id is None):
            return
        key = (row.target, row.kind)
        target_id = self.targets.get(key)
        if target_id is None:
            target_id = self.bulk.add(Target, {"kind": row.kind, "name": row.target,
                                               "country": row.country, "tlp": row.tlp})
            self.targets[key] = target_id
            self.report.targets_created += 1
        action_key = (row.action, target_id, site_id, agency_id, row.offset_min)
        if row.action and action_key in self.actions:
            self.report.actions_existing += 1
        elif row.action:
            self.actions.add(action_key)
            self.bulk.add(Action, {"kind": row.action, "target_id": target_id,
                                   "site_id": site_id, "agency_id": agency_id,
                                   "offset_min": row.offset_min, "tlp": row.tlp,
                                   "status": "planned"})
            self.report.actions_created += 1
        self.report.rows_imported += 1

    def _site(self, row: ImportRow) -> str | None:
        key = (row.site, row.country)
        seen = self.sites.get(key)
        if seen is None:
            site_id = self.bulk.add(Site, {
                "name": row.site, "country": row.country, "zone": row.zone, "lat": row.lat,
                "lon": row.lon, "address": "",
                "jurisdiction_id": reference_id("jurisdiction", row.country), "tlp": row.tlp})
            self.sites[key] = _SiteSeen(site_id, row.zone, row.lat, row.lon, row.line)
            self.report.sites_created += 1
            return site_id
        where = f"on line {seen.line}" if seen.line else "in this operation already"
        if row.zone != seen.zone:
            self.refuse(RowError(row.line, f"site {row.site!r} ({row.country}) is in zone "
                                 f"{seen.zone} {where}, not {row.zone}"))
            return None
        if row.lat is not None and (row.lat, row.lon) != (seen.lat, seen.lon):
            known = (f"at {seen.lat}, {seen.lon}" if seen.lat is not None
                     else "without coordinates")
            self.refuse(RowError(row.line, f"site {row.site!r} ({row.country}) is {known} "
                                 f"{where}, not at {row.lat}, {row.lon}"))
            return None
        return seen.id

    def _agency(self, row: ImportRow) -> str | None:
        if not row.agency or not row.action:
            return self.ctx.agency_id
        agency_id = self.agencies.get(row.agency.casefold())
        if agency_id is None:
            if not row.country:
                self.refuse(RowError(row.line, f"agency {row.agency!r} is not known in this "
                                     "store, and the row has no country to record it with"))
                return None
            agency_id = self._new_agency(row.agency, row.country)
            self.agencies[row.agency.casefold()] = agency_id
        if agency_id not in self.participants:
            self.participants.add(agency_id)
            if not self.bulk.discard:
                self.bulk.change.merge(add_participant_in(self.session, self.ctx, self.op_id,
                                                          agency_id, "participant"))
        return agency_id

    def _new_agency(self, name: str, country: str) -> str:
        self.report.agencies_created += 1
        if self.bulk.discard:
            return new_id()
        agency = Agency(owner_agency_id=self.ctx.agency_id)
        stamp_write(agency, {"name": name, "country": country, "contact_24_7": "",
                             "tlp": "GREEN"}, self.ctx.clock)
        self.session.add(agency)
        self.session.flush()
        self.bulk.change.add("created", "agency", agency.id)
        return agency.id


def import_csv(ctx: AppContext, codename: str, path: Path | str,
               mapping: Mapping[str, str] | None = None, progress: Progress | None = None,
               cancel: Cancel | None = None) -> ImportReport:
    """Import ``path`` into the operation ``codename``, creating it if needed.

    ``mapping`` (our column -> the file's header) defaults to ``guess_mapping``.
    ``progress(done_bytes, total_bytes)`` is called about every 1% of the file;
    ``cancel()`` is asked every few hundred rows and, when True, ends the import with
    nothing written. A file that cannot be read as CSV raises CsvFileError; refused rows
    do not raise: they are in the report, and nothing was imported.
    """
    name = codename.strip()
    if not name:
        raise ValidationError("The operation needs a codename.")
    path = Path(path)
    try:
        reader = CsvReader(path)
        columns = dict(mapping) if mapping is not None else guess_mapping(reader.layout.headers)
        check_mapping(columns, reader.layout.headers)
    except CsvFileError as error:
        _audit_refused(ctx, "csv import refused", name, path, reason=str(error))
        raise
    report = ImportReport(name, None)
    with reader:
        try:
            with ctx.session() as session:
                _run(session, ctx, report, reader, columns, progress, cancel)
                if not report.imported:
                    raise RollbackSignal
                ctx.audit(session, "csv import", codename=name, file=path.name,
                          rows=report.rows_imported, targets=report.targets_created,
                          sites=report.sites_created, actions=report.actions_created,
                          agencies=report.agencies_created)
        except RollbackSignal:
            pass
        except CsvFileError as error:
            _audit_refused(ctx, "csv import refused", name, path, reason=str(error))
            raise
    if not report.imported:
        return _nothing_imported(ctx, report, path)
    if progress is not None:
        progress(reader.layout.size, reader.layout.size)
    return report


def _run(session: Session, ctx: AppContext, report: ImportReport, reader: CsvReader,
         columns: dict[str, str], progress: Progress | None, cancel: Cancel | None) -> None:
    op_id = session.scalars(select(Operation.id).where(Operation.codename == report.codename,
                                                       Operation.deleted.is_(False))).first()
    change = Change()
    if op_id is None:
        op_id, change = create_operation_in(session, ctx, report.codename)
        report.operation_created = True
    report.operation_id = op_id
    state = _Import(session, ctx, report, op_id)
    total = reader.layout.size
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
        row = validate_row(line, raw, columns)
        if isinstance(row, RowError):
            state.refuse(row)
        else:
            state.add(row)
    if report.rows_read == 0:
        raise CsvFileError(f"{reader.layout.path.name} has a header but no rows.")
    if cancel is not None and cancel():
        report.cancelled = True
        return
    state.bulk.flush()
    report.change = change.merge(state.bulk.change)


def _nothing_imported(ctx: AppContext, report: ImportReport, path: Path) -> ImportReport:
    """The report of a rolled-back import: the refused rows, and nothing created."""
    existed = report.operation_id if not report.operation_created else None
    result = ImportReport(report.codename, existed, rows_read=report.rows_read,
                          rows_refused=report.rows_refused, errors=report.errors,
                          cancelled=report.cancelled)
    if report.cancelled:
        _audit_refused(ctx, "csv import cancelled", report.codename, path,
                       rows_read=report.rows_read)
    else:
        _audit_refused(ctx, "csv import refused", report.codename, path,
                       rows_read=report.rows_read, rows_refused=report.rows_refused,
                       first=[str(e) for e in report.errors[:20]])
    return result


def _audit_refused(ctx: AppContext, action: str, codename: str, path: Path,
                   **detail: object) -> None:
    with ctx.session() as session:
        ctx.audit(session, action, codename=codename, file=path.name, **detail)
