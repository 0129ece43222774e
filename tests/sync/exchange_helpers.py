"""Two or more stores in one test process, and moving changesets between them."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from app.models.sync_records import ChangesetRecord
from app.services import exchange
from app.services.context import AppContext, init_store
from app.sync import changeset as cs
from app.sync.keys import current_roster
from app.sync.merge import Merger, MergeReport
from app.sync.trust import add_partner, key_lookup

PASSPHRASE = "correct horse battery staple"


def make_store(folder: Path, name: str, country: str) -> AppContext:
    ctx, _ = init_store(folder, PASSPHRASE, name, country)
    return ctx


def roster_bytes(ctx: AppContext) -> bytes:
    with ctx.store.session() as session:
        signed = current_roster(session, ctx.agency_id)
        assert signed is not None
        return signed.to_bytes()


def trust_each_other(*stores: AppContext) -> None:
    from app.sync.identity import SignedRoster, safety_number

    for a in stores:
        for b in stores:
            if a is b:
                continue
            document = roster_bytes(b)
            fingerprint = safety_number(SignedRoster.from_bytes(document).roster.root)
            with a.store.session() as session:
                add_partner(session, document, fingerprint, a.agency_id)


def changesets(ctx: AppContext) -> list[cs.SignedChangeset]:
    with ctx.store.session() as session:
        rows = session.scalars(select(ChangesetRecord).where(
            ChangesetRecord.status == "applied").order_by(ChangesetRecord.seq)).all()
        return [cs.SignedChangeset(r.id, r.body, r.signature) for r in rows]


def ship(source: AppContext, target: AppContext,
         only: list[cs.SignedChangeset] | None = None) -> MergeReport:
    items = changesets(source) if only is None else only
    with target.store.session() as session:
        merger = Merger(session, target.agency_id, target.clock,
                        key_lookup(session, target.agency_id), int(time.time() * 1000))
        for item in items:
            merger.apply(item)
        merger.retry_pending()
        return merger.report


def forge(author: AppContext, kind: str, record_id: str, values: dict[str, object],
          operation_id: str | None) -> cs.SignedChangeset:
    """A changeset signed by ``author``'s real device key that its own store would never
    write (the recorder refuses it): what a misbehaving partner could send."""
    assert author.identity is not None
    stamp = author.clock.tick().encode()
    draft = cs.Changeset(author.identity.device_id, author.agency_id, stamp, operation_id,
                         "AMBER", (), {}, (cs.Op(kind, record_id, dict(values)),))
    return cs.sign(draft, author.identity.sign_key)


def partner_from_file(a: AppContext, b: AppContext, tmp: Path) -> None:
    """``a`` adds ``b`` as a partner from b's exported roster file, with the right
    fingerprint (as a person does after comparing it)."""
    path = tmp / f"{b.agency_id}.roster"
    exchange.export_identity(b, path)
    exchange.add_partner_from_file(a, path, exchange.identity_info(b).root_fingerprint)


def kenya_and_angola(tmp: Path) -> tuple[AppContext, AppContext]:
    """Two stores, "Kenya DCI" (KE) and "Angola SIC" (AO), each the other's partner from
    its roster file."""
    ke = make_store(tmp / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp / "ao", "Angola SIC", "AO")
    partner_from_file(ke, ao, tmp)
    partner_from_file(ao, ke, tmp)
    return ke, ao
