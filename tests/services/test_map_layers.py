"""What the operation map shows: sites, targets per country, money between countries."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.core.world_map import world_map
from app.models.money_records import AddressLabel
from app.models.records import Site, Target, Transfer, Wallet
from app.services import demo, operations, sites, targets
from app.services.context import AppContext
from app.services.csv_import import BulkInserter
from app.services.map_layers import MoneyFlow, map_layers

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _add(ctx: AppContext, op_id: str, model: type[Any], **values: Any) -> str:
    """A record as a partner's bundle or an import would bring it (no form checks)."""
    with ctx.session() as session:
        bulk = BulkInserter(session, ctx, op_id)
        record_id = bulk.add(model, {"tlp": "AMBER", **values})
        bulk.flush()
    return record_id


def _wallet(ctx: AppContext, op_id: str, address: str, country: str,
            tlp: str = "AMBER") -> str:
    owner = targets.add_record(ctx, "target", op_id, targets.target_values(
        "wallet", f"Wallet {address}", country, tlp))[0]
    return _add(ctx, op_id, Wallet, chain="ethereum", address=address, label="",
                category="suspect", target_id=owner, tlp=tlp)


def _transfer(ctx: AppContext, op_id: str, source: str, dest: str, amount: str,
              asset: str = "ETH", tlp: str = "AMBER") -> str:
    return _add(ctx, op_id, Transfer, tx_hash=f"0x{source}{dest}{amount}", chain="ethereum",
                from_address=source, to_address=dest, asset=asset, amount=amount, time=WHEN,
                tlp=tlp)


def _label(ctx: AppContext, op_id: str, address: str, country: str, tlp: str = "AMBER") -> str:
    return _add(ctx, op_id, AddressLabel, chain="ethereum", address=address,
                category="exchange", name="Example Exchange", source="test", country=country,
                tlp=tlp)


@pytest.fixture
def op_id(ctx: AppContext) -> str:
    return operations.create_operation(ctx, "MAPPED")[0]


def test_the_demo_operation(ctx: AppContext) -> None:
    op, _change = demo.create_demo(ctx)
    layers = map_layers(ctx, op)
    assert layers.codename == demo.DEMO_CODENAME
    assert layers.targets == dict(Counter(t.country for t in targets.target_rows(ctx, op)))
    assert set(layers.targets) >= {"AO", "KE", "ZM", "ZA", "NL"}
    listed = {s.id: s for s in sites.site_rows(ctx, op)}
    assert {s.id for s in layers.sites} == set(listed)
    assert all((s.lat, s.lon) == (listed[s.id].lat, listed[s.id].lon) and not s.approximate
               for s in layers.sites)
    viana = next(s for s in layers.sites if s.name == "Viana warehouse")
    assert (viana.lat, viana.lon, viana.country) == (-8.9035, 13.374, "AO")
    # The sweep joins two wallets of targets with a country: Zambia to Kenya.
    assert MoneyFlow("ZM", "KE", "USDT", Decimal("31500.00"), 1) in layers.flows
    assert layers.unplaced == [] and layers.unreadable_amounts == 0


def test_targets_are_counted_per_country(ctx: AppContext, op_id: str) -> None:
    for name, country in (("A", "KE"), ("B", "KE"), ("C", "NL"), ("D", "")):
        targets.add_record(ctx, "target", op_id, targets.target_values("person", name, country))
    _add(ctx, op_id, Target, kind="person", name="From a partner", country=" ke ")
    assert map_layers(ctx, op_id).targets == {"KE": 3, "NL": 1}


def test_flows_are_summed_exactly_per_countries_and_asset(ctx: AppContext,
                                                          op_id: str) -> None:
    _wallet(ctx, op_id, "0xke", "KE")
    _wallet(ctx, op_id, "0xnl", "NL")
    for amount in ("0.1", "0.2", "0.000000000000000001"):
        _transfer(ctx, op_id, "0xke", "0xnl", amount)
    _transfer(ctx, op_id, "0xke", "0xnl", "12345678901234567890.5", asset="USDT")
    _transfer(ctx, op_id, "0xnl", "0xke", "7")
    _transfer(ctx, op_id, "0xke", "0xke", "1.5")
    _transfer(ctx, op_id, "0xke", "0xunknown", "100")  # no country at one end: left out
    layers = map_layers(ctx, op_id)
    assert layers.flows == [
        MoneyFlow("NL", "KE", "ETH", Decimal("7"), 1),
        MoneyFlow("KE", "KE", "ETH", Decimal("1.5"), 1),
        MoneyFlow("KE", "NL", "ETH", Decimal("0.300000000000000001"), 3),
        MoneyFlow("KE", "NL", "USDT", Decimal("12345678901234567890.5"), 1),
    ]


def test_a_label_s_country_comes_before_the_wallet_s_target(ctx: AppContext,
                                                            op_id: str) -> None:
    _wallet(ctx, op_id, "0xke", "KE")
    _wallet(ctx, op_id, "0xdesk", "NL")  # a target's wallet that is also an exchange's
    _label(ctx, op_id, "0xdesk", "de")
    _label(ctx, op_id, "0xvictim", "")  # a label without a country places nothing
    _transfer(ctx, op_id, "0xke", "0xdesk", "2")
    _transfer(ctx, op_id, "0xvictim", "0xke", "3")
    assert map_layers(ctx, op_id).flows == [MoneyFlow("KE", "DE", "ETH", Decimal("2"), 1)]


def test_an_amount_that_is_not_a_number_is_counted_apart(ctx: AppContext, op_id: str) -> None:
    _wallet(ctx, op_id, "0xke", "KE")
    _wallet(ctx, op_id, "0xnl", "NL")
    _transfer(ctx, op_id, "0xke", "0xnl", "5")
    _transfer(ctx, op_id, "0xke", "0xnl", "five")
    _transfer(ctx, op_id, "0xke", "0xnl", "NaN")
    layers = map_layers(ctx, op_id)
    assert layers.flows == [MoneyFlow("KE", "NL", "ETH", Decimal("5"), 1)]
    assert layers.unreadable_amounts == 2


def test_a_site_without_coordinates_is_placed_inside_its_country(ctx: AppContext,
                                                                 op_id: str) -> None:
    exact = targets.add_record(ctx, "site", op_id, targets.site_values(
        "Exact", "KE", "Africa/Nairobi", "-1.29", "36.82"))[0]
    rough = targets.add_record(ctx, "site", op_id, targets.site_values(
        "Rough", "KE", "Africa/Nairobi"))[0]
    small = targets.add_record(ctx, "site", op_id, targets.site_values(
        "Harbour", "SG", "Asia/Singapore"))[0]
    _add(ctx, op_id, Site, name="Nowhere", country="ZZ", zone="UTC")
    layers = map_layers(ctx, op_id)
    by_id = {s.id: s for s in layers.sites}
    assert (by_id[exact].lat, by_id[exact].lon, by_id[exact].approximate) == (-1.29, 36.82,
                                                                              False)
    lon, lat = world_map().countries["KE"].anchor
    assert (by_id[rough].lat, by_id[rough].lon, by_id[rough].approximate) == (lat, lon, True)
    assert by_id[small].approximate and by_id[small].lat == pytest.approx(1.28, abs=0.01)
    assert layers.unplaced == ["Nowhere"]
    assert [s.name for s in layers.sites] == ["Exact", "Harbour", "Rough"]


def test_deleted_records_are_left_out(ctx: AppContext, op_id: str) -> None:
    gone = targets.add_record(ctx, "target", op_id, targets.target_values("person", "Gone",
                                                                          "NL"))[0]
    targets.add_record(ctx, "target", op_id, targets.target_values("person", "Here", "NL"))
    site = targets.add_record(ctx, "site", op_id, targets.site_values(
        "Closed", "NL", "Europe/Amsterdam", "52.37", "4.9"))[0]
    wallet = _wallet(ctx, op_id, "0xke", "KE")
    _wallet(ctx, op_id, "0xnl", "NL")
    kept = _transfer(ctx, op_id, "0xke", "0xnl", "1")
    dropped = _transfer(ctx, op_id, "0xke", "0xnl", "2")
    targets.set_deleted(ctx, "target", gone, True)
    targets.set_deleted(ctx, "site", site, True)
    with ctx.session() as session:
        record = session.get(Transfer, dropped)
        assert record is not None
        record.deleted = True
    layers = map_layers(ctx, op_id)
    assert layers.targets == {"NL": 2, "KE": 1} and layers.sites == []
    assert [f.amount for f in layers.flows] == [Decimal("1")]
    with ctx.session() as session:
        for model, record_id in ((Wallet, wallet), (Transfer, dropped)):
            row = session.get(model, record_id)
            assert row is not None
            row.deleted = model is Wallet
    assert kept and map_layers(ctx, op_id).flows == []  # its wallet is gone: no country


def test_records_above_the_marking_asked_for_are_left_out(ctx: AppContext,
                                                          op_id: str) -> None:
    targets.add_record(ctx, "target", op_id, targets.target_values("person", "Open", "KE",
                                                                   "GREEN"))
    targets.add_record(ctx, "target", op_id, targets.target_values("person", "Secret", "KE",
                                                                   "RED"))
    targets.add_record(ctx, "target", op_id, targets.target_values("person", "Usual", "KE"))
    targets.add_record(ctx, "site", op_id, targets.site_values(
        "Green site", "KE", "Africa/Nairobi", "-1.3", "36.8", tlp="GREEN"))
    targets.add_record(ctx, "site", op_id, targets.site_values(
        "Amber site", "KE", "Africa/Nairobi", "-1.3", "36.8"))
    _wallet(ctx, op_id, "0xke", "KE", "GREEN")
    _wallet(ctx, op_id, "0xnl", "NL", "GREEN")
    _label(ctx, op_id, "0xnl", "DE")  # AMBER: a GREEN map does not know it
    _transfer(ctx, op_id, "0xke", "0xnl", "1", tlp="GREEN")
    _transfer(ctx, op_id, "0xke", "0xnl", "10")
    everything = map_layers(ctx, op_id)
    assert everything.targets == {"KE": 4, "NL": 1}
    assert everything.flows == [MoneyFlow("KE", "DE", "ETH", Decimal("11"), 2)]
    green = map_layers(ctx, op_id, max_tlp="tlp:green")
    assert green.targets == {"KE": 2, "NL": 1}
    assert [s.name for s in green.sites] == ["Green site"]
    assert green.flows == [MoneyFlow("KE", "NL", "ETH", Decimal("1"), 1)]
    assert map_layers(ctx, op_id, max_tlp="AMBER").targets == {"KE": 3, "NL": 1}
    with pytest.raises(ValidationError, match="Unknown TLP level 'pink'"):
        map_layers(ctx, op_id, max_tlp="pink")


def test_only_the_operation_s_own_records(ctx: AppContext, op_id: str) -> None:
    other = operations.create_operation(ctx, "ELSEWHERE")[0]
    targets.add_record(ctx, "target", other, targets.target_values("person", "X", "FR"))
    targets.add_record(ctx, "site", other, targets.site_values("Y", "FR", "Europe/Paris"))
    for op in (op_id, other):
        _wallet(ctx, op, "0xke", "KE")
    _wallet(ctx, other, "0xfr", "FR")
    _transfer(ctx, other, "0xke", "0xfr", "4")
    # The other operation's wallet of the same address does not place this one's transfer.
    _transfer(ctx, op_id, "0xke", "0xfr", "5")
    layers = map_layers(ctx, op_id)
    assert layers.targets == {"KE": 1} and layers.sites == [] and layers.flows == []
    assert map_layers(ctx, other).flows == [MoneyFlow("KE", "FR", "ETH", Decimal("4"), 1)]
    assert map_layers(ctx, "MAPPED").op_id == op_id  # by codename too


def test_an_empty_or_unknown_operation(ctx: AppContext, op_id: str) -> None:
    layers = map_layers(ctx, op_id)
    assert layers.empty and layers.codename == "MAPPED"
    with pytest.raises(NotFoundError, match="no operation 'NOPE'"):
        map_layers(ctx, "NOPE")
