"""Identities: an agency's root key, its devices' keys, and the roster that binds them.

The root signs a roster: version, expiry, the devices with their signing keys and age
recipients, and revoked keys. Roster N+1 must be signed by the root of roster N (and by
the new root as well when the root itself rotates), as TUF does, so a partner who
trusted the first root follows every rotation without trusting anything new blindly.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyrage
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from app.sync import sshsig

ROSTER_NAMESPACE = "jointops-roster-v1"
ROSTER_TYPE = "jointops-roster"
DEFAULT_VALIDITY = timedelta(days=365)
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class RosterError(ValueError):
    """A roster file that is malformed, badly signed, expired or older than one held."""


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def load_private(pem: str) -> Ed25519PrivateKey:
    key = load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_text(key: Ed25519PublicKey) -> str:
    return sshsig.openssh_public(key)


def parse_public(text: str) -> Ed25519PublicKey:
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] != sshsig.KEY_TYPE:
        raise RosterError("not an ssh-ed25519 public key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise RosterError("public key is not valid base64") from None
    try:
        return sshsig.key_from_blob(blob)
    except sshsig.SignatureError as error:
        raise RosterError(str(error)) from None


def safety_number(key: Ed25519PublicKey | str) -> str:
    """The root fingerprint people compare out of band: 8 groups of 4 characters."""
    public = parse_public(key) if isinstance(key, str) else key
    digest = hashlib.sha256(sshsig.public_blob(public)).digest()[:20]
    bits = int.from_bytes(digest, "big")
    chars = "".join(_B32[(bits >> (155 - 5 * i)) & 31] for i in range(32))
    return " ".join(chars[i:i + 4] for i in range(0, 32, 4))


def same_fingerprint(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return "".join(c for c in text.upper() if c.isalnum())
    return norm(a) == norm(b) and bool(norm(a))


def new_age_identity() -> tuple[str, str]:
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    sign: str  # ssh-ed25519 public key
    age: str  # age1… recipient
    valid_from: str
    valid_until: str

    def valid_at(self, when: datetime) -> bool:
        return (datetime.fromisoformat(self.valid_from) <= when
                <= datetime.fromisoformat(self.valid_until))


@dataclass(frozen=True)
class Roster:
    agency_id: str
    name: str
    country: str
    contact_24_7: str
    version: int
    issued: str
    expires: str
    root: str
    devices: tuple[Device, ...] = ()
    revoked: tuple[str, ...] = ()  # signing keys that must never be trusted again

    def to_json(self) -> dict[str, Any]:
        return {"type": ROSTER_TYPE, "v": 1,
                "agency": {"id": self.agency_id, "name": self.name, "country": self.country,
                           "contact_24_7": self.contact_24_7},
                "version": self.version, "issued": self.issued, "expires": self.expires,
                "root": self.root,
                "devices": [vars(d) for d in self.devices], "revoked": list(self.revoked)}

    def canonical(self) -> bytes:
        return bytes(rfc8785.dumps(self.to_json()))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Roster:
        try:
            if data.get("type") != ROSTER_TYPE:
                raise RosterError("not a JointOps roster")
            agency = data["agency"]
            return cls(str(agency["id"]), str(agency["name"]), str(agency["country"]),
                       str(agency.get("contact_24_7", "")), int(data["version"]),
                       str(data["issued"]), str(data["expires"]), str(data["root"]),
                       tuple(Device(**d) for d in data["devices"]),
                       tuple(str(k) for k in data.get("revoked", [])))
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, RosterError):
                raise
            raise RosterError("the roster is malformed") from None

    def device(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def device_by_key(self, sign: str) -> Device | None:
        key = " ".join(sign.split()[:2])
        return next((d for d in self.devices if " ".join(d.sign.split()[:2]) == key), None)

    @property
    def expires_at(self) -> datetime:
        return datetime.fromisoformat(self.expires)


@dataclass(frozen=True)
class SignedRoster:
    roster: Roster
    signatures: tuple[str, ...] = field(default_factory=tuple)  # armored SSH signatures

    def to_bytes(self) -> bytes:
        return json.dumps({"roster": self.roster.to_json(), "signatures": list(self.signatures)},
                          indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedRoster:
        try:
            doc = json.loads(data)
            roster = Roster.from_json(doc["roster"])
            sigs = tuple(str(s) for s in doc["signatures"])
        except (ValueError, KeyError, TypeError):
            raise RosterError("the file is not a JointOps roster") from None
        return cls(roster, sigs)

    def signers(self) -> set[str]:
        """The public keys (ssh-ed25519 text) that validly signed this roster."""
        found = set()
        for armored in self.signatures:
            try:
                key = sshsig.verify(armored, ROSTER_NAMESPACE, self.roster.canonical())
            except sshsig.SignatureError:
                continue
            found.add(public_text(key))
        return found


def sign_roster(roster: Roster, *roots: Ed25519PrivateKey) -> SignedRoster:
    body = roster.canonical()
    return SignedRoster(roster, tuple(sshsig.sign(k, ROSTER_NAMESPACE, body) for k in roots))


def _key_part(text: str) -> str:
    return " ".join(text.split()[:2])


def verify_first(signed: SignedRoster, now: datetime | None = None) -> Roster:
    """A roster seen for the first time: self-signed by its root and not expired. Trust
    comes only after the root fingerprint has been compared out of band."""
    now = now or datetime.now(UTC)
    roster = signed.roster
    parse_public(roster.root)
    if _key_part(roster.root) not in {_key_part(k) for k in signed.signers()}:
        raise RosterError(f"the roster of {roster.name} is not signed by its root key")
    if roster.expires_at < now:
        raise RosterError(f"the roster of {roster.name} expired on {roster.expires[:10]}")
    for device in roster.devices:
        parse_public(device.sign)
    return roster


def verify_update(held: Roster, signed: SignedRoster, now: datetime | None = None) -> Roster:
    """Roster N+1 after N: same agency, higher version, signed by N's root (and by the
    new root too when it changes)."""
    roster = verify_first(signed, now) if _key_part(signed.roster.root) != _key_part(
        held.root) else signed.roster
    if roster.agency_id != held.agency_id:
        raise RosterError("the roster is for another agency")
    if roster.version <= held.version:
        raise RosterError(f"roster version {roster.version} of {roster.name} is not newer "
                          f"than version {held.version} already held")
    signers = {_key_part(k) for k in signed.signers()}
    if _key_part(held.root) not in signers:
        raise RosterError(f"roster version {roster.version} of {roster.name} is not signed "
                          "by the root key trusted so far")
    if _key_part(held.root) in {_key_part(k) for k in roster.revoked} and _key_part(
            roster.root) == _key_part(held.root):
        raise RosterError("the roster revokes its own root")
    if roster.expires_at < (now or datetime.now(UTC)):
        raise RosterError(f"the roster of {roster.name} expired on {roster.expires[:10]}")
    return roster


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
