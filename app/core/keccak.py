"""Keccak-256, the hash Ethereum uses (EIP-55 address checksums among others).

Python's ``hashlib.sha3_256`` is FIPS-202 SHA3-256: the same keccak-f[1600] permutation
but a different padding byte (0x06 instead of Keccak's original 0x01), so its digests
differ. Neither ``hashlib`` nor ``cryptography`` offers the original Keccak, and a pure
function of a few dozen lines is cheaper than another dependency.

The sponge below takes the padding byte as a parameter, which lets the tests check the
permutation against ``hashlib.sha3_256`` on arbitrary input.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


def _round_constants() -> tuple[int, ...]:
    """The 24 iota constants, from the LFSR x^8 + x^6 + x^5 + x^4 + 1 of the Keccak reference."""
    constants = []
    lfsr = 1
    for _ in range(24):
        constant = 0
        for j in range(7):
            if lfsr & 1:
                constant |= 1 << ((1 << j) - 1)
            lfsr = ((lfsr << 1) ^ 0x71) & 0xFF if lfsr & 0x80 else lfsr << 1
        constants.append(constant)
    return tuple(constants)


def _rho_pi() -> tuple[tuple[int, int, int, int], ...]:
    """(source lane, destination lane, left shift, right shift) for rho and pi together.

    Lanes are indexed x + 5*y. Rho rotates lane (x, y) by (t+1)(t+2)/2 along the walk
    (x, y) -> (y, 2x + 3y); pi moves lane (x, y) to (y, 2x + 3y). The right shift of 64
    for the unrotated lane yields 0, so no lane needs a special case.
    """
    moves = [(0, 0, 0, 64)]
    x, y = 1, 0
    for t in range(24):
        shift = ((t + 1) * (t + 2) // 2) % 64
        moves.append((x + 5 * y, y + 5 * ((2 * x + 3 * y) % 5), shift, 64 - shift))
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(moves)


_ROUND_CONSTANTS = _round_constants()
_RHO_PI = _rho_pi()
# Chi combines each lane with the next two in its row: (lane, next, after next).
_CHI = tuple((i, 5 * (i // 5) + (i + 1) % 5, 5 * (i // 5) + (i + 2) % 5) for i in range(25))


def _permute(lanes: list[int]) -> list[int]:
    """keccak-f[1600] on 25 lanes of 64 bits (written out for speed: it runs for every
    mixed-case EVM address checked)."""
    a = lanes
    b = [0] * 25
    for constant in _ROUND_CONSTANTS:
        # theta: xor each lane with the parities of the two neighbouring columns
        c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
        c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
        c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
        c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
        c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
        d = (c4 ^ (((c1 << 1) | (c1 >> 63)) & _MASK),
             c0 ^ (((c2 << 1) | (c2 >> 63)) & _MASK),
             c1 ^ (((c3 << 1) | (c3 >> 63)) & _MASK),
             c2 ^ (((c4 << 1) | (c4 >> 63)) & _MASK),
             c3 ^ (((c0 << 1) | (c0 >> 63)) & _MASK)) * 5
        # rho and pi: rotate each lane (after theta) and move it to its new place
        for source, destination, left, right in _RHO_PI:
            lane = a[source] ^ d[source]
            b[destination] = ((lane << left) | (lane >> right)) & _MASK
        # chi, the only non-linear step, then iota to break the symmetry between rounds
        a = [b[i] ^ (~b[j] & b[k]) for i, j, k in _CHI]
        a[0] ^= constant
    return a


def keccak_sponge(data: bytes, *, rate: int, suffix: int, length: int) -> bytes:
    """The Keccak sponge: absorb ``data`` in blocks of ``rate`` bytes, padded with
    ``suffix`` (0x01 for Keccak, 0x06 for SHA-3) and a final 0x80, then squeeze ``length``
    bytes."""
    padded = bytearray(data)
    padded.append(suffix)
    padded.extend(bytes(-len(padded) % rate))
    padded[-1] |= 0x80
    lanes = [0] * 25
    for start in range(0, len(padded), rate):
        for i in range(rate // 8):
            offset = start + 8 * i
            lanes[i] ^= int.from_bytes(padded[offset:offset + 8], "little")
        lanes = _permute(lanes)
    out = bytearray()
    while True:
        out += b"".join(lane.to_bytes(8, "little") for lane in lanes[:rate // 8])
        if len(out) >= length:
            return bytes(out[:length])
        lanes = _permute(lanes)


def keccak_256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the pre-FIPS padding), 32 bytes."""
    return keccak_sponge(data, rate=136, suffix=0x01, length=32)
