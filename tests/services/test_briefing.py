"""Briefing packs: each agency sees its own actions in its own clock, and only what it may."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import NotFoundError
from app.models.records import Agency
from app.services import operations, targets
from app.services.briefing import build_briefing
from app.services.briefing_pdf import write_briefing_pdf
from app.services.context import AppContext
from app.services.timing import parse_instant, set_h_hour


def _agency(ctx: AppContext, name: str, cc: str, contact: str) -> str:
    with ctx.session() as session:
        agency = Agency(name=name, country=cc, contact_24_7=contact, owner_agency_id=ctx.agency_id)
        session.add(agency)
        session.flush()
        return agency.id


@pytest.fixture
def op(ctx: AppContext) -> str:
    op_id, _ = operations.create_operation(ctx, "TIDE", description="Strike the fraud ring.")
    fr = _agency(ctx, "Fictional Police FR", "FR", "+33 1 00 00 00 00")
    _agency(ctx, "Outsider Agency", "GB", "none")
    operations.add_participant(ctx, op_id, fr)
    t1, _ = targets.add_record(ctx, "target", op_id,
                               targets.target_values("person", "Open Target", "FR", "GREEN"))
    targets.add_record(ctx, "target", op_id,
                       targets.target_values("person", "Secret Target", "KE", "RED"))
    site, _ = targets.add_record(ctx, "site", op_id,
                                 targets.site_values("Paris office", "FR", "", "48.86", "2.35"))
    targets.add_record(ctx, "action", op_id, targets.action_values("arrest", t1, site, fr, -15))
    set_h_hour(ctx, "TIDE", parse_instant("2026-06-01T05:00:00Z"))
    return op_id


def test_partner_sees_own_actions_in_own_clock_and_only_released_targets(
        ctx: AppContext, op: str) -> None:
    pack = build_briefing(ctx, "TIDE", "Fictional Police FR")
    assert pack.h_hour_local is not None
    assert pack.h_hour_local.isoformat() == "2026-06-01T07:00:00+02:00"
    assert [a.site for a in pack.actions] == ["Paris office"]
    assert pack.actions[0].local_start is not None
    assert pack.actions[0].local_start.isoformat() == "2026-06-01T06:45:00+02:00"
    assert [t.name for t in pack.targets] == ["Open Target"]
    assert pack.withheld == 1
    assert [c.agency for c in pack.contacts] == ["Kenya DCI"]
    assert pack.marking == "GREEN"


def test_own_agency_sees_everything(ctx: AppContext, op: str) -> None:
    pack = build_briefing(ctx, "TIDE", "Kenya DCI")
    assert {t.name for t in pack.targets} == {"Open Target", "Secret Target"}
    assert pack.marking == "RED"
    assert pack.h_hour_local is not None and pack.h_hour_local.utcoffset() is not None


def test_unknown_or_outside_agency_refused(ctx: AppContext, op: str) -> None:
    with pytest.raises(NotFoundError, match="no agency"):
        build_briefing(ctx, "TIDE", "Nobody")
    with pytest.raises(NotFoundError, match="does not take part"):
        build_briefing(ctx, "TIDE", "Outsider Agency")


def test_pdf_has_the_pages_and_text(ctx: AppContext, op: str, tmp_path: Path) -> None:
    target = tmp_path / "brief.pdf"
    write_briefing_pdf(build_briefing(ctx, "TIDE", "Fictional Police FR"), target)
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Briefing for Fictional Police FR" in text
        assert "2026-06-01 07:00" in text and "TLP:GREEN" in text
        assert "Secret Target" not in text
    with ctx.session() as session:
        assert session.scalars(select(Agency)).first() is not None
