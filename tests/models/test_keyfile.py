"""Unlock slots: AES-GCM wrapping bound to the store and slot kind; a tampered slot opens
nothing."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
from pathlib import Path

import pytest

from app.core.errors import UnlockError
from app.models import keyfile
from app.models.store import KEY_NAME, Store

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py

STORE_ID = "7d3b1c9e-0000-4000-8000-000000000001"


def flip(text: str, index: int = 0) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


def test_wrap_and_unwrap() -> None:
    kek, key = os.urandom(32), os.urandom(32)
    slot = keyfile.wrap(STORE_ID, "passphrase", kek, key, {})
    assert keyfile.unwrap(STORE_ID, slot, kek) == key
    assert keyfile.unwrap(STORE_ID, slot, os.urandom(32)) is None


@pytest.mark.parametrize("field", ["nonce", "wrapped"])
def test_a_flipped_bit_is_refused(field: str) -> None:
    kek, key = os.urandom(32), os.urandom(32)
    slot = keyfile.wrap(STORE_ID, "passphrase", kek, key, {})
    tampered = dataclasses.replace(slot, **{field: flip(getattr(slot, field))})
    assert keyfile.unwrap(STORE_ID, tampered, kek) is None


def test_a_slot_is_bound_to_its_store_and_kind() -> None:
    kek, key = os.urandom(32), os.urandom(32)
    slot = keyfile.wrap(STORE_ID, "keyring", kek, key, {})
    assert keyfile.unwrap(STORE_ID.replace("1", "2"), slot, kek) is None
    assert keyfile.unwrap(STORE_ID, dataclasses.replace(slot, kind="recovery"), kek) is None


def test_slot_text_that_is_not_base64_is_refused() -> None:
    slot = keyfile.Slot("passphrase", "not base64!", "neither!", {})
    assert keyfile.unwrap(STORE_ID, slot, os.urandom(32)) is None


def test_key_file_round_trip(tmp_path: Path) -> None:
    kek, master = os.urandom(32), os.urandom(32)
    kf = keyfile.KeyFile(STORE_ID, [keyfile.wrap(STORE_ID, "passphrase", kek, master, {"a": 1})],
                         keyfile.wrap(STORE_ID, "db-key", master, os.urandom(32), {}))
    kf.save(tmp_path / KEY_NAME)
    assert keyfile.KeyFile.load(tmp_path / KEY_NAME) == kf
    assert (tmp_path / KEY_NAME).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [KEY_NAME]  # no temporary file left


def test_recovery_keys_are_readable_and_distinct() -> None:
    keys = {keyfile.new_recovery_key() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        groups = key.split("-")
        assert [len(g) for g in groups] == [5] * 5
        assert set("".join(groups)) <= set(keyfile.RECOVERY_ALPHABET)
    assert keyfile.normalise_recovery_key(" abcde-fghjk ") == "ABCDEFGHJK"


def _tamper(folder: Path, change: dict[str, object], kind: str = "passphrase") -> None:
    data = json.loads((folder / KEY_NAME).read_bytes())
    for slot in data["slots"]:
        if slot["kind"] == kind:
            slot.update(change)
    (folder / KEY_NAME).write_text(json.dumps(data))


@pytest.fixture
def folder(store_dir: Path) -> Path:
    store, _ = Store.create(store_dir, PASSPHRASE)
    store.close()
    return store_dir


def test_tampered_passphrase_slot_is_refused(folder: Path) -> None:
    data = json.loads((folder / KEY_NAME).read_bytes())
    slot = next(s for s in data["slots"] if s["kind"] == "passphrase")
    _tamper(folder, {"wrapped": flip(slot["wrapped"], 5)})
    before = (folder / KEY_NAME).read_bytes()
    with pytest.raises(UnlockError, match="Wrong passphrase"):
        Store.open(folder, passphrase=PASSPHRASE)
    assert (folder / KEY_NAME).read_bytes() == before


@pytest.mark.parametrize("params", [{}, {"kdf": "argon2id", "salt": "!!"},
                                    {"kdf": "argon2id", "salt": "AAAA", "memory_cost": "x",
                                     "iterations": 1, "lanes": 1}])
def test_damaged_slot_parameters_are_named(folder: Path, params: dict[str, object]) -> None:
    _tamper(folder, {"params": params})
    with pytest.raises(UnlockError, match="passphrase slot of the key file is damaged"):
        Store.open(folder, passphrase=PASSPHRASE)


def test_damaged_recovery_slot_is_named(folder: Path) -> None:
    _tamper(folder, {"params": {}}, kind="recovery")
    with pytest.raises(UnlockError, match="recovery slot of the key file is damaged"):
        Store.open(folder, recovery_key=keyfile.new_recovery_key())
    Store.open(folder, passphrase=PASSPHRASE).close()  # the other slot still works


def test_a_slot_moved_from_another_store_is_refused(tmp_path: Path, folder: Path) -> None:
    other, _ = Store.create(tmp_path / "other", PASSPHRASE)
    other.close()
    theirs = json.loads((tmp_path / "other" / KEY_NAME).read_bytes())
    slot = next(s for s in theirs["slots"] if s["kind"] == "passphrase")
    _tamper(folder, slot)
    with pytest.raises(UnlockError, match="Wrong passphrase"):
        Store.open(folder, passphrase=PASSPHRASE)
