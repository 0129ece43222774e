"""Countries and their IANA zones, as the installed tzdata describes them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.core.countries import all_countries, country, tzdata_version


def test_every_country_has_a_name_and_real_zones() -> None:
    countries = all_countries()
    assert len(countries) > 240
    for code, found in countries.items():
        assert len(code) == 2 and code.isupper() and found.code == code and found.name
        for zone in found.zones:
            ZoneInfo(zone)  # each zone loads from tzdata


def test_lookup_ignores_case_and_spaces() -> None:
    kenya = country(" ke ")
    assert kenya is not None
    assert (kenya.code, kenya.name, kenya.zones) == ("KE", "Kenya", ("Africa/Nairobi",))
    assert country("QQ") is None
    assert country("") is None


def test_countries_with_several_zones() -> None:
    us, ru, br = country("US"), country("RU"), country("BR")
    assert us is not None and ru is not None and br is not None
    assert "America/New_York" in us.zones and "Pacific/Honolulu" in us.zones
    assert len(ru.zones) > 10 and "Asia/Vladivostok" in ru.zones
    assert "America/Sao_Paulo" in br.zones


def test_kosovo_is_known_though_not_in_iso3166_tab() -> None:
    kosovo = country("XK")
    assert kosovo is not None and kosovo.zones == ("Europe/Belgrade",)


def test_tzdata_version_is_named() -> None:
    version = tzdata_version()
    assert version[:4].isdigit() and version[4:5].isalpha()
