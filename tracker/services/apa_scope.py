"""Which offices an APA export covers, and what its rules sheet says about each.

Shared by `tracker export apa` and the dashboard's Reports page, so both export the same
offices for the same user: scope-checked, by office code or district.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from tracker.domain.calendar import canonical_district
from tracker.domain.offices import Level, as_level, parse_kind
from tracker.errors import InputError
from tracker.services.apa_report import OfficeInfo
from tracker.services.auth import Scope
from tracker.services.complaints import limits_for
from tracker.services.queries import office_of_kind
from tracker.services.requests import get_office
from tracker.store.models import CharterVersion, District, Office


def _level(office: Office) -> Level:
    return as_level(office.kind)


def _office_info(session: Session, office: Office, district: str, day: date) -> OfficeInfo:
    versions = list(session.exec(select(CharterVersion).where(
        CharterVersion.office_id == office.id).order_by(col(CharterVersion.effective_date))))
    in_force = [v for v in versions if v.effective_date <= day] or versions
    limits, default = limits_for(session, in_force[-1].id if in_force else None)
    grs = " / ".join(t.describe() for t in limits) + (" (national default)" if default
                                                      else " (charter)")
    return OfficeInfo(office.code, office.name_bn, office.name_en, district,
                      office.go_live_date, tuple(v.effective_date for v in versions), grs,
                      office.office_kind, _level(office))


def codes_of_kind(session: Session, *, scope: Scope, office_kind: str) -> list[str]:
    """The codes of the offices of one kind that the user may read (for readers that
    filter by office code: the GRS frame)."""
    rows = session.exec(select(Office).where(office_of_kind(office_kind))
                        .order_by(col(Office.code)))
    return [o.code for o in rows if o.id is not None and scope.can_read(o.id)]


def resolve_offices(session: Session, *, scope: Scope, office: str | None,
                    district: str | None, day: date, office_kind: str | None = None
                    ) -> tuple[list[OfficeInfo], list[str] | None, tuple[str, str]]:
    """(offices for the rules sheet, office codes to filter by or None, label bn/en).

    ``office_kind`` (ict, land, ...) keeps the offices of that kind (the requests are
    filtered by ``build_apa(office_kind=...)``, in the judged frame; the export's title
    names the kind: tracker.services.exports)."""
    if office and district:
        raise InputError("give --district or --office, not both")
    kind = parse_kind(office_kind) if office_kind is not None else None
    districts = {d.id: d for d in session.exec(select(District))}
    if office:
        found = get_office(session, office)
        scope.require_read(found)
        if kind is not None and found.office_kind != kind:
            raise InputError(f"{found.code} is a {found.office_kind} office, not {kind}")
        name = districts[found.district_id].name_en
        return ([_office_info(session, found, name, day)], [found.code],
                (found.name_bn, found.name_en))
    query = select(Office).order_by(col(Office.code))
    label = ("সকল অফিস", "all offices")
    if district:
        canonical = canonical_district(district)
        row = next((d for d in districts.values() if d.name_en == canonical), None)
        if row is None:
            raise InputError(f"district {canonical} has no offices in the database")
        query = query.where(Office.district_id == row.id)
        label = (f"{row.name_bn} জেলা", f"{row.name_en} district")
    if kind is not None:
        query = query.where(office_of_kind(kind))
    offices = [o for o in session.exec(query) if o.id is not None and scope.can_read(o.id)]
    if (district or kind) and not offices:
        raise InputError(f"you may read no {kind + ' ' if kind else ''}office"
                         f"{' in ' + district if district else ''}")
    with_charter = {v.office_id for v in session.exec(select(CharterVersion))}
    shown = [o for o in offices if o.id in with_charter or district]
    infos = [_office_info(session, o, districts[o.district_id].name_en, day) for o in shown]
    return infos, ([o.code for o in offices] if district else None), label
