"""Strike timing: when each action may lawfully start, and the H-hours that suit them all.

Everything is computed in UTC instants and converted to local time only for display,
through zoneinfo. A local time that does not exist (a DST gap) is therefore never
produced, and a local time that occurs twice (a repeated hour) is reported as ambiguous.

A rule says in which local hours an action may start: a daily window, a night ban,
sunrise to sunset at the site (astral), none, or unknown. Per-weekday overrides hold
where the law differs by day. A judicial authorisation lifts the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from astral import Observer
from astral.sun import elevation, sunrise, sunset

Interval = tuple[datetime, datetime]  # [start, end) in UTC

RANK_STEP = timedelta(minutes=15)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimingError(ValueError):
    """Input the planner cannot work with (unknown zone, missing coordinates, bad range)."""


@dataclass(frozen=True)
class Rule:
    """A search-hour rule. ``kind``: window, night_ban, solar, none or unknown.

    For ``window``, ``start``/``end`` bound the lawful local start times (``end`` may be
    "24:00"; a window with end before start runs over midnight). For ``night_ban`` they
    bound the banned hours. ``weekdays`` maps "mon".."sun" to a rule for that day.
    """

    kind: str
    start: str = ""
    end: str = ""
    weekdays: tuple[tuple[str, Rule], ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, object] | None) -> Rule:
        if not data:
            return cls("unknown")
        days = data.get("weekdays") or {}
        assert isinstance(days, dict)
        return cls(str(data.get("kind", "unknown")), str(data.get("start", "")),
                   str(data.get("end", "")),
                   tuple((d, cls.from_data(r)) for d, r in sorted(days.items())))

    def for_day(self, day: date) -> Rule:
        name = WEEKDAYS[day.weekday()]
        return next((r for d, r in self.weekdays if d == name), self)

    def describe(self) -> str:
        base = {"window": f"start {self.start}–{self.end} local",
                "night_ban": f"no start {self.start}–{self.end} local",
                "solar": "sunrise to sunset", "none": "no rule",
                "unknown": "rule not known"}.get(self.kind, self.kind)
        if self.weekdays:
            base += "; " + ", ".join(f"{d}: {r.describe()}" for d, r in self.weekdays)
        return base


@dataclass(frozen=True)
class ActionTiming:
    """What the planner needs of one action."""

    id: str
    label: str
    zone: str
    offset_min: int
    rule: Rule
    lat: float | None = None
    lon: float | None = None
    authorised: bool = False


@dataclass(frozen=True)
class LocalStart:
    id: str
    utc_start: datetime
    local_start: datetime
    utc_offset: str  # "+03:00"
    lawful: bool
    state: str  # "lawful", "outside window", "authorised", "no rule", "rule unknown"
    ambiguous: bool  # the local wall time occurs twice (repeated hour)


@dataclass
class Plan:
    windows: list[Interval]  # H-hour windows, ranked: widest first, earliest on ties
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # pairs never lawful together
    to_retime: list[str] = field(default_factory=list)  # fewest actions to re-time or authorise

    @property
    def feasible(self) -> bool:
        return bool(self.windows)


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimingError(f"unknown time zone {name!r}") from None


def parse_hm(text: str) -> timedelta:
    try:
        hours, minutes = text.split(":")
        value = timedelta(hours=int(hours), minutes=int(minutes))
    except ValueError:
        raise TimingError(f"time of day {text!r} is not HH:MM") from None
    if not timedelta(0) <= value <= timedelta(hours=24):
        raise TimingError(f"time of day {text!r} is out of range")
    return value


def offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def is_ambiguous(local: datetime) -> bool:
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset() and (
        other.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None)
        == local.replace(tzinfo=None))


# ---- offset pieces: stretches of UTC in which a zone's offset does not change ---------


def _offset_pieces(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime,
                                                                                  datetime,
                                                                                  timedelta]]:
    """Split [start, end) where the zone's UTC offset changes, found by hourly sampling
    and bisection to the second (no zone changes offset twice within an hour)."""
    def off(t: datetime) -> timedelta:
        return t.astimezone(zone).utcoffset() or timedelta(0)

    pieces = []
    piece_start, current = start, off(start)
    t = start
    step = timedelta(hours=1)
    while t < end:
        nxt = min(t + step, end)
        if off(nxt) != current and nxt != t:
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if off(mid) == current:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)
            pieces.append((piece_start, hi, current))
            piece_start, current = hi, off(hi)
        t = nxt
    pieces.append((piece_start, end, current))
    return [p for p in pieces if p[0] < p[1]]


def _clip(intervals: Iterable[Interval], lo: datetime, hi: datetime) -> list[Interval]:
    return [(max(a, lo), min(b, hi)) for a, b in intervals if max(a, lo) < min(b, hi)]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for a, b in sorted(intervals):
        if result and a <= result[-1][1]:
            if b > result[-1][1]:
                result[-1] = (result[-1][0], b)
        else:
            result.append((a, b))
    return result


def _local_days(zone: ZoneInfo, start: datetime, end: datetime) -> list[date]:
    first = (start.astimezone(zone) - timedelta(days=1)).date()
    last = (end.astimezone(zone) + timedelta(days=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _window_for_day(rule: Rule, day: date, piece_offset: timedelta) -> list[Interval]:
    """UTC intervals of one local day's lawful start times, for a constant offset."""
    midnight = datetime.combine(day, time(0), tzinfo=UTC) - piece_offset
    if rule.kind == "window":
        s, e = parse_hm(rule.start), parse_hm(rule.end)
        if s <= e:
            return [(midnight + s, midnight + e)]
        return [(midnight, midnight + e), (midnight + s, midnight + timedelta(days=1))]
    if rule.kind == "night_ban":
        s, e = parse_hm(rule.start), parse_hm(rule.end)  # the ban runs from s to e
        if s <= e:
            return [(midnight, midnight + s), (midnight + e, midnight + timedelta(days=1))]
        return [(midnight + e, midnight + s)]
    return [(midnight, midnight + timedelta(days=1))]


def _solar_day(action: ActionTiming, zone: ZoneInfo, day: date) -> list[Interval]:
    assert action.lat is not None and action.lon is not None
    observer = Observer(action.lat, action.lon)
    try:
        rise = sunrise(observer, day, tzinfo=zone).astimezone(UTC)
        fall = sunset(observer, day, tzinfo=zone).astimezone(UTC)
    except ValueError:
        # Polar day or night: the sun is either up or down all day long.
        noon = datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)
        if elevation(observer, noon) > 0:
            start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
            return [(start, start + timedelta(days=1))]
        return []
    if fall <= rise:
        fall += timedelta(days=1)
    # Whole seconds, rounded inwards, so a start shown as lawful is never a second early.
    if rise.microsecond:
        rise = rise.replace(microsecond=0) + timedelta(seconds=1)
    return [(rise, fall.replace(microsecond=0))]


def lawful_starts(action: ActionTiming, start: datetime, end: datetime) -> list[Interval]:
    """UTC intervals within [start, end) in which the action may lawfully start."""
    if action.authorised or action.rule.kind in ("none", "unknown"):
        return [(start, end)]
    zone = zone_of(action.zone)
    solar = action.rule.kind == "solar" or any(r.kind == "solar" for _, r in action.rule.weekdays)
    if solar and (action.lat is None or action.lon is None):
        raise TimingError(f"{action.label}: the sunrise-to-sunset rule needs the site's "
                          "coordinates")
    result: list[Interval] = []
    for lo, hi, offset in _offset_pieces(zone, start, end):
        for day in _local_days(zone, lo, hi):
            rule = action.rule.for_day(day)
            if rule.kind == "solar":
                pieces = _solar_day(action, zone, day)
            elif rule.kind in ("none", "unknown"):
                pieces = _window_for_day(Rule("none"), day, offset)
            else:
                pieces = _window_for_day(rule, day, offset)
            result += _clip(pieces, lo, hi)
    return merge(result)


def h_hour_windows(action: ActionTiming, start: datetime, end: datetime) -> list[Interval]:
    """The H-hours in [start, end) at which this action (H + offset) is lawful."""
    shift = timedelta(minutes=action.offset_min)
    starts = lawful_starts(action, start + shift, end + shift)
    return [(a - shift, b - shift) for a, b in starts]


def _key(action: ActionTiming) -> tuple[object, ...]:
    return (action.zone, action.rule, action.lat, action.lon, action.offset_min,
            action.authorised or action.rule.kind in ("none", "unknown"))


def plan(actions: Sequence[ActionTiming], start: datetime, end: datetime,
         min_width: timedelta = timedelta(minutes=1)) -> Plan:
    """The H-hour windows in [start, end) at which every action is lawful, ranked.

    For an infeasible plan: the pairs of actions that are never lawful together, and the
    fewest actions to re-time or authorise, found by a sweep for the instant that the
    most actions allow (the others are the ones to move).
    """
    if end <= start:
        raise TimingError("the end of the range is not after its start")
    if not actions:
        return Plan([(start, end)])
    cache: dict[tuple[object, ...], list[Interval]] = {}
    allowed: list[list[Interval]] = []
    for action in actions:
        key = _key(action)
        if key not in cache:
            cache[key] = h_hour_windows(action, start, end)
        allowed.append(cache[key])

    events: list[tuple[datetime, int, int]] = []  # (time, +1 open / -1 close, action)
    for index, intervals in enumerate(allowed):
        for a, b in intervals:
            events.append((a, 1, index))
            events.append((b, -1, index))
    events.sort(key=lambda e: (e[0], e[1]))  # closes before opens at the same instant

    windows: list[Interval] = []
    count, best_count, best_at = 0, -1, start
    open_since: datetime | None = None
    for moment, delta, _index in events:
        count += delta
        if count > best_count and delta == 1:
            best_count, best_at = count, moment
        if count == len(actions) and delta == 1:
            open_since = moment
        elif open_since is not None and count < len(actions):
            if moment - open_since >= min_width:
                windows.append((open_since, moment))
            open_since = None

    # Widths compared in quarter hours: sunsets drift by seconds a day, which is no
    # reason to prefer a later day.
    windows.sort(key=lambda w: (-((w[1] - w[0]) // RANK_STEP), w[0]))
    if windows:
        return Plan(windows)
    to_retime = [a.id for a, intervals in zip(actions, allowed, strict=True)
                 if not any(lo <= best_at < hi for lo, hi in intervals)]
    return Plan([], _conflicting_pairs(actions, allowed), to_retime)


def _conflicting_pairs(actions: Sequence[ActionTiming],
                       allowed: list[list[Interval]]) -> list[tuple[str, str]]:
    """Pairs whose lawful H-hours never overlap, grouped by identical sets for speed."""
    groups: dict[tuple[Interval, ...], list[int]] = {}
    for index, intervals in enumerate(allowed):
        groups.setdefault(tuple(intervals), []).append(index)
    keys = list(groups)
    pairs: list[tuple[str, str]] = []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if not _overlap(list(a), list(b)):
                pairs += [(actions[x].id, actions[y].id) for x in groups[a] for y in groups[b]]
    return pairs


def _overlap(a: list[Interval], b: list[Interval]) -> bool:
    """Whether two sorted, merged interval lists share an instant (two-pointer scan)."""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][0] < b[j][1] and b[j][0] < a[i][1]:
            return True
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return False


def local_start(action: ActionTiming, h_hour: datetime) -> LocalStart:
    """Where and when the action starts for a given H-hour, and whether that is lawful."""
    zone = zone_of(action.zone)
    utc_start = h_hour.astimezone(UTC) + timedelta(minutes=action.offset_min)
    local = utc_start.astimezone(zone)
    if action.authorised:
        lawful, state = True, "authorised"
    elif action.rule.kind == "none":
        lawful, state = True, "no rule"
    elif action.rule.kind == "unknown":
        lawful, state = True, "rule unknown"
    else:
        inside = lawful_starts(action, utc_start - timedelta(days=1),
                               utc_start + timedelta(days=1))
        lawful = any(a <= utc_start < b for a, b in inside)
        state = "lawful" if lawful else "outside window"
    return LocalStart(action.id, utc_start, local, offset_text(local), lawful, state,
                      is_ambiguous(local))
