"""The store commands: init (for an agency, or as a further device of one with --enrol),
and store change-passphrase | rekey | backup | restore."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from app.cli_output import existing_file, new_file
from app.cli_secrets import current_passphrase, new_passphrase, open_context, recovery_key
from app.core.countries import country
from app.core.errors import KnownError, ValidationError
from app.services import exchange, store_admin
from app.services.context import init_store

RECOVERY_WARNING = """\
Write the recovery key down now and keep it somewhere safe, away from this computer.
It is shown only this once. It unlocks the store if the passphrase is forgotten;
without both, nobody (not even JointOps) can open the store again."""


REQUEST_NAME = "enrolment-request.json"


def check_init_usage(args: argparse.Namespace, error: Callable[[str], NoReturn]) -> None:
    """Either an agency of its own (--agency and --country) or a device of one (--enrol)."""
    if args.enrol is not None:
        if args.agency is not None or args.country is not None:
            error("--enrol takes the agency from the offer; leave out --agency and --country")
    elif args.agency is None or args.country is None:
        error("the arguments --agency and --country are required (or --enrol OFFER_FILE)")
    elif args.request_out is not None:
        error("--request-out goes with --enrol")


def _refuse_existing(folder: Path) -> None:
    if store_admin.store_info(folder).exists:
        raise KnownError(f"A store already exists in {folder}; JointOps never creates a new "
                         "store over an existing one.")


def _say_remembered(args: argparse.Namespace) -> None:
    if not args.remember:
        return
    if store_admin.store_info(args.store).remembered:
        print("This device's keyring will unlock the store (remember on this device).")
    else:
        print('"Remember on this device" is unavailable here: this machine has no usable '
              "keyring. Unlock with the passphrase.", file=sys.stderr)


def _show_recovery(recovery: str) -> None:
    print()
    print(f"Recovery key: {recovery}")
    print()
    print(RECOVERY_WARNING)


def cmd_init_enrolled(args: argparse.Namespace) -> int:
    """A further device of an agency (a liaison's laptop), from the root store's offer:
    the store is made, then the request that HQ enrols is written."""
    folder: Path = args.store
    _refuse_existing(folder)
    offer_path = existing_file(args.enrol, "enrolment offer")
    request_path = new_file(args.request_out or offer_path.parent / REQUEST_NAME)
    if request_path.exists():
        raise KnownError(f"{request_path} already exists; name another file with "
                         "--request-out.")
    offer = exchange.read_offer(offer_path)
    passphrase = new_passphrase(current_env_too=True)
    ctx, recovery = init_store(folder, passphrase, "", "", remember=args.remember,
                               offer=offer)
    try:
        exchange.enrolment_request(ctx, request_path)
    finally:
        ctx.close()
    roster = offer.roster.roster
    print(f"Created the store in {folder} as a further device of {roster.name} "
          f"({roster.country}).")
    print(f"Wrote the enrolment request to {request_path}: on the agency's root store run "
          "'jointops identity enrol FILE', then send a bundle to your own agency; this "
          "device can exchange bundles once it has imported it.")
    _say_remembered(args)
    _show_recovery(recovery)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    if args.enrol is not None:
        return cmd_init_enrolled(args)
    folder: Path = args.store
    _refuse_existing(folder)
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
    _say_remembered(args)
    _show_recovery(recovery)
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
                          description="Create the encrypted store, for your agency (--agency "
                          "and --country) or as a further device of it from the offer its "
                          "root store wrote (--enrol). The passphrase comes from "
                          "JOINTOPS_NEW_PASSPHRASE or JOINTOPS_PASSPHRASE, else it is asked "
                          "twice. The recovery key is shown once.")
    init.add_argument("--agency", metavar="NAME", help="your agency's name")
    init.add_argument("--country", metavar="CC",
                      help="your agency's country (ISO 3166 two-letter code)")
    init.add_argument("--enrol", type=Path, metavar="OFFER_FILE",
                      help="make this store a further device of the agency whose root store "
                      "wrote OFFER_FILE (jointops identity enrol-offer)")
    init.add_argument("--request-out", type=Path, metavar="FILE",
                      help=f"with --enrol: where to write the enrolment request for the root "
                      f"store (default: {REQUEST_NAME} beside the offer)")
    init.add_argument("--remember", action="store_true",
                      help="let this device's keyring unlock the store")
    init.set_defaults(func=cmd_init,
                      check_usage=lambda args: check_init_usage(args, init.error))

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
