"""Unlock slots: the random database key, wrapped once per way of unlocking.

As LUKS does, the key file beside the database holds a random 256-bit master key
wrapped (AES-256-GCM) under several key-encryption keys: one derived from the
passphrase with Argon2id, one random and kept in the OS keyring, one derived from the
recovery key shown once at creation. The master key wraps the random database key.
That one extra level lets "rotate the database key" (PRAGMA rekey) rewrap the new
database key without asking for every slot's secret (the recovery key is not at hand
then). The store id and slot kind are the GCM associated data, so a slot cannot be
moved to another store or kind.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.errors import UnlockError
from app.models.atomic import write_atomic

FORMAT = "jointops-keyfile-v1"
# 128 MiB, two passes: about 0.2 s on a two-core laptop, well inside the 0.5 s budget.
ARGON2_DEFAULTS = {"memory_cost": 131072, "iterations": 2, "lanes": 4}
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass
class Slot:
    kind: str  # "passphrase" | "keyring" | "recovery"
    nonce: str
    wrapped: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class KeyFile:
    store_id: str
    slots: list[Slot]
    db_key: Slot  # the database key, wrapped under the master key
    # A new database key written before PRAGMA rekey runs: if the process dies between
    # the two, the next open tries it, so no crash can lock the store for good.
    pending_db_key: Slot | None = None
    format: str = FORMAT

    def slot(self, kind: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == kind), None)

    def kinds(self) -> list[str]:
        return [s.kind for s in self.slots]

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise UnlockError(f"The key file {path} is missing; the store cannot be unlocked "
                              "without it (restore it from a backup).") from None
        except OSError as error:
            raise UnlockError(f"The key file {path} cannot be read ({error.strerror}).") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("format")
            pending = data.get("pending_db_key")
            return cls(
                store_id=str(data["store_id"]),
                slots=[Slot(**s) for s in data["slots"]],
                db_key=Slot(**data["db_key"]),
                pending_db_key=Slot(**pending) if pending else None,
            )
        except (ValueError, KeyError, TypeError):
            raise UnlockError(f"The key file {path} is damaged and cannot be read "
                              "(restore it from a backup).") from None

    def save(self, path: Path) -> None:
        write_atomic(path, self.to_bytes())


def _aad(store_id: str, kind: str) -> bytes:
    return f"jointops:{store_id}:{kind}".encode()


def wrap(store_id: str, kind: str, kek: bytes, key: bytes, params: dict[str, Any]) -> Slot:
    nonce = os.urandom(12)
    wrapped = AESGCM(kek).encrypt(nonce, key, _aad(store_id, kind))
    return Slot(kind=kind, nonce=_b64(nonce), wrapped=_b64(wrapped), params=params)


def unwrap(store_id: str, slot: Slot, kek: bytes) -> bytes | None:
    try:
        return AESGCM(kek).decrypt(_unb64(slot.nonce), _unb64(slot.wrapped),
                                   _aad(store_id, slot.kind))
    except (InvalidTag, ValueError):
        return None


def passphrase_kek(passphrase: str, params: dict[str, Any]) -> bytes:
    try:
        kdf = Argon2id(salt=_unb64(params["salt"]), length=32,
                       iterations=int(params["iterations"]), lanes=int(params["lanes"]),
                       memory_cost=int(params["memory_cost"]))
    except (KeyError, TypeError, ValueError):
        raise UnlockError("The passphrase slot of the key file is damaged; unlock with the "
                          "recovery key or restore the key file from a backup.") from None
    return kdf.derive(passphrase.encode("utf-8"))


def new_passphrase_params() -> dict[str, Any]:
    return {"kdf": "argon2id", "salt": _b64(os.urandom(16)), **ARGON2_DEFAULTS}


def new_recovery_key() -> str:
    """25 characters from a 32-letter alphabet (125 bits), in five groups of five."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(25))
    return "-".join(chars[i:i + 5] for i in range(0, 25, 5))


def normalise_recovery_key(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def recovery_kek(recovery_key: str, params: dict[str, Any]) -> bytes:
    # The recovery key is high-entropy already; HKDF suffices and keeps unlock instant.
    try:
        salt = _unb64(params["salt"])
    except (KeyError, TypeError, ValueError):
        raise UnlockError("The recovery slot of the key file is damaged; restore the key "
                          "file from a backup.") from None
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=salt, info=b"jointops-recovery-slot")
    return hkdf.derive(normalise_recovery_key(recovery_key).encode("ascii"))


def new_recovery_params() -> dict[str, Any]:
    return {"kdf": "hkdf-sha256", "salt": _b64(os.urandom(16))}
