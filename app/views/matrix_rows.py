"""The rows of the synchronisation matrix: one per site, grouped by country, worked out
from a timing report and its per-action windows (no drawing here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.countries import country as find_country
from app.core.timing import Interval, offset_text, zone_of
from app.services.timing import ActionTime, ActionWindows, TimingReport

# How a row's windows come about, which the matrix shades differently: a rule that was
# checked, a rule nobody knows (the planner lets it pass), or an authorisation.
CHECKED, UNKNOWN, AUTHORISED = "checked", "unknown", "authorised"


@dataclass(frozen=True)
class MatrixAction:
    label: str
    start: datetime | None  # H-hour + offset, UTC; None without an H-hour
    state: str


@dataclass(frozen=True)
class MatrixRow:
    site_id: str
    site: str
    zone: str
    windows: list[Interval]  # H-hours at which every action at the site is lawful
    shade: str
    actions: list[MatrixAction]
    local_at_h: str  # the site's clock at H-hour, "" without one

    def label(self, width: int = 26) -> str:
        name = self.site if len(self.site) <= width else self.site[:width - 1] + "…"
        when = f" · {self.local_at_h}" if self.local_at_h else ""
        return f"{name} · {self.zone}{when}"


@dataclass(frozen=True)
class MatrixGroup:
    country: str
    title: str
    rows: list[MatrixRow]


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The instants in both lists of sorted, disjoint intervals."""
    found: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            found.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return found


def local_clock(h_hour: datetime | None, zone: str) -> str:
    """"08:00 local (UTC+03:00)": a site's wall clock at H-hour."""
    if h_hour is None:
        return ""
    local = h_hour.astimezone(zone_of(zone))
    return f"{local:%H:%M} local (UTC{offset_text(local)})"


def _shade(actions: list[ActionTime]) -> str:
    if all(a.authorisation for a in actions):
        return AUTHORISED
    if any(a.rule == "rule not known" for a in actions if not a.authorisation):
        return UNKNOWN
    return CHECKED


def _country_title(code: str, rule: str) -> str:
    found = find_country(code)
    name = found.name if found else code
    return f"{name} ({code}) · search rule: {rule}"


def matrix_groups(report: TimingReport, windows: dict[str, ActionWindows]) -> list[
        MatrixGroup]:
    """Sites in the report's order (country, site), each with the H-hours at which all of
    its actions are lawful. Actions without a site (a remote seizure) have no row."""
    by_site: dict[str, list[ActionTime]] = {}
    for action in report.actions:
        found = windows.get(action.id)
        if found is None or not found.site_id:
            continue
        by_site.setdefault(found.site_id, []).append(action)
    groups: list[MatrixGroup] = []
    for site_id, actions in by_site.items():
        first = actions[0]
        allowed = windows[first.id].windows
        for action in actions[1:]:
            allowed = intersect(allowed, windows[action.id].windows)
        row = MatrixRow(site_id, first.site, first.zone, allowed, _shade(actions),
                        [MatrixAction(f"{a.action} {a.target}", a.utc_start, a.state)
                         for a in actions],
                        local_clock(report.h_hour, first.zone))
        if not groups or groups[-1].country != first.country:
            groups.append(MatrixGroup(first.country, _country_title(first.country,
                                                                    first.rule), []))
        groups[-1].rows.append(row)
    return groups
