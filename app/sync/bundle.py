"""Bundles (.jopb): how changesets travel between agencies, by file.

A bundle is a tar of two members: ``payload.age``, the payload encrypted with age to
every addressed agency's devices and to the sender itself, and ``payload.age.sig``, an
SSH signature (namespace jointops-bundle-outer-v1) by the sender's device over it. The
payload is a tar of ``manifest.json`` (ids, sender, recipients, sequence, acks, the
size and SHA-256 of every member), ``manifest.sig`` (namespace jointops-bundle-v1),
``changesets.jsonl`` and ``rosters/``. A partner without JointOps can check and open it
with ``ssh-keygen -Y verify`` and ``age -d``.

Reading checks, in order, before anything is applied: size and member limits, the
outer signature by a known device (before any decryption), decryption, the inner
signature by the same signer, that this agency is a recipient, and member hashes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.models.atomic import write_atomic
from app.sync import sshsig
from app.sync.changeset import SignedChangeset

OUTER_NAMESPACE = "jointops-bundle-outer-v1"
INNER_NAMESPACE = "jointops-bundle-v1"
PAYLOAD = "payload.age"
PAYLOAD_SIG = "payload.age.sig"
MANIFEST_TYPE = "jointops-bundle"
VALIDITY = timedelta(days=30)
_MEMBER = re.compile(r"^(manifest\.json|manifest\.sig|changesets\.jsonl|"
                     r"rosters/[0-9a-f-]{36}\.json|attachments/[A-Za-z0-9._-]{1,100})$")


class BundleError(ValueError):
    """A bundle refused, with the reason in words for a person."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 * 1024**3
    max_members: int = 10_000
    max_member_bytes: int = 1024**3
    max_changesets: int = 2_000_000


DEFAULT_LIMITS = Limits()


@dataclass
class Manifest:
    bundle_id: str
    sender_agency: str
    sender_device: str
    recipients: list[str]
    created: str
    expires: str
    sequence: dict[str, int]  # recipient agency -> this sender's bundle number to it
    previous: dict[str, str]  # recipient agency -> SHA-256 of the previous manifest to it
    acks: dict[str, int]  # agency -> highest of its bundles the sender has applied
    knowledge: dict[str, str]
    operation: str | None
    members: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {"type": MANIFEST_TYPE, "v": 1, **self.__dict__}
        return json.dumps(data, sort_keys=True, indent=1).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.pop("type") != MANIFEST_TYPE or data.pop("v") != 1:
                raise ValueError
            return cls(**data)
        except (ValueError, TypeError, KeyError):
            raise BundleError("the bundle's manifest is malformed") from None


@dataclass
class Contents:
    manifest: Manifest
    manifest_hash: str
    changesets: list[SignedChangeset]
    rosters: list[bytes]
    signer: Ed25519PublicKey


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def write_bundle(target: Path, manifest: Manifest, changesets: list[SignedChangeset],
                 rosters: dict[str, bytes], device_key: Ed25519PrivateKey,
                 age_recipients: list[str]) -> None:
    members: dict[str, bytes] = {
        "changesets.jsonl": "".join(c.line() + "\n" for c in changesets).encode("utf-8")}
    for agency_id, document in sorted(rosters.items()):
        members[f"rosters/{agency_id}.json"] = document
    manifest.members = {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                        for name, data in members.items()}
    manifest_bytes = manifest.to_bytes()
    # In memory: the plaintext never touches the disk, and nothing is written and read
    # back (a bundle of 100,000 changesets is 120 MB).
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w") as tar:
        _add(tar, "manifest.json", manifest_bytes)
        _add(tar, "manifest.sig",
             sshsig.sign(device_key, INNER_NAMESPACE, manifest_bytes).encode())
        for name, data in members.items():
            _add(tar, name, data)
    del members
    recipients = [pyrage.x25519.Recipient.from_str(r) for r in dict.fromkeys(age_recipients)]
    inner.seek(0)
    encrypted = io.BytesIO()
    pyrage.encrypt_io(inner, encrypted, recipients)
    del inner
    payload = encrypted.getvalue()
    del encrypted
    outer = io.BytesIO()
    with tarfile.open(fileobj=outer, mode="w") as tar:
        _add(tar, PAYLOAD, payload)
        _add(tar, PAYLOAD_SIG, sshsig.sign(device_key, OUTER_NAMESPACE, payload).encode())
    del payload
    write_atomic(target, outer.getvalue(), mode=0o644)


def _safe_members(tar: tarfile.TarFile, allowed: re.Pattern[str] | set[str],
                  limits: Limits) -> dict[str, tarfile.TarInfo]:
    found: dict[str, tarfile.TarInfo] = {}
    for count, info in enumerate(tar, start=1):
        if count > limits.max_members:
            raise BundleError(f"the bundle has more than {limits.max_members} members")
        name = info.name
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise BundleError(f"the bundle has an unsafe member name {name!r}")
        ok = name in allowed if isinstance(allowed, set) else bool(allowed.match(name))
        if not ok or not info.isfile():
            raise BundleError(f"the bundle has an unexpected member {name!r}")
        if info.size > limits.max_member_bytes:
            raise BundleError(f"the bundle member {name} is larger than allowed")
        if name in found:
            raise BundleError(f"the bundle has member {name} twice")
        found[name] = info
    return found


def _read(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(info)
    assert handle is not None
    return handle.read()


def outer_signer(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Ed25519PublicKey, bytes]:
    """The outer signature's key and the encrypted payload, checked, nothing decrypted."""
    try:
        size = path.stat().st_size
    except OSError:
        raise BundleError(f"{path} cannot be read") from None
    if size > limits.max_bytes:
        raise BundleError(f"the bundle is {size} bytes, over the limit of {limits.max_bytes}")
    try:
        with tarfile.open(path, "r:") as tar:
            members = _safe_members(tar, {PAYLOAD, PAYLOAD_SIG}, limits)
            if set(members) != {PAYLOAD, PAYLOAD_SIG}:
                raise BundleError("the file is not a JointOps bundle (members missing)")
            payload = _read(tar, members[PAYLOAD])
            signature = _read(tar, members[PAYLOAD_SIG])
    except (tarfile.TarError, EOFError):
        raise BundleError("the file is not a JointOps bundle, or it is truncated") from None
    try:
        key = sshsig.verify(signature, OUTER_NAMESPACE, payload)
    except sshsig.SignatureError as error:
        raise BundleError(f"the bundle's outer signature does not hold: {error}") from None
    return key, payload


def open_payload(payload: bytes, signer: Ed25519PublicKey, age_identity: str,
                 own_agency: str, limits: Limits = DEFAULT_LIMITS) -> Contents:
    """Decrypt and check the payload: inner signature by the same signer, recipients,
    member hashes. Changeset signatures and authority are the merge's to check."""
    identity = pyrage.x25519.Identity.from_str(age_identity)
    with tempfile.TemporaryFile() as plain:
        try:
            pyrage.decrypt_io(io.BytesIO(payload), plain, [identity])
        except pyrage.DecryptError:
            raise BundleError("the bundle is not addressed to this agency (it cannot be "
                              "decrypted with this device's key), or it is damaged") from None
        plain.seek(0)
        return _check_payload(plain, signer, own_agency, limits)


def _check_payload(plain: IO[bytes], signer: Ed25519PublicKey, own_agency: str,
                   limits: Limits) -> Contents:
    try:
        with tarfile.open(fileobj=plain, mode="r:") as tar:
            members = _safe_members(tar, _MEMBER, limits)
            if not {"manifest.json", "manifest.sig", "changesets.jsonl"} <= set(members):
                raise BundleError("the bundle's payload is incomplete")
            data = {name: _read(tar, info) for name, info in members.items()}
    except (tarfile.TarError, EOFError):
        raise BundleError("the bundle's payload is damaged") from None
    try:
        inner = sshsig.verify(data["manifest.sig"], INNER_NAMESPACE, data["manifest.json"])
    except sshsig.SignatureError as error:
        raise BundleError(f"the manifest signature does not hold: {error}") from None
    if sshsig.public_blob(inner) != sshsig.public_blob(signer):
        raise BundleError("the manifest is signed by another key than the bundle")
    manifest = Manifest.from_bytes(data["manifest.json"])
    if own_agency not in manifest.recipients and own_agency != manifest.sender_agency:
        raise BundleError("the bundle is addressed to other agencies")
    listed = set(manifest.members)
    present = set(data) - {"manifest.json", "manifest.sig"}
    if listed != present:
        raise BundleError("the bundle's members do not match its manifest")
    for name in listed:
        entry = manifest.members[name]
        if (len(data[name]) != entry.get("size")
                or hashlib.sha256(data[name]).hexdigest() != entry.get("sha256")):
            raise BundleError(f"the bundle member {name} does not match its manifest hash")
    if datetime.fromisoformat(manifest.expires) < datetime.now(UTC):
        raise BundleError(f"the bundle expired on {manifest.expires[:10]}")
    lines = data["changesets.jsonl"].decode("utf-8", "replace").splitlines()
    if len(lines) > limits.max_changesets:
        raise BundleError("the bundle holds more changesets than allowed")
    # A changeset listed twice is the same changeset: keep the first (its id is its hash).
    changesets = list({c.id: c for c in (SignedChangeset.from_line(line) for line in lines
                                          if line.strip())}.values())
    rosters = [data[n] for n in sorted(data) if n.startswith("rosters/")]
    return Contents(manifest, hashlib.sha256(data["manifest.json"]).hexdigest(), changesets,
                    rosters, signer)


def new_manifest(sender_agency: str, sender_device: str, recipients: list[str],
                 sequence: dict[str, int], previous: dict[str, str], acks: dict[str, int],
                 knowledge: dict[str, str], operation: str | None) -> Manifest:
    now = datetime.now(UTC).replace(microsecond=0)
    return Manifest(str(uuid.uuid4()), sender_agency, sender_device, sorted(recipients),
                    now.isoformat(), (now + VALIDITY).isoformat(), sequence, previous, acks,
                    knowledge, operation)


def inspect_bundle(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """What can be known of a bundle without any key: its members, sizes, and signer."""
    key, payload = outer_signer(path, limits)
    return {"file": str(path), "size": path.stat().st_size, "payload_bytes": len(payload),
            "signer_key": sshsig.openssh_public(key), "signer_fingerprint":
            sshsig.fingerprint(key), "outer_signature": "valid",
            "age_recipients_stanzas": payload.count(b"\n-> X25519 ")}
