"""Strike timing: when each action may lawfully start, and the H-hours that suit them all.

Everything is computed in UTC instants and converted to local time only for display,
through zoneinfo. A local time that does not exist (a DST gap) is therefore never
produced, and a local time that occurs twice (a repeated hour) is reported as ambiguous.

A rule says in which local hours an action may start: a daily window, a night ban,
sunrise to sunset at the site (astral), none, or unknown. Per-weekday overrides hold
where the law differs by day. A judicial authorisation lifts the rule.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from math import degrees
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from astral import Observer, SunDirection, refraction_at_zenith
from astral.julian import julianday, julianday_to_juliancentury
from astral.sun import (
    SUN_APPARENT_RADIUS,
    elevation,
    eq_of_time,
    hour_angle,
    minutes_to_timedelta,
    sun_declination,
)

Interval = tuple[datetime, datetime]  # [start, end) in UTC
Piece = tuple[datetime, datetime, timedelta]  # [start, end) in UTC and the zone's offset

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


@lru_cache(maxsize=1024)
def zone_of(name: str) -> ZoneInfo:
    # Held here because ZoneInfo keeps only its last eight zones alive: a plan over
    # sixty zones would otherwise read the zone files again for every action.
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimingError(f"unknown time zone {name!r}") from None


@lru_cache(maxsize=1024)
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


def _offset_pieces(zone: ZoneInfo, start: datetime, end: datetime) -> list[Piece]:
    """Split [start, end) where the zone's UTC offset changes, found by hourly sampling
    and bisection to the second (no zone changes offset twice within an hour).

    The bisection ends on the transition itself (tzdata's transitions fall on whole
    seconds), so the pieces of a longer range, clipped, are those of a shorter one."""
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


def _clip_pieces(pieces: Iterable[Piece], lo: datetime, hi: datetime) -> list[Piece]:
    return [(max(a, lo), min(b, hi), offset) for a, b, offset in pieces
            if max(a, lo) < min(b, hi)]


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


# astral's sunrise() and sunset() taken apart, with astral's own functions for the
# astronomy, so the results are the same to the microsecond: the first of the two passes
# of astral.sun.time_of_transit depends on the date alone and is computed once for all
# sites, and a transit is computed once per site and date although two days may ask.
_ZENITH = 90.0 + SUN_APPARENT_RADIUS
_HORIZON = _ZENITH + 0.0 + refraction_at_zenith(_ZENITH + 0.0)  # an observer at sea level

Transits = dict[tuple[date, SunDirection], datetime]


@lru_cache(maxsize=4096)
def _sun_at_start_of(day: date) -> tuple[float, float, float]:
    """Julian day, the sun's declination and the equation of time at 00:00 UTC."""
    jd = julianday(day)
    jc = julianday_to_juliancentury(jd + 0.0)
    return jd, sun_declination(jc), eq_of_time(jc)


def _transit(observer: Observer, day: date, direction: SunDirection) -> datetime:
    """astral.sun.time_of_transit(observer, day, 90 + SUN_APPARENT_RADIUS, direction);
    raises ValueError when the sun does not cross the horizon."""
    if observer.latitude > 89.8:
        latitude = 89.8
    elif observer.latitude < -89.8:
        latitude = -89.8
    else:
        latitude = observer.latitude
    jd, declination, eqtime = _sun_at_start_of(day)
    adjustment = time_utc = 0.0
    for second_pass in (False, True):
        if second_pass:
            jc = julianday_to_juliancentury(jd + adjustment)
            declination, eqtime = sun_declination(jc), eq_of_time(jc)
        delta = -observer.longitude - degrees(hour_angle(latitude, declination, _HORIZON,
                                                         direction))
        offset = delta * 4.0 - eqtime
        if offset < -720.0:
            offset += 1440
        time_utc = 720.0 + offset
        adjustment = time_utc / 1440.0
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + minutes_to_timedelta(time_utc)


def _sun_crossing(observer: Observer, zone: ZoneInfo, day: date, direction: SunDirection,
                  transits: Transits) -> datetime:
    """astral.sun.sunrise / sunset(observer, day, tzinfo=zone): the crossing on that local
    day, taken from the UTC date before or after when the UTC date differs."""
    def at(when: date) -> datetime:
        key = (when, direction)
        if key not in transits:
            transits[key] = _transit(observer, when, direction)
        return transits[key].astimezone(zone)

    found = at(day)
    if found.date() != day:
        found = at(day + timedelta(days=1 if found.date() < day else -1))
        if found.date() != day:
            raise ValueError("no crossing of the horizon on that local day")
    return found


def _solar_day(observer: Observer, zone: ZoneInfo, day: date,
               transits: Transits | None = None) -> list[Interval]:
    transits = {} if transits is None else transits
    try:
        rise = _sun_crossing(observer, zone, day, SunDirection.RISING, transits).astimezone(UTC)
        fall = _sun_crossing(observer, zone, day, SunDirection.SETTING,
                             transits).astimezone(UTC)
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


def lawful_starts(action: ActionTiming, start: datetime, end: datetime,
                  offsets: Sequence[Piece] | None = None) -> list[Interval]:
    """UTC intervals within [start, end) in which the action may lawfully start.

    ``offsets``: the zone's offset pieces over a range that holds [start, end), when
    the caller has them (a plan computes them once per zone)."""
    if action.authorised or action.rule.kind in ("none", "unknown"):
        return [(start, end)]
    zone = zone_of(action.zone)
    solar = action.rule.kind == "solar" or any(r.kind == "solar" for _, r in action.rule.weekdays)
    observer: Observer | None = None
    if solar:
        if action.lat is None or action.lon is None:
            raise TimingError(f"{action.label}: the sunrise-to-sunset rule needs the site's "
                              "coordinates")
        observer = Observer(action.lat, action.lon)
    solar_days: dict[date, list[Interval]] = {}  # a day seen from both sides of a DST change
    transits: Transits = {}
    result: list[Interval] = []
    for lo, hi, offset in (_offset_pieces(zone, start, end) if offsets is None
                           else _clip_pieces(offsets, start, end)):
        for day in _local_days(zone, lo, hi):
            rule = action.rule.for_day(day)
            if rule.kind == "solar":
                assert observer is not None
                if day not in solar_days:
                    solar_days[day] = _solar_day(observer, zone, day, transits)
                pieces = solar_days[day]
            elif rule.kind in ("none", "unknown"):
                pieces = _window_for_day(Rule("none"), day, offset)
            else:
                pieces = _window_for_day(rule, day, offset)
            result += _clip(pieces, lo, hi)
    return merge(result)


def h_hour_windows(action: ActionTiming, start: datetime, end: datetime,
                   offsets: Sequence[Piece] | None = None) -> list[Interval]:
    """The H-hours in [start, end) at which this action (H + offset) is lawful."""
    shift = timedelta(minutes=action.offset_min)
    starts = lawful_starts(action, start + shift, end + shift, offsets)
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
    offsets = _zone_offsets(actions, start, end)
    cache: dict[tuple[object, ...], list[Interval]] = {}
    allowed: list[list[Interval]] = []
    for action in actions:
        key = _key(action)
        if key not in cache:
            cache[key] = h_hour_windows(action, start, end, offsets.get(action.zone))
        allowed.append(cache[key])
    return plan_of(actions, allowed, start, end, min_width)


def plan_of(actions: Sequence[ActionTiming], allowed: list[list[Interval]], start: datetime,
            end: datetime, min_width: timedelta = timedelta(minutes=1)) -> Plan:
    """``plan`` from each action's H-hour windows already found (``allowed[i]`` for
    ``actions[i]``, as ``h_hour_windows`` or ``windows_by_action`` give them)."""
    if not actions:
        return Plan([(start, end)])
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


def windows_by_action(actions: Sequence[ActionTiming], start: datetime,
                      end: datetime) -> dict[str, list[Interval]]:
    """Each action's H-hour windows in [start, end), as ``plan`` finds them: zones' offset
    pieces once per zone, and actions that differ only by target computed once."""
    if end <= start:
        raise TimingError("the end of the range is not after its start")
    offsets = _zone_offsets(actions, start, end)
    cache: dict[tuple[object, ...], list[Interval]] = {}
    found: dict[str, list[Interval]] = {}
    for action in actions:
        key = _key(action)
        if key not in cache:
            cache[key] = h_hour_windows(action, start, end, offsets.get(action.zone))
        found[action.id] = cache[key]
    return found


def _zone_offsets(actions: Sequence[ActionTiming], start: datetime,
                  end: datetime) -> dict[str, list[Piece]]:
    """Each zone's offset pieces once, over the range that all its actions' offsets from
    H-hour reach, instead of once per action."""
    reach: dict[str, tuple[int, int]] = {}
    for action in actions:
        if action.authorised or action.rule.kind in ("none", "unknown"):
            continue
        low, high = reach.get(action.zone, (action.offset_min, action.offset_min))
        reach[action.zone] = (min(low, action.offset_min), max(high, action.offset_min))
    found: dict[str, list[Piece]] = {}
    for name, (low, high) in reach.items():
        try:
            zone = zone_of(name)
        except TimingError:
            continue  # reported for its first action, in the actions' order
        found[name] = _offset_pieces(zone, start + timedelta(minutes=low),
                                     end + timedelta(minutes=high))
    return found


def _conflicting_pairs(actions: Sequence[ActionTiming],
                       allowed: list[list[Interval]]) -> list[tuple[str, str]]:
    """Pairs whose lawful H-hours never overlap, grouped by identical sets for speed.

    Group g is bit g of a mask. An interval [s, e) meets another group's interval
    [c, d) when c <= s < d (that group is open at s) or s < c < e (it opens inside), so
    the groups that meet g are, over g's intervals, those open at s and those opening
    in (s, e): a sweep and range ORs, not a scan of every pair of groups."""
    groups: dict[tuple[Interval, ...], list[int]] = {}
    for index, intervals in enumerate(allowed):
        groups.setdefault(tuple(intervals), []).append(index)
    keys = list(groups)
    opening: dict[datetime, int] = {}
    closing: dict[datetime, int] = {}
    for g, key in enumerate(keys):
        for a, b in key:
            opening[a] = opening.get(a, 0) | 1 << g
            closing[b] = closing.get(b, 0) | 1 << g
    open_at: dict[datetime, int] = {}
    held = 0
    for moment in sorted(opening.keys() | closing.keys()):
        held &= ~closing.get(moment, 0)  # half-open: what closes here is not open here
        if moment in opening:
            held |= opening[moment]
            open_at[moment] = held
    starts = sorted(opening)
    position = {moment: k for k, moment in enumerate(starts)}
    opened = _RangeOr([opening[moment] for moment in starts])
    everyone = (1 << len(keys)) - 1
    pairs: list[tuple[str, str]] = []
    for g, key in enumerate(keys):
        met = 0
        for a, b in key:
            first = position[a] + 1
            met |= open_at[a] | opened.between(first, bisect_left(starts, b, lo=first))
        apart = everyone & ~met & ~((2 << g) - 1)  # later groups only, as pairs
        while apart:
            lowest = apart & -apart
            other = keys[lowest.bit_length() - 1]
            pairs += [(actions[x].id, actions[y].id) for x in groups[key]
                      for y in groups[other]]
            apart ^= lowest
    return pairs


class _RangeOr:
    """OR of any run of a list of masks: per block of 64, ORs from each item to its
    block's ends, and a sparse table over the blocks' ORs."""

    BLOCK = 64

    def __init__(self, masks: list[int]) -> None:
        self.masks = masks
        size = self.BLOCK
        self.to_end: list[int] = []  # OR from each item to the end of its block
        self.from_start: list[int] = []  # OR from its block's start to each item
        blocks: list[int] = []
        for base in range(0, len(masks), size):
            chunk = masks[base:base + size]
            run = 0
            ahead = []
            for mask in chunk:
                run |= mask
                ahead.append(run)
            self.from_start += ahead
            run = 0
            behind = []
            for mask in reversed(chunk):
                run |= mask
                behind.append(run)
            self.to_end += behind[::-1]
            blocks.append(ahead[-1])
        self.levels = [blocks]
        width = 1
        while 2 * width <= len(blocks):
            below = self.levels[-1]
            self.levels.append([x | y for x, y in zip(below, below[width:], strict=False)])
            width *= 2

    def between(self, lo: int, hi: int) -> int:
        """OR of masks[lo:hi]."""
        if hi <= lo:
            return 0
        size = self.BLOCK
        first, last = lo // size, (hi - 1) // size
        if first == last:
            result = 0
            for mask in self.masks[lo:hi]:
                result |= mask
            return result
        result = self.to_end[lo] | self.from_start[hi - 1]
        if last - first > 1:
            count = last - first - 1
            level = count.bit_length() - 1
            row = self.levels[level]
            result |= row[first + 1] | row[last - (1 << level)]
        return result


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
