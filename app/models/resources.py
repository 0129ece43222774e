"""Where the shipped resources (reference data, world map) live."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
REFERENCE = RESOURCES / "reference"
