"""Test set-up shared by every test: offscreen Qt, no real keyring, fast key derivation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("JOINTOPS_PASSPHRASE", None)
os.environ.pop("JOINTOPS_NEW_PASSPHRASE", None)

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.models import keyfile
from app.services.context import AppContext, init_store

PASSPHRASE = "correct horse battery staple"


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in the test process, standing in for the OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    """By default tests run as on a headless machine: no keyring backend."""
    keyring.set_keyring(fail.Keyring())
    yield


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(fail.Keyring())


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real Argon2id cost (128 MiB) is measured in bench/; tests need only correctness.
    monkeypatch.setattr(keyfile, "ARGON2_DEFAULTS",
                        {"memory_cost": 1024, "iterations": 1, "lanes": 1})


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def ctx(store_dir: Path) -> Iterator[AppContext]:
    """An unlocked store for the agency 'Kenya DCI', closed after the test."""
    context, _recovery = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    yield context
    context.close()

