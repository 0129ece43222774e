"""Changeset signatures checked ahead, in another process, while the merge goes on.

An Ed25519 verification costs about 120 microseconds here, 12 s for a bundle of 100,000
changesets: as long as the rest of the import. A verifier process (app/sync/verifier.py,
a fresh interpreter) checks the bundle's changesets in order while this process parses
and merges. Threads were tried first: ``cryptography`` releases the GIL while it
verifies, but a thread must take the GIL back after each signature, and with the merge
busy in Python it waits the interpreter's switch interval (5 ms) each time, so
verification and merge ran one after the other.

Nothing is trusted sooner: the merge asks for a changeset's verdict at the point where it
checked the signature itself, and waits for it. A verdict is only used for the key the
merge looked up at that point; for any other key, for a bundle too small to be worth a
process, or if the verifier fails, the merge verifies as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.sync import changeset as cs

MIN_JOBS = 2000  # fewer are verified by the merge itself: a process takes a while to start


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _record(signed: cs.SignedChangeset) -> bytes | None:
    """The verifier's input for one changeset (see app/sync/verifier.py), or None when it
    cannot be framed (a signature that is not short ASCII: the merge refuses it itself)."""
    try:
        signature = signed.signature.encode("ascii")
    except UnicodeEncodeError:
        return None
    if len(signature) > 255 or len(signed.body) >= 2**32:
        return None
    return len(signed.body).to_bytes(4) + bytes([len(signature)]) + signature + signed.body


def _table(device_keys: Mapping[str, bytes]) -> bytes | None:
    parts = [len(device_keys).to_bytes(4)]
    for device, raw in device_keys.items():
        name = device.encode("utf-8")
        if len(name) > 255:
            return None
        parts += [bytes([len(name)]), name, raw]
    return b"".join(parts)


class Signatures:
    """Verdicts on changesets, worked out in order by a verifier process with the key of
    the device each names, from ``device_keys`` (``process`` False, or fewer than
    ``min_jobs`` changesets: no verdicts, the merge verifies everything itself)."""

    def __init__(self, items: Sequence[cs.SignedChangeset],
                 device_keys: Mapping[str, Ed25519PublicKey], process: bool = True,
                 min_jobs: int | None = None) -> None:
        self._where: dict[tuple[str, str], int] = {}
        self._device_keys = {device: _raw(key) for device, key in device_keys.items()}
        self._raw: dict[int, tuple[Ed25519PublicKey, bytes]] = {}
        self._read = bytearray()
        self._process: subprocess.Popen[bytes] | None = None
        self._writer: threading.Thread | None = None
        table = _table(self._device_keys)
        if (not process or table is None or not items
                or len(items) < (MIN_JOBS if min_jobs is None else min_jobs)):
            return
        records: list[bytes] = [table]
        for signed in items:
            record = _record(signed)
            if record is not None:
                self._where[(signed.id, signed.signature)] = len(records) - 1
                records.append(record)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "app.sync.verifier"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self._where.clear()
            return
        self._writer = threading.Thread(target=self._feed, args=(b"".join(records),),
                                        name="verifier-input", daemon=True)
        self._writer.start()

    def _feed(self, data: bytes) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(data)  # the GIL is free while the pipe is full
            self._process.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the verifier ended early (or was stopped): no verdicts from it

    def __enter__(self) -> Signatures:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the verifier (it may still have work, if the merge ended early)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            if self._writer is not None:
                self._writer.join()
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
            self._process = None
        self._where.clear()

    def verdict(self, signed: cs.SignedChangeset, device_id: str,
                key: Ed25519PublicKey) -> bool | None:
        """True if the signature holds with ``key``, the key the merge found for the
        device ``device_id`` the changeset names, False if not; None when there is no
        verdict for that changeset with that very key (verify it then)."""
        index = self._where.get((signed.id, signed.signature))
        if index is None or self._process is None:
            return None
        held = self._raw.get(id(key))
        if held is None or held[0] is not key:
            held = self._raw[id(key)] = (key, _raw(key))
        if self._device_keys.get(device_id) != held[1]:
            return None  # the verifier used another key, or none
        stdout = self._process.stdout
        assert stdout is not None
        while len(self._read) <= index:
            more = os.read(stdout.fileno(), 65536)
            if not more:  # the verifier ended without a verdict for it
                return None
            self._read += more
        answer = self._read[index]
        return None if answer == ord("?") else answer == ord("1")
