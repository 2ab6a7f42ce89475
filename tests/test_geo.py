"""tracker.domain.geo: the 8/64/494 units of data/geo, lenient names, office codes."""

from __future__ import annotations

import pytest

from tracker.domain.geo import UnknownOfficeError, load_geography, name_key, slugify


def test_counts_match_the_published_lists() -> None:
    geo = load_geography()
    assert (len(geo.divisions), len(geo.districts), len(geo.upazilas)) == (8, 64, 494)


def test_every_upazila_code_is_unique_and_resolves() -> None:
    geo = load_geography()
    codes = [u.code for u in geo.upazilas]
    assert len(set(codes)) == len(codes)
    for upazila in geo.upazilas[:50]:
        assert geo.office(upazila.code).upazila == upazila


@pytest.mark.parametrize(
    ("district", "upazila", "code"),
    [
        ("দিনাজপুর", "দিনাজপুর সদর", "dinajpur.dinajpur-sadar"),
        ("যশোর", "কেশবপুর", "jashore.keshabpur"),
        ("Jessore", "Keshabpur", "jashore.keshabpur"),
        ("মানিকগঞ্জ", "সদর", "manikganj.manikganj-sadar"),
        ("Manikganj", "Manikganj Sadar", "manikganj.manikganj-sadar"),
        ("লালমনিরহাট", "পাটগ্রাম", "lalmonirhat.patgram"),
        ("LALMONIRHAT", " patgram  upazila", "lalmonirhat.patgram"),
        ("Jashore", "Jashore Sadar", "jashore.jessore-sadar"),
        ("Bogra", "Bogura Sadar", "bogura.bogra-sadar"),
    ],
)
def test_lenient_names_find_the_upazila(district: str, upazila: str, code: str) -> None:
    geo = load_geography()
    found_district = geo.find_district(district)
    assert found_district is not None
    found = geo.find_upazila(upazila, found_district)
    assert found is not None and found.code == code


def test_old_and_new_district_spellings_are_one_district() -> None:
    geo = load_geography()
    assert geo.find_district("Comilla") == geo.find_district("Cumilla") == geo.find_district(
        "কুমিল্লা"
    )
    assert geo.find_district("Dinajpur Sadar") is None  # an upazila, not a district


def test_office_codes() -> None:
    geo = load_geography()
    office = geo.office("jashore.keshabpur")
    assert office.upazila is not None and office.upazila.name_bn == "কেশবপুর"
    assert office.name_en == "Keshabpur, Jashore"
    assert geo.office("Magura").code == "magura" and geo.office("magura").upazila is None
    assert slugify("Dinajpur Sadar") == "dinajpur-sadar"


@pytest.mark.parametrize("code", ["nowhere", "jashore.nowhere", "magura.keshabpur", ""])
def test_unknown_office_codes_are_refused_with_a_hint(code: str) -> None:
    with pytest.raises(UnknownOfficeError, match="unknown office code"):
        load_geography().office(code)


def test_name_key_ignores_case_spacing_and_nfd() -> None:
    import unicodedata

    name = "চাঁপাইনবাবগঞ্জ সদর"
    assert name_key(unicodedata.normalize("NFD", name)) == name_key(name)
    assert name_key("  Keshabpur Upazila ") == name_key("keshabpur")
