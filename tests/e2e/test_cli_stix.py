"""The STIX commands in subprocesses: export for each recipient (valid for the OASIS
validator), import with its JSON report, and refusals with one line and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_run import Runner

DATA = Path(__file__).resolve().parents[1] / "data"


def valid(path: Path) -> dict[str, Any]:
    from stix2validator import ValidationOptions, validate_instance

    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    result = validate_instance(document, ValidationOptions(version="2.1"))
    assert result.is_valid and not result.errors, [str(e) for e in result.errors]
    return document


def names(document: dict[str, Any]) -> set[str]:
    return {o["name"] for o in document["objects"] if "name" in o}


def test_export_for_each_recipient(jointops: Runner, tmp_path: Path) -> None:
    out = tmp_path / "partner.json"
    result = jointops("export", "stix", "SERENGETI", "-o", str(out), "--for", "Kenya DCI")
    assert result.code == 0, result.err
    assert result.out.startswith("12 objects of SERENGETI for Kenya DCI in a STIX bundle")
    document = valid(out)
    assert {"Fictional Person", "Mining hall 3", "Nairobi flat"} <= names(document)

    anon = tmp_path / "anon.json"
    result = jointops("export", "stix", "SERENGETI", "-o", str(anon), "--for", "Kenya DCI",
                      "--anonymised", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["anonymised"] is True and report["by_type"]["threat-actor"] == 1
    text = anon.read_text(encoding="utf-8")
    assert "Fictional Person" not in text and "Nairobi flat" not in text
    valid(anon)

    community = tmp_path / "community.json"
    result = jointops("export", "stix", "SERENGETI", "-o", str(community), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["recipient"] == "a sharing community outside the operation"
    assert "threat-actor" not in report["by_type"]  # every target is AMBER
    assert report["withheld"]["target: TLP:AMBER is above this partner's ceiling "
                              "(TLP:GREEN)"] == 2
    assert "Fictional Person" not in names(valid(community))


def test_import_reports_created_and_skipped(jointops: Runner) -> None:
    result = jointops("import", "stix", "SERENGETI", str(DATA / "stix_opencti_bundle.json"),
                      "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["created"] == {"target": 3, "site": 1, "wallet": 2}
    assert report["target_kinds"] == {"organisation": 1, "person": 1, "wallet": 1}
    reasons = {s["type"]: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"identity", "relationship", "report"}
    again = jointops("import", "stix", "SERENGETI", str(DATA / "stix_opencti_bundle.json"))
    assert again.code == 0
    assert again.out.startswith("Imported into SERENGETI: nothing; 11 objects skipped.")
    assert "'Fictional Yield Network' (intrusion-set--" in again.out


def test_refusals_are_one_line_and_change_nothing(jointops: Runner, tmp_path: Path) -> None:
    before = jointops("target", "list", "SERENGETI", "--json").out
    bad = tmp_path / "feed.json"
    bad.write_text("<html>not json</html>", encoding="utf-8")
    result = jointops("import", "stix", "SERENGETI", str(bad))
    assert result.code == 1
    assert result.err_lines == ["feed.json is not a STIX file: it is not JSON (Expecting value "
                                "at line 1, column 1)."]
    result = jointops("import", "stix", "SERENGETI", str(tmp_path / "missing.json"))
    assert (result.code, result.err_lines) == (1, [f"There is no STIX file "
                                                   f"{tmp_path / 'missing.json'}."])
    result = jointops("export", "stix", "SERENGETI", "-o", str(tmp_path / "x.json"), "--for",
                      "Nobody")
    assert (result.code, result.err_lines) == (1, ["There is no agency 'Nobody' in this "
                                                   "store."])
    assert not (tmp_path / "x.json").exists()
    assert jointops("target", "list", "SERENGETI", "--json").out == before


def test_usage_errors(jointops: Runner) -> None:
    result = jointops("export", "stix", "SERENGETI")
    assert result.code == 2 and "-o/--output" in result.err
    assert jointops("import", "stix").code == 2
