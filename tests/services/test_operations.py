"""Operations: create, list with counts, overview with participants, and edits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.core.errors import KnownError, NotFoundError, ValidationError
from app.services import operations, targets
from app.services.context import AppContext, find_agency


def other_agency(ctx: AppContext, name: str = "Zambia Police", country: str = "ZM") -> str:
    """A partner agency record, as an exchange or an import would bring it."""
    from app.models.records import Agency

    with ctx.session() as session:
        agency = Agency(name=name, country=country, contact_24_7="+260 000", tlp="GREEN")
        session.add(agency)
        session.flush()
        return agency.id


def test_create_makes_us_the_lead(ctx: AppContext) -> None:
    op_id, change = operations.create_operation(ctx, "  SERENGETI  ", description="Mining",
                                                crime_types=["fraud"])
    assert change.created["operation"] == [op_id]
    assert len(change.created["participant"]) == 1
    view = operations.overview(ctx, "SERENGETI")
    assert view.summary.codename == "SERENGETI" and view.summary.id == op_id
    assert (view.summary.status, view.summary.lead_agency, view.summary.h_hour) == (
        "planning", "Kenya DCI", None)
    assert (view.description, view.crime_types) == ("Mining", ["fraud"])
    assert [(p.agency, p.country, p.role) for p in view.participants] == [
        ("Kenya DCI", "KE", "lead")]
    assert operations.overview(ctx, op_id).summary.codename == "SERENGETI"  # by id too


def test_create_refuses_empty_and_duplicate_codenames(ctx: AppContext) -> None:
    with pytest.raises(ValidationError, match="needs a codename"):
        operations.create_operation(ctx, "   ")
    operations.create_operation(ctx, "HAECHI")
    with pytest.raises(KnownError, match="already exists"):
        operations.create_operation(ctx, "HAECHI")
    assert [s.codename for s in operations.list_operations(ctx)] == ["HAECHI"]


def test_list_counts_only_live_records(ctx: AppContext) -> None:
    busy, _ = operations.create_operation(ctx, "BUSY")
    operations.create_operation(ctx, "AIDLE")
    t1, _ = targets.add_record(ctx, "target", busy, targets.target_values("person", "A"))
    t2, _ = targets.add_record(ctx, "target", busy, targets.target_values("person", "B"))
    site, _ = targets.add_record(ctx, "site", busy, targets.site_values("Flat", "KE"))
    for target in (t1, t1, t2):
        targets.add_record(ctx, "action", busy,
                           targets.action_values("arrest", target, site, ctx.agency_id))
    targets.set_deleted(ctx, "target", t2, True)
    listed = operations.list_operations(ctx)
    assert [(s.codename, s.targets, s.sites, s.actions) for s in listed] == [
        ("AIDLE", 0, 0, 0), ("BUSY", 1, 1, 2)]


def test_update_fields_and_refusals(ctx: AppContext) -> None:
    op_id, _ = operations.create_operation(ctx, "TIDE")
    h_hour = datetime(2026, 6, 1, 3, 30, tzinfo=UTC)
    change = operations.update_operation(ctx, op_id, status="ready", h_hour=h_hour)
    assert change.updated == {"operation": [op_id]}
    assert operations.update_operation(ctx, op_id, status="ready").kinds() == set()
    summary = operations.overview(ctx, op_id).summary
    assert (summary.status, summary.h_hour) == ("ready", h_hour)
    with pytest.raises(ValidationError, match="Unknown status"):
        operations.update_operation(ctx, op_id, status="finished")
    with pytest.raises(ValidationError, match="cannot be set"):
        operations.update_operation(ctx, op_id, lead_agency_id="x")
    with pytest.raises(NotFoundError):
        operations.update_operation(ctx, "NO SUCH OP", status="ready")


def test_update_refuses_what_the_store_would_choke_on(ctx: AppContext) -> None:
    op_id, _ = operations.create_operation(ctx, "TIDE")
    operations.create_operation(ctx, "WAVE")
    with pytest.raises(KnownError, match="already exists"):
        operations.update_operation(ctx, op_id, codename="WAVE")
    with pytest.raises(ValidationError, match="needs a codename"):
        operations.update_operation(ctx, op_id, codename="  ")
    with pytest.raises(ValidationError, match="TLP"):
        operations.update_operation(ctx, op_id, tlp="PURPLE")
    with pytest.raises(ValidationError, match="UTC"):
        operations.update_operation(ctx, op_id, h_hour=datetime(2026, 6, 1, 3, 30))
    summary = operations.overview(ctx, op_id).summary
    assert (summary.codename, summary.h_hour) == ("TIDE", None)
    operations.update_operation(ctx, op_id, codename=" TIDE II ", tlp="tlp:green")
    assert operations.overview(ctx, op_id).summary.codename == "TIDE II"


def test_participants(ctx: AppContext) -> None:
    op_id, _ = operations.create_operation(ctx, "TIDE")
    zambia = other_agency(ctx)
    change = operations.add_participant(ctx, op_id, zambia)
    assert len(change.created["participant"]) == 1
    assert operations.add_participant(ctx, op_id, zambia).kinds() == set()  # already in
    view = operations.overview(ctx, op_id)
    assert [(p.agency, p.role, p.contact_24_7) for p in view.participants] == [
        ("Kenya DCI", "lead", ""), ("Zambia Police", "participant", "+260 000")]
    with pytest.raises(ValidationError, match="Unknown role"):
        operations.add_participant(ctx, op_id, zambia, "boss")
    with pytest.raises(NotFoundError):
        operations.add_participant(ctx, op_id, "no-such-agency")


def test_find_agency_by_name_or_id(ctx: AppContext) -> None:
    zambia = other_agency(ctx)
    with ctx.session() as session:
        by_name = find_agency(session, " Zambia Police ")
        by_id = find_agency(session, zambia)
        assert by_name is not None and by_id is not None and by_name.id == by_id.id == zambia
        assert find_agency(session, "Nobody") is None
