"""Offices of every kind: the code grammar, geography lookups, ensure_office, users, scope."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from tracker.domain.geo import UnknownOfficeError, load_geography
from tracker.domain.offices import (
    KIND_LABELS,
    OfficeCode,
    OfficeCodeError,
    OfficeKind,
    check_kind_for_code,
    kind_label,
    office_name,
    parse_kind,
    parse_office_code,
)
from tracker.errors import TrackerError
from tracker.services.auth import scope_for
from tracker.services.offices import create_user, ensure_office, load_geography_rows

_PART = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
_SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{0,39}", fullmatch=True)


@given(district=_PART, upazila=st.none() | _PART, slug=st.none() | _SLUG)
def test_office_codes_format_and_parse_back(district: str, upazila: str | None,
                                            slug: str | None) -> None:
    code = OfficeCode(district if upazila is None else f"{district}.{upazila}", slug)
    assert parse_office_code(str(code)) == code
    assert parse_office_code(f"  {str(code).upper()} ") == code  # case and spaces ignored
    assert code.is_ict == (slug is None)
    assert code.level == ("district" if upazila is None else "upazila")


@given(text=st.text(max_size=60))
def test_any_text_is_a_code_that_formats_back_or_a_clear_error(text: str) -> None:
    try:
        code = parse_office_code(text)
    except OfficeCodeError as exc:
        assert "office code" in str(exc)
        return
    assert str(code) == text.strip().casefold()


@pytest.mark.parametrize("text", ["", "jashore@", "@land", "jashore.keshabpur@land@x",
                                  "jashore@-land", "jashore@land_office", "jashore@" + "a" * 41,
                                  "jashore..keshabpur", "jashore.keshabpur.x", "যশোর"])
def test_malformed_codes_are_refused(text: str) -> None:
    with pytest.raises(OfficeCodeError):
        parse_office_code(text)


def test_kinds_known_and_free_text() -> None:
    assert parse_kind(" Land ") == OfficeKind.LAND
    assert parse_kind("rural_development") == "rural_development"  # free text, as typed
    for bad in ("", "1land", "land-office", "ভূমি", "x" * 41):
        with pytest.raises(OfficeCodeError, match="office kind"):
            parse_kind(bad)
    assert set(KIND_LABELS) == set(OfficeKind)  # every kind has its labels
    assert kind_label("rural_development", "upazila") == ("rural_development",) * 2


def test_office_names_from_the_kind_and_the_place() -> None:
    assert office_name(OfficeKind.LAND, "upazila", place_bn="মাধবপুর", place_en="Madhabpur") \
        == ("উপজেলা ভূমি অফিস, মাধবপুর", "Upazila Land Office, Madhabpur")
    assert office_name(OfficeKind.LAND, "district", place_bn="ঢাকা", place_en="Dhaka") \
        == ("জেলা ভূমি অফিস, ঢাকা", "District Land Office, Dhaka")
    assert office_name(OfficeKind.HEALTH, "district", place_bn="ঢাকা", place_en="Dhaka")[1] \
        == "Civil Surgeon's Office, Dhaka"
    # the ICT offices keep the names they always had
    assert office_name(OfficeKind.ICT, "upazila", place_bn="কেশবপুর", place_en="Keshabpur") \
        == ("উপজেলা আইসিটি অফিস, কেশবপুর", "Keshabpur Upazila ICT Office")


def test_ict_kind_only_for_plain_codes() -> None:
    check_kind_for_code(parse_office_code("jashore.keshabpur"), "ict")
    check_kind_for_code(parse_office_code("jashore.keshabpur@land"), "land")
    with pytest.raises(OfficeCodeError, match=re.escape(
            "needs its own code jashore.keshabpur@<slug>, e.g. jashore.keshabpur@land")):
        check_kind_for_code(parse_office_code("jashore.keshabpur"), "land")
    with pytest.raises(OfficeCodeError, match=re.escape("ICT office of jashore.keshabpur is")):
        check_kind_for_code(parse_office_code("jashore.keshabpur@ict"), "ict")


def test_geography_finds_offices_of_every_kind() -> None:
    geo = load_geography()
    land = geo.office("Habiganj.Madhabpur@Land")
    assert (land.code, land.slug, land.level, land.place_code) == (
        "habiganj.madhabpur@land", "land", "upazila", "habiganj.madhabpur")
    assert land.upazila is not None and land.upazila.name_bn == "মাধবপুর"
    btcl = geo.office("dhaka@btcl")
    assert (btcl.code, btcl.level, btcl.upazila) == ("dhaka@btcl", "district", None)
    assert geo.office("jashore.keshabpur").slug is None  # ICT codes unchanged


@pytest.mark.parametrize(("code", "hint"), [
    ("nowhere@land", "no district 'nowhere'"),
    ("habiganj.atlantis@land", "no upazila 'atlantis' in Habiganj"),
    ("habiganj.madhabpur@", "after '@' comes the office's slug"),
    ("habiganj.madhabpur@land@x", "after '@' comes the office's slug"),
])
def test_unknown_office_codes_say_what_is_wrong(code: str, hint: str) -> None:
    with pytest.raises(UnknownOfficeError, match="unknown office code") as info:
        load_geography().office(code)
    assert hint in str(info.value)


def test_several_offices_of_different_kinds_in_one_upazila(session: Session) -> None:
    load_geography_rows(session)
    ict = ensure_office(session, "habiganj.madhabpur")
    land = ensure_office(session, "habiganj.madhabpur@land", kind="land",
                         go_live_date=date(2025, 1, 1))
    up = ensure_office(session, "habiganj.madhabpur@bulla-up", kind="union_parishad",
                       name_bn="বুল্লা ইউনিয়ন পরিষদ")
    district = ensure_office(session, "habiganj")
    assert {o.code for o in (ict, land, up, district)} == {
        "habiganj.madhabpur", "habiganj.madhabpur@land", "habiganj.madhabpur@bulla-up",
        "habiganj"}
    assert (ict.office_kind, land.office_kind, up.office_kind, district.office_kind) == (
        "ict", "land", "union_parishad", "ict")
    assert land.kind == up.kind == "upazila" and district.kind == "district"
    assert land.upazila_id == ict.upazila_id and land.district_id == district.district_id
    assert land.parent_office_id == up.parent_office_id == district.id
    assert (land.name_bn, land.name_en) == ("উপজেলা ভূমি অফিস, মাধবপুর",
                                            "Upazila Land Office, Madhabpur")
    assert up.name_bn == "বুল্লা ইউনিয়ন পরিষদ"  # as the charter prints it
    assert land.go_live_date == date(2025, 1, 1) and ict.go_live_date is None
    assert land.website is None and ict.website  # the place's portal is the ICT office's
    # a district-level office of another kind hangs under the district ICT office too
    btcl = ensure_office(session, "dhaka@btcl", kind="btcl")
    assert btcl.kind == "district" and btcl.parent_office_id == ensure_office(
        session, "dhaka").id
    # found again by its code, whatever its case; the kind may be repeated
    assert ensure_office(session, " Habiganj.Madhabpur@LAND ", kind="land").id == land.id


def test_kinds_that_contradict_are_refused(session: Session) -> None:
    load_geography_rows(session)
    ensure_office(session, "habiganj.madhabpur@land", kind="land")
    with pytest.raises(TrackerError, match="is a land office, not uno"):
        ensure_office(session, "habiganj.madhabpur@land", kind="uno")
    with pytest.raises(TrackerError, match="is a new office: give its kind"):
        ensure_office(session, "habiganj.madhabpur@uno")
    with pytest.raises(TrackerError, match="needs its own code"):
        ensure_office(session, "habiganj.chunarughat", kind="land")
    with pytest.raises(TrackerError, match=re.escape("ICT office of habiganj.madhabpur is")):
        ensure_office(session, "habiganj.madhabpur@ict", kind="ict")
    with pytest.raises(TrackerError, match="office kind"):
        ensure_office(session, "habiganj.madhabpur@x", kind="Land Office")
    ensure_office(session, "habiganj.madhabpur")
    with pytest.raises(TrackerError, match="is a ict office, not land"):
        ensure_office(session, "habiganj.madhabpur", kind="land")


def test_officers_of_a_land_office_and_the_district_programmers_scope(
        session: Session) -> None:
    load_geography_rows(session)
    land = ensure_office(session, "habiganj.madhabpur@land", kind="land")
    ict = ensure_office(session, "habiganj.madhabpur")
    other_district = ensure_office(session, "sylhet.beanibazar@land", kind="land")
    kw = dict(password="pw-123456", full_name="x")
    acland = create_user(session, username="acland", role="upazila_officer",
                         office_code="habiganj.madhabpur@land", **kw)
    programmer = create_user(session, username="habiganj-programmer",
                             role="district_programmer", office_code="habiganj", **kw)
    ict_officer = create_user(session, username="madhabpur-ict", role="upazila_officer",
                              office_code="habiganj.madhabpur", **kw)
    ensure_office(session, "dhaka@btcl", kind="btcl")  # a district-level office's officer
    btcl = create_user(session, username="btcl", role="upazila_officer",
                       office_code="dhaka@btcl", **kw)
    assert acland.office_id == land.id and btcl.office_id is not None
    assert land.id is not None and ict.id is not None and other_district.id is not None
    district = scope_for(session, programmer)
    assert district.can_read(land.id) and district.can_read(ict.id)
    assert not district.can_read(other_district.id) and not district.can_write(land.id)
    ict_scope = scope_for(session, ict_officer)
    assert ict_scope.can_read(ict.id) and not ict_scope.can_read(land.id)
    land_scope = scope_for(session, acland)
    assert land_scope.can_write(land.id) and not land_scope.can_read(ict.id)
    with pytest.raises(TrackerError, match="an upazila officer needs an upazila office"):
        create_user(session, username="nope", role="upazila_officer", office_code="dhaka",
                    **kw)
