"""The demo operation and the generator: counts, places, ownership, wallets, refusals."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import placement
from app.core.addresses import check_address
from app.core.errors import KnownError
from app.models.records import (
    Action,
    Agency,
    AuditEntry,
    Operation,
    Participant,
    Site,
    Target,
    Transfer,
    Wallet,
)
from app.services.context import AppContext, init_store
from app.services.demo import DEMO_CODENAME, create_demo, generate
from app.services.operations import overview

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py

TABLES = (Operation, Agency, Participant, Target, Site, Action, Wallet, Transfer)


def counts(ctx: AppContext) -> dict[str, int]:
    with ctx.session() as session:
        return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0)
                for m in TABLES}


def test_demo_creates_the_expected_operation(ctx: AppContext) -> None:
    before = counts(ctx)
    op_id, change = create_demo(ctx)
    after = counts(ctx)
    grown = {k: after[k] - before[k] for k in after}
    assert grown == {"operation": 1, "agency": 6, "participant": 7, "target": 21, "site": 12,
                     "action": 31, "wallet": 10, "transfer": 9}
    assert change.count("created", "target") == 21
    assert change.count("created", "action") == 31
    assert change.count("created", "agency") == 6

    info = overview(ctx, op_id)
    assert info.summary.codename == DEMO_CODENAME
    assert info.summary.lead_agency == "Kenya DCI"  # this store's agency plays Kenya's part
    assert info.summary.h_hour is not None
    assert "Serengeti" in info.description and "invented" in info.description
    roles = {p.country: p.role for p in info.participants}
    assert roles == {"KE": "lead", "AO": "participant", "ZM": "participant",
                     "ZA": "participant", "NL": "participant", "GB": "observer",
                     "FR": "observer"}
    partners = [p for p in info.participants if p.agency != "Kenya DCI"]
    assert all("24/7" in p.contact_24_7 and ".example" in p.contact_24_7 for p in partners)

    with ctx.session() as session:
        targets = list(session.scalars(select(Target).where(Target.operation_id == op_id)))
        actions = list(session.scalars(select(Action).where(Action.operation_id == op_id)))
        sites = list(session.scalars(select(Site).where(Site.operation_id == op_id)))
        assert set(Counter(t.kind for t in targets)) == set(placement.TARGET_KINDS)
        assert set(Counter(a.kind for a in actions)) == set(placement.ACTION_KINDS)
        assert {s.country for s in sites} == {"KE", "AO", "ZM", "ZA", "NL"}
        assert all("Fictional" in t.notes for t in targets)
        assert all("(fictional address)" in s.address for s in sites)
        assert len({a.offset_min for a in actions}) > 3
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "demo created")) == 1


def test_every_site_has_a_zone_of_its_country_and_real_coordinates(ctx: AppContext) -> None:
    op_id, _ = create_demo(ctx)
    with ctx.session() as session:
        sites = list(session.scalars(select(Site).where(Site.operation_id == op_id)))
    for site in sites:
        assert placement.check_zone(site.country, site.zone) == site.zone
        assert placement.check_zone(site.country, "") == site.zone  # one-zone countries
        assert site.lat is not None and site.lon is not None
        placement.check_latitude(str(site.lat))
        placement.check_longitude(str(site.lon))
    by_name = {s.name: s for s in sites}
    # Kilimani is in Nairobi, south of the equator; Amsterdam is north and east of Greenwich.
    assert -1.4 < (by_name["Kilimani apartment 7C"].lat or 0) < -1.2
    assert (by_name["Amsterdam hosting hall"].lat or 0) > 52


def test_records_are_owned_here_and_actions_assigned_by_country(ctx: AppContext) -> None:
    # A store writes records in its own agency's name only (partners refuse anything
    # else, DESIGN.md "Authority"); the work is shared out by assigning each action to
    # the agency of the country where it happens, which may report on it.
    op_id, _ = create_demo(ctx)
    with ctx.session() as session:
        country_of = {aid: cc for aid, cc in session.execute(select(Agency.id, Agency.country))}
        op = session.get(Operation, op_id)
        assert op is not None
        assert op.owner_agency_id == op.lead_agency_id == ctx.agency_id
        scoped: list[Any] = [*session.scalars(select(Site).where(Site.operation_id == op_id)),
                  *session.scalars(select(Target).where(Target.operation_id == op_id)),
                  *session.scalars(select(Action).where(Action.operation_id == op_id)),
                  *session.scalars(select(Participant).where(
                      Participant.operation_id == op_id)),
                  *session.scalars(select(Wallet)), *session.scalars(select(Transfer)),
                  *session.scalars(select(Agency))]
        for record in scoped:
            assert record.owner_agency_id == ctx.agency_id, record
            assert record.stamps and record.updated
        for action in session.scalars(select(Action).where(Action.operation_id == op_id)):
            site = session.get(Site, action.site_id) if action.site_id else None
            target = session.get(Target, action.target_id)
            assert target is not None
            where = site.country if site is not None else target.country
            assert country_of[action.agency_id or ""] == where


def test_wallet_addresses_are_well_formed(ctx: AppContext) -> None:
    create_demo(ctx)
    with ctx.session() as session:
        wallets = list(session.scalars(select(Wallet)))
        transfers = list(session.scalars(select(Transfer)))
    assert {w.chain for w in wallets} == {"bitcoin", "tron", "ethereum"}
    for wallet in wallets:
        result = check_address(wallet.chain, wallet.address)
        assert result.valid, (wallet.address, result.reason)
    known = {w.address for w in wallets}
    for transfer in transfers:
        assert check_address(transfer.chain, transfer.from_address).valid
        assert check_address(transfer.chain, transfer.to_address).valid
        assert len(transfer.tx_hash) == 64
        assert transfer.from_address in known or transfer.to_address in known


def test_calling_twice_is_refused_and_changes_nothing(ctx: AppContext) -> None:
    create_demo(ctx)
    before = counts(ctx)
    with pytest.raises(KnownError, match="already exists"):
        create_demo(ctx)
    assert counts(ctx) == before
    other, _ = create_demo(ctx, "SERENGETI MOON")  # another codename reuses the agencies
    assert counts(ctx)["agency"] == before["agency"]
    assert overview(ctx, other).summary.targets == 21


def test_a_store_of_another_country_takes_its_part(tmp_path: Path) -> None:
    zambia, _ = init_store(tmp_path / "zm", PASSPHRASE, "Zambia Police Cyber Unit", "ZM")
    brazil, _ = init_store(tmp_path / "br", PASSPHRASE, "Policia Exemplo", "BR")
    try:
        op_id, _ = create_demo(zambia)
        roles = {p.agency: p.role for p in overview(zambia, op_id).participants}
        assert roles["Zambia Police Cyber Unit"] == "participant"
        assert roles["Nairobi Cyber Fraud Task Force"] == "lead"
        assert "Zambia Financial Crimes Taskforce" not in roles

        op_id, _ = create_demo(brazil)
        roles = {p.agency: p.role for p in overview(brazil, op_id).participants}
        assert roles["Policia Exemplo"] == "participant"
        assert len(roles) == 8
    finally:
        zambia.close()
        brazil.close()


def test_generate_makes_an_operation_at_scale(ctx: AppContext) -> None:
    op_id, change = generate(ctx, "SCALE", targets=2_000, actions=4_000, seed=7)
    summary = overview(ctx, op_id).summary
    assert (summary.targets, summary.actions) == (2_000, 4_000)
    assert summary.sites == change.count("created", "site") > 1_000
    with ctx.session() as session:
        kinds = set(session.scalars(select(Target.kind).where(Target.operation_id == op_id)))
        assert kinds == set(placement.TARGET_KINDS)
        zones = session.execute(select(Site.country, Site.zone).where(
            Site.operation_id == op_id).distinct()).all()
        names = list(session.scalars(select(Target.name).where(Target.operation_id == op_id)
                                     .order_by(Target.name).limit(5)))
    for cc, zone in zones:
        assert placement.check_zone(cc, zone) == zone
    with pytest.raises(KnownError, match="already exists"):
        generate(ctx, "SCALE", targets=10, actions=10)
    again, _ = generate(ctx, "SCALE 2", targets=2_000, actions=4_000, seed=7)
    with ctx.session() as session:
        same = list(session.scalars(select(Target.name).where(Target.operation_id == again)
                                    .order_by(Target.name).limit(5)))
    assert same == names  # the same seed makes the same operation
