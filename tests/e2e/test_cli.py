"""The `jointops` command line in subprocesses: output, exit codes, and files left alone
whenever a command is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_run import (
    GOOD_CSV,
    PASSPHRASE,
    ROOT,
    Result,
    Runner,
    Template,
    cli_env,
    fingerprint,
    run_cli,
)

from app.models.store import Store

NEW_PASSPHRASE = "a brand new passphrase for the store"


def one_error_line(result: Result, *words: str) -> str:
    """The run failed with exactly one line on stderr, holding ``words``, no traceback."""
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert "Traceback" not in line
    for word in words:
        assert word in line, line
    return line


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "jointops.lock")


def codenames(jointops: Runner) -> list[str]:
    listed = jointops("operation", "list", "--json")
    assert listed.code == 0, listed.err
    return [op["codename"] for op in json.loads(listed.out)]


# ---- init -------------------------------------------------------------------------


def test_init_shows_the_recovery_key_once_with_a_warning(template: Template) -> None:
    out = template.init.out
    assert out.count(template.recovery_key) == 1
    assert "shown only this once" in out
    assert "Kenya DCI (KE)" in out
    # --remember on a machine without a keyring: said so, and the passphrase works.
    assert "unavailable here" in template.init.err
    assert sorted(p.name for p in template.store.iterdir()) == [
        "jointops.db", "jointops.key", "jointops.lock"]


def test_init_refuses_an_existing_store(jointops: Runner, store: Path) -> None:
    before = fingerprint(store)
    result = jointops("init", "--agency", "Other", "--country", "FR")
    assert result.code == 1
    one_error_line(result, "already exists")
    assert result.out == ""
    assert fingerprint(store) == before


def test_init_refuses_bad_input_before_asking_anything(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    result = run_cli(fresh, tmp_path, "init", "--agency", "Kenya DCI", "--country", "QQ")
    assert result.code == 1
    one_error_line(result, "Unknown country code 'QQ'")
    result = run_cli(fresh, tmp_path, "init", "--agency", "Kenya DCI", "--country", "KE",
                     JOINTOPS_PASSPHRASE="short")
    assert result.code == 1
    one_error_line(result, "at least 10 characters")
    assert not (fresh / "jointops.db").exists() and not (fresh / "jointops.key").exists()


def test_init_asks_the_passphrase_twice(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    differ = run_cli(fresh, tmp_path, "init", "--agency", "A", "--country", "KE",
                     stdin=f"{PASSPHRASE}\nsomething else entirely\n", JOINTOPS_PASSPHRASE="")
    assert differ.code == 1
    one_error_line(differ, "differ")
    assert not (fresh / "jointops.key").exists()
    made = run_cli(fresh, tmp_path, "init", "--agency", "A", "--country", "KE",
                   stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n", JOINTOPS_PASSPHRASE="")
    assert made.code == 0, made.err
    assert run_cli(fresh, tmp_path, "operation", "list").code == 0


# ---- operations and targets ---------------------------------------------------------


def test_operation_create_and_list_json(jointops: Runner) -> None:
    created = jointops("operation", "create", "HAECHI VI")
    assert created.code == 0, created.err
    assert "HAECHI VI" in created.out
    listed = jointops("operation", "list", "--json")
    assert listed.code == 0 and listed.err == ""
    document = json.loads(listed.out)  # exactly one JSON document
    assert document == [
        {"codename": "HAECHI VI", "status": "planning", "lead_agency": "Kenya DCI",
         "h_hour": None, "targets": 0, "sites": 0, "actions": 0},
        {"codename": "SERENGETI", "status": "planning", "lead_agency": "Kenya DCI",
         "h_hour": None, "targets": 2, "sites": 2, "actions": 3},
    ]
    again = jointops("operation", "create", "HAECHI VI")
    assert again.code == 1
    one_error_line(again, "already exists")
    text = jointops("operation", "list")
    assert text.code == 0
    assert "SERENGETI" in text.out and "HAECHI VI" in text.out


def test_target_list_json(jointops: Runner) -> None:
    listed = jointops("target", "list", "SERENGETI", "--json")
    assert listed.code == 0, listed.err
    rows = {r["name"]: r for r in json.loads(listed.out)}
    assert set(rows) == {"Fictional Person", "Mining hall 3"}
    person = rows["Fictional Person"]
    assert (person["kind"], person["country"], person["sites"], person["actions"],
            person["tlp"]) == ("person", "KE", 1, 2, "AMBER")
    missing = jointops("target", "list", "NO SUCH OP", "--json")
    assert missing.code == 1 and missing.out == ""
    one_error_line(missing, "NO SUCH OP")


def test_import_good_then_bad_csv(jointops: Runner, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV.replace("Mining hall 3", "Mining hall 4")
                    .replace("Fictional Person", "Another Person"), encoding="utf-8")
    result = jointops("operation", "import", "NEW OP", str(good), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"operation": "NEW OP", "imported": 3, "targets": 2,
                                      "sites": 2, "actions": 3, "actions_existing": 0,
                                      "refused": [], "refused_rows": 0}

    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD_CSV + "Third,person,Lusaka house,QQ,,1,1,arrest,0,,\n"
                   "Fourth,person,Lusaka flat,ZM,,-95,28.3,arrest,0,,\n", encoding="utf-8")
    before = jointops("target", "list", "NEW OP", "--json").out
    text = jointops("operation", "import", "NEW OP", str(bad))
    assert text.code == 1
    one_error_line(text, "2 of 5 rows were refused", "nothing was imported")
    assert "line 5: unknown country 'QQ'" in text.out
    assert "line 6: latitude -95 is out of range" in text.out
    as_json = jointops("operation", "import", "NEW OP", str(bad), "--json")
    assert as_json.code == 1
    document = json.loads(as_json.out)
    assert document["imported"] == 0
    assert [r["line"] for r in document["refused"]] == [5, 6]
    assert jointops("target", "list", "NEW OP", "--json").out == before  # nothing imported


def test_import_of_files_that_are_not_plans(jointops: Runner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    for path, words in ((empty, "empty"), (binary, "not a CSV file"),
                        (tmp_path / "missing.csv", "no file")):
        result = jointops("operation", "import", "X", str(path))
        assert result.code == 1
        one_error_line(result, words)
    assert codenames(jointops) == ["SERENGETI"]


def test_demo_operation(jointops: Runner) -> None:
    result = jointops("demo")
    assert result.code == 0, result.err
    listed = json.loads(jointops("operation", "list", "--json").out)
    demo = [op for op in listed if op["codename"] != "SERENGETI"]
    assert len(demo) == 1
    assert demo[0]["targets"] > 0 and demo[0]["sites"] > 0 and demo[0]["actions"] > 0
    assert demo[0]["codename"] in result.out
    again = jointops("demo")
    assert again.code == 1
    one_error_line(again, "already exists")


# ---- unlocking ------------------------------------------------------------------------


def test_wrong_passphrase_exits_3_and_changes_nothing(jointops: Runner, store: Path) -> None:
    before = fingerprint(store)
    result = jointops("operation", "list", "--json", JOINTOPS_PASSPHRASE="not the passphrase")
    assert result.code == 3 and result.out == ""
    one_error_line(result, "Wrong passphrase")
    assert fingerprint(store) == before


def test_no_passphrase_at_all_exits_3(jointops: Runner) -> None:
    result = jointops("operation", "list", JOINTOPS_PASSPHRASE="")
    assert result.code == 3
    one_error_line(result, "No passphrase", "JOINTOPS_PASSPHRASE")


def test_passphrase_piped_on_stdin(jointops: Runner) -> None:
    result = jointops("operation", "list", stdin=PASSPHRASE + "\n", JOINTOPS_PASSPHRASE="")
    assert result.code == 0, result.err


def test_damaged_key_file_exits_3_and_is_named(jointops: Runner, store: Path) -> None:
    key = store / "jointops.key"
    key.write_bytes(key.read_bytes()[:100])
    before = fingerprint(store)
    result = jointops("operation", "list")
    assert result.code == 3
    one_error_line(result, "key file", str(key), "damaged")
    assert fingerprint(store) == before


def test_missing_key_file_exits_3_and_is_named(jointops: Runner, store: Path) -> None:
    (store / "jointops.key").unlink()
    before = fingerprint(store)
    result = jointops("target", "list", "SERENGETI")
    assert result.code == 3
    one_error_line(result, "key file", "missing")
    assert fingerprint(store) == before


def test_missing_store_exits_3(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "nothing here", tmp_path, "operation", "list")
    assert result.code == 3
    one_error_line(result, "no JointOps store")
    assert not (tmp_path / "nothing here").exists()


def test_second_instance_is_refused(jointops: Runner, store: Path) -> None:
    held = Store.open(store, passphrase=PASSPHRASE)
    try:
        result = jointops("operation", "create", "WHILE OPEN")
        assert result.code == 1
        one_error_line(result, "already open")
    finally:
        held.close()
    assert codenames(jointops) == ["SERENGETI"]


# ---- store commands -------------------------------------------------------------------


def test_change_passphrase_then_the_old_one_fails(jointops: Runner, template: Template) -> None:
    changed = jointops("store", "change-passphrase", JOINTOPS_NEW_PASSPHRASE=NEW_PASSPHRASE)
    assert changed.code == 0, changed.err
    old = jointops("operation", "list")
    assert old.code == 3
    one_error_line(old, "Wrong passphrase")
    new = jointops("operation", "list", "--json", JOINTOPS_PASSPHRASE=NEW_PASSPHRASE)
    assert new.code == 0 and json.loads(new.out)[0]["codename"] == "SERENGETI"
    recovered = jointops("--recovery-key", "operation", "list", JOINTOPS_PASSPHRASE="",
                         JOINTOPS_RECOVERY_KEY=template.recovery_key)
    assert recovered.code == 0, recovered.err


def test_rekey_keeps_every_record(jointops: Runner, template: Template) -> None:
    before = jointops("target", "list", "SERENGETI", "--json").out
    result = jointops("store", "rekey")
    assert result.code == 0, result.err
    assert jointops("target", "list", "SERENGETI", "--json").out == before
    recovered = jointops("--recovery-key", "target", "list", "SERENGETI", "--json",
                         JOINTOPS_RECOVERY_KEY=template.recovery_key)
    assert recovered.out == before


def test_backup_and_restore_round_trip(jointops: Runner, store: Path, tmp_path: Path,
                                       template: Template) -> None:
    backup = tmp_path / "serengeti.backup"
    result = jointops("store", "backup", str(backup))
    assert result.code == 0, result.err
    assert backup.is_file()
    exists = jointops("store", "backup", str(backup))
    assert exists.code == 1
    one_error_line(exists, "already exists")
    assert jointops("operation", "create", "AFTER BACKUP").code == 0

    wrong = jointops("store", "restore", str(backup), JOINTOPS_PASSPHRASE="not the passphrase")
    assert wrong.code == 3
    assert codenames(jointops) == ["AFTER BACKUP", "SERENGETI"]

    restored = jointops("store", "restore", str(backup))
    assert restored.code == 0, restored.err
    assert codenames(jointops) == ["SERENGETI"]
    kept = [p for p in store.iterdir() if p.name.startswith("before-restore-")]
    assert len(kept) == 1 and str(kept[0]) in restored.out

    elsewhere = tmp_path / "elsewhere"
    by_key = run_cli(elsewhere, tmp_path, "store", "restore", str(backup), "--recovery-key",
                     JOINTOPS_PASSPHRASE="", JOINTOPS_RECOVERY_KEY=template.recovery_key)
    assert by_key.code == 0, by_key.err
    assert run_cli(elsewhere, tmp_path, "operation", "list").code == 0


def test_restore_of_a_file_that_is_not_a_backup(jointops: Runner, store: Path,
                                                tmp_path: Path) -> None:
    not_backup = tmp_path / "plan.csv"
    not_backup.write_text(GOOD_CSV, encoding="utf-8")
    before = fingerprint(store), names(store)
    result = jointops("store", "restore", str(not_backup))
    assert result.code == 1
    one_error_line(result, "not a JointOps backup")
    assert (fingerprint(store), names(store)) == before


# ---- usage --------------------------------------------------------------------------


def test_usage_errors_exit_2(jointops: Runner, store: Path) -> None:
    before = fingerprint(store)
    for args in (["operation"], ["init", "--country", "KE"], ["no-such-command"],
                 ["store", "backup"], ["target", "list"]):
        result = jointops(*args)
        assert result.code == 2, args
        assert "usage: jointops" in result.err
    assert fingerprint(store) == before


def test_help_lists_every_command(jointops: Runner) -> None:
    result = jointops("--help")
    assert result.code == 0
    for word in ("init", "demo", "operation", "target", "store", "gui", "JOINTOPS_PASSPHRASE"):
        assert word in result.out


def test_a_reader_that_stops_early_is_not_a_bug(store: Path, tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already exited
    try:
        done = subprocess.run([sys.executable, "-m", "app", "--store", str(store), "target",
                               "list", "SERENGETI"], cwd=ROOT, env=cli_env(tmp_path),
                              stdin=subprocess.DEVNULL, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == ""
