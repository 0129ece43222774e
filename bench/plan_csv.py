"""A generator of large import files: the CSV columns of the import, one row per action.

Targets appear on two rows each and sites on six, so the import's dedup works as it
would on a real plan; every site keeps one place across its rows.

    .venv/bin/python -m bench.plan_csv OUT.csv --mb 50
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core.csv_rows import COLUMNS

CITIES = (("KE", -1.2921, 36.8219), ("AO", -8.8390, 13.2894), ("ZM", -15.3875, 28.3228),
          ("ZA", -26.2041, 28.0473), ("NL", 52.3676, 4.9041))
KINDS = ("person", "organisation", "wallet", "premises", "server")
ACTIONS = ("arrest", "search", "seizure", "takedown")


def write_plan(path: Path, megabytes: float) -> int:
    """Write rows until the file reaches ``megabytes`` MiB; returns the number of rows."""
    limit = int(megabytes * 1024 * 1024)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(COLUMNS) + "\n")
        while f.tell() < limit:
            t = rows // 2
            s = t // 3
            cc, lat, lon = CITIES[s % len(CITIES)]
            f.write(f"Invented Person {t:07d},{KINDS[t % 5]},Site {s:07d},{cc},,"
                    f"{lat + s % 100 / 1000:.5f},{lon - s % 77 / 1000:.5f},"
                    f"{ACTIONS[rows % 4]},{(rows % 7) * 10},,AMBER\n")
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=50)
    args = parser.parse_args()
    rows = write_plan(args.out, args.mb)
    print(f"{args.out}: {rows} rows, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
