"""The checks every way in (forms, CSV import, CLI) shares, with their reasons."""

from __future__ import annotations

import pytest

from app.core import placement


def test_country() -> None:
    assert placement.check_country(" fr ") == "FR"
    with pytest.raises(ValueError, match="unknown country 'QQ'"):
        placement.check_country("QQ")
    with pytest.raises(ValueError, match="country is missing"):
        placement.check_country("  ")


def test_zone_of_a_one_zone_country_may_be_left_out() -> None:
    assert placement.check_zone("KE", "") == "Africa/Nairobi"
    assert placement.check_zone("KE", " Africa/Nairobi ") == "Africa/Nairobi"


def test_zone_of_a_many_zone_country_must_be_named_and_belong() -> None:
    assert placement.check_zone("US", "America/Chicago") == "America/Chicago"
    with pytest.raises(ValueError, match=r"United States has .* time zones; name the site's"):
        placement.check_zone("US", "")
    with pytest.raises(ValueError, match="zone Europe/Paris is not in Kenya"):
        placement.check_zone("KE", "Europe/Paris")
    with pytest.raises(ValueError, match="not in"):
        placement.check_zone("KE", "Not/AZone")


@pytest.mark.parametrize(("check", "text", "value"), [
    (placement.check_latitude, "-1.29", -1.29),
    (placement.check_latitude, " 90 ", 90.0),
    (placement.check_latitude, "", None),
    (placement.check_longitude, "-180", -180.0),
    (placement.check_longitude, "36.82", 36.82),
])
def test_coordinates(check: object, text: str, value: float | None) -> None:
    assert check(text) == value  # type: ignore[operator]


@pytest.mark.parametrize(("check", "text", "reason"), [
    (placement.check_latitude, "90.5", "latitude 90.5 is out of range"),
    (placement.check_latitude, "-91", "out of range"),
    (placement.check_longitude, "181", "longitude 181 is out of range"),
    (placement.check_latitude, "nan", "out of range"),
    (placement.check_longitude, "inf", "out of range"),
    (placement.check_latitude, "north", "latitude 'north' is not a number"),
])
def test_bad_coordinates(check: object, text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check(text)  # type: ignore[operator]


def test_kinds() -> None:
    assert placement.check_target_kind(" Person ") == "person"
    assert placement.check_target_kind("organization") == "organisation"
    assert placement.check_target_kind("company") == "organisation"
    with pytest.raises(ValueError, match=r"unknown target kind 'boat' .*person, organisation"):
        placement.check_target_kind("boat")
    assert placement.check_action_kind("SEARCH") == "search"
    with pytest.raises(ValueError, match="unknown action 'dance'"):
        placement.check_action_kind("dance")


def test_offset() -> None:
    assert placement.check_offset("") == 0
    assert placement.check_offset(" -15 ") == -15
    with pytest.raises(ValueError, match="not a whole number"):
        placement.check_offset("1.5")


def test_tlp() -> None:
    assert placement.check_tlp("") == "AMBER"
    assert placement.check_tlp("tlp:amber+strict") == "AMBER+STRICT"
    assert placement.check_tlp("white") == "CLEAR"
    assert placement.check_tlp("Amber + Strict") == "AMBER+STRICT"
    with pytest.raises(ValueError, match="unknown TLP level 'PURPLE'"):
        placement.check_tlp("PURPLE")


def test_offsets_beyond_a_week_are_refused() -> None:
    import pytest

    from app.core.placement import MAX_OFFSET_MIN, check_offset

    assert check_offset(str(MAX_OFFSET_MIN)) == MAX_OFFSET_MIN
    assert check_offset(f"-{MAX_OFFSET_MIN}") == -MAX_OFFSET_MIN
    with pytest.raises(ValueError, match="more than a week"):
        check_offset("99999999999999999999")
