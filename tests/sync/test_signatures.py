"""Signatures checked ahead in worker processes give the verdicts the merge would reach
itself, and the merge trusts nothing sooner for it."""

from __future__ import annotations

import base64
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.models.records import Target
from app.models.sync_records import ChangesetRecord
from app.services import operations, targets
from app.services.context import AppContext
from app.sync import changeset as cs
from app.sync import signatures
from app.sync.merge import Merger
from app.sync.signatures import Signatures
from app.sync.trust import device_keys, key_lookup
from tests.sync.exchange_helpers import changesets


def _signed(key: Ed25519PrivateKey, n: int) -> cs.SignedChangeset:
    draft = cs.Changeset("device", "agency", f"{n:016d}", None, "AMBER", (), {},
                         (cs.Op("target", f"id-{n}", {"name": f"T {n}"}),))
    return cs.sign(draft, key)


def _forged(signed: cs.SignedChangeset) -> cs.SignedChangeset:
    """The same changeset with a signature that does not hold over it."""
    raw = bytearray(base64.b64decode(signed.signature))
    raw[0] ^= 1
    return cs.SignedChangeset(signed.id, signed.body, base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize(("process", "processes", "behind"), [
    (False, 1, False), (True, 1, False), (True, 2, False), (True, 2, True)])
def test_verdicts_match_verifying_one_by_one(process: bool, processes: int, behind: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signatures, "BLOCK", 7)  # the changesets dealt to both in turn
    if behind:  # verdicts never seem to have come: this process checks from the back
        monkeypatch.setattr(signatures, "_ready", lambda _stream: False)
    key = Ed25519PrivateKey.generate()
    other = Ed25519PrivateKey.generate().public_key()
    good = [_signed(key, n) for n in range(40)]
    bad = [_forged(s) for s in good[::5]]
    public = key.public_key()
    unknown = cs.sign(cs.Changeset("stranger", "agency", "0", None, "AMBER", (), {}, ()), key)
    with Signatures([*good, *bad, unknown], {"device": public}, process=process,
                    min_jobs=0, processes=processes) as ahead:
        expected = [True] * 40 + [False] * 8 if process else [None] * 48
        assert [ahead.verdict(s, "device", public) for s in good + bad] == expected
        if behind:  # all but the first were checked here, from the last one back
            assert len(ahead._own) == 48 and ahead._back == 1
        # A verdict holds only for the key it was reached with, only for a changeset
        # given, and only for a device the verifier knew.
        assert ahead.verdict(good[0], "device", other) is None
        assert ahead.verdict(_signed(key, 99), "device", public) is None
        assert ahead.verdict(unknown, "stranger", public) is None


@pytest.fixture
def pair(trusting_pair: tuple[AppContext, AppContext]) -> tuple[AppContext, AppContext]:
    return trusting_pair


def test_a_forged_signature_in_a_bundle_is_refused_and_the_rest_applied(
        pair: tuple[AppContext, AppContext], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signatures, "MIN_JOBS", 0)  # the verifier process, for a few
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    made = [targets.add_record(ke, "target", op, targets.target_values("person", f"T{n}",
                                                                       "KE"))[0]
            for n in range(6)]
    items = changesets(ke)
    forged = next(i for i, s in enumerate(items) if b'"target"' in s.body)
    victim = items[forged]
    # The forged copy comes first; the genuine one, listed after it, is a duplicate of a
    # refused changeset and so is not applied either (as one by one).
    items = [*items[:forged], _forged(victim), *items[forged:]]
    with ao.store.session() as session:
        merger = Merger(session, ao.agency_id, ao.clock, key_lookup(session, ao.agency_id),
                        int(time.time() * 1000))
        merger.apply_all(items, device_keys=device_keys(session))
        report = merger.report
    assert report.refused == [(victim.id, cs.BAD_SIGNATURE)]
    assert report.duplicates == 1
    assert report.applied == len(items) - 2
    with ao.store.session() as session:
        held = set(session.scalars(select(Target.id)))
        status = session.get(ChangesetRecord, victim.id)
        assert status is not None and status.status == "refused"
    assert held == set(made) - {_target_of(victim)}


def _target_of(signed: cs.SignedChangeset) -> str:
    return next(op.id for op in signed.changeset().ops if op.kind == "target")


def test_the_verifier_reads_the_device_and_agrees_with_verify_signature() -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from app.sync import verifier

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    table = (public.public_bytes(Encoding.Raw, PublicFormat.Raw), public)
    good = _signed(key, 1)
    assert good.body.startswith(b'{"agency":"agency","device":"device"')
    assert verifier._device_of(good.body) == "device"
    assert verifier._device_of(b'{"device": "spaced", "agency": "a"}') == "spaced"
    assert verifier._device_of(b'{"agency":"a"}') is None
    assert verifier._device_of(b"not json") is None
    short = base64.b64encode(base64.b64decode(good.signature)[:63]).decode()
    cases = [good, _forged(good), cs.SignedChangeset(good.id, good.body, "not base64!"),
             cs.SignedChangeset(good.id, good.body, short),
             cs.SignedChangeset(good.id, good.body + b" ", good.signature)]
    for signed in cases:
        try:
            cs.verify_signature(signed, public)
            expected = b"1"
        except cs.ChangesetError:
            expected = b"0"
        assert verifier._verdict(table, signed.signature.encode(), signed.body) == expected
    assert [verifier._verdict(table, s.signature.encode(), s.body) for s in cases] == [
        b"1", b"0", b"0", b"0", b"0"]
