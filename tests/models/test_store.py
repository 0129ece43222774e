"""The encrypted store: create, open, unlock slots, rekey, backup and restore.

Every refusal is checked for its message and for leaving the files byte for byte as
they were.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from app.core.errors import KnownError, StoreBusyError, UnlockError, ValidationError
from app.models import keyfile
from app.models.store import (
    DB_NAME,
    KEY_NAME,
    Store,
    StorePaths,
    read_setting,
    restore,
    write_setting,
)

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
MemoryKeyring = Any  # tests/conftest.py's in-process keyring, by fixture


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of the database and key files (and WAL, when there is one)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())
            if p.is_file() and p.name.startswith(("jointops.db", "jointops.key"))}


def put(store: Store, key: str, value: str) -> None:
    with store.session() as session:
        write_setting(session, key, value)


def get(store: Store, key: str) -> str | None:
    with store.session() as session:
        return read_setting(session, key)


@pytest.fixture
def made(store_dir: Path) -> Iterator[tuple[Path, str]]:
    """A closed store holding the setting motto=kept; yields its folder and recovery key."""
    store, recovery = Store.create(store_dir, PASSPHRASE)
    put(store, "motto", "kept")
    store.close()
    yield store_dir, recovery


def db_opens_with(db: Path, key: bytes) -> bool:
    conn = sqlcipher3.connect(str(db))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


# ---- create and open ----------------------------------------------------------------


def test_create_gives_a_recovery_key_and_three_files(store_dir: Path) -> None:
    store, recovery = Store.create(store_dir, PASSPHRASE)
    try:
        assert store.slot_kinds() == ["passphrase", "recovery"]
        assert len(keyfile.normalise_recovery_key(recovery)) == 25
        assert {DB_NAME, KEY_NAME, "jointops.lock"} <= {p.name for p in store_dir.iterdir()}
        assert (store_dir / KEY_NAME).stat().st_mode & 0o777 == 0o600
    finally:
        store.close()


def test_open_with_the_passphrase_finds_the_data(made: tuple[Path, str]) -> None:
    folder, _ = made
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        assert get(store, "motto") == "kept"
    finally:
        store.close()


def test_wrong_passphrase_is_refused_and_changes_nothing(made: tuple[Path, str]) -> None:
    folder, _ = made
    before = fingerprint(folder)
    with pytest.raises(UnlockError, match="Wrong passphrase"):
        Store.open(folder, passphrase="not the passphrase")
    assert fingerprint(folder) == before
    Store.open(folder, passphrase=PASSPHRASE).close()  # the lock was released


def test_no_secret_at_all_is_refused(made: tuple[Path, str]) -> None:
    with pytest.raises(UnlockError, match="No passphrase"):
        Store.open(made[0])


def test_recovery_key_opens_in_any_case_and_grouping(made: tuple[Path, str]) -> None:
    folder, recovery = made
    loose = recovery.replace("-", " ").lower()
    store = Store.open(folder, recovery_key=loose)
    try:
        assert get(store, "motto") == "kept"
    finally:
        store.close()


def test_wrong_recovery_key_is_refused(made: tuple[Path, str]) -> None:
    folder, _ = made
    before = fingerprint(folder)
    with pytest.raises(UnlockError, match="recovery key"):
        Store.open(folder, recovery_key=keyfile.new_recovery_key())
    assert fingerprint(folder) == before


def test_never_creates_over_an_existing_store(made: tuple[Path, str]) -> None:
    folder, _ = made
    before = fingerprint(folder)
    with pytest.raises(KnownError, match="already exists"):
        Store.create(folder, PASSPHRASE)
    assert fingerprint(folder) == before


def test_a_key_file_alone_counts_as_a_store(store_dir: Path) -> None:
    store_dir.mkdir()
    (store_dir / KEY_NAME).write_bytes(b"{}")
    with pytest.raises(KnownError, match="already exists"):
        Store.create(store_dir, PASSPHRASE)
    assert (store_dir / KEY_NAME).read_bytes() == b"{}"


def test_short_passphrase_is_refused_before_anything_is_written(store_dir: Path) -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        Store.create(store_dir, "short")
    assert not store_dir.exists()


def test_missing_folder_or_database(tmp_path: Path, made: tuple[Path, str]) -> None:
    with pytest.raises(UnlockError, match="no JointOps store"):
        Store.open(tmp_path / "nowhere", passphrase=PASSPHRASE)
    folder, _ = made
    (folder / DB_NAME).unlink()
    key_before = (folder / KEY_NAME).read_bytes()
    with pytest.raises(UnlockError, match=r"database file .* is missing"):
        Store.open(folder, passphrase=PASSPHRASE)
    assert (folder / KEY_NAME).read_bytes() == key_before


def test_missing_key_file_is_named(made: tuple[Path, str]) -> None:
    folder, _ = made
    (folder / KEY_NAME).unlink()
    before = fingerprint(folder)
    with pytest.raises(UnlockError, match=r"key file .* is missing"):
        Store.open(folder, passphrase=PASSPHRASE)
    assert fingerprint(folder) == before


@pytest.mark.parametrize("damage", [b"", b"\x00\xff garbage", b"[]", b'"text"', b"{}",
                                    b'{"format": "jointops-keyfile-v1"}'])
def test_damaged_key_file_is_named(made: tuple[Path, str], damage: bytes) -> None:
    folder, _ = made
    (folder / KEY_NAME).write_bytes(damage)
    before = fingerprint(folder)
    with pytest.raises(UnlockError, match=r"key file .* is damaged"):
        Store.open(folder, passphrase=PASSPHRASE)
    assert fingerprint(folder) == before


def test_key_file_of_another_store_is_refused(tmp_path: Path, made: tuple[Path, str]) -> None:
    folder, _ = made
    other, _ = Store.create(tmp_path / "other", PASSPHRASE)
    other.close()
    (folder / KEY_NAME).write_bytes((tmp_path / "other" / KEY_NAME).read_bytes())
    before = fingerprint(folder)
    with pytest.raises(UnlockError, match="does not open with its key file"):
        Store.open(folder, passphrase=PASSPHRASE)
    assert fingerprint(folder) == before


def test_damaged_database_is_refused_and_left_alone(made: tuple[Path, str]) -> None:
    folder, _ = made
    db = folder / DB_NAME
    data = bytearray(db.read_bytes())
    data[:4096] = os.urandom(4096)  # the first page holds the salt and the schema
    db.write_bytes(bytes(data))
    before = fingerprint(folder)
    with pytest.raises(UnlockError, match="does not open with its key file"):
        Store.open(folder, passphrase=PASSPHRASE)
    assert fingerprint(folder) == before


def test_second_open_of_the_same_store_is_refused(made: tuple[Path, str]) -> None:
    folder, _ = made
    first = Store.open(folder, passphrase=PASSPHRASE)
    try:
        with pytest.raises(StoreBusyError, match="already open"):
            Store.open(folder, passphrase=PASSPHRASE)
        put(first, "still", "works")
    finally:
        first.close()
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        assert get(store, "still") == "works"
    finally:
        store.close()


def test_without_the_key_sqlite_reads_nothing(made: tuple[Path, str]) -> None:
    conn = sqlite3.connect(made[0] / DB_NAME)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            conn.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        conn.close()


# ---- slots ------------------------------------------------------------------------


def test_change_passphrase_rewraps_only(made: tuple[Path, str]) -> None:
    folder, recovery = made
    db_before = (folder / DB_NAME).read_bytes()
    store = Store.open(folder, passphrase=PASSPHRASE)
    store.change_passphrase("a new and longer passphrase")
    store.close()
    assert (folder / DB_NAME).read_bytes() == db_before
    with pytest.raises(UnlockError, match="Wrong passphrase"):
        Store.open(folder, passphrase=PASSPHRASE)
    for secret in ({"passphrase": "a new and longer passphrase"}, {"recovery_key": recovery}):
        store = Store.open(folder, **secret)
        assert get(store, "motto") == "kept"
        store.close()


def test_change_to_a_short_passphrase_is_refused(made: tuple[Path, str]) -> None:
    folder, _ = made
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        before = fingerprint(folder)
        with pytest.raises(ValidationError):
            store.change_passphrase("short")
        assert fingerprint(folder)[KEY_NAME] == before[KEY_NAME]
    finally:
        store.close()


def test_keyring_slot_opens_without_a_passphrase(store_dir: Path,
                                                 memory_keyring: MemoryKeyring) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE, remember=True)
    assert "keyring" in store.slot_kinds()
    put(store, "motto", "kept")
    store.close()
    store = Store.open(store_dir, use_keyring=True)
    try:
        assert get(store, "motto") == "kept"
    finally:
        store.close()


def test_losing_the_keyring_entry_is_not_fatal(store_dir: Path,
                                               memory_keyring: MemoryKeyring) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE, remember=True)
    store.close()
    memory_keyring.entries.clear()  # the backend changed, the entry is gone
    with pytest.raises(UnlockError, match="keyring could not unlock"):
        Store.open(store_dir, use_keyring=True)
    store = Store.open(store_dir, passphrase=PASSPHRASE, use_keyring=True)
    store.close()


def test_no_keyring_means_no_keyring_slot(store_dir: Path) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE, remember=True)  # fail backend
    try:
        assert store.slot_kinds() == ["passphrase", "recovery"]
        assert store.remember_on_device() is False
    finally:
        store.close()
    Store.open(store_dir, passphrase=PASSPHRASE).close()


def test_forget_on_device_removes_the_slot(store_dir: Path,
                                           memory_keyring: MemoryKeyring) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE, remember=True)
    store.forget_on_device()
    assert "keyring" not in store.slot_kinds()
    assert memory_keyring.entries == {}
    store.close()


# ---- rekey ------------------------------------------------------------------------


def test_rekey_retires_the_old_key_and_keeps_the_data(made: tuple[Path, str]) -> None:
    folder, recovery = made
    store = Store.open(folder, passphrase=PASSPHRASE)
    old_key = store._db_key
    store.rekey()
    new_key = store._db_key
    put(store, "after", "rekey")  # the store goes on working
    store.close()
    assert new_key != old_key
    assert not db_opens_with(folder / DB_NAME, old_key)
    assert db_opens_with(folder / DB_NAME, new_key)
    for secret in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        store = Store.open(folder, **secret)
        assert (get(store, "motto"), get(store, "after")) == ("kept", "rekey")
        store.close()


def _write_pending_key(folder: Path, master: bytes, store_id: str) -> bytes:
    kf = keyfile.KeyFile.load(folder / KEY_NAME)
    new_key = os.urandom(32)
    kf.pending_db_key = keyfile.wrap(store_id, "db-key", master, new_key, {})
    kf.save(folder / KEY_NAME)
    return new_key


def test_rekey_interrupted_before_the_database_changed(made: tuple[Path, str]) -> None:
    folder, _ = made
    store = Store.open(folder, passphrase=PASSPHRASE)
    old_key, master, store_id = store._db_key, store._master, store.store_id
    store.close()
    _write_pending_key(folder, master, store_id)  # the process died here
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        assert store._db_key == old_key
        assert get(store, "motto") == "kept"
    finally:
        store.close()
    assert keyfile.KeyFile.load(folder / KEY_NAME).pending_db_key is None


def test_rekey_interrupted_after_the_database_changed(made: tuple[Path, str]) -> None:
    folder, _ = made
    store = Store.open(folder, passphrase=PASSPHRASE)
    old_key, master, store_id = store._db_key, store._master, store.store_id
    store.close()
    new_key = _write_pending_key(folder, master, store_id)
    conn = sqlcipher3.connect(str(folder / DB_NAME))
    conn.execute(f"PRAGMA key = \"x'{old_key.hex()}'\"")
    conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    conn.close()  # and the process died before the key file said so
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        assert store._db_key == new_key
        assert get(store, "motto") == "kept"
    finally:
        store.close()
    kf = keyfile.KeyFile.load(folder / KEY_NAME)
    assert kf.pending_db_key is None
    assert keyfile.unwrap(store_id, kf.db_key, master) == new_key


# ---- backup and restore -----------------------------------------------------------


def test_backup_and_restore_round_trip(tmp_path: Path, made: tuple[Path, str]) -> None:
    folder, _ = made
    backup = tmp_path / "store.backup"
    store = Store.open(folder, passphrase=PASSPHRASE)
    store.backup(backup)
    put(store, "motto", "changed after the backup")
    store.close()
    replaced = fingerprint(folder)

    kept = restore(folder, backup, passphrase=PASSPHRASE)

    assert kept is not None and fingerprint(kept) == replaced
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        assert get(store, "motto") == "kept"
    finally:
        store.close()
    assert (folder / KEY_NAME).stat().st_mode & 0o777 == 0o600


def test_restore_with_the_recovery_key_into_an_empty_folder(tmp_path: Path,
                                                            made: tuple[Path, str]) -> None:
    folder, recovery = made
    backup = tmp_path / "store.backup"
    store = Store.open(folder, passphrase=PASSPHRASE)
    store.backup(backup)
    store.close()
    elsewhere = tmp_path / "elsewhere"
    assert restore(elsewhere, backup, recovery_key=recovery) is None
    store = Store.open(elsewhere, passphrase=PASSPHRASE)
    try:
        assert get(store, "motto") == "kept"
    finally:
        store.close()


def test_two_restores_in_the_same_second_keep_both_stores(tmp_path: Path,
                                                          made: tuple[Path, str]) -> None:
    folder, _ = made
    backup = tmp_path / "store.backup"
    store = Store.open(folder, passphrase=PASSPHRASE)
    store.backup(backup)
    store.close()
    first = restore(folder, backup, passphrase=PASSPHRASE)
    second = restore(folder, backup, passphrase=PASSPHRASE)
    assert first is not None and second is not None and first != second
    assert fingerprint(first) and fingerprint(second)


def test_restore_of_a_file_that_is_not_a_backup_changes_nothing(
        tmp_path: Path, made: tuple[Path, str]) -> None:
    folder, _ = made
    before = sorted(p.name for p in folder.iterdir()), fingerprint(folder)
    not_backup = tmp_path / "notes.txt"
    not_backup.write_text("target,kind\n")
    other_tar = tmp_path / "other.tar"
    with tarfile.open(other_tar, "w") as tar:
        tar.add(not_backup, arcname="notes.txt")
    for wrong in (not_backup, other_tar, tmp_path / "missing.backup"):
        with pytest.raises(KnownError, match="is not a JointOps backup"):
            restore(folder, wrong, passphrase=PASSPHRASE)
    assert (sorted(p.name for p in folder.iterdir()), fingerprint(folder)) == before


def test_restore_with_the_wrong_passphrase_changes_nothing(tmp_path: Path,
                                                           made: tuple[Path, str]) -> None:
    folder, _ = made
    backup = tmp_path / "store.backup"
    store = Store.open(folder, passphrase=PASSPHRASE)
    store.backup(backup)
    store.close()
    before = sorted(p.name for p in folder.iterdir()), fingerprint(folder)
    with pytest.raises(UnlockError):
        restore(folder, backup, passphrase="not the passphrase")
    assert (sorted(p.name for p in folder.iterdir()), fingerprint(folder)) == before


def test_restore_while_the_store_is_open_is_refused(tmp_path: Path,
                                                    made: tuple[Path, str]) -> None:
    folder, _ = made
    backup = tmp_path / "store.backup"
    store = Store.open(folder, passphrase=PASSPHRASE)
    try:
        store.backup(backup)
        with pytest.raises(StoreBusyError):
            restore(folder, backup, passphrase=PASSPHRASE)
        assert get(store, "motto") == "kept"
    finally:
        store.close()


def test_backup_into_a_missing_folder_is_a_known_error(tmp_path: Path,
                                                       made: tuple[Path, str]) -> None:
    store = Store.open(made[0], passphrase=PASSPHRASE)
    try:
        with pytest.raises(KnownError, match="could not be written"):
            store.backup(tmp_path / "no" / "such" / "folder" / "store.backup")
    finally:
        store.close()


def test_paths_exists_reports_either_file(tmp_path: Path) -> None:
    paths = StorePaths(tmp_path)
    assert not paths.exists()
    paths.db.write_bytes(b"")
    assert paths.exists()
