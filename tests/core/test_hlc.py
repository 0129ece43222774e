"""The hybrid logical clock: stamps never go backwards, and their text sorts like them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.hlc import HybridClock, Stamp


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_ticks_follow_the_wall_clock() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock(now_ms=wall)
    assert clock.tick() == Stamp(1_000, 0)
    assert clock.tick() == Stamp(1_000, 1)
    wall.ms = 2_000
    assert clock.tick() == Stamp(2_000, 0)
    assert clock.last == Stamp(2_000, 0)


def test_a_wall_clock_going_backwards_does_not_reorder() -> None:
    wall = FakeWall(5_000)
    clock = HybridClock(now_ms=wall)
    first = clock.tick()
    wall.ms = 1_000  # the system clock was set back
    second, third = clock.tick(), clock.tick()
    assert first < second < third
    assert second == Stamp(5_000, 1)


def test_starts_after_the_last_saved_stamp() -> None:
    clock = HybridClock(Stamp(9_000, 4), now_ms=FakeWall(1_000))
    assert clock.tick() == Stamp(9_000, 5)


def test_observe_moves_past_a_remote_stamp() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock(now_ms=wall)
    clock.tick()
    assert clock.observe(Stamp(3_000, 7)) == Stamp(3_000, 8)  # remote ahead
    assert clock.observe(Stamp(3_000, 2)) == Stamp(3_000, 9)  # same wall, ours ahead
    assert clock.observe(Stamp(3_000, 20)) == Stamp(3_000, 21)  # same wall, theirs ahead
    assert clock.observe(Stamp(2_000, 50)) == Stamp(3_000, 22)  # remote behind
    wall.ms = 4_000
    assert clock.observe(Stamp(2_000, 50)) == Stamp(4_000, 0)  # the wall is ahead of all
    assert clock.tick() == Stamp(4_000, 1)


def test_encoding_round_trips_and_sorts_like_the_stamp() -> None:
    stamp = Stamp(1_795_000_000_000, 42)
    assert stamp.encode() == "1795000000000-000042"
    assert Stamp.decode(stamp.encode()) == stamp


@given(st.lists(st.tuples(st.integers(0, 10**13 - 1), st.integers(0, 999_999)),
                min_size=2, max_size=20))
def test_text_order_is_stamp_order(pairs: list[tuple[int, int]]) -> None:
    stamps = [Stamp(w, c) for w, c in pairs]
    assert sorted(stamps) == sorted(stamps, key=Stamp.encode)
    assert [Stamp.decode(s.encode()) for s in stamps] == stamps


@given(st.lists(st.one_of(st.tuples(st.just("tick"), st.integers(0, 10_000)),
                          st.tuples(st.just("observe"), st.integers(0, 10_000))),
                min_size=1, max_size=50))
def test_every_stamp_is_above_all_before_it(events: list[tuple[str, int]]) -> None:
    wall = FakeWall(0)
    clock = HybridClock(now_ms=wall)
    seen: list[Stamp] = []
    for kind, ms in events:
        if kind == "tick":
            wall.ms = ms
            stamp = clock.tick()
        else:
            remote = Stamp(ms, 3)
            stamp = clock.observe(remote)
            assert stamp > remote
        assert all(stamp > earlier for earlier in seen)
        seen.append(stamp)
