"""The `jointops` command line: argparse over app/services, and the GUI's front door.

Known errors print one line on stderr and exit with their code (1, 2 usage, 3 unlock,
4 a refused bundle); anything else is a bug: its traceback goes to a log file and the
exit code is 70.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from app import (
    cli_bundle,
    cli_identity,
    cli_legal,
    cli_money,
    cli_ops,
    cli_outcomes,
    cli_plan,
    cli_stix,
    cli_store,
)
from app.core.errors import KnownError
from app.services.store_admin import default_folder

EXIT_BUG = 70  # EX_SOFTWARE
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
LOG_NAME = "jointops.log"

EPILOG = """\
The passphrase comes from JOINTOPS_PASSPHRASE when it is set, else it is asked without
echo (a new one from JOINTOPS_NEW_PASSPHRASE likewise); with --recovery-key, the recovery
key comes from JOINTOPS_RECOVERY_KEY or is asked. A store remembered on this device
unlocks from its keyring. Agencies are named by their name or id. Exit codes: 0
success, 1 known error, 2 usage error, 3 the store could not be unlocked, 4 a bundle
was refused (nothing changed), 70 a bug (see the log)."""


def cmd_gui(args: argparse.Namespace) -> int:
    # Qt is loaded only here, so that every other command starts without it.
    try:
        from app.views.launcher import run_gui
    except ModuleNotFoundError as error:
        if (error.name or "").startswith("app"):
            raise KnownError("The GUI is not part of this installation of JointOps.") from None
        raise KnownError(f"The GUI cannot start: the module {error.name} is not "
                         "installed.") from None
    except ImportError as error:  # a system library Qt needs is missing
        raise KnownError(f"The GUI cannot start: {error}.") from None
    return run_gui(args.store, bool(getattr(args, "demo", False)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jointops", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="JointOps: plan multinational operations against crypto-enabled crime "
        "from an encrypted local store. With no command, the GUI starts.")
    parser.add_argument("--store", type=Path, default=default_folder(), metavar="DIR",
                        help="the folder that holds the store (default: %(default)s)")
    parser.add_argument("--recovery-key", action="store_true",
                        help="unlock with the recovery key instead of the passphrase")
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="start the GUI (the default)")
    gui.add_argument("--demo", action="store_true",
                     help="open the demo operation, creating it when missing")
    gui.set_defaults(func=cmd_gui)
    cli_store.add_commands(sub)
    cli_ops.add_commands(sub)
    cli_identity.add_commands(sub)
    cli_bundle.add_commands(sub)
    cli_plan.add_commands(sub)
    cli_legal.add_commands(sub)  # after cli_plan and cli_ops: adds to plan, target
    cli_money.add_commands(sub)
    cli_stix.add_commands(sub)
    cli_outcomes.add_commands(sub)
    return parser


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def log_folder() -> Path:
    return Path(platformdirs.user_log_dir("JointOps"))


def report_bug(error: BaseException, command: str) -> int:
    """Write the traceback to the log (never secrets: tracebacks hold no local values)."""
    text = "".join(traceback.format_exception(error))
    log = log_folder() / LOG_NAME
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        # Readable by this user only: a traceback can still name files and operations.
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} jointops {command}\n{text}\n")
    except OSError:
        print(text, file=sys.stderr, end="")
        print(f"This is a bug in JointOps ({type(error).__name__}); the log {log} could not "
              "be written, so the details are above.", file=sys.stderr)
        return EXIT_BUG
    print(f"This is a bug in JointOps ({type(error).__name__}: {one_line(error)[:120]}); "
          f"the details are in {log}. Please report it with that file.", file=sys.stderr)
    return EXIT_BUG


def _command_name(args: argparse.Namespace) -> str:
    words = [args.command] + [value for name, value in sorted(vars(args).items())
                              if name.endswith("_command")]
    return " ".join(w for w in words if isinstance(w, str) and w) or "gui"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        # What argparse cannot say alone (init: --agency and --country, or --enrol).
        check = getattr(args, "check_usage", None)
        if check is not None:
            check(args)
    except SystemExit as stop:  # --help (0) or a usage error (2), already printed
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return int(args.func(args))
    except KnownError as error:
        print(one_line(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output stopped early (| head): as any tool killed by SIGPIPE.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        if error.filename is None:
            return report_bug(error, _command_name(args))
        # The file system refused: a permission, a full disk, a path that is a folder.
        print(f"{error.strerror or one_line(error)}: {error.filename}", file=sys.stderr)
        return 1
    except Exception as error:
        return report_bug(error, _command_name(args))


if __name__ == "__main__":
    raise SystemExit(main())
