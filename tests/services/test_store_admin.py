"""Store administration through the services: what a store has, the keyring slot,
passphrase and key changes, backup and restore, and the idle lock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core.errors import StoreBusyError, UnlockError, ValidationError
from app.services import store_admin
from app.services.context import AppContext, init_store, open_store
from app.services.operations import create_operation, list_operations

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py


def codenames(ctx: AppContext) -> list[str]:
    return [s.codename for s in list_operations(ctx)]


def test_store_info_without_unlocking(tmp_path: Path, ctx: AppContext,
                                      store_dir: Path) -> None:
    info = store_admin.store_info(store_dir)
    assert info.exists and info.slots == ("passphrase", "recovery")
    assert not info.remembered and not info.keyring_available
    empty = store_admin.store_info(tmp_path / "none")
    assert not empty.exists and empty.slots == ()


def test_check_openable_names_what_no_secret_would_fix(tmp_path: Path, ctx: AppContext,
                                                       store_dir: Path) -> None:
    with pytest.raises(StoreBusyError, match="already open"):
        store_admin.check_openable(store_dir)
    ctx.close()
    assert store_admin.check_openable(store_dir).slots == ("passphrase", "recovery")
    with pytest.raises(UnlockError, match="no JointOps store"):
        store_admin.check_openable(tmp_path / "none")
    (store_dir / "jointops.key").write_text("not json")
    with pytest.raises(UnlockError, match="damaged"):
        store_admin.check_openable(store_dir)
    (store_dir / "jointops.key").unlink()
    with pytest.raises(UnlockError, match="missing"):
        store_admin.check_openable(store_dir)
    (store_dir / "jointops.db").unlink()
    assert not store_admin.store_info(store_dir).exists


def test_remember_and_open_from_the_keyring(store_dir: Path, memory_keyring: Any) -> None:
    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE", remember=True)
    create_operation(ctx, "KEPT")
    ctx.close()
    info = store_admin.store_info(store_dir)
    assert info.keyring_available and info.remembered
    ctx = open_store(store_dir, use_keyring=True)
    try:
        assert codenames(ctx) == ["KEPT"]
    finally:
        ctx.close()


def test_losing_the_keyring_entry_is_not_fatal(store_dir: Path, memory_keyring: Any) -> None:
    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE", remember=True)
    ctx.close()
    memory_keyring.entries.clear()
    with pytest.raises(UnlockError, match="keyring"):
        open_store(store_dir, use_keyring=True)
    ctx = open_store(store_dir, passphrase=PASSPHRASE, use_keyring=True)
    try:
        # Remember again: a fresh keyring slot replaces the lost one.
        assert store_admin.set_remember(ctx, True) is True
    finally:
        ctx.close()
    open_store(store_dir, use_keyring=True).close()


def test_no_usable_keyring(ctx: AppContext, store_dir: Path) -> None:
    assert store_admin.set_remember(ctx, True) is False  # the fail backend, as headless
    assert not store_admin.store_info(store_dir).remembered
    ctx.close()
    open_store(store_dir, passphrase=PASSPHRASE).close()


def test_forget_on_this_device(store_dir: Path, memory_keyring: Any) -> None:
    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE", remember=True)
    try:
        assert store_admin.set_remember(ctx, False) is True
    finally:
        ctx.close()
    assert memory_keyring.entries == {}
    assert not store_admin.store_info(store_dir).remembered
    with pytest.raises(UnlockError):
        open_store(store_dir, use_keyring=True)


def test_change_passphrase_and_rekey(ctx: AppContext, store_dir: Path) -> None:
    create_operation(ctx, "KEPT")
    new = "a different passphrase entirely"
    with pytest.raises(ValidationError):
        store_admin.change_passphrase(ctx, "short")
    store_admin.change_passphrase(ctx, new)
    store_admin.rekey(ctx)
    assert codenames(ctx) == ["KEPT"]
    ctx.close()
    with pytest.raises(UnlockError, match="Wrong passphrase"):
        open_store(store_dir, passphrase=PASSPHRASE)
    ctx = open_store(store_dir, passphrase=new)
    try:
        assert codenames(ctx) == ["KEPT"]
    finally:
        ctx.close()


def test_backup_and_restore(tmp_path: Path, ctx: AppContext, store_dir: Path) -> None:
    create_operation(ctx, "BEFORE")
    backup = tmp_path / "store.backup"
    progress: list[tuple[int, int]] = []
    store_admin.backup(ctx, backup, progress=lambda done, total: progress.append((done, total)))
    assert progress and progress[-1][0] == progress[-1][1]
    create_operation(ctx, "AFTER")
    ctx.close()
    kept = store_admin.restore_backup(store_dir, backup, passphrase=PASSPHRASE)
    assert kept is not None and (kept / "jointops.db").exists()
    ctx = open_store(store_dir, passphrase=PASSPHRASE)
    try:
        assert codenames(ctx) == ["BEFORE"]
    finally:
        ctx.close()


def test_passphrase_strength_hints() -> None:
    assert store_admin.passphrase_strength("short")[0] == 0
    weak = store_admin.passphrase_strength("abcdefghij")
    strong = store_admin.passphrase_strength("Four Random Words, 2 numbers 77")
    assert 0 < weak[0] < strong[0] == 4
    assert "Too short" in store_admin.passphrase_strength("")[1]


def test_idle_lock_minutes(ctx: AppContext) -> None:
    assert store_admin.idle_lock_minutes(ctx) == store_admin.IDLE_LOCK_DEFAULT_MIN
    store_admin.set_idle_lock_minutes(ctx, 0)
    assert store_admin.idle_lock_minutes(ctx) == 0
    for wrong in (-1, 24 * 60 + 1):
        with pytest.raises(ValidationError):
            store_admin.set_idle_lock_minutes(ctx, wrong)
    assert store_admin.idle_lock_minutes(ctx) == 0


def test_a_failed_init_leaves_no_half_made_store(store_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import context

    def interrupted(_session: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(context, "load_reference", interrupted)
        init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    assert not store_admin.store_info(store_dir).exists
    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    ctx.close()
