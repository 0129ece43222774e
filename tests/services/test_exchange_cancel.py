"""Cancelling a bundle import: asked between steps and during the merge, it rolls the
whole transaction back, so the store is as before (but for the audit entry)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.models.base import Base
from app.models.records import AuditEntry
from app.services import exchange, targets
from app.services.context import AppContext
from app.sync import merge
from tests.services.test_exchange import operation_with_targets, target_names
from tests.sync.exchange_helpers import kenya_and_angola


@pytest.fixture
def bundle(tmp_path: Path) -> Iterator[tuple[AppContext, Path]]:
    """AO's store and a bundle from KE to it of a dozen changesets."""
    ke, ao = kenya_and_angola(tmp_path)
    op = operation_with_targets(ke, ao)
    for n in range(8):
        targets.add_record(ke, "target", op, targets.target_values("person", f"T{n}", "KE"))
    path = tmp_path / "b.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    ke.close()
    yield ao, path
    ao.close()


def _dump(ctx: AppContext) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log."""
    with ctx.store.session() as session:
        return {t.name: sorted(map(tuple, session.execute(select(t))), key=repr)
                for t in Base.metadata.sorted_tables if t.name != AuditEntry.__tablename__}


class _CancelAt:
    """A cancel() that says yes at its ``at``-th question (never when 0)."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked == self.at


def test_cancel_at_any_point_changes_nothing(bundle: tuple[AppContext, Path],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "CANCEL_EVERY", 3)  # asked several times in the merge
    ao, path = bundle
    before = _dump(ao)
    # Cancelled at its first question, then its second, and so on, until an import is
    # asked fewer times than that and goes through.
    points: list[int] = []
    for at in range(1, 50):
        cancel = _CancelAt(at)
        try:
            exchange.import_bundle(ao, path, cancel=cancel)
        except exchange.BundleCancelledError as error:
            assert str(error) == "The import was cancelled; nothing was changed."
            assert _dump(ao) == before
            points.append(at)
            continue
        break
    # After the outer signature, after decryption, during the merge (every 3 of about
    # 14 changesets) and before the commit: every one rolled back.
    assert cancel.asked == len(points) >= 7
    assert {"Shared", "T0", "T7"} <= target_names(ao)
    with ao.store.session() as session:
        cancelled = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "bundle import cancelled")).all()
        assert len(cancelled) == len(points)
