"""`app.cli.main` in the test process, for what a subprocess cannot easily arrange: a bug,
the keyring, the GUI's entry point, and Qt staying unloaded."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from cli_run import ROOT

from app import cli, cli_ops
from app.services.context import AppContext, init_store, open_store
from app.services.operations import list_operations

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py


@pytest.fixture
def closed_store(ctx: AppContext, store_dir: Path) -> Path:
    ctx.close()
    return store_dir


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bug_exits_70_and_logs_the_traceback(closed_store: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def broken(_ctx: AppContext) -> list[Any]:
        raise RuntimeError("a deliberate fault")

    monkeypatch.setattr(cli_ops.operations, "list_operations", broken)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("JOINTOPS_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "--store", str(closed_store), "operation", "list")
    assert code == 70 and out == ""
    log = tmp_path / "state" / "JointOps" / "log" / "jointops.log"
    assert err.splitlines() == [err.strip()]
    assert "bug" in err and str(log) in err and "Traceback" not in err
    assert log.stat().st_mode & 0o777 == 0o600
    logged = log.read_text()
    assert "Traceback" in logged and "RuntimeError: a deliberate fault" in logged
    assert "jointops operation list" in logged
    assert PASSPHRASE not in logged
    # The store was closed on the way out: it opens again.
    open_store(closed_store, passphrase=PASSPHRASE).close()


def test_file_system_refusal_is_a_known_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("JOINTOPS_PASSPHRASE", PASSPHRASE)
    code, _out, err = run(capsys, "--store", str(blocker / "store"), "init", "--agency", "A",
                          "--country", "KE")
    assert code == 1
    assert len(err.splitlines()) == 1 and str(blocker) in err


def test_keyring_unlocks_and_losing_it_is_not_fatal(
        store_dir: Path, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JOINTOPS_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "--store", str(store_dir), "init", "--agency", "Kenya DCI",
                         "--country", "KE", "--remember")
    assert code == 0, err
    assert "keyring will unlock" in out and err == ""
    monkeypatch.delenv("JOINTOPS_PASSPHRASE")

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # any prompt would find nothing
    code, out, err = run(capsys, "--store", str(store_dir), "operation", "create", "KEYRING")
    assert code == 0, err

    memory_keyring.entries.clear()  # the keyring backend changed
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    code, out, err = run(capsys, "--store", str(store_dir), "operation", "list", "--json")
    assert code == 0
    assert [op["codename"] for op in json.loads(out)] == ["KEYRING"]
    assert "keyring on this device did not unlock" in err


def test_environment_passphrase_comes_before_the_keyring(
        store_dir: Path, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE", remember=True)
    ctx.close()
    monkeypatch.setenv("JOINTOPS_PASSPHRASE", "not the passphrase")
    code, _out, err = run(capsys, "--store", str(store_dir), "operation", "list")
    assert code == 3 and "Wrong passphrase" in err


def test_recovery_key_from_a_prompt(store_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    ctx, recovery = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    ctx.close()
    monkeypatch.setattr(sys, "stdin", io.StringIO(recovery.lower() + "\n"))
    code, _out, err = run(capsys, "--store", str(store_dir), "--recovery-key", "operation",
                          "create", "RECOVERED")
    assert code == 0, err
    ctx = open_store(store_dir, passphrase=PASSPHRASE)
    try:
        assert [s.codename for s in list_operations(ctx)] == ["RECOVERED"]
    finally:
        ctx.close()


def test_change_passphrase_asks_the_new_one_twice(closed_store: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    new = "another passphrase, long enough"
    monkeypatch.setenv("JOINTOPS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{new}\n{new} but not the same\n"))
    code, _out, err = run(capsys, "--store", str(closed_store), "store", "change-passphrase")
    assert code == 1 and "differ" in err
    open_store(closed_store, passphrase=PASSPHRASE).close()  # unchanged

    monkeypatch.setattr(sys, "stdin", io.StringIO("too short\n"))
    code, _out, err = run(capsys, "--store", str(closed_store), "store", "change-passphrase")
    assert code == 1 and "at least 10" in err

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{new}\n{new}\n"))
    code, _out, err = run(capsys, "--store", str(closed_store), "store", "change-passphrase")
    assert code == 0, err
    open_store(closed_store, passphrase=new).close()


def test_gui_is_started_through_the_launcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[Path, bool]] = []

    def run_gui(store_dir: Path, demo: bool) -> int:
        calls.append((store_dir, demo))
        return 0

    launcher = types.ModuleType("app.views.launcher")
    launcher.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.views.launcher", launcher)
    assert run(capsys, "--store", str(tmp_path))[0] == 0
    assert run(capsys, "--store", str(tmp_path), "gui", "--demo")[0] == 0
    assert run(capsys, "--store", str(tmp_path), "gui")[0] == 0
    assert calls == [(tmp_path, False), (tmp_path, True), (tmp_path, False)]


def test_other_commands_never_load_qt(closed_store: Path) -> None:
    script = ("import json, sys\nfrom app.cli import main\n"
              f"code = main(['--store', {str(closed_store)!r}, 'operation', 'list', '--json'])\n"
              "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
              "print(json.dumps({'code': code, 'qt': qt}), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "JOINTOPS_PASSPHRASE": PASSPHRASE})
    assert json.loads(done.stderr.splitlines()[-1]) == {"code": 0, "qt": []}
    assert json.loads(done.stdout) == []
