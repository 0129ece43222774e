"""The money commands: wallet check; money import | labels | trace | traces | summary;
freeze list | draft | set-status | show | pdf."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.cli_output import existing_file, new_file, plural, print_json, print_table, utc_text
from app.cli_secrets import unlocked
from app.core.errors import KnownError, UsageError
from app.core.tracing import DEFAULT_HOPS, MAX_HOPS, METHODS, TraceResult, plain


def _instant(option: str, text: str | None) -> datetime | None:
    from app.core.transfer_rows import parse_time

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as error:
        raise UsageError(f"{option}: {error}.") from None


# ---- wallet check -------------------------------------------------------------------


def cmd_wallet_check(args: argparse.Namespace) -> int:
    from app.core.addresses import check_address

    try:
        result = check_address(args.chain, args.address,
                               network="testnet" if args.testnet else "mainnet")
    except ValueError as error:
        raise UsageError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    if args.json:
        print_json({"chain": result.chain, "address": result.address, "valid": result.valid,
                    "kind": result.kind, "network": result.network, "reason": result.reason,
                    "canonical": result.canonical, "warning": result.warning})
    elif result.valid:
        where = f", {result.network}" if result.network else ""
        print(f"Valid {result.chain} address ({result.kind}{where}): {result.canonical}")
        if result.warning:
            print(f"Warning: {result.warning}.", file=sys.stderr)
    else:
        print(f"Not a valid {result.chain} address: {result.reason}.", file=sys.stderr)
    return 0 if result.valid else 1


# ---- money ------------------------------------------------------------------------------


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, header = pair.partition("=")
        if not sep or not column.strip():
            raise UsageError(f"--map {pair!r}: give COLUMN=HEADER, such as from=Sender.")
        mapping[column.strip()] = header.strip()
    return mapping


def _refused_lines(name: str, unit: str, errors: list[Any], total: int) -> None:
    print(f"Refused rows of {name}:")
    for e in errors:
        print(f"  {unit} {e.line}: {e.reason}")
    if total > len(errors):
        print(f"  … and {total - len(errors)} more refused rows.")


def cmd_money_import(args: argparse.Namespace) -> int:
    from app.core.transfer_rows import guess_mapping, open_records
    from app.services.transfers_import import import_transfers

    path = existing_file(args.file)
    given = _mapping(args.map)
    with unlocked(args) as ctx:
        mapping = given
        if given is not None:  # the columns named, the rest guessed
            reader = open_records(path)
            try:
                mapping = {**guess_mapping(reader.headers), **given}
            finally:
                reader.close()
        report = import_transfers(ctx, args.codename, path, mapping, chain=args.chain,
                                  tlp=args.tlp)
    refused = [{report.unit: e.line, "reason": e.reason} for e in report.errors]
    if args.json:
        print_json({"operation": report.codename, "file": report.file,
                    "imported": report.rows_imported, "duplicates": report.duplicates,
                    "refused": refused, "refused_rows": report.rows_refused})
    elif report.imported:
        print(report.summary())
    else:
        _refused_lines(path.name, report.unit, report.errors, report.rows_refused)
    if not report.imported:
        print(report.summary(), file=sys.stderr)
        return 1
    return 0


def cmd_money_labels(args: argparse.Namespace) -> int:
    from app.services.labels import import_labels

    path = existing_file(args.file)
    with unlocked(args) as ctx:
        report = import_labels(ctx, args.codename, path, _mapping(args.map), source=args.source,
                               tlp=args.tlp)
    if args.json:
        print_json({"operation": report.codename, "file": report.file, "format": report.format,
                    "imported": report.created, "duplicates": report.duplicates,
                    "skipped": report.skipped_categories,
                    "refused": [{"line": e.line, "reason": e.reason} for e in report.errors]})
    elif report.imported:
        print(report.summary())
    else:
        _refused_lines(path.name, "line", report.errors, report.rows_refused)
    if not report.imported:
        print(report.summary(), file=sys.stderr)
        return 1
    return 0


def trace_document(codename: str, result: TraceResult, trace_id: str | None) -> dict[str, Any]:
    from app.services.money import endpoint_document, totals_document

    limits = result.limits
    return {"operation": codename, "trace_id": trace_id, "method": result.method,
            "direction": result.direction, "statement": result.statement,
            "seeds": [{"chain": c, "address": a} for c, a in result.seeds],
            "limits": {"hops": limits.hops, "min_amount": plain(limits.min_amount),
                       "start": utc_text(limits.start), "end": utc_text(limits.end)},
            "endpoints": [endpoint_document(e) for e in result.endpoints],
            "totals": totals_document(result), "transfers_read": result.transfers_read}


def cmd_money_trace(args: argparse.Namespace) -> int:
    from app.services.money import export_trace_csv, trace_operation

    csv_path = new_file(args.csv) if args.csv else None
    start, end = _instant("--since", args.since), _instant("--until", args.until)
    with unlocked(args) as ctx:
        run = trace_operation(ctx, args.codename, args.seeds, args.method,
                              "backward" if args.backward else "forward", hops=args.hops,
                              min_amount=args.min_amount, start=start, end=end, save=args.save)
    result = run.result
    if csv_path is not None:
        export_trace_csv(result, csv_path)
    if args.json:
        print_json(trace_document(run.codename, result, run.trace_id))
        return 0
    print(result.statement)
    if not result.endpoints:
        print("No endpoint: nothing was traced within these limits.")
    else:
        reached = "Sources" if result.direction == "backward" else "Endpoints"
        print(f"{reached} ({len(result.endpoints)}):")
        print_table(("AMOUNT", "ASSET", "CHAIN", "ADDRESS", "LABEL", "REASON", "HOPS"),
                    [(plain(e.amount), e.asset, e.chain, e.address,
                      f"{e.label} ({e.category})" if e.label else e.category, e.reason, e.hops)
                     for e in result.endpoints], indent="  ")
    for t in result.totals:
        left = "left the seeds" if result.direction == "forward" else "reached the seeds"
        print(f"{t.asset}: {plain(t.seeded)} {left}; {plain(t.to_endpoints)} to endpoints "
              f"({plain(t.to_services)} at services); {plain(t.returned)} back to a seed; "
              f"{plain(t.below_minimum)} under the minimum.")
    if csv_path is not None:
        print(f"Wrote {csv_path}.")
    if run.trace_id:
        print(f"Saved as trace {run.trace_id}; draft freeze requests from it with "
              f"'jointops freeze draft {run.codename} --trace {run.trace_id} --wallet ADDRESS'.")
    return 0


def cmd_money_traces(args: argparse.Namespace) -> int:
    from app.services.money import list_traces

    with unlocked(args) as ctx:
        traces = list_traces(ctx, args.codename)
    if args.json:
        print_json([{"id": t.id, "made_at": utc_text(t.made_at), "method": t.method,
                     "direction": t.direction, "hops": t.hops, "statement": t.statement,
                     "seeds": [{"chain": c, "address": a} for c, a in t.seeds],
                     "endpoints": len(t.endpoints), "totals": t.totals} for t in traces])
    elif not traces:
        print("No saved traces; save one with 'jointops money trace ... --save'.")
    else:
        print_table(("ID", "MADE (UTC)", "METHOD", "DIRECTION", "SEEDS", "ENDPOINTS"),
                    [(t.id, utc_text(t.made_at), t.method, t.direction, len(t.seeds),
                      len(t.endpoints)) for t in traces])
    return 0


def _duration(value: timedelta | None) -> str | None:
    if value is None:
        return None
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    return (f"{days}d " if days else "") + f"{rest // 60}h{rest % 60:02d}"


def cmd_money_summary(args: argparse.Namespace) -> int:
    from app.services.money import money_summary

    with unlocked(args) as ctx:
        s = money_summary(ctx, args.codename)
    if args.json:
        print_json({"operation": s.codename, "trace_id": s.trace_id, "trace_method": s.trace_method,
                    "transfers": s.transfers, "requests": s.requests, "answered": s.answered,
                    "time_to_freeze_median_s": (s.time_to_freeze_median.total_seconds()
                                                if s.time_to_freeze_median else None),
                    "time_to_freeze_p90_s": (s.time_to_freeze_p90.total_seconds()
                                             if s.time_to_freeze_p90 else None),
                    "assets": [{"asset": a.asset, "traced": plain(a.traced),
                                "traced_to_services": plain(a.traced_to_services),
                                "requested": plain(a.requested), "frozen": plain(a.frozen),
                                "released": plain(a.released)} for a in s.assets]})
        return 0
    print(f"Operation {s.codename}: {plural(s.transfers, 'transfer')}, "
          f"{plural(s.requests, 'freeze request')} ({s.answered} answered).")
    if s.trace_method:
        print(f"Traced by the latest saved forward trace ({s.trace_method}, {s.trace_id}).")
    else:
        print("No saved forward trace yet: nothing counts as traced.")
    if s.assets:
        print_table(("ASSET", "TRACED", "AT SERVICES", "REQUESTED", "FROZEN", "RELEASED"),
                    [(a.asset, plain(a.traced), plain(a.traced_to_services),
                      plain(a.requested), plain(a.frozen), plain(a.released))
                     for a in s.assets])
    print(f"Time from request to freeze: median {_duration(s.time_to_freeze_median) or 'n/a'}, "
          f"90th percentile {_duration(s.time_to_freeze_p90) or 'n/a'}.")
    return 0


# ---- freeze -------------------------------------------------------------------------------


def _freeze_document(info: Any) -> dict[str, Any]:
    return {"id": info.id, "chain": info.chain, "address": info.address,
            "wallet_label": info.wallet_label, "addressee": info.addressee,
            "asset": info.asset, "amount": plain(info.amount),
            "frozen_amount": plain(info.frozen_amount), "legal_basis": info.legal_basis,
            "urgency": info.urgency, "status": info.status,
            "drafted_at": utc_text(info.drafted_at), "sent_at": utc_text(info.sent_at),
            "acknowledged_at": utc_text(info.acknowledged_at),
            "frozen_at": utc_text(info.frozen_at), "released_at": utc_text(info.released_at),
            "time_to_freeze_s": (info.time_to_freeze.total_seconds()
                                 if info.time_to_freeze else None), "tlp": info.tlp}


def cmd_freeze_list(args: argparse.Namespace) -> int:
    from app.services.freeze import list_freezes

    with unlocked(args) as ctx:
        found = list_freezes(ctx, args.codename)
    if args.json:
        print_json([_freeze_document(i) for i in found])
    elif not found:
        print("No freeze requests yet; draft one from a saved trace with 'jointops freeze "
              "draft'.")
    else:
        print_table(("ID", "STATUS", "URGENCY", "AMOUNT", "FROZEN", "ADDRESS", "ADDRESSEE",
                     "TO FREEZE"),
                    [(i.id, i.status, i.urgency, f"{plain(i.amount)} {i.asset}",
                      plain(i.frozen_amount) if i.frozen_at else "", i.address,
                      i.addressee[:40], _duration(i.time_to_freeze) or "") for i in found])
    return 0


def cmd_freeze_draft(args: argparse.Namespace) -> int:
    from app.services.freeze import draft_freeze, freeze_detail
    from app.services.money import list_traces

    at = _instant("--at", args.at)
    with unlocked(args) as ctx:
        if args.trace not in {t.id for t in list_traces(ctx, args.codename)}:
            raise KnownError(f"Operation {args.codename} has no saved trace {args.trace!r}; "
                             "'jointops money traces CODENAME' lists them.")
        request_id, _change = draft_freeze(
            ctx, args.trace, args.wallet, legal_basis=args.legal_basis, asset=args.asset,
            urgency=args.urgency, addressee=args.addressee, amount=args.amount, at=at)
        info = freeze_detail(ctx, request_id).info
    if args.json:
        print_json(_freeze_document(info))
    else:
        print(f"Drafted freeze request {info.id}: {plain(info.amount)} {info.asset} at "
              f"{info.address}, to {info.addressee}.")
    return 0


def cmd_freeze_set_status(args: argparse.Namespace) -> int:
    from app.services.freeze import freeze_detail, set_freeze_status

    at = _instant("--at", args.at)
    with unlocked(args) as ctx:
        set_freeze_status(ctx, args.id, args.status, at=at, frozen_amount=args.frozen_amount,
                          note=args.note)
        info = freeze_detail(ctx, args.id).info
    print(f"Freeze request {info.id} is {info.status}"
          + (f": {plain(info.frozen_amount)} {info.asset} frozen"
             if info.status in ("frozen", "partly frozen") else "") + ".")
    return 0


def cmd_freeze_show(args: argparse.Namespace) -> int:
    from app.services.freeze import freeze_detail

    with unlocked(args) as ctx:
        detail = freeze_detail(ctx, args.id)
    steps = [{"status": s.status, "at": utc_text(s.at), "frozen_amount": s.frozen_amount,
              "note": s.note, "agency": s.agency} for s in detail.steps]
    if args.json:
        print_json({**_freeze_document(detail.info), "operation": detail.codename,
                    "steps": steps, "basis": detail.basis})
        return 0
    info = detail.info
    print(f"Freeze request {info.id} ({detail.codename}), {info.status}, {info.urgency}")
    print(f"  To: {info.addressee}")
    print(f"  Wallet: {info.address} ({info.chain}) {info.wallet_label}".rstrip())
    print(f"  Amount: {plain(info.amount)} {info.asset}; legal basis: {info.legal_basis}")
    if detail.basis:
        print(f"  Basis: {detail.basis.get('statement', '')}")
    print_table(("STEP", "AT (UTC)", "FROZEN", "BY", "NOTE"),
                [(s["status"], s["at"], s["frozen_amount"], s["agency"], s["note"])
                 for s in steps], indent="  ")
    return 0


def cmd_freeze_pdf(args: argparse.Namespace) -> int:
    from app.services.freeze import freeze_detail
    from app.services.freeze_pdf import write_freeze_pdf

    target = new_file(args.file)
    with unlocked(args) as ctx:
        detail = freeze_detail(ctx, args.id)
    write_freeze_pdf(detail, target)
    print(f"Wrote {target}.")
    return 0


# ---- registration ----------------------------------------------------------------------


def _hops(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_HOPS:
        raise argparse.ArgumentTypeError(f"hops must be 1 to {MAX_HOPS}")
    return value


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    wallet = sub.add_parser("wallet", help="check a wallet address (no store needed)")
    wcmds = wallet.add_subparsers(dest="wallet_command", metavar="COMMAND", required=True)
    check = wcmds.add_parser(
        "check", help="check an address on a chain: exit 0 valid, 1 not, with the reason",
        description="Check a wallet address: checksum, length, network. CHAIN: bitcoin, "
        "ethereum (and EVM chains), tron, litecoin, or btc, eth, trx, ltc, in any case.")
    check.add_argument("chain", metavar="CHAIN")
    check.add_argument("address", metavar="ADDRESS")
    check.add_argument("--testnet", action="store_true",
                       help="expect a testnet address (Bitcoin, Litecoin)")
    check.add_argument("--json", action="store_true", help="one JSON document on stdout")
    check.set_defaults(func=cmd_wallet_check)

    money = sub.add_parser("money", help="follow the money: import, labels, trace, summary")
    mcmds = money.add_subparsers(dest="money_command", metavar="COMMAND", required=True)
    imp = mcmds.add_parser(
        "import", help="import transfers from CSV or JSON (all or nothing)",
        description="Import transfers (tx hash, chain, from, to, asset, amount, time) into an "
        "operation. One transaction: a refused row (with its line and reason) means nothing "
        "is imported. Transfers already in the operation are skipped.")
    imp.add_argument("codename", metavar="CODENAME")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--chain", help="the chain of every row, when the file has no chain column")
    imp.add_argument("--map", action="append", metavar="COLUMN=HEADER",
                     help="which header holds one of our columns (tx_hash, chain, from, to, "
                     "asset, amount, time); may be repeated; the others are guessed")
    imp.add_argument("--tlp", default="AMBER", help="marking of the transfers (default AMBER)")
    imp.add_argument("--json", action="store_true", help="one JSON document on stdout")
    imp.set_defaults(func=cmd_money_import)
    labels = mcmds.add_parser(
        "labels", help="import address labels (CSV, JSON or a GraphSense TagPack .yaml)",
        description="Import labels of addresses: exchange, mixer, bridge, dex, victim, "
        "suspect, each with its source. Bridge addresses with the same name on two chains "
        "are the two ends of one bridge.")
    labels.add_argument("codename", metavar="CODENAME")
    labels.add_argument("file", type=Path, metavar="FILE")
    labels.add_argument("--source", default="", help="the source of rows that name none")
    labels.add_argument("--map", action="append", metavar="COLUMN=HEADER",
                        help="which header holds one of our columns (chain, address, category, "
                        "name, source, country, contact)")
    labels.add_argument("--tlp", default="AMBER", help="marking of the labels (default AMBER)")
    labels.add_argument("--json", action="store_true", help="one JSON document on stdout")
    labels.set_defaults(func=cmd_money_labels)
    trace = mcmds.add_parser(
        "trace", help="trace from wallets to endpoints (poison, haircut or FIFO)",
        description="Trace forward (where the money went) or backward (where it came from) "
        "from one or more wallets, stopping at labelled services and crossing labelled "
        "bridges. The method is stated on every result.")
    trace.add_argument("codename", metavar="CODENAME")
    trace.add_argument("--from", dest="seeds", action="append", required=True,
                       metavar="ADDRESS", help="a wallet to trace from (or CHAIN:ADDRESS); "
                       "may be repeated")
    trace.add_argument("--method", required=True, type=str.lower, choices=METHODS)
    trace.add_argument("--hops", type=_hops, default=DEFAULT_HOPS,
                       help=f"most transfers followed from a seed (default {DEFAULT_HOPS})")
    trace.add_argument("--backward", action="store_true",
                       help="where the seeds' money came from, instead of where it went")
    trace.add_argument("--min-amount", default="0", metavar="AMOUNT",
                       help="transfers carrying less than this are not followed")
    trace.add_argument("--since", metavar="TIME", help="ignore transfers before (ISO 8601)")
    trace.add_argument("--until", metavar="TIME", help="ignore transfers after (ISO 8601)")
    trace.add_argument("--save", action="store_true",
                       help="keep the trace, as the basis of freeze requests")
    trace.add_argument("--csv", type=Path, metavar="FILE", help="also write the endpoints here")
    trace.add_argument("--json", action="store_true", help="one JSON document on stdout")
    trace.set_defaults(func=cmd_money_trace)
    traces = mcmds.add_parser("traces", help="list the operation's saved traces")
    traces.add_argument("codename", metavar="CODENAME")
    traces.add_argument("--json", action="store_true", help="one JSON document on stdout")
    traces.set_defaults(func=cmd_money_traces)
    summary = mcmds.add_parser(
        "summary", help="value traced, requested, frozen; time from request to freeze")
    summary.add_argument("codename", metavar="CODENAME")
    summary.add_argument("--json", action="store_true", help="one JSON document on stdout")
    summary.set_defaults(func=cmd_money_summary)

    freeze = sub.add_parser("freeze", help="freeze requests: list, draft, status, PDF")
    fcmds = freeze.add_subparsers(dest="freeze_command", metavar="COMMAND", required=True)
    flist = fcmds.add_parser("list", help="the operation's freeze requests")
    flist.add_argument("codename", metavar="CODENAME")
    flist.add_argument("--json", action="store_true", help="one JSON document on stdout")
    flist.set_defaults(func=cmd_freeze_list)
    draft = fcmds.add_parser(
        "draft", help="draft a request from an endpoint of a saved trace",
        description="Draft a freeze request for a wallet where a saved forward trace ends. "
        "The addressee is the exchange's compliance contact, else the financial intelligence "
        "unit of its country, unless given.")
    draft.add_argument("codename", metavar="CODENAME")
    draft.add_argument("--trace", required=True, metavar="ID", help="the saved trace")
    draft.add_argument("--wallet", required=True, metavar="ADDRESS",
                       help="the endpoint's address")
    draft.add_argument("--legal-basis", required=True, metavar="TEXT")
    draft.add_argument("--asset", help="which asset, when the wallet received several")
    draft.add_argument("--urgency", default="urgent", type=str.lower,
                       choices=("routine", "urgent", "immediate"))
    draft.add_argument("--addressee", metavar="TEXT", help="whom to send it to, if not the "
                       "labelled contact or FIU")
    draft.add_argument("--amount", help="less than traced, if so")
    draft.add_argument("--at", metavar="TIME", help="when it was drafted, if not now")
    draft.add_argument("--json", action="store_true", help="one JSON document on stdout")
    draft.set_defaults(func=cmd_freeze_draft)
    status = fcmds.add_parser(
        "set-status", help="record the next step: sent, acknowledged, frozen, partly frozen, "
        "rejected, released")
    status.add_argument("id", metavar="ID")
    status.add_argument("status", metavar="STATUS", type=str.lower,
                        choices=("sent", "acknowledged", "frozen", "partly frozen", "rejected",
                                 "released"))
    status.add_argument("--at", metavar="TIME", help="when (ISO 8601 with Z; default now)")
    status.add_argument("--frozen-amount", metavar="AMOUNT",
                        help="what was frozen (needed for 'partly frozen')")
    status.add_argument("--note", default="")
    status.set_defaults(func=cmd_freeze_set_status)
    show = fcmds.add_parser("show", help="one request, its basis and its history")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true", help="one JSON document on stdout")
    show.set_defaults(func=cmd_freeze_show)
    pdf = fcmds.add_parser("pdf", help="print a request to PDF")
    pdf.add_argument("id", metavar="ID")
    pdf.add_argument("file", type=Path, metavar="FILE.pdf")
    pdf.set_defaults(func=cmd_freeze_pdf)
