"""Where the command line gets its secrets, and how it unlocks the store with them.

Scripts set environment variables; a person at a terminal is asked without echo. When
standard input is not a terminal and no variable is set, one line is read from it, so a
secret can be piped in (never passed as an argument, where other users could see it).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.errors import UnlockError, ValidationError
from app.services.context import AppContext, open_store
from app.services.store_admin import MIN_PASSPHRASE, check_openable, passphrase_strength

PASSPHRASE_ENV = "JOINTOPS_PASSPHRASE"
NEW_PASSPHRASE_ENV = "JOINTOPS_NEW_PASSPHRASE"
RECOVERY_KEY_ENV = "JOINTOPS_RECOVERY_KEY"


def _env(name: str) -> str | None:
    # An empty variable counts as unset, as in ${VAR:-}.
    return os.environ.get(name) or None


def interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(prompt: str) -> str | None:
    """The answer, or None when there is nothing to read."""
    try:
        if interactive():
            return getpass.getpass(prompt)
        line = sys.stdin.readline() if sys.stdin is not None else ""
    except EOFError:
        return None
    return line.rstrip("\r\n") if line else None


def current_passphrase(prompt: str = "Passphrase: ") -> str:
    value = _env(PASSPHRASE_ENV) or _ask(prompt)
    if value is None:
        raise UnlockError(f"No passphrase was given: set {PASSPHRASE_ENV} or run the "
                          "command in a terminal.")
    return value


def recovery_key() -> str:
    value = _env(RECOVERY_KEY_ENV) or _ask("Recovery key: ")
    if value is None:
        raise UnlockError(f"No recovery key was given: set {RECOVERY_KEY_ENV} or run the "
                          "command in a terminal.")
    return value


def new_passphrase(current_env_too: bool = False) -> str:
    """A new passphrase: from the environment, else asked twice with a strength hint.

    ``current_env_too``: when creating a store, JOINTOPS_PASSPHRASE is the new one too.
    """
    value = _env(NEW_PASSPHRASE_ENV) or (_env(PASSPHRASE_ENV) if current_env_too else None)
    if value is not None:
        return value
    first = _ask("New passphrase: ")
    if first is None:
        raise ValidationError(f"No new passphrase was given: set {NEW_PASSPHRASE_ENV} or "
                              "run the command in a terminal.")
    if len(first) < MIN_PASSPHRASE:
        raise ValidationError(f"The passphrase must have at least {MIN_PASSPHRASE} "
                              "characters; nothing was changed.")
    if interactive():
        print(f"Strength: {passphrase_strength(first)[1]}", file=sys.stderr)
    second = _ask("Repeat the new passphrase: ")
    if second != first:
        raise ValidationError("The two passphrases differ; nothing was changed.")
    return first


def open_context(folder: Path, use_recovery_key: bool = False) -> AppContext:
    """Unlock the store: recovery key when asked for, else the environment's passphrase,
    else this device's keyring when the store has a keyring slot, else a prompt."""
    info = check_openable(folder)
    if use_recovery_key:
        return open_store(folder, recovery_key=recovery_key())
    passphrase = _env(PASSPHRASE_ENV)
    if passphrase is None and info.remembered:
        try:
            return open_store(folder, use_keyring=True)
        except UnlockError:
            # Losing the keyring entry is never fatal: the passphrase still opens it.
            print("The keyring on this device did not unlock the store; asking for the "
                  "passphrase.", file=sys.stderr)
    return open_store(folder, passphrase=passphrase or current_passphrase())


@contextmanager
def unlocked(args: argparse.Namespace) -> Iterator[AppContext]:
    """The store named by --store, unlocked as --recovery-key says, closed afterwards."""
    ctx = open_context(args.store, args.recovery_key)
    try:
        yield ctx
    finally:
        ctx.close()
