"""Tracing on small hand-made transfer graphs, with every expected amount worked out by
hand beside the test: poison, haircut and FIFO give different answers on the same graph,
amounts stay exact, cycles end, and a bridge pair carries money across chains."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.tracing import (
    HELD,
    HOP_LIMIT,
    ORIGIN,
    SERVICE,
    Edge,
    Label,
    Limits,
    TraceResult,
    plain,
    trace,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
BTC = "bitcoin"


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


class Graph:
    """Transfers held in memory, with a loader that counts what it was asked for."""

    def __init__(self) -> None:
        self.edges: list[Edge] = []
        self.asked: list[set[tuple[str, str]]] = []

    def add(self, minute: int, source: str, dest: str, amount: str, asset: str = "BTC",
            chain: str = BTC) -> Graph:
        n = len(self.edges)
        self.edges.append(Edge(f"id{n:03d}", f"tx{n:03d}", chain, source, dest, asset,
                               Decimal(amount), at(minute)))
        return self

    def load(self, pairs: Collection[tuple[str, str]]) -> Iterable[Edge]:
        self.asked.append(set(pairs))
        return [e for e in self.edges
                if (e.chain, e.from_address) in pairs or (e.chain, e.to_address) in pairs]


def run(graph: Graph, seeds: list[str], method: str, direction: str = "forward",
        labels: dict[tuple[str, str], Label] | None = None, **limits: object) -> TraceResult:
    return trace([(BTC, s) if ":" not in s else tuple(s.split(":", 1))  # type: ignore[misc]
                  for s in seeds], method, direction, labels or {}, graph.load,
                 Limits(**limits))  # type: ignore[arg-type]


def ends(result: TraceResult) -> dict[tuple[str, str], Decimal]:
    """(address, reason) -> amount."""
    found: dict[tuple[str, str], Decimal] = {}
    for e in result.endpoints:
        found[(e.address, e.reason)] = found.get((e.address, e.reason), Decimal(0)) + e.amount
    return found


def exchange(address: str, name: str, chain: str = BTC) -> tuple[tuple[str, str], Label]:
    return (chain, address), Label(chain, address, "exchange", name, "test")


# ---------------------------------------------------------------------------------------
# One graph, three answers
#
#   minute 1: O -> A  6   (A's own, untainted funds)
#   minute 2: V -> A  4   (the victim's money: the seed)
#   minute 3: A -> B  5   (B: exchange "Bex")
#   minute 4: A -> C  5   (C: exchange "Cex")

def mixed_wallet() -> tuple[Graph, dict[tuple[str, str], Label]]:
    graph = Graph().add(1, "O", "A", "6").add(2, "V", "A", "4")
    graph.add(3, "A", "B", "5").add(4, "A", "C", "5")
    return graph, dict([exchange("B", "Bex"), exchange("C", "Cex")])


def test_poison_counts_every_later_transfer_in_full() -> None:
    graph, labels = mixed_wallet()
    result = run(graph, ["V"], "poison", labels=labels)
    # A is poisoned at minute 2; both transfers after it count whole: 5 and 5, so 10 is
    # traced from a seed of 4 (poison is an upper bound).
    assert ends(result) == {("B", SERVICE): Decimal(5), ("C", SERVICE): Decimal(5)}
    totals = result.totals[0]
    assert (totals.seeded, totals.to_services) == (Decimal(4), Decimal(10))
    assert "poison" in result.statement


def test_haircut_carries_the_tainted_share_of_the_balance() -> None:
    graph, labels = mixed_wallet()
    result = run(graph, ["V"], "haircut", labels=labels)
    # Minute 3: A holds 6 + 4 = 10, of which 4 tainted: A -> B carries 5 * 4/10 = 2.
    # A is left with 5, of which 4 - 2 = 2 tainted: A -> C carries 5 * 2/5 = 2.
    assert ends(result) == {("B", SERVICE): Decimal(2), ("C", SERVICE): Decimal(2)}
    assert result.totals[0].to_services == Decimal(4)  # all of the seed, no more
    assert "haircut" in result.statement


def test_fifo_sends_the_oldest_funds_first() -> None:
    graph, labels = mixed_wallet()
    result = run(graph, ["V"], "fifo", labels=labels)
    # A's inflows end to end: O's 6 at [0, 6), V's 4 at [6, 10). A -> B takes [0, 5):
    # all O's. A -> C takes [5, 10): 1 of O's and all 4 of V's, so C gets 4 and B none.
    assert ends(result) == {("C", SERVICE): Decimal(4)}
    endpoint = result.endpoints[0]
    assert endpoint.label == "Cex" and endpoint.category == "exchange"
    assert [(s.from_address, s.to_address, s.traced) for s in endpoint.path] == [
        ("V", "A", Decimal(4)), ("A", "C", Decimal(4))]
    assert "FIFO" in result.statement


def test_backward_the_three_methods_name_different_sources() -> None:
    graph, _labels = mixed_wallet()
    # Where did B's 5 (minute 3) come from? A held O's 6 and V's 4 then.
    poison = run(graph, ["B"], "poison", "backward")
    # Poison: every earlier inflow of A counts whole: O 6 and V 4.
    assert ends(poison) == {("O", ORIGIN): Decimal(6), ("V", ORIGIN): Decimal(4)}
    haircut = run(graph, ["B"], "haircut", "backward")
    # Haircut: in proportion to A's balance: O 5 * 6/10 = 3, V 5 * 4/10 = 2.
    assert ends(haircut) == {("O", ORIGIN): Decimal(3), ("V", ORIGIN): Decimal(2)}
    fifo = run(graph, ["B"], "fifo", "backward")
    # FIFO: B's 5 is A's first 5 in, all from O.
    assert ends(fifo) == {("O", ORIGIN): Decimal(5)}


def test_backward_after_a_first_outflow() -> None:
    graph, _labels = mixed_wallet()
    # C's 5 (minute 4) left A after A -> B had taken 5 of the 10.
    haircut = run(graph, ["C"], "haircut", "backward")
    # A -> B took half of each inflow: O's 6 -> 3 left, V's 4 -> 2 left; C's 5 is all of
    # that: 3 from O, 2 from V.
    assert ends(haircut) == {("O", ORIGIN): Decimal(3), ("V", ORIGIN): Decimal(2)}
    fifo = run(graph, ["C"], "fifo", "backward")
    # FIFO: C's 5 is A's [5, 10): O's last 1 and V's 4.
    assert ends(fifo) == {("O", ORIGIN): Decimal(1), ("V", ORIGIN): Decimal(4)}
    assert "backward" in fifo.statement


# ---------------------------------------------------------------------------------------
# Exact amounts


def test_amounts_are_exact_decimals() -> None:
    # 0.1 + 0.2 in binary floating point is 0.30000000000000004; here it is 0.3.
    graph = Graph().add(1, "V", "A", "0.1").add(2, "V", "A", "0.2")
    graph.add(3, "A", "X", "0.3").add(4, "V", "B", "0.000000000000000001")
    for method in ("poison", "haircut", "fifo"):
        result = run(graph, ["V"], method, labels=dict([exchange("X", "Xex")]))
        found = ends(result)
        assert found[("X", SERVICE)] == Decimal("0.3")
        assert plain(found[("X", SERVICE)]) == "0.3"
        # One wei is followed, not lost to rounding.
        assert found[("B", HELD)] == Decimal("1E-18")
        assert result.totals[0].seeded == Decimal("0.300000000000000001")


def test_haircut_thirds_round_down_to_18_places() -> None:
    # A: 2 of its own, then 1 tainted; A -> X sends 1: 1 * 1/3 = 0.333... tainted, rounded
    # down to 18 places; the tainted 2/3 left in A is held: 0.666...6 (rounded down).
    graph = Graph().add(1, "O", "A", "2").add(2, "V", "A", "1").add(3, "A", "X", "1")
    result = run(graph, ["V"], "haircut", labels=dict([exchange("X", "Xex")]))
    found = ends(result)
    assert found[("X", SERVICE)] == Decimal("0.333333333333333333")
    assert found[("A", HELD)] == Decimal("0.666666666666666666")
    # Never more than the seed: the two add up to 1 less one unit of the 18th place.
    assert found[("X", SERVICE)] + found[("A", HELD)] == Decimal("0.999999999999999999")


# ---------------------------------------------------------------------------------------
# Cycles, limits, stops


def cycle() -> Graph:
    #   1: V -> A 10,  2: A -> B 10,  3: B -> A 4,  4: A -> B 4,  5: B -> E 10 (exchange)
    graph = Graph().add(1, "V", "A", "10").add(2, "A", "B", "10").add(3, "B", "A", "4")
    return graph.add(4, "A", "B", "4").add(5, "B", "E", "10")


@pytest.mark.parametrize("method", ["poison", "haircut", "fifo"])
def test_a_cycle_is_followed_to_its_end_once(method: str) -> None:
    result = run(cycle(), ["V"], method, labels=dict([exchange("E", "Eex")]), hops=10)
    # Haircut: B holds 10 tainted; B -> A 4 takes 4 back to A, A -> B returns them; at
    # minute 5 B holds 6 (hop 2) + 4 (hop 4) = 10, all tainted, and sends all 10 to E.
    # FIFO: B's in-axis [0,10) from A then [10,14); out: B -> A [0,4), B -> E [4,14):
    # 6 + 4 = 10. Poison: B -> E is poisoned once, in full: 10.
    assert ends(result) == {("E", SERVICE): Decimal(10)}
    endpoint = result.endpoints[0]
    assert endpoint.hops == 3  # V -> A -> B -> E carries the largest share
    assert [s.to_address for s in endpoint.path] == ["A", "B", "E"]


def test_a_cycle_under_a_tight_hop_limit_stops_in_the_loop() -> None:
    result = run(cycle(), ["V"], "haircut", labels=dict([exchange("E", "Eex")]), hops=3)
    # Hop 1: V -> A; hop 2: A -> B (10); hop 3: B -> A (4, stops at A: hop limit) and
    # B -> E (6 of the 10 B sends at minute 5: the hop-2 taint left after B -> A, 10 * 6/10).
    assert ends(result) == {("A", HOP_LIMIT): Decimal(4), ("E", SERVICE): Decimal(6)}


def test_money_sent_back_to_a_seed_is_counted_as_returned() -> None:
    graph = Graph().add(1, "V", "A", "10").add(2, "A", "V", "3").add(3, "A", "X", "7")
    result = run(graph, ["V"], "fifo", labels=dict([exchange("X", "Xex")]))
    assert ends(result) == {("X", SERVICE): Decimal(7)}
    assert result.totals[0].returned == Decimal(3)


def test_hop_limit_minimum_and_window() -> None:
    #  V -> A 100 -> B 100 -> C 100 -> D 100 (one per minute)
    graph = Graph().add(1, "V", "A", "100").add(2, "A", "B", "100").add(3, "B", "C", "100")
    graph.add(4, "C", "D", "100")
    assert ends(run(graph, ["V"], "fifo", hops=2)) == {("B", HOP_LIMIT): Decimal(100)}
    assert ends(run(graph, ["V"], "fifo", hops=10)) == {("D", HELD): Decimal(100)}
    # Only transfers up to minute 2 exist for this trace: the money stays in B.
    assert ends(run(graph, ["V"], "fifo", end=at(2))) == {("B", HELD): Decimal(100)}
    # A minimum above 100: nothing is followed, and the 100 is reported as under it.
    result = run(graph, ["V"], "poison", min_amount=Decimal(101))
    assert result.endpoints == () and result.totals[0].below_minimum == Decimal(100)


def test_the_minimum_drops_small_haircut_shares() -> None:
    graph, labels = mixed_wallet()
    result = run(graph, ["V"], "haircut", labels=labels, min_amount=Decimal(3))
    # A -> B and A -> C carry 2 each (see the haircut test): both under 3.
    assert result.endpoints == ()
    assert result.totals[0].below_minimum == Decimal(4)


def test_a_service_history_is_never_read() -> None:
    graph, labels = mixed_wallet()
    graph.add(5, "B", "Z", "1000")  # the exchange pays out to others: not followed
    result = run(graph, ["V"], "poison", labels=labels)
    assert ("Z", HELD) not in ends(result)
    assert not any(("bitcoin", "B") in asked for asked in graph.asked)


def test_assets_are_traced_apart() -> None:
    graph = Graph().add(1, "V", "A", "5", asset="USDT").add(2, "O", "A", "1", asset="BTC")
    graph.add(3, "A", "X", "1", asset="BTC").add(4, "A", "X", "5", asset="USDT")
    result = run(graph, ["V"], "poison", labels=dict([exchange("X", "Xex")]))
    # A's BTC is untouched by its tainted USDT.
    assert [(e.asset, e.amount) for e in result.endpoints] == [("USDT", Decimal(5))]


# ---------------------------------------------------------------------------------------
# Across a bridge


def test_a_bridge_pair_carries_money_to_the_other_chain() -> None:
    eth_in, tron_out = "0xbridge", "Tbridge"
    graph = Graph()
    graph.add(1, "0xvictim", eth_in, "100", "USDT", "ethereum")
    graph.add(2, tron_out, "Tmule", "100", "USDT", "tron")
    graph.add(3, "Tmule", "Texchange", "100", "USDT", "tron")
    labels = {
        ("ethereum", eth_in): Label("ethereum", eth_in, "bridge", "Portal", "test"),
        ("tron", tron_out): Label("tron", tron_out, "bridge", "portal", "test"),
        ("tron", "Texchange"): Label("tron", "Texchange", "exchange", "Tex", "test"),
    }
    for method in ("poison", "haircut", "fifo"):
        result = run(graph, ["ethereum:0xvictim"], method, labels=labels)
        assert ends(result) == {("Texchange", SERVICE): Decimal(100)}
        path = result.endpoints[0].path
        assert [(s.chain, s.to_address) for s in path] == [
            ("ethereum", eth_in), ("tron", "Tmule"), ("tron", "Texchange")]
        assert any(n.category == "bridge" and n.label == "Portal" for n in result.nodes)
    # And back: the exchange's deposit came from the victim on the other chain.
    back = run(graph, ["tron:Texchange"], "fifo", "backward", labels=labels)
    assert ends(back) == {("0xvictim", ORIGIN): Decimal(100)}


def test_bad_arguments() -> None:
    graph, _labels = mixed_wallet()
    with pytest.raises(ValueError, match="unknown method"):
        run(graph, ["V"], "lifo")
    with pytest.raises(ValueError, match="hops must be"):
        run(graph, ["V"], "fifo", hops=0)
    with pytest.raises(ValueError, match="no wallet"):
        trace([], "fifo", "forward", {}, graph.load)


# ---------------------------------------------------------------------------------------
# Conservation on random graphs: haircut and FIFO never create or lose money

WALLETS = ["V", "A", "B", "C", "X"]
transfers = st.lists(st.tuples(st.sampled_from(WALLETS), st.sampled_from(WALLETS),
                               st.integers(1, 5000)), min_size=1, max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transfers, st.sampled_from(["haircut", "fifo"]),
       st.sampled_from(["forward", "backward"]), st.integers(1, 6))
def test_everything_seeded_is_accounted_for(rows: list[tuple[str, str, int]], method: str,
                                            direction: str, hops: int) -> None:
    graph = Graph()
    for minute, (source, dest, cents) in enumerate(rows):
        graph.add(minute, source, dest, str(Decimal(cents) / 100))
    result = run(graph, ["V"], method, direction, labels=dict([exchange("X", "Xex")]),
                 hops=hops, min_amount=Decimal("0.5"))
    for totals in result.totals:
        accounted = totals.to_endpoints + totals.returned + totals.below_minimum
        if method == "fifo":
            assert accounted == totals.seeded
        else:  # each of at most a few dozen amounts rounded down by under 1e-18
            assert totals.seeded - Decimal("1e-16") <= accounted <= totals.seeded
