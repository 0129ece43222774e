"""RFC 8785 canonical JSON, fast for the values changesets hold.

``rfc8785.dumps`` is written in Python, a call per value and a regex per string: it was a
third of a large import (every record recorded is serialised once to be signed). For the
values we sign, the standard library's C encoder writes the same bytes, and this module
uses it when a first walk over the value shows that it may:

- strings: the C encoder (``ensure_ascii=False``) escapes exactly what RFC 8785 escapes
  (``"``, ``\\``, the control characters below U+0020 with the short forms \\b \\f \\n \\r
  \\t and ``\\u00xx`` in lower case for the rest) and writes everything else as is; a lone
  surrogate makes the UTF-8 encoding fail, and RFC 8785 refuses it too;
- object keys: sorted by code point, which is the order of their UTF-16 code units as
  long as no key holds a character beyond U+FFFF (a surrogate pair sorts below U+E000 in
  UTF-16, above it by code point);
- integers within the range a double holds exactly (RFC 8785 refuses others);
- floats whose shortest representation Python and ECMAScript both write without an
  exponent and with a fraction: non-zero, not integral, 1e-4 <= |f| < 1e16 (Python
  writes an exponent outside that range, ECMAScript outside 1e-6 to 1e21, and integral
  ones as 5.0 against 5).

Anything else (another float, a key beyond U+FFFF, a subclass, a type JSON lacks) goes to
``rfc8785.dumps`` as a whole, which writes or refuses it as before. The property test in
tests/sync/test_canonical.py checks the two byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_INT_MAX = 2**53 - 1
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=True,
                            separators=(",", ":"))


def _plain(value: Any) -> bool:
    """Whether the C encoder writes ``value`` as RFC 8785 does."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                return False
            # Strings, booleans and None (most values) without a call each.
            if not (type(item) is str or item is None or type(item) is bool
                    or _plain(item)):
                return False
        return True
    if kind is str or value is None or kind is bool:
        return True
    if kind is int:
        return bool(-_INT_MAX <= value <= _INT_MAX)
    if kind is float:
        return bool(1e-4 <= abs(value) < 1e16 and not value.is_integer())
    if kind is list or kind is tuple:
        return all(type(item) is str or _plain(item) for item in value)
    return False


def dumps(value: Any) -> bytes:
    """The RFC 8785 serialisation of ``value``, byte for byte as ``rfc8785.dumps``."""
    if _plain(value):
        try:
            return _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 refuses it with its own error
    return bytes(rfc8785.dumps(value))
