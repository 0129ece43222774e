"""The GUI started as a person starts it: `python -m app gui --demo`, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui_support import PASSPHRASE

from app.services import operations
from app.services.context import init_store, open_store
from app.views.launcher import EXIT_WHEN_SHOWN_ENV, PASSPHRASE_ENV, SHOWN_MARK

ROOT = Path(__file__).resolve().parents[2]


def test_gui_demo_creates_the_demo_and_shows_the_window(store_dir: Path) -> None:
    init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")[0].close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{PASSPHRASE_ENV: PASSPHRASE,
                                                           EXIT_WHEN_SHOWN_ENV: "1"})
    done = subprocess.run([sys.executable, "-m", "app", "--store", str(store_dir), "gui",
                           "--demo"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert any(line.startswith(SHOWN_MARK) for line in done.stdout.splitlines())
    ctx = open_store(store_dir, PASSPHRASE)  # the GUI released the store on exit
    try:
        assert [s.codename for s in operations.list_operations(ctx)] == ["SERENGETI SUN"]
    finally:
        ctx.close()
