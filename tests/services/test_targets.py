"""Targets, sites and actions: checks on what is written, rows, details, edits, deletes
and their undo."""

from __future__ import annotations

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.models.base import reference_id
from app.services import operations, targets
from app.services.context import AppContext


@pytest.fixture
def op(ctx: AppContext) -> str:
    op_id, _ = operations.create_operation(ctx, "TIDE")
    return op_id


def add_target(ctx: AppContext, op: str, name: str, kind: str = "person",
               country: str = "KE", tlp: str = "AMBER") -> str:
    record_id, change = targets.add_record(ctx, "target", op,
                                           targets.target_values(kind, name, country, tlp))
    assert change.created == {"target": [record_id]}
    return record_id


def add_site(ctx: AppContext, op: str, name: str, country: str = "KE", zone: str = "",
             lat: str = "", lon: str = "") -> str:
    record_id, _ = targets.add_record(ctx, "site", op,
                                      targets.site_values(name, country, zone, lat, lon))
    return record_id


def add_action(ctx: AppContext, op: str, target_id: str, site_id: str | None,
               kind: str = "arrest", tlp: str = "AMBER", offset: int | str = 0) -> str:
    record_id, _ = targets.add_record(ctx, "action", op, targets.action_values(
        kind, target_id, site_id, ctx.agency_id, offset, tlp))
    return record_id


def live_actions(ctx: AppContext, target_id: str) -> set[str]:
    return {a.id for a in targets.target_detail(ctx, target_id).actions}


# ---- checks ---------------------------------------------------------------------------


def test_target_values_are_checked_and_made_canonical() -> None:
    values = targets.target_values(" Organization ", "  Shell Co  ", "ke", "tlp:amber",
                                   nationality=["ke", " ", "ug"], grading="b2")
    assert values == {"kind": "organisation", "name": "Shell Co", "country": "KE",
                      "tlp": "AMBER", "nationality": ["KE", "UG"], "grading": "B2"}
    assert targets.target_values("wallet", "bc1q", "")["country"] == ""


@pytest.mark.parametrize(("args", "extra", "reason"), [
    (("person", " "), {}, "needs a name"),
    (("boat", "X"), {}, "Unknown target kind 'boat'"),
    (("person", "X", "QQ"), {}, "Unknown country 'QQ'"),
    (("person", "X", "KE", "PURPLE"), {}, "Unknown TLP level 'PURPLE'"),
    (("person", "X"), {"grading": "G7"}, "Grading is a source letter"),
    (("person", "X"), {"nationality": ["KE", "ZZ"]}, "Unknown country 'ZZ'"),
])
def test_bad_target_values(args: tuple[str, ...], extra: dict[str, object],
                           reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        targets.target_values(*args, **extra)  # type: ignore[arg-type]


def test_site_values_take_the_only_zone_and_the_jurisdiction() -> None:
    values = targets.site_values("Nairobi flat", "ke", lat="-1.29", lon="36.82")
    assert (values["country"], values["zone"], values["lat"], values["lon"]) == (
        "KE", "Africa/Nairobi", -1.29, 36.82)
    assert values["jurisdiction_id"] == reference_id("jurisdiction", "KE")


@pytest.mark.parametrize(("args", "reason"), [
    (("", "KE"), "needs a name"),
    (("X", "QQ"), "Unknown country"),
    (("X", "US"), "time zones; name the site's zone"),
    (("X", "KE", "Europe/Paris"), "Zone Europe/Paris is not in Kenya"),
    (("X", "KE", "", "91", "0"), "Latitude 91 is out of range"),
    (("X", "KE", "", "0", "east"), "Longitude 'east' is not a number"),
])
def test_bad_site_values(args: tuple[str, ...], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        targets.site_values(*args)


def test_action_values() -> None:
    values = targets.action_values("Search", "t", "s", "a", "-30", "red")
    assert (values["kind"], values["offset_min"], values["tlp"]) == ("search", -30, "RED")
    with pytest.raises(ValidationError, match="Unknown action 'dance'"):
        targets.action_values("dance", "t", None, None)
    with pytest.raises(ValidationError, match="not a whole number"):
        targets.action_values("arrest", "t", None, None, "1.5")
    with pytest.raises(ValidationError, match="Unknown action status"):
        targets.action_values("arrest", "t", None, None, status="lost")


# ---- reading ----------------------------------------------------------------------------


def test_rows_count_sites_and_actions_in_name_order(ctx: AppContext, op: str) -> None:
    zed = add_target(ctx, op, "Zed")
    amy = add_target(ctx, op, "Amy", kind="organisation", country="UG")
    flat = add_site(ctx, op, "Flat")
    office = add_site(ctx, op, "Office")
    add_action(ctx, op, amy, flat)
    add_action(ctx, op, amy, office, kind="search")
    add_action(ctx, op, amy, office, kind="seizure")
    add_action(ctx, op, zed, None)
    rows = targets.target_rows(ctx, op)
    assert [r.values() for r in rows] == [
        ("Amy", "organisation", "UG", 2, 3, "AMBER", ""),
        ("Zed", "person", "KE", 0, 1, "AMBER", "")]
    assert [r.name for r in targets.target_rows(ctx, op, offset=1, limit=1)] == ["Zed"]
    assert targets.count_targets(ctx, op) == 2


def test_detail_lists_actions_with_their_sites(ctx: AppContext, op: str) -> None:
    target = add_target(ctx, op, "Amy")
    site = add_site(ctx, op, "Paris office", "FR", lat="48.86", lon="2.35")
    add_action(ctx, op, target, site, kind="search", offset=10)
    add_action(ctx, op, target, None, offset=-5)
    detail = targets.target_detail(ctx, target)
    assert detail.name == "Amy" and detail.operation_id == op
    assert [(a.kind, a.offset_min, a.site, a.zone, a.agency) for a in detail.actions] == [
        ("arrest", -5, "", "", "Kenya DCI"),
        ("search", 10, "Paris office", "Europe/Paris", "Kenya DCI")]
    sites = targets.sites_of(ctx, op)
    assert [(s.name, s.country, s.lat) for s in sites] == [("Paris office", "FR", 48.86)]
    assert sites[0].jurisdiction  # named after the country's reference record


def test_unknown_records_are_not_found(ctx: AppContext, op: str) -> None:
    with pytest.raises(NotFoundError):
        targets.target_detail(ctx, "no-such-id")
    with pytest.raises(NotFoundError):
        targets.update_record(ctx, "target", "no-such-id", {"name": "X"})
    with pytest.raises(NotFoundError):
        targets.set_deleted(ctx, "site", "no-such-id", True)


# ---- writing ----------------------------------------------------------------------------


def test_update_changes_only_what_differs_and_can_be_undone(ctx: AppContext, op: str) -> None:
    target = add_target(ctx, op, "Amy")
    before = targets.record_values(ctx, "target", target, ["name", "grading"])
    change = targets.update_record(ctx, "target", target, {"name": "Amy B.", "grading": "B2"})
    assert change.updated == {"target": [target]}
    assert targets.update_record(ctx, "target", target, {"name": "Amy B."}).kinds() == set()
    targets.update_record(ctx, "target", target, before)
    assert targets.record_values(ctx, "target", target, ["name", "grading"]) == {
        "name": "Amy", "grading": ""}


def test_deleting_a_target_takes_its_actions_and_undo_brings_back_exactly_those(
        ctx: AppContext, op: str) -> None:
    target = add_target(ctx, op, "Amy")
    flat = add_site(ctx, op, "Flat")
    first = add_action(ctx, op, target, flat)
    marked_red = add_action(ctx, op, target, None, kind="seizure", tlp="RED")
    gone_before = add_action(ctx, op, target, flat, kind="search")
    targets.set_deleted(ctx, "action", gone_before, True)  # deleted on its own, earlier
    other = add_target(ctx, op, "Bob")
    others_action = add_action(ctx, op, other, flat)

    change = targets.set_deleted(ctx, "target", target, True)
    assert change.deleted["target"] == [target]
    assert set(change.deleted["action"]) == {first, marked_red}
    assert [r.name for r in targets.target_rows(ctx, op)] == ["Bob"]
    with pytest.raises(NotFoundError):
        targets.target_detail(ctx, target)

    undo = targets.set_deleted(ctx, "target", target, False)
    assert set(undo.created["action"]) == {first, marked_red}
    assert live_actions(ctx, target) == {first, marked_red}  # not the one deleted before
    assert live_actions(ctx, other) == {others_action}


def test_site_delete_and_target_delete_undo_in_turn(ctx: AppContext, op: str) -> None:
    target = add_target(ctx, op, "Amy")
    flat = add_site(ctx, op, "Flat")
    at_flat = add_action(ctx, op, target, flat)
    elsewhere = add_action(ctx, op, target, None, kind="search")

    targets.set_deleted(ctx, "site", flat, True)
    assert live_actions(ctx, target) == {elsewhere}
    targets.set_deleted(ctx, "target", target, True)
    targets.set_deleted(ctx, "target", target, False)
    assert live_actions(ctx, target) == {elsewhere}  # the site's delete still holds
    targets.set_deleted(ctx, "site", flat, False)
    assert live_actions(ctx, target) == {elsewhere, at_flat}
    assert [s.name for s in targets.sites_of(ctx, op)] == ["Flat"]


def test_deleting_twice_or_restoring_a_live_record_changes_nothing_else(
        ctx: AppContext, op: str) -> None:
    target = add_target(ctx, op, "Amy")
    action = add_action(ctx, op, target, None)
    targets.set_deleted(ctx, "target", target, False)
    assert live_actions(ctx, target) == {action}
    targets.set_deleted(ctx, "target", target, True)
    again = targets.set_deleted(ctx, "target", target, True)
    assert again.count("deleted", "action") == 0
    targets.set_deleted(ctx, "target", target, False)
    assert live_actions(ctx, target) == {action}


def test_writes_are_stamped_per_field(ctx: AppContext, op: str) -> None:
    target = add_target(ctx, op, "Amy")
    with ctx.session() as session:
        from app.models.records import Target

        record = session.get(Target, target)
        assert record is not None
        first = dict(record.stamps)
    assert {"name", "kind", "country", "tlp"} <= set(first)
    targets.update_record(ctx, "target", target, {"grading": "A1"})
    with ctx.session() as session:
        record = session.get(Target, target)
        assert record is not None
        assert record.stamps["grading"] > first["name"]
        assert record.stamps["name"] == first["name"]
        assert record.updated == max(record.stamps.values())
