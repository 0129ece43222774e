"""Sites as the sites list reads them: action counts, owners, and which rows a change
touched."""

from __future__ import annotations

from app.services import operations, sites, targets
from app.services.context import AppContext


def _site(ctx: AppContext, op: str, name: str, country: str = "KE") -> str:
    site_id, _ = targets.add_record(ctx, "site", op, targets.site_values(name, country))
    return site_id


def _action(ctx: AppContext, op: str, target: str, site: str | None) -> str:
    action_id, _ = targets.add_record(ctx, "action", op, targets.action_values(
        "search", target, site, ctx.agency_id))
    return action_id


def test_rows_count_live_actions_and_name_the_owner(ctx: AppContext) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    other, _ = operations.create_operation(ctx, "EBB")
    target, _ = targets.add_record(ctx, "target", op, targets.target_values("person", "A"))
    busy, quiet = _site(ctx, op, "Busy house"), _site(ctx, op, "Quiet house", "ZM")
    _site(ctx, other, "Elsewhere")
    first = _action(ctx, op, target, busy)
    _action(ctx, op, target, busy)
    _action(ctx, op, target, None)
    targets.set_deleted(ctx, "action", first, True)
    rows = sites.site_rows(ctx, op)
    assert [(r.name, r.country, r.zone, r.actions) for r in rows] == [
        ("Busy house", "KE", "Africa/Nairobi", 1), ("Quiet house", "ZM", "Africa/Lusaka", 0)]
    assert {(r.owner, r.owner_agency_id) for r in rows} == {("Kenya DCI", ctx.agency_id)}
    assert sites.site_rows(ctx, op, [quiet]) == [rows[1]]
    assert sites.site_row(ctx, busy) == rows[0]
    assert [a.target for a in sites.site_actions(ctx, busy)] == ["A"]


def test_what_a_change_touched(ctx: AppContext) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    a, _ = targets.add_record(ctx, "target", op, targets.target_values("person", "A"))
    b, _ = targets.add_record(ctx, "target", op, targets.target_values("person", "B"))
    house, flat = _site(ctx, op, "House"), _site(ctx, op, "Flat")
    _action(ctx, op, a, house)
    on_flat = _action(ctx, op, b, flat)
    deleted = targets.set_deleted(ctx, "site", house, True)
    assert sites.sites_touched(ctx, deleted) == {house}
    assert sites.targets_touched(ctx, deleted) == {a}
    edited = targets.update_record(ctx, "site", flat, {"name": "Flat 2"})
    assert sites.targets_touched(ctx, edited) == {b}  # its detail names the site
    moved = targets.update_record(ctx, "action", on_flat, {"site_id": None})
    assert sites.sites_touched(ctx, moved) is None  # from which site? read them all
    assert sites.targets_touched(ctx, moved) == set()  # no site changed
    gone = targets.set_deleted(ctx, "target", a, True)
    assert sites.sites_touched(ctx, gone) == set()  # its action went with House
