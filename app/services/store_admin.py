"""Store-level use cases: what a store has, unlock slots, key rotation, backup, restore,
and this device's preferences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import UnlockError, ValidationError
from app.models import keyfile, os_keyring
from app.models.store import (
    MIN_PASSPHRASE,
    StorePaths,
    default_folder,
    read_setting,
    restore,
    write_setting,
)
from app.models.store_lock import StoreLock
from app.services.context import AppContext

__all__ = ["MIN_PASSPHRASE", "StoreInfo", "default_folder"]

IDLE_LOCK_DEFAULT_MIN = 15


@dataclass(frozen=True)
class StoreInfo:
    """What can be known of a store without unlocking it."""

    folder: Path
    exists: bool
    slots: tuple[str, ...]
    keyring_available: bool

    @property
    def remembered(self) -> bool:
        return "keyring" in self.slots


def store_info(folder: Path) -> StoreInfo:
    paths = StorePaths(folder)
    slots: tuple[str, ...] = ()
    if paths.key.exists():
        try:
            slots = tuple(keyfile.KeyFile.load(paths.key).kinds())
        except Exception:
            slots = ()
    return StoreInfo(folder, paths.exists(), slots, os_keyring.available())


def check_openable(folder: Path) -> StoreInfo:
    """Raise what stops the store from opening that no secret would fix (no store, the
    database or key file missing or damaged, another process using it), so that nobody is
    asked for a passphrase in vain. Reads only; returns the store's unlock slots."""
    paths = StorePaths(folder)
    if not paths.db.exists():
        if paths.key.exists():
            raise UnlockError(f"The database file {paths.db} is missing; restore it from a "
                              "backup.")
        raise UnlockError(f"There is no JointOps store in {folder}.")
    lock = StoreLock(paths.lock)
    lock.acquire()
    lock.release()
    slots = tuple(keyfile.KeyFile.load(paths.key).kinds())
    return StoreInfo(folder, True, slots, os_keyring.available())


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """A rough score 0-4 and a hint, for the hint under the passphrase field.

    Length dominates: a long phrase of common words beats a short jumble.
    """
    if len(passphrase) < MIN_PASSPHRASE:
        return 0, f"Too short: at least {MIN_PASSPHRASE} characters."
    classes = sum(any(test(c) for c in passphrase) for test in
                  (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum()))
    words = len(passphrase.split())
    score = 1 + (len(passphrase) >= 16) + (len(passphrase) >= 24 or words >= 4) + (classes >= 3)
    hints = {1: "Weak: use a longer phrase of several words.",
             2: "Fair: a few more words would make it strong.",
             3: "Good.", 4: "Strong."}
    return min(score, 4), hints[min(score, 4)]


def change_passphrase(ctx: AppContext, new_passphrase: str) -> None:
    ctx.store.change_passphrase(new_passphrase)
    with ctx.session() as session:
        ctx.audit(session, "passphrase changed")


def rekey(ctx: AppContext) -> None:
    ctx.store.rekey()
    with ctx.session() as session:
        ctx.audit(session, "database key rotated")


def set_remember(ctx: AppContext, remember: bool) -> bool:
    """Add or remove the keyring slot; False when this machine has no usable keyring."""
    if not remember:
        ctx.store.forget_on_device()
        return True
    return ctx.store.remember_on_device()


def backup(ctx: AppContext, target: Path,
           progress: Callable[[int, int], None] | None = None) -> None:
    ctx.store.backup(target, progress)
    with ctx.session() as session:
        ctx.audit(session, "backup written", file=str(target))


def restore_backup(folder: Path, backup_file: Path, passphrase: str | None = None,
                   recovery_key: str | None = None) -> Path | None:
    return restore(folder, backup_file, passphrase, recovery_key)


def idle_lock_minutes(ctx: AppContext) -> int:
    with ctx.session() as session:
        value = read_setting(session, "idle_lock_minutes")
    return int(value) if value else IDLE_LOCK_DEFAULT_MIN


def set_idle_lock_minutes(ctx: AppContext, minutes: int) -> None:
    if not 0 <= minutes <= 24 * 60:
        raise ValidationError("Auto-lock is 0 (never) to 1440 minutes.")
    with ctx.session() as session:
        write_setting(session, "idle_lock_minutes", str(minutes))
