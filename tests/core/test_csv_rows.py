"""Reading and checking CSV rows: sniffing, mapping, line numbers, and every reason a row
is refused."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from app.core.csv_rows import (
    COLUMNS,
    CsvFileError,
    CsvReader,
    ImportRow,
    RowError,
    check_mapping,
    guess_mapping,
    preview,
    sniff,
    validate_row,
)

HEADER = ",".join(COLUMNS)
IDENTITY = {c: c for c in COLUMNS}


def write(tmp_path: Path, text: str, name: str = "plan.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def row(**values: str) -> dict[str, str]:
    return {c: values.get(c, "") for c in COLUMNS}


def refused(**values: str) -> str:
    result = validate_row(7, row(**values), IDENTITY)
    assert isinstance(result, RowError), result
    assert result.line == 7
    return result.reason


# ---- mapping ---------------------------------------------------------------------------


def test_guess_mapping_knows_synonyms_case_and_spaces() -> None:
    headers = ["Target Name", "TYPE", "Site", "Country_Code", "Time Zone", "Latitude", "lng",
               "Action", "Offset (min)", "Agency", "TLP", "Remarks"]
    assert guess_mapping(headers) == {
        "target": "Target Name", "kind": "TYPE", "site": "Site", "country": "Country_Code",
        "zone": "Time Zone", "lat": "Latitude", "lon": "lng", "action": "Action",
        "offset_min": "Offset (min)", "agency": "Agency", "tlp": "TLP"}


def test_guess_mapping_prefers_exact_names_and_uses_each_header_once() -> None:
    mapping = guess_mapping(["name", "target", "kind", "tz", "timezone"])
    assert mapping["target"] == "target"
    assert mapping["zone"] == "tz"
    assert list(mapping.values()).count("tz") == 1


def test_check_mapping_names_what_is_wrong() -> None:
    headers = ["who", "what", "where"]
    with pytest.raises(CsvFileError, match="no column for target and kind") as info:
        check_mapping({"site": "where"}, headers)
    assert "'who', 'what', 'where'" in str(info.value)
    with pytest.raises(CsvFileError, match="the file has no column 'nope'"):
        check_mapping({"target": "who", "kind": "nope"}, headers)
    with pytest.raises(CsvFileError, match="unknown column colour"):
        check_mapping({"target": "who", "kind": "what", "colour": "where"}, headers)
    check_mapping({"target": "who", "kind": "what", "site": "where"}, headers)


def test_check_mapping_refuses_a_header_that_appears_twice() -> None:
    with pytest.raises(CsvFileError, match="names 'name' more than once"):
        check_mapping({"target": "name", "kind": "kind"}, ["name", "kind", "name"])


# ---- reading the file -------------------------------------------------------------------


def test_reads_utf8_with_bom_and_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufefftarget;kind;site;country\nJoão Ngola;person;Casa;AO\n")
    layout = sniff(path)
    assert layout.delimiter == ";"
    assert layout.headers == ("target", "kind", "site", "country")
    with CsvReader(path) as reader:
        rows = list(reader.rows())
        assert reader.done_bytes == path.stat().st_size
    assert rows == [(2, {"target": "João Ngola", "kind": "person", "site": "Casa",
                         "country": "AO"})]


def test_line_numbers_count_blank_lines_and_multiline_fields(tmp_path: Path) -> None:
    text = (f"{HEADER}\n"
            "A,person,,,,,,,,,\n"
            "\n"
            'B,premises,"Warehouse\nback door",KE,,,,search,,,\n'
            ",,,,,,,,,,\n"
            "C,wallet,,,,,,,,,\n")
    with CsvReader(write(tmp_path, text)) as reader:
        lines = [(line, r["target"]) for line, r in reader.rows()]
    assert lines == [(2, "A"), (4, "B"), (7, "C")]


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "plan.csv is empty"),
    (b"\n\n  \n", "plan.csv is empty"),
    (b"\xef\xbb\xbf", "plan.csv is empty"),
    (b"\xff\xfet\x00a\x00", "is UTF-16 text"),
    ("target,kind\nJosé,person\n".encode("latin-1"), "is not UTF-8 text"),
    (b"just some words\nand more words\n", "its first line has a single column"),
])
def test_files_that_are_not_a_csv_of_rows(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(content)
    with pytest.raises(CsvFileError, match=re.escape(reason)):
        sniff(path)


def test_random_bytes_are_not_csv(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(random.Random(5).randbytes(200_000))
    with pytest.raises(CsvFileError, match=r"plan\.csv is not a CSV file: it holds binary data"):
        CsvReader(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match=r"gone\.csv cannot be read"):
        sniff(tmp_path / "gone.csv")


def test_bad_utf8_far_into_the_file_names_the_line(tmp_path: Path) -> None:
    good = "".join(f"T{i},person,,,,,,,,,\n" for i in range(10_000))
    path = tmp_path / "plan.csv"
    path.write_bytes(f"{HEADER}\n{good}".encode() + b"Jos\xe9,person,,,,,,,,,\n")
    with CsvReader(path) as reader, pytest.raises(CsvFileError,
                                                  match="is not UTF-8 text after line"):
        for _ in reader.rows():
            pass


def test_preview_shows_the_first_rows_and_a_guessed_mapping(tmp_path: Path) -> None:
    text = "Name,Type,Country\n" + "".join(f"T{i},person,KE\n" for i in range(50))
    shown = preview(write(tmp_path, text), 5)
    assert shown.layout.headers == ("Name", "Type", "Country")
    assert shown.rows[0] == (2, ["T0", "person", "KE"])
    assert len(shown.rows) == 5
    assert shown.mapping == {"target": "Name", "kind": "Type", "country": "Country"}


def test_extra_fields_are_reported(tmp_path: Path) -> None:
    text = f"{HEADER}\nAcme, Ltd,organisation,,,,,,,,,\n"
    with CsvReader(write(tmp_path, text)) as reader:
        line, values = next(reader.rows())
    result = validate_row(line, values, IDENTITY)
    assert isinstance(result, RowError)
    assert result.line == 2
    assert "1 more field(s) than the header" in result.reason


# ---- checking rows ------------------------------------------------------------------------


def test_a_good_row() -> None:
    result = validate_row(3, row(target=" Mwangi Otieno ", kind="Person", site="Flat 4B",
                                 country="ke", lat="-1.2921", lon="36.8219", action="Arrest",
                                 offset_min="-15", agency="Zambia DEC", tlp="tlp:red"), IDENTITY)
    assert result == ImportRow(3, "Mwangi Otieno", "person", "Flat 4B", "KE", "Africa/Nairobi",
                               -1.2921, 36.8219, "arrest", -15, "Zambia DEC", "RED")


def test_defaults_and_rows_without_site_or_action() -> None:
    assert validate_row(2, row(target="w1", kind="wallet"), IDENTITY) == ImportRow(
        2, "w1", "wallet")
    result = validate_row(2, row(target="srv", kind="server", action="takedown"), IDENTITY)
    assert isinstance(result, ImportRow)
    assert (result.site, result.offset_min, result.tlp) == ("", 0, "AMBER")


def test_decimal_comma_and_unicode_minus_in_coordinates() -> None:
    result = validate_row(2, row(target="t", kind="premises", site="s", country="AO",
                                 lat="\u22128,8383", lon="13,2344"), IDENTITY)
    assert isinstance(result, ImportRow)
    assert (result.lat, result.lon) == (-8.8383, 13.2344)


@pytest.mark.parametrize(("values", "reason"), [
    ({"site": "s", "country": "XX"}, "unknown country 'XX'"),
    ({"site": "s"}, "country is missing"),
    ({"site": "s", "country": "KE", "zone": "Europe/Paris"},
     "zone Europe/Paris is not in Kenya (KE)"),
    ({"site": "s", "country": "US"}, "United States has 29 time zones; name the site's zone"),
    ({"site": "s", "country": "KE", "lat": "95", "lon": "36"},
     "latitude 95 is out of range (-90 to 90)"),
    ({"site": "s", "country": "KE", "lat": "1", "lon": "-181"},
     "longitude -181 is out of range (-180 to 180)"),
    ({"site": "s", "country": "KE", "lat": "north", "lon": "36"},
     "latitude 'north' is not a number"),
    ({"site": "s", "country": "KE", "lat": "1"}, "give both lat and lon, or neither"),
    ({"kind": "yacht"}, "unknown target kind 'yacht'"),
    ({"kind": ""}, "kind is missing"),
    ({"target": ""}, "target is missing"),
    ({"target": "x" * 301}, "target name is longer than 300 characters"),
    ({"action": "raid"}, "unknown action 'raid' (expected arrest, search, seizure, takedown)"),
    ({"action": "arrest", "offset_min": "ten"}, "offset_min 'ten' is not a whole number"),
    ({"action": "arrest", "offset_min": "1.5"}, "offset_min '1.5' is not a whole number"),
    ({"tlp": "pink"}, "unknown TLP level 'pink'"),
    ({"lat": "1", "lon": "2"}, "lat, lon given without a site"),
    ({"zone": "Africa/Nairobi"}, "zone given without a site"),
    ({"offset_min": "30"}, "offset_min given without an action"),
    ({"agency": "Zambia DEC"}, "agency given without an action"),
    ({"country": "QQ"}, "unknown country 'QQ'"),
])
def test_each_bad_value_gives_its_reason(values: dict[str, str], reason: str) -> None:
    base = {"target": "Target A", "kind": "person"}
    assert reason in refused(**{**base, **values})


def test_every_problem_of_a_row_is_named() -> None:
    reason = refused(target="t", kind="boat", site="s", country="KE", zone="Asia/Tokyo",
                     action="raid", tlp="pink")
    for part in ("unknown target kind 'boat'", "zone Asia/Tokyo is not in Kenya",
                 "unknown action 'raid'", "unknown TLP level 'pink'"):
        assert part in reason


def test_columns_not_in_the_mapping_are_empty() -> None:
    mapping = {"target": "Who", "kind": "What"}
    result = validate_row(2, {"Who": "A", "What": "person", "site": "ignored"}, mapping)
    assert result == ImportRow(2, "A", "person")


def test_empty_surplus_fields_alone_are_harmless(tmp_path: Path) -> None:
    text = f"{HEADER}\nAcme Ltd,organisation,,,,,,,,,,,\nX,person,,,,,,,,,,zz\n"
    with CsvReader(write(tmp_path, text)) as reader:
        results = [validate_row(line, values, IDENTITY) for line, values in reader.rows()]
    assert results[0] == ImportRow(2, "Acme Ltd", "organisation")
    assert isinstance(results[1], RowError)
    assert "1 more field(s) than the header" in results[1].reason


def test_binary_data_far_into_the_file_is_refused(tmp_path: Path) -> None:
    good = "".join(f"T{i},person,,,,,,,,,\n" for i in range(10_000))
    path = tmp_path / "plan.csv"
    path.write_bytes(f"{HEADER}\n{good}".encode() + b"X\x00\x01,person,,,,,,,,,\n")
    with CsvReader(path) as reader, pytest.raises(
            CsvFileError, match=r"holds binary data \(line 10002\)"):
        for _ in reader.rows():
            pass


def test_a_huge_field_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nA,person,,,,,,,,,\n\"{'x' * 200_000}\",person\n")
    with CsvReader(path) as reader, pytest.raises(CsvFileError,
                                                  match="is not valid CSV at line 3"):
        for _ in reader.rows():
            pass


def test_a_huge_offset_is_refused() -> None:
    assert "more than a week from H-hour" in refused(action="arrest", offset_min="9" * 30)
