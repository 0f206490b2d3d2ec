"""Sweden's municipalities and regions as shipped: every one, with SCB's codes, grouped by county."""

from __future__ import annotations

from surveys.plans.official import counties, county, match, official, official_organisations


def test_the_list_has_290_municipalities_and_21_regions_with_unique_codes():
    listed = official_organisations()
    assert sum(o.kind == "kommun" for o in listed) == 290
    assert sum(o.kind == "region" for o in listed) == 21
    assert len({o.code for o in listed}) == 311
    assert all(len(o.code) == (4 if o.kind == "kommun" else 2) and o.code.isdigit() for o in listed)


def test_known_codes_name_the_right_municipality_or_region():
    assert official("0180").name == "Stockholms kommun"
    assert official("1480").name == "Göteborgs kommun"
    assert official("2480").name == "Umeå kommun"
    assert official("14").name == "Västra Götalandsregionen"
    assert official("22").name == "Region Västernorrland"
    assert official("24").name == "Region Västerbotten"
    assert official("2080").name == "Falu kommun" and official("0880").name == "Kalmar kommun"
    assert official("9999") is None


def test_every_municipality_belongs_to_the_county_its_code_begins_with():
    for each in counties():
        assert all(m.code[:2] == each.code for m in each.municipalities)
    assert sum(len(c.municipalities) for c in counties()) == 290


def test_vastra_gotaland_is_its_region_and_49_municipalities():
    found = county("Västra Götaland")
    assert found is county("14") is county("Västra Götalands län")
    assert found.region.code == "14" and len(found.municipalities) == 49
    assert found.members[0] is found.region


def test_a_name_written_in_full_finds_its_official_code_and_kind_must_agree():
    assert match("Härnösands kommun", "kommun").code == "2280"
    assert match("region västernorrland", "region").code == "22"
    assert match("Härnösands kommun", "region") is None
    assert match("Härnösand", "kommun") is None
