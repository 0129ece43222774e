"""This store's own identity: the agency root key, this device's keys, our roster.

Made when a store is created; a store made before identities existed gets them the
first time it is opened.
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.records import Agency
from app.models.store import read_setting, write_setting
from app.models.sync_records import LocalKey, RosterRecord
from app.sync import identity


@dataclass(frozen=True)
class LocalIdentity:
    agency_id: str
    device_id: str
    sign_key: Ed25519PrivateKey
    age_identity: str  # AGE-SECRET-KEY-1…
    age_recipient: str


def _key(session: Session, kind: str) -> LocalKey | None:
    return session.scalars(select(LocalKey).where(LocalKey.kind == kind,
                                                  LocalKey.retired.is_(False))
                           .order_by(LocalKey.id.desc())).first()


def root_key(session: Session) -> Ed25519PrivateKey:
    row = _key(session, "root")
    if row is None:
        raise LookupError("this store has no root key")
    return identity.load_private(row.secret)


def load_identity(session: Session) -> LocalIdentity | None:
    sign = _key(session, "device-sign")
    age = _key(session, "device-age")
    agency_id = read_setting(session, "agency_id")
    if sign is None or age is None or agency_id is None or sign.device_id is None:
        return None
    return LocalIdentity(agency_id, sign.device_id, identity.load_private(sign.secret),
                         age.secret, age.public)


def ensure_identity(session: Session, device_name: str | None = None,
                    make_root: bool = True) -> LocalIdentity:
    """Load this device's identity, making the root, device keys and roster if missing."""
    found = load_identity(session)
    if found is not None:
        return found
    agency_id = read_setting(session, "agency_id")
    agency = session.get(Agency, agency_id) if agency_id else None
    if agency is None:
        raise LookupError("this store has no agency")
    if make_root and _key(session, "root") is None:
        root = identity.new_signing_key()
        session.add(LocalKey(kind="root", secret=identity.private_pem(root),
                             public=identity.public_text(root.public_key())))
        agency.root_fingerprint = identity.safety_number(root.public_key())
    device_id = str(uuid.uuid4())
    sign = identity.new_signing_key()
    age_secret, age_public = identity.new_age_identity()
    session.add(LocalKey(kind="device-sign", device_id=device_id,
                         secret=identity.private_pem(sign),
                         public=identity.public_text(sign.public_key())))
    session.add(LocalKey(kind="device-age", device_id=device_id, secret=age_secret,
                         public=age_public))
    write_setting(session, "device_id", device_id)
    write_setting(session, "device_name", device_name or socket.gethostname() or "device")
    session.flush()
    if make_root:
        publish_roster(session, extra_devices=())
    found = load_identity(session)
    assert found is not None
    return found


def current_roster(session: Session, agency_id: str) -> identity.SignedRoster | None:
    row = session.get(RosterRecord, agency_id)
    return None if row is None else identity.SignedRoster.from_bytes(row.document.encode())


def store_roster(session: Session, signed: identity.SignedRoster) -> None:
    roster = signed.roster
    row = session.get(RosterRecord, roster.agency_id)
    if row is None:
        row = RosterRecord(agency_id=roster.agency_id)
        session.add(row)
    row.version = roster.version
    row.document = signed.to_bytes().decode()
    row.root_public = roster.root
    row.expires = roster.expires_at
    row.received = datetime.now(UTC)


def publish_roster(session: Session, extra_devices: tuple[identity.Device, ...] = (),
                   revoked: tuple[str, ...] = (),
                   new_root: Ed25519PrivateKey | None = None) -> identity.SignedRoster:
    """Sign the next version of our roster with the root (and a new root when rotating)."""
    agency_id = read_setting(session, "agency_id")
    agency = session.get(Agency, agency_id) if agency_id else None
    assert agency is not None
    held = current_roster(session, agency.id)
    root = root_key(session)
    devices = {d.id: d for d in (held.roster.devices if held else ())}
    now = datetime.now(UTC)
    for row in session.scalars(select(LocalKey).where(LocalKey.kind == "device-sign",
                                                      LocalKey.retired.is_(False))):
        age = session.scalars(select(LocalKey).where(LocalKey.kind == "device-age",
                                                     LocalKey.device_id == row.device_id)
                              ).first()
        if row.device_id and age and row.device_id not in devices:
            devices[row.device_id] = identity.Device(
                row.device_id, read_setting(session, "device_name") or "device", row.public,
                age.public, identity.iso(now), identity.iso(now + identity.DEFAULT_VALIDITY))
    for device in extra_devices:
        devices[device.id] = device
    all_revoked = tuple(sorted(set(held.roster.revoked if held else ()) | set(revoked)))
    for key in all_revoked:
        devices = {i: d for i, d in devices.items() if " ".join(d.sign.split()[:2]) != key}
    signing_root = new_root or root
    roster = identity.Roster(
        agency.id, agency.name, agency.country, agency.contact_24_7,
        (held.roster.version + 1) if held else 1, identity.iso(now),
        identity.iso(now + identity.DEFAULT_VALIDITY),
        identity.public_text(signing_root.public_key()), tuple(devices.values()),
        all_revoked)
    signers = (root, new_root) if new_root is not None else (root,)
    signed = identity.sign_roster(roster, *signers)
    store_roster(session, signed)
    return signed
