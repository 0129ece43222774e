"""The commands on operations and targets: demo, operation list | create | import |
add-participant, target list | add."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli_identity import agency_id
from app.cli_output import print_json, print_table, utc_text
from app.cli_secrets import open_context, unlocked
from app.core.errors import KnownError
from app.services import demo, operations, targets
from app.services.context import AppContext


def _with_store(args: argparse.Namespace) -> AppContext:
    return open_context(args.store, args.recovery_key)


def cmd_demo(args: argparse.Namespace) -> int:
    ctx = _with_store(args)
    try:
        op_id, _change = demo.create_demo(ctx)
        summary = operations.overview(ctx, op_id).summary
    finally:
        ctx.close()
    print(f"Created the demo operation {summary.codename}: {summary.targets} targets, "
          f"{summary.sites} sites, {summary.actions} actions.")
    return 0


def cmd_operation_list(args: argparse.Namespace) -> int:
    ctx = _with_store(args)
    try:
        found = operations.list_operations(ctx)
    finally:
        ctx.close()
    if args.json:
        print_json([{"codename": s.codename, "status": s.status, "lead_agency": s.lead_agency,
                     "h_hour": utc_text(s.h_hour), "targets": s.targets, "sites": s.sites,
                     "actions": s.actions} for s in found])
    elif not found:
        print("No operations yet; create one with 'jointops operation create CODENAME'.")
    else:
        print_table(("CODENAME", "STATUS", "LEAD AGENCY", "H-HOUR (UTC)", "TARGETS", "SITES",
                     "ACTIONS"),
                    [(s.codename, s.status, s.lead_agency, utc_text(s.h_hour) or "not set",
                      s.targets, s.sites, s.actions) for s in found])
    return 0


def cmd_operation_create(args: argparse.Namespace) -> int:
    ctx = _with_store(args)
    try:
        op_id, _change = operations.create_operation(ctx, args.codename)
        codename = operations.overview(ctx, op_id).summary.codename
    finally:
        ctx.close()
    print(f"Created the operation {codename}.")
    return 0


def cmd_add_participant(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        op = operations.overview(ctx, args.codename).summary
        chosen = agency_id(ctx, args.agency)
        change = operations.add_participant(ctx, op.id, chosen, args.role)
        joined = next(p for p in operations.overview(ctx, op.id).participants
                      if p.agency_id == chosen)
    if change.kinds():
        print(f"{joined.agency} takes part in {op.codename} as {joined.role}; it receives "
              "what it may see with the next bundle sent to it.")
    else:
        kept = "" if joined.role == args.role else "; its role was not changed"
        print(f"{joined.agency} already takes part in {op.codename} as {joined.role}{kept}.")
    return 0


def cmd_target_add(args: argparse.Namespace) -> int:
    values = targets.target_values(args.kind, args.name, args.country, args.tlp)
    with unlocked(args) as ctx:
        op = operations.overview(ctx, args.codename).summary
        target_id, _change = targets.add_record(ctx, "target", op.id, values)
    if args.json:
        print_json({"id": target_id, "operation": op.codename, **values})
    else:
        print(f"Added the {values['kind']} {values['name']} to {op.codename} "
              f"(TLP:{values['tlp']}, id {target_id}).")
    return 0


def cmd_operation_import(args: argparse.Namespace) -> int:
    from app.services.csv_import import import_csv

    path: Path = args.file
    if not path.is_file():
        raise KnownError(f"There is no file {path}.")
    ctx = _with_store(args)
    progress = _ProgressLine(path.name) if sys.stderr.isatty() and not args.json else None
    try:
        report = import_csv(ctx, args.codename, path, progress=progress)
    finally:
        if progress is not None:
            progress.end()
        ctx.close()
    refused = [{"line": e.line, "reason": e.reason} for e in report.errors]
    unlisted = report.rows_refused - len(refused)
    if args.json:
        print_json({"operation": report.codename, "imported": report.rows_imported,
                    "targets": report.targets_created, "sites": report.sites_created,
                    "actions": report.actions_created,
                    "actions_existing": report.actions_existing, "refused": refused,
                    "refused_rows": report.rows_refused})
    elif report.imported:
        if report.operation_created:
            print(f"Created the operation {report.codename}.")
        print(report.summary())
    else:
        print(f"Refused rows of {path.name}:")
        for row in refused:
            print(f"  line {row['line']}: {row['reason']}")
        if unlisted:
            print(f"  … and {unlisted} more refused rows.")
    if not report.imported:
        print(report.summary(), file=sys.stderr)
        return 1
    return 0


class _ProgressLine:
    """A percentage on the terminal, rewritten in place, for long imports."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent != self.shown:
            self.shown = percent
            print(f"\rImporting {self.name}: {percent}%", end="", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.shown >= 0:
            print(file=sys.stderr)


def cmd_target_list(args: argparse.Namespace) -> int:
    ctx = _with_store(args)
    try:
        op_id = operations.overview(ctx, args.codename).summary.id
        rows = targets.target_rows(ctx, op_id)
    finally:
        ctx.close()
    if args.json:
        print_json([{"id": r.id, "name": r.name, "kind": r.kind, "country": r.country,
                     "sites": r.sites, "actions": r.actions, "tlp": r.tlp,
                     "grading": r.grading} for r in rows])
    elif not rows:
        print(f"The operation {args.codename} has no targets yet.")
    else:
        print_table(("NAME", "KIND", "COUNTRY", "SITES", "ACTIONS", "TLP", "GRADING"),
                    [r.values() for r in rows])
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("demo", help="add the demo operation to the store"
                   ).set_defaults(func=cmd_demo)

    operation = sub.add_parser("operation", help="list, create or import operations")
    ops = operation.add_subparsers(dest="operation_command", metavar="COMMAND", required=True)
    listing = ops.add_parser("list", help="the operations with their counts")
    listing.add_argument("--json", action="store_true", help="one JSON document on stdout")
    listing.set_defaults(func=cmd_operation_list)
    create = ops.add_parser("create", help="create an operation led by your agency")
    create.add_argument("codename", metavar="CODENAME")
    create.set_defaults(func=cmd_operation_create)
    load = ops.add_parser(
        "import", help="import targets, sites and actions from a CSV file",
        description="Import one row per action, with the columns target, kind, site, "
        "country, zone, lat, lon, action, offset_min, agency, tlp. Creates the operation "
        "if it does not exist. One transaction: if any row is refused, nothing is imported.")
    load.add_argument("codename", metavar="CODENAME")
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.add_argument("--json", action="store_true", help="one JSON document on stdout")
    load.set_defaults(func=cmd_operation_import)
    join = ops.add_parser("add-participant", help="let a partner agency take part in an "
                          "operation")
    join.add_argument("codename", metavar="CODENAME")
    join.add_argument("agency", metavar="AGENCY", help="the partner's name or id")
    join.add_argument("--role", choices=("participant", "observer"), default="participant")
    join.set_defaults(func=cmd_add_participant)

    target = sub.add_parser("target", help="list or add an operation's targets")
    tgt = target.add_subparsers(dest="target_command", metavar="COMMAND", required=True)
    tlist = tgt.add_parser("list", help="the targets of an operation")
    tlist.add_argument("codename", metavar="CODENAME")
    tlist.add_argument("--json", action="store_true", help="one JSON document on stdout")
    tlist.set_defaults(func=cmd_target_list)
    tadd = tgt.add_parser("add", help="add a target to an operation")
    tadd.add_argument("codename", metavar="CODENAME")
    tadd.add_argument("--kind", required=True, metavar="KIND",
                      help="person, organisation, wallet, premises or server")
    tadd.add_argument("--name", required=True, metavar="NAME")
    tadd.add_argument("--country", default="", metavar="CC", help="ISO 3166 two-letter code")
    tadd.add_argument("--tlp", default="AMBER", metavar="LEVEL",
                      help="CLEAR, GREEN, AMBER (default), AMBER+STRICT or RED")
    tadd.add_argument("--json", action="store_true", help="one JSON document on stdout")
    tadd.set_defaults(func=cmd_target_add)
