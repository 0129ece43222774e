"""Partners: added from their roster file, trusted once the root fingerprint is compared,
and followed through roster updates; and which device keys may sign what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.hlc import Stamp
from app.models.records import Agency
from app.models.sync_records import Partner, RosterRecord
from app.sync import identity
from app.sync.keys import current_roster, store_roster
from app.sync.merge import KeyLookup, PendingError, RefusedError
from app.sync.recorder import RECORDING


class TrustError(ValueError):
    """A roster or partner that cannot be accepted, with the reason for a person."""


@dataclass(frozen=True)
class PartnerInfo:
    agency_id: str
    name: str
    country: str
    fingerprint: str
    trust: str
    roster_version: int
    tlp_ceiling: str
    last_sent: datetime | None
    last_received: datetime | None


def _upsert_agency(session: Session, roster: identity.Roster) -> None:
    """The partner's agency record, as its roster describes it."""
    session.info[RECORDING] = False  # the partner's own record, not a write of ours
    agency = session.get(Agency, roster.agency_id)
    if agency is None:
        agency = Agency(id=roster.agency_id, owner_agency_id=roster.agency_id, stamps={},
                        updated="", tlp="CLEAR", deleted=False)
        session.add(agency)
    agency.name = roster.name
    agency.country = roster.country
    agency.contact_24_7 = roster.contact_24_7
    agency.root_fingerprint = identity.safety_number(roster.root)
    session.flush()
    session.info[RECORDING] = True


def add_partner(session: Session, document: bytes, fingerprint: str,
                own_agency_id: str) -> identity.Roster:
    """Add a partner from its roster file; trusted only if ``fingerprint`` matches."""
    try:
        signed = identity.SignedRoster.from_bytes(document)
        roster = identity.verify_first(signed)
    except identity.RosterError as error:
        raise TrustError(f"The roster was refused: {error}.") from None
    if roster.agency_id == own_agency_id:
        raise TrustError("That roster is this agency's own.")
    expected = identity.safety_number(roster.root)
    if not identity.same_fingerprint(fingerprint, expected):
        raise TrustError(f"The fingerprint does not match the root key of {roster.name}'s "
                         "roster; compare it again with the partner, out of band.")
    held = current_roster(session, roster.agency_id)
    if held is not None and held.roster.version > roster.version:
        raise TrustError(f"A newer roster of {roster.name} (version {held.roster.version}) "
                         "is already held.")
    store_roster(session, signed)
    partner = session.get(Partner, roster.agency_id)
    if partner is None:
        partner = Partner(agency_id=roster.agency_id, fingerprint=expected)
        session.add(partner)
    partner.trust = "trusted"
    partner.fingerprint = expected
    _upsert_agency(session, roster)
    return roster


def receive_roster(session: Session, signed: identity.SignedRoster) -> str:
    """A roster arriving in a bundle: an update of a partner's, or a first sight of a
    third agency (kept as pending until its fingerprint is compared). Returns what was
    done: updated, unchanged, pending, or raises TrustError."""
    held = current_roster(session, signed.roster.agency_id)
    try:
        if held is None:
            roster = identity.verify_first(signed)
        elif signed.roster.version == held.roster.version:
            return "unchanged"
        else:
            roster = identity.verify_update(held.roster, signed)
    except identity.RosterError as error:
        raise TrustError(f"A roster in the bundle was refused: {error}.") from None
    store_roster(session, signed)
    partner = session.get(Partner, roster.agency_id)
    if partner is None:
        session.add(Partner(agency_id=roster.agency_id, trust="pending",
                            fingerprint=identity.safety_number(roster.root)))
        _upsert_agency(session, roster)
        return "pending"
    partner.fingerprint = identity.safety_number(roster.root)
    _upsert_agency(session, roster)
    return "updated"


def key_lookup(session: Session, own_agency_id: str) -> KeyLookup:
    """Which key may sign for (agency, device) at a stamp: from the highest roster held.

    A bundle asks once per changeset, so each roster is parsed once per version held
    and each device key once."""
    rosters: dict[str, tuple[str, identity.SignedRoster]] = {}  # agency -> (document, parsed)
    parsed_keys: dict[str, Ed25519PublicKey] = {}
    # A device's validity as datetimes, parsed once per (from, until) text.
    windows: dict[tuple[str, str], tuple[datetime, datetime]] = {}
    # The rows found, held so that asking again finds them in the session's identity map
    # (which holds rows only while something else does) instead of reading them again;
    # still the session's own objects, so a change made to them in the session shows.
    rows: dict[tuple[type[Any], str], Any] = {}

    def row_of(model: type[Any], agency_id: str) -> Any:
        row = rows.get((model, agency_id))
        if row is None:
            row = session.get(model, agency_id)
            if row is not None:
                rows[(model, agency_id)] = row
        return row

    def roster_of(agency_id: str) -> identity.SignedRoster | None:
        row = row_of(RosterRecord, agency_id)
        if row is None:
            return None
        held = rosters.get(agency_id)
        if held is None or held[0] != row.document:
            held = rosters[agency_id] = (row.document, identity.SignedRoster.from_bytes(
                row.document.encode()))
        return held[1]

    def lookup(agency_id: str, device_id: str, hlc: str) -> Ed25519PublicKey:
        signed = roster_of(agency_id)
        if signed is None:
            raise PendingError(f"no roster is held for agency {agency_id}")
        if agency_id != own_agency_id:
            partner = row_of(Partner, agency_id)
            if partner is None or partner.trust == "pending":
                raise PendingError(f"{signed.roster.name} is not trusted yet: compare its "
                                   "fingerprint")
            if partner.trust == "revoked":
                raise RefusedError(f"{signed.roster.name} is no longer trusted")
        device = signed.roster.device(device_id)
        if device is None:
            revoked = any(device_id in key for key in signed.roster.revoked)
            raise RefusedError(f"device {device_id} is "
                               f"{'revoked' if revoked else 'not'} in the roster of "
                               f"{signed.roster.name}")
        when = datetime.fromtimestamp(Stamp.decode(hlc).wall_ms / 1000, UTC)
        window = windows.get((device.valid_from, device.valid_until))
        if window is None:
            window = windows[(device.valid_from, device.valid_until)] = (
                datetime.fromisoformat(device.valid_from),
                datetime.fromisoformat(device.valid_until))
        if not window[0] <= when <= window[1]:  # as Device.valid_at
            raise RefusedError(f"device {device.name} of {signed.roster.name} was not valid "
                               f"at {when:%Y-%m-%d %H:%M} UTC")
        if device.sign not in parsed_keys:
            parsed_keys[device.sign] = identity.parse_public(device.sign)
        return parsed_keys[device.sign]
    return lookup


def device_keys(session: Session) -> dict[str, Ed25519PublicKey]:
    """Device id -> signing key, of every device in the rosters held: what a verifier
    process checks signatures with ahead of the merge. Which key may sign what, and
    when, is still decided by ``key_lookup`` for each changeset."""
    found: dict[str, Ed25519PublicKey] = {}
    for row in session.scalars(select(RosterRecord)):
        for device in identity.SignedRoster.from_bytes(row.document.encode()).roster.devices:
            found[device.id] = identity.parse_public(device.sign)
    return found


def partners(session: Session) -> list[PartnerInfo]:
    rows = session.execute(select(Partner, Agency, RosterRecord.version)
                           .join(Agency, Agency.id == Partner.agency_id)
                           .join(RosterRecord, RosterRecord.agency_id == Partner.agency_id)
                           .order_by(Agency.name)).all()
    return [PartnerInfo(p.agency_id, a.name, a.country, p.fingerprint, p.trust, version,
                        p.tlp_ceiling, p.last_sent, p.last_received) for p, a, version in rows]
