"""The rows of a transfer file read and checked in batches, here or in a checker process.

Checking a row (CSV parsing, the address checksums, the exact amount, the time) is about
a third of an import's work, and pure Python on plain strings. For a large file it runs
in a second process (``python -m app.services.transfer_checking``, a fresh interpreter as
app/sync/verifier.py is: the GUI is a Qt process, which is not forked), which reads the
file itself and sends back batches while this process dedupes, records and writes. Small
files are checked here: a process takes a while to start.

Both ways give the same batches, made by ``checked_batches``: a good row as a tuple of
plain values (``Good``), with its duplicate key, its new id and, when the import is
recorded, its changeset op already in canonical JSON (``encode_op``); a refused row as
(line, reason). After the first refused row no good rows are sent: nothing will be
written.

The checker process reads its setup (``CheckSetup``, marshalled) from stdin and writes
frames to stdout: a length (4 bytes, big-endian) then a marshalled tuple, ``("rows",
done_bytes, rows_read, goods, refused)``, ``("file", message)`` when the file cannot be
read further (a CsvFileError), or ``("end",)``.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from json.encoder import encode_basestring
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from app.core.csv_rows import CsvFileError, RowError
from app.core.tracing import plain
from app.core.transfer_rows import RecordReader, TransferChecker, TransferRow, open_records
from app.sync import canonical

try:
    import fcntl
except ImportError:  # not on Windows: the pipe keeps its default size there
    fcntl = None  # type: ignore[assignment]

KIND = "transfer"
BATCH_ROWS = 1000
# Smaller files are checked in the importing process (about 12,000 rows of 170 bytes).
PROCESS_MIN_BYTES = 2 * 1024 * 1024
PIPE_BYTES = 1 << 20  # a batch or so in the pipe, so the checker seldom waits to write
QUEUED_BATCHES = 16
WAIT_SECONDS = 10  # for a checker whose output has ended to exit

# A good row: (duplicate key, id, tx_hash, chain, from, to, asset, amount as plain text,
# time in ISO 8601 as datetime.isoformat writes it, the op in canonical JSON or None).
Good = tuple[bytes, str, str, str, str, str, str, str, str, bytes | None]
Refused = tuple[int, str]


@dataclass(frozen=True)
class CheckSetup:
    """What checking a file needs: the file, the mapping, the chain of every row (or
    None), and for the ops, the values every imported transfer shares (``encode``: make
    the ops at all; False when the import is not recorded)."""

    path: str
    mapping: dict[str, str]
    chain: str | None
    owner_agency_id: str | None
    operation_id: str
    tlp: str
    encode: bool
    batch_rows: int = BATCH_ROWS


@dataclass(frozen=True)
class Batch:
    done_bytes: int
    rows_read: int
    goods: list[Good]
    refused: list[Refused]


def duplicate_key(chain: str, tx_hash: str, source: str, dest: str, asset: str,
                  amount: str) -> bytes:
    """What makes two transfers the same one: chain, hash (in any case), addresses,
    asset and amount (as plain text)."""
    text = "\x1f".join((chain, tx_hash.lower(), source, dest, asset, amount))
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def op_values(setup: CheckSetup, row: TransferRow, amount: str,
              moment: str) -> dict[str, Any]:
    """The values the recorder records for a new transfer (every column but the id and
    the stamps; ``deleted`` its default)."""
    return {"tlp": setup.tlp, "deleted": False, "owner_agency_id": setup.owner_agency_id,
            "operation_id": setup.operation_id, "tx_hash": row.tx_hash, "chain": row.chain,
            "from_address": row.from_address, "to_address": row.to_address,
            "asset": row.asset, "amount": amount, "time": moment}


def encode_op(record_id: str, values: dict[str, Any]) -> bytes:
    """A changeset op in canonical JSON, as the changeset's body holds it."""
    return canonical.dumps({"id": record_id, "kind": KIND, "set": values})


class OpEncoder:
    """``encode_op`` for the ops of one import, written straight into a template: the
    keys in their canonical order, the shared values encoded once, each string by the
    encoder ``canonical`` uses for them (json's, which escapes what RFC 8785 escapes).
    ``canonical`` walks every value first to see whether it may use that encoder, a
    third of the cost of checking a row. A string that cannot be UTF-8 (a lone
    surrogate, from a JSON escape) goes to ``encode_op``, which refuses it as before.
    ``checked_batches`` compares the template with ``encode_op`` on the first good row of
    every batch and keeps to ``encode_op`` should they ever differ."""

    def __init__(self, setup: CheckSetup) -> None:
        self.setup = setup
        self._shared = {key: canonical.dumps(value).decode() for key, value in
                        (("owner", setup.owner_agency_id), ("operation", setup.operation_id),
                         ("tlp", setup.tlp))}
        self.exact = True

    def __call__(self, record_id: str, row: TransferRow, amount: str, moment: str) -> bytes:
        if self.exact:
            q = encode_basestring
            shared = self._shared
            text = (f'{{"id":{q(record_id)},"kind":"{KIND}","set":{{"amount":{q(amount)},'
                    f'"asset":{q(row.asset)},"chain":{q(row.chain)},"deleted":false,'
                    f'"from_address":{q(row.from_address)},'
                    f'"operation_id":{shared["operation"]},'
                    f'"owner_agency_id":{shared["owner"]},"time":{q(moment)},'
                    f'"tlp":{shared["tlp"]},"to_address":{q(row.to_address)},'
                    f'"tx_hash":{q(row.tx_hash)}}}}}')
            try:
                return text.encode()
            except UnicodeEncodeError:
                pass
        return encode_op(record_id, op_values(self.setup, row, amount, moment))

    def check(self, record_id: str, row: TransferRow, amount: str, moment: str) -> bytes:
        """The op, by ``encode_op``; the template kept only if it writes the same."""
        op = encode_op(record_id, op_values(self.setup, row, amount, moment))
        if self.exact and self(record_id, row, amount, moment) != op:
            self.exact = False
        return op


class TimeOrderedIds:
    """UUIDs of version 7 (RFC 9562): the time in milliseconds, then 74 random bits.

    The ids of a large import then grow with time, and each INSERT adds to the end of
    the primary key's B-tree instead of a random page of it: with a million transfers
    that index outgrows the page cache, and random ids cost a page read, decryption and
    write for nearly every row. The random bits come from os.urandom, as uuid4's do, read
    for many ids at once."""

    _RANDOM = (1 << 80) - 1 & ~(0xF << 76) & ~(0x3 << 62)  # less version and variant
    _VERSION = 0x7 << 76 | 0x2 << 62  # version 7, variant 10
    _BATCH = 4096

    def __init__(self) -> None:
        self._random = b""
        self._at = 0

    def __call__(self) -> str:
        if self._at >= len(self._random):
            self._random, self._at = os.urandom(10 * self._BATCH), 0
        bits = int.from_bytes(self._random[self._at:self._at + 10])
        self._at += 10
        value = (time.time_ns() // 1_000_000) << 80 | bits & self._RANDOM | self._VERSION
        text = f"{value:032x}"  # as str(uuid.UUID(int=value)) writes it
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def checked_batches(setup: CheckSetup, reader: RecordReader,
                    checker: TransferChecker) -> Iterator[Batch]:
    """The file's rows checked, ``setup.batch_rows`` at a time. Raises CsvFileError when
    the file cannot be read further."""
    new_id = TimeOrderedIds()
    encode = OpEncoder(setup)
    size = setup.batch_rows
    goods: list[Good] = []
    refused: list[Refused] = []
    count = 0
    writing = True  # until a row is refused
    for line, raw in reader.rows():
        count += 1
        row = checker.check(line, raw)
        if isinstance(row, RowError):
            refused.append((row.line, row.reason))
            writing = False
            goods.clear()
        elif writing:
            amount = plain(row.amount)
            moment = row.time.isoformat()
            record_id = new_id()
            op: bytes | None = None
            if setup.encode:
                op = (encode(record_id, row, amount, moment) if goods
                      else encode.check(record_id, row, amount, moment))
            goods.append((duplicate_key(row.chain, row.tx_hash, row.from_address,
                                        row.to_address, row.asset, amount),
                          record_id, row.tx_hash, row.chain, row.from_address,
                          row.to_address, row.asset, amount, moment, op))
        if count >= size:
            yield Batch(reader.done_bytes, count, goods, refused)
            goods, refused, count = [], [], 0
    if count:
        yield Batch(reader.done_bytes, count, goods, refused)


class CheckerProcess:
    """A checker process for one file: ``batches()`` gives what it sends, in order;
    ``close()`` stops it, finished or not. A thread moves the batches from the pipe to a
    bounded queue, so the checker goes on while this process writes to the store."""

    def __init__(self, setup: CheckSetup) -> None:
        # Its traceback, should it fail: a file, since a pipe left unread could fill.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._stop = threading.Event()
        self._queue: queue.Queue[bytes | None] = queue.Queue(QUEUED_BATCHES)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.services.transfer_checking"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors)
        except OSError:
            self._errors.close()
            raise
        assert self.process.stdin is not None and self.process.stdout is not None
        if fcntl is not None:
            with contextlib.suppress(OSError, AttributeError):  # Linux only; a hint
                fcntl.fcntl(self.process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        try:
            self.process.stdin.write(marshal.dumps(astuple(setup)))
            self.process.stdin.close()
        except OSError:
            pass  # it ended at once: batches() reports why
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,),
                                        name="transfer-checker-output", daemon=True)
        self._reader.start()

    def _read(self, stdout: BinaryIO) -> None:
        try:
            while not self._stop.is_set():
                head = stdout.read(4)
                if len(head) < 4:
                    break
                frame = stdout.read(int.from_bytes(head))
                while not self._stop.is_set():
                    try:
                        self._queue.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except (OSError, ValueError):
            pass  # closed: stopped
        finally:
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)

    def batches(self) -> Iterator[Batch]:
        while True:
            frame = self._queue.get()
            if frame is None:
                raise RuntimeError(f"The transfer checker process stopped early: "
                                   f"{self._why()}")
            message = marshal.loads(frame)
            if message[0] == "rows":
                yield Batch(*message[1:])
            elif message[0] == "file":
                raise CsvFileError(message[1])
            else:
                return

    def _why(self) -> str:
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:  # its output closed, yet it runs on
            self.process.kill()
            self.process.wait()
        self._errors.seek(0)
        lines = self._errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.process.returncode}"

    def close(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        while True:  # let the thread leave a full queue
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._reader.join()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._errors.close()

    def __enter__(self) -> CheckerProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _send(sink: BinaryIO, message: tuple[Any, ...]) -> None:
    data = marshal.dumps(message)
    sink.write(len(data).to_bytes(4) + data)
    sink.flush()


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """The checker process: the setup from ``source``, the batches to ``sink``."""
    setup = CheckSetup(*marshal.loads(source.read()))
    try:
        reader = open_records(Path(setup.path))
        try:
            checker = TransferChecker(setup.mapping, chain=setup.chain,
                                      json_numbers=reader.kind == "json")
            for batch in checked_batches(setup, reader, checker):
                _send(sink, ("rows", batch.done_bytes, batch.rows_read, batch.goods,
                             batch.refused))
        finally:
            reader.close()
    except CsvFileError as error:
        _send(sink, ("file", str(error)))
        return
    _send(sink, ("end",))


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):  # the importer stopped reading
        serve(sys.stdin.buffer, sys.stdout.buffer)
