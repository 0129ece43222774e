"""The store commands: init, and store change-passphrase | rekey | backup | restore."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli_secrets import current_passphrase, new_passphrase, open_context, recovery_key
from app.core.countries import country
from app.core.errors import KnownError, ValidationError
from app.services import store_admin
from app.services.context import init_store

RECOVERY_WARNING = """\
Write the recovery key down now and keep it somewhere safe, away from this computer.
It is shown only this once. It unlocks the store if the passphrase is forgotten;
without both, nobody (not even JointOps) can open the store again."""


def cmd_init(args: argparse.Namespace) -> int:
    folder: Path = args.store
    if store_admin.store_info(folder).exists:
        raise KnownError(f"A store already exists in {folder}; JointOps never creates a new "
                         "store over an existing one.")
    # Check what can be checked before asking for a passphrase.
    if not args.agency.strip():
        raise ValidationError("The agency needs a name (--agency).")
    found = country(args.country)
    if found is None:
        raise ValidationError(f"Unknown country code {args.country.strip()!r}; use the "
                              "two-letter ISO 3166 code, such as KE or FR.")
    passphrase = new_passphrase(current_env_too=True)
    ctx, recovery = init_store(folder, passphrase, args.agency, found.code,
                               remember=args.remember)
    ctx.close()
    print(f"Created the store in {folder} for {args.agency.strip()} ({found.code}).")
    if args.remember:
        if store_admin.store_info(folder).remembered:
            print("This device's keyring will unlock the store (remember on this device).")
        else:
            print('"Remember on this device" is unavailable here: this machine has no usable '
                  "keyring. Unlock with the passphrase.", file=sys.stderr)
    print()
    print(f"Recovery key: {recovery}")
    print()
    print(RECOVERY_WARNING)
    return 0


def cmd_change_passphrase(args: argparse.Namespace) -> int:
    ctx = open_context(args.store, args.recovery_key)
    try:
        store_admin.change_passphrase(ctx, new_passphrase())
    finally:
        ctx.close()
    print("The passphrase was changed; the old one no longer unlocks the store.")
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    ctx = open_context(args.store, args.recovery_key)
    try:
        store_admin.rekey(ctx)
    finally:
        ctx.close()
    print("The database was re-encrypted under a new key; the passphrase, the recovery key "
          "and this device's keyring still unlock it.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    target: Path = args.file
    if target.exists():
        raise KnownError(f"{target} already exists; name a new file for the backup.")
    if not target.parent.is_dir():
        raise KnownError(f"The folder {target.parent} does not exist.")
    ctx = open_context(args.store, args.recovery_key)
    try:
        store_admin.backup(ctx, target)
    finally:
        ctx.close()
    print(f"Backup written to {target}. It unlocks with the passphrase and the recovery key "
          "the store has now.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    source: Path = args.file
    if not source.is_file():
        raise KnownError(f"There is no backup file {source}.")
    if args.recovery_key:
        kept = store_admin.restore_backup(args.store, source, recovery_key=recovery_key())
    else:
        kept = store_admin.restore_backup(
            args.store, source, passphrase=current_passphrase("Passphrase of the backup: "))
    print(f"Restored the store in {args.store} from {source}.")
    if kept is not None:
        print(f"The files it replaced are kept in {kept}.")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser("init", help="create an encrypted store for your agency",
                          description="Create the encrypted store. The passphrase comes from "
                          "JOINTOPS_NEW_PASSPHRASE or JOINTOPS_PASSPHRASE, else it is asked "
                          "twice. The recovery key is shown once.")
    init.add_argument("--agency", required=True, metavar="NAME", help="your agency's name")
    init.add_argument("--country", required=True, metavar="CC",
                      help="your agency's country (ISO 3166 two-letter code)")
    init.add_argument("--remember", action="store_true",
                      help="let this device's keyring unlock the store")
    init.set_defaults(func=cmd_init)

    store = sub.add_parser("store", help="passphrase, key rotation, backup and restore")
    commands = store.add_subparsers(dest="store_command", metavar="COMMAND", required=True)
    commands.add_parser("change-passphrase", help="set a new passphrase (the database is "
                        "not re-encrypted)").set_defaults(func=cmd_change_passphrase)
    commands.add_parser("rekey", help="re-encrypt the database under a new random key"
                        ).set_defaults(func=cmd_rekey)
    backup = commands.add_parser("backup", help="write an encrypted backup to FILE")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser(
        "restore", help="replace the store with a backup (the replaced files are kept)",
        description="Replace the store with the backup in FILE, once the backup's "
        "passphrase (JOINTOPS_PASSPHRASE, else asked) or recovery key unlocks it.")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--recovery-key", action="store_true", default=argparse.SUPPRESS,
                         help="unlock the backup with its recovery key")
    restore.set_defaults(func=cmd_restore)
