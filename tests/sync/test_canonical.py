"""The fast canonical JSON writes what rfc8785 writes, byte for byte, or refuses what it
refuses."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync import canonical

# Every code point, lone surrogates included; and some that matter more than their
# share of a random draw: the escapes, DEL, the line separators, the last BMP characters
# before and after the surrogate block, and characters beyond U+FFFF.
SPECIAL = st.sampled_from(["\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1f",
                           '"', "\\", "/", "\x7f", "\u2028", "\u2029", "\ud7ff", "\ud800",
                           "\udfff", "\ue000", "\uffff", "\U00010000", "\U0001f600",
                           "\U0010ffff", "é", "€"])
CHARS = st.one_of(st.characters(blacklist_categories=()), SPECIAL)
TEXT = st.text(CHARS, max_size=12)
INTS = st.one_of(st.integers(), st.integers(-(2**53) - 2, 2**53 + 2),
                 st.sampled_from([0, -1, 2**53 - 1, -(2**53) + 1, 2**53, -(2**53)]))
FLOATS = st.one_of(st.floats(), st.floats(-1e17, 1e17),
                   st.sampled_from([0.0, -0.0, 1e-4, -1e-4, 9.999999999999999e-05, 1e16,
                                    9999999999999998.0, 0.1, 1.5, -36.82141, 5.0, 1e-7,
                                    1e21, 1e-6]))
SCALARS = st.one_of(st.none(), st.booleans(), INTS, TEXT, FLOATS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(TEXT, inner, max_size=6)), max_leaves=30)


def _rfc8785(value: Any) -> bytes | type[Exception]:
    try:
        return bytes(rfc8785.dumps(value))
    except ValueError as error:  # CanonicalizationError; UnicodeEncodeError for some keys
        return type(error)


def _ours(value: Any) -> bytes | type[Exception]:
    try:
        return canonical.dumps(value)
    except ValueError as error:  # CanonicalizationError; UnicodeEncodeError for some keys
        return type(error)


@settings(max_examples=1000, deadline=None)
@given(VALUES)
def test_the_same_bytes_as_rfc8785(value: Any) -> None:
    assert _ours(value) == _rfc8785(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, SCALARS, min_size=2, max_size=8))
def test_keys_in_utf16_order(value: dict[str, Any]) -> None:
    assert _ours(value) == _rfc8785(value)


@pytest.mark.parametrize("value", [
    {"\ue000": 1, "\U0001f600": 2},  # UTF-16 puts the pair first, code points the other
    {"b": 1, "a": [1, {"d": None, "c": True}], "": "x"},
    "\u0000\u001f\"\\\b\f\n\r\t\x7f\u2028é\U0001f600",
    [1.5, -0.25, 36.82141, 0.0001, 1e-05, 5.0, 0.0, -0.0, 1e16, 1e21, 123456789012345.6],
    2**53 - 1, -(2**53) + 1,
    {"set": {"lat": -1.28, "lon": 36.82, "name": "Site 000001-0", "aliases": []}},
])
def test_known_cases(value: Any) -> None:
    assert canonical.dumps(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [2**53, -(2**53), float("nan"), float("inf"), "\ud800",
                                   {"k": "\udfff"}, {1: "x"}, {"x": object()}, b"bytes"])
def test_what_rfc8785_refuses_is_refused(value: Any) -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        rfc8785.dumps(value)
    with pytest.raises(rfc8785.CanonicalizationError):
        canonical.dumps(value)
