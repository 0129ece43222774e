"""The outcomes commands in subprocesses: the demo's outcomes as a table and as JSON,
operations side by side, victims and assets added from the command line, and bad input
refused with one line and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

from cli_run import Runner, fingerprint

KEYS = ["operation", "operation_id", "currency", "arrests", "sites", "values", "freezes",
        "victims", "assets", "by_country", "left_out_other_currency"]


def test_the_demo_outcomes_as_text_and_json(jointops: Runner) -> None:
    assert jointops("demo").code == 0
    text = jointops("outcomes", "SERENGETI SUN")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[0] == "Outcomes of SERENGETI SUN (values in USD)"
    assert "  Arrests done: 2 of 7 planned" in lines
    assert "  Sites shut down: 3 of 12" in lines
    assert ("  Victims: 6 identified, 3 repaid; restitution 30.4 % (10,250 of 33,750 USD)"
            in lines)
    assert "  Time from request to freeze: median 9h00, 90th percentile 1d 6h00" in lines
    assert any(line.startswith("COUNTRY  ARRESTS") for line in lines)

    document = json.loads(jointops("outcomes", "SERENGETI SUN", "--json").out)
    assert list(document) == KEYS
    assert document["arrests"] == {"done": 2, "planned": 7}
    assert document["values"] == {"seized": "143400", "frozen": "58950",
                                  "recovered": "31500", "returned": "10250"}
    assert document["freezes"]["time_to_freeze_median_s"] == 9 * 3600
    assert document["victims"]["restitution_rate"] == "0.3037"
    ke = next(c for c in document["by_country"] if c["country"] == "KE")
    assert (ke["recovered"], ke["victims"]) == ("31500", 2)

    side = json.loads(jointops("outcomes", "SERENGETI SUN", "SERENGETI", "--json").out)
    assert side["currency"] == "USD"
    assert [o["operation"] for o in side["operations"]] == ["SERENGETI SUN", "SERENGETI"]
    table = jointops("outcomes", "SERENGETI SUN", "SERENGETI")
    assert table.out.splitlines()[0] == "Operations side by side (values in USD)"


def test_victims_and_assets_from_the_command_line(jointops: Runner, store: Path) -> None:
    before = fingerprint(store)
    named = jointops("victim", "add", "SERENGETI", "--reference", "Jane Doe", "--country",
                     "KE", "--loss", "100", "--currency", "USD", "--identified", "2026-03-01")
    assert (named.code, named.out) == (1, "")
    assert named.err_lines == ["The victim's reference must be a complaint or case number "
                               "(with digits), not a name: names are personal data."]
    unknown = jointops("asset", "add", "SERENGETI", "--stage", "frozen", "--asset", "BTC",
                       "--amount", "1", "--country", "KE", "--on", "2026-03-01",
                       "--value", "60000", "--currency", "USD", "--from-freeze", "nope")
    assert unknown.code == 1
    assert unknown.err_lines == ["The freeze request this asset comes from is not in the "
                                 "operation."]
    missing = jointops("outcomes", "NOPE")
    assert missing.code == 1 and missing.err_lines == ["There is no operation 'NOPE' in "
                                                       "this store."]
    assert fingerprint(store) == before

    added = jointops("victim", "add", "SERENGETI", "--reference", "KE-CASE-0007",
                     "--country", "KE", "--loss", "1000", "--currency", "usd",
                     "--identified", "2026-03-01", "--repaid", "400", "--repaid-on",
                     "2026-03-20")
    assert added.code == 0, added.err
    seized = jointops("asset", "add", "SERENGETI", "--stage", "seized", "--asset", "cash KES",
                      "--amount", "50000", "--country", "KE", "--on", "2026-03-02",
                      "--value", "387.5", "--currency", "USD")
    assert seized.code == 0, seized.err
    [victim] = json.loads(jointops("victim", "list", "SERENGETI", "--json").out)
    assert (victim["reference"], victim["currency"], victim["repaid"]) == (
        "KE-CASE-0007", "USD", "400")
    document = json.loads(jointops("outcomes", "SERENGETI", "--json").out)
    assert document["victims"]["restitution_rate"] == "0.4000"
    assert document["values"]["seized"] == "387.5"
    [record] = json.loads(jointops("asset", "list", "SERENGETI", "--json").out)
    assert jointops("asset", "delete", record["id"]).code == 0
    assert json.loads(jointops("outcomes", "SERENGETI", "--json").out)["values"]["seized"] == "0"
