"""Helpers shared by the GUI tests."""

from __future__ import annotations

from pathlib import Path

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of the store folder (but the lock), to show nothing changed."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(".lock")}
