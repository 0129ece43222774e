"""Reading STIX 2.1 objects written by others (MISP, OpenCTI, JointOps): their TLP level,
the wallet an indicator's pattern names, and the chain of an address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.core import tlp
from app.core.addresses import check_address
from app.core.stix_objects import LEVEL_OF_MARKING, TLP_EXTENSION, WALLET_TYPES

# Chains tried, in this order, for an address whose chain the indicator does not say: an
# EVM address is the same on every EVM chain, so it is read as Ethereum.
GUESSED_CHAINS = ("bitcoin", "tron", "litecoin", "ethereum")
_WALLET_PATTERN = re.compile(
    r"^\[\s*(?P<type>" + "|".join(re.escape(t) for t in WALLET_TYPES)
    + r"):(?P<prop>value|address)\s*=\s*'(?P<value>(?:[^'\\]|\\.)*)'\s*\]$")


def marking_levels(objects: list[Any]) -> dict[str, str]:
    """Marking-definition id -> TLP level: the official TLP 1.0 and 2.0 ids, and TLP
    markings a bundle defines itself (TLP 1.0 ``definition``, TLP 2.0 extension, or a
    name such as "TLP:AMBER", as MISP writes them)."""
    found = dict(LEVEL_OF_MARKING)
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "marking-definition":
            continue
        level = _defined_level(obj)
        if level is not None and isinstance(obj.get("id"), str):
            found.setdefault(obj["id"], level)
    return found


def _defined_level(obj: Mapping[str, Any]) -> str | None:
    texts: list[Any] = []
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, dict):
        texts.append(definition.get("tlp"))
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and isinstance(extensions.get(TLP_EXTENSION), dict):
        texts.append(extensions[TLP_EXTENSION].get("tlp_2_0"))
    name = obj.get("name")
    if isinstance(name, str) and name.strip().upper().startswith("TLP:"):
        texts.append(name)
    for text in texts:
        if isinstance(text, str):
            try:
                return tlp.normalise(text)
            except ValueError:
                continue
    return None


def object_level(obj: Mapping[str, Any], levels: Mapping[str, str]) -> str | None:
    """The highest TLP level among the object's markings; None when it has none."""
    refs = obj.get("object_marking_refs")
    found = [levels[r] for r in refs if isinstance(r, str) and r in levels] \
        if isinstance(refs, list) else []
    return max(found, key=tlp.rank) if found else None


def wallet_address(pattern: str) -> str | None:
    """The address a wallet pattern compares, such as
    ``[cryptocurrency-wallet:value = 'bc1q...']``; None for any other pattern."""
    match = _WALLET_PATTERN.match(pattern.strip())
    if match is None:
        return None
    return re.sub(r"\\(.)", r"\1", match.group("value"))


def wallet_chain(address: str, hint: str | None) -> tuple[str | None, str, str]:
    """(chain, canonical address, "") for a valid address, else (None, "", reason).
    ``hint``: the chain the object names, if any; without it the chain is found from
    the address's form."""
    if hint:
        try:
            result = check_address(hint, address)
        except ValueError as error:
            return None, "", str(error)
        if not result.valid:
            return None, "", f"not a valid {result.chain} address: {result.reason}"
        return result.chain, result.canonical or address, ""
    for chain in GUESSED_CHAINS:
        result = check_address(chain, address)
        if result.valid:
            return result.chain, result.canonical or address, ""
    return None, "", "not a valid address on any chain JointOps checks (bitcoin, ethereum " \
                     "and the EVM chains, tron, litecoin)"
