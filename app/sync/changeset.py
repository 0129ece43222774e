"""Changesets: the unit of replication and provenance.

A changeset is canonical JSON (RFC 8785): author device and agency, HLC stamp, operation
scope, distribution (TLP and, for RED, the named agencies), the author's knowledge
vector and the ops. Its id is the SHA-256 of those bytes and the author's device signs
them, so a relay can forward it unchanged and every receiver can check who wrote what.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.sync import canonical

TYPE = "jointops-changeset"
BAD_SIGNATURE = "changeset signature does not hold"
SIGNED_PREFIX = b"jointops-changeset-v1"  # what the signature covers: this, then the body
_PLAIN = re.compile(r"[A-Za-z0-9+/=_-]*")  # no character JSON would escape
_PLAIN_LINE = re.compile(r'\{"body": "([A-Za-z0-9+/=_-]*)", "id": "([A-Za-z0-9+/=_-]*)", '
                         r'"sig": "([A-Za-z0-9+/=_-]*)"\}[ \t\n\r]*')


class ChangesetError(ValueError):
    """A changeset line that is malformed or whose signature does not hold."""


@dataclass(frozen=True)
class Op:
    """Set fields of one record (creating it when new), or with ``delete`` tombstone it."""

    kind: str
    id: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "set": self.values}


@dataclass(frozen=True)
class Changeset:
    device_id: str
    agency_id: str
    hlc: str
    operation_id: str | None
    tlp: str
    red_to: tuple[str, ...]
    knowledge: dict[str, str]  # device id -> highest HLC the author had applied from it
    ops: tuple[Op, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": TYPE, "v": 1, "device": self.device_id, "agency": self.agency_id,
                "hlc": self.hlc, "operation": self.operation_id,
                "distribution": {"tlp": self.tlp, "to": sorted(self.red_to)},
                "knowledge": self.knowledge, "ops": [op.to_json() for op in self.ops]}

    def body(self) -> bytes:
        return canonical.dumps(self.to_json())

    @cached_property
    def stamp(self) -> str:
        """The per-field stamp its writes carry: total order (HLC, agency, device)."""
        return f"{self.hlc}/{self.agency_id}/{self.device_id}"

    @classmethod
    def from_body(cls, body: bytes) -> Changeset:
        try:
            data = json.loads(body)
            if data.get("type") != TYPE or data.get("v") != 1:
                raise ChangesetError("not a JointOps changeset")
            dist = data["distribution"]
            to = dist.get("to", [])
            knowledge = data["knowledge"]
            return cls(str(data["device"]), str(data["agency"]), str(data["hlc"]),
                       data["operation"], str(dist["tlp"]),
                       tuple(str(a) for a in to) if to else (),
                       knowledge if _all_text(knowledge) else {
                           str(k): str(v) for k, v in knowledge.items()},
                       tuple(Op(str(o["kind"]), str(o["id"]), dict(o["set"]))
                             for o in data["ops"]))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            if isinstance(error, ChangesetError):
                raise
            raise ChangesetError("malformed changeset") from None


def _all_text(value: Any) -> bool:
    """A dict of str to str, as a knowledge vector is (then kept as json.loads gave it)."""
    return type(value) is dict and all(type(v) is str for v in value.values())


def changeset_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class SignedChangeset:
    id: str
    body: bytes
    signature: str  # base64 Ed25519 signature over the body

    def line(self) -> str:
        """One line of changesets.jsonl: the body kept byte for byte, as base64."""
        body = base64.b64encode(self.body).decode()
        if _PLAIN.fullmatch(self.id) and _PLAIN.fullmatch(self.signature):
            # What json.dumps(..., sort_keys=True) writes for strings that need no
            # escaping, without its cost (a bundle may hold 100,000s of lines).
            return f'{{"body": "{body}", "id": "{self.id}", "sig": "{self.signature}"}}'
        return json.dumps({"id": self.id, "body": body, "sig": self.signature},
                          sort_keys=True)

    @classmethod
    def from_line(cls, line: str) -> SignedChangeset:
        plain = _PLAIN_LINE.fullmatch(line)
        try:
            if plain is not None:
                # The line as ``line`` writes it: the values are JSON strings that need no
                # unescaping, what json.loads would give, without its cost.
                body_text, changeset, signature = plain.groups()
            else:
                data = json.loads(line)
                body_text, changeset, signature = data["body"], str(data["id"]), \
                    str(data["sig"])
            result = cls(changeset, base64.b64decode(body_text, validate=True), signature)
        except (ValueError, KeyError, TypeError):
            raise ChangesetError("malformed changeset line") from None
        if changeset_id(result.body) != result.id:
            raise ChangesetError("changeset id does not match its content")
        return result

    def changeset(self) -> Changeset:
        return Changeset.from_body(self.body)


def sign(changeset: Changeset, key: Ed25519PrivateKey) -> SignedChangeset:
    body = changeset.body()
    return SignedChangeset(changeset_id(body), body,
                           base64.b64encode(key.sign(SIGNED_PREFIX + body)).decode())


def verify_signature(signed: SignedChangeset, key: Ed25519PublicKey) -> None:
    try:
        key.verify(base64.b64decode(signed.signature, validate=True),
                   SIGNED_PREFIX + signed.body)
    except (InvalidSignature, ValueError):
        raise ChangesetError(BAD_SIGNATURE) from None
