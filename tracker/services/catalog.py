"""Load the reviewed service catalog (data/charters/*.toml) into the database.

The catalog is the source of truth for services; this copies each charter version once
(keyed by its content hash), so requests can point at the exact version they were judged
by. Re-running it adds only new versions. The office is created with the catalog's kind
(``kind = "land"``; ICT when absent); a service the catalog flags ``needs_review`` is stored
so (``Service.needs_review``), and no request can be logged against it until reviewed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.domain.charter.catalog import OfficeCatalog
from tracker.domain.charter.catalog import load_all as load_all_catalogs
from tracker.domain.charter.model import Officer
from tracker.domain.charter.model import Service as CatalogService
from tracker.domain.deadlines import service_deadline
from tracker.domain.offices import OfficeKind
from tracker.services.complaints import ensure_grs_limits
from tracker.services.offices import ensure_office
from tracker.store.models import CharterVersion, Service


def _officer_text(officer: Officer | None) -> tuple[str, str]:
    if officer is None:
        return "", ""
    who = ", ".join(p for p in (officer.designation, officer.name) if p) or officer.raw
    contact = ", ".join((*officer.phones, *officer.emails))
    return who, contact


def _service_row(service: CatalogService, version_id: int, office_id: int) -> Service:
    responsible, contact = _officer_text(service.responsible_officer)
    escalation, _ = _officer_text(service.escalation_officer)
    return Service(
        charter_version_id=version_id, office_id=office_id, category=service.category,
        number=service.number, name_bn=service.name_bn, deadline_raw=service.deadline.raw,
        fee_raw=service.fee_raw, responsible_officer=responsible,
        responsible_contact=contact, escalation_officer=escalation,
        **service_deadline(service.deadline).columns(),  # type: ignore[arg-type]
    )


def sync_catalog(session: Session, catalog: OfficeCatalog, *, now: datetime) -> int:
    """Copy the office's charter versions into the database; returns versions added."""
    # The charter's printed name names an office of another kind; the ICT offices keep
    # the standard names that digests and the dashboard have always shown.
    printed = catalog.name_bn if catalog.kind != OfficeKind.ICT else None
    office = ensure_office(session, catalog.code, kind=catalog.kind, name_bn=printed)
    assert office.id is not None
    added = 0
    for version in catalog.versions:
        digest = version.content_hash
        exists = session.exec(select(CharterVersion).where(
            CharterVersion.office_id == office.id, CharterVersion.content_hash == digest,
            CharterVersion.effective_date == version.effective)).first()
        if exists:
            assert exists.id is not None
            ensure_grs_limits(session, exists.id, version.grs)  # GRS tier limits (issue 7)
            continue
        row = CharterVersion(office_id=office.id, effective_date=version.effective,
                             source=version.source, content_hash=digest, loaded_at=now)
        session.add(row)
        session.flush()
        assert row.id is not None
        for service in version.services:
            session.add(_service_row(service, row.id, office.id))
        ensure_grs_limits(session, row.id, version.grs)
        added += 1
    session.flush()
    return added


def sync_all(session: Session, *, now: datetime) -> dict[str, int]:
    """Sync every catalog file; returns versions added per office code."""
    return {code: sync_catalog(session, catalog, now=now)
            for code, catalog in sorted(load_all_catalogs().items())}
