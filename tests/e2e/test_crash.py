"""A process killed with SIGKILL in the middle of a burst of writes: the store opens
afterwards with every change it reported committed, and none half-applied."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_run import ROOT

from app.services.context import AppContext, open_store
from app.services.operations import create_operation
from app.services.targets import target_rows

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py
KILL_AFTER = 150

# One transaction per loop: a target and its action, then the count on stdout.
WRITER = """
import sys
from pathlib import Path
from app.services.context import open_store
from app.services.targets import action_values, add_record_in, target_values

folder, passphrase, op_id = sys.argv[1:4]
ctx = open_store(Path(folder), passphrase=passphrase)
n = 0
while True:
    with ctx.session() as session:
        target_id = add_record_in(session, ctx, "target", op_id,
                                  target_values("person", f"Burst {n:06d}"))
        add_record_in(session, ctx, "action", op_id,
                      action_values("arrest", target_id, None, ctx.agency_id))
    n += 1
    print(n, flush=True)
"""


def read_counts_until(proc: subprocess.Popen[bytes], wanted: int, seconds: float) -> int:
    """The last count the child printed once it reaches ``wanted`` (or fails)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + seconds
    buffer = b""
    last = 0
    while last < wanted:
        left = deadline - time.monotonic()
        assert left > 0, "the writer took too long"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        assert chunk, f"the writer stopped: {proc.stderr.read() if proc.stderr else b''!r}"
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        if lines:
            last = int(lines[-1])
    return last


def test_sigkill_during_a_burst_of_writes_loses_nothing_committed(ctx: AppContext,
                                                                  store_dir: Path) -> None:
    op_id, _ = create_operation(ctx, "BURST")
    ctx.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store_dir), PASSPHRASE, op_id],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=0)
    try:
        reported = read_counts_until(proc, KILL_AFTER, seconds=120)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.stdout is not None
    tail = proc.stdout.read().split()  # counts printed before the kill landed
    reported = max([reported, *(int(n) for n in tail)])
    assert proc.returncode == -signal.SIGKILL
    assert (store_dir / "jointops.db-wal").exists()  # killed with writes not checkpointed

    reopened = open_store(store_dir, passphrase=PASSPHRASE)
    try:
        rows = target_rows(reopened, op_id)
    finally:
        reopened.close()
    # Every reported commit is there; at most one more committed before its count printed.
    assert reported <= len(rows) <= reported + 1
    assert [r.name for r in rows] == [f"Burst {n:06d}" for n in range(len(rows))]
    assert all(r.actions == 1 for r in rows)  # no target without the action of its commit
