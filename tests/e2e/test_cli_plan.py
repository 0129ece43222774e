"""`jointops plan timing` and `plan briefing` in subprocesses: the JSON document, local
times across a DST change, an infeasible plan, the PDF, and bad dates."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cli_run import Result, run_cli

# 2026-03-29 is the night Europe moves to summer time (01:00 UTC); Kenya, Angola and
# India keep their offsets, India's a half hour.
PLAN_CSV = """\
target,kind,site,country,zone,lat,lon,action,offset_min,agency,tlp
Fictional Person,person,Nairobi flat,KE,,-1.29,36.82,arrest,-15,Kenya DCI,
Paris Cell,organisation,Paris office,FR,,48.86,2.35,search,0,,AMBER
Mining hall 3,premises,Pune hall,IN,,18.52,73.86,search,30,,AMBER
"""
# A site seen from the same sunrise-to-sunset window twelve hours apart: never both
# lawful near the equator in June, when the day is shorter than twelve hours there.
KNOT_CSV = """\
target,kind,site,country,zone,lat,lon,action,offset_min,agency,tlp
Early,person,Mombasa flat,KE,,-4.04,39.67,arrest,0,,AMBER
Late,person,Mombasa port,KE,,-4.06,39.66,search,720,,AMBER
"""

Run = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def one_error_line(result: Result, code: int, *words: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result.err
    assert result.out == ""
    for word in words:
        assert word in result.err, result.err


@pytest.fixture(scope="module")
def jointops(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A Kenyan store with the operation TIDE: a target added by hand, and actions at
    sites with coordinates imported from CSV."""
    base = tmp_path_factory.mktemp("plan")
    store = base / "store"

    def run(*args: str, **env: str) -> Result:
        return run_cli(store, base, *args, **env)

    ok(run("init", "--agency", "Kenya DCI", "--country", "KE"))
    ok(run("operation", "create", "TIDE"))
    ok(run("target", "add", "TIDE", "--kind", "wallet", "--name", "Cold Wallet",
           "--tlp", "GREEN"))
    for name, text in (("TIDE", PLAN_CSV), ("KNOT", KNOT_CSV)):
        csv = base / f"{name}.csv"
        csv.write_text(text, encoding="utf-8")
        ok(run("operation", "import", name, str(csv)))
    return run


def h_hour(jointops: Run) -> str | None:
    listed = json.loads(ok(jointops("operation", "list", "--json")).out)
    return next(op["h_hour"] for op in listed if op["codename"] == "TIDE")


def test_timing_json_after_setting_h_hour(jointops: Run) -> None:
    shown = ok(jointops("plan", "timing", "TIDE", "--set-h-hour", "2026-03-29T01:30:00Z",
                        "--from", "2026-03-29", "--to", "2026-03-29"))
    assert "Set the H-hour of TIDE to 2026-03-29T01:30:00Z" in shown.out
    assert "outside window" in shown.out and "Europe/Paris" in shown.out
    doc: dict[str, Any] = json.loads(ok(jointops(
        "plan", "timing", "TIDE", "--from", "2026-03-29", "--to", "2026-03-29",
        "--json")).out)
    assert doc["h_hour"] == "2026-03-29T01:30:00Z"
    actions = {a["site"]: a for a in doc["actions"]}
    assert set(actions) == {"Nairobi flat", "Paris office", "Pune hall"}
    for action in doc["actions"]:
        assert {"target", "site", "country", "zone", "offset_min", "utc_start",
                "local_start", "lawful", "rule", "state", "ambiguous", "conflicts",
                "to_retime"} <= set(action)
    paris, nairobi, pune = (actions[s] for s in ("Paris office", "Nairobi flat",
                                                 "Pune hall"))
    # 01:30 UTC is already summer time in Paris: 03:30, before the 06:00 search hour.
    assert (paris["zone"], paris["offset_min"], paris["utc_start"], paris["local_start"],
            paris["lawful"], paris["rule"]) == (
        "Europe/Paris", 0, "2026-03-29T01:30:00Z", "2026-03-29T03:30:00+02:00", False,
        "start 06:00–21:00 local")
    assert (nairobi["target"], nairobi["country"], nairobi["offset_min"],
            nairobi["utc_start"], nairobi["local_start"], nairobi["lawful"]) == (
        "Fictional Person", "KE", -15, "2026-03-29T01:15:00Z", "2026-03-29T04:15:00+03:00",
        False)
    assert (pune["zone"], pune["local_start"], pune["lawful"], pune["state"]) == (
        "Asia/Kolkata", "2026-03-29T07:30:00+05:30", True, "rule unknown")
    # Paris opens at 04:00 UTC; Nairobi's sunset (about 18:40 local) closes the window.
    assert doc["windows"] and doc["windows"][0]["start"] == "2026-03-29T04:00:00Z"
    end = datetime.fromisoformat(doc["windows"][0]["end"].replace("Z", "+00:00"))
    assert (end.hour, end.minute // 10) in {(15, 4), (15, 5), (16, 0)}
    assert doc["conflicts"] == [] and doc["to_retime"] == []


def test_an_infeasible_plan_names_the_actions_to_retime(jointops: Run) -> None:
    doc = json.loads(ok(jointops("plan", "timing", "KNOT", "--from", "2026-06-01", "--to",
                                 "2026-06-02", "--json")).out)
    assert doc["h_hour"] is None and doc["windows"] == []
    assert all(a["lawful"] is None and a["utc_start"] is None for a in doc["actions"])
    ids = {a["target"]: a["id"] for a in doc["actions"]}
    assert [sorted(c["actions"]) for c in doc["conflicts"]] == [sorted(ids.values())]
    assert len(doc["to_retime"]) == 1
    shown = ok(jointops("plan", "timing", "KNOT", "--from", "2026-06-01", "--to",
                        "2026-06-02")).out
    assert "No H-hour in this range makes every action lawful" in shown
    assert "arrest Early at Mombasa flat  <->  search Late at Mombasa port" in shown
    assert "Fewest actions to re-time or authorise (1)" in shown


def test_briefing_is_a_pdf_for_the_agency(jointops: Run, tmp_path: Path) -> None:
    pdf = tmp_path / "brief.pdf"
    shown = ok(jointops("plan", "briefing", "TIDE", "--agency", "kenya dci", "-o", str(pdf)))
    assert "for Kenya DCI" in shown.out
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Kenya DCI" in text and "TIDE" in text
    one_error_line(jointops("plan", "briefing", "TIDE", "--agency", "Nobody", "-o",
                            str(tmp_path / "none.pdf")), 1, "Nobody")
    assert not (tmp_path / "none.pdf").exists()


BAD_INPUT = [
    (["--from", "2026-3-1"], 2, ("--from", "2026-3-1", "not a date")),
    (["--to", "2026-02-30"], 2, ("--to", "2026-02-30", "not a date")),
    (["--from", "2026-03-29", "--to", "2026-03-28"], 1, ("ends", "before it starts")),
    (["--set-h-hour", "2026-03-30T01:30:00"], 1, ("no UTC offset",)),
    (["--set-h-hour", "tomorrow at dawn"], 2, ("not an ISO 8601 time",)),
    (["--set-h-hour", "2026-03-30T01:30:00Z", "--to", "2026-13-01"], 2, ("not a date",)),
]


def test_bad_dates_change_nothing(jointops: Run) -> None:
    before = h_hour(jointops)
    for args, code, words in BAD_INPUT:
        one_error_line(jointops("plan", "timing", "TIDE", *args), code, *words)
    assert h_hour(jointops) == before
