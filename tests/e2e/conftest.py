"""Fixtures for driving the CLI in subprocesses.

The subprocesses use the real Argon2id cost (the test process's cheap setting does not
reach them), so the store is made once per module by `jointops init` and copied for
each test that changes it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_run import GOOD_CSV, Result, Runner, Template, run_cli


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A store made by `jointops init --remember` on a machine without a keyring, holding
    the operation SERENGETI imported from GOOD_CSV."""
    base = tmp_path_factory.mktemp("template")
    store = base / "store"
    init = run_cli(store, base, "init", "--agency", "Kenya DCI", "--country", "KE",
                   "--remember")
    assert init.code == 0, init.err
    key = next(line.split(":", 1)[1].strip() for line in init.out.splitlines()
               if line.startswith("Recovery key:"))
    csv = base / "plan.csv"
    csv.write_text(GOOD_CSV, encoding="utf-8")
    imported = run_cli(store, base, "operation", "import", "SERENGETI", str(csv))
    assert imported.code == 0, imported.err
    return Template(store, key, init)


@pytest.fixture
def store(template: Template, tmp_path: Path) -> Path:
    """A copy of the template store for one test to change."""
    folder = tmp_path / "store"
    shutil.copytree(template.store, folder, ignore=shutil.ignore_patterns("jointops.lock"))
    return folder


@pytest.fixture
def jointops(store: Path, tmp_path: Path) -> Runner:
    def run(*args: str, stdin: str | None = None, **env: str) -> Result:
        return run_cli(store, tmp_path, *args, stdin=stdin, **env)
    return run
