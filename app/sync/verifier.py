"""A process that checks changeset signatures for another (see app/sync/signatures.py).

Reads from stdin: first the device keys, their count (4 bytes, big-endian) then for each
the device id's length (1 byte), the id (UTF-8) and its raw Ed25519 public key (32
bytes); then, until stdin ends, one record per changeset: the body's length (4 bytes),
the signature's length (1 byte), the signature (base64 text) and the body. For each
record it writes one byte to stdout, in the same order: ``1`` if the signature holds over
the body, as ``changeset.verify_signature`` checks it, with the key of the device the
body names; ``0`` if not; ``?`` when the body names no device of the table (or cannot be
read): the merge then decides itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.bindings import crypto_sign_open
from nacl.exceptions import CryptoError

from app.sync.changeset import SIGNED_PREFIX

FLUSH_EVERY = 250  # verdicts written at once
# The device a body in canonical form names: its keys are sorted, "agency" then "device".
_DEVICE = re.compile(rb'\{"agency":"[^"\\]*","device":"([^"\\]*)"')


def _exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


def _device_of(body: bytes) -> str | None:
    """The device a changeset body names, read as ``Changeset.from_body`` reads it (a
    verdict is only used for the key the merge itself looks up from the body: a wrong
    answer here costs a verification, never a wrong acceptance)."""
    found = _DEVICE.match(body)
    if found is not None:
        return found.group(1).decode("utf-8", "replace")
    try:
        data = json.loads(body)
        return str(data["device"]) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    keys: dict[str, tuple[bytes, Ed25519PublicKey]] = {}
    count = _exactly(source, 4)
    for _ in range(int.from_bytes(count) if count else 0):
        size = _exactly(source, 1)
        device = _exactly(source, size[0]) if size else None
        raw = _exactly(source, 32)
        if device is None or raw is None:
            return
        keys[device.decode("utf-8")] = (raw, Ed25519PublicKey.from_public_bytes(raw))
    out = bytearray()
    while (head := _exactly(source, 5)) is not None:
        signature = _exactly(source, head[4])
        body = _exactly(source, int.from_bytes(head[:4]))
        if signature is None or body is None:
            break
        named = _device_of(body)
        key = keys.get(named) if named is not None else None
        out += b"?" if key is None else _verdict(key, signature, body)
        if len(out) >= FLUSH_EVERY:
            sink.write(out)
            sink.flush()
            out.clear()
    sink.write(out)
    sink.flush()


def _verdict(key: tuple[bytes, Ed25519PublicKey], signature: bytes, body: bytes) -> bytes:
    """b"1" when the signature holds as ``changeset.verify_signature`` (OpenSSL) checks it.
    libsodium checks first, being faster; it refuses a few encodings that OpenSSL accepts
    (small-order points), so what it refuses is asked of OpenSSL before saying b"0"."""
    raw, public = key
    try:
        decoded = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return b"0"
    message = SIGNED_PREFIX + body
    if len(decoded) == 64:
        try:
            crypto_sign_open(decoded + message, raw)
            return b"1"
        except (CryptoError, ValueError, TypeError):
            pass
    try:
        public.verify(decoded, message)
        return b"1"
    except (InvalidSignature, ValueError):
        return b"0"


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
