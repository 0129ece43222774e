"""Changeset signatures checked ahead, in other processes, while the merge goes on.

An Ed25519 verification costs about 70 to 120 microseconds here, 7 to 12 s for a bundle
of 100,000 changesets: about as long as the rest of the import. Verifier processes
(app/sync/verifier.py, fresh interpreters, one per core beside this one's) check the
bundle's changesets, dealt to them in blocks, while this process parses and merges.
Threads were tried first: ``cryptography`` releases the GIL while it verifies, but a
thread must take the GIL back after each signature, and with the merge busy in Python it
waits the interpreter's switch interval (5 ms) each time, so verification and merge ran
one after the other.

When a verdict has not come yet, this process does not wait idle: it checks changesets
itself from the last one back (where the verifiers get last), as the verifier would, until
the verdict comes or it reaches the changeset the merge is at.

Nothing is trusted sooner: the merge asks for a changeset's verdict at the point where it
checked the signature itself, and waits for it. A verdict is only used for the key the
merge looked up at that point; for any other key, for a bundle too small to be worth a
process, or if a verifier fails, the merge verifies as before.
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import IO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.sync import changeset as cs
from app.sync.verifier import _device_of, _verdict

MIN_JOBS = 2000  # fewer are verified by the merge itself: a process takes a while to start
BLOCK = 1000  # changesets dealt to one verifier process at a time
NOT_YET = -1  # no verdict from the process yet


def process_count() -> int:
    """One verifier process per core the merge leaves free (at least one): the merge no
    longer waits idle for a verdict (it checks changesets itself meanwhile), and a
    verifier more than the free cores only takes the merge's core from it. With two
    cores, one verifier against two: 14.1 s against 14.8 s for 100,000 changesets."""
    return max(1, min(4, (os.cpu_count() or 1) - 1))


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


def _ready(stream: IO[bytes]) -> bool:
    """Whether reading ``stream`` would not block (True where that cannot be asked)."""
    try:
        return bool(select.select([stream], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class _Verifier:
    """One verifier process: its input written by a thread, its verdicts read on demand."""

    def __init__(self, data: bytes) -> None:
        self.read = bytearray()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.sync.verifier"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.writer = threading.Thread(target=self._feed, args=(data,),
                                       name="verifier-input", daemon=True)
        self.writer.start()

    def _feed(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)  # the GIL is free while the pipe is full
            self.process.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the verifier ended early (or was stopped): no verdicts from it

    def answer(self, index: int, wait: bool = True) -> int | None:
        """Its byte for its ``index``-th record, waiting for it (``wait`` False: only if
        it has come, else NOT_YET); None if it ended first."""
        stdout = self.process.stdout
        assert stdout is not None
        while len(self.read) <= index:
            if not wait and not _ready(stdout):
                return NOT_YET
            more = os.read(stdout.fileno(), 65536)
            if not more:
                return None
            self.read += more
        return self.read[index]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        self.writer.join()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class Signatures:
    """Verdicts on changesets, worked out in order by verifier processes with the key of
    the device each names, from ``device_keys`` (``process`` False, or fewer than
    ``min_jobs`` changesets: no verdicts, the merge verifies everything itself). The
    changesets are dealt to the processes in blocks of ``BLOCK``, in turn."""

    def __init__(self, items: Sequence[cs.SignedChangeset],
                 device_keys: Mapping[str, Ed25519PublicKey], process: bool = True,
                 min_jobs: int | None = None, processes: int | None = None) -> None:
        # (changeset id, signature) -> (which verifier, its record's place there)
        self._where: dict[tuple[str, str], tuple[int, int]] = {}
        self._device_keys = {device: _raw(key) for device, key in device_keys.items()}
        # Verdicts this process reached itself, from the last changeset back, while the
        # merge would otherwise wait (see ``verdict``): (id, signature) -> b"1" | b"0" | b"?"
        self._items = list(items)
        self._back = len(self._items)
        self._own: dict[tuple[str, str], bytes] = {}
        self._position = {(signed.id, signed.signature): place
                          for place, signed in enumerate(self._items)}
        self._keys = {device: (raw, device_keys[device])
                      for device, raw in self._device_keys.items()}
        self._raw: dict[int, tuple[Ed25519PublicKey, bytes]] = {}
        self._verifiers: list[_Verifier] = []
        table = _table(self._device_keys)
        if (not process or table is None or not items
                or len(items) < (MIN_JOBS if min_jobs is None else min_jobs)):
            return
        count = processes if processes is not None else process_count()
        streams: list[list[bytes]] = [[table] for _ in range(count)]
        for signed in items:
            record = _record(signed)
            if record is not None:
                stream = len(self._where) // BLOCK % count
                self._where[(signed.id, signed.signature)] = (stream,
                                                             len(streams[stream]) - 1)
                streams[stream].append(record)
        try:
            for records in streams:
                self._verifiers.append(_Verifier(b"".join(records)))
        except OSError:
            self.close()

    def __enter__(self) -> Signatures:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the verifiers (they may still have work, if the merge ended early)."""
        for verifier in self._verifiers:
            verifier.close()
        self._verifiers.clear()
        self._where.clear()

    def verdict(self, signed: cs.SignedChangeset, device_id: str,
                key: Ed25519PublicKey) -> bool | None:
        """True if the signature holds with ``key``, the key the merge found for the
        device ``device_id`` the changeset names, False if not; None when there is no
        verdict for that changeset with that very key (verify it then)."""
        found = (signed.id, signed.signature)
        where = self._where.get(found)
        if where is None or not self._verifiers:
            return None
        held = self._raw.get(id(key))
        if held is None or held[0] is not key:
            held = self._raw[id(key)] = (key, _raw(key))
        if self._device_keys.get(device_id) != held[1]:
            return None  # the verifier used another key, or none
        verifier = self._verifiers[where[0]]
        answer = self._answer_for(found, verifier, where[1])
        if answer is None or answer == ord("?"):
            return None
        return answer == ord("1")

    def _answer_for(self, found: tuple[str, str], verifier: _Verifier,
                    index: int) -> int | None:
        """The verdict's byte: the verifier's if it has come; else, rather than wait
        idle, this process checks changesets from the last one back (the verifiers get
        there last) until it has come or this one is reached."""
        own = self._own.get(found)
        if own is not None:
            return own[0]
        while True:
            answer = verifier.answer(index, wait=False)
            if answer != NOT_YET:
                return answer
            if not self._steal(found):
                return verifier.answer(index)

    def _steal(self, needed: tuple[str, str]) -> bool:
        """Check the last changeset not checked here yet, if it comes after the one
        ``needed`` (those before it the merge has passed); False when none is left."""
        limit = self._position[needed]
        while self._back - 1 > limit:
            self._back -= 1
            signed = self._items[self._back]
            where = (signed.id, signed.signature)
            if where not in self._where or where in self._own:
                continue  # not dealt to a verifier (the merge checks it), or done
            key = self._keys.get(_device_of(signed.body) or "")
            self._own[where] = b"?" if key is None else _verdict(
                key, signed.signature.encode("ascii"), signed.body)
            return True
        return False
