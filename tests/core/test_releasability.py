from __future__ import annotations

import pytest

from app.core.releasability import releasable

PARTS = {"ke", "ao", "fr"}


@pytest.mark.parametrize(("level", "recipient", "ceiling", "red_to", "allowed", "why"), [
    ("AMBER", "ao", "AMBER", (), True, ""),
    ("GREEN", "gb", "AMBER", (), False, "not a participant"),
    ("AMBER", "ao", "GREEN", (), False, "above this partner's ceiling"),
    ("CLEAR", "ao", "CLEAR", (), True, ""),
    ("RED", "ao", "RED", (), False, "not addressed"),
    ("RED", "ao", "AMBER", ("ao",), True, ""),
    ("AMBER+STRICT", "ao", "RED", (), False, "stays inside"),
    ("AMBER+STRICT", "ke", "CLEAR", (), True, ""),  # the owner itself
])
def test_sharing_rules(level: str, recipient: str, ceiling: str, red_to: tuple[str, ...],
                       allowed: bool, why: str) -> None:
    verdict = releasable(level, "ke", recipient, PARTS, ceiling, red_to)
    assert verdict.allowed is allowed
    assert why in verdict.reason
