"""Wallet address checks: the published vectors of BIP-173, BIP-350 and EIP-55, known
mainnet addresses, every refusal reason, and round-trip and error-detection properties.

Vector sources (copied verbatim):
- BIP-173 "Test vectors" appendix, https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki
- BIP-350 "Test vectors", https://github.com/bitcoin/bips/blob/master/bip-0350.mediawiki
- EIP-55 "Test Cases", https://eips.ethereum.org/EIPS/eip-55
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.addresses import (
    BASE58_ALPHABET,
    BECH32_CHARSET,
    CHAINS,
    EVM_CHAINS,
    AddressCheck,
    Encoding,
    base58_decode,
    base58_encode,
    base58check_decode,
    base58check_encode,
    bech32_decode,
    bech32_encode,
    check_address,
    decode_segwit,
    eip55_checksum,
    encode_segwit,
    normalise_chain,
)
from app.core.keccak import keccak_256, keccak_sponge

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def refused(chain: str, address: str, network: str = "mainnet") -> str | None:
    result = check_address(chain, address, network=network)
    assert not result.valid
    assert result.canonical is None
    return result.reason


# ---------------------------------------------------------------------------------------
# Keccak-256


def test_keccak_256_of_the_empty_string() -> None:
    assert keccak_256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


def test_keccak_256_of_abc_and_of_a_multi_block_message() -> None:
    assert keccak_256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    # NIST's SHA3-256 example of 200 bytes 0xa3 (two blocks of the 136-byte rate), through
    # the same sponge with the FIPS-202 padding.
    assert keccak_sponge(b"\xa3" * 200, rate=136, suffix=0x06, length=32).hex() == (
        "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")


def test_keccak_256_is_not_hashlib_sha3_256() -> None:
    assert keccak_256(b"") != hashlib.sha3_256(b"").digest()


@PROPERTY
@given(st.binary(max_size=600))
def test_the_sponge_with_sha3_padding_is_hashlib_sha3_256(data: bytes) -> None:
    # The same permutation with the FIPS-202 padding must give the standard SHA-3 digests:
    # this checks keccak-f[1600] on arbitrary input against an independent implementation.
    assert keccak_sponge(data, rate=136, suffix=0x06, length=32) == hashlib.sha3_256(data).digest()


def test_the_sponge_squeezes_past_one_block() -> None:
    data = b"JointOps"
    assert (keccak_sponge(data, rate=168, suffix=0x1F, length=400)
            == hashlib.shake_128(data).digest(400))


# ---------------------------------------------------------------------------------------
# Chains


@pytest.mark.parametrize(("text", "expected"), [
    ("bitcoin", "bitcoin"), ("BTC", "bitcoin"), ("Btc", "bitcoin"), (" btc ", "bitcoin"),
    ("Ethereum", "ethereum"), ("ETH", "ethereum"), ("eth", "ethereum"),
    ("TRON", "tron"), ("trx", "tron"), ("TRX", "tron"),
    ("litecoin", "litecoin"), ("LTC", "litecoin"),
    ("Polygon", "polygon"), ("MATIC", "polygon"), ("bsc", "bsc"), ("BNB", "bsc"),
    ("BNB Smart Chain", "bsc"), ("arbitrum", "arbitrum"), ("Optimism", "optimism"),
    ("base", "base"), ("Avalanche", "avalanche"), ("avalanche-c-chain", "avalanche"),
])
def test_chain_names_and_tickers_in_any_case(text: str, expected: str) -> None:
    assert normalise_chain(text) == expected


@pytest.mark.parametrize("text", ["doge", "bitcoin cash", "solana", "e th"])
def test_an_unknown_chain_is_refused_naming_the_chains_understood(text: str) -> None:
    with pytest.raises(ValueError) as error:
        normalise_chain(text)
    assert str(error.value) == (
        f"unknown chain {text!r} (expected bitcoin/btc, ethereum/eth, tron/trx, litecoin/ltc, "
        "polygon/matic, bsc/bnb, arbitrum, optimism, base or avalanche)")


def test_a_missing_chain_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^chain is missing \(expected bitcoin/btc"):
        normalise_chain("  ")


def test_check_address_raises_on_an_unknown_chain_or_network() -> None:
    with pytest.raises(ValueError, match="unknown chain 'doge'"):
        check_address("doge", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L")
    with pytest.raises(ValueError, match="unknown network 'signet'"):
        check_address("btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", network="signet")


def test_every_chain_has_a_checker() -> None:
    for chain in CHAINS:
        assert check_address(chain, "").reason == "address is empty"


# ---------------------------------------------------------------------------------------
# Bech32 and bech32m strings (BIP-173, BIP-350)

BIP173_VALID_BECH32 = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]

BIP350_VALID_BECH32M = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]

BIP173_INVALID_BECH32 = [
    ("\x201nwldj5", "invalid character ' ' (outside printable ASCII)"),
    ("\x7f1axkwrx", "invalid character '\\x7f' (outside printable ASCII)"),
    ("\x801eym55h", "invalid character '\\x80' (outside printable ASCII)"),
    ("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
     "wrong length (91 characters, expected at most 90)"),
    ("pzry9x0s0muk", "no separator '1'"),
    ("1pzry9x0s0muk", "empty human-readable part"),
    ("x1b4n0q5v", "invalid character 'b' (not in bech32)"),
    ("li1dgmt3", "checksum too short (5 characters, expected 6)"),
    ("de1lg7wt\xff", "invalid character 'ÿ' (outside printable ASCII)"),
    ("A1G7SGD8", "bad checksum"),  # checksum made with the upper-case HRP
    ("10a06t8", "empty human-readable part"),
    ("1qzzfhee", "empty human-readable part"),
]

BIP350_INVALID_BECH32M = [
    ("\x201xj0phk", "invalid character ' ' (outside printable ASCII)"),
    ("\x7f1g6xzxy", "invalid character '\\x7f' (outside printable ASCII)"),
    ("\x801vctc34", "invalid character '\\x80' (outside printable ASCII)"),
    ("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
     "wrong length (91 characters, expected at most 90)"),
    ("qyrz8wqd2c9m", "no separator '1'"),
    ("1qyrz8wqd2c9m", "empty human-readable part"),
    ("y1b0jsk6g", "invalid character 'b' (not in bech32)"),
    ("lt1igcx5c0", "invalid character 'i' (not in bech32)"),
    ("in1muywd", "checksum too short (5 characters, expected 6)"),
    ("mm1crxm3i", "invalid character 'i' (not in bech32)"),
    ("au1s5cgom", "invalid character 'o' (not in bech32)"),
    ("M1VUXWEZ", "bad checksum"),  # checksum made with the upper-case HRP
    ("16plkw9", "empty human-readable part"),
    ("1p2gdwpf", "empty human-readable part"),
]


@pytest.mark.parametrize("text", BIP173_VALID_BECH32)
def test_bip173_valid_bech32_strings(text: str) -> None:
    hrp, data, encoding = bech32_decode(text)
    assert encoding is Encoding.BECH32
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize("text", BIP350_VALID_BECH32M)
def test_bip350_valid_bech32m_strings(text: str) -> None:
    hrp, data, encoding = bech32_decode(text)
    assert encoding is Encoding.BECH32M
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize(("text", "reason"), BIP173_INVALID_BECH32 + BIP350_INVALID_BECH32M)
def test_bip173_and_bip350_invalid_strings(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as error:
        bech32_decode(text)
    assert str(error.value) == reason


def test_mixed_case_bech32_string_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^mixed case in bech32$"):
        bech32_decode("A12uEL5L")


# ---------------------------------------------------------------------------------------
# Segwit addresses (BIP-350, which replaces BIP-173's address lists)

BIP350_VALID_ADDRESSES = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
     "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
]

BIP350_INVALID_ADDRESSES = [
    ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
     "unknown prefix 'tc' (expected 'bc' or 'tb')"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
     "bad checksum (bech32 used for witness version 1, which needs bech32m)"),
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
     "bad checksum (bech32 used for witness version 2, which needs bech32m)"),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
     "bad checksum (bech32 used for witness version 16, which needs bech32m)"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
     "bad checksum (bech32m used for witness version 0, which needs bech32)"),
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
     "bad checksum (bech32m used for witness version 0, which needs bech32)"),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
     "invalid character 'o' (not in bech32)"),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
     "invalid witness version 17 (expected 0 to 16)"),
    ("bc1pw5dgrnzv", "wrong program length (1 byte, expected 2 to 40)"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
     "wrong program length (41 bytes, expected 2 to 40)"),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
     "wrong program length (16 bytes; witness version 0 needs 20 or 32)"),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixed case in bech32"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
     "bad padding (more than 4 bits)"),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
     "bad padding (non-zero bits)"),
    ("bc1gmk9yu", "no witness program (empty data part)"),
]

# BIP-173's invalid addresses stay invalid under BIP-350.
BIP173_INVALID_ADDRESSES = [
    ("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "unknown prefix 'tc' (expected 'bc' or 'tb')"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad checksum"),
    ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "invalid witness version 17 (expected 0 to 16)"),
    ("bc1rw5uspcuh", "wrong program length (1 byte, expected 2 to 40)"),
    ("bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
     "wrong program length (41 bytes, expected 2 to 40)"),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
     "wrong program length (16 bytes; witness version 0 needs 20 or 32)"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixed case in bech32"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "bad padding (more than 4 bits)"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
     "bad padding (non-zero bits)"),
    ("bc1gmk9yu", "no witness program (empty data part)"),
]

# BIP-173 listed these v1+ addresses as valid with bech32 checksums; BIP-350 made v1+ use
# bech32m, so they are now refused (the same programs are valid in BIP350_VALID_ADDRESSES).
BIP173_VALID_NOW_REFUSED = [
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", 1),
    ("BC1SW50QA3JX3S", 16),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", 2),
]


def _script_pubkey(version: int, program: bytes) -> str:
    return (bytes([version + 0x50 if version else 0, len(program)]) + program).hex()


def _network_of(address: str) -> str:
    return "testnet" if address.lower().startswith("tb1") else "mainnet"


@pytest.mark.parametrize(("address", "script"), BIP350_VALID_ADDRESSES)
def test_bip350_valid_segwit_addresses(address: str, script: str) -> None:
    hrp = address[:2].lower()
    version, program = decode_segwit(hrp, address)
    assert _script_pubkey(version, program) == script
    assert encode_segwit(hrp, version, program) == address.lower()
    network = _network_of(address)
    result = check_address("bitcoin", address, network=network)
    assert result.valid, result.reason
    assert (result.network, result.canonical, result.reason) == (network, address.lower(), None)


def test_segwit_kinds() -> None:
    kinds = {address: check_address("btc", address, network=_network_of(address)).kind
             for address, _ in BIP350_VALID_ADDRESSES}
    assert list(kinds.values()) == ["p2wpkh", "p2wsh", "segwit v1", "segwit v16", "segwit v2",
                                    "p2wsh", "p2tr", "p2tr"]


@pytest.mark.parametrize(("address", "reason"),
                         BIP350_INVALID_ADDRESSES + BIP173_INVALID_ADDRESSES)
def test_invalid_segwit_addresses(address: str, reason: str) -> None:
    assert refused("bitcoin", address, _network_of(address)) == reason


@pytest.mark.parametrize(("address", "reason"), BIP350_INVALID_ADDRESSES[1:])
def test_invalid_segwit_addresses_through_decode_segwit(address: str, reason: str) -> None:
    with pytest.raises(ValueError) as error:
        decode_segwit(address[:2].lower(), address)
    assert str(error.value) == reason


def test_decode_segwit_names_an_unexpected_prefix() -> None:
    with pytest.raises(ValueError, match=r"^unknown prefix 'tb' \(expected 'bc'\)$"):
        decode_segwit("bc", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")


@pytest.mark.parametrize(("address", "version"), BIP173_VALID_NOW_REFUSED)
def test_bip173_v1_plus_addresses_with_bech32_checksums_are_refused(address: str,
                                                                    version: int) -> None:
    assert refused("bitcoin", address) == (
        f"bad checksum (bech32 used for witness version {version}, which needs bech32m)")


def test_testnet_segwit_is_the_wrong_network_on_mainnet() -> None:
    address = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"
    result = check_address("bitcoin", address)
    assert (result.valid, result.reason, result.kind, result.network) == (
        False, "wrong network (testnet address)", "p2wsh", "testnet")


def test_mainnet_addresses_are_the_wrong_network_on_testnet() -> None:
    assert refused("btc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "testnet") == (
        "wrong network (mainnet address)")
    assert refused("btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "testnet") == (
        "wrong network (mainnet address)")


def test_regtest_segwit_is_refused_on_both_networks() -> None:
    address = encode_segwit("bcrt", 0, bytes(range(20)))
    assert refused("btc", address) == "wrong network (regtest address)"
    assert refused("btc", address, "testnet") == "wrong network (regtest address)"


def test_a_bech32_address_over_90_characters_is_refused() -> None:
    address = encode_segwit("bc", 1, bytes(32)) + "q" * 40
    assert refused("btc", address) == (
        f"wrong length ({len(address)} characters, expected at most 90)")


# ---------------------------------------------------------------------------------------
# Bitcoin base58check

@pytest.mark.parametrize(("address", "kind"), [
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh"),  # the genesis block's coinbase
    ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"),
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "p2wpkh"),
    ("bc1qwqdg6squsna38e46795at95yu9atm8azzmyvckulcc7kytlcckxswvvzej", "p2wsh"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "p2tr"),
])
def test_known_bitcoin_mainnet_addresses(address: str, kind: str) -> None:
    for chain in ("bitcoin", "BTC"):
        assert check_address(chain, address) == AddressCheck(
            "bitcoin", address, True, kind, None, "mainnet", address)


def test_the_genesis_address_holds_the_genesis_public_key_hash() -> None:
    payload = base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert payload.hex() == "0062e907b15cbf27d5425399ebf6f0fb50ebb88f18"


@pytest.mark.parametrize(("address", "kind"), [
    ("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "p2pkh"),
    ("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "p2sh"),
])
def test_bitcoin_testnet_base58_addresses(address: str, kind: str) -> None:
    on_mainnet = check_address("btc", address)
    assert (on_mainnet.valid, on_mainnet.reason, on_mainnet.kind, on_mainnet.network) == (
        False, "wrong network (testnet address)", kind, "testnet")
    on_testnet = check_address("btc", address, network="testnet")
    assert (on_testnet.valid, on_testnet.kind, on_testnet.network) == (True, kind, "testnet")


def test_surrounding_white_space_is_ignored() -> None:
    result = check_address("btc", "  1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n")
    assert result.valid
    assert result.address == "  1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n"  # as given
    assert result.canonical == "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"


@pytest.mark.parametrize(("address", "reason"), [
    ("", "address is empty"),
    ("   ", "address is empty"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "bad checksum"),  # last character changed
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivNa", "bad checksum"),  # a character dropped
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNO", "invalid character 'O' (not in base58)"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", "invalid character '0' (not in base58)"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divfl", "invalid character 'l' (not in base58)"),
    ("1A1zP1eP5QGef 2DMPTfTL5SLmv7DivfNa", "invalid character ' ' (not in base58)"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNaa",
     "wrong length (35 characters, decodes to 26 bytes, expected 25)"),
    ("1" * 30, "wrong length (30 characters, decodes to 30 bytes, expected 25)"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa" * 2, "wrong length (68 characters, expected at most 35)"),
    ("Bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "mixed case in bech32"),
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp", "bad checksum"),
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mbq", "invalid character 'b' (not in bech32)"),
])
def test_bitcoin_refusals(address: str, reason: str) -> None:
    assert refused("bitcoin", address) == reason


def test_an_unknown_version_byte_is_an_unknown_format() -> None:
    dogecoin_like = base58check_encode(bytes([0x1E]) + bytes(range(20)))
    assert refused("btc", dogecoin_like) == "unknown format (version byte 0x1e)"


@pytest.mark.parametrize(("chain", "address", "other"), [
    ("btc", "LUd28DgwFmae8thFhaPYHGVmps4XockqfQ", "Litecoin"),
    ("btc", "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz", "Litecoin"),
    ("btc", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "Tron"),
    ("btc", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "EVM"),
    ("ltc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "Bitcoin"),
    ("ltc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin"),
    ("trx", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "Bitcoin"),
    ("trx", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "EVM"),
    ("eth", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "Tron"),
    ("polygon", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin"),
])
def test_another_chains_address_is_the_wrong_chain(chain: str, address: str, other: str) -> None:
    assert refused(chain, address) == f"wrong chain ({other} address)"


# ---------------------------------------------------------------------------------------
# Litecoin

@pytest.mark.parametrize(("address", "kind"), [
    ("LUd28DgwFmae8thFhaPYHGVmps4XockqfQ", "p2pkh"),
    ("Lg3PX8wRWmApFCoCMAsPF5P9dPHYQHEWKW", "p2pkh"),
    ("MLkMXXwmuFFA5L6DmTejSgcxwZfT99f7pg", "p2sh"),
    ("MGEW4aba3tnrVtVhGcmoqqHaLt5ymPSLPi", "p2sh"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"),  # the legacy 0x05 version
    ("ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz", "p2wpkh"),
    ("LTC1QXTM55GULTQZHQZL2P3KS50HG2478Y3HEHUJ6DZ", "p2wpkh"),
])
def test_known_litecoin_mainnet_addresses(address: str, kind: str) -> None:
    result = check_address("LTC", address)
    assert (result.chain, result.valid, result.kind, result.network) == (
        "litecoin", True, kind, "mainnet")
    assert result.canonical == (address.lower() if "1q" in address.lower() else address)


@pytest.mark.parametrize(("address", "kind"), [
    ("mhKYHWXLmQb93RuzyVmTK2KmM8KJPFrzdb", "p2pkh"),
    ("Qcjgixb2zRFpZYdrp3FHPpkwYgiFdo1XaU", "p2sh"),
    ("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "p2sh"),
    (encode_segwit("tltc", 0, bytes(range(20))), "p2wpkh"),
])
def test_litecoin_testnet_addresses_are_the_wrong_network(address: str, kind: str) -> None:
    result = check_address("litecoin", address)
    assert (result.valid, result.reason, result.kind) == (
        False, "wrong network (testnet address)", kind)
    assert check_address("litecoin", address, network="testnet").valid


@pytest.mark.parametrize(("address", "reason"), [
    ("LUd28DgwFmae8thFhaPYHGVmps4XockqfR", "bad checksum"),
    ("LUd28DgwFmae8thFhaPYHGVmps4XockqfI", "invalid character 'I' (not in base58)"),
    ("ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dq", "bad checksum"),
    ("Ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz", "mixed case in bech32"),
    ("ltcmweb1" + "qp" * 60,  # the shape of an MWEB address: only the prefix matters
     "unsupported format (Litecoin MWEB address, not visible on chain)"),
])
def test_litecoin_refusals(address: str, reason: str) -> None:
    assert refused("litecoin", address) == reason


def test_a_base58check_string_of_the_wrong_size_is_the_wrong_length() -> None:
    address = base58check_encode(bytes([0x30]) + bytes(range(1, 20)))  # a 19-byte hash
    assert refused("litecoin", address) == (
        f"wrong length ({len(address)} characters, decodes to 24 bytes, expected 25)")


# ---------------------------------------------------------------------------------------
# Tron

def test_the_usdt_contract_on_tron() -> None:
    address = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert check_address("TRX", address) == AddressCheck(
        "tron", address, True, "tron", None, None, address)
    assert base58check_decode(address).hex() == "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"


@pytest.mark.parametrize(("address", "reason"), [
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "bad checksum"),
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", "wrong length (33 characters, expected 34)"),
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6tt", "wrong length (35 characters, expected 34)"),
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj60", "invalid character '0' (not in base58)"),
    ("41a614f803b6fd780986a42c78ec9c7f77e6ded13c",
     "unknown format (hex form of a Tron address; give the base58 form, starting with T)"),
    # A 34-character base58check address of another version: not a Tron address.
    (base58check_encode(bytes([0x1E]) + bytes(range(1, 21))), "unknown format (version byte 0x1e)"),
])
def test_tron_refusals(address: str, reason: str) -> None:
    assert refused("tron", address) == reason


# ---------------------------------------------------------------------------------------
# Ethereum and the EVM chains (EIP-55)

EIP55_ALL_CAPS = ["0x52908400098527886E0F7030069857D2E4169EE7",
                  "0x8617E340B3D01FA5F11F306F4090FD50E238070D"]
EIP55_ALL_LOWER = ["0xde709f2102306220921060314715629080e2fb77",
                   "0x27b1fdb04752bbc536007a920d24acb045561c26"]
EIP55_NORMAL = ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]


@pytest.mark.parametrize("address", EIP55_ALL_CAPS + EIP55_ALL_LOWER + EIP55_NORMAL)
def test_eip55_vectors_are_their_own_checksum_encoding(address: str) -> None:
    assert eip55_checksum(address.lower()) == address
    assert eip55_checksum(address.upper().replace("0X", "0x")) == address


@pytest.mark.parametrize("address", EIP55_NORMAL)
@pytest.mark.parametrize("chain", ["ethereum", "ETH", *EVM_CHAINS])
def test_eip55_mixed_case_vectors_are_valid_on_every_evm_chain(chain: str, address: str) -> None:
    assert check_address(chain, address) == AddressCheck(
        normalise_chain(chain), address, True, "eip55", None, None, address.lower())


@pytest.mark.parametrize("address", EIP55_ALL_CAPS + EIP55_ALL_LOWER)
def test_single_case_addresses_are_valid_but_flagged_without_checksum(address: str) -> None:
    # A single-case address may be one whose checksum happens to be single case (these
    # EIP-55 vectors) or one written without a checksum: the two cannot be told apart.
    result = check_address("eth", address)
    case = "upper" if address in EIP55_ALL_CAPS else "lower"
    assert (result.valid, result.kind, result.canonical) == (
        True, f"eip55-{case}case", address.lower())
    assert result.warning == (f"no EIP-55 checksum (all {case} case): a typing error in this "
                              "address would go unnoticed")


def test_an_address_of_digits_only_has_nothing_to_check() -> None:
    address = "0x" + "1234567890" * 4
    result = check_address("eth", address)
    assert (result.valid, result.kind, result.warning) == (True, "eip55", None)


@pytest.mark.parametrize(("address", "reason"), [
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "bad EIP-55 checksum"),  # last letter's case
    ("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "bad EIP-55 checksum"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "wrong length (41 characters, expected 42)"),
    ("0x123", "wrong length (5 characters, expected 42)"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", "wrong length (43 characters, expected 42)"),
    ("0x" + "g" * 40, "invalid character 'g' (not hexadecimal)"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeO", "invalid character 'O' (not hexadecimal)"),
    ("0X52908400098527886E0F7030069857D2E4169EE7",
     "unknown format (starts with '0X'; EVM addresses start with '0x')"),
    ("52908400098527886E0F7030069857D2E4169EE7", "unknown format (missing the '0x' prefix)"),
    ("vitalik.eth", "unknown format (EVM addresses are '0x' and 40 hexadecimal digits)"),
])
def test_evm_refusals(address: str, reason: str) -> None:
    assert refused("ethereum", address) == reason


def test_a_bad_eip55_checksum_keeps_the_recognised_kind() -> None:
    result = check_address("bsc", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
    assert (result.chain, result.kind, result.network) == ("bsc", "eip55", None)


# ---------------------------------------------------------------------------------------
# Properties: encodings round-trip, single substitutions are caught, nothing raises

hashes20 = st.binary(min_size=20, max_size=20)


@PROPERTY
@given(st.binary(max_size=60))
def test_base58_round_trip(data: bytes) -> None:
    assert base58_decode(base58_encode(data)) == data
    assert base58check_decode(base58check_encode(data)) == data


@PROPERTY
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789!?#", min_size=1, max_size=20),
       st.lists(st.integers(0, 31), max_size=60), st.sampled_from(Encoding))
def test_bech32_round_trip(hrp: str, data: list[int], encoding: Encoding) -> None:
    text = bech32_encode(hrp, data, encoding)
    assert bech32_decode(text) == (hrp, data, encoding)
    assert bech32_decode(text.upper()) == (hrp, data, encoding)


segwit_programs = st.one_of(
    st.tuples(st.just(0), st.sampled_from([20, 32])),
    st.tuples(st.integers(1, 16), st.integers(2, 40)),
).flatmap(lambda vl: st.tuples(st.just(vl[0]), st.binary(min_size=vl[1], max_size=vl[1])))


@PROPERTY
@given(segwit_programs, st.sampled_from([("bitcoin", "bc"), ("litecoin", "ltc")]))
def test_segwit_round_trip(witness: tuple[int, bytes], chain_hrp: tuple[str, str]) -> None:
    version, program = witness
    chain, hrp = chain_hrp
    address = encode_segwit(hrp, version, program)
    assert decode_segwit(hrp, address) == (version, program)
    result = check_address(chain, address)
    assert result.valid, result.reason
    assert result.canonical == address
    assert check_address(chain, address.upper()).canonical == address


@PROPERTY
@given(segwit_programs, st.data())
def test_a_single_substitution_in_a_segwit_address_is_caught(witness: tuple[int, bytes],
                                                           data: st.DataObject) -> None:
    address = encode_segwit("bc", *witness)
    position = data.draw(st.integers(3, len(address) - 1))
    replacement = data.draw(st.sampled_from(BECH32_CHARSET)
                            .filter(lambda c: c != address[position]))
    mistyped = address[:position] + replacement + address[position + 1:]
    # Bech32 is guaranteed to detect up to four substituted characters.
    assert refused("btc", mistyped) == "bad checksum"


base58_versions = st.sampled_from([("bitcoin", 0x00, "p2pkh"), ("bitcoin", 0x05, "p2sh"),
                                   ("litecoin", 0x30, "p2pkh"), ("litecoin", 0x32, "p2sh"),
                                   ("tron", 0x41, "tron")])


@PROPERTY
@given(base58_versions, hashes20)
def test_base58_address_round_trip(version: tuple[str, int, str], digest: bytes) -> None:
    chain, byte, kind = version
    address = base58check_encode(bytes([byte]) + digest)
    result = check_address(chain, address)
    assert (result.valid, result.kind, result.canonical) == (True, kind, address)
    assert base58check_decode(address) == bytes([byte]) + digest
    if chain == "tron":
        assert address.startswith("T") and len(address) == 34


@PROPERTY
@given(base58_versions, hashes20, st.data())
def test_a_single_substitution_in_a_base58_address_is_caught(
        version: tuple[str, int, str], digest: bytes, data: st.DataObject) -> None:
    chain, byte, _ = version
    address = base58check_encode(bytes([byte]) + digest)
    position = data.draw(st.integers(0, len(address) - 1))
    replacement = data.draw(st.sampled_from(BASE58_ALPHABET)
                            .filter(lambda c: c != address[position]))
    mistyped = address[:position] + replacement + address[position + 1:]
    # A 32-bit checksum: a substitution passes with chance 2^-32, never in practice.
    assert not check_address(chain, mistyped).valid


@PROPERTY
@given(hashes20)
def test_evm_round_trip(digest: bytes) -> None:
    address = eip55_checksum("0x" + digest.hex())
    result = check_address("ethereum", address)
    assert result.valid
    assert result.canonical == "0x" + digest.hex()
    if address[2:].lower() != address[2:] and address[2:].upper() != address[2:]:
        assert result.kind == "eip55"


@PROPERTY
@given(hashes20, st.data())
def test_a_case_flip_never_passes_as_checksummed(digest: bytes, data: st.DataObject) -> None:
    address = eip55_checksum("0x" + digest.hex())
    letters = [i for i, c in enumerate(address) if c in "abcdefABCDEF"]
    if not letters:
        return
    position = data.draw(st.sampled_from(letters))
    flipped = address[:position] + address[position].swapcase() + address[position + 1:]
    result = check_address("ethereum", flipped)
    # Either refused, or (when the flip made the address single-case) accepted only with
    # the warning that it carries no checksum.
    if result.valid:
        assert result.kind in ("eip55-lowercase", "eip55-uppercase")
        assert result.warning is not None
    else:
        assert result.reason == "bad EIP-55 checksum"


@PROPERTY
@given(st.sampled_from(CHAINS), st.text(max_size=120))
def test_any_text_gives_an_answer_never_an_exception(chain: str, text: str) -> None:
    result = check_address(chain, text)
    assert result.valid == (result.reason is None)
    assert result.valid == (result.canonical is not None)
