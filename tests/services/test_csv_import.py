"""CSV import: all rows or none, every refused row listed, dedup, agencies, progress,
cancel, and files that are not a CSV of rows."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.csv_rows import COLUMNS, CsvFileError
from app.models.records import (
    Action,
    Agency,
    AuditEntry,
    Operation,
    Participant,
    Site,
    Target,
)
from app.models.sync_records import ChangesetRecord
from app.services.context import AppContext
from app.services.csv_import import import_csv
from app.services.operations import create_operation, overview

HEADER = ",".join(COLUMNS)
GOOD = f"""{HEADER}
Mwangi Otieno,person,Kilimani flat 4B,KE,,-1.2921,36.7856,arrest,0,,RED
Mwangi Otieno,person,Kilimani flat 4B,KE,,,,search,5,,
Baobab Yield Ltd,organisation,Kilimani flat 4B,KE,Africa/Nairobi,-1.2921,36.7856,search,5,,
Baobab Yield Ltd,organisation,Talatona office,AO,,-8.9147,13.1830,search,0,Angola SIC,
bc1qexamplewallet0000000000000000000000000,wallet,,ZM,,,,seizure,30,Zambia DEC,
Mining shed 7,premises,Kafue farm,ZM,,-15.7700,28.1800,,,,GREEN
"""
# Changesets too: a refused import must leave nothing for partners either.
TABLES = (Operation, Target, Site, Action, Agency, Participant, ChangesetRecord)


def counts(ctx: AppContext) -> dict[str, int]:
    with ctx.session() as session:
        return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0)
                for m in TABLES}


def audit_actions(ctx: AppContext) -> list[str]:
    with ctx.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def write(tmp_path: Path, text: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_creates_the_operation_and_its_records(ctx: AppContext,
                                                         tmp_path: Path) -> None:
    before = counts(ctx)
    report = import_csv(ctx, "SAFARI DAWN", write(tmp_path, GOOD))
    assert report.imported and report.errors == []
    assert report.operation_created and report.operation_id
    assert (report.rows_read, report.rows_imported) == (6, 6)
    assert (report.targets_created, report.sites_created, report.actions_created) == (4, 3, 5)
    assert report.agencies_created == 2  # Angola SIC and Zambia DEC
    after = counts(ctx)
    assert after["target"] - before["target"] == 4
    assert after["site"] - before["site"] == 3
    assert after["action"] - before["action"] == 5
    assert report.change.count("created", "target") == 4
    assert report.change.count("created", "action") == 5
    assert after["changeset"] > before["changeset"]  # recorded for the partners
    assert "csv import" in audit_actions(ctx)

    with ctx.session() as session:
        op = session.scalars(select(Operation).where(Operation.codename == "SAFARI DAWN")).one()
        sites = {s.name: s for s in session.scalars(select(Site).where(
            Site.operation_id == op.id))}
        assert sites["Kilimani flat 4B"].zone == "Africa/Nairobi"
        assert sites["Talatona office"].zone == "Africa/Luanda"
        assert sites["Kafue farm"].lat == pytest.approx(-15.77)
        assert sites["Kilimani flat 4B"].tlp == "RED"  # from the row that created it
        actions = list(session.scalars(select(Action).where(Action.operation_id == op.id)))
        assert all(a.owner_agency_id == ctx.agency_id and a.stamps and a.updated
                   for a in actions)
        wallet_action = next(a for a in actions if a.kind == "seizure")
        assert wallet_action.site_id is None and wallet_action.offset_min == 30
        local = [a for a in actions if a.kind == "arrest"]
        assert local[0].agency_id == ctx.agency_id
        zambia = session.scalars(select(Agency).where(Agency.name == "Zambia DEC")).one()
        assert wallet_action.agency_id == zambia.id
        assert zambia.owner_agency_id == ctx.agency_id
        assert zambia.country == "ZM"
        shed = session.scalars(select(Target).where(Target.name == "Mining shed 7")).one()
        assert (shed.country, shed.tlp) == ("ZM", "GREEN")
    roles = {p.agency: p.role for p in overview(ctx, "SAFARI DAWN").participants}
    assert roles == {"Kenya DCI": "lead", "Zambia DEC": "participant",
                     "Angola SIC": "participant"}


def test_importing_again_adds_nothing(ctx: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    import_csv(ctx, "SAFARI DAWN", path)
    again = import_csv(ctx, "SAFARI DAWN", path)
    assert again.imported and not again.operation_created
    assert (again.targets_created, again.sites_created, again.agencies_created) == (0, 0, 0)
    assert (again.actions_created, again.actions_existing) == (0, 5)
    assert "5 actions were already there" in again.summary()
    summary = overview(ctx, "SAFARI DAWN").summary
    assert (summary.targets, summary.sites, summary.actions) == (4, 3, 5)


def test_importing_a_changed_file_adds_only_the_new_action(ctx: AppContext,
                                                           tmp_path: Path) -> None:
    import_csv(ctx, "SAFARI DAWN", write(tmp_path, GOOD))
    lines = GOOD.strip().splitlines()
    # The same target and site again, thirty minutes later: a different action.
    later = lines[1].split(",")
    offset = COLUMNS.index("offset_min")
    later[offset] = str(int(later[offset]) + 30)
    again = import_csv(ctx, "SAFARI DAWN", write(tmp_path, "\n".join([*lines, ",".join(later)])))
    assert (again.actions_created, again.actions_existing) == (1, 5)
    assert overview(ctx, "SAFARI DAWN").summary.actions == 6


def test_imports_into_an_existing_operation(ctx: AppContext, tmp_path: Path) -> None:
    op_id, _ = create_operation(ctx, "SAFARI DAWN")
    report = import_csv(ctx, "SAFARI DAWN", write(tmp_path, GOOD))
    assert report.operation_id == op_id and not report.operation_created


BAD = f"""{HEADER}
Good One,person,Westlands house,KE,,-1.26,36.80,arrest,0,,
Bad Country,person,Somewhere,XX,,,,arrest,0,,
Bad Zone,person,Karen house,KE,Europe/Paris,,,search,0,,
No Zone,premises,Texas barn,US,,,,search,0,,
Far North,person,Pole,KE,,95,36,arrest,0,,
Bad Lon,person,Edge,KE,,1,200,arrest,0,,
Not Number,person,Mist,KE,,abc,36,arrest,0,,
Boat,yacht,,,,,,,,,
Raid,person,,,,,,raid,0,,
Soon,person,,,,,,arrest,soon,,
Pink,person,,,,,,arrest,0,,PINK
"""


def test_every_bad_row_is_listed_and_nothing_changes(ctx: AppContext, tmp_path: Path) -> None:
    before = counts(ctx)
    report = import_csv(ctx, "SAFARI DAWN", write(tmp_path, BAD))
    assert not report.imported and not report.cancelled
    assert report.operation_id is None and not report.operation_created
    assert (report.rows_read, report.rows_refused, report.rows_imported) == (11, 10, 0)
    assert (report.targets_created, report.actions_created) == (0, 0)
    reasons = {e.line: e.reason for e in report.errors}
    expected = {
        3: "unknown country 'XX'",
        4: "zone Europe/Paris is not in Kenya (KE)",
        5: "United States has 29 time zones",
        6: "latitude 95 is out of range (-90 to 90)",
        7: "longitude 200 is out of range (-180 to 180)",
        8: "latitude 'abc' is not a number",
        9: "unknown target kind 'yacht'",
        10: "unknown action 'raid'",
        11: "offset_min 'soon' is not a whole number of minutes",
        12: "unknown TLP level 'PINK'",
    }
    assert sorted(reasons) == sorted(expected)
    for line, reason in expected.items():
        assert reason in reasons[line]
    assert "nothing was imported" in report.summary()
    assert counts(ctx) == before
    assert audit_actions(ctx)[-1] == "csv import refused"
    with pytest.raises(Exception, match="no operation"):
        overview(ctx, "SAFARI DAWN")


def test_bad_rows_leave_an_existing_operation_unchanged(ctx: AppContext,
                                                        tmp_path: Path) -> None:
    import_csv(ctx, "SAFARI DAWN", write(tmp_path, GOOD))
    before = counts(ctx)
    report = import_csv(ctx, "SAFARI DAWN", write(tmp_path, GOOD + BAD.split("\n", 1)[1],
                                                  "more.csv"))
    assert not report.imported and report.rows_refused == 10
    assert report.operation_id is not None and not report.operation_created
    assert counts(ctx) == before


def test_a_site_given_two_zones_or_places_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    text = (f"{HEADER}\n"
            "A,person,Depot,CD,Africa/Kinshasa,-4.3,15.3,arrest,0,,\n"
            "B,person,Depot,CD,Africa/Lubumbashi,,,arrest,0,,\n"
            "C,person,Depot,CD,Africa/Kinshasa,-4.4,15.3,arrest,0,,\n"
            "D,person,Depot,CD,Africa/Kinshasa,,,arrest,0,,\n")
    before = counts(ctx)
    report = import_csv(ctx, "OP", write(tmp_path, text))
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "site 'Depot' (CD) is in zone Africa/Kinshasa on line 2, not Africa/Lubumbashi"),
        (4, "site 'Depot' (CD) is at -4.3, 15.3 on line 2, not at -4.4, 15.3")]
    assert counts(ctx) == before


def test_an_unknown_agency_needs_a_country(ctx: AppContext, tmp_path: Path) -> None:
    text = f"{HEADER}\nw1,wallet,,,,,,seizure,0,Far Away Unit,\n"
    report = import_csv(ctx, "OP", write(tmp_path, text))
    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "agency 'Far Away Unit' is not known in this store, and the row has no country "
            "to record it with")]


def test_known_agency_by_name_in_any_case(ctx: AppContext, tmp_path: Path) -> None:
    text = f"{HEADER}\nw1,wallet,,,,,,seizure,0,kenya dci,\n"
    report = import_csv(ctx, "OP", write(tmp_path, text))
    assert report.imported and report.agencies_created == 0


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "plan.csv is empty"),
    (f"{HEADER}\n".encode(), "plan.csv has a header but no rows"),
    (random.Random(3).randbytes(50_000), "plan.csv is not a CSV file: it holds binary data"),
    (b"qwertyuiop\nasdfghjkl\n", "its first line has a single column"),
])
def test_files_that_cannot_be_imported(ctx: AppContext, tmp_path: Path, content: bytes,
                                       reason: str) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(content)
    before = counts(ctx)
    with pytest.raises(CsvFileError) as info:
        import_csv(ctx, "OP", path)
    assert reason in str(info.value)
    assert counts(ctx) == before
    assert audit_actions(ctx)[-1] == "csv import refused"


def test_headers_that_differ_need_a_mapping(ctx: AppContext, tmp_path: Path) -> None:
    text = ("Suspect;Sort;Premises;Land;Breite;Länge;Massnahme\n"
            "Ana Kalumba;person;Rua 12;AO;-8.83;13.23;arrest\n")
    path = write(tmp_path, text)
    with pytest.raises(CsvFileError, match="no column for kind"):
        import_csv(ctx, "OP", path)
    assert counts(ctx)["operation"] == 0
    mapping = {"target": "Suspect", "kind": "Sort", "site": "Premises", "country": "Land",
               "lat": "Breite", "lon": "Länge", "action": "Massnahme"}
    report = import_csv(ctx, "OP", path, mapping=mapping)
    assert report.imported
    assert (report.targets_created, report.sites_created, report.actions_created) == (1, 1, 1)


def big_file(path: Path, rows: int) -> Path:
    """Rows of many targets and sites across three countries, each site at one place."""
    cities = [("KE", -1.2921, 36.8219), ("AO", -8.8390, 13.2894), ("ZM", -15.3875, 28.3228)]
    kinds = ("person", "organisation", "wallet", "premises", "server")
    actions = ("arrest", "search", "seizure", "takedown")
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        for n in range(rows):
            t = n // 2
            s = t // 3
            cc, lat, lon = cities[s % 3]
            f.write(f"Target {t:07d},{kinds[t % 5]},Site {s:07d},{cc},,{lat + s % 100 / 1000:.5f},"
                    f"{lon:.5f},{actions[n % 4]},{(n % 7) * 10},,AMBER\n")
    return path


def test_cancel_half_way_leaves_nothing(ctx: AppContext, tmp_path: Path) -> None:
    path = big_file(tmp_path / "plan.csv", 20_000)
    before = counts(ctx)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    def cancel() -> bool:
        return bool(seen) and seen[-1] > path.stat().st_size // 2

    report = import_csv(ctx, "OP", path, progress=progress, cancel=cancel)
    assert report.cancelled and not report.imported
    assert 0 < report.rows_read < 20_000
    assert (report.rows_imported, report.actions_created, report.operation_id) == (0, 0, None)
    assert "cancelled" in report.summary()
    assert counts(ctx) == before
    assert audit_actions(ctx)[-1] == "csv import cancelled"


def test_an_error_half_way_leaves_nothing(ctx: AppContext, tmp_path: Path) -> None:
    path = big_file(tmp_path / "plan.csv", 20_000)
    before = counts(ctx)

    def progress(done: int, total: int) -> None:
        if done > total // 2:
            raise RuntimeError("the window was closed")

    with pytest.raises(RuntimeError):
        import_csv(ctx, "OP", path, progress=progress)
    assert counts(ctx) == before


@pytest.mark.slow
def test_a_5_mb_file_with_progress(ctx: AppContext, tmp_path: Path) -> None:
    # The 50 MB run is in bench/bench_import.py (minutes on two cores, see RESULTS.md).
    path = big_file(tmp_path / "plan.csv", 68_000)
    size = path.stat().st_size
    assert size > 5_000_000
    seen: list[tuple[int, int]] = []
    report = import_csv(ctx, "OP", path, progress=lambda d, t: seen.append((d, t)))
    assert report.imported, report.errors[:3]
    assert (report.targets_created, report.sites_created, report.actions_created) == (
        34_000, 11_334, 68_000)
    assert {t for _, t in seen} == {size}
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[0] == 0 and done[-1] == size
    assert 50 <= len(seen) <= 110  # about every 1%
    assert counts(ctx)["action"] == 68_000
