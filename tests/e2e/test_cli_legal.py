"""`jointops plan legal` and `jointops target set` in subprocesses, on the template store
(SERENGETI: Fictional Person to be arrested in Nairobi, a search in Luanda)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_run import Runner, fingerprint


def one_error_line(err: str, *words: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_target_set_then_the_readiness_check(jointops: Runner) -> None:
    done = jointops("target", "set", "SERENGETI", "Fictional Person", "--wanted-by", "de,FR",
                    "--nationality", "AO", "--travels", "PT")
    assert done.code == 0, done.err
    assert done.out.strip() == ("Set: Fictional Person in SERENGETI is wanted by DE, FR; "
                                "national of AO; travels through PT.")

    checked = jointops("plan", "legal", "SERENGETI", "--json")
    assert checked.code == 0, checked.err
    document = json.loads(checked.out)
    assert document["operation"] == "SERENGETI" and document["ready"] is False
    assert document["victim_states"] == ["KE"]
    assert document["victim_states_from"] == "lead agency"
    (person,) = document["targets"]
    assert person["custody"] == ["KE"] and person["wanted_by"] == ["DE", "FR"]
    # Held in Kenya, a foreigner there: only UNTOC (party list unknown) may link KE to
    # DE and FR: gaps, never "no route"; arrested in Portugal, the EAW would apply.
    assert [(r["requesting"], r["status"]) for r in person["requesting"]] == [
        ("DE", "gap"), ("FR", "gap")]
    assert "UNTOC" in [g["key"] for g in person["requesting"][0]["gaps"]]
    assert [(a["custody"], a["requesting"], a["status"], a["route"]["key"])
            for a in person["alternatives"]] == [("PT", "DE", "route", "EU_EAW"),
                                                 ("PT", "FR", "route", "EU_EAW")]
    (warning,) = document["warnings"]
    assert warning["severity"] == "gap in data" and "Better: arrest in PT" in warning["reason"]
    assert warning["data"][0]["key"] == "UNTOC" and warning["confidence"] == "low"
    assert [i["key"] for i in document["unplaced_instruments"]] == ["OAS_B47"]

    text = jointops("plan", "legal", "SERENGETI", "--victims", "AO")
    assert text.code == 0, text.err
    assert text.out.startswith("Set the victims' states of SERENGETI to AO.\n")
    assert "NOT READY (1 warning: 1 gap in data)" in text.out
    assert "if arrested in PT, for DE: route: PT and DE are both parties to EU_EAW" in text.out


def test_bad_input_is_refused_with_one_line(jointops: Runner, store: Path) -> None:
    before = fingerprint(store)
    unknown = jointops("target", "set", "SERENGETI", "Fictional Person", "--wanted-by",
                       "FR,XX")
    assert unknown.code == 1 and unknown.out == ""
    one_error_line(unknown.err, "Unknown country code 'XX'")
    usage = jointops("target", "set", "SERENGETI", "Fictional Person")
    assert usage.code == 2 and "--wanted-by" in usage.err
    assert fingerprint(store) == before

    added = jointops("target", "add", "SERENGETI", "--kind", "person", "--name", "Ghost")
    assert added.code == 0, added.err
    nowhere = jointops("target", "set", "SERENGETI", "Ghost", "--wanted-by", "FR")
    assert nowhere.code == 1 and nowhere.out == ""
    one_error_line(nowhere.err, "Ghost has no location")
    missing = jointops("plan", "legal", "NO SUCH OP")
    assert missing.code == 1
    one_error_line(missing.err, "no operation 'NO SUCH OP'")
