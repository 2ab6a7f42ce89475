"""Geography, offices and users in the database (admin-side writes; idempotent).

Offices are identified by the codes of tracker.domain.geo: ``jashore.keshabpur`` for an upazila
ICT office, ``jashore`` for the district ICT office above it.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.domain.geo import load_geography
from tracker.errors import TrackerError
from tracker.services.auth import hash_password
from tracker.store.models import ROLES, District, Division, Office, Upazila, User


def load_geography_rows(session: Session) -> int:
    """Insert divisions, districts and upazilas from data/geo (skips those present)."""
    geo = load_geography()
    existing = {
        Division: set(session.exec(select(Division.id))),
        District: set(session.exec(select(District.id))),
        Upazila: set(session.exec(select(Upazila.id))),
    }
    added = 0
    for division in geo.divisions:
        if division.id not in existing[Division]:
            session.add(Division(id=division.id, name_en=division.name_en,
                                 name_bn=division.name_bn))
            added += 1
    session.flush()
    for district in geo.districts:
        if district.id not in existing[District]:
            session.add(District(id=district.id, division_id=district.division_id,
                                 name_en=district.name_en, name_bn=district.name_bn))
            added += 1
    session.flush()
    for upazila in geo.upazilas:
        if upazila.id not in existing[Upazila]:
            session.add(Upazila(id=upazila.id, district_id=upazila.district.id,
                                name_en=upazila.name_en, name_bn=upazila.name_bn))
            added += 1
    session.flush()
    return added


def ensure_office(session: Session, code: str, *, go_live_date: date | None = None) -> Office:
    """The office row for ``code``, created (with its district office) if missing."""
    found = session.exec(select(Office).where(Office.code == code.strip().lower())).first()
    if found is not None:
        if go_live_date is not None and found.go_live_date != go_live_date:
            found.go_live_date = go_live_date
            session.add(found)
        return found
    geo_office = load_geography().office(code)
    district = geo_office.district
    parent: Office | None = None
    if geo_office.upazila is not None:
        parent = ensure_office(session, district.slug, go_live_date=None)
    office = Office(
        code=geo_office.code,
        kind="upazila" if geo_office.upazila else "district",
        name_en=(f"{geo_office.upazila.name_en} Upazila ICT Office" if geo_office.upazila
                 else f"{district.name_en} District ICT Office"),
        name_bn=(f"উপজেলা আইসিটি অফিস, {geo_office.upazila.name_bn}" if geo_office.upazila
                 else f"জেলা আইসিটি অফিস, {district.name_bn}"),
        district_id=district.id,
        upazila_id=geo_office.upazila.id if geo_office.upazila else None,
        parent_office_id=parent.id if parent else None,
        website=(geo_office.upazila.website if geo_office.upazila else district.website) or None,
        go_live_date=go_live_date,
    )
    session.add(office)
    session.flush()
    return office


def create_user(session: Session, *, username: str, full_name: str, role: str,
                password: str, office_code: str | None = None, email: str | None = None,
                language: str = "bn") -> User:
    """Add a user; officers and programmers belong to an office, admins need none."""
    if role not in ROLES:
        raise TrackerError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if session.exec(select(User).where(User.username == username)).first():
        raise TrackerError(f"user {username!r} already exists")
    office = ensure_office(session, office_code) if office_code else None
    if role == "upazila_officer" and (office is None or office.kind != "upazila"):
        raise TrackerError("an upazila officer needs an upazila office (--office)")
    if role == "district_programmer" and office is None:
        raise TrackerError("a district programmer needs a district office (--office)")
    if language not in ("bn", "en"):
        raise TrackerError("language must be bn or en")
    user = User(username=username, full_name=full_name, role=role,
                office_id=office.id if office else None, email=email,
                password_hash=hash_password(password), language=language)
    session.add(user)
    session.flush()
    return user
