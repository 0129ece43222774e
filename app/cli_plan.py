"""The plan commands: the H-hour of an operation across time zones, and the briefing
pack of one participating agency."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.cli_identity import agency_id
from app.cli_output import new_file, print_json, print_table, short_utc, utc_text
from app.cli_secrets import unlocked
from app.core.errors import UsageError
from app.services.timing import (
    ActionTime,
    TimingReport,
    date_range,
    parse_instant,
    plan_timing,
    set_h_hour,
)

WINDOWS_SHOWN = 10
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def day(option: str, text: str | None) -> date | None:
    """A YYYY-MM-DD date, or a usage error (exit 2) before anything is unlocked."""
    if text is None:
        return None
    try:
        if not _DAY.match(text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date such as 2026-03-29.") from None


def instant(text: str) -> datetime:
    """An H-hour: malformed text is a usage error (2); one without Z or an offset is
    refused by the service as a known error (1), since it cannot be guessed."""
    try:
        datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--set-h-hour {text!r} is not an ISO 8601 time such as "
                         "2026-03-29T01:30:00Z.") from None
    return parse_instant(text)


def _local(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _width(start: datetime, end: datetime) -> str:
    minutes = int((end - start).total_seconds()) // 60
    return f"{minutes // 60}h{minutes % 60:02d}"


def timing_document(report: TimingReport) -> dict[str, Any]:
    labels = {a.id: _label(a) for a in report.actions}
    partners: dict[str, list[str]] = {}
    for a, b in report.conflict_ids:
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    retime = set(report.retime_ids)
    return {
        "operation": report.codename, "h_hour": utc_text(report.h_hour),
        "range": {"start": utc_text(report.start), "end": utc_text(report.end)},
        "feasible": report.feasible,
        "actions": [{"id": a.id, "target": a.target, "action": a.action, "site": a.site,
                     "country": a.country, "zone": a.zone, "offset_min": a.offset_min,
                     "utc_start": utc_text(a.utc_start), "local_start": _local(a.local_start),
                     "utc_offset": a.utc_offset or None, "lawful": a.lawful, "rule": a.rule,
                     "rule_source": a.rule_source, "authorisation": a.authorisation or None,
                     "state": a.state, "ambiguous": a.ambiguous,
                     "conflicts": partners.get(a.id, []), "to_retime": a.id in retime}
                    for a in report.actions],
        "windows": [{"start": utc_text(s), "end": utc_text(e)} for s, e in report.windows],
        "conflicts": [{"actions": [a, b], "labels": [labels.get(a, a), labels.get(b, b)]}
                      for a, b in report.conflict_ids],
        "to_retime": [{"id": i, "label": labels.get(i, i)} for i in report.retime_ids],
    }


def _label(a: ActionTime) -> str:
    return f"{a.action} {a.target}" + (f" at {a.site}" if a.site else "")


def print_timing(report: TimingReport) -> None:
    last = report.end - timedelta(days=1)
    print(f"Operation {report.codename}, H-hour {utc_text(report.h_hour) or 'not set'}; "
          f"windows searched over the UTC days {report.start:%Y-%m-%d} to {last:%Y-%m-%d}.")
    print()
    if report.windows:
        print("H-hour windows in which every action is lawful (widest first):")
        shown = report.windows[:WINDOWS_SHOWN]
        print_table(("#", "FROM (UTC)", "TO (UTC)", "WIDTH"),
                    [(i, short_utc(s), short_utc(e), _width(s, e))
                     for i, (s, e) in enumerate(shown, start=1)], indent="  ")
        if len(report.windows) > len(shown):
            print(f"  … and {len(report.windows) - len(shown)} more (--json lists them all).")
    elif report.actions:
        print("No H-hour in this range makes every action lawful.")
        if report.conflicts:
            print("These actions are never lawful at the same H-hour:")
            for a, b in report.conflicts:
                print(f"  {a}  <->  {b}")
        if report.to_retime:
            print(f"Fewest actions to re-time or authorise ({len(report.to_retime)}):")
            for label in report.to_retime:
                print(f"  {label}")
    print()
    if not report.actions:
        print("The operation has no actions yet.")
        return
    print("Actions" + (" (local start at each site)" if report.h_hour else
                       " (set an H-hour to see local starts)") + ":")
    print_table(("TARGET", "ACTION", "SITE", "ZONE", "OFFSET", "UTC START", "LOCAL START",
                 "RULE", "STATE"),
                [(a.target, a.action, f"{a.site} ({a.country})" if a.site else "",
                  a.zone, f"H{a.offset_min:+d}m", short_utc(a.utc_start),
                  (f"{a.local_start:%Y-%m-%d %H:%M} UTC{a.utc_offset}"
                   + (" (occurs twice)" if a.ambiguous else "")) if a.local_start else "",
                  a.rule + (f"; authorised {a.authorisation}" if a.authorisation else ""),
                  a.state) for a in report.actions], indent="  ")


def cmd_plan_timing(args: argparse.Namespace) -> int:
    start, end = day("--from", args.start), day("--to", args.end)
    date_range(start, end)  # an empty or too long range is refused before unlocking
    h_hour = instant(args.set_h_hour) if args.set_h_hour is not None else None
    with unlocked(args) as ctx:
        report = plan_timing(ctx, args.codename, start, end)
        if h_hour is not None:
            # Planned first, so that a plan that cannot be computed sets nothing.
            set_h_hour(ctx, args.codename, h_hour)
            report = plan_timing(ctx, args.codename, start, end)
    if args.json:
        print_json(timing_document(report))
        return 0
    if h_hour is not None:
        print(f"Set the H-hour of {report.codename} to {utc_text(h_hour)}.")
        unlawful = [a for a in report.actions if a.lawful is False]
        if unlawful:
            print(f"Warning: {len(unlawful)} action(s) would start outside their lawful "
                  "hours at this H-hour (see STATE below).")
    print_timing(report)
    return 0


def cmd_plan_briefing(args: argparse.Namespace) -> int:
    from app.services.briefing import build_briefing
    from app.services.briefing_pdf import write_briefing_pdf

    target = new_file(args.output)
    with unlocked(args) as ctx:
        briefing = build_briefing(ctx, args.codename, agency_id(ctx, args.agency))
    write_briefing_pdf(briefing, target)
    print(f"Wrote the briefing of operation {briefing.codename} for {briefing.agency} to "
          f"{target} (TLP:{briefing.marking}; H-hour {briefing.h_hour_local_text}; "
          f"{len(briefing.actions)} actions, {len(briefing.targets)} targets, "
          f"{briefing.withheld} withheld).")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = sub.add_parser("plan", help="H-hour across time zones, briefing packs")
    cmds = plan.add_subparsers(dest="plan_command", metavar="COMMAND", required=True)
    timing = cmds.add_parser(
        "timing", help="lawful H-hour windows and every action's local start",
        description="The H-hour windows in which every action starts within its site's "
        "search hours, ranked widest first, and each action's start in UTC and local "
        "time. Dates are UTC days; the default range is the next 14 days.")
    timing.add_argument("codename", metavar="CODENAME")
    timing.add_argument("--from", dest="start", metavar="YYYY-MM-DD",
                        help="first day searched (default: today)")
    timing.add_argument("--to", dest="end", metavar="YYYY-MM-DD",
                        help="last day searched (default: 13 days after --from)")
    timing.add_argument("--set-h-hour", metavar="INSTANT",
                        help="set the H-hour first: ISO 8601 with Z or an offset, such as "
                        "2026-03-29T01:30:00Z")
    timing.add_argument("--json", action="store_true", help="one JSON document on stdout")
    timing.set_defaults(func=cmd_plan_timing)
    briefing = cmds.add_parser(
        "briefing", help="the PDF briefing pack of one participating agency",
        description="Write the briefing pack of one agency: H-hour in its local time, its "
        "own actions, the other agencies' contacts, and only the targets it may see.")
    briefing.add_argument("codename", metavar="CODENAME")
    briefing.add_argument("--agency", required=True, metavar="AGENCY",
                          help="the agency's name or id")
    briefing.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    briefing.set_defaults(func=cmd_plan_briefing)
