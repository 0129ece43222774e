"""The outcomes commands: outcomes CODENAME [CODENAME ...]; victim list | add | delete;
asset list | add | delete (assets seized, frozen, recovered, returned)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.cli_output import print_json, print_table
from app.cli_secrets import unlocked
from app.core.tracing import plain

if TYPE_CHECKING:
    from app.services.outcomes import Outcomes


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(round(value, 4))


def outcomes_document(o: Outcomes) -> dict[str, Any]:
    """Stable keys; values are exact decimal strings, durations in seconds."""
    return {
        "operation": o.codename, "operation_id": o.operation_id, "currency": o.currency,
        "arrests": {"done": o.arrests, "planned": o.arrests_planned},
        "sites": {"shut_down": o.sites_shut_down, "total": o.sites},
        "values": {"seized": plain(o.seized), "frozen": plain(o.frozen),
                   "recovered": plain(o.recovered), "returned": plain(o.returned)},
        "freezes": {"frozen_requests": o.frozen_requests, "valued": o.frozen_valued,
                    "time_to_freeze_median_s": _seconds(o.time_to_freeze_median),
                    "time_to_freeze_p90_s": _seconds(o.time_to_freeze_p90)},
        "victims": {"identified": o.victims, "repaid": o.victims_repaid,
                    "loss": plain(o.loss), "repaid_value": plain(o.repaid),
                    "restitution_rate": _rate(o.restitution_rate)},
        "assets": [{"asset": a.asset, "traced": plain(a.traced),
                    "requested": plain(a.requested), "frozen": plain(a.frozen),
                    "seized": plain(a.seized), "recovered": plain(a.recovered),
                    "returned": plain(a.returned)} for a in o.assets],
        "by_country": [{"country": c.country, "arrests": c.arrests,
                        "sites_shut_down": c.sites_shut_down, "seized": plain(c.seized),
                        "frozen": plain(c.frozen), "recovered": plain(c.recovered),
                        "returned": plain(c.returned), "victims": c.victims,
                        "victims_repaid": c.victims_repaid, "loss": plain(c.loss),
                        "repaid_value": plain(c.repaid),
                        "restitution_rate": _rate(c.restitution_rate),
                        "frozen_requests": c.freezes,
                        "time_to_freeze_median_s": _seconds(c.time_to_freeze_median),
                        "time_to_freeze_p90_s": _seconds(c.time_to_freeze_p90)}
                       for c in o.by_country],
        "left_out_other_currency": dict(sorted(o.other_currency.items())),
    }


def _print_outcomes(o: Outcomes) -> None:
    from app.services.outcomes import duration_text, rate_text, value_text

    cur = o.currency
    print(f"Outcomes of {o.codename} (values in {cur})")
    print(f"  Arrests done: {o.arrests} of {o.arrests_planned} planned")
    print(f"  Sites shut down: {o.sites_shut_down} of {o.sites}")
    print(f"  Seized: {value_text(o.seized)} {cur}; recovered: {value_text(o.recovered)} "
          f"{cur}; returned: {value_text(o.returned)} {cur}")
    print(f"  Frozen: {o.frozen_requests} requests frozen now; {o.frozen_valued} valued at "
          f"{value_text(o.frozen)} {cur}")
    print(f"  Victims: {o.victims} identified, {o.victims_repaid} repaid; restitution "
          f"{rate_text(o.restitution_rate)} ({value_text(o.repaid)} of "
          f"{value_text(o.loss)} {cur})")
    print(f"  Time from request to freeze: median {duration_text(o.time_to_freeze_median)}, "
          f"90th percentile {duration_text(o.time_to_freeze_p90)}")
    if o.other_currency:
        left = ", ".join(f"{n} in {code}" for code, n in sorted(o.other_currency.items()))
        print(f"  Left out of the {cur} sums (not converted): {left}")
    if o.by_country:
        print()
        print_table(("COUNTRY", "ARRESTS", "SITES SHUT", f"SEIZED {cur}", f"FROZEN {cur}",
                     f"RECOVERED {cur}", f"RETURNED {cur}", "VICTIMS", "REPAID",
                     "RESTITUTION", "FREEZE MEDIAN", "FREEZE P90"),
                    [(c.country, c.arrests, c.sites_shut_down, value_text(c.seized),
                      value_text(c.frozen), value_text(c.recovered), value_text(c.returned),
                      c.victims, c.victims_repaid, rate_text(c.restitution_rate),
                      duration_text(c.time_to_freeze_median),
                      duration_text(c.time_to_freeze_p90)) for c in o.by_country])
    if o.assets:
        print()
        print_table(("ASSET", "TRACED", "REQUESTED", "FROZEN", "SEIZED", "RECOVERED",
                     "RETURNED"),
                    [(a.asset, plain(a.traced), plain(a.requested), plain(a.frozen),
                      plain(a.seized), plain(a.recovered), plain(a.returned))
                     for a in o.assets])


def cmd_outcomes(args: argparse.Namespace) -> int:
    from app.services.outcomes import compare, duration_text, rate_text, value_text

    with unlocked(args) as ctx:
        result = compare(ctx, args.codenames, args.currency)
    if len(result.operations) == 1:
        only = result.operations[0]
        if args.json:
            print_json(outcomes_document(only))
        else:
            _print_outcomes(only)
        return 0
    if args.json:
        print_json({"currency": result.currency,
                    "operations": [outcomes_document(o) for o in result.operations]})
        return 0
    cur = result.currency
    print(f"Operations side by side (values in {cur})")
    print_table(("OPERATION", "ARRESTS", "SITES SHUT", f"SEIZED {cur}", f"FROZEN {cur}",
                 f"RECOVERED {cur}", f"RETURNED {cur}", "VICTIMS", "RESTITUTION",
                 "FREEZE MEDIAN", "FREEZE P90"),
                [(o.codename, o.arrests, o.sites_shut_down, value_text(o.seized),
                  value_text(o.frozen), value_text(o.recovered), value_text(o.returned),
                  o.victims, rate_text(o.restitution_rate),
                  duration_text(o.time_to_freeze_median), duration_text(o.time_to_freeze_p90))
                 for o in result.operations])
    return 0


# ---- victims and assets ----------------------------------------------------------------------


def _operation_id(ctx: Any, codename: str) -> str:
    from app.services.operations import overview

    return overview(ctx, codename).summary.id


def cmd_victim_add(args: argparse.Namespace) -> int:
    from app.services import outcome_records as records

    values = records.victim_values(
        reference=args.reference, country=args.country, loss=args.loss,
        currency=args.currency, identified_on=args.identified, repaid=args.repaid or "0",
        repaid_on=args.repaid_on or "", tlp=args.tlp)
    with unlocked(args) as ctx:
        victim_id, _ = records.add_record(ctx, "victim", _operation_id(ctx, args.codename),
                                          values)
    print(f"Recorded victim {values['reference']} ({victim_id}).")
    return 0


def cmd_victim_list(args: argparse.Namespace) -> int:
    from app.services import outcome_records as records

    with unlocked(args) as ctx:
        rows = records.list_victims(ctx, _operation_id(ctx, args.codename))
    if args.json:
        print_json([{"id": v.id, "reference": v.reference, "country": v.country,
                     "loss": plain(v.loss), "currency": v.currency, "repaid": plain(v.repaid),
                     "identified_on": v.identified_on, "repaid_on": v.repaid_on or None,
                     "tlp": v.tlp, "owner": v.owner} for v in rows])
    elif not rows:
        print("No victims recorded yet; add one with 'jointops victim add'.")
    else:
        print_table(("ID", "REFERENCE", "COUNTRY", "LOSS", "REPAID", "IDENTIFIED", "REPAID ON",
                     "OWNER"),
                    [(v.id, v.reference, v.country, f"{plain(v.loss)} {v.currency}",
                      f"{plain(v.repaid)} {v.currency}", v.identified_on, v.repaid_on,
                      v.owner) for v in rows])
    return 0


def cmd_asset_add(args: argparse.Namespace) -> int:
    from app.services import outcome_records as records

    kind, source = ("action", args.from_action) if args.from_action else (
        ("freeze_request", args.from_freeze) if args.from_freeze else ("", None))
    values = records.asset_values(
        stage=args.stage, asset=args.asset, amount=args.amount, country=args.country,
        on=args.on, value=args.value or "", currency=args.currency or "", source_kind=kind,
        source_id=source, note=args.note, tlp=args.tlp)
    with unlocked(args) as ctx:
        record_id, _ = records.add_record(ctx, "asset_record",
                                          _operation_id(ctx, args.codename), values)
    print(f"Recorded {values['stage']} {values['amount']} {values['asset']} ({record_id}).")
    return 0


def cmd_asset_list(args: argparse.Namespace) -> int:
    from app.services import outcome_records as records

    with unlocked(args) as ctx:
        rows = records.list_asset_records(ctx, _operation_id(ctx, args.codename))
    if args.json:
        print_json([{"id": a.id, "stage": a.stage, "asset": a.asset, "amount": plain(a.amount),
                     "value": plain(a.value) if a.value is not None else None,
                     "currency": a.currency or None, "country": a.country, "on": a.on,
                     "source_kind": a.source_kind or None, "source_id": a.source_id,
                     "note": a.note, "tlp": a.tlp, "owner": a.owner} for a in rows])
    elif not rows:
        print("No assets recorded yet; add one with 'jointops asset add'.")
    else:
        print_table(("ID", "STAGE", "AMOUNT", "VALUE", "COUNTRY", "ON", "FROM"),
                    [(a.id, a.stage, f"{plain(a.amount)} {a.asset}",
                      f"{plain(a.value)} {a.currency}" if a.value is not None else "",
                      a.country, a.on, a.source[:50]) for a in rows])
    return 0


def _cmd_delete(kind: str, what: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from app.services import outcome_records as records

        with unlocked(args) as ctx:
            records.record_values(ctx, kind, args.id, [])  # a known error if there is none
            records.set_deleted(ctx, kind, args.id, True)
        print(f"Deleted the {what} {args.id}.")
        return 0
    return run


# ---- registration ----------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outcomes = sub.add_parser(
        "outcomes", help="an operation's outcomes, or several side by side",
        description="Arrests done, sites shut down, value seized, frozen, recovered and "
        "returned, victims and restitution, time from request to freeze, by country; "
        "with several codenames, the operations side by side. Values are summed in one "
        "currency; records in another are counted apart, never converted.")
    outcomes.add_argument("codenames", nargs="+", metavar="CODENAME")
    outcomes.add_argument("--currency", metavar="CODE",
                          help="the reporting currency (default: the one most values are in)")
    outcomes.add_argument("--json", action="store_true", help="one JSON document on stdout")
    outcomes.set_defaults(func=cmd_outcomes)

    victim = sub.add_parser("victim", help="an operation's victims (by reference): list, "
                            "add, delete")
    vcmds = victim.add_subparsers(dest="victim_command", metavar="COMMAND", required=True)
    vlist = vcmds.add_parser("list", help="the operation's victims")
    vlist.add_argument("codename", metavar="CODENAME")
    vlist.add_argument("--json", action="store_true", help="one JSON document on stdout")
    vlist.set_defaults(func=cmd_victim_list)
    vadd = vcmds.add_parser(
        "add", help="record a victim by its complaint or case reference",
        description="Record a victim: a complaint or case reference (never a name), the "
        "country, the loss and its currency, when identified, and what was repaid.")
    vadd.add_argument("codename", metavar="CODENAME")
    vadd.add_argument("--reference", required=True, help="complaint or case number")
    vadd.add_argument("--country", required=True, metavar="CC")
    vadd.add_argument("--loss", required=True, metavar="AMOUNT")
    vadd.add_argument("--currency", required=True, metavar="CODE")
    vadd.add_argument("--identified", required=True, metavar="YYYY-MM-DD")
    vadd.add_argument("--repaid", metavar="AMOUNT", help="repaid so far, in the same currency")
    vadd.add_argument("--repaid-on", metavar="YYYY-MM-DD")
    vadd.add_argument("--tlp", default="AMBER", help="marking (default AMBER)")
    vadd.set_defaults(func=cmd_victim_add)
    vdel = vcmds.add_parser("delete", help="delete a victim record of this agency")
    vdel.add_argument("id", metavar="ID")
    vdel.set_defaults(func=_cmd_delete("victim", "victim"))

    asset = sub.add_parser("asset", help="assets seized, frozen (valued), recovered, "
                           "returned: list, add, delete")
    acmds = asset.add_subparsers(dest="asset_command", metavar="COMMAND", required=True)
    alist = acmds.add_parser("list", help="the operation's asset records")
    alist.add_argument("codename", metavar="CODENAME")
    alist.add_argument("--json", action="store_true", help="one JSON document on stdout")
    alist.set_defaults(func=cmd_asset_list)
    aadd = acmds.add_parser(
        "add", help="record an asset seized, frozen (its value), recovered or returned",
        description="Record an amount of an asset at a stage, in a country on a day, with "
        "its value in the reporting currency when known, and the seizure action or the "
        "freeze request it comes from. 'frozen' gives the value of a freeze request.")
    aadd.add_argument("codename", metavar="CODENAME")
    aadd.add_argument("--stage", required=True, type=str.lower,
                      choices=("seized", "frozen", "recovered", "returned"))
    aadd.add_argument("--asset", required=True, help="BTC, USDT, cash KES, vehicles, ...")
    aadd.add_argument("--amount", required=True)
    aadd.add_argument("--country", required=True, metavar="CC")
    aadd.add_argument("--on", required=True, metavar="YYYY-MM-DD")
    aadd.add_argument("--value", metavar="AMOUNT", help="its value in --currency")
    aadd.add_argument("--currency", metavar="CODE")
    source = aadd.add_mutually_exclusive_group()
    source.add_argument("--from-action", metavar="ID", help="the seizure it comes from")
    source.add_argument("--from-freeze", metavar="ID", help="the freeze request it comes from")
    aadd.add_argument("--note", default="")
    aadd.add_argument("--tlp", default="AMBER", help="marking (default AMBER)")
    aadd.set_defaults(func=cmd_asset_add)
    adel = acmds.add_parser("delete", help="delete an asset record of this agency")
    adel.add_argument("id", metavar="ID")
    adel.set_defaults(func=_cmd_delete("asset_record", "asset record"))
