"""Who has officers of their own (issue 12): one rule, ``has_own_officers``, decides both
who may be made an office's officer and who gets an office's daily digest."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.conftest import add_charter
from tracker.domain.offices import OfficeKind, has_own_officers
from tracker.errors import TrackerError
from tracker.services.jobs import recipients
from tracker.services.offices import create_user, ensure_office, load_geography_rows


@pytest.mark.parametrize(("level", "kind", "expected"), [
    ("upazila", OfficeKind.ICT, True), ("upazila", OfficeKind.LAND, True),
    ("upazila", "my_own_kind", True), ("district", OfficeKind.BTCL, True),
    ("district", OfficeKind.ICT, False),
])
def test_has_own_officers(level: str, kind: str, expected: bool) -> None:
    assert has_own_officers(level, kind) is expected


def test_a_district_office_of_another_kind_has_an_officer_who_gets_its_digest(
        session: Session) -> None:
    load_geography_rows(session)
    add_charter(session, "jashore.keshabpur")
    ensure_office(session, "jashore@btcl", kind="btcl")
    add_charter(session, "jashore@btcl")
    for username, role, office in (("ict", "upazila_officer", "jashore.keshabpur"),
                                   ("btcl", "upazila_officer", "jashore@btcl"),
                                   ("programmer", "district_programmer", "jashore")):
        create_user(session, username=username, full_name=username, role=role,
                    password="password-123", office_code=office,
                    email=f"{username}@tracker.local")
    with pytest.raises(TrackerError, match="upazila officer"):
        create_user(session, username="nobody", full_name="x", role="upazila_officer",
                    password="password-123", office_code="jashore", email="n@tracker.local")
    session.commit()
    found = {(r.email, r.role, r.office_level) for r in recipients(session)}
    assert found == {("ict@tracker.local", "upazila_officer", "upazila"),
                     ("btcl@tracker.local", "upazila_officer", "district"),
                     ("programmer@tracker.local", "district_programmer", "district")}


@pytest.mark.parametrize("office", ["jashore.keshabpur", "jashore.keshabpur@land",
                                    "jashore@btcl"])
def test_a_district_programmer_sits_in_a_district_ict_office(session: Session,
                                                              office: str) -> None:
    """Their scope and digest are the district's: an upazila or a non-ICT office is
    refused (it would give district-wide reading to a user no digest reaches)."""
    load_geography_rows(session)
    ensure_office(session, "jashore.keshabpur")
    ensure_office(session, "jashore.keshabpur@land", kind="land")
    ensure_office(session, "jashore@btcl", kind="btcl")
    with pytest.raises(TrackerError, match="district ICT office"):
        create_user(session, username="p", full_name="p", role="district_programmer",
                    password="password-123", office_code=office, email="p@tracker.local")
    create_user(session, username="p", full_name="p", role="district_programmer",
                password="password-123", office_code="jashore", email="p@tracker.local")
