"""Two agencies exchange bundles through the `jointops` command line, in subprocesses:
identity, partners, bundles out and in, and a damaged bundle.

The stores are made once for the module (each `init` pays the real Argon2 cost) and the
tests run in file order on them, each leaving the stores as the next one expects.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_run import Result, run_cli


@dataclass
class Agencies:
    home: Path
    ke: Path
    ao: Path
    ke_identity: dict[str, Any]
    ao_identity: dict[str, Any]
    ke_roster: Path
    wrong_fingerprint: Result
    partners_after_wrong: Result

    def ke_run(self, *args: str, **env: str) -> Result:
        return run_cli(self.ke, self.home, *args, **env)

    def ao_run(self, *args: str, **env: str) -> Result:
        return run_cli(self.ao, self.home, *args, **env)


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def one_error_line(result: Result, code: int, *words: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result.err
    for word in words:
        assert word in result.err, result.err


def as_json(result: Result) -> Any:
    return json.loads(ok(result).out)  # exactly one document, or this fails


@pytest.fixture(scope="module")
def agencies(tmp_path_factory: pytest.TempPathFactory) -> Agencies:
    """Kenya DCI and Angola SIC, each the other's partner after comparing fingerprints
    (Kenya first tried a wrong one)."""
    base = tmp_path_factory.mktemp("exchange")
    ke, ao = base / "ke", base / "ao"
    ok(run_cli(ke, base, "init", "--agency", "Kenya DCI", "--country", "KE"))
    ok(run_cli(ao, base, "init", "--agency", "Angola SIC", "--country", "AO"))
    ke_identity = as_json(run_cli(ke, base, "identity", "show", "--json"))
    ao_identity = as_json(run_cli(ao, base, "identity", "show", "--json"))
    ok(run_cli(ke, base, "identity", "export", "-o", str(base / "ke.roster")))
    ok(run_cli(ao, base, "identity", "export", "-o", str(base / "ao.roster")))
    wrong = run_cli(ke, base, "partner", "add", str(base / "ao.roster"), "--fingerprint",
                    "AAAA BBBB CCCC DDDD EEEE FFFF GGGG HHHH")
    after_wrong = run_cli(ke, base, "partner", "list", "--json")
    ok(run_cli(ke, base, "partner", "add", str(base / "ao.roster"), "--fingerprint",
               ao_identity["root_fingerprint"]))
    # Fingerprints are compared whatever the case and spacing, as read over the phone.
    spoken = ke_identity["root_fingerprint"].replace(" ", "").lower()
    ok(run_cli(ao, base, "partner", "add", str(base / "ke.roster"), "--fingerprint", spoken))
    return Agencies(base, ke, ao, ke_identity, ao_identity, base / "ke.roster", wrong,
                    after_wrong)


def test_identity_show_and_export(agencies: Agencies) -> None:
    ke = agencies.ke_identity
    assert set(ke) == {"agency_id", "name", "country", "root_fingerprint", "device_id",
                       "roster_version"}
    assert (ke["name"], ke["country"], ke["roster_version"]) == ("Kenya DCI", "KE", 1)
    assert len(ke["root_fingerprint"].split()) == 8
    roster = json.loads(agencies.ke_roster.read_text())
    assert roster["roster"]["agency"]["id"] == ke["agency_id"]
    assert [d["id"] for d in roster["roster"]["devices"]] == [ke["device_id"]]
    shown = ok(agencies.ke_run("identity", "show")).out
    assert "Kenya DCI (KE)" in shown and ke["root_fingerprint"] in shown


def test_partner_added_only_with_the_right_fingerprint(agencies: Agencies) -> None:
    one_error_line(agencies.wrong_fingerprint, 1, "does not match", "Angola SIC")
    assert agencies.wrong_fingerprint.out == ""
    assert json.loads(agencies.partners_after_wrong.out) == []
    listed = as_json(agencies.ke_run("partner", "list", "--json"))
    assert [(p["name"], p["trust"], p["fingerprint"], p["roster_version"], p["tlp_ceiling"],
             p["last_sent"], p["last_received"]) for p in listed] == [
        ("Angola SIC", "trusted", agencies.ao_identity["root_fingerprint"], 1, "AMBER", None,
         None)]


def test_export_then_import_then_import_again(agencies: Agencies) -> None:
    ok(agencies.ke_run("operation", "create", "TIDE"))
    added = ok(agencies.ke_run("operation", "add-participant", "TIDE", "angola sic"))
    assert "Angola SIC takes part in TIDE as participant" in added.out
    ok(agencies.ke_run("target", "add", "TIDE", "--kind", "person", "--name", "Shared One",
                       "--country", "KE"))
    ok(agencies.ke_run("target", "add", "TIDE", "--kind", "wallet", "--name", "Red Wallet",
                       "--tlp", "RED"))
    bundle = agencies.home / "tide-1.jopb"
    export = ok(agencies.ke_run("bundle", "export", "TIDE", "--to", "Angola SIC", "-o",
                                str(bundle)))
    assert "Angola SIC:" in export.out
    assert "1 changeset: TLP:RED and not addressed to this agency" in export.out

    first = as_json(agencies.ao_run("bundle", "import", str(bundle), "--json"))
    assert {"bundle_id", "sender", "applied", "duplicates", "refused", "pending",
            "quarantined", "conflicts", "created", "updated", "notes"} <= set(first)
    assert first["sender"] == "Kenya DCI" and not first["already_imported"]
    assert first["applied"] >= 3 and first["duplicates"] == 0 and first["refused"] == []
    assert first["created"]["target"] == 1 and first["created"]["operation"] == 1
    targets = as_json(agencies.ao_run("target", "list", "TIDE", "--json"))
    assert [t["name"] for t in targets] == ["Shared One"]  # the RED one stayed home

    again = as_json(agencies.ao_run("bundle", "import", str(bundle), "--json"))
    assert again["already_imported"] and again["bundle_id"] == first["bundle_id"]
    assert (again["applied"], again["created"]) == (0, {})
    assert "nothing changed" in ok(agencies.ao_run("bundle", "import", str(bundle))).out
    assert as_json(agencies.ao_run("target", "list", "TIDE", "--json")) == targets


def test_a_damaged_bundle_is_refused_and_changes_nothing(agencies: Agencies) -> None:
    ok(agencies.ke_run("target", "add", "TIDE", "--kind", "person", "--name", "Second"))
    good = agencies.home / "tide-2.jopb"
    ok(agencies.ke_run("bundle", "export", "TIDE", "--to", "Angola SIC", "-o", str(good)))
    data = bytearray(good.read_bytes())
    data[1024] ^= 0x01  # inside payload.age, past the tar header
    flipped = agencies.home / "flipped.jopb"
    flipped.write_bytes(bytes(data))
    not_tar = agencies.home / "notes.jopb"
    not_tar.write_text("not a bundle\n")
    before = ok(agencies.ao_run("target", "list", "TIDE", "--json")).out

    for bad, words in ((flipped, ("refused", "signature")), (not_tar, ("refused",))):
        result = agencies.ao_run("bundle", "import", str(bad))
        one_error_line(result, 4, *words)
        assert result.out == ""
    assert ok(agencies.ao_run("target", "list", "TIDE", "--json")).out == before
    one_error_line(run_cli(agencies.home / "no-store", agencies.home, "bundle", "inspect",
                           str(flipped)), 4, "not a valid bundle")

    applied = as_json(agencies.ao_run("bundle", "import", str(good), "--json"))
    assert applied["created"] == {"target": 1} and applied["duplicates"] >= 1


def test_inspect_needs_no_store_and_ssh_keygen_agrees(agencies: Agencies) -> None:
    bundle = agencies.home / "tide-1.jopb"
    nowhere = agencies.home / "no-store"
    found = as_json(run_cli(nowhere, agencies.home, "bundle", "inspect", str(bundle),
                            "--json", JOINTOPS_PASSPHRASE=""))
    assert not nowhere.exists()
    devices = as_json(agencies.ke_run("identity", "devices", "--json"))
    assert [d["this_device"] for d in devices] == [True]
    assert found["outer_signature"] == "valid" and found["signer_key"] == devices[0]["sign"]
    if shutil.which("ssh-keygen") is None:
        return
    # The README's check with stock tools, from what the CLI shows.
    out = agencies.home / "unpacked"
    out.mkdir()
    subprocess.run(["tar", "-xf", str(bundle), "-C", str(out)], check=True)
    signers = agencies.home / "allowed_signers"
    signers.write_text(f"kenya-dci {devices[0]['sign']}\n")
    with open(out / "payload.age", "rb") as payload:
        verified = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I",
                                   "kenya-dci", "-n", "jointops-bundle-outer-v1", "-s",
                                   str(out / "payload.age.sig")], stdin=payload,
                                  capture_output=True)
    assert verified.returncode == 0, verified.stderr


def test_partner_ceiling_and_history(agencies: Agencies) -> None:
    ok(agencies.ke_run("partner", "set", "Angola SIC", "--tlp-ceiling", "green"))
    listed = as_json(agencies.ke_run("partner", "list", "--json"))
    assert listed[0]["tlp_ceiling"] == "GREEN" and listed[0]["last_sent"].endswith("Z")
    one_error_line(agencies.ke_run("partner", "set", "Angola SIC", "--tlp-ceiling", "PINK"),
                   1, "PINK")
    one_error_line(agencies.ke_run("partner", "set", "Zambia DEC", "--tlp-ceiling", "RED"),
                   1, "Zambia DEC")
    history = as_json(agencies.ao_run("bundle", "history", "--json"))
    assert [(h["direction"], h["agency"], h["result"]) for h in history] == [
        ("received", "Kenya DCI", "applied")] * 2
