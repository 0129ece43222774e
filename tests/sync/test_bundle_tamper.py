"""Tampering inside a bundle that still carries a valid outer signature: what a trusted
but misbehaving sender (or a stolen device key) could make. Each is refused, or for a
single forged changeset refused alone, and the store keeps its operation data."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import func, select

from app.models.records import Target
from app.services import exchange, operations, targets
from app.services.context import AppContext
from app.sync import sshsig
from app.sync.bundle import INNER_NAMESPACE, OUTER_NAMESPACE, PAYLOAD, PAYLOAD_SIG
from tests.sync.exchange_helpers import forge, kenya_and_angola


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    ke, ao = kenya_and_angola(tmp_path)
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    targets.add_record(ke, "target", op, targets.target_values("person", "Shared", "KE"))
    yield ke, ao
    ke.close()
    ao.close()


def _members(tar_bytes: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        result = {}
        for info in tar:
            handle = tar.extractfile(info)
            assert handle is not None
            result[info.name] = handle.read()
        return result


def _pack(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def rewrite(path: Path, sender: AppContext, receiver: AppContext,
            change: Callable[[dict[str, bytes]], None]) -> None:
    """Open the bundle as its receiver can, change the inner members, and seal it again
    with the sender's real device key, so only the inner checks can catch it."""
    assert sender.identity is not None and receiver.identity is not None
    outer = _members(path.read_bytes())
    plain = pyrage.decrypt(outer[PAYLOAD],
                           [pyrage.x25519.Identity.from_str(receiver.identity.age_identity)])
    inner = _members(plain)
    change(inner)
    payload = pyrage.encrypt(_pack(inner), [pyrage.x25519.Recipient.from_str(
        receiver.identity.age_recipient)])
    key = sender.identity.sign_key
    path.write_bytes(_pack({PAYLOAD: payload,
                            PAYLOAD_SIG: sshsig.sign(key, OUTER_NAMESPACE, payload).encode()}))


def count(ctx: AppContext) -> int:
    with ctx.store.session() as session:
        return int(session.scalar(select(func.count(Target.id))) or 0)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


@pytest.mark.parametrize(("what", "reason"), [
    ("manifest", "manifest signature"),
    ("changeset line", "does not match its manifest hash"),
    ("roster", "does not match its manifest hash"),
])
def test_flipped_byte_inside_is_refused(pair: tuple[AppContext, AppContext], tmp_path: Path,
                                        what: str, reason: str) -> None:
    ke, ao = pair
    path = tmp_path / "b.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)

    def change(inner: dict[str, bytes]) -> None:
        name = {"manifest": "manifest.json", "changeset line": "changesets.jsonl"}.get(
            what) or next(n for n in inner if n.startswith("rosters/"))
        inner[name] = flip(inner[name], len(inner[name]) // 2)

    rewrite(path, ke, ao, change)
    before = count(ao)
    with pytest.raises(exchange.BundleRefusedError, match=reason):
        exchange.import_bundle(ao, path)
    assert count(ao) == before


def test_manifest_signed_by_another_key_is_refused(pair: tuple[AppContext, AppContext],
                                                   tmp_path: Path) -> None:
    ke, ao = pair
    path = tmp_path / "b.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    assert ao.identity is not None
    other = ao.identity.sign_key

    def change(inner: dict[str, bytes]) -> None:
        inner["manifest.sig"] = sshsig.sign(other, INNER_NAMESPACE,
                                            inner["manifest.json"]).encode()

    rewrite(path, ke, ao, change)
    with pytest.raises(exchange.BundleRefusedError, match="another key"):
        exchange.import_bundle(ao, path)


def test_forged_changeset_alone_is_refused_and_the_rest_applied(
        pair: tuple[AppContext, AppContext], tmp_path: Path) -> None:
    ke, ao = pair
    op = operations.overview(ke, "TIDE").summary.id
    path = tmp_path / "a.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    exchange.import_bundle(ao, path)
    with ke.store.session() as session:
        shared = session.scalars(select(Target).where(Target.name == "Shared")).one()
    # AO's device signs an edit of KE's target, and a note of its own; the bundle is
    # otherwise well made.
    targets.add_record(ao, "target", op, targets.target_values("person", "AO own", "AO"))
    forged = forge(ao, "target", shared.id, {"name": "hijacked"}, op)
    back = tmp_path / "back.jopb"
    exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], back)

    def change(inner: dict[str, bytes]) -> None:
        import hashlib
        import json

        inner["changesets.jsonl"] += (forged.line() + "\n").encode()
        manifest = json.loads(inner["manifest.json"])
        data = inner["changesets.jsonl"]
        manifest["members"]["changesets.jsonl"] = {
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        inner["manifest.json"] = json.dumps(manifest, sort_keys=True, indent=1).encode()
        assert ao.identity is not None
        inner["manifest.sig"] = sshsig.sign(ao.identity.sign_key, INNER_NAMESPACE,
                                            inner["manifest.json"]).encode()

    rewrite(back, ao, ke, change)
    report = exchange.import_bundle(ke, back)
    assert len(report.merge.refused) == 1 and "authority" in report.merge.refused[0][1]
    with ke.store.session() as session:
        names = set(session.scalars(select(Target.name)))
    assert names == {"Shared", "AO own"}


def test_a_changeset_listed_twice_is_applied_once(pair: tuple[AppContext, AppContext],
                                                  tmp_path: Path) -> None:
    ke, ao = pair
    path = tmp_path / "b.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)

    def change(inner: dict[str, bytes]) -> None:
        import hashlib
        import json

        first = inner["changesets.jsonl"].splitlines(keepends=True)[0]
        inner["changesets.jsonl"] += first
        manifest = json.loads(inner["manifest.json"])
        data = inner["changesets.jsonl"]
        manifest["members"]["changesets.jsonl"] = {
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        inner["manifest.json"] = json.dumps(manifest, sort_keys=True, indent=1).encode()
        assert ke.identity is not None
        inner["manifest.sig"] = sshsig.sign(ke.identity.sign_key, INNER_NAMESPACE,
                                            inner["manifest.json"]).encode()

    rewrite(path, ke, ao, change)
    report = exchange.import_bundle(ao, path)
    assert report.merge.refused == [] and count(ao) == 1
