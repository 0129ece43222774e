"""The encrypted store: a SQLCipher database, its key file and its lock, in one folder.

Opening never writes to the database or key file until the key has been unwrapped and
the database has accepted it, so a store that will not unlock is left byte for byte as
it was. Nothing here creates a store over an existing one.
"""

from __future__ import annotations

import os
import sqlite3
import tarfile
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import sqlcipher3
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from app.core.errors import KnownError, UnlockError
from app.models import keyfile, os_keyring
from app.models.atomic import write_atomic
from app.models.migrations.runner import upgrade_to_head
from app.models.records import Setting
from app.models.store_lock import StoreLock

DB_NAME = "jointops.db"
KEY_NAME = "jointops.key"
LOCK_NAME = "jointops.lock"
# Negative: KiB. SQLCipher decrypts every page it reads; a larger cache keeps indexed
# reads level with plain SQLite (see bench/RESULTS.md).
CACHE_KIB = 65536


def default_folder() -> Path:
    return Path(platformdirs.user_data_dir("JointOps", "JointOps")) / "store"


@dataclass(frozen=True)
class StorePaths:
    folder: Path

    @property
    def db(self) -> Path:
        return self.folder / DB_NAME

    @property
    def key(self) -> Path:
        return self.folder / KEY_NAME

    @property
    def lock(self) -> Path:
        return self.folder / LOCK_NAME

    def exists(self) -> bool:
        return self.db.exists() or self.key.exists()


def _pragma_key(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def make_engine(db_path: Path, key: bytes | None, cache_kib: int = CACHE_KIB) -> Engine:
    """An engine on ``db_path``; with ``key`` None it is plain SQLite (benchmarks only)."""
    module: Any = sqlcipher3 if key is not None else sqlite3
    # hide_parameters: a database error's text must not carry record values into a log.
    engine = create_engine(f"sqlite:///{db_path}", module=module, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Python's sqlite3 opens transactions itself; leave that to SQLAlchemy.
        dbapi_conn.isolation_level = None
        if key is not None:
            dbapi_conn.execute(_pragma_key(key))
        dbapi_conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        dbapi_conn.execute("PRAGMA busy_timeout = 5000")
        dbapi_conn.execute("PRAGMA journal_mode = WAL")
        dbapi_conn.execute("PRAGMA synchronous = NORMAL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: ConnectionPoolEntry | None) -> None:
        # Back in the pool after a bulk write's commit (see deferred_checkpoint): SQLite
        # checkpoints after its commits again.
        held = record.info.pop(_AUTOCHECKPOINT, None) if record is not None else None
        if held is not None:
            dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {int(held)}")

    return engine


_AUTOCHECKPOINT = "jointops.wal_autocheckpoint"  # a pooled connection's setting to restore


class Checkpointer:
    """Copies the write-ahead log into the database on a thread of its own.

    After a bulk write (a bundle of 100,000 changesets writes about 250 MB of pages), the
    commit would otherwise copy them all again into the database file before returning
    (``defer_checkpoint`` keeps it from doing so),
    a second or more that no one needs to wait for: the data are committed once they are
    in the log. SQLite runs the checkpoint in C with the GIL released, so the window
    stays responsive. ``wait`` before closing the store (``Store.close`` does)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread: threading.Thread | None = None

    def soon(self) -> None:
        self.wait()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint")
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except SQLAlchemyError:
            # Left to SQLite: the next commit past its threshold checkpoints the log.
            pass

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def defer_checkpoint(session: Session) -> None:
    """The commit of ``session``'s transaction (a bulk write) leaves the log as it is;
    the caller then asks ``Store.checkpoint_soon``. The connection checkpoints after its
    commits again once it is back in the pool."""
    connection = session.connection()
    held = int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    connection.connection.info[_AUTOCHECKPOINT] = held


def _check_key(db_path: Path, key: bytes) -> bool:
    """True when the database accepts ``key``; reads only, never writes."""
    conn = sqlcipher3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.execute(_pragma_key(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


class Store:
    """An open, unlocked store. Use ``Store.create`` or ``Store.open``; ``close`` locks it."""

    def __init__(self, paths: StorePaths, kf: keyfile.KeyFile, master: bytes, db_key: bytes,
                 lock: StoreLock) -> None:
        self.paths = paths
        self._keyfile = kf
        self._master = master
        self._db_key = db_key
        self._lock = lock
        self.engine = make_engine(paths.db, db_key)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.checkpointer = Checkpointer(self.engine)

    # ---- creation and opening ---------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, passphrase: str, remember: bool = False) -> tuple[Store, str]:
        """Make a new store; returns it and the recovery key, to be shown once."""
        paths = StorePaths(folder)
        if paths.exists():
            raise KnownError(f"A store already exists in {folder}; JointOps never creates "
                             "a new store over an existing one.")
        check_passphrase(passphrase)
        folder.mkdir(parents=True, exist_ok=True)
        lock = StoreLock(paths.lock)
        lock.acquire()
        try:
            store_id = str(uuid.uuid4())
            master, db_key = os.urandom(32), os.urandom(32)
            recovery = keyfile.new_recovery_key()
            pp = keyfile.new_passphrase_params()
            rp = keyfile.new_recovery_params()
            slots = [
                keyfile.wrap(store_id, "passphrase", keyfile.passphrase_kek(passphrase, pp),
                             master, pp),
                keyfile.wrap(store_id, "recovery", keyfile.recovery_kek(recovery, rp),
                             master, rp),
            ]
            kf = keyfile.KeyFile(store_id, slots, keyfile.wrap(store_id, "db-key", master,
                                                               db_key, {}))
            kf.save(paths.key)
            store = cls(paths, kf, master, db_key, lock)
            upgrade_to_head(store.engine)
            with store.session() as session:
                session.add(Setting(key="store_id", value=store_id))
            if remember:
                store.remember_on_device()
        except BaseException:
            lock.release()
            for path in (paths.db, paths.key, paths.db.with_name(DB_NAME + "-wal"),
                         paths.db.with_name(DB_NAME + "-shm")):
                path.unlink(missing_ok=True)
            raise
        return store, recovery

    @classmethod
    def open(cls, folder: Path, passphrase: str | None = None, recovery_key: str | None = None,
             use_keyring: bool = False) -> Store:
        paths = StorePaths(folder)
        if not paths.db.exists():
            if paths.key.exists():
                raise UnlockError(f"The database file {paths.db} is missing; restore it "
                                  "from a backup.")
            raise UnlockError(f"There is no JointOps store in {folder}.")
        lock = StoreLock(paths.lock)
        lock.acquire()
        try:
            kf = keyfile.KeyFile.load(paths.key)
            master = _unlock_master(kf, passphrase, recovery_key, use_keyring)
            db_key = _database_key(paths, kf, master)
            store = cls(paths, kf, master, db_key, lock)
            store._finish_interrupted_rekey()
            upgrade_to_head(store.engine)
        except BaseException:
            lock.release()
            raise
        return store

    # ---- use -----------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @property
    def store_id(self) -> str:
        return self._keyfile.store_id

    def slot_kinds(self) -> list[str]:
        return self._keyfile.kinds()

    def checkpoint_soon(self) -> None:
        """Copy the log into the database on a thread (after a bulk write)."""
        self.checkpointer.soon()

    def close(self) -> None:
        self.checkpointer.wait()
        self.engine.dispose()
        self._master = b""
        self._db_key = b""
        self._lock.release()

    # ---- slots -----------------------------------------------------------------------

    def change_passphrase(self, new_passphrase: str) -> None:
        """Rewrap the master key under a new passphrase; the database is not touched."""
        check_passphrase(new_passphrase)
        params = keyfile.new_passphrase_params()
        slot = keyfile.wrap(self.store_id, "passphrase",
                            keyfile.passphrase_kek(new_passphrase, params), self._master, params)
        self._replace_slot(slot)

    def remember_on_device(self) -> bool:
        """Add a keyring slot; False when this machine has no usable keyring."""
        if not os_keyring.available():
            return False
        kek = os.urandom(32)
        if not os_keyring.store_kek(self.store_id, kek):
            return False
        self._replace_slot(keyfile.wrap(self.store_id, "keyring", kek, self._master,
                                        {"service": os_keyring.SERVICE}))
        return True

    def forget_on_device(self) -> None:
        os_keyring.forget(self.store_id)
        self._keyfile.slots = [s for s in self._keyfile.slots if s.kind != "keyring"]
        self._keyfile.save(self.paths.key)

    def _replace_slot(self, slot: keyfile.Slot) -> None:
        others = [s for s in self._keyfile.slots if s.kind != slot.kind]
        self._keyfile.slots = [*others, slot]
        self._keyfile.save(self.paths.key)

    # ---- database key rotation -----------------------------------------------------

    def rekey(self) -> None:
        """Re-encrypt the database under a new random key (PRAGMA rekey).

        The new key is written to the key file as pending first; if the process dies
        before the rekey commits, the next open finds which key the database takes.
        """
        new_key = os.urandom(32)
        self._keyfile.pending_db_key = keyfile.wrap(self.store_id, "db-key", self._master,
                                                    new_key, {})
        self._keyfile.save(self.paths.key)
        self.checkpointer.wait()
        self.engine.dispose()
        conn = sqlcipher3.connect(str(self.paths.db))
        try:
            conn.execute(_pragma_key(self._db_key))
            conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
        self._db_key = new_key
        self._keyfile.db_key = self._keyfile.pending_db_key
        self._keyfile.pending_db_key = None
        self._keyfile.save(self.paths.key)
        self.engine = make_engine(self.paths.db, new_key)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.checkpointer = Checkpointer(self.engine)

    def _finish_interrupted_rekey(self) -> None:
        if self._keyfile.pending_db_key is None:
            return
        pending = keyfile.unwrap(self.store_id, self._keyfile.pending_db_key, self._master)
        if pending == self._db_key:
            self._keyfile.db_key = self._keyfile.pending_db_key
        self._keyfile.pending_db_key = None
        self._keyfile.save(self.paths.key)

    # ---- backup and restore --------------------------------------------------------

    def backup(self, target: Path, progress: Callable[[int, int], None] | None = None) -> None:
        """SQLite's online backup into an encrypted copy, packed with the key file."""
        self.checkpointer.wait()
        with tempfile.TemporaryDirectory(dir=self.paths.folder) as tmp:
            copy = Path(tmp) / DB_NAME
            dst = sqlcipher3.connect(str(copy))
            src = sqlcipher3.connect(str(self.paths.db))
            try:
                dst.execute(_pragma_key(self._db_key))
                src.execute(_pragma_key(self._db_key))
                src.backup(dst, pages=256, progress=(lambda _s, r, t: progress(t - r, t))
                           if progress else None)
            finally:
                src.close()
                dst.close()
            (Path(tmp) / KEY_NAME).write_bytes(self._keyfile.to_bytes())
            packed = Path(tmp) / "backup.tar"
            with tarfile.open(packed, "w") as tar:
                tar.add(copy, arcname=DB_NAME)
                tar.add(Path(tmp) / KEY_NAME, arcname=KEY_NAME)
            try:
                write_atomic(target, packed.read_bytes())
            except OSError as error:
                raise KnownError(f"The backup could not be written to {target}: "
                                 f"{error.strerror or error}.") from None


def restore(folder: Path, backup: Path, passphrase: str | None = None,
            recovery_key: str | None = None) -> Path | None:
    """Replace the store in ``folder`` with a backup that unlocks with the given secret.

    The current files, if any, are kept beside it (renamed with the time), never deleted.
    Returns where they were put.
    """
    paths = StorePaths(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = StoreLock(paths.lock)
    lock.acquire()
    try:
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            staged = StorePaths(Path(tmp))
            _unpack_backup(backup, staged.folder)
            kf = keyfile.KeyFile.load(staged.key)
            master = _unlock_master(kf, passphrase, recovery_key, use_keyring=False)
            _database_key(staged, kf, master)
            kept: Path | None = None
            if paths.exists():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                kept = folder / f"before-restore-{stamp}"
                n = 1
                while kept.exists():  # never mix two replaced stores in one folder
                    n += 1
                    kept = folder / f"before-restore-{stamp}-{n}"
                kept.mkdir()
                for name in (DB_NAME, KEY_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
                    if (folder / name).exists():
                        os.replace(folder / name, kept / name)
            # The key file keeps the 0600 mode it always has, whatever the archive said.
            os.chmod(staged.key, 0o600)
            os.replace(staged.db, paths.db)
            os.replace(staged.key, paths.key)
            return kept
    finally:
        lock.release()


def _unpack_backup(backup: Path, into: Path) -> None:
    try:
        with tarfile.open(backup, "r") as tar:
            names = sorted(tar.getnames())
            if names != sorted([DB_NAME, KEY_NAME]):
                raise KnownError(f"{backup} is not a JointOps backup.")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError):
        raise KnownError(f"{backup} is not a JointOps backup, or it is damaged.") from None


def _unlock_master(kf: keyfile.KeyFile, passphrase: str | None, recovery_key: str | None,
                   use_keyring: bool) -> bytes:
    tried: list[str] = []
    if use_keyring:
        slot = kf.slot("keyring")
        kek = os_keyring.load_kek(kf.store_id) if slot else None
        master = keyfile.unwrap(kf.store_id, slot, kek) if slot and kek else None
        if master is not None:
            return master
        tried.append("the keyring on this device")
    if recovery_key is not None:
        slot = kf.slot("recovery")
        if slot is not None:
            master = keyfile.unwrap(kf.store_id, slot,
                                    keyfile.recovery_kek(recovery_key, slot.params))
            if master is not None:
                return master
        raise UnlockError("The recovery key is not the one of this store.")
    if passphrase is not None:
        slot = kf.slot("passphrase")
        if slot is None:
            raise UnlockError("This store has no passphrase slot; unlock it with the "
                              "recovery key.")
        master = keyfile.unwrap(kf.store_id, slot, keyfile.passphrase_kek(passphrase,
                                                                           slot.params))
        if master is None:
            raise UnlockError("Wrong passphrase: the store was not unlocked.")
        return master
    if tried:
        raise UnlockError("This device's keyring could not unlock the store; use the "
                          "passphrase.")
    raise UnlockError("No passphrase was given.")


def _database_key(paths: StorePaths, kf: keyfile.KeyFile, master: bytes) -> bytes:
    candidates = [kf.db_key] + ([kf.pending_db_key] if kf.pending_db_key else [])
    for slot in candidates:
        key = keyfile.unwrap(kf.store_id, slot, master)
        if key is not None and _check_key(paths.db, key):
            return key
    raise UnlockError(f"The database {paths.db} does not open with its key file: one of "
                      "the two is damaged or they belong to different stores.")


MIN_PASSPHRASE = 10


def check_passphrase(passphrase: str) -> None:
    from app.core.errors import ValidationError

    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(f"The passphrase must have at least {MIN_PASSPHRASE} "
                              "characters.")


def read_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return None if row is None else row.value


def write_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


@contextmanager
def bulk_cache(session: Session, kib: int) -> Iterator[None]:
    """A larger page cache for one bulk write in ``session``'s transaction (a million
    transfers), put back as it was after it. SQLCipher decrypts every page it
    reads into the cache: once an index with random keys outgrows the cache, nearly every
    INSERT reads, decrypts and later re-encrypts a page of it. Durability is unchanged
    (only the memory used for pages changes)."""
    connection = session.connection()
    held = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {held}")


__all__ = ["Checkpointer", "Store", "StorePaths", "bulk_cache", "default_folder",
           "defer_checkpoint", "make_engine", "restore", "select"]
