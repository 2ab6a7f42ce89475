"""Loading the catalog of an office of another kind: the office gets its kind and printed
name, services keep their review flag, and requests follow "review before use"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.charter.test_catalog_kinds import LAND, LAND_TOML
from tracker.domain.charter.catalog import load_catalog
from tracker.services.catalog import sync_catalog
from tracker.services.offices import ensure_office, load_geography_rows
from tracker.services.requests import NewRequest, ServiceNeedsReview, log_request
from tracker.store.models import Office, Request, Service

NOW = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)


def _sync(session: Session, tmp_path: Path, text: str = LAND_TOML) -> Office:
    path = tmp_path / f"{LAND}.toml"
    path.write_text(text, encoding="utf-8")
    load_geography_rows(session)
    assert sync_catalog(session, load_catalog(path), now=NOW) == 1
    return session.exec(select(Office).where(Office.code == LAND)).one()


def test_sync_creates_the_office_with_its_kind_and_printed_name(session: Session,
                                                                tmp_path: Path) -> None:
    office = _sync(session, tmp_path, LAND_TOML.replace(
        'name_bn = "উপজেলা ভূমি অফিস, মাধবপুর"', 'name_bn = "সহকারী কমিশনার (ভূমি) এর কার্যালয়"'))
    assert (office.office_kind, office.kind) == ("land", "upazila")
    assert office.name_bn == "সহকারী কমিশনার (ভূমি) এর কার্যালয়"  # as the charter prints it
    assert office.name_en == "Upazila Land Office, Madhabpur"
    district = session.exec(select(Office).where(Office.code == "habiganj")).one()
    assert office.parent_office_id == district.id and district.office_kind == "ict"
    services = {s.number: s for s in session.exec(
        select(Service).where(Service.office_id == office.id))}
    assert (services[1].unit, services[1].needs_review) == ("no_deadline", False)
    assert (services[2].unit, services[2].amount) == ("calendar_days", 45)
    assert services[3].needs_review and not services[2].needs_review


def test_an_ict_catalog_keeps_the_standard_office_name(session: Session,
                                                       tmp_path: Path) -> None:
    load_geography_rows(session)
    source = Path(__file__).parent.parent / "data" / "charters" / "jashore.keshabpur.toml"
    sync_catalog(session, load_catalog(source), now=NOW)
    office = ensure_office(session, "jashore.keshabpur")
    assert (office.office_kind, office.name_bn) == ("ict", "উপজেলা আইসিটি অফিস, কেশবপুর")


def test_review_before_use_and_no_deadline(session: Session, tmp_path: Path) -> None:
    office = _sync(session, tmp_path)
    ensure_office(session, LAND, go_live_date=date(2025, 1, 1))

    def log(service: str) -> Request:
        return log_request(session, new=NewRequest(
            office_code=LAND, service=service, received_at=datetime(2025, 3, 2, 10, 0),
            channel="in_person"), now=NOW, user=None)

    with pytest.raises(ServiceNeedsReview, match=f"data/charters/{LAND}.toml"):
        log("citizen-3")
    request = log("citizen-1")  # a schedule, not a per-request limit: logged, no due date
    assert request.due_date is None and request.office_id == office.id
    assert log("citizen-2").due_date == date(2025, 4, 16)  # 45 calendar days
