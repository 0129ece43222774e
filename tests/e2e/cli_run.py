"""Running `python -m app` in a subprocess, as a script or a person would."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]

GOOD_CSV = """\
target,kind,site,country,zone,lat,lon,action,offset_min,agency,tlp
Mining hall 3,premises,Luanda warehouse,AO,,-8.83,13.23,search,0,,AMBER
Fictional Person,person,Nairobi flat,KE,,-1.29,36.82,arrest,-15,Kenya DCI,
Fictional Person,person,Nairobi flat,KE,,-1.29,36.82,search,-10,,
"""


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


Runner = Callable[..., Result]


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOINTOPS_")}
    env.update({
        "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
        # A headless machine: no usable keyring.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "JOINTOPS_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def run_cli(store: Path, home: Path, *args: str, stdin: str | None = None,
            **env: str) -> Result:
    """Run jointops; ``env`` overrides variables, an empty value removes one."""
    done = subprocess.run(
        [sys.executable, "-m", "app", "--store", str(store), *args], cwd=ROOT,
        env=cli_env(home, **env), input=stdin if stdin is not None else "",
        capture_output=True, text=True, timeout=120,
        start_new_session=True)  # no controlling terminal: a prompt can never wait
    return Result(done.returncode, done.stdout, done.stderr)


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of the database and key files (WAL and shared memory too, if any)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())
            if p.is_file() and p.name.startswith(("jointops.db", "jointops.key"))}


@dataclass(frozen=True)
class Template:
    store: Path
    recovery_key: str
    init: Result
