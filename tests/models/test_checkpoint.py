"""A bulk write's commit leaves the write-ahead log to a thread that copies it into the
database after; every other commit checkpoints as SQLite does by itself."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from app.models.store import Store, defer_checkpoint

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
ROWS = 3000  # about 3 MB of pages: past SQLite's checkpoint threshold of 1,000


def _write(store: Store, defer: bool) -> None:
    with store.session() as session:
        if defer:
            defer_checkpoint(session)
        session.execute(text("CREATE TABLE IF NOT EXISTS filler (n INTEGER, blob BLOB)"))
        session.execute(text("INSERT INTO filler VALUES (:n, :blob)"),
                        [{"n": n, "blob": os.urandom(1000)} for n in range(ROWS)])


def _setting(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_a_deferred_commit_leaves_the_log_to_the_checkpointer(store_dir: Path) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE)
    try:
        db = store.paths.db
        before = db.stat().st_size
        _write(store, defer=True)
        assert db.stat().st_size == before  # committed, in the log only
        with store.engine.connect() as conn:  # and readable
            assert conn.exec_driver_sql("SELECT count(*) FROM filler").scalar() == ROWS
        assert store.engine.pool.checkedin() == 1  # type: ignore[attr-defined]
        assert _setting(store) == 1000  # the same pooled connection checkpoints again
        store.checkpoint_soon()
        store.checkpointer.wait()
        grown = db.stat().st_size
        assert grown > before + ROWS * 1000

        _write(store, defer=False)  # an ordinary commit checkpoints as it always did
        assert db.stat().st_size > grown + ROWS * 1000
    finally:
        store.close()


def test_closing_waits_for_the_checkpoint(store_dir: Path) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE)
    before = store.paths.db.stat().st_size
    _write(store, defer=True)
    store.checkpoint_soon()
    store.close()
    assert store.checkpointer._thread is None
    assert store.paths.db.stat().st_size > before + ROWS * 1000
    reopened = Store.open(store_dir, passphrase=PASSPHRASE)
    try:
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM filler").scalar() == ROWS
    finally:
        reopened.close()
