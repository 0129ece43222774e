"""Timing helpers shared by the benchmarks: medians of repeated runs, and a plain table."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy
import sqlcipher3


@contextmanager
def stopwatch(into: list[float]) -> Iterator[None]:
    """Appends the seconds the block took to ``into``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        into.append(time.perf_counter() - start)


def median_of(runs: int, work: Callable[[], object]) -> tuple[float, list[float]]:
    times: list[float] = []
    for _ in range(runs):
        with stopwatch(times):
            work()
    return statistics.median(times), times


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, so the output can be pasted into RESULTS.md as it is."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def machine() -> str:
    conn = sqlcipher3.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()
        embedded = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    import sqlite3

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
            f"SQLCipher {cipher[0] if cipher else '?'} (SQLite {embedded}), "
            f"plain SQLite {sqlite3.sqlite_version}")
