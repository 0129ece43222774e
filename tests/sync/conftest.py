"""Fixtures of the sync tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.context import AppContext
from tests.sync.exchange_helpers import make_store, trust_each_other


@pytest.fixture
def trusting_pair(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    """Kenya DCI and Angola SIC, each holding the other's roster, trusted."""
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    trust_each_other(ke, ao)
    yield ke, ao
    ke.close()
    ao.close()
