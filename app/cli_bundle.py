"""The bundle and conflict commands: what goes to partners, what comes back, and the
concurrent edits a person has to review."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli_identity import agency_id
from app.cli_output import (
    counts_text,
    existing_file,
    new_file,
    plural,
    print_json,
    print_table,
    short_utc,
    utc_text,
)
from app.cli_secrets import unlocked
from app.services import conflicts, exchange
from app.services.exchange import BundleImportReport, ExportReport

# ---- bundles ---------------------------------------------------------------------------


def _export_document(report: ExportReport) -> dict[str, Any]:
    return {"bundle_id": report.bundle_id, "file": str(report.file),
            "changesets": report.changesets,
            "partners": [{"agency_id": s.agency_id, "agency": s.agency,
                          "changesets": s.changesets, "by_kind": s.by_kind,
                          "withheld": [{"reason": r, "changesets": n}
                                       for r, n in s.withheld.items()]}
                         for s in report.shares]}


def cmd_bundle_export(args: argparse.Namespace) -> int:
    target = new_file(args.output)
    with unlocked(args) as ctx:
        to = [agency_id(ctx, ref) for ref in args.to]
        report = exchange.export_bundle(ctx, args.codename, list(dict.fromkeys(to)), target)
    if args.json:
        print_json(_export_document(report))
        return 0
    print(f"Wrote the bundle {report.bundle_id} to {target}: "
          f"{plural(report.changesets, 'changeset')}.")
    for share in report.shares:
        print(f"{share.agency}:")
        kinds = ", ".join(f"{kind} in {n}" for kind, n in sorted(
            share.by_kind.items(), key=lambda kv: (-kv[1], kv[0])))
        print(f"  shared    {plural(share.changesets, 'changeset')}"
              + (f", with {kinds}" if kinds else ""))
        if not share.withheld:
            print("  withheld  nothing")
        for index, (reason, n) in enumerate(sorted(share.withheld.items())):
            print(f"  {'withheld' if index == 0 else '':<8}  {plural(n, 'changeset')}: "
                  f"{reason}")
    return 0


def _import_document(report: BundleImportReport) -> dict[str, Any]:
    merge = report.merge
    return {"bundle_id": report.bundle_id, "sender": report.sender,
            "already_imported": report.duplicate_bundle, "applied": merge.applied,
            "duplicates": merge.duplicates,
            "refused": [{"changeset": c, "reason": r} for c, r in merge.refused],
            "pending": merge.pending, "quarantined": merge.quarantined,
            "conflicts": merge.conflicts, "created": merge.created,
            "updated": merge.updated, "rosters": report.rosters, "notes": report.notes}


def cmd_bundle_import(args: argparse.Namespace) -> int:
    source = existing_file(args.file, "bundle file")
    with unlocked(args) as ctx:
        report = exchange.import_bundle(ctx, source)
    if args.json:
        print_json(_import_document(report))
        return 0
    merge = report.merge
    if report.duplicate_bundle:
        print(f"The bundle {report.bundle_id} from {report.sender} was imported before; "
              "nothing changed.")
        return 0
    print(f"Imported the bundle {report.bundle_id} from {report.sender}.")
    changed = "; ".join(f"{word} {counts_text(bucket)}" for word, bucket in
                        (("created", merge.created), ("updated", merge.updated)) if bucket)
    for label, n, why in (
            ("applied", merge.applied, changed),
            ("already present", merge.duplicates, ""),
            ("refused", len(merge.refused), ""),
            ("waiting", merge.pending, "for a record or for trust in its author"),
            ("quarantined", merge.quarantined, "stamped too far in the future"),
            ("conflicts", merge.conflicts, "see 'jointops conflict list'")):
        print(f"  {label:<16} {n}" + (f" ({why})" if n and why else ""))
    for changeset, reason in merge.refused:
        print(f"  refused {changeset[:16]}: {reason}")
    for name, state in sorted(report.rosters.items()):
        print(f"  roster of {name}: {state}")
    for note in report.notes:
        print(f"  note: {note}")
    return 0


def cmd_bundle_inspect(args: argparse.Namespace) -> int:
    source = existing_file(args.file, "bundle file")
    found = exchange.inspect_bundle(source)
    if args.json:
        print_json(found)
        return 0
    print(f"{source}: a JointOps bundle, {found['size']} bytes")
    print(f"  outer signature   {found['outer_signature']} (namespace "
          "jointops-bundle-outer-v1)")
    print(f"  signed by         {found['signer_key']}")
    print(f"  key fingerprint   {found['signer_fingerprint']}")
    print(f"  encrypted payload {found['payload_bytes']} bytes, to "
          f"{found['age_recipients_stanzas']} age recipients")
    print("Who the signer is, and whether the bundle is for you, needs your store: "
          "compare the key with the sender's roster, or import it.")
    return 0


def cmd_bundle_history(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        entries = exchange.bundle_history(ctx, args.limit)
    if args.json:
        print_json([{"bundle_id": e.bundle_id, "direction": e.direction, "agency": e.agency,
                     "sequence": e.sequence, "at": utc_text(e.at), "result": e.result,
                     "detail": e.detail} for e in entries])
    elif not entries:
        print("No bundles sent or received yet.")
    else:
        print_table(("AT (UTC)", "DIRECTION", "AGENCY", "SEQ", "RESULT", "CHANGESETS",
                     "BUNDLE"),
                    [(short_utc(e.at), e.direction, e.agency, e.sequence, e.result,
                      e.detail.get("changesets", e.detail.get("applied", "")), e.bundle_id)
                     for e in entries])
    return 0


# ---- conflicts -----------------------------------------------------------------------


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def cmd_conflict_list(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        found = conflicts.list_conflicts(ctx, include_resolved=args.all)
    if args.json:
        print_json([{"id": c.id, "record_kind": c.record_kind, "record_id": c.record_id,
                     "field": c.field, "winner": c.winner, "winner_agency": c.winner_agency,
                     "loser": c.loser, "loser_agency": c.loser_agency,
                     "detected_at": utc_text(c.detected_at), "resolved": c.resolved,
                     "can_choose": c.can_choose} for c in found])
    elif not found:
        print("No conflicts to review.")
    else:
        print_table(("ID", "RECORD", "FIELD", "KEPT (WINNER)", "BY", "LOST (LOSER)", "BY",
                     "DETECTED", "YOU CAN CHOOSE"),
                    [(c.id, f"{c.record_kind} {c.record_id[:8]}", c.field, _value(c.winner),
                      c.winner_agency, _value(c.loser), c.loser_agency,
                      short_utc(c.detected_at), "yes" if c.can_choose else "no")
                     for c in found])
    return 0


def cmd_conflict_resolve(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        change = conflicts.resolve_conflict(ctx, args.id, args.keep)
    if change.kinds():
        print(f"Conflict {args.id}: the losing value was written again; it reaches partners "
              "with the next bundle.")
    else:
        print(f"Conflict {args.id}: the winning value is kept and the conflict is marked "
              "reviewed.")
    return 0


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bundle = sub.add_parser("bundle", help="signed, encrypted bundles to and from partners")
    cmds = bundle.add_subparsers(dest="bundle_command", metavar="COMMAND", required=True)
    export = cmds.add_parser(
        "export", help="write what the named partners may see of an operation",
        description="Write a bundle of the operation's changes that every named partner "
        "may see and has not acknowledged, and say per partner what was withheld and why.")
    export.add_argument("codename", metavar="CODENAME")
    export.add_argument("--to", action="append", required=True, metavar="AGENCY",
                        help="a partner's name or id (repeat for several)")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    _json_flag(export)
    export.set_defaults(func=cmd_bundle_export)
    load = cmds.add_parser(
        "import", help="verify a bundle and apply it in one transaction",
        description="Verify a bundle and apply it in one transaction. A bundle refused as "
        "a whole changes nothing and exits 4; changesets refused one by one are reported.")
    load.add_argument("file", type=Path, metavar="FILE")
    _json_flag(load)
    load.set_defaults(func=cmd_bundle_import)
    inspect = cmds.add_parser(
        "inspect", help="what can be known of a bundle without keys (no store is opened)")
    inspect.add_argument("file", type=Path, metavar="FILE")
    _json_flag(inspect)
    inspect.set_defaults(func=cmd_bundle_inspect)
    history = cmds.add_parser("history", help="bundles sent and received, newest first")
    history.add_argument("--limit", type=int, default=200, metavar="N",
                         help="at most N entries (default %(default)s)")
    _json_flag(history)
    history.set_defaults(func=cmd_bundle_history)

    conflict = sub.add_parser("conflict", help="concurrent edits of one field, to review")
    ccmds = conflict.add_subparsers(dest="conflict_command", metavar="COMMAND", required=True)
    clist = ccmds.add_parser("list", help="conflicts not yet reviewed")
    clist.add_argument("--all", action="store_true", help="include reviewed ones")
    _json_flag(clist)
    clist.set_defaults(func=cmd_conflict_list)
    resolve = ccmds.add_parser("resolve", help="keep the winning value or write the losing "
                               "one again (a change that reaches partners)")
    resolve.add_argument("id", type=int, metavar="ID")
    resolve.add_argument("--keep", required=True, choices=("winner", "loser"))
    resolve.set_defaults(func=cmd_conflict_resolve)
