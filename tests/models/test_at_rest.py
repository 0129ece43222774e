"""Encryption at rest: without the key nothing reads the database, and no record text is
found in any file of the store's folder, WAL included, while open or after close."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services.context import AppContext
from app.services.operations import create_operation
from app.services.targets import action_values, add_record, site_values, target_values

SECRET_NAME = "Quillon Vantablack-Okonkwo"
SECRET_SITE = "Warehouse Zebra Nightjar 7731"
SECRET_CODENAME = "OPERATION MARIGOLD THUNDER"


def leaks(folder: Path) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for text in (SECRET_NAME, SECRET_SITE, SECRET_CODENAME):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if text.encode(encoding) in data:
                    found.append(f"{path.name}: {text} ({encoding})")
    return found


def write_known_records(ctx: AppContext) -> None:
    op_id, _ = create_operation(ctx, SECRET_CODENAME, description=SECRET_NAME)
    target_id, _ = add_record(ctx, "target", op_id, target_values("person", SECRET_NAME))
    site_id, _ = add_record(ctx, "site", op_id, site_values(SECRET_SITE, "KE"))
    add_record(ctx, "action", op_id, action_values("arrest", target_id, site_id, ctx.agency_id))


def test_no_record_text_in_any_file_while_open_and_after_close(ctx: AppContext,
                                                               store_dir: Path) -> None:
    write_known_records(ctx)
    wal = store_dir / "jointops.db-wal"
    assert wal.exists() and wal.stat().st_size > 0  # the records are in the WAL now
    names = {p.name for p in store_dir.iterdir()}
    assert {"jointops.db", "jointops.db-wal", "jointops.db-shm", "jointops.key",
            "jointops.lock"} <= names
    assert leaks(store_dir) == []

    ctx.close()
    assert leaks(store_dir) == []


def test_the_search_finds_plain_text(tmp_path: Path) -> None:
    # The check above would be worthless if it could not find the name at all.
    conn = sqlite3.connect(tmp_path / "plain.db")
    conn.execute("CREATE TABLE t (name TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (SECRET_NAME,))
    conn.commit()
    conn.close()
    assert leaks(tmp_path) == [f"plain.db: {SECRET_NAME} (utf-8)"]


def test_without_the_key_sqlite_reads_nothing(ctx: AppContext, store_dir: Path) -> None:
    write_known_records(ctx)
    ctx.close()
    conn = sqlite3.connect(store_dir / "jointops.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            conn.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        conn.close()


def test_database_errors_carry_no_record_values(ctx: AppContext) -> None:
    # Their text ends up in the bug log, which is not encrypted.
    from sqlalchemy.exc import IntegrityError

    from app.models.records import Setting

    with pytest.raises(IntegrityError) as caught, ctx.store.session() as session:
        session.add(Setting(key=SECRET_NAME, value=SECRET_SITE))
        session.flush()
        session.add(Setting(key=SECRET_NAME, value=SECRET_SITE))
        session.flush()
    assert "UNIQUE constraint failed" in str(caught.value)
    assert SECRET_NAME not in str(caught.value) and SECRET_SITE not in str(caught.value)
