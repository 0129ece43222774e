"""`app.cli.main` in the test process on stores built through the services, for what
takes many exchanges to arrange: a conflict to review, an agency first seen through a
relay, a liaison's laptop enrolled, root rotation and revocation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.services import exchange, operations, targets
from app.services.context import AppContext
from tests.sync.exchange_helpers import PASSPHRASE, kenya_and_angola, make_store, partner_from_file


def send(source: AppContext, target: AppContext, to: str, path: Path) -> None:
    exchange.export_bundle(source, "TIDE", [to], path)
    exchange.import_bundle(target, path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("JOINTOPS_PASSPHRASE", PASSPHRASE)

    def run_cli(store: Path, *args: str) -> tuple[int, str, str]:
        code = cli.main(["--store", str(store), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run_cli


def test_a_conflict_is_listed_and_the_loser_chosen(tmp_path: Path, run: Any) -> None:
    ke, ao = kenya_and_angola(tmp_path)
    try:
        op, _ = operations.create_operation(ke, "TIDE")
        operations.add_participant(ke, op, ao.agency_id)
        tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", "A"))
        aid, _ = targets.add_record(ke, "action", op, targets.action_values(
            "arrest", tid, None, ao.agency_id))
        send(ke, ao, "Angola SIC", tmp_path / "1.jopb")
        targets.update_record(ke, "action", aid, {"status": "aborted"})
        targets.update_record(ao, "action", aid, {"status": "done"})
        send(ao, ke, "Kenya DCI", tmp_path / "2.jopb")
    finally:
        ke.close()
        ao.close()

    code, out, err = run(tmp_path / "ke", "conflict", "list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert len(listed) == 1
    found = listed[0]
    assert (found["record_kind"], found["field"], found["can_choose"]) == (
        "action", "status", True)
    assert {found["winner"], found["loser"]} == {"aborted", "done"}
    assert {found["winner_agency"], found["loser_agency"]} == {"Kenya DCI", "Angola SIC"}
    code, _out, err = run(tmp_path / "ke", "conflict", "resolve", "9999", "--keep", "winner")
    assert code == 1 and err.strip() == "That conflict was not found."
    code, out, err = run(tmp_path / "ke", "conflict", "resolve", str(found["id"]), "--keep",
                         "loser")
    assert code == 0 and "written again" in out, err
    code, out, _err = run(tmp_path / "ke", "conflict", "list")
    assert out.strip() == "No conflicts to review."
    code, out, _err = run(tmp_path / "ke", "conflict", "list", "--all", "--json")
    assert [c["resolved"] for c in json.loads(out)] == [True]


def test_an_agency_seen_through_a_relay_is_trusted_after_comparing(tmp_path: Path,
                                                                    run: Any) -> None:
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    zm = make_store(tmp_path / "zm", "Zambia DEC", "ZM")
    try:
        for a, b in [(ke, ao), (ao, ke), (ke, zm), (zm, ke)]:
            partner_from_file(a, b, tmp_path)
        ao_fingerprint = exchange.identity_info(ao).root_fingerprint
        op, _ = operations.create_operation(ke, "TIDE")
        for other in (ao, zm):
            operations.add_participant(ke, op, other.agency_id)
        send(ke, ao, "Angola SIC", tmp_path / "a.jopb")
        targets.add_record(ao, "target", op, targets.target_values("person", "AO finding"))
        send(ao, ke, "Kenya DCI", tmp_path / "b.jopb")
        send(ke, zm, "Zambia DEC", tmp_path / "c.jopb")
    finally:
        for ctx in (ke, ao, zm):
            ctx.close()

    code, out, err = run(tmp_path / "zm", "partner", "list", "--json")
    assert code == 0, err
    trust = {p["name"]: p["trust"] for p in json.loads(out)}
    assert trust == {"Angola SIC": "pending", "Kenya DCI": "trusted"}
    code, _out, err = run(tmp_path / "zm", "partner", "trust", "Angola SIC", "--fingerprint",
                          "AAAA BBBB CCCC DDDD EEEE FFFF GGGG HHHH")
    assert code == 1 and len(err.splitlines()) == 1 and "does not match" in err
    code, out, err = run(tmp_path / "zm", "bundle", "export", "TIDE", "--to", "Angola SIC",
                         "-o", str(tmp_path / "x.jopb"))
    assert code == 1 and "not trusted yet" in err and out == ""
    code, out, err = run(tmp_path / "zm", "partner", "trust", "angola sic", "--fingerprint",
                         ao_fingerprint.lower())
    assert code == 0 and "Angola SIC is now a trusted partner" in out, err
    code, out, _err = run(tmp_path / "zm", "partner", "list", "--json")
    assert {p["name"]: p["trust"] for p in json.loads(out)}["Angola SIC"] == "trusted"


def test_root_rotation_and_revocation(tmp_path: Path, run: Any) -> None:
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    before = exchange.identity_info(ke)
    ke.close()
    code, out, err = run(tmp_path / "ke", "identity", "revoke", before.device_id)
    assert code == 1 and err.strip() == "This device cannot revoke itself."
    code, out, err = run(tmp_path / "ke", "identity", "revoke", "no-such-device")
    assert code == 1 and "no-such-device" in err
    code, out, err = run(tmp_path / "ke", "identity", "rotate-root")
    assert code == 0, err
    code, shown, _err = run(tmp_path / "ke", "identity", "show", "--json")
    after = json.loads(shown)
    assert after["root_fingerprint"] != before.root_fingerprint
    assert after["root_fingerprint"] in out and after["roster_version"] == 2


def test_a_liaison_laptop_is_enrolled_and_receives(tmp_path: Path, run: Any) -> None:
    hq = make_store(tmp_path / "hq", "Kenya DCI", "KE")
    try:
        op, _ = operations.create_operation(hq, "TIDE")
        targets.add_record(hq, "target", op, targets.target_values("wallet", "Red", "",
                                                                   "RED"))
    finally:
        hq.close()
    usb = tmp_path / "usb"
    usb.mkdir()
    laptop, offer = tmp_path / "laptop", usb / "offer.json"
    assert run(tmp_path / "hq", "identity", "enrol-offer", "-o", str(offer))[0] == 0
    code, out, err = run(laptop, "init", "--enrol", str(offer))
    assert code == 0, err
    assert "further device of Kenya DCI (KE)" in out and "Recovery key:" in out
    request = usb / "enrolment-request.json"  # the default: beside the offer
    assert request.is_file()
    code, out, err = run(tmp_path / "laptop-2", "init", "--enrol", str(offer))
    assert code == 1 and "already exists" in err and "--request-out" in err
    assert not (tmp_path / "laptop-2").exists()
    code, out, err = run(tmp_path / "laptop-2", "init", "--enrol", str(offer), "--country",
                         "KE")
    assert code == 2 and "leave out --agency and --country" in err

    code, out, err = run(tmp_path / "hq", "identity", "enrol", str(request))
    assert code == 0 and "roster version 2" in out, err
    down = usb / "down.jopb"
    assert run(tmp_path / "hq", "bundle", "export", "TIDE", "--to", "kenya dci", "-o",
               str(down))[0] == 0
    code, out, err = run(laptop, "bundle", "import", str(down), "--json")
    report = json.loads(out)
    assert report["rosters"] == {"Kenya DCI": "updated"} and report["refused"] == []
    code, out, err = run(laptop, "identity", "devices", "--json")
    devices = json.loads(out)
    assert len(devices) == 2 and sum(d["this_device"] for d in devices) == 1
    code, out, err = run(laptop, "target", "list", "TIDE", "--json")
    assert [t["name"] for t in json.loads(out)] == ["Red"]  # its own agency sees RED
