"""A second device of the same agency (a liaison's laptop), enrolled by the root.

The root's store writes an offer (the agency and its signed roster); the laptop's new
store is made from it, makes its own device keys and answers with a request signed by
the new device key; the root adds that device to the next roster version. The laptop
learns the new roster with the first bundle it receives.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync import identity, sshsig

OFFER_TYPE = "jointops-enrolment-offer"
REQUEST_TYPE = "jointops-enrolment-request"
REQUEST_NAMESPACE = "jointops-enrolment-v1"


class EnrolmentError(ValueError):
    """An offer or request that is malformed, of another agency, or badly signed."""


@dataclass(frozen=True)
class Offer:
    roster: identity.SignedRoster

    def to_bytes(self) -> bytes:
        return json.dumps({"type": OFFER_TYPE, "roster": json.loads(self.roster.to_bytes())},
                          indent=1, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Offer:
        try:
            doc = json.loads(data)
            if doc.get("type") != OFFER_TYPE:
                raise ValueError
            signed = identity.SignedRoster.from_bytes(json.dumps(doc["roster"]).encode())
        except (ValueError, KeyError, TypeError, identity.RosterError):
            raise EnrolmentError("the file is not a JointOps enrolment offer") from None
        try:
            identity.verify_first(signed)
        except identity.RosterError as error:
            raise EnrolmentError(str(error)) from None
        return cls(signed)


@dataclass(frozen=True)
class Request:
    agency_id: str
    device: identity.Device
    signature: str

    def body(self) -> bytes:
        return json.dumps({"type": REQUEST_TYPE, "agency": self.agency_id,
                           "device": vars(self.device)}, sort_keys=True).encode()

    def to_bytes(self) -> bytes:
        return json.dumps({"type": REQUEST_TYPE, "agency": self.agency_id,
                           "device": vars(self.device), "signature": self.signature},
                          indent=1, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Request:
        try:
            doc = json.loads(data)
            if doc.get("type") != REQUEST_TYPE:
                raise ValueError
            request = cls(str(doc["agency"]), identity.Device(**doc["device"]),
                          str(doc["signature"]))
        except (ValueError, KeyError, TypeError):
            raise EnrolmentError("the file is not a JointOps enrolment request") from None
        key = identity.parse_public(request.device.sign)
        try:
            signer = sshsig.verify(request.signature, REQUEST_NAMESPACE, request.body())
        except sshsig.SignatureError:
            raise EnrolmentError("the enrolment request is not signed by its device") from None
        if sshsig.public_blob(signer) != sshsig.public_blob(key):
            raise EnrolmentError("the enrolment request is not signed by its device")
        return request


def make_request(agency_id: str, name: str, sign_key: Ed25519PrivateKey,
                 age_recipient: str, device_id: str | None = None) -> Request:
    now = datetime.now(UTC)
    device = identity.Device(device_id or str(uuid.uuid4()), name,
                             identity.public_text(sign_key.public_key()), age_recipient,
                             identity.iso(now), identity.iso(now + identity.DEFAULT_VALIDITY))
    unsigned = Request(agency_id, device, "")
    return Request(agency_id, device, sshsig.sign(sign_key, REQUEST_NAMESPACE, unsigned.body()))
