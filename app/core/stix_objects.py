"""STIX 2.1 objects made from plain facts: ids, timestamps, TLP 2.0 markings, and one
builder per object kind. No store and no files here: app/services/stix_export.py reads the
records, decides what the recipient may see, and calls these.

Ids are UUIDv5 of the record's own id under a fixed namespace, so a second export of the
same records gives the same ids and a platform updates its objects instead of doubling
them. Countries get ids from their ISO code, relationships from their two ends and type.
(STIX 2.1 recommends UUIDv4 for these objects; the OASIS validator says so in a warning,
not an error, and stable ids are worth more to the platforms that receive them.)

The TLP markings are the five marking-definition objects of the OASIS TLP 2.0 extension
(extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d, published in
oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0), with
their fixed ids, names and creation time, copied as published.

Wallets are indicators whose pattern compares the ``value`` of a ``cryptocurrency-wallet``
observable, as OpenCTI writes them (``[cryptocurrency-wallet:value = '1A1zP1...']``); the
chain travels in the custom property ``x_jointops_chain`` on the indicator (a JointOps
chain name: bitcoin, ethereum, tron, litecoin, polygon, ...), and the nationality of a
person in ``x_jointops_nationality`` (ISO 3166 codes) on its threat-actor, and a premises
target is a location with ``x_jointops_premises: true`` (so it comes back as a premises,
not a site). All three are custom
properties in the STIX 2.1 sense (section 11.1): tools that do not know them keep or drop
them, and the OASIS validator lists them as warnings, not errors.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from app.core.countries import country

NAMESPACE = uuid.UUID("1b0c5f0e-6a57-4c35-9d52-7f3c2e8b9a41")
_NAMESPACE_BYTES = NAMESPACE.bytes
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CREATED = "2022-10-01T00:00:00.000Z"
TLP_MARKING_IDS: dict[str, str] = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 marking definitions of the STIX 2.1 specification (section 7.2.1.4), still
# written by older MISP and OpenCTI instances: read on import, never written.
TLP1_MARKING_IDS: dict[str, str] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
}
LEVEL_OF_MARKING: dict[str, str] = {**{v: k for k, v in TLP_MARKING_IDS.items()},
                                    **TLP1_MARKING_IDS}
CHAIN_PROPERTY = "x_jointops_chain"
PREMISES_PROPERTY = "x_jointops_premises"
NATIONALITY_PROPERTY = "x_jointops_nationality"
WALLET_TYPES = ("cryptocurrency-wallet", "x-cryptocurrency-wallet",
                "x-opencti-cryptocurrency-wallet")


def stix_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid5_text(key)}"


def uuid5_text(key: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, key))``, without building UUID objects: an export of
    a large operation makes tens of thousands of ids."""
    raw = bytearray(hashlib.sha1(_NAMESPACE_BYTES + key.encode("utf-8")).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def country_location_id(code: str) -> str:
    return stix_id("location", f"country:{code}")


def timestamp(moment: datetime) -> str:
    """STIX timestamps: UTC, millisecond precision, a Z."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def stamp_time(stamp: str, fallback: datetime) -> str:
    """The time of an HLC stamp text ("0001767225600000-000003[/agency/device]")."""
    wall = stamp.split("-", 1)[0]
    if not wall.isdigit():
        return timestamp(fallback)
    return _wall_time(wall)


@lru_cache(maxsize=65536)
def _wall_time(wall: str) -> str:
    # Records written together share their stamp: tens of thousands, a handful of times.
    return timestamp(datetime.fromtimestamp(int(wall) / 1000, UTC))


def tlp_marking(level: str) -> dict[str, Any]:
    """The official marking-definition object of a TLP 2.0 level."""
    return {"type": "marking-definition", "spec_version": "2.1",
            "id": TLP_MARKING_IDS[level], "created": TLP_CREATED, "name": f"TLP:{level}",
            "extensions": {TLP_EXTENSION: {"extension_type": "property-extension",
                                           "tlp_2_0": level.lower()}}}


class ObjectMaker:
    """Builds objects that all carry the exporting agency as ``created_by_ref`` and their
    TLP marking, and remembers which markings were used (the bundle must define them)."""

    def __init__(self, author_id: str) -> None:
        self.author_ref = stix_id("identity", author_id)
        self.levels_used: set[str] = set()

    def common(self, kind: str, object_id: str, level: str, created: str,
               modified: str) -> dict[str, Any]:
        self.levels_used.add(level)
        return {"type": kind, "spec_version": "2.1", "id": object_id,
                "created_by_ref": self.author_ref, "created": created,
                "modified": max(created, modified),
                "object_marking_refs": [TLP_MARKING_IDS[level]]}

    def identity(self, agency_id: str, name: str, level: str, created: str,
                 modified: str) -> dict[str, Any]:
        obj = self.common("identity", stix_id("identity", agency_id), level, created,
                          modified)
        obj.update(name=name, identity_class="organization", sectors=["government"])
        return obj

    def country(self, code: str, created: str) -> dict[str, Any]:
        found = country(code)
        obj = self.common("location", country_location_id(code), "CLEAR", created, created)
        obj.update(name=found.name if found else code, country=code)
        return obj

    def site(self, site_id: str, name: str, country_code: str, level: str, created: str,
             modified: str, address: str = "", lat: float | None = None,
             lon: float | None = None, premises: bool = False) -> dict[str, Any]:
        obj = self.common("location", stix_id("location", site_id), level, created, modified)
        obj.update(name=name, country=country_code)
        if premises:
            obj[PREMISES_PROPERTY] = True
        if address:
            obj["street_address"] = address
        if lat is not None and lon is not None:
            obj.update(latitude=lat, longitude=lon)
        return obj

    def actor(self, target_id: str, kind: str, name: str, level: str, created: str,
              modified: str, aliases: Sequence[str] = (), nationality: Sequence[str] = (),
              description: str = "") -> dict[str, Any]:
        """A person as a threat-actor (an individual), an organisation as an
        intrusion-set, a server as infrastructure."""
        if kind == "person":
            obj = self.common("threat-actor", stix_id("threat-actor", target_id), level,
                              created, modified)
            obj.update(name=name, threat_actor_types=["criminal"], resource_level="individual")
            if nationality:
                obj[NATIONALITY_PROPERTY] = list(nationality)
        elif kind == "organisation":
            obj = self.common("intrusion-set", stix_id("intrusion-set", target_id), level,
                              created, modified)
            obj["name"] = name
        elif kind == "server":
            obj = self.common("infrastructure", stix_id("infrastructure", target_id), level,
                              created, modified)
            obj.update(name=name, infrastructure_types=["unknown"])
        else:
            raise ValueError(f"no STIX object for a {kind} target")
        if aliases:
            obj["aliases"] = list(aliases)
        if description:
            obj["description"] = description
        return obj

    def wallet(self, wallet_id: str, chain: str, address: str, level: str, created: str,
               modified: str, label: str = "") -> dict[str, Any]:
        obj = self.common("indicator", stix_id("indicator", wallet_id), level, created,
                          modified)
        quoted = address.replace("\\", "\\\\").replace("'", "\\'")
        obj.update(name=label or f"{chain} wallet {address}",
                   description=f"Cryptocurrency wallet on {chain} used in the operation.",
                   indicator_types=["attribution"],
                   pattern=f"[cryptocurrency-wallet:value = '{quoted}']",
                   pattern_type="stix", pattern_version="2.1", valid_from=created)
        obj[CHAIN_PROPERTY] = chain
        return obj

    def relationship(self, source: str, kind: str, target: str, level: str,
                     created: str) -> dict[str, Any]:
        object_id = stix_id("relationship", f"{source}|{kind}|{target}")
        obj = self.common("relationship", object_id, level, created, created)
        obj.update(relationship_type=kind, source_ref=source, target_ref=target)
        return obj


def bundle(objects: list[dict[str, Any]], bundle_key: str) -> dict[str, Any]:
    return {"type": "bundle", "id": stix_id("bundle", bundle_key), "objects": objects}
