"""The OS keyring, as one more place to keep a key-encryption key.

Any failure (no backend on a headless machine, a locked or changed backend) makes the
keyring slot unusable, never the store: the other slots still unlock it.
"""

from __future__ import annotations

import base64
import contextlib

import keyring
import keyring.errors

SERVICE = "JointOps store"


def available() -> bool:
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False
    priority = getattr(backend, "priority", 0)
    name = type(backend).__module__
    return bool(priority and priority > 0) and "fail" not in name and "null" not in name


def store_kek(store_id: str, kek: bytes) -> bool:
    try:
        keyring.set_password(SERVICE, store_id, base64.b64encode(kek).decode("ascii"))
        return True
    except Exception:
        return False


def load_kek(store_id: str) -> bytes | None:
    try:
        text = keyring.get_password(SERVICE, store_id)
    except Exception:
        return None
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def forget(store_id: str) -> None:
    with contextlib.suppress(Exception):
        keyring.delete_password(SERVICE, store_id)
