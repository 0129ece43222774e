"""The demo operation, and the generator that makes operations at scale for benchmarks.

The demo is fictional, modelled on the public reports of INTERPOL's Operation
Serengeti 2025: raids on illegal crypto-mining sites and investment-fraud rings in
Angola, Zambia and Kenya, with partner agencies elsewhere. Every person, company,
address, contact and wallet in it is invented; the cities and their coordinates are
real, so that zones, search hours and maps behave as they would. Wallet addresses are
made from hashes of invented seeds: well-formed, with valid checksums, and no one's.

Both ``create_demo`` and ``generate`` build through ``_Builder``: the agencies and the
operation as ORM records, everything else through the import's bulk inserter.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.addresses import base58check_encode, eip55_checksum, encode_segwit
from app.core.errors import KnownError, ValidationError
from app.models.base import reference_id
from app.models.money_records import AddressLabel, FreezeEvent
from app.models.outcome_records import AssetRecord, Victim
from app.models.records import (
    Action,
    Agency,
    FreezeRequest,
    Operation,
    Participant,
    Site,
    Target,
    Transfer,
    Wallet,
)
from app.services.changes import Change, stamp_write
from app.services.context import AppContext, local_agency
from app.services.csv_import import BulkInserter

DEMO_CODENAME = "SERENGETI SUN"
DEMO_LEAD_DAYS = 10


def demo_h_hour(today: date | None = None) -> datetime:
    """Ten days from today at 05:00 UTC, so the demo is a plan still to carry out, inside
    the planner's default range: 08:00 in Nairobi, 06:00 in Luanda, 07:00 in Lusaka,
    Johannesburg and Amsterdam, after sunrise where searches must be by day."""
    day = (today or datetime.now(UTC).date()) + timedelta(days=DEMO_LEAD_DAYS)
    return datetime.combine(day, time(5, 0), tzinfo=UTC)



CRIME_TYPES = ["illegal crypto-mining", "investment fraud", "money laundering"]
FICTIONAL = "Fictional (JointOps demo data)."


@dataclass(frozen=True)
class AgencySpec:
    country: str
    name: str
    zone: str
    contact: str
    role: str  # lead | participant | observer
    ceiling: str  # the highest TLP it is sent


# Invented agencies; the phone numbers are unassigned placeholders and the mail domains
# are under .example, which never resolves.
AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec("KE", "Nairobi Cyber Fraud Task Force", "Africa/Nairobi",
               "24/7 desk +254 700 000 101, duty@ke-cyber.example", "lead", "RED"),
    AgencySpec("AO", "Angola Digital Crime Brigade", "Africa/Luanda",
               "24/7 desk +244 900 000 102, piquete@ao-crime.example", "participant", "AMBER"),
    AgencySpec("ZM", "Zambia Financial Crimes Taskforce", "Africa/Lusaka",
               "24/7 desk +260 900 000 103, duty@zm-fincrime.example", "participant", "AMBER"),
    AgencySpec("ZA", "Gauteng Cyber Response Unit", "Africa/Johannesburg",
               "24/7 desk +27 600 000 104, standby@za-cyber.example", "participant", "AMBER"),
    AgencySpec("NL", "Dutch Hosting Takedown Team", "Europe/Amsterdam",
               "24/7 desk +31 600 000 105, piket@nl-takedown.example", "participant", "AMBER"),
    AgencySpec("GB", "UK Crypto Tracing Liaison", "Europe/London",
               "24/7 desk +44 7700 900105, duty@uk-tracing.example", "observer", "GREEN"),
    AgencySpec("FR", "French Cyber Liaison Office", "Europe/Paris",
               "24/7 desk +33 6 00 00 01 07, permanence@fr-cyber.example", "observer",
               "GREEN"),
)

# Real cities, for real zones and coordinates: (name, lat, lon) per country.
CITIES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "KE": (("Nairobi", -1.2921, 36.8219), ("Mombasa", -4.0435, 39.6682),
           ("Kisumu", -0.0917, 34.7680)),
    "AO": (("Luanda", -8.8390, 13.2894), ("Benguela", -12.5763, 13.4055),
           ("Lubango", -14.9170, 13.4925)),
    "ZM": (("Lusaka", -15.3875, 28.3228), ("Kitwe", -12.8024, 28.2132),
           ("Ndola", -12.9587, 28.6366)),
    "ZA": (("Johannesburg", -26.2041, 28.0473), ("Pretoria", -25.7479, 28.2293)),
    "NL": (("Amsterdam", 52.3676, 4.9041), ("Rotterdam", 51.9244, 4.4777)),
}
ZONES = {"KE": "Africa/Nairobi", "AO": "Africa/Luanda", "ZM": "Africa/Lusaka",
         "ZA": "Africa/Johannesburg", "NL": "Europe/Amsterdam"}


# ---- wallet addresses from invented seeds ----------------------------------------------


def _digest(seed: str) -> bytes:
    return hashlib.sha256(f"jointops-demo:{seed}".encode()).digest()


def bitcoin_address(seed: str) -> str:
    return encode_segwit("bc", 0, _digest(seed)[:20])


def tron_address(seed: str) -> str:
    return base58check_encode(b"\x41" + _digest(seed)[:20])


def ethereum_address(seed: str) -> str:
    return eip55_checksum("0x" + _digest(seed).hex()[:40])


def tx_hash(seed: str) -> str:
    return _digest("tx:" + seed).hex()


# ---- building ----------------------------------------------------------------------------


class _Builder:
    """One new operation with its agencies and participants. Every record is owned by this
    store's agency, which plans the operation; actions are assigned to the agency of their
    country, which may report on them."""

    def __init__(self, session: Session, ctx: AppContext, codename: str,
                 description: str, h_hour: datetime) -> None:
        name = codename.strip()
        if not name:
            raise ValidationError("The operation needs a codename.")
        exists = session.scalars(select(Operation.id).where(Operation.codename == name)).first()
        if exists is not None:
            raise KnownError(f"An operation named {name!r} already exists; the demo is made "
                             "once per codename.")
        self.session = session
        self.ctx = ctx
        self.change = Change()
        self.by_country = self._agencies()
        lead = self.by_country["KE"]
        op = Operation(owner_agency_id=ctx.agency_id)
        stamp_write(op, {"codename": name, "lead_agency_id": lead, "status": "planning",
                         "h_hour": h_hour, "description": description,
                         "crime_types": list(CRIME_TYPES), "tlp": "AMBER"}, ctx.clock)
        session.add(op)
        session.flush()
        op.operation_id = op.id
        self.op_id = op.id
        self.h_hour = h_hour
        self.change.add("created", "operation", op.id)
        self._participants(lead)
        self.bulk = BulkInserter(session, ctx, op.id)

    def _agencies(self) -> dict[str, str]:
        """The demo's agency per country: this store's own agency plays its country's
        part; the others are found by name or created, each owning its own record."""
        me = local_agency(self.session, self.ctx)
        found: dict[str, str] = {}
        for spec in AGENCIES:
            if spec.country == me.country:
                found[spec.country] = me.id
                continue
            agency = self.session.scalars(select(Agency).where(
                Agency.name == spec.name, Agency.deleted.is_(False))).first()
            if agency is None:
                agency = Agency()
                stamp_write(agency, {"name": spec.name, "country": spec.country,
                                     "zone": spec.zone, "contact_24_7": spec.contact,
                                     "tlp": "GREEN"}, self.ctx.clock)
                # What this store knows of a partner it has no roster of: its own record,
                # as a CSV import would make it (a roster replaces it when one arrives).
                agency.owner_agency_id = self.ctx.agency_id
                self.session.add(agency)
                self.session.flush()
                self.change.add("created", "agency", agency.id)
            found[spec.country] = agency.id
        return found

    def _participants(self, lead: str) -> None:
        roles = [(self.by_country[s.country], s.role, s.ceiling) for s in AGENCIES]
        if self.ctx.agency_id not in self.by_country.values():
            roles.append((self.ctx.agency_id, "participant", "AMBER"))
        for agency_id, role, ceiling in roles:
            part = Participant(owner_agency_id=self.ctx.agency_id, operation_id=self.op_id)
            stamp_write(part, {"agency_id": agency_id, "role": role, "tlp_ceiling": ceiling,
                               "tlp": "GREEN"}, self.ctx.clock)
            self.session.add(part)
            self.session.flush()
            self.change.add("created", "participant", part.id)

    def target(self, kind: str, name: str, country: str, tlp: str = "AMBER",
               **extra: Any) -> str:
        values = {"kind": kind, "name": name, "country": country, "tlp": tlp,
                  "notes": FICTIONAL, **extra}
        return self.bulk.add(Target, values)

    def site(self, name: str, country: str, lat: float, lon: float, address: str,
             tlp: str = "AMBER", status: str = "planned") -> str:
        return self.bulk.add(Site, {
            "name": name, "country": country, "zone": ZONES[country], "lat": lat, "lon": lon,
            "address": address, "jurisdiction_id": reference_id("jurisdiction", country),
            "tlp": tlp, "status": status})

    def action(self, kind: str, target_id: str, site_id: str | None, country: str,
               offset_min: int, tlp: str = "AMBER", status: str = "planned") -> str:
        agency = self.by_country[country]
        return self.bulk.add(Action, {
            "kind": kind, "target_id": target_id, "site_id": site_id, "agency_id": agency,
            "offset_min": offset_min, "tlp": tlp, "status": status})

    def wallet(self, chain: str, address: str, label: str, target_id: str | None,
               category: str = "suspect") -> str:
        return self.bulk.add(Wallet, {"chain": chain, "address": address, "label": label,
                                      "category": category, "target_id": target_id,
                                      "tlp": "AMBER"})

    def transfer(self, chain: str, source: str, dest: str, asset: str, amount: str,
                 time: datetime) -> str:
        return self.bulk.add(Transfer, {
            "tx_hash": tx_hash(f"{source}>{dest}@{time.isoformat()}"), "chain": chain,
            "from_address": source, "to_address": dest, "asset": asset, "amount": amount,
            "time": time, "tlp": "AMBER"})

    def finish(self) -> Change:
        self.bulk.flush()
        return self.change.merge(self.bulk.change)


# ---- the demo operation -------------------------------------------------------------------

DESCRIPTION = (
    "Fictional demonstration operation modelled on the public reports of INTERPOL's "
    "Operation Serengeti 2025: simultaneous raids on illegal crypto-mining sites and "
    "investment-fraud rings in Angola, Zambia and Kenya, with partner agencies taking down "
    "servers abroad and tracing the proceeds. Every person, company, address, contact and "
    "wallet is invented; only the cities are real.")


def create_demo(ctx: AppContext, codename: str = DEMO_CODENAME) -> tuple[str, Change]:
    """Add the demo operation; KnownError if an operation of that codename exists."""
    with ctx.session() as session:
        h_hour = demo_h_hour()
        b = _Builder(session, ctx, codename, DESCRIPTION, h_hour)
        _demo_records(b)
        change = b.finish()
        change.merge(_demo_trace(session, b))
        ctx.audit(session, "demo created", codename=codename.strip())
        return b.op_id, change


def _demo_records(b: _Builder) -> None:
    fake = " (fictional address)"
    # Kenya: an investment-fraud ring sold as a forex club, run from a call centre.
    kilimani = b.site("Kilimani apartment 7C", "KE", -1.2906, 36.7840,
                      "Apartment 7C, 14 Imaginary Close, Kilimani, Nairobi" + fake)
    westlands = b.site("Westlands call centre", "KE", -1.2676, 36.8108,
                       "Floor 3, Placeholder Towers, Westlands, Nairobi" + fake)
    nyali = b.site("Nyali villa", "KE", -4.0330, 39.7100,
                   "Plot 0, Example Drive, Nyali, Mombasa" + fake)
    ringleader = b.target("person", "Brian Otieno Kamau", "KE", "RED",
                          aliases=["Kip", "The Broker"], nationality=["KE"], grading="B2",
                          location="Nairobi")
    manager = b.target("person", "Grace Achieng Mutua", "KE", nationality=["KE"],
                       grading="C3", location="Nairobi")
    forex = b.target("organisation", "Rift Valley Forex Club", "KE",
                     location="Nairobi and online")
    centre = b.target("premises", "Westlands call centre", "KE")
    b.action("arrest", ringleader, kilimani, "KE", 0, "RED")
    b.action("search", ringleader, kilimani, "KE", 15, "RED")
    b.action("search", ringleader, nyali, "KE", 30)
    b.action("arrest", manager, westlands, "KE", 0)
    b.action("search", centre, westlands, "KE", 0)
    vehicles = b.action("seizure", centre, westlands, "KE", 45)
    b.action("search", forex, westlands, "KE", 10)

    # Angola: illegal mining centres drawing power off the grid.
    viana = b.site("Viana warehouse", "AO", -8.9035, 13.3740,
                   "Armazém 0, Rua Fictícia, Viana, Luanda" + fake)
    cacuaco = b.site("Cacuaco compound", "AO", -8.7770, 13.3690,
                     "Lote 00, Estrada Imaginária, Cacuaco, Luanda" + fake)
    benguela = b.site("Benguela container yard", "AO", -12.5800, 13.4000,
                      "Parque 0, Avenida Exemplo, Benguela" + fake)
    miner = b.target("person", "Mateus Kiala Sebastião", "AO", nationality=["AO"],
                     grading="B3", location="Luanda")
    fixer = b.target("person", "Tomás Ndala Fortunato", "AO", nationality=["AO"],
                     grading="C2", location="Benguela")
    hashco = b.target("organisation", "Kwanza Hashpower Lda", "AO")
    rig_seizures = []
    for site, premises_name, offset in ((viana, "Viana mining warehouse", 0),
                                        (cacuaco, "Cacuaco mining compound", 0),
                                        (benguela, "Benguela container rigs", 20)):
        premises = b.target("premises", premises_name, "AO")
        b.action("search", premises, site, "AO", offset)
        rig_seizures.append(b.action("seizure", premises, site, "AO", offset + 60))
    b.action("arrest", miner, viana, "AO", 0)
    b.action("arrest", fixer, benguela, "AO", 20)
    b.action("search", hashco, cacuaco, "AO", 5)

    # Zambia: a fake investment platform and its recruiters.
    office = b.site("Cairo Road office", "ZM", -15.4167, 28.2833,
                    "Suite 0, Sample House, Cairo Road, Lusaka" + fake)
    kitwe = b.site("Kitwe safe house", "ZM", -12.8100, 28.2200,
                   "House 00, Notreal Street, Parklands, Kitwe" + fake)
    # Phase one, already carried out (see _demo_outcomes): the shed, the servers, and two
    # arrests made early because the suspects were about to travel.
    shed = b.site("Kafue Road mining shed", "ZM", -15.4900, 28.2600,
                  "Plot 000, Kafue Road, Lusaka" + fake, status="shut down")
    director = b.target("person", "Chanda Mwape Zulu", "ZM", "RED", nationality=["ZM"],
                        grading="B2", location="Lusaka")
    recruiter = b.target("person", "Natasha Bwalya Phiri", "ZM", nationality=["ZM"],
                         grading="C3", location="Kitwe")
    platform = b.target("organisation", "Savanna Yield Capital Ltd", "ZM",
                        location="Lusaka and online")
    rigs = b.target("premises", "Kafue Road mining shed", "ZM")
    b.action("arrest", director, office, "ZM", 0, "RED")
    b.action("search", platform, office, "ZM", 0)
    cash = b.action("seizure", platform, office, "ZM", 30)
    b.action("arrest", recruiter, kitwe, "ZM", 10, status="done")
    b.action("search", recruiter, kitwe, "ZM", 25, status="done")
    b.action("search", rigs, shed, "ZM", 0, status="done")
    b.action("seizure", rigs, shed, "ZM", 60, status="done")

    # Partners abroad: a money-mule coordinator and the platforms' servers.
    sandton = b.site("Sandton flat", "ZA", -26.1076, 28.0567,
                     "Unit 0, Example Court, Sandton, Johannesburg" + fake)
    rack = b.site("Johannesburg data centre rack", "ZA", -26.1450, 28.0410,
                  "Rack 00, Placeholder Data Park, Johannesburg" + fake, status="shut down")
    amsterdam = b.site("Amsterdam hosting hall", "NL", 52.3390, 4.9170,
                       "Hal 0, Voorbeeldweg 0, Amsterdam" + fake, status="shut down")
    mule = b.target("person", "Sipho Mthembu-Adams", "ZA", nationality=["ZA"],
                    grading="C3", location="Johannesburg")
    app_server = b.target("server", "riftforex app back end", "ZA")
    portal = b.target("server", "savannayield portal", "NL")
    b.action("arrest", mule, sandton, "ZA", 15, status="done")
    b.action("search", mule, sandton, "ZA", 20, status="done")
    b.action("takedown", app_server, rack, "ZA", 5, status="done")
    b.action("takedown", portal, amsterdam, "NL", 5, status="done")

    # The money: victims pay USDT into a collection wallet, it is swept and cashed out.
    collection = tron_address("collection")
    sweep = tron_address("sweep")
    payout = bitcoin_address("payout")
    treasury = ethereum_address("treasury")
    wallet_targets = [
        ("tron", collection, "USDT collection wallet", "ZM"),
        ("tron", sweep, "USDT sweep wallet", "KE"),
        ("bitcoin", payout, "BTC payout wallet", "KE"),
        ("ethereum", treasury, "ETH treasury wallet", "AO"),
    ]
    wallets = {}
    for chain, address, label, country in wallet_targets:
        owner_target = b.target("wallet", label, country, location=f"{chain}: {address}")
        wallets[address] = b.wallet(chain, address, label, owner_target)
        b.action("seizure", owner_target, None, country, 0)
        # Labelled too, so that a trace's graph marks the suspects' wallets.
        _label(b, chain, address, "suspect", label, country)
    start = b.h_hour - timedelta(days=40)
    for i in range(6):
        victim = tron_address(f"victim-{i}")
        b.wallet("tron", victim, f"Victim deposit {i + 1}", None, "victim")
        _label(b, "tron", victim, "victim", f"Victim deposit {i + 1}", "")
        b.transfer("tron", victim, collection, "USDT", f"{(i + 2) * 1250}.00",
                   start + timedelta(days=i * 3, hours=i))
    b.transfer("tron", collection, sweep, "USDT", "31500.00", start + timedelta(days=20))
    b.transfer("bitcoin", bitcoin_address("otc-desk"), payout, "BTC", "0.41250000",
               start + timedelta(days=21))
    b.transfer("ethereum", treasury, ethereum_address("mixer-in"), "ETH", "7.5",
               start + timedelta(days=25))
    _demo_outcomes(b, start, [wallets[sweep], wallets[payout], wallets[treasury]],
                   vehicles, rig_seizures[0], cash)


def _label(b: _Builder, chain: str, address: str, category: str, name: str,
           country: str) -> None:
    b.bulk.add(AddressLabel, {"chain": chain, "address": address, "category": category,
                              "name": name, "source": "complaints and case file (fictional)",
                              "country": country, "contact": "", "tlp": "AMBER"})


def _demo_trace(session: Session, b: _Builder) -> Change:
    """The victims' money traced forward and the trace saved, in the demo's transaction,
    as the basis of what the Outcomes tab counts as traced."""
    from app.core.tracing import trace
    from app.models.money_records import TraceRecord
    from app.services.labels import trace_labels
    from app.services.money import TransferLoader, endpoint_document, totals_document

    seeds = [("tron", tron_address(f"victim-{i}")) for i in range(6)]
    result = trace(seeds, "fifo", "forward", trace_labels(session, b.op_id),
                   TransferLoader(session, b.op_id))
    record = TraceRecord(owner_agency_id=b.ctx.agency_id, operation_id=b.op_id)
    stamp_write(record, {
        "direction": result.direction, "method": result.method,
        "seeds": [list(s) for s in result.seeds], "hops": result.limits.hops,
        "min_amount": "0", "window_start": None, "window_end": None,
        "statement": result.statement, "totals": totals_document(result),
        "endpoints": [endpoint_document(e) for e in result.endpoints],
        "made_at": b.h_hour - timedelta(days=19), "tlp": "AMBER"}, b.ctx.clock)
    session.add(record)
    session.flush()
    change = Change()
    change.add("created", "trace_record", record.id)
    return change


def _freeze(b: _Builder, wallet_id: str | None, addressee: str, country: str, asset: str,
            amount: str, frozen: str, sent: datetime, hours: int) -> str:
    """A freeze request sent at ``sent`` and frozen ``hours`` later, with its history."""
    status = "frozen" if frozen == amount else "partly frozen"
    frozen_at = sent + timedelta(hours=hours)
    request = b.bulk.add(FreezeRequest, {
        "wallet_id": wallet_id, "addressee": addressee, "asset": asset, "amount": amount,
        "frozen_amount": frozen, "legal_basis": "Preservation order (fictional)",
        "urgency": "urgent", "status": status, "drafted_at": sent - timedelta(hours=2),
        "sent_at": sent, "acknowledged_at": None, "frozen_at": frozen_at,
        "released_at": None, "tlp": "AMBER"})
    for step, at, amount_then, detail in (
            ("drafted", sent - timedelta(hours=2), "", {"country": country, "asset": asset}),
            ("sent", sent, "", {}), (status, frozen_at, frozen, {})):
        b.bulk.add(FreezeEvent, {"freeze_request_id": request, "status": step, "at": at,
                                 "frozen_amount": amount_then, "note": "", "detail": detail,
                                 "tlp": "AMBER"})
    return request


def _demo_outcomes(b: _Builder, start: datetime, wallets: list[str], vehicles: str,
                   rigs: str, cash: str) -> None:
    """What phase one achieved, so the Outcomes tab has something to show: freezes (4, 9
    and 30 hours after the request), seizures, a recovery returned to victims, and six
    victims by complaint reference (no names), half of them repaid. Values in USD."""
    sweep, payout, treasury = wallets
    sent = start + timedelta(days=22)
    usdt = _freeze(b, sweep, "Financial intelligence unit of Kenya (KE)", "KE", "USDT",
                   "31500", "31500", sent, 4)
    btc = _freeze(b, payout, "OTC desk compliance team (fictional)", "ZA", "BTC", "0.4125",
                  "0.3", sent + timedelta(days=1), 30)
    _freeze(b, treasury, "Financial intelligence unit of Angola (AO)", "AO", "ETH", "7.5",
            "7.5", sent + timedelta(days=2), 9)
    day = (start + timedelta(days=26)).date()
    for stage, asset, amount, value, country, source_kind, source, on in (
            ("frozen", "USDT", "31500", "31500", "KE", "freeze_request", usdt, day),
            ("frozen", "BTC", "0.3", "27450", "ZA", "freeze_request", btc, day),
            ("seized", "vehicles", "2", "38000", "KE", "action", vehicles, day),
            ("seized", "mining rigs", "120", "96000", "AO", "action", rigs, day),
            ("seized", "cash ZMW", "250000", "9400", "ZM", "action", cash, day),
            ("recovered", "USDT", "31500", "31500", "KE", "freeze_request", usdt,
             day + timedelta(days=2)),
            ("returned", "USDT", "10250", "10250", "KE", "", None, day + timedelta(days=3))):
        b.bulk.add(AssetRecord, {
            "stage": stage, "asset": asset, "amount": amount, "value": value,
            "currency": "USD", "country": country, "on": on.isoformat(),
            "source_kind": source_kind, "source_id": source, "note": FICTIONAL,
            "tlp": "AMBER"})
    repaid = ("2500", "3750", "4000", "0", "0", "0")
    for i, country in enumerate(("KE", "KE", "ZM", "ZM", "AO", "ZA")):
        back = repaid[i]
        b.bulk.add(Victim, {
            "reference": f"{country}-COMPLAINT-2026-{101 + i:04d}", "country": country,
            "loss": f"{(i + 2) * 1250}", "currency": "USD", "repaid": back,
            "identified_on": (start + timedelta(days=i * 3 + 5)).date().isoformat(),
            "repaid_on": (day + timedelta(days=3)).isoformat() if back != "0" else "",
            "tlp": "AMBER"})


# ---- operations at scale ------------------------------------------------------------------

_GIVEN = ("Amani", "Baraka", "Chipo", "Dalia", "Eshe", "Faraji", "Gift", "Hawa", "Imani",
          "Jabari", "Kalinda", "Lerato", "Mosi", "Nia", "Obi", "Pendo", "Rudo", "Sefu",
          "Tendai", "Zuri")
_FAMILY = ("Achebe-Nil", "Banda-Test", "Chola-Demo", "Dube-Sample", "Ekwueme-Fict",
           "Fumo-Mock", "Gatete-Nul", "Hamisi-Zero", "Ilunga-Void", "Juma-Null")
_KIND_ACTIONS = {"person": ("arrest", "search"), "organisation": ("search", "seizure"),
                 "premises": ("search", "seizure"), "server": ("takedown",),
                 "wallet": ("seizure",)}
_KINDS = ("person", "person", "organisation", "premises", "premises", "server", "wallet")


def generate(ctx: AppContext, codename: str, targets: int = 10_000, actions: int = 20_000,
             seed: int = 0, outcomes: bool = False) -> tuple[str, Change]:
    """An operation of ``targets`` targets and ``actions`` actions (and a site for every
    target that has a place), with the demo's agencies; the same seed gives the same names,
    places and offsets. For benchmarks and tests of scale. With ``outcomes``, some of it
    is done (arrests, sites shut down) and it has freezes, assets and victims at scale."""
    done = random.Random(seed + 1)  # its own draws: the plan is the same either way
    if targets < 1 or actions < 0:
        raise ValidationError("Generate at least one target and no negative number of "
                              "actions.")
    rnd = random.Random(seed)
    countries = list(CITIES)
    description = (f"Generated for benchmarks: {targets} targets, {actions} actions "
                   f"(seed {seed}). All names are invented.")
    with ctx.session() as session:
        b = _Builder(session, ctx, codename, description, demo_h_hour())
        made: list[tuple[str, str, str | None, str]] = []  # target id, kind, site id, country
        for i in range(targets):
            country = countries[i % len(countries)]
            kind = _KINDS[rnd.randrange(len(_KINDS))]
            if kind == "wallet":
                name = f"Wallet {i:06d}"
            elif kind == "person":
                name = f"{rnd.choice(_GIVEN)} {rnd.choice(_FAMILY)} {i:06d}"
            else:
                name = f"{kind.capitalize()} {rnd.choice(_FAMILY)} {i:06d}"
            target_id = b.target(kind, name, country)
            site_id = None
            if kind != "wallet":
                city, lat, lon = rnd.choice(CITIES[country])
                site_id = b.site(f"{city} site {i:06d}", country,
                                 round(lat + rnd.uniform(-0.05, 0.05), 5),
                                 round(lon + rnd.uniform(-0.05, 0.05), 5),
                                 f"{i} Generated Road, {city} (fictional address)",
                                 status="shut down" if outcomes and done.random() < 0.3
                                 else "planned")
            else:
                b.wallet("bitcoin", bitcoin_address(f"{seed}-{i}"), name, target_id)
            made.append((target_id, kind, site_id, country))
        for j in range(actions):
            target_id, kind, site_id, country = made[j % targets]
            kinds = _KIND_ACTIONS[kind]
            b.action(kinds[(j // targets) % len(kinds)], target_id, site_id, country,
                     rnd.randrange(-6, 25) * 5,
                     status="done" if outcomes and done.random() < 0.6 else "planned")
        if outcomes:
            _scale_outcomes(b, done, max(targets // 5, 1))
        change = b.finish()
        ctx.audit(session, "operation generated", codename=codename.strip(),
                  targets=targets, actions=actions, seed=seed)
        return b.op_id, change


def _scale_outcomes(b: _Builder, rnd: random.Random, victims: int) -> None:
    """``victims`` victims, half as many asset records, and a tenth as many freeze requests
    (with their history, valued), spread over the countries and a month."""
    start = b.h_hour - timedelta(days=40)
    countries = list(CITIES)
    for n in range(max(victims // 10, 1)):
        country = countries[n % len(countries)]
        amount = f"{rnd.randrange(1, 500)}.5"
        request = _freeze(b, None, f"Financial intelligence unit ({country})", country,
                          "USDT", amount, amount, start + timedelta(hours=n),
                          rnd.randrange(1, 72))
        b.bulk.add(AssetRecord, {
            "stage": "frozen", "asset": "USDT", "amount": amount, "value": amount,
            "currency": "USD", "country": country, "on": (start.date()).isoformat(),
            "source_kind": "freeze_request", "source_id": request, "note": "",
            "tlp": "AMBER"})
    for n in range(victims // 2):
        country = countries[n % len(countries)]
        b.bulk.add(AssetRecord, {
            "stage": ("seized", "recovered", "returned")[n % 3], "asset": "USDT",
            "amount": f"{rnd.randrange(10, 9000)}", "value": f"{rnd.randrange(10, 9000)}.25",
            "currency": "USD", "country": country,
            "on": (start + timedelta(days=n % 30)).date().isoformat(), "source_kind": "",
            "source_id": None, "note": "", "tlp": "AMBER"})
    for n in range(victims):
        country = countries[n % len(countries)]
        loss = rnd.randrange(100, 20_000)
        back = rnd.randrange(0, loss) if n % 2 else 0
        b.bulk.add(Victim, {
            "reference": f"{country}-GEN-{n:06d}", "country": country, "loss": str(loss),
            "currency": "USD", "repaid": str(back),
            "identified_on": (start + timedelta(days=n % 20)).date().isoformat(),
            "repaid_on": (start + timedelta(days=25)).date().isoformat() if back else "",
            "tlp": "AMBER"})
