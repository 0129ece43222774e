"""What the Timing tab says above the matrix: whether the plan can work, and if not, what
stands in the way and the least to change. Plain functions of a report, no widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from app.core.countries import country as find_country
from app.core.timing import Interval
from app.services.timing import ActionTime, TimingReport

# Banner colours: background, border.
LEVELS = {"bad": ("#fdecea", "#c62828"), "warn": ("#fff4e5", "#ef6c00"),
          "good": ("#edf7ed", "#2e7d32"), "info": ("#e8f1fb", "#1f5fa8")}
MAX_LISTED = 6


@dataclass(frozen=True)
class Banner:
    level: str
    html: str
    details: str = ""  # the full lists, for a tooltip


def span_text(window: Interval) -> str:
    a, b = window
    width = b - a
    hours, rest = divmod(int(width.total_seconds()) // 60, 60)
    end = f"{b:%H:%M}" if b - a < timedelta(days=1) and a.date() == b.date() else \
        f"{b:%a %d %b %H:%M}"
    return f"{a:%a %d %b %H:%M}–{end} UTC ({hours} h {rest:02d} min)"


def action_label(action: ActionTime) -> str:
    where = f" at {action.site} ({action.country})" if action.site else ""
    return f"{action.action} {action.target}{where}"


def _listed(items: list[str]) -> str:
    shown = ", ".join(escape(i) for i in items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _country_name(code: str) -> str:
    found = find_country(code) if code else None
    return found.name if found else (code or "no site")


def _counted(counts: dict[str, int], unit: str) -> list[str]:
    return [f"{name} ({n} {unit}{'s' if n != 1 else ''})" if n > 1 else name
            for name, n in counts.items()]


def conflict_summary(report: TimingReport) -> tuple[list[str], list[str]]:
    """The conflicts by pair of countries, and the fewest actions to move by site: a
    commander reads "Angola ↔ Kenya", not ninety pairs of actions."""
    by_id = {a.id: a for a in report.actions}
    pairs: dict[str, int] = {}
    for a, b in report.conflict_ids:
        names = sorted((_country_name(by_id[a].country), _country_name(by_id[b].country)))
        key = " ↔ ".join(names)
        pairs[key] = pairs.get(key, 0) + 1
    sites: dict[str, int] = {}
    for i in report.retime_ids:
        action = by_id[i]
        key = f"{action.site} ({action.country})" if action.site else "no site"
        sites[key] = sites.get(key, 0) + 1
    ordered = dict(sorted(pairs.items(), key=lambda kv: -kv[1]))
    return _counted(ordered, "pair"), [f"{n} at {site}" for site, n in sites.items()]


def _unknown_note(report: TimingReport) -> str:
    codes = sorted({a.country for a in report.actions
                    if a.rule == "rule not known" and not a.authorisation and a.country})
    if not codes:
        return ""
    names = [c.name if (c := find_country(code)) else code for code in codes]
    count = sum(1 for a in report.actions if a.rule == "rule not known" and not a.authorisation)
    return (f"<br>{count} action(s) are in {escape(', '.join(names))}, whose search hours "
            "JointOps does not know: they are not checked. Confirm them with the local "
            "agency, or record the rule with <i>Edit rule…</i>")


def banner(report: TimingReport) -> Banner:
    range_text = f"{report.start:%d %b} to {(report.end - timedelta(days=1)):%d %b %Y}"
    unknown = _unknown_note(report)
    if not report.actions:
        return Banner("info", "This operation has no actions yet: add them under "
                              "<i>Targets &amp; sites</i>.")
    if not report.feasible:
        by_id = {a.id: a for a in report.actions}
        countries, sites = conflict_summary(report)
        text = (f"<b>No H-hour from {range_text} lets every action start lawfully.</b>")
        if countries:
            text += f"<br>Never lawful together: actions in {_listed(countries)}."
        fewest = [action_label(by_id[i]) for i in report.retime_ids]
        what = (escape(fewest[0]) if len(fewest) == 1 else
                f"the actions {_listed(sites)}")
        text += (f"<br><b>Fewest to re-time or authorise ({len(fewest)}):</b> {what}. "
                 "Change their offsets under <i>Targets &amp; sites</i>, or record a "
                 "court's authorisation with <i>Authorise…</i>")
        pairs = [f"{action_label(by_id[a])} ↔ {action_label(by_id[b])}"
                 for a, b in report.conflict_ids]
        details = ("Never lawful together:\n" + "\n".join(pairs[:40])
                   + (f"\n… and {len(pairs) - 40} more" if len(pairs) > 40 else "")
                   + "\n\nFewest to re-time or authorise:\n" + "\n".join(fewest))
        return Banner("bad", text + unknown, details)
    best = (f"Best window: {span_text(report.windows[0])}; "
            f"{len(report.windows)} window(s) from {range_text}.")
    if report.h_hour is None:
        return Banner("info", "<b>No H-hour set yet.</b> " + best
                      + " Click inside a gold band of the matrix to set it." + unknown)
    outside = [action_label(a) for a in report.actions if a.state == "outside window"]
    in_range = report.start <= report.h_hour < report.end
    where = "" if in_range else " (outside the dates shown)"
    if outside:
        return Banner("bad", f"<b>At H-hour {report.h_hour:%a %d %b %H:%M} UTC{where}, "
                             f"{len(outside)} action(s) would start outside their lawful "
                             f"hours:</b> {_listed(outside)}.<br>" + best + unknown)
    return Banner("warn" if unknown else "good",
                  f"<b>Every action starts within its lawful hours at H-hour "
                  f"{report.h_hour:%a %d %b %H:%M} UTC{where}.</b> " + best + unknown)


def blocked_at(report: TimingReport, allowed: dict[str, list[Interval]],
               when: datetime) -> list[str]:
    """The actions that would start outside their lawful hours at H-hour ``when``."""
    return [action_label(a) for a in report.actions
            if a.id in allowed and not any(lo <= when < hi for lo, hi in allowed[a.id])]
