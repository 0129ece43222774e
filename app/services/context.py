"""The unlocked store and who is using it: the object every service takes first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.countries import country
from app.core.errors import UnlockError, ValidationError
from app.core.hlc import HybridClock, Stamp
from app.models.records import Agency, AuditEntry
from app.models.reference import load_reference
from app.models.store import Store, read_setting, write_setting
from app.services.changes import stamp_write
from app.sync.enrolment import Offer
from app.sync.keys import LocalIdentity, ensure_identity, store_roster
from app.sync.recorder import RECORDER, Recorder


@dataclass
class AppContext:
    store: Store
    agency_id: str
    agency_name: str
    clock: HybridClock
    identity: LocalIdentity | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction. Every write to shared records in it is sealed into signed
        changesets before it commits; the clock's last stamp is saved with it."""
        with self.store.session() as session:
            recorder = Recorder(session, self.identity, self.clock) if self.identity else None
            before = self.clock.last
            yield session
            if recorder is not None:
                recorder.seal()
            # Only a transaction that wrote moves the clock; a read must not write, or it
            # would contend with a write on another thread.
            if self.clock.last != before:
                write_setting(session, "hlc_last", self.clock.last.encode())

    def audit(self, session: Session, action: str, **detail: object) -> None:
        session.add(AuditEntry(actor=self.agency_name, action=action, detail=detail))

    def close(self) -> None:
        self.store.close()


def init_store(folder: Path, passphrase: str, agency_name: str, country_code: str,
               remember: bool = False, contact: str = "",
               offer: Offer | None = None) -> tuple[AppContext, str]:
    """Create the store for this agency; returns the context and the recovery key.

    With an enrolment ``offer`` the store is a further device of an existing agency: the
    agency comes from the offer's roster, and no root key is made here.
    """
    if offer is not None:
        roster = offer.roster.roster
        agency_name, country_code, contact = roster.name, roster.country, roster.contact_24_7
    name = agency_name.strip()
    if not name:
        raise ValidationError("The agency needs a name.")
    found = country(country_code)
    if found is None:
        raise ValidationError(f"Unknown country code {country_code.strip()!r}; use the "
                              "two-letter ISO 3166 code, such as KE or FR.")
    store, recovery = Store.create(folder, passphrase, remember=remember)
    try:
        clock = HybridClock()
        with store.session() as session:
            load_reference(session)
            agency = Agency(name=name, country=found.code, contact_24_7=contact, tlp="GREEN")
            if offer is not None:
                # The agency's record is HQ's to publish; unstamped here, so the first
                # bundle from HQ sets it, field by field.
                agency.id = offer.roster.roster.agency_id
                agency.stamps, agency.updated = {}, ""
            else:
                stamp_write(agency, {"name": name, "country": found.code,
                                     "contact_24_7": contact}, clock)
            session.add(agency)
            session.flush()
            agency.owner_agency_id = agency.id
            write_setting(session, "agency_id", agency.id)
            write_setting(session, "hlc_last", clock.last.encode())
            session.add(AuditEntry(actor=name, action="store created",
                                   detail={"country": found.code,
                                           "enrolled": offer is not None}))
            if offer is not None:
                store_roster(session, offer.roster)
            me = ensure_identity(session, make_root=offer is None)
        ctx = AppContext(store, agency.id, name, clock, me)
        if offer is None:
            with ctx.session() as session:
                # Our agency record travels as a changeset like any other shared record.
                recorded = session.get(Agency, agency.id)
                assert recorded is not None
                recorded.tlp = "CLEAR"
                session.info[RECORDER].publish_whole(recorded)
    except BaseException:
        store.close()
        # A store without its agency could be neither opened nor made again: leave none.
        db = store.paths.db
        for path in (db, store.paths.key, db.with_name(db.name + "-wal"),
                     db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)
        raise
    return ctx, recovery


def context_for(store: Store) -> AppContext:
    with store.session() as session:
        agency_id = read_setting(session, "agency_id")
        last = read_setting(session, "hlc_last")
        agency = session.get(Agency, agency_id) if agency_id else None
        if agency is None:
            raise UnlockError("This store has no agency set up; it may be damaged.")
        name = agency.name
        me = ensure_identity(session)  # stores made before identities get them now
    clock = HybridClock(Stamp.decode(last) if last else None)
    return AppContext(store, agency.id, name, clock, me)


def open_store(folder: Path, passphrase: str | None = None, recovery_key: str | None = None,
               use_keyring: bool = False) -> AppContext:
    store = Store.open(folder, passphrase=passphrase, recovery_key=recovery_key,
                       use_keyring=use_keyring)
    try:
        return context_for(store)
    except BaseException:
        store.close()
        raise


def local_agency(session: Session, ctx: AppContext) -> Agency:
    agency = session.get(Agency, ctx.agency_id)
    assert agency is not None
    return agency


def find_agency(session: Session, name_or_id: str) -> Agency | None:
    text = name_or_id.strip()
    agency = session.get(Agency, text)
    if agency is not None:
        return agency
    return session.scalars(select(Agency).where(Agency.name == text,
                                                Agency.deleted.is_(False))).first()
