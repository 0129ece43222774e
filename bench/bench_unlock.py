"""Unlock with the passphrase, with the real Argon2id parameters of new stores.

Times ``open_store`` as the app calls it (read the key file, derive the key-encryption
key with Argon2id, unwrap the master and database keys, check that the database takes
its key and that the schema is at head, read this store's agency and clock) and, apart,
the Argon2id derivation alone. Prints medians.

    .venv/bin/python -m bench.bench_unlock [--runs 15]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from app.models import keyfile
from app.services.context import init_store, open_store
from bench.measure import machine, median_of, table

PASSPHRASE = "a benchmark passphrase of some length"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "store"
        ctx, _recovery = init_store(folder, PASSPHRASE, "Bench agency", "KE")
        ctx.close()
        slot = keyfile.KeyFile.load(folder / "jointops.key").slot("passphrase")
        assert slot is not None

        def derive() -> None:
            keyfile.passphrase_kek(PASSPHRASE, slot.params)

        def unlock() -> None:
            open_store(folder, PASSPHRASE).close()

        rows = []
        for name, work in (("Argon2id derivation alone", derive),
                           ("open_store with the passphrase", unlock)):
            median, times = median_of(args.runs, work)
            rows.append([name, median, min(times), max(times)])
    print(f"Unlock benchmark: median of {args.runs} runs; Argon2id parameters of a new "
          f"store: {keyfile.ARGON2_DEFAULTS}")
    print(f"Machine: {machine()}\n")
    print(table(["step", "median (s)", "min (s)", "max (s)"], rows))


if __name__ == "__main__":
    main()
