"""SSH signatures (OpenSSH's PROTOCOL.sshsig) with Ed25519 keys.

Bundles are signed in this format so that a partner without JointOps can check them
with the stock ``ssh-keygen -Y verify`` and an allowed-signers line.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MAGIC = b"SSHSIG"
VERSION = 1
HASH = "sha512"
KEY_TYPE = "ssh-ed25519"
ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"

# Ed25519 public keys of small order (and the identity): a signature under one of them
# can be forged without the private key, so they are never accepted as partner keys.
SMALL_ORDER_KEYS = {bytes.fromhex(h) for h in (
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
)}


class SignatureError(ValueError):
    """A signature that is malformed, of another namespace or key, or simply wrong."""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise SignatureError("truncated SSH signature")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def string(self) -> bytes:
        (n,) = struct.unpack(">I", self.take(4))
        return self.take(n)

    def uint32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def done(self) -> bool:
        return self.pos == len(self.data)


def public_blob(key: Ed25519PublicKey) -> bytes:
    return _string(KEY_TYPE.encode()) + _string(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def openssh_public(key: Ed25519PublicKey, comment: str = "") -> str:
    """``ssh-ed25519 AAAA… comment``, as in an authorized_keys or allowed_signers line."""
    text = key.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode("ascii")
    return f"{text} {comment}".strip()


def key_from_blob(blob: bytes) -> Ed25519PublicKey:
    reader = _Reader(blob)
    if reader.string() != KEY_TYPE.encode():
        raise SignatureError("not an Ed25519 key")
    raw = reader.string()
    if len(raw) != 32 or not reader.done():
        raise SignatureError("malformed Ed25519 key")
    if raw in SMALL_ORDER_KEYS:
        raise SignatureError("a small-order Ed25519 key is never accepted")
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """OpenSSH's SHA256 fingerprint, as ``ssh-keygen -l`` prints it."""
    digest = hashlib.sha256(public_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _signed_data(namespace: str, message: bytes) -> bytes:
    return (MAGIC + _string(namespace.encode()) + _string(b"") + _string(HASH.encode())
            + _string(hashlib.sha512(message).digest()))


@dataclass(frozen=True)
class Signature:
    public_key: Ed25519PublicKey
    namespace: str
    raw: bytes  # the 64-byte Ed25519 signature


def sign(key: Ed25519PrivateKey, namespace: str, message: bytes) -> str:
    """An armored SSH signature of ``message``, as ``ssh-keygen -Y sign`` writes it."""
    raw = key.sign(_signed_data(namespace, message))
    blob = (MAGIC + struct.pack(">I", VERSION) + _string(public_blob(key.public_key()))
            + _string(namespace.encode()) + _string(b"") + _string(HASH.encode())
            + _string(_string(KEY_TYPE.encode()) + _string(raw)))
    text = base64.b64encode(blob).decode("ascii")
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + "\n"


def parse(armored: str | bytes) -> Signature:
    text = armored.decode("ascii", "replace") if isinstance(armored, bytes) else armored
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 3 or lines[0] != ARMOR_BEGIN or lines[-1] != ARMOR_END:
        raise SignatureError("not an SSH signature")
    try:
        blob = base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:
        raise SignatureError("SSH signature is not valid base64") from None
    reader = _Reader(blob)
    if reader.take(6) != MAGIC or reader.uint32() != VERSION:
        raise SignatureError("unsupported SSH signature version")
    key = key_from_blob(reader.string())
    namespace = reader.string().decode("utf-8", "replace")
    reader.string()  # reserved
    if reader.string() != HASH.encode():
        raise SignatureError("unsupported hash in SSH signature")
    sig = _Reader(reader.string())
    if sig.string() != KEY_TYPE.encode():
        raise SignatureError("not an Ed25519 signature")
    raw = sig.string()
    if len(raw) != 64 or not sig.done() or not reader.done():
        raise SignatureError("malformed SSH signature")
    return Signature(key, namespace, raw)


def verify(armored: str | bytes, namespace: str, message: bytes) -> Ed25519PublicKey:
    """Check the signature; returns the signer's key (the caller decides if it is trusted)."""
    sig = parse(armored)
    if sig.namespace != namespace:
        raise SignatureError(f"signature is for namespace {sig.namespace!r}, not {namespace!r}")
    try:
        sig.public_key.verify(sig.raw, _signed_data(namespace, message))
    except InvalidSignature:
        raise SignatureError("signature does not match the data") from None
    return sig.public_key
