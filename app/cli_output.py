"""How the command line writes: one JSON document, aligned tables, UTC times, and the
checks on file arguments that are made before any store is unlocked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.errors import KnownError


def utc_text(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def short_utc(moment: datetime | None) -> str:
    """A UTC time for a table column: 2026-03-29 01:30Z, or empty."""
    return "" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}Z"


def print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                indent: str = "") -> None:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r]
                                           for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print(indent + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def existing_file(path: Path, what: str = "file") -> Path:
    """The file to read, or a known error before anything is unlocked."""
    if not path.is_file():
        raise KnownError(f"There is no {what} {path}.")
    return path


def new_file(path: Path) -> Path:
    """A file to write, in a folder that exists (checked before any work is done)."""
    if path.is_dir():
        raise KnownError(f"{path} is a folder; name a file to write.")
    if not path.parent.is_dir():
        raise KnownError(f"The folder {path.parent} does not exist.")
    return path


def counts_text(counts: dict[str, int]) -> str:
    """{"target": 3, "site": 1} -> "3 target, 1 site" (largest first)."""
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(),
                                                           key=lambda kv: (-kv[1], kv[0])))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
