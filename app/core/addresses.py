"""Wallet address checks per chain, with the reason when an address is refused.

An address mistyped into a freeze request freezes nothing, so every way in (forms, the
transfer import, the CLI) checks addresses here and shows the same reason for the same
mistake. Covered: Bitcoin and Litecoin (base58check and segwit bech32/bech32m), Ethereum
and the EVM chains (EIP-55), Tron (base58check, version 0x41).

The encodings are implemented from their specifications rather than taken from packages:
the PyPI ``bech32`` package predates bech32m (BIP-350), and EIP-55 needs Keccak-256, which
neither ``hashlib`` nor ``cryptography`` provides (see ``keccak.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from app.core.keccak import keccak_256

# ---------------------------------------------------------------------------------------
# Chains and their names

EVM_CHAINS = ("ethereum", "polygon", "bsc", "arbitrum", "optimism", "base", "avalanche")
CHAINS = ("bitcoin", "ethereum", "tron", "litecoin", *EVM_CHAINS[1:])
NETWORKS = ("mainnet", "testnet")

_ALIASES = {
    "btc": "bitcoin", "xbt": "bitcoin",
    "eth": "ethereum",
    "trx": "tron",
    "ltc": "litecoin",
    "matic": "polygon", "pol": "polygon",
    "bnb": "bsc", "bnb chain": "bsc", "bnb smart chain": "bsc", "binance smart chain": "bsc",
    "arb": "arbitrum", "arbitrum one": "arbitrum",
    "op": "optimism", "op mainnet": "optimism",
    "avax": "avalanche", "avalanche c chain": "avalanche",
}
_EXPECTED_CHAINS = ("bitcoin/btc, ethereum/eth, tron/trx, litecoin/ltc, polygon/matic, bsc/bnb, "
                    "arbitrum, optimism, base or avalanche")


def normalise_chain(text: str) -> str:
    """The canonical chain name for a name or ticker in any case ("BTC" -> "bitcoin").

    Raises ValueError naming the chains understood."""
    key = " ".join(text.replace("-", " ").replace("_", " ").split()).lower()
    if not key:
        raise ValueError(f"chain is missing (expected {_EXPECTED_CHAINS})")
    if key in CHAINS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"unknown chain {text.strip()!r} (expected {_EXPECTED_CHAINS})")


# ---------------------------------------------------------------------------------------
# The result

@dataclass(frozen=True)
class AddressCheck:
    """What checking one address found.

    ``kind``: "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "segwit vN" (other witness
    versions and lengths), "eip55", "eip55-lowercase", "eip55-uppercase", "tron"; set on a
    refusal too when the form was recognised (a testnet "p2pkh").
    ``network``: "mainnet", "testnet" or "regtest" where the address says; None for EVM and
    Tron addresses, which are the same on every network, and where nothing was recognised.
    ``canonical``: the one spelling to store and compare (bech32 in lower case, EVM in lower
    case); None when refused.
    ``warning``: set on a valid address that deserves a second look (an EVM address without
    a checksum, in which a typing error would go unnoticed).
    """

    chain: str
    address: str
    valid: bool
    kind: str | None
    reason: str | None
    network: str | None
    canonical: str | None = None
    warning: str | None = None


class _RefusedError(ValueError):
    """An address refused, with what was recognised of it."""

    def __init__(self, reason: str, kind: str | None = None, network: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.network = network


@dataclass(frozen=True)
class _Found:
    kind: str
    network: str | None
    canonical: str
    warning: str | None = None


def check_address(chain: str, address: str, *, network: str = "mainnet") -> AddressCheck:
    """Check ``address`` as an address on ``chain`` (a name or ticker, see normalise_chain).

    Bitcoin and Litecoin addresses name their network: one for another network than
    ``network`` ("mainnet" or "testnet") is refused. Surrounding white space is ignored.
    An unknown chain or network raises ValueError; a bad address never raises.
    """
    name = normalise_chain(chain)
    if network not in NETWORKS:
        raise ValueError(f"unknown network {network!r} (expected {' or '.join(NETWORKS)})")
    text = address.strip()
    try:
        if not text:
            raise _RefusedError("address is empty")
        found = _CHECKERS[_family(name)](text)
        if found.network is not None and found.network != network:
            raise _RefusedError(f"wrong network ({found.network} address)", found.kind,
                                found.network)
    except _RefusedError as refused:
        reason = refused.reason
        if refused.kind is None:
            other = _other_chain(_family(name), text)
            if other is not None:
                reason = f"wrong chain ({other} address)"
        return AddressCheck(name, address, False, refused.kind, reason, refused.network)
    return AddressCheck(name, address, True, found.kind, None, found.network, found.canonical,
                        found.warning)


def _family(name: str) -> str:
    return "evm" if name in EVM_CHAINS else name


def _other_chain(family: str, text: str) -> str | None:
    """The chain family that would accept an address refused by ``family``, to say
    "wrong chain" rather than a puzzling checksum or character error."""
    for other, checker in _CHECKERS.items():
        if other == family:
            continue
        try:
            checker(text)
        except _RefusedError:
            continue
        return _DISPLAY[other]
    return None


# ---------------------------------------------------------------------------------------
# Base58check (Bitcoin, Litecoin, Tron)

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(BASE58_ALPHABET)}


def base58_encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(BASE58_ALPHABET[digit])
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """Base58 to bytes; ValueError naming the first character outside the alphabet."""
    number = 0
    for char in text:
        digit = _BASE58_INDEX.get(char)
        if digit is None:
            raise ValueError(f"invalid character {char!r} (not in base58)")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _checksum4(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def base58check_encode(payload: bytes) -> str:
    return base58_encode(payload + _checksum4(payload))


def base58check_decode(text: str) -> bytes:
    """The payload (version byte first) of a base58check string; ValueError with the reason."""
    raw = base58_decode(text)
    if len(raw) < 4 or _checksum4(raw[:-4]) != raw[-4:]:
        raise ValueError("bad checksum")
    return raw[:-4]


# A version byte: what it makes of a 20-byte hash, and on which network.
_BITCOIN_BASE58 = {0x00: ("p2pkh", "mainnet"), 0x05: ("p2sh", "mainnet"),
                   0x6F: ("p2pkh", "testnet"), 0xC4: ("p2sh", "testnet")}
# Litecoin kept Bitcoin's 0x05 (3...) for P2SH until 0x32 (M...) replaced it; both are in use.
_LITECOIN_BASE58 = {0x30: ("p2pkh", "mainnet"), 0x32: ("p2sh", "mainnet"),
                    0x05: ("p2sh", "mainnet"), 0x6F: ("p2pkh", "testnet"),
                    0x3A: ("p2sh", "testnet"), 0xC4: ("p2sh", "testnet")}
_TRON_VERSION = 0x41
_ADDRESS_BYTES = 25  # version, 20-byte hash, 4-byte checksum
_BASE58_MAX_LENGTH = 35  # 25 bytes never take more base58 digits


def _base58_address(text: str, versions: dict[int, tuple[str, str]]) -> _Found:
    if len(text) > _BASE58_MAX_LENGTH:  # spares decoding a pasted essay as one number
        raise _RefusedError(f"wrong length ({len(text)} characters, expected at most "
                            f"{_BASE58_MAX_LENGTH})")
    try:
        raw = base58_decode(text)
    except ValueError as error:
        raise _RefusedError(str(error)) from None
    if len(raw) != _ADDRESS_BYTES:
        raise _RefusedError(f"wrong length ({len(text)} characters, decodes to {len(raw)} "
                            f"bytes, expected {_ADDRESS_BYTES})")
    if _checksum4(raw[:-4]) != raw[-4:]:
        raise _RefusedError("bad checksum")
    if raw[0] not in versions:
        raise _RefusedError(f"unknown format (version byte 0x{raw[0]:02x})")
    kind, network = versions[raw[0]]
    return _Found(kind, network, text)


# ---------------------------------------------------------------------------------------
# Bech32 and bech32m (BIP-173, BIP-350)

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(BECH32_CHARSET)}
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_MAX_LENGTH = 90


def _reduce_xor(values: Iterable[int]) -> int:
    result = 0
    for value in values:
        result ^= value
    return result


class Encoding(Enum):
    """The two checksums, by the constant their polymod must equal."""

    BECH32 = 1
    BECH32M = 0x2BC830A3


# The generators xored in for each value of the five bits shifted out, so that the loop
# below does one lookup per character instead of five tests (the reference's inner loop).
_BECH32_FEEDBACK = tuple(
    _reduce_xor(g for i, g in enumerate(_BECH32_GENERATOR) if (top >> i) & 1) for top in range(32))


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value ^ _BECH32_FEEDBACK[checksum >> 25]
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_encode(hrp: str, data: list[int], encoding: Encoding) -> str:
    """``hrp`` (lower case), "1", the 5-bit ``data`` and its six-character checksum."""
    values = _hrp_expand(hrp) + data
    polymod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ encoding.value
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def bech32_decode(text: str) -> tuple[str, list[int], Encoding]:
    """The human-readable part (lower case), the 5-bit data without the checksum, and which
    checksum it carries. ValueError with the reason when ``text`` is not valid bech32 or
    bech32m."""
    for char in text:
        if not 33 <= ord(char) <= 126:
            raise ValueError(f"invalid character {char!r} (outside printable ASCII)")
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixed case in bech32")
    if len(text) > _BECH32_MAX_LENGTH:
        raise ValueError(f"wrong length ({len(text)} characters, expected at most "
                         f"{_BECH32_MAX_LENGTH})")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 0:
        raise ValueError("no separator '1'")
    if separator == 0:
        raise ValueError("empty human-readable part")
    hrp, rest = text[:separator], text[separator + 1:]
    for char in rest:
        if char not in _BECH32_INDEX:
            raise ValueError(f"invalid character {char!r} (not in bech32)")
    if len(rest) < 6:
        raise ValueError(f"checksum too short ({len(rest)} characters, expected 6)")
    data = [_BECH32_INDEX[c] for c in rest]
    polymod = _polymod(_hrp_expand(hrp) + data)
    for encoding in Encoding:
        if polymod == encoding.value:
            return hrp, data[:-6], encoding
    raise ValueError("bad checksum")


def convert_bits(data: list[int] | bytes, from_bits: int, to_bits: int, *,
                 pad: bool) -> list[int]:
    """Regroup bits (8 to 5 to encode a witness program, 5 to 8 to decode one). Without
    ``pad``, the leftover must be under ``from_bits`` zero bits (BIP-173)."""
    accumulator = bits = 0
    out = []
    top = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((accumulator >> bits) & top)
    if pad:
        if bits:
            out.append((accumulator << (to_bits - bits)) & top)
    elif bits >= from_bits:
        raise ValueError(f"bad padding (more than {from_bits - 1} bits)")
    elif (accumulator << (to_bits - bits)) & top:
        raise ValueError("bad padding (non-zero bits)")
    return out


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """A segwit address: bech32 for witness version 0, bech32m for 1 to 16 (BIP-350)."""
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    return bech32_encode(hrp, [version, *convert_bits(program, 8, 5, pad=True)], encoding)


def decode_segwit(hrp: str, address: str) -> tuple[int, bytes]:
    """The witness version and program of a segwit address with the human-readable part
    ``hrp``; ValueError with the reason otherwise (the checks of BIP-350's decoder)."""
    found, data, encoding = bech32_decode(address)
    if found != hrp:
        raise ValueError(f"unknown prefix {found!r} (expected {hrp!r})")
    return _witness(data, encoding)


def _witness(data: list[int], encoding: Encoding) -> tuple[int, bytes]:
    if not data:
        raise ValueError("no witness program (empty data part)")
    version = data[0]
    program = bytes(convert_bits(data[1:], 5, 8, pad=False))
    size = f"{len(program)} byte{'' if len(program) == 1 else 's'}"
    if not 2 <= len(program) <= 40:
        raise ValueError(f"wrong program length ({size}, expected 2 to 40)")
    if version > 16:
        raise ValueError(f"invalid witness version {version} (expected 0 to 16)")
    if version == 0 and len(program) not in (20, 32):
        raise ValueError(f"wrong program length ({size}; witness version 0 needs 20 or 32)")
    if version == 0 and encoding is not Encoding.BECH32:
        raise ValueError("bad checksum (bech32m used for witness version 0, which needs bech32)")
    if version != 0 and encoding is not Encoding.BECH32M:
        raise ValueError(f"bad checksum (bech32 used for witness version {version}, "
                         "which needs bech32m)")
    return version, program


def _segwit_kind(version: int, program: bytes) -> str:
    standard = {(0, 20): "p2wpkh", (0, 32): "p2wsh", (1, 32): "p2tr"}
    return standard.get((version, len(program)), f"segwit v{version}")


_BITCOIN_HRPS = {"bc": "mainnet", "tb": "testnet", "bcrt": "regtest"}
_LITECOIN_HRPS = {"ltc": "mainnet", "tltc": "testnet", "rltc": "regtest"}


def _segwit_address(text: str, hrps: dict[str, str]) -> _Found:
    try:
        hrp, data, encoding = bech32_decode(text)
    except ValueError as error:
        raise _RefusedError(str(error)) from None
    if hrp not in hrps:
        expected = " or ".join(repr(h) for h, network in hrps.items() if network in NETWORKS)
        raise _RefusedError(f"unknown prefix {hrp!r} (expected {expected})")
    try:
        version, program = _witness(data, encoding)
    except ValueError as error:
        raise _RefusedError(str(error)) from None
    return _Found(_segwit_kind(version, program), hrps[hrp], text.lower())


def _utxo_address(text: str, versions: dict[int, tuple[str, str]],
                  hrps: dict[str, str]) -> _Found:
    """Segwit when the text starts with a segwit prefix (of any chain, so that another
    chain's address is recognised), base58check otherwise. Each form falls back on the
    other: a base58 address may happen to start with "LTC1", say."""
    lower = text.lower()
    separator = lower.rfind("1")
    if separator > 0 and lower[:separator] in _ALL_HRPS:
        try:
            return _segwit_address(text, hrps)
        except _RefusedError as segwit_refusal:
            try:
                return _base58_address(text, versions)
            except _RefusedError:
                raise segwit_refusal from None
    try:
        return _base58_address(text, versions)
    except _RefusedError as base58_refusal:
        try:
            bech32_decode(text)
        except ValueError:
            raise base58_refusal from None
        # A well-formed bech32 string under another prefix: say so, not "not in base58".
        return _segwit_address(text, hrps)


def _bitcoin(text: str) -> _Found:
    return _utxo_address(text, _BITCOIN_BASE58, _BITCOIN_HRPS)


def _litecoin(text: str) -> _Found:
    if text.lower().startswith(("ltcmweb1", "tmweb1")):
        raise _RefusedError("unsupported format (Litecoin MWEB address, not visible on chain)")
    return _utxo_address(text, _LITECOIN_BASE58, _LITECOIN_HRPS)


_ALL_HRPS = frozenset(_BITCOIN_HRPS) | frozenset(_LITECOIN_HRPS)


# ---------------------------------------------------------------------------------------
# Tron

_TRON_LENGTH = 34


def _tron(text: str) -> _Found:
    if len(text) == 42 and text[:2] == "41" and _is_hex(text[2:]):
        raise _RefusedError("unknown format (hex form of a Tron address; give the base58 "
                            "form, starting with T)")
    for char in text:
        if char not in _BASE58_INDEX:
            raise _RefusedError(f"invalid character {char!r} (not in base58)")
    if len(text) != _TRON_LENGTH:
        raise _RefusedError(f"wrong length ({len(text)} characters, expected {_TRON_LENGTH})")
    found = _base58_address(text, {_TRON_VERSION: ("tron", "")})
    return _Found(found.kind, None, text)


# ---------------------------------------------------------------------------------------
# Ethereum and the EVM chains (EIP-55)

_HEX = frozenset("0123456789abcdefABCDEF")
_EVM_LENGTH = 42
_NO_CHECKSUM = ("no EIP-55 checksum (all {} case): a typing error in this address would go "
                "unnoticed")


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in _HEX for c in text)


@lru_cache(maxsize=65536)
def eip55_checksum(address: str) -> str:
    """The EIP-55 spelling of an EVM address (0x and 40 hex digits in any case): each letter
    upper case where the matching nibble of Keccak-256 of the lower-case hex is 8 or more.
    Cached: one hash costs a fraction of a millisecond in pure Python, and an import sees
    the same addresses again and again."""
    digits = address[2:].lower()
    if len(address) != _EVM_LENGTH or address[:2].lower() != "0x" or not _is_hex(digits):
        raise ValueError(f"not an EVM address: {address!r}")
    nibbles = keccak_256(digits.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(n, 16) >= 8 else c
                          for c, n in zip(digits, nibbles, strict=False))


def _evm(text: str) -> _Found:
    if text[:2] == "0X":
        raise _RefusedError("unknown format (starts with '0X'; EVM addresses start with '0x')")
    if text[:2] != "0x":
        if len(text) == _EVM_LENGTH - 2 and _is_hex(text):
            raise _RefusedError("unknown format (missing the '0x' prefix)")
        raise _RefusedError("unknown format (EVM addresses are '0x' and 40 hexadecimal digits)")
    for char in text[2:]:
        if char not in _HEX:
            raise _RefusedError(f"invalid character {char!r} (not hexadecimal)")
    if len(text) != _EVM_LENGTH:
        raise _RefusedError(f"wrong length ({len(text)} characters, expected {_EVM_LENGTH})")
    digits = text[2:]
    canonical = "0x" + digits.lower()
    has_lower = digits != digits.upper()
    has_upper = digits != digits.lower()
    if has_lower and has_upper:
        if eip55_checksum(text) != text:
            raise _RefusedError("bad EIP-55 checksum", "eip55")
        return _Found("eip55", None, canonical)
    if has_lower:
        return _Found("eip55-lowercase", None, canonical, _NO_CHECKSUM.format("lower"))
    if has_upper:
        return _Found("eip55-uppercase", None, canonical, _NO_CHECKSUM.format("upper"))
    return _Found("eip55", None, canonical)  # digits only: no letter to carry a checksum


_CHECKERS = {"bitcoin": _bitcoin, "litecoin": _litecoin, "tron": _tron, "evm": _evm}
_DISPLAY = {"bitcoin": "Bitcoin", "litecoin": "Litecoin", "tron": "Tron", "evm": "EVM"}
