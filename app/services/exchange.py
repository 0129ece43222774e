"""Exchange with partner agencies: identity, partners, and bundles out and in."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, Text, and_, exists, select, type_coerce
from sqlalchemy.orm import Session

from app.core import tlp as tlp_levels
from app.core.errors import KnownError, NotFoundError, ValidationError
from app.core.releasability import Verdict, releasable
from app.models.atomic import write_atomic
from app.models.records import Agency, AuditEntry, Participant
from app.models.store import bulk_cache, defer_checkpoint
from app.models.sync_records import (
    BundleLog,
    ChangesetRecord,
    Delivery,
    Partner,
    RosterRecord,
    kinds_of,
)
from app.services.context import AppContext, find_agency
from app.services.operations import find_operation
from app.sync import bundle as bundles
from app.sync import changeset as cs
from app.sync import identity, sshsig
from app.sync.batch import cycle_collection_paused
from app.sync.bulk_insert import insert_rows
from app.sync.enrolment import EnrolmentError, Offer, Request
from app.sync.keys import current_roster, publish_roster, root_key, store_roster
from app.sync.merge import MergeCancelledError, Merger, MergeReport
from app.sync.recorder import knowledge
from app.sync.trust import (
    PartnerInfo,
    TrustError,
    add_partner,
    device_keys,
    key_lookup,
    partners,
    receive_roster,
)

# Delivery rows are written by the 100,000 with ``insert_rows``: the mapped bulk INSERT
# takes twice as long as Core's, and Core's builds a parameter dict per row.
_DELIVERIES = cast(Table, Delivery.__table__)
# The page cache of an import's transaction: a bundle of 100,000 changesets writes about
# 250 MB of rows and indexes in it (see bulk_cache).
BULK_CACHE_KIB = 256 * 1024


class BundleRefusedError(KnownError):
    """A bundle that was refused as a whole; the store is unchanged."""

    exit_code = 4


class BundleCancelledError(KnownError):
    """An import cancelled by the person; the store is unchanged."""


Cancel = Callable[[], bool]


@dataclass(frozen=True)
class IdentityInfo:
    agency_id: str
    name: str
    country: str
    root_fingerprint: str
    device_id: str
    roster_version: int


@dataclass
class PartnerShare:
    """What one export would give one partner, and what it would not, and why."""

    agency_id: str
    agency: str
    changesets: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)  # reason -> changesets


@dataclass
class ExportReport:
    file: Path
    bundle_id: str
    changesets: int
    shares: list[PartnerShare]


@dataclass
class BundleImportReport:
    bundle_id: str
    sender: str
    duplicate_bundle: bool
    merge: MergeReport
    rosters: dict[str, str]
    notes: list[str]


# ---- identity and partners ---------------------------------------------------------


def identity_info(ctx: AppContext) -> IdentityInfo:
    with ctx.session() as session:
        agency = session.get(Agency, ctx.agency_id)
        signed = current_roster(session, ctx.agency_id)
        assert agency is not None and signed is not None and ctx.identity is not None
        return IdentityInfo(agency.id, agency.name, agency.country,
                            identity.safety_number(signed.roster.root), ctx.identity.device_id,
                            signed.roster.version)


def export_identity(ctx: AppContext, target: Path) -> None:
    with ctx.session() as session:
        signed = current_roster(session, ctx.agency_id)
        assert signed is not None
        write_atomic(target, signed.to_bytes(), mode=0o644)


def add_partner_from_file(ctx: AppContext, path: Path, fingerprint: str) -> PartnerInfo:
    try:
        document = path.read_bytes()
    except OSError:
        raise KnownError(f"{path} cannot be read.") from None
    with ctx.session() as session:
        try:
            roster = add_partner(session, document, fingerprint, ctx.agency_id)
        except TrustError as error:
            raise KnownError(str(error)) from None
        ctx.audit(session, "partner added", agency=roster.name, agency_id=roster.agency_id)
        return next(p for p in partners(session) if p.agency_id == roster.agency_id)


@dataclass(frozen=True)
class RosterPreview:
    """Who a roster file says it is, before anyone trusts it."""

    agency_id: str
    name: str
    country: str
    root_fingerprint: str
    version: int


def read_roster_file(path: Path) -> RosterPreview:
    """The agency a roster file describes, self-signature checked, so that a person can
    compare its fingerprint with the partner out of band before adding it."""
    try:
        signed = identity.SignedRoster.from_bytes(path.read_bytes())
        roster = identity.verify_first(signed)
    except OSError:
        raise KnownError(f"{path} cannot be read.") from None
    except identity.RosterError as error:
        raise KnownError(f"The roster was refused: {error}.") from None
    return RosterPreview(roster.agency_id, roster.name, roster.country,
                         identity.safety_number(roster.root), roster.version)


def list_partners(ctx: AppContext) -> list[PartnerInfo]:
    with ctx.session() as session:
        return partners(session)


def _own_partner(session: Session, agency: Agency) -> Partner:
    """Our own agency as an addressee: bundles between two devices of the agency (HQ
    and a liaison's laptop) keep sequence and acknowledgements like any other."""
    partner = session.get(Partner, agency.id)
    if partner is None:
        partner = Partner(agency_id=agency.id, trust="trusted", tlp_ceiling="RED",
                          fingerprint=agency.root_fingerprint or "", next_sequence=1,
                          last_manifest_hash="", received_sequence=0, acked_sequence=0)
        session.add(partner)
        session.flush()
    return partner


def _partner(session: Session, agency_ref: str, own_agency_id: str = "") -> tuple[Agency,
                                                                                  Partner]:
    agency = find_agency(session, agency_ref)
    if agency is not None and agency.id == own_agency_id:
        return agency, _own_partner(session, agency)
    partner = session.get(Partner, agency.id) if agency else None
    if agency is None or partner is None:
        raise NotFoundError(f"{agency_ref!r} is not a partner of this agency; add it from its "
                            "roster file first.")
    return agency, partner


def set_tlp_ceiling(ctx: AppContext, agency_ref: str, level: str) -> None:
    try:
        ceiling = tlp_levels.normalise(level)
    except ValueError as error:
        raise ValidationError(str(error)[0].upper() + str(error)[1:] + ".") from None
    with ctx.session() as session:
        agency, partner = _partner(session, agency_ref)
        partner.tlp_ceiling = ceiling
        ctx.audit(session, "partner ceiling set", agency=agency.name, ceiling=ceiling)


def trust_partner(ctx: AppContext, agency_ref: str, fingerprint: str) -> None:
    """Trust a partner first seen through a relay, once its fingerprint is compared."""
    with ctx.session() as session:
        agency, partner = _partner(session, agency_ref)
        if not identity.same_fingerprint(fingerprint, partner.fingerprint):
            raise KnownError(f"The fingerprint does not match the root key of {agency.name}.")
        partner.trust = "trusted"


# ---- export ------------------------------------------------------------------------


def _participants(session: Session, op_id: str) -> set[str]:
    return set(session.scalars(select(Participant.agency_id).where(
        Participant.operation_id == op_id, Participant.deleted.is_(False))))


class HeldChangeset(NamedTuple):
    """A changeset held in the store, as an export reads it: plain values rather than a
    mapped row, since a bundle may carry hundreds of thousands."""

    id: str
    body: bytes
    signature: str
    agency_id: str
    operation_id: str | None
    tlp: str
    red_to: list[str]
    kinds: str | None = None  # as ChangesetRecord.kinds


def _unacked(session: Session, op_id: str, partner: Partner,
             own_agency_id: str) -> list[HeldChangeset]:
    """What the partner may lack. Another agency has what it wrote; another device of
    our own agency lacks what this one wrote until it acknowledges it."""
    # Null-safe, or a changeset written here (NULL) would make the whole test NULL.
    known = ChangesetRecord.received_from.is_not_distinct_from(partner.agency_id) | exists(
    ).where(and_(
        Delivery.agency_id == partner.agency_id, Delivery.changeset_id == ChangesetRecord.id,
        Delivery.bundle_sequence <= partner.acked_sequence))
    session.flush()  # then read as plain rows, without the ORM's loading
    # red_to read as its JSON text, decoded here only when it names anyone: the JSON
    # type would decode the "[]" of every changeset (a second of a large export).
    return [HeldChangeset(*row[:6], [] if row[6] == "[]" else _json_or_none(row[6]), row[7])
            for row in session.connection().execute(
        select(ChangesetRecord.id, ChangesetRecord.body, ChangesetRecord.signature,
               ChangesetRecord.agency_id, ChangesetRecord.operation_id, ChangesetRecord.tlp,
               type_coerce(ChangesetRecord.red_to, Text), ChangesetRecord.kinds).where(
            ChangesetRecord.status == "applied",
            (ChangesetRecord.operation_id == op_id) | ChangesetRecord.operation_id.is_(None),
            (ChangesetRecord.agency_id != partner.agency_id)
            | (ChangesetRecord.agency_id == own_agency_id), ~known)
        .order_by(ChangesetRecord.seq))]


def _json_or_none(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _kinds(row: HeldChangeset) -> list[str]:
    # Held on the row since migration 0008; read from the body on older rows.
    return (row.kinds if row.kinds is not None else kinds_of(row.body)).split()


def plan_export(ctx: AppContext, codename: str, to: list[str]) -> tuple[
        list[PartnerShare], list[HeldChangeset]]:
    """What a bundle to ``to`` would carry: only what every addressed partner may see."""
    with ctx.session() as session:
        return _plan(session, ctx, codename, to)


def _plan(session: Session, ctx: AppContext, codename: str, to: list[str]) -> tuple[
        list[PartnerShare], list[HeldChangeset]]:
    if not to:
        raise ValidationError("Name at least one partner to send the bundle to.")
    op = find_operation(session, codename)
    members = _participants(session, op.id)
    chosen = [_partner(session, ref, ctx.agency_id) for ref in to]
    for agency, partner in chosen:
        if partner.trust != "trusted":
            raise KnownError(f"{agency.name} is not trusted yet: compare its fingerprint first.")
    shares = [PartnerShare(a.id, a.name) for a, _ in chosen]
    allowed_sets: list[dict[str, HeldChangeset]] = []
    for (agency, partner), share in zip(chosen, shares, strict=True):
        allowed: dict[str, HeldChangeset] = {}
        # The verdict depends on these alone, and a bundle's changesets share a few.
        verdicts: dict[tuple[object, ...], Verdict] = {}
        for row in _unacked(session, op.id, partner, ctx.agency_id):
            asked = (row.tlp, row.agency_id, bool(row.operation_id),
                     None if row.red_to is None else tuple(row.red_to))
            verdict = verdicts.get(asked)
            if verdict is None:
                scope = members if row.operation_id else members | {agency.id}
                verdict = verdicts[asked] = releasable(row.tlp, row.agency_id, agency.id,
                                                       scope, partner.tlp_ceiling, row.red_to)
            if verdict.allowed:
                allowed[row.id] = row
            else:
                share.withheld[verdict.reason] = share.withheld.get(verdict.reason, 0) + 1
        allowed_sets.append(allowed)
    common = set.intersection(*(set(a) for a in allowed_sets))
    rows = [r for r in allowed_sets[0].values() if r.id in common]
    by_kind: dict[str, int] = {}  # the same rows go to every addressed partner
    for row in rows:
        for kind in _kinds(row):
            by_kind[kind] = by_kind.get(kind, 0) + 1
    for allowed, share in zip(allowed_sets, shares, strict=True):
        others = len(set(allowed) - common)
        if others:
            share.withheld["another addressed partner may not see it; send to this partner "
                           "alone"] = others
        share.changesets = len(rows)
        share.by_kind = dict(by_kind)
    return shares, rows


def export_bundle(ctx: AppContext, codename: str, to: list[str], target: Path,
                  progress: Callable[[int, int], None] | None = None) -> ExportReport:
    assert ctx.identity is not None
    with cycle_collection_paused(), ctx.session() as session:
        shares, rows = _plan(session, ctx, codename, to)
        op = find_operation(session, codename)
        recipients: list[str] = [ctx.identity.age_recipient]
        rosters: dict[str, bytes] = {}
        sequence: dict[str, int] = {}
        previous: dict[str, str] = {}
        acks: dict[str, int] = {}
        for share in shares:
            partner = session.get(Partner, share.agency_id)
            roster = current_roster(session, share.agency_id)
            assert partner is not None and roster is not None
            recipients += [d.age for d in roster.roster.devices]
            sequence[share.agency_id] = partner.next_sequence
            previous[share.agency_id] = partner.last_manifest_hash
            acks[share.agency_id] = partner.received_sequence
        for agency_id in {ctx.agency_id, *(r.agency_id for r in rows)}:
            held = current_roster(session, agency_id)
            if held is not None:
                rosters[agency_id] = held.to_bytes()
        manifest = bundles.new_manifest(ctx.agency_id, ctx.identity.device_id,
                                        [s.agency_id for s in shares], sequence, previous, acks,
                                        knowledge(session), op.id)
        signed = [cs.SignedChangeset(r.id, r.body, r.signature) for r in rows]
        if progress:
            progress(0, len(signed))
        bundles.write_bundle(target, manifest, signed, rosters, ctx.identity.sign_key,
                             recipients)
        manifest_hash = _sha256(manifest.to_bytes())
        now = datetime.now(UTC)
        for share in shares:
            partner = session.get(Partner, share.agency_id)
            assert partner is not None
            seq = partner.next_sequence
            # One INSERT, in the order of its indexes (ids are random).
            insert_rows(session, _DELIVERIES, [
                {"agency_id": share.agency_id, "changeset_id": changeset_id,
                 "bundle_sequence": seq} for changeset_id in sorted(r.id for r in rows)])
            partner.next_sequence = seq + 1
            partner.last_manifest_hash = manifest_hash
            partner.last_sent = now
            session.add(BundleLog(bundle_id=manifest.bundle_id, direction="sent",
                                  agency_id=share.agency_id, sequence=seq, result="written",
                                  detail={"changesets": len(rows), "file": str(target)}))
        ctx.audit(session, "bundle exported", bundle=manifest.bundle_id, operation=op.codename,
                  to=[s.agency for s in shares], changesets=len(rows))
        if progress:
            progress(len(signed), len(signed))
        return ExportReport(target, manifest.bundle_id, len(rows), shares)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- import ------------------------------------------------------------------------


def _received(session: Session, agency_id: str, ids: list[str]) -> set[str]:
    """Which of these changesets were received from the agency before."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(ChangesetRecord.id).where(
            ChangesetRecord.received_from == agency_id,
            ChangesetRecord.id.in_(ids[start:start + 500]))))
        found.update(session.scalars(select(Delivery.changeset_id).where(
            Delivery.agency_id == agency_id, Delivery.bundle_sequence == 0,
            Delivery.changeset_id.in_(ids[start:start + 500]))))
    return found


def _device_of(session: Session, key_blob: bytes) -> tuple[str, str] | None:
    """(agency id, device id) of a known device whose signing key this is."""
    for row in session.scalars(select(RosterRecord)):
        roster = identity.SignedRoster.from_bytes(row.document.encode()).roster
        for device in roster.devices:
            if sshsig.public_blob(identity.parse_public(device.sign)) == key_blob:
                return roster.agency_id, device.id
    return None


def import_bundle(ctx: AppContext, path: Path, limits: bundles.Limits = bundles.DEFAULT_LIMITS,
                  cancel: Cancel | None = None) -> BundleImportReport:
    """Verify a bundle as DESIGN.md says and apply it in one transaction; a refused bundle
    changes no operation data (its refusal is recorded in the audit log). ``cancel()`` is
    asked between steps and every thousand changesets merged: when it says so, the
    transaction is rolled back and BundleCancelledError raised (nothing changed)."""
    try:
        with cycle_collection_paused():
            return _import(ctx, path, limits, cancel or _never)
    except _CancelSignal:
        with ctx.store.session() as session:
            session.add(AuditEntry(actor=ctx.agency_name, action="bundle import cancelled",
                                   detail={"file": str(path)}))
        raise BundleCancelledError("The import was cancelled; nothing was changed.") from None
    except (bundles.BundleError, TrustError, cs.ChangesetError) as error:
        reason = str(error)
        with ctx.store.session() as session:
            session.add(AuditEntry(actor=ctx.agency_name, action="bundle refused",
                                   detail={"file": str(path), "reason": reason}))
        raise BundleRefusedError(f"The bundle was refused: {reason}.") from None


def _never() -> bool:
    return False


class _CancelSignal(Exception):  # noqa: N818 (a signal, not an error)
    """Leaves the import's transaction so that it is rolled back."""


def _check(cancel: Cancel) -> None:
    if cancel():
        raise _CancelSignal


def _import(ctx: AppContext, path: Path, limits: bundles.Limits,
            cancel: Cancel) -> BundleImportReport:
    assert ctx.identity is not None
    key, payload = bundles.outer_signer(path, limits)
    _check(cancel)
    with ctx.store.session() as session:
        signer = _device_of(session, sshsig.public_blob(key))
        if signer is None:
            raise bundles.BundleError("it is signed by a device of no known partner")
        agency_id, _device = signer
        partner = session.get(Partner, agency_id)
        if agency_id != ctx.agency_id and (partner is None or partner.trust != "trusted"):
            raise bundles.BundleError("it is signed by an agency that is not trusted")
    contents = bundles.open_payload(payload, key, ctx.identity.age_identity, ctx.agency_id,
                                    limits)
    _check(cancel)
    manifest = contents.manifest
    if manifest.sender_agency != agency_id:
        raise bundles.BundleError("its manifest names another sender than its signer")
    notes: list[str] = []
    with ctx.store.session() as session, bulk_cache(session, BULK_CACHE_KIB):
        defer_checkpoint(session)
        sender = session.get(Agency, agency_id)
        sender_name = sender.name if sender else agency_id
        seen = session.scalars(select(BundleLog).where(
            BundleLog.bundle_id == manifest.bundle_id, BundleLog.direction == "received",
            BundleLog.result == "applied")).first()
        if seen is not None:
            return BundleImportReport(manifest.bundle_id, sender_name, True, MergeReport(), {},
                                      ["this bundle was applied before; nothing to do"])
        rosters: dict[str, str] = {}
        for document in contents.rosters:
            signed = identity.SignedRoster.from_bytes(document)
            if signed.roster.agency_id == ctx.agency_id:
                held = current_roster(session, ctx.agency_id)
                if held is not None and signed.roster.version > held.roster.version:
                    identity.verify_update(held.roster, signed)  # our root signed it
                    store_roster(session, signed)
                    rosters[signed.roster.name] = "updated"
                continue
            rosters[signed.roster.name] = receive_roster(session, signed)
        merger = Merger(session, ctx.agency_id, ctx.clock, key_lookup(session, ctx.agency_id),
                        int(time.time() * 1000), received_from=agency_id)
        try:
            merger.apply_all(contents.changesets, cancel, device_keys(session))
        except MergeCancelledError:
            raise _CancelSignal from None
        merger.retry_pending()
        partner = session.get(Partner, agency_id)
        if partner is None and sender is not None and agency_id == ctx.agency_id:
            partner = _own_partner(session, sender)
        assert partner is not None
        seq = manifest.sequence.get(ctx.agency_id, 0)
        if seq > partner.received_sequence + 1:
            notes.append(f"bundles {partner.received_sequence + 1} to {seq - 1} from "
                         f"{sender_name} never arrived; nothing is lost, this one carries "
                         "what they held")
        elif seq and seq <= partner.received_sequence:
            notes.append(f"an older bundle ({seq}) from {sender_name}, applied again")
        partner.received_sequence = max(partner.received_sequence, seq)
        partner.acked_sequence = max(partner.acked_sequence,
                                     manifest.acks.get(ctx.agency_id, 0))
        partner.last_received = datetime.now(UTC)
        # A changeset new to this store remembers the sender on its own row; one held
        # before (from another partner, or written here) gets a delivery row instead.
        held_before = [c.id for c in contents.changesets if c.id not in merger.inserted]
        received = _received(session, agency_id, held_before)
        arrived = [{"agency_id": agency_id, "changeset_id": changeset_id, "bundle_sequence": 0}
                   for changeset_id in sorted(set(held_before)) if changeset_id not in received]
        insert_rows(session, _DELIVERIES, arrived)
        report = merger.report
        session.add(BundleLog(bundle_id=manifest.bundle_id, direction="received",
                              agency_id=agency_id, sequence=seq, result="applied",
                              detail={"applied": report.applied,
                                      "duplicates": report.duplicates,
                                      "refused": len(report.refused),
                                      "conflicts": report.conflicts}))
        session.add(AuditEntry(actor=ctx.agency_name, action="bundle imported",
                               detail={"bundle": manifest.bundle_id, "from": sender_name,
                                       "applied": report.applied}))
        _check(cancel)  # the last moment: after it, the commit
    ctx.store.checkpoint_soon()  # the log copied into the database while the report shows
    return BundleImportReport(manifest.bundle_id, sender_name, False, report, rosters, notes)


def republish_roster(ctx: AppContext) -> None:
    with ctx.session() as session:
        publish_roster(session)


# ---- a second device of this agency ------------------------------------------------


def enrolment_offer(ctx: AppContext, target: Path) -> None:
    """The file a liaison's laptop is set up from (see init --enrol)."""
    with ctx.session() as session:
        signed = current_roster(session, ctx.agency_id)
        assert signed is not None
        write_atomic(target, Offer(signed).to_bytes(), mode=0o600)


def enrolment_request(ctx: AppContext, target: Path) -> None:
    """Written by the new device: its keys, signed by itself, for the root to enrol."""
    from app.sync.enrolment import make_request

    assert ctx.identity is not None
    with ctx.session() as session:
        from app.models.store import read_setting

        name = read_setting(session, "device_name") or "device"
    request = make_request(ctx.agency_id, name, ctx.identity.sign_key,
                           ctx.identity.age_recipient, ctx.identity.device_id)
    write_atomic(target, request.to_bytes(), mode=0o644)


def enrol_device(ctx: AppContext, path: Path) -> identity.Device:
    """The root adds a device to the next roster version; it reaches the device and the
    partners with the next bundles."""
    try:
        request = Request.from_bytes(path.read_bytes())
    except OSError:
        raise KnownError(f"{path} cannot be read.") from None
    except EnrolmentError as error:
        raise KnownError(f"The enrolment request was refused: {error}.") from None
    if request.agency_id != ctx.agency_id:
        raise KnownError("The enrolment request is for another agency.")
    with ctx.session() as session:
        try:
            publish_roster(session, extra_devices=(request.device,))
        except LookupError:
            raise KnownError("Only the store that holds the agency's root key can enrol "
                             "a device.") from None
        ctx.audit(session, "device enrolled", device=request.device.name,
                  device_id=request.device.id)
    return request.device


def read_offer(path: Path) -> Offer:
    try:
        return Offer.from_bytes(path.read_bytes())
    except OSError:
        raise KnownError(f"{path} cannot be read.") from None
    except EnrolmentError as error:
        raise KnownError(f"The enrolment offer was refused: {error}.") from None


# ---- key rotation and revocation -------------------------------------------------------


def rotate_root(ctx: AppContext) -> str:
    """A new root key: the next roster is signed by the old root and the new one, so
    partners follow the rotation; returns the new fingerprint to announce."""
    from app.models.sync_records import LocalKey

    with ctx.session() as session:
        try:
            old = root_key(session)
        except LookupError:
            raise KnownError("Only the store that holds the agency's root key can rotate "
                             "it.") from None
        new = identity.new_signing_key()
        publish_roster(session, new_root=new)
        for row in session.scalars(select(LocalKey).where(LocalKey.kind == "root",
                                                          LocalKey.retired.is_(False))):
            row.retired = True
        session.add(LocalKey(kind="root", secret=identity.private_pem(new),
                             public=identity.public_text(new.public_key())))
        agency = session.get(Agency, ctx.agency_id)
        assert agency is not None
        agency.root_fingerprint = identity.safety_number(new.public_key())
        ctx.audit(session, "root key rotated", old=identity.safety_number(old.public_key()),
                  new=agency.root_fingerprint)
        return agency.root_fingerprint


def revoke_device(ctx: AppContext, device_ref: str) -> identity.Device:
    """Take a device (a lost laptop) out of the roster; its key is listed as revoked, and
    partners refuse what it signs from the next bundle on."""
    with ctx.session() as session:
        signed = current_roster(session, ctx.agency_id)
        assert signed is not None
        device = next((d for d in signed.roster.devices
                       if device_ref in (d.id, d.name)), None)
        if device is None:
            raise NotFoundError(f"No device {device_ref!r} in this agency's roster.")
        if ctx.identity is not None and device.id == ctx.identity.device_id:
            raise KnownError("This device cannot revoke itself.")
        try:
            publish_roster(session, revoked=(" ".join(device.sign.split()[:2]),))
        except LookupError:
            raise KnownError("Only the store that holds the agency's root key can revoke "
                             "a device.") from None
        ctx.audit(session, "device revoked", device=device.name, device_id=device.id)
        return device


def roster_devices(ctx: AppContext) -> list[identity.Device]:
    with ctx.session() as session:
        signed = current_roster(session, ctx.agency_id)
        return list(signed.roster.devices) if signed else []


@dataclass(frozen=True)
class BundleHistoryEntry:
    bundle_id: str
    direction: str
    agency: str
    sequence: int
    at: datetime
    result: str
    detail: dict[str, object]


def bundle_history(ctx: AppContext, limit: int = 200) -> list[BundleHistoryEntry]:
    with ctx.session() as session:
        names = {a: n for a, n in session.execute(select(Agency.id, Agency.name))}
        rows = session.scalars(select(BundleLog).order_by(BundleLog.at.desc()).limit(limit))
        return [BundleHistoryEntry(r.bundle_id, r.direction, names.get(r.agency_id, "?"),
                                   r.sequence, r.at, r.result, dict(r.detail)) for r in rows]


def pending_for(ctx: AppContext, codename: str, agency_ref: str) -> int:
    """How many changesets of the operation this partner may see and has not acknowledged."""
    shares, _rows = plan_export(ctx, codename, [agency_ref])
    return shares[0].changesets


def inspect_bundle(path: Path) -> dict[str, object]:
    """What can be known of a bundle file without any key or store: its size, and the
    device key whose outer signature holds over the encrypted payload."""
    try:
        return bundles.inspect_bundle(path)
    except bundles.BundleError as error:
        raise BundleRefusedError(f"The file is not a valid bundle: {error}.") from None
