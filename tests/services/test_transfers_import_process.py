"""Transfer import with the rows checked by a checker process (large files): the same
rows, changesets, refusals and file errors as when they are checked in the importing
process; cancel stops the process and leaves the store as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.csv_rows import CsvFileError
from app.core.transfer_rows import TransferRow
from app.models.records import Transfer
from app.models.sync_records import ChangesetRecord
from app.services import transfer_checking, transfers_import
from app.services.context import AppContext
from app.services.demo import bitcoin_address, ethereum_address, tron_address
from app.services.operations import create_operation, find_operation
from app.services.transfers_import import import_transfers
from app.sync import changeset as cs

HEADER = "tx_hash,chain,from,to,asset,amount,time\n"
TRON = [tron_address(f"w{i}") for i in range(40)]
ETH = [ethereum_address(f"e{i}") for i in range(10)]
BTC = [bitcoin_address(f"b{i}") for i in range(10)]


def _rows(n: int) -> str:
    lines = []
    for i in range(n):
        if i % 7 == 0:  # EIP-55 and lower-case spellings, one canonical form
            a, b = ETH[i % 10].lower(), ETH[(i + 3) % 10]
            lines.append(f"0x{i:062x},eth,{a},{b},usdc,{i}.50,2026-03-01T10:{i % 60:02d}:00Z")
        elif i % 11 == 0:
            a, b = BTC[i % 10], BTC[(i + 1) % 10]
            lines.append(f"b{i},BTC,{a},{b},,0.{i:08d},{1772355600 + i}")
        elif i % 13 == 0:  # a quote and a backslash in the hash, letters beyond ASCII
            lines.append(f'"q""{i}\\x",tron,{TRON[i % 40]},{TRON[(i + 1) % 40]},ÜSD,'
                         f"{i}.000,2026-03-01T12:00:00+03:00")
        else:
            lines.append(f"t{i},tron,{TRON[i % 40]},{TRON[(i + 5) % 40]},USDT,{i + 1},"
                         f"2026-03-0{1 + i % 9}T0{i % 10}:15:30Z")
    return HEADER + "\n".join(lines) + "\n"


class _Spy:
    """Counts the checker processes started and keeps them, to see them stopped."""

    def __init__(self) -> None:
        self.made: list[transfer_checking.CheckerProcess] = []

    def __call__(self, setup: transfer_checking.CheckSetup) -> Any:
        process = transfer_checking.CheckerProcess(setup)
        self.made.append(process)
        return process


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> _Spy:
    """Every file goes to a checker process, in batches of 500 rows."""
    made = _Spy()
    monkeypatch.setattr(transfers_import, "PROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(transfers_import, "CheckerProcess", made)
    monkeypatch.setattr(transfer_checking.CheckSetup.__init__, "__defaults__", (500,))
    return made


def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfers_import, "PROCESS_MIN_BYTES", 1 << 62)


def _stored(ctx: AppContext, codename: str) -> tuple[list[tuple[Any, ...]], list[list[Any]]]:
    """The operation's transfers (without ids) and its changesets' ops (without ids),
    after checking that each changeset body is the canonical form of what it says and
    that its signature holds."""
    with ctx.session() as session:
        op_id = find_operation(session, codename).id
        rows = sorted(session.execute(select(
            Transfer.tx_hash, Transfer.chain, Transfer.from_address, Transfer.to_address,
            Transfer.asset, Transfer.amount, Transfer.time, Transfer.tlp, Transfer.deleted,
            Transfer.owner_agency_id).where(Transfer.operation_id == op_id)).all())
        ids = set(session.scalars(select(Transfer.id).where(Transfer.operation_id == op_id)))
        stamps = {r.id: (r.stamps, r.updated) for r in session.scalars(
            select(Transfer).where(Transfer.operation_id == op_id))}
        changesets = session.scalars(select(ChangesetRecord).where(
            ChangesetRecord.operation_id == op_id).order_by(ChangesetRecord.seq)).all()
        assert ctx.identity is not None
        key = ctx.identity.sign_key.public_key()
        ops: list[list[Any]] = []
        seen: set[str] = set()
        for record in changesets:
            signed = cs.SignedChangeset(record.id, record.body, record.signature)
            cs.verify_signature(signed, key)
            change = signed.changeset()
            assert change.body() == record.body  # what cs.sign would have signed
            assert cs.changeset_id(record.body) == record.id
            part = []
            for op in change.ops:
                if op.kind != "transfer":  # the operation's own record
                    continue
                seen.add(op.id)
                held, updated = stamps[op.id]
                assert set(held) == set(op.values) and updated == change.stamp
                assert set(held.values()) == {change.stamp}
                part.append(sorted((k, v) for k, v in op.values.items()
                                   if k != "operation_id"))
            if part:
                ops.append(part)
        assert seen == ids
    return [tuple(r) for r in rows], ops


def test_the_checker_process_stores_what_checking_here_stores(
        ctx: AppContext, tmp_path: Path, spy: _Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text(_rows(2600), encoding="utf-8")
    create_operation(ctx, "THERE")
    create_operation(ctx, "HERE")
    calls: list[tuple[int, int]] = []
    there = import_transfers(ctx, "THERE", path, progress=lambda d, t: calls.append((d, t)))
    assert len(spy.made) == 1 and spy.made[0].process.returncode is not None
    _in_process(monkeypatch)
    here = import_transfers(ctx, "HERE", path)
    assert len(spy.made) == 1
    assert there.imported and here.imported
    assert (there.rows_read, there.rows_imported, there.duplicates) == \
        (here.rows_read, here.rows_imported, here.duplicates) == (2600, 2600, 0)
    assert there.change.count("created", "transfer") == 2600
    assert calls[0] == (0, path.stat().st_size) and calls[-1][0] == calls[-1][1]
    assert [d for d, _t in calls] == sorted(d for d, _t in calls) and len(calls) > 3
    rows_there, ops_there = _stored(ctx, "THERE")
    rows_here, ops_here = _stored(ctx, "HERE")
    assert rows_there == rows_here and len(rows_there) == 2600
    assert len(ops_there) == len(ops_here) >= 2  # CHUNK ops a changeset
    assert ops_there == ops_here
    assert ("q\"13\\x", "tron") in {(r[0], r[1]) for r in rows_there}


def test_importing_again_through_the_process_skips_everything(
        ctx: AppContext, tmp_path: Path, spy: _Spy) -> None:
    path = tmp_path / "t.csv"
    path.write_text(_rows(1200), encoding="utf-8")
    create_operation(ctx, "AGAIN")
    first = import_transfers(ctx, "AGAIN", path)
    again = import_transfers(ctx, "AGAIN", path)
    assert (first.rows_imported, first.duplicates) == (1200, 0)
    assert (again.rows_imported, again.duplicates) == (0, 1200)
    assert again.summary() == ("0 transfers imported into AGAIN (1200 already in the "
                               "operation or repeated, skipped).")
    assert len(spy.made) == 2


def _counts(ctx: AppContext) -> dict[str, int]:
    with ctx.session() as session:
        return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Transfer, ChangesetRecord)}


def test_cancel_stops_the_process_and_writes_nothing(ctx: AppContext, tmp_path: Path,
                                                    spy: _Spy) -> None:
    path = tmp_path / "t.csv"
    path.write_text(_rows(6000), encoding="utf-8")
    create_operation(ctx, "STOP")
    before = _counts(ctx)
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) >= 10  # after 5,000 rows: a batch of 4,000 already written

    report = import_transfers(ctx, "STOP", path, cancel=cancel)
    assert report.cancelled and not report.imported and report.rows_imported == 0
    assert report.summary() == "The import was cancelled; nothing was imported."
    assert report.rows_read == 5000
    assert _counts(ctx) == before
    assert len(spy.made) == 1 and spy.made[0].process.returncode is not None


BAD_TAIL = (f"x1,dogecoin,{TRON[0]},{TRON[1]},DOGE,1,2026-03-01T10:00:00Z\n"
            f"x2,tron,{TRON[0]},{TRON[1]},USDT,\"1,250.00\",2026-03-01T10:00:00Z\n"
            f"x3,tron,{TRON[0]},{TRON[1][:-1]}1,USDT,12,2026-03-01 10:00\n")


@pytest.mark.parametrize("where", ["first", "late"])
def test_refused_rows_are_reported_with_the_same_lines(
        ctx: AppContext, tmp_path: Path, spy: _Spy, monkeypatch: pytest.MonkeyPatch,
        where: str) -> None:
    good = _rows(1500)
    text = (HEADER + BAD_TAIL + good[len(HEADER):] if where == "first"
            else good + BAD_TAIL + good[len(HEADER):])
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    create_operation(ctx, "BAD")
    before = _counts(ctx)
    there = import_transfers(ctx, "BAD", path)
    _in_process(monkeypatch)
    here = import_transfers(ctx, "BAD", path)
    assert len(spy.made) == 1
    assert not there.imported and there.rows_refused == 3
    assert [(e.line, e.reason) for e in there.errors] == \
        [(e.line, e.reason) for e in here.errors]
    assert (there.rows_read, there.rows_refused, there.rows_imported, there.duplicates) == \
        (here.rows_read, here.rows_refused, 0, 0)
    first = 2 if where == "first" else 1502
    assert [e.line for e in there.errors] == [first, first + 1, first + 2]
    assert "unknown chain 'dogecoin'" in there.errors[0].reason
    assert "has no time zone" in there.errors[2].reason
    assert "bad checksum" in there.errors[2].reason
    assert there.summary() == here.summary()
    assert _counts(ctx) == before


def test_a_json_file_broken_late_is_refused_as_here(
        ctx: AppContext, tmp_path: Path, spy: _Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{"hash": f"j{i}", "network": "tron", "sender": TRON[i % 40],
                "recipient": TRON[(i + 1) % 40], "token": "USDT", "value": f"{i}.5",
                "timestamp": "2026-03-01T10:00:00Z"} for i in range(1500)]
    text = "[\n" + ",\n".join(json.dumps(r) for r in records) + ",\n{\"hash\": \n"
    path = tmp_path / "t.json"
    path.write_text(text, encoding="utf-8")
    create_operation(ctx, "JSON")
    before = _counts(ctx)
    with pytest.raises(CsvFileError) as there:
        import_transfers(ctx, "JSON", path)
    _in_process(monkeypatch)
    with pytest.raises(CsvFileError) as here:
        import_transfers(ctx, "JSON", path)
    assert str(there.value) == str(here.value)
    assert "is not valid JSON at line 1502" in str(there.value)
    assert _counts(ctx) == before
    assert len(spy.made) == 1 and spy.made[0].process.returncode is not None


def test_a_wrapped_json_list_through_the_process(ctx: AppContext, tmp_path: Path,
                                                 spy: _Spy) -> None:
    records = [{"txid": f"w{i}", "from": ETH[i % 10].lower(), "to": ETH[(i + 1) % 10],
                "value": 1.25 + i, "time": 1772355600 + i} for i in range(1100)]
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"result": records}), encoding="utf-8")
    create_operation(ctx, "WRAP")
    report = import_transfers(ctx, "WRAP", path, chain="eth")
    assert report.imported and report.rows_imported == 1100 and report.unit == "record"
    rows, _ops = _stored(ctx, "WRAP")
    assert {r[4] for r in rows} == {"ETH"} and {r[2] for r in rows} == {a.lower() for a in ETH}
    assert len(spy.made) == 1


def test_a_checker_that_cannot_start_leaves_the_checking_here(
        ctx: AppContext, tmp_path: Path, spy: _Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text(_rows(1200), encoding="utf-8")
    create_operation(ctx, "FALLS")
    # A setup the checker cannot take: it fails before its first batch.
    monkeypatch.setattr(transfer_checking, "astuple", lambda setup: ("too", "short"))
    report = import_transfers(ctx, "FALLS", path)
    assert report.imported and report.rows_imported == 1200
    assert spy.made[0].process.returncode not in (None, 0)


class _Stops:
    """A checker process that sends five batches (a batch of 4,000 rows is written),
    then stops as a failing one does."""

    def __init__(self, setup: transfer_checking.CheckSetup) -> None:
        self.setup = setup
        self.closed = False

    def batches(self) -> Any:
        from app.core.transfer_rows import TransferChecker, open_records

        reader = open_records(Path(self.setup.path))
        checker = TransferChecker(self.setup.mapping)
        made = transfer_checking.checked_batches(self.setup, reader, checker)
        for _ in range(5):
            yield next(made)
        raise RuntimeError("The transfer checker process stopped early: Killed")

    def close(self) -> None:
        self.closed = True


def test_a_checker_that_stops_midway_fails_the_import_and_writes_nothing(
        ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text(_rows(6000), encoding="utf-8")
    create_operation(ctx, "DIES")
    made: list[_Stops] = []
    monkeypatch.setattr(transfers_import, "PROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(transfers_import, "CheckerProcess",
                        lambda setup: made.append(_Stops(setup)) or made[-1])
    before = _counts(ctx)
    with pytest.raises(RuntimeError, match="stopped early"):
        import_transfers(ctx, "DIES", path)
    assert _counts(ctx) == before
    assert made[0].closed


@pytest.mark.parametrize("text", ["plain", 'a "quoted" \\ one', "é€𝄞 beyond the BMP",
                                  "tab\tand\ncontrol\x01\x1f", "\u2028\u2029"])
def test_the_op_template_writes_canonical_json(text: str) -> None:
    setup = transfer_checking.CheckSetup("f.csv", {}, None, "agency \"x\"", "op", "AMBER",
                                         encode=True)
    encoder = transfer_checking.OpEncoder(setup)
    row = TransferRow(3, text, "tron", text + "1", text + "2", text.upper(), Decimal(1),
                      datetime(2026, 1, 1, tzinfo=UTC))
    made = encoder.check("id-1", row, "1.5", row.time.isoformat())
    assert encoder.exact
    assert encoder("id-1", row, "1.5", row.time.isoformat()) == made
    assert made == transfer_checking.encode_op("id-1", transfer_checking.op_values(
        setup, row, "1.5", row.time.isoformat()))
    assert json.loads(made)["set"]["tx_hash"] == text


def test_the_recorder_refuses_an_op_that_is_not_its_row(ctx: AppContext) -> None:
    from app.sync.recorder import RECORDER

    create_operation(ctx, "OPS")
    row = {"id": "0190a000-0000-7000-8000-000000000001", "owner_agency_id": ctx.agency_id,
           "operation_id": "op", "tx_hash": "h", "chain": "tron", "from_address": TRON[0],
           "to_address": TRON[1], "asset": "USDT", "amount": "1",
           "time": datetime(2026, 1, 1, tzinfo=UTC), "tlp": "AMBER"}
    setup = transfer_checking.CheckSetup("f.csv", {}, None, ctx.agency_id, "op", "AMBER",
                                         encode=True)
    checked = TransferRow(2, "h", "tron", TRON[0], TRON[1], "USDT", Decimal(1), row["time"])
    right = transfer_checking.encode_op(row["id"], transfer_checking.op_values(
        setup, checked, "1", row["time"].isoformat()))
    with pytest.raises(ValueError, match="differs from its row"), \
            ctx.session() as session:
        session.info[RECORDER].bulk_rows(Transfer, [dict(row)],
                                         [right.replace(b'"1"', b'"2"')])
    with pytest.raises(LookupError), ctx.session() as session:
        session.info[RECORDER].bulk_rows(Transfer, [dict(row)], [right])  # taken
        raise LookupError  # leave without writing


def test_changeset_rows_name_their_kinds_as_their_bodies_do(ctx: AppContext, tmp_path: Path,
                                                           spy: _Spy) -> None:
    from app.models.sync_records import kinds_of

    path = tmp_path / "t.csv"
    path.write_text(_rows(2100), encoding="utf-8")
    create_operation(ctx, "KINDS")
    assert import_transfers(ctx, "KINDS", path).imported
    with ctx.session() as session:
        rows = session.scalars(select(ChangesetRecord)).all()
    assert {row.kinds for row in rows} >= {"transfer", "operation"}
    assert all(row.kinds == kinds_of(row.body) for row in rows)


def test_the_log_is_copied_after_the_import(ctx: AppContext, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(ctx.store, "checkpoint_soon", lambda: asked.append("soon"))
    path = tmp_path / "t.csv"
    path.write_text(_rows(300), encoding="utf-8")
    create_operation(ctx, "LOG")
    assert import_transfers(ctx, "LOG", path).imported
    assert asked == ["soon"]
    assert not import_transfers(ctx, "LOG", path, cancel=lambda: True).imported
    assert asked == ["soon"]  # nothing written: nothing to copy
    with ctx.session() as session:  # SQLite checkpoints after commits again
        assert session.connection().exec_driver_sql(
            "PRAGMA wal_autocheckpoint").scalar_one() > 0
