"""The `jointops` commands for STIX 2.1 (issue 7): export stix, import stix."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli_output import counts_text, existing_file, new_file, print_json
from app.cli_secrets import unlocked


def cmd_export_stix(args: argparse.Namespace) -> int:
    from app.services.stix_export import export_stix

    target = new_file(args.output)
    with unlocked(args) as ctx:
        report = export_stix(ctx, args.codename, target, args.agency, args.anonymised)
    if args.json:
        print_json({"operation": report.codename, "recipient": report.recipient,
                    "anonymised": report.anonymised, "file": str(report.file),
                    "objects": report.objects, "by_type": report.by_type,
                    "withheld": report.withheld})
        return 0
    print(report.summary()[0].upper() + report.summary()[1:])
    print(f"  {counts_text(report.by_type)}")
    for reason, n in sorted(report.withheld.items()):
        print(f"  left out: {n} ({reason})")
    return 0


def cmd_import_stix(args: argparse.Namespace) -> int:
    from app.services.stix_import import import_stix

    path = existing_file(args.file, "STIX file")
    with unlocked(args) as ctx:
        report = import_stix(ctx, args.codename, path)
    plan = report.plan
    skipped = [{"id": s.id, "type": s.type, "name": s.name, "reason": s.reason}
               for s in plan.skipped]
    if args.json:
        print_json({"operation": plan.codename, "file": plan.file, "objects": plan.objects,
                    "allowed_tlp": plan.allowed, "created": report.created,
                    "target_kinds": plan.target_kinds(),
                    "relationships_kept": plan.relationships, "skipped": skipped,
                    "cancelled": report.cancelled})
    else:
        print(report.summary())
        if plan.skipped:
            print("Skipped:")
            for s in plan.skipped:
                name = f" {s.name!r}" if s.name else ""
                print(f"  {s.type or '?'}{name} ({s.id or 'no id'}): {s.reason}")
    if report.cancelled:
        print(report.summary(), file=sys.stderr)
        return 1
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="export an operation in another format (STIX 2.1)")
    ecmds = export.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    stix = ecmds.add_parser(
        "stix", help="a STIX 2.1 bundle of the operation, for a partner or a community",
        description="Write a STIX 2.1 bundle of the operation: agencies, countries and sites, "
        "targets as threat actors, intrusion sets and infrastructure, wallets as indicators, "
        "their relationships, with TLP 2.0 markings. Records the recipient may not see are "
        "left out as for bundles. Without --for, the recipient is a sharing community "
        "outside the operation: TLP:CLEAR and TLP:GREEN records only.")
    stix.add_argument("codename", metavar="CODENAME")
    stix.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                      help="the file to write (JSON)")
    stix.add_argument("--for", dest="agency", metavar="AGENCY",
                      help="a participating agency the export is for (name or id)")
    stix.add_argument("--anonymised", action="store_true",
                      help="no personal data: no names of people, aliases, nationalities, "
                      "sites or addresses (for threat-mapping platforms)")
    stix.add_argument("--json", action="store_true", help="one JSON document on stdout")
    stix.set_defaults(func=cmd_export_stix)

    load = sub.add_parser("import", help="import a file in another format (STIX 2.1)")
    lcmds = load.add_subparsers(dest="import_command", metavar="FORMAT", required=True)
    lstix = lcmds.add_parser(
        "stix", help="import a STIX 2.1 bundle (MISP, OpenCTI) into an operation",
        description="Import threat actors, intrusion sets, infrastructure, wallet indicators, "
        "locations and their relationships into an operation, in one transaction. Objects "
        "that cannot be imported (unknown types, missing properties, markings above what "
        "the operation allows, already present) are skipped and listed with the reason.")
    lstix.add_argument("codename", metavar="CODENAME")
    lstix.add_argument("file", type=Path, metavar="FILE")
    lstix.add_argument("--json", action="store_true", help="one JSON document on stdout")
    lstix.set_defaults(func=cmd_import_stix)
