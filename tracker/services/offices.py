"""Geography, offices and users in the database (admin-side writes; idempotent).

Offices are identified by the codes of tracker.domain.geo: ``jashore.keshabpur`` for an upazila
ICT office, ``jashore`` for the district ICT office above it, ``habiganj.madhabpur@land`` for
any other office of a place (tracker.domain.offices: codes and kinds).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.domain.geo import load_geography
from tracker.domain.offices import (
    OfficeKind,
    check_kind_for_code,
    has_own_officers,
    office_name,
    parse_kind,
    parse_office_code,
)
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


def ensure_office(session: Session, code: str, *, kind: str | None = None,
                  name_bn: str | None = None, name_en: str | None = None,
                  go_live_date: date | None = None) -> Office:
    """The office row for ``code``, created (with its district ICT office) if missing.

    ``kind`` is what the office is (tracker.domain.offices): plain codes are ICT offices,
    ``<place>@<slug>`` codes any other kind, which must be given when the office is new.
    A kind that contradicts the existing office's is refused (one office, one kind). The
    names are used when the office is created (default: the kind's label and the place);
    an existing office keeps its names.

    Every office of a district hangs under the district's ICT office and carries the
    district's id, so the district programmer's scope (tracker.services.auth.scope_for,
    by district) covers the land office as it covers the upazila ICT offices.
    """
    geo_office = load_geography().office(code)
    wanted = parse_kind(kind) if kind is not None else None
    found = session.exec(select(Office).where(Office.code == geo_office.code)).first()
    if found is not None:
        if wanted is not None and found.office_kind != wanted:
            raise TrackerError(f"{found.code} is a {found.office_kind} office, not {wanted}: "
                               "check the code or --kind")
        if go_live_date is not None and found.go_live_date != go_live_date:
            found.go_live_date = go_live_date
            session.add(found)
        return found
    parsed = parse_office_code(geo_office.code)
    if wanted is None and not parsed.is_ict:
        raise TrackerError(f"{geo_office.code} is a new office: give its kind "
                           "(--kind land, uno, union_parishad, ...); an office of another "
                           "kind comes with its catalog: `tracker charter import FILE "
                           f"--office {geo_office.code} --kind KIND`, then `tracker init`")
    office_kind = wanted or OfficeKind.ICT
    check_kind_for_code(parsed, office_kind)
    district, upazila = geo_office.district, geo_office.upazila
    parent: Office | None = None
    if upazila is not None or not parsed.is_ict:
        parent = ensure_office(session, district.slug)
    default_bn, default_en = office_name(
        office_kind, geo_office.level,
        place_bn=upazila.name_bn if upazila else district.name_bn,
        place_en=upazila.name_en if upazila else district.name_en)
    office = Office(
        code=geo_office.code,
        kind=geo_office.level,
        office_kind=str(office_kind),
        name_en=(name_en or "").strip() or default_en,
        name_bn=(name_bn or "").strip() or default_bn,
        district_id=district.id,
        upazila_id=upazila.id if upazila else None,
        parent_office_id=parent.id if parent else None,
        # the place's website belongs to its ICT office (the DoICT-run portal)
        website=((upazila.website if upazila else district.website) or None)
        if parsed.is_ict else None,
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
    # An officer logs the requests of one office: an upazila office of any kind, or a
    # district-level office that is not the district ICT office (whose users are the
    # district's programmers), e.g. dhaka@btcl.
    if role == "upazila_officer" and (
            office is None or not has_own_officers(office.kind, office.office_kind)):
        raise TrackerError("an upazila officer needs an upazila office, or a district office "
                           "other than the ICT office, e.g. dhaka@btcl (--office)")
    if role == "district_programmer" and (
            office is None or office.kind != "district" or office.office_kind != OfficeKind.ICT):
        # Their digest and scope are the district's: they sit in its ICT office.
        raise TrackerError("a district programmer needs a district ICT office, e.g. "
                           "--office jashore")
    if language not in ("bn", "en"):
        raise TrackerError("language must be bn or en")
    user = User(username=username, full_name=full_name, role=role,
                office_id=office.id if office else None, email=email,
                password_hash=hash_password(password), language=language)
    session.add(user)
    session.flush()
    return user
