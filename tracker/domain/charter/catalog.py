"""The reviewed service catalog: ``data/charters/<office code>.toml``, one file per office.

The parser reads charters; officers review and fix the result *here*; the tracker uses
only the catalog. A file holds every version of the office's charter, each effective from
a date: a request is judged by the version in force on the day it was received.

API (all pure except the two loaders and ``import_charter``, which writes the file)::

    load_catalog(path) -> OfficeCatalog          # validate one file (CatalogFileError)
    load_all(directory=None) -> dict[str, OfficeCatalog]   # by office code
    catalog.version_on(day) -> CharterVersion | None        # the version in force
    catalog.latest -> CharterVersion
    version.service("citizen", 2) -> Service     # .deadline: Deadline (default_spec())
    version.services, version.grs, version.review, version.content_hash
    import_charter(parsed, office_code=..., effective=..., source=..., source_sha256=...)
        -> ImportResult                           # created / added / unchanged / replaced
    diff_versions(old, new) -> list[Change]

File layout (TOML; ``null`` is written by leaving the key out)::

    schema = 1
    office = "jashore.keshabpur"        # or "habiganj.madhabpur@land" (tracker.domain.offices)
    kind = "land"                       # what the office is; absent = "ict"
    name_bn = "..."                     # office name as printed
    website = "..."

    [[versions]]
    effective = 2025-08-20
    source = "keshabpur.txt"
    source_sha256 = "..."               # of the imported text: re-import is a no-op

    [[versions.services]]
    category = "citizen"                # citizen | institutional | internal
    number = 1
    name_bn = "..."
    fee_raw = "..."
    line = 26                           # row in the source document
    [versions.services.deadline]
    raw = "তৎক্ষনিক/ ৩ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)"
    immediate = true
    unit = "working_days"               # working_days | calendar_days | hours | months
    amount = 3
    conditional = true
    as_needed = false
    per_directive = false
    # written only when set (so the ICT catalogs read as they always did):
    range_min = 2                       # "২-৩ দিন": amount is the upper bound 3
    no_deadline = true                  # no per-request limit: logged as "no deadline"
    variants = true                     # several limits in one cell
    needs_review = true                 # not safely understood: no request can be logged
    notes = ["..."]                     # what the cell says besides its limit
    [versions.services.responsible_officer]   # also escalation_officer (optional)
    designation = "..."  name = "..."  office = "..."  phones = ["+880..."]  emails = [...]

    [[versions.grs]]                    # tiers 1-3; default = true: national 30/20/60
    [[versions.review]]                 # what the parser did not understand (line, message)

Review before use: a service with ``needs_review = true`` is listed by
``CharterVersion.unresolved`` (and ``tracker charter check``) and cannot be logged against;
the reviewer sets its limit (``unit``/``amount``, ``immediate``, ``per_directive`` or
``no_deadline``), deletes the ``needs_review`` line and, as in the catalogs of
data/charters/, leaves a ``# reviewed: …`` comment saying what was decided and why.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

import tomlkit
from tomlkit.items import AoT, Table

from tracker.config import get_settings
from tracker.domain.charter import toml_write
from tracker.domain.charter.model import (
    CATEGORIES,
    UNITS,
    Category,
    Deadline,
    DeadlineUnit,
    GrsTier,
    Officer,
    ParsedCharter,
    Problem,
    Service,
)
from tracker.domain.deadlines import GRS_ROLES, GrsRole
from tracker.domain.geo import Geography, load_geography
from tracker.domain.offices import (
    OfficeCodeError,
    OfficeKind,
    check_kind_for_code,
    office_name,
    parse_kind,
    parse_office_code,
)
from tracker.errors import InputError, TrackerError

SCHEMA = 1
_PHONE = re.compile(r"^\+880\d{7,10}$")


class CatalogFileError(TrackerError):
    """A data/charters/*.toml file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class CharterVersion:
    """One version of an office's charter, in force from ``effective``."""

    effective: date
    source: str
    source_sha256: str
    services: tuple[Service, ...]
    grs: tuple[GrsTier, ...]
    review: tuple[Problem, ...] = ()

    def service(self, category: str, number: int) -> Service:
        for service in self.services:
            if service.category == category and service.number == number:
                return service
        raise KeyError(f"no {category} service {number} in the version of {self.effective}")

    def count(self, category: str) -> int:
        return sum(1 for s in self.services if s.category == category)

    @property
    def unresolved(self) -> tuple[Service, ...]:
        """Services to review before use: flagged ``needs_review`` by the parser (or a
        reviewer), or with a deadline not understood. Fix them in the file."""
        return tuple(s for s in self.services
                     if s.deadline.needs_review or not s.deadline.understood)

    @property
    def content_hash(self) -> str:
        """A hash of what the tracker uses (services and GRS), not of source lines."""
        payload = {
            "services": [_service_payload(s) for s in self.services],
            "grs": [_grs_payload(g) for g in self.grs],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Deadline keys added with office kinds (issue 12) and their "unset" values: left out of
#: the content hash when unset, so the versions already stored (keyed by their hash) keep
#: their hash and a sync does not load them a second time.
_NEW_DEADLINE_KEYS: dict[str, Any] = {"range_min": None, "no_deadline": False,
                                      "variants": False, "needs_review": False, "notes": []}


def _without_unset_new_keys(deadline: dict[str, Any]) -> None:
    for key, unset in _NEW_DEADLINE_KEYS.items():
        if key in deadline and deadline[key] == unset:
            del deadline[key]


def _service_payload(service: Service) -> dict[str, Any]:
    data = service.to_json()
    data.pop("line")
    _without_unset_new_keys(data["deadline"])
    return data


def _grs_payload(tier: GrsTier) -> dict[str, Any]:
    # GRS tiers carry a Deadline too: its new keys are left out the same way.
    data = {**tier.to_json(), "line": 0}
    _without_unset_new_keys(data["deadline"])
    return data


@dataclass(frozen=True)
class OfficeCatalog:
    """Every version of one office's charter (sorted by effective date)."""

    code: str
    name_bn: str
    website: str | None
    versions: tuple[CharterVersion, ...]
    path: Path | None = None
    #: What the office is (tracker.domain.offices.OfficeKind or free text); "ict" when
    #: the file says nothing, as the ICT catalogs written before office kinds do.
    kind: str = OfficeKind.ICT

    @property
    def latest(self) -> CharterVersion:
        return self.versions[-1]

    def version_on(self, day: date) -> CharterVersion | None:
        """The version in force on ``day`` (the latest one effective on or before it)."""
        found = None
        for version in self.versions:
            if version.effective <= day:
                found = version
        return found

    def version_effective(self, day: date) -> CharterVersion | None:
        return next((v for v in self.versions if v.effective == day), None)


# --------------------------------------------------------------------------------------
# Paths and loading


def catalog_dir() -> Path:
    return get_settings().data_dir / "charters"


def catalog_path(code: str, directory: Path | None = None) -> Path:
    return (directory or catalog_dir()) / f"{code}.toml"


def load_all(directory: Path | None = None, geo: Geography | None = None
             ) -> dict[str, OfficeCatalog]:
    """Every catalog file of ``directory`` (default data/charters/), by office code."""
    folder = directory or catalog_dir()
    catalogs = {}
    for path in sorted(folder.glob("*.toml")):
        catalog = load_catalog(path, geo=geo)
        catalogs[catalog.code] = catalog
    return catalogs


def load_catalog(path: Path, geo: Geography | None = None) -> OfficeCatalog:
    """Read and validate one catalog file; CatalogFileError names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogFileError(f"{path}: no such catalog file") from None
    return _catalog_from_text(path, text, geo)


def _catalog_from_text(path: Path, text: str, geo: Geography | None) -> OfficeCatalog:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogFileError(f"{path.name}: not valid TOML: {exc}") from None
    return _Validator(path, text, geo or load_geography()).catalog(data)


_FLAGS = ("immediate", "conditional", "as_needed", "per_directive", "no_deadline",
          "variants", "needs_review")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class _Validator:
    def __init__(self, path: Path, text: str, geo: Geography) -> None:
        self.path = path
        self.geo = geo
        lines = text.splitlines()
        self.version_lines = [i for i, s in enumerate(lines, 1) if s.strip() == "[[versions]]"]
        self.service_lines = [
            i for i, s in enumerate(lines, 1) if s.strip() == "[[versions.services]]"
        ]
        self.service_index = 0

    def fail(self, where: str, line: int | None, message: str) -> CatalogFileError:
        at = f":{line}" if line else ""
        return CatalogFileError(f"{self.path.name}{at}: {where}: {message}")

    def catalog(self, data: dict[str, Any]) -> OfficeCatalog:
        if data.get("schema") != SCHEMA:
            raise self.fail("schema", 1, f"expected schema = {SCHEMA}")
        code = data.get("office")
        if not isinstance(code, str):
            raise self.fail("office", None, "missing office code")
        try:
            office = self.geo.office(code)
        except TrackerError as exc:
            raise self.fail("office", None, str(exc)) from None
        if self.path.stem != office.code:
            raise self.fail("office", None, f"file must be named {office.code}.toml")
        kind = self.kind(office.code, data.get("kind", OfficeKind.ICT))
        raw_versions = data.get("versions")
        if not isinstance(raw_versions, list) or not raw_versions:
            raise self.fail("versions", None, "no [[versions]]")
        versions = [self.version(i, v) for i, v in enumerate(raw_versions)]
        seen: set[date] = set()
        for i, version in enumerate(versions):
            if version.effective in seen:
                raise self.fail(f"versions[{i}]", self._vline(i),
                                f"two versions effective {version.effective}")
            seen.add(version.effective)
        return OfficeCatalog(
            code=office.code,
            name_bn=str(data.get("name_bn", office.name_bn)),
            website=data.get("website") if isinstance(data.get("website"), str) else None,
            versions=tuple(sorted(versions, key=lambda v: v.effective)),
            path=self.path,
            kind=kind,
        )

    def kind(self, code: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail("kind", None, "kind must be text, e.g. kind = \"land\"")
        try:
            kind = parse_kind(value)
            check_kind_for_code(parse_office_code(code), kind)
        except OfficeCodeError as exc:
            raise self.fail("kind", None, str(exc)) from None
        return kind

    def _vline(self, index: int) -> int | None:
        return self.version_lines[index] if index < len(self.version_lines) else None

    def version(self, index: int, data: Any) -> CharterVersion:
        where = f"versions[{index}]"
        if not isinstance(data, dict):
            raise self.fail(where, self._vline(index), "not a table")
        effective = data.get("effective")
        if not isinstance(effective, date):
            raise self.fail(where, self._vline(index), "effective must be a date (YYYY-MM-DD)")
        services = [self.service(f"{where} ({effective})", s) for s in data.get("services", [])]
        keys: dict[tuple[str, int], int] = {}
        for service in services:
            if service.key in keys:
                raise self.fail(where, self._vline(index),
                                f"{service.category} service {service.number} listed twice")
            keys[service.key] = 1
        grs = [self.grs(f"{where} grs", g) for g in data.get("grs", [])]
        review = [
            Problem(int(r.get("line", 0)), str(r.get("message", "")))
            for r in data.get("review", []) if isinstance(r, dict)
        ]
        return CharterVersion(
            effective=effective,
            source=str(data.get("source", "")),
            source_sha256=str(data.get("source_sha256", "")),
            services=tuple(services),
            grs=tuple(grs),
            review=tuple(review),
        )

    def service(self, where: str, data: Any) -> Service:
        line = (self.service_lines[self.service_index]
                if self.service_index < len(self.service_lines) else None)
        self.service_index += 1
        if not isinstance(data, dict):
            raise self.fail(where, line, "service is not a table")
        category = data.get("category")
        number = data.get("number")
        where = f"{where} service {category} {number}"
        if category not in CATEGORIES:
            raise self.fail(where, line, f"category must be one of {', '.join(CATEGORIES)}")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise self.fail(where, line, "number must be a whole number >= 1")
        name = data.get("name_bn")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(where, line, "name_bn is missing")
        deadline = self.deadline(where, line, data.get("deadline"))
        return Service(
            category=cast(Category, category),
            number=number,
            name_bn=name,
            deadline=deadline,
            fee_raw=str(data.get("fee_raw", "")),
            responsible_officer=self.officer(where, line, data.get("responsible_officer")),
            escalation_officer=self.officer(where, line, data.get("escalation_officer")),
            line=int(data.get("line", 0)),
        )

    def deadline(self, where: str, line: int | None, data: Any) -> Deadline:
        if not isinstance(data, dict):
            raise self.fail(where, line, "deadline table is missing")
        flags: dict[str, bool] = {}
        for key in _FLAGS:
            value = data.get(key, False)
            if not isinstance(value, bool):
                raise self.fail(where, line, f"deadline.{key} must be true or false")
            flags[key] = value
        unit = data.get("unit")
        amount = data.get("amount")
        if unit is not None and unit not in UNITS:
            raise self.fail(where, line, f"deadline.unit must be one of {', '.join(UNITS)}")
        if (unit is None) != (amount is None):
            raise self.fail(where, line, "deadline.unit and deadline.amount go together")
        if amount is not None and not _whole(amount):
            raise self.fail(where, line, "deadline.amount must be a whole number >= 1")
        range_min = data.get("range_min")
        if range_min is not None and not (_whole(range_min) and amount is not None
                                          and range_min <= amount):
            raise self.fail(where, line, "deadline.range_min must be a whole number >= 1, "
                                         "with an amount at least as large")
        notes = data.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise self.fail(where, line, "deadline.notes must be a list of texts")
        return Deadline(
            raw=str(data.get("raw", "")),
            unit=cast(DeadlineUnit | None, unit),
            amount=amount,
            range_min=range_min,
            notes=tuple(notes),
            immediate=flags["immediate"],
            conditional=flags["conditional"],
            as_needed=flags["as_needed"],
            per_directive=flags["per_directive"],
            no_deadline=flags["no_deadline"],
            variants=flags["variants"],
            needs_review=flags["needs_review"],
        )

    def officer(self, where: str, line: int | None, data: Any) -> Officer | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            raise self.fail(where, line, "officer must be a table")
        phones = data.get("phones", [])
        emails = data.get("emails", [])
        if not isinstance(phones, list) or not all(
            isinstance(p, str) and _PHONE.match(p) for p in phones
        ):
            raise self.fail(where, line, f"phones must look like +8801XXXXXXXXX: {phones!r}")
        if not isinstance(emails, list) or not all(
            isinstance(e, str) and "@" in e for e in emails
        ):
            raise self.fail(where, line, f"emails must be e-mail addresses: {emails!r}")
        text = {k: data.get(k) for k in ("designation", "name", "office")}
        for key, value in text.items():
            if value is not None and not isinstance(value, str):
                raise self.fail(where, line, f"officer {key} must be text")
        return Officer(
            raw=str(data.get("raw", "")),
            designation=text["designation"],
            name=text["name"],
            office=text["office"],
            phones=tuple(phones),
            emails=tuple(emails),
            websites=tuple(str(w) for w in data.get("websites", [])),
        )

    def grs(self, where: str, data: Any) -> GrsTier:
        if not isinstance(data, dict):
            raise self.fail(where, None, "GRS tier is not a table")
        tier = data.get("tier")
        role = data.get("role")
        if not isinstance(tier, int) or role not in GRS_ROLES:
            raise self.fail(where, None, f"tier must be a number and role one of "
                                         f"{', '.join(GRS_ROLES)}")
        where = f"{where} tier {tier}"
        # unit/amount (any unit: "২ মাস"); working_days alone is accepted as a shorthand
        unit = data.get("unit", "working_days" if "working_days" in data else None)
        amount = data.get("amount", data.get("working_days"))
        deadline = self.deadline(where, None, {"raw": data.get("raw", ""), "unit": unit,
                                               "amount": amount})
        return GrsTier(
            tier=tier,
            role=cast(GrsRole, role),
            deadline=deadline,
            title_bn=str(data.get("title_bn", "")),
            contact=self.officer(where, None, data.get("contact")),
            default=bool(data.get("default", False)),
            line=int(data.get("line", 0)),
        )


# --------------------------------------------------------------------------------------
# Writing


_HEADER = (
    "Service catalog of one office: the reviewed reading of its Citizen Charter.",
    "The tracker uses only this file. Fix here what the parser could not read (see the",
    "[[versions.review]] entries; a service with needs_review = true cannot be logged",
    "against until you set its limit and delete that line), then run `tracker charter check`.",
    "Written by `tracker charter import`; hand edits are kept (re-import adds versions only).",
)


def _version_table(version: CharterVersion) -> Table:
    out = toml_write.table([("effective", version.effective), ("source", version.source),
                            ("source_sha256", version.source_sha256)])
    parts = (("grs", [toml_write.grs_table(t) for t in version.grs]),
             ("services", [toml_write.service_table(s) for s in version.services]),
             ("review", [toml_write.review_table(p) for p in version.review]))
    for key, tables in parts:
        if tables:
            out.add(key, toml_write.array_of_tables(tables))
    return out


def dumps(catalog: OfficeCatalog) -> str:
    """A new catalog file's text (round-trips through :func:`load_catalog`)."""
    doc = tomlkit.document()
    for line in _HEADER:
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    kind = None if catalog.kind == OfficeKind.ICT else catalog.kind  # absent = "ict"
    for key, value in (("schema", SCHEMA), ("office", catalog.code), ("kind", kind),
                       ("name_bn", catalog.name_bn), ("website", catalog.website)):
        if value is not None:
            doc.add(key, value)
    doc.add("versions", toml_write.array_of_tables(_version_table(v) for v in catalog.versions))
    return tomlkit.dumps(doc)


def _with_version(path: Path, text: str, version: CharterVersion, *, replacing: bool) -> str:
    """``text`` (the valid catalog file ``path``) with ``version`` added, or put in place
    of the version of the same date. Everything else in the file — reviewers' comments,
    key order, blank lines, hand corrections — is kept byte for byte (tomlkit round trip).
    """
    doc = tomlkit.parse(text)
    versions = doc["versions"]
    if not isinstance(versions, AoT):  # valid TOML, but not a layout we can add to
        raise CatalogFileError(f"{path.name}: write the versions as [[versions]] tables "
                               "to import a new version into this file")
    dates = [table["effective"] for table in versions]
    new = _version_table(version)
    if replacing:
        index = dates.index(version.effective)
        new.trivia.indent = versions[index].trivia.indent
        versions[index] = new
    else:
        # keep the file in date order: before the first version that is in force later
        index = next((i for i, day in enumerate(dates) if day > version.effective),
                     len(versions))
        versions.insert(index, new)
    if index > 0:
        _blank_line_between(versions[index - 1], new)
    if index + 1 < len(versions):
        _blank_line_between(new, versions[index + 1])
    return doc.as_string()


def _blank_line_between(before: Table, after: Table) -> None:
    """One blank line between two [[versions]], as in the rest of the file."""
    if not before.as_string().endswith("\n\n") and not after.trivia.indent.startswith("\n"):
        after.trivia.indent = "\n" + after.trivia.indent


def _write_text(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so a failed write never leaves half a catalog."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# --------------------------------------------------------------------------------------
# Importing


ImportStatus = Literal["created", "added", "unchanged", "replaced"]


@dataclass(frozen=True)
class ImportResult:
    path: Path
    status: ImportStatus
    version: CharterVersion
    message: str


def resolve_office(parsed: ParsedCharter, office_code: str | None,
                   geo: Geography | None = None) -> str:
    """The office code to import under: ``--office`` (checked against the document) or
    the office the document names. InputError when neither says.

    The document names a place (its ICT office's code); ``--office <place>@<slug>`` is
    checked against that place: the land office of Madhabpur, not of another upazila."""
    geo = geo or load_geography()
    named = parsed.office.code
    if office_code is not None:
        office = geo.office(office_code)
        if named is not None and geo.office(named).place_code != office.place_code:
            raise InputError(
                f"the document names office {named} (line {parsed.office.line}), "
                f"not {office.code}: check --office"
            )
        return office.code
    if named is None:
        raise InputError("the document names no office: give --office CODE "
                         "(codes look like jashore.keshabpur: district.upazila)")
    if not _names_an_ict_office(parsed.office.name):
        # The place's code is its ICT office's: a land office's charter imported without
        # --office would become the ICT office's charter in force.
        raise InputError(
            f"the document names {parsed.office.name or 'an office'} at {named} (line "
            f"{parsed.office.line}), not an ICT office: give --office {named}@<slug> "
            "--kind KIND (e.g. --office " + f"{named}@land --kind land)")
    return named


#: Words of an ICT office's name (উপজেলা আইসিটি কার্যালয়, তথ্য ও যোগাযোগ প্রযুক্তি অধিদপ্তর).
_ICT_NAME = re.compile(r"আইসিটি|তথ্য\s*ও\s*যোগাযোগ\s*প্রযুক্তি|\bICT\b|"
                       r"information\s+and\s+communication\s+technology", re.IGNORECASE)


def _names_an_ict_office(name: str | None) -> bool:
    """Whether a printed office name is an ICT office's (no name: not known to be)."""
    return name is not None and bool(_ICT_NAME.search(unicodedata.normalize("NFC", name)))


def import_charter(
    parsed: ParsedCharter,
    *,
    office_code: str | None,
    effective: date,
    source: str,
    source_sha256: str,
    directory: Path | None = None,
    replace_version: bool = False,
    geo: Geography | None = None,
    kind: str | None = None,
) -> ImportResult:
    """Write ``parsed`` into its office's catalog file as the version effective ``effective``.

    Existing versions (and the edits reviewers made to them) are never touched, except
    with ``replace_version`` for the version of the same date. Importing content that is
    already there (same source text, or same services) changes nothing: "unchanged".

    ``kind`` is what the office is: needed for a new ``@`` office's file (plain codes are
    ICT offices), checked against the kind an existing file records.
    """
    geo = geo or load_geography()
    code = resolve_office(parsed, office_code, geo)
    path = catalog_path(code, directory)
    version = CharterVersion(
        effective=effective,
        source=source,
        source_sha256=source_sha256,
        services=parsed.services,
        grs=parsed.grs,
        review=parsed.problems,
    )
    if not path.exists():
        catalog = _new_catalog(parsed, code, _kind_of_new(code, kind), version, geo)
        _write_text(path, dumps(catalog))
        return ImportResult(path, "created", version, f"created {path.name} with the "
                                                      f"version effective {effective}")
    text = path.read_text(encoding="utf-8")
    existing = _catalog_from_text(path, text, geo)
    if kind is not None and parse_kind(kind) != existing.kind:
        raise InputError(f"{path.name} is the catalog of a {existing.kind} office, not "
                         f"{parse_kind(kind)}: check --kind (or --office)")
    same_day = existing.version_effective(effective)

    def identical(other: CharterVersion) -> bool:
        return (other.source_sha256 == source_sha256
                or other.content_hash == version.content_hash)

    if same_day is not None:
        if identical(same_day):
            return ImportResult(path, "unchanged", same_day,
                                f"unchanged: {path.name} already has this charter "
                                f"effective {effective}")
        if not replace_version:
            raise InputError(
                f"{path.name} already has a different version effective {effective}: "
                "use another --effective date for a new version, or --replace"
            )
        _write_text(path, _with_version(path, text, version, replacing=True))
        return ImportResult(path, "replaced", version,
                            f"replaced the version effective {effective} in {path.name}")
    in_force = existing.version_on(effective)
    for other in existing.versions:
        if other.source_sha256 == source_sha256 or (
            other is in_force and identical(other)
        ):
            return ImportResult(path, "unchanged", other,
                                f"unchanged: identical to the version effective "
                                f"{other.effective} in {path.name}")
    _write_text(path, _with_version(path, text, version, replacing=False))
    return ImportResult(path, "added", version, f"added the version effective {effective} "
                                                f"to {path.name} "
                                                f"({len(existing.versions) + 1} versions)")


def _kind_of_new(code: str, kind: str | None) -> str:
    """The kind of an office getting its first catalog file: given, or ICT for a plain
    code; refused when it contradicts the code (tracker.domain.offices)."""
    parsed = parse_office_code(code)
    if kind is None:
        if not parsed.is_ict:
            raise InputError(f"{code} is a new office: give its kind with --kind "
                             "(land, uno, union_parishad, ... or your own word)")
        return OfficeKind.ICT
    found = parse_kind(kind)
    check_kind_for_code(parsed, found)
    return found


def _new_catalog(parsed: ParsedCharter, code: str, kind: str, version: CharterVersion,
                 geo: Geography) -> OfficeCatalog:
    """The catalog of a new file: the office's name as printed, else (for offices other
    than ICT, whose charters often print none) the kind's label and the place."""
    office = geo.office(code)
    name = parsed.office.name
    if not name and kind != OfficeKind.ICT:
        place = office.upazila or office.district
        name = office_name(kind, office.level, place_bn=place.name_bn,
                           place_en=place.name_en)[0]
    return OfficeCatalog(code=code, name_bn=name or office.name_bn,
                         website=parsed.office.website, versions=(version,), kind=kind)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------
# Differences between versions


@dataclass(frozen=True)
class Change:
    kind: Literal["added", "removed", "deadline", "renamed", "officer"]
    category: str
    number: int
    text: str

    def __str__(self) -> str:
        mark = {"added": "+", "removed": "-"}.get(self.kind, "~")
        return f"{mark} {self.category} {self.number}: {self.text}"


def diff_versions(old: CharterVersion, new: CharterVersion) -> list[Change]:
    """Services added or removed, deadlines changed, renamed, officers changed."""
    before = {s.key: s for s in old.services}
    after = {s.key: s for s in new.services}
    changes: list[Change] = []
    for key in sorted(set(before) | set(after),
                      key=lambda k: (CATEGORIES.index(cast(Category, k[0])), k[1])):
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            changes.append(Change("added", *key, f"{b.name_bn} ({b.deadline.describe()})"))
        elif b is None and a is not None:
            changes.append(Change("removed", *key, a.name_bn))
        elif a is not None and b is not None:
            if (a.deadline.describe(), a.deadline.raw) != (b.deadline.describe(),
                                                           b.deadline.raw):
                changes.append(Change("deadline", *key, f"{a.deadline.describe()} -> "
                                                        f"{b.deadline.describe()}"))
            if a.name_bn != b.name_bn:
                changes.append(Change("renamed", *key, f"{a.name_bn} -> {b.name_bn}"))
            if a.responsible_officer != b.responsible_officer:
                changes.append(Change("officer", *key, "responsible officer changed"))
    return changes
