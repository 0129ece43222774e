"""Traffic Light Protocol 2.0 levels, ordered from most to least shareable."""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
DEFAULT = "AMBER"


def normalise(text: str | None, default: str = DEFAULT) -> str:
    """Return the canonical TLP level for user text such as 'amber' or 'TLP:RED'."""
    if text is None or not text.strip():
        return default
    level = text.strip().upper().removeprefix("TLP:").replace(" ", "")
    if level == "WHITE":  # TLP 1.0 name, still common in partners' files
        level = "CLEAR"
    if level not in LEVELS:
        raise ValueError(f"unknown TLP level {text.strip()!r} "
                         f"(expected one of {', '.join(LEVELS)})")
    return level


def rank(level: str) -> int:
    return LEVELS.index(level)
