"""Bangladesh geography (data/geo: 8 divisions, 64 districts, 494 upazilas) and office codes.

Office codes identify the offices whose charters the tracker holds:

- an upazila office is ``{district_slug}.{upazila_slug}``, e.g. ``jashore.keshabpur``,
  ``dinajpur.dinajpur-sadar``;
- a district office is ``{district_slug}``, e.g. ``magura``;
- any other office of the place (land, union parishad, BTCL, …) adds ``@{slug}``:
  ``habiganj.madhabpur@land``, ``dhaka@btcl`` (the grammar: tracker.domain.offices).

Slugs are the English names of data/geo in lowercase ASCII with hyphens. Names are matched
leniently: English or Bengali, any case and spacing, "Sadar"/সদর, the older English
spellings (Jessore, Comilla, Bogra, ...) and common Bengali spelling variants.

    geo = load_geography()
    geo.office("jashore.keshabpur").upazila.name_bn   # "কেশবপুর"
    geo.find_upazila("দিনাজপুর সদর", district=geo.find_district("Dinajpur"))
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tracker.config import get_settings
from tracker.domain.charter.text import match_key
from tracker.domain.offices import Level, OfficeCodeError, parse_office_code
from tracker.errors import TrackerError


class UnknownOfficeError(TrackerError):
    """An office code that does not name a district or upazila of data/geo."""


#: spellings of one place: data/geo may use either; every one is read as the first
_SPELLING_GROUPS: tuple[tuple[str, ...], ...] = (
    ("jashore", "jessore"), ("cumilla", "comilla"), ("bogura", "bogra"),
    ("chattogram", "chittagong"), ("barishal", "barisal"), ("coxsbazar", "cox's bazar",
    "coxs bazar", "cox bazar"), ("chapainawabganj", "chapai nawabganj"),
    ("jhalakathi", "jhalokati", "jhalokathi"), ("netrokona", "netrakona"),
    ("moulvibazar", "maulvibazar"), ("narayanganj", "narayangonj"),
)
_SADAR_KEYS = (match_key("sadar"), match_key("সদর"))


def slugify(name_en: str) -> str:
    """``Dinajpur Sadar`` -> ``dinajpur-sadar``."""
    return re.sub(r"[^a-z0-9]+", "-", name_en.casefold()).strip("-")


def name_key(name: str) -> str:
    """A lenient key: case, spacing, Bengali variants, "upazila"/"district" words ignored."""
    text = name.casefold().strip()
    for word in ("upazila", "upozila", "district", "zila", "উপজেলা", "জেলা"):
        text = text.replace(word, " ")
    for canonical, *others in _SPELLING_GROUPS:
        for other in others:
            text = re.sub(rf"\b{re.escape(other)}\b", canonical, text)
    return match_key(text)


@dataclass(frozen=True)
class Division:
    id: int
    name_en: str
    name_bn: str


@dataclass(frozen=True)
class District:
    id: int
    division_id: int
    name_en: str
    name_bn: str
    website: str

    @property
    def slug(self) -> str:
        return slugify(self.name_en)


@dataclass(frozen=True)
class Upazila:
    id: int
    district: District
    name_en: str
    name_bn: str
    website: str

    @property
    def slug(self) -> str:
        return slugify(self.name_en)

    @property
    def code(self) -> str:
        return f"{self.district.slug}.{self.slug}"


@dataclass(frozen=True)
class Office:
    """An office identified by its code: a district office or an upazila office; ``slug``
    for any office but the place's ICT office (``code`` is then ``<place>@<slug>``)."""

    code: str
    district: District
    upazila: Upazila | None = None
    slug: str | None = None

    @property
    def place_code(self) -> str:
        """The code of the place (and of its ICT office): ``jashore.keshabpur``."""
        return self.upazila.code if self.upazila else self.district.slug

    @property
    def level(self) -> Level:
        return "upazila" if self.upazila else "district"

    @property
    def name_en(self) -> str:
        if self.upazila:
            return f"{self.upazila.name_en}, {self.district.name_en}"
        return self.district.name_en

    @property
    def name_bn(self) -> str:
        if self.upazila:
            return f"{self.upazila.name_bn}, {self.district.name_bn}"
        return self.district.name_bn


@dataclass(frozen=True)
class Geography:
    divisions: tuple[Division, ...]
    districts: tuple[District, ...]
    upazilas: tuple[Upazila, ...]
    _district_keys: dict[str, District] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for district in self.districts:
            for name in (district.name_en, district.name_bn):
                self._district_keys.setdefault(name_key(name), district)

    def find_district(self, name: str) -> District | None:
        """The district called ``name`` (English or Bengali, lenient), or None."""
        key = name_key(name)
        for suffix in _SADAR_KEYS:  # "Dinajpur Sadar" names the district seat, not a district
            if key.endswith(suffix) and key not in self._district_keys:
                return None
        return self._district_keys.get(key)

    def upazilas_of(self, district: District) -> tuple[Upazila, ...]:
        return tuple(u for u in self.upazilas if u.district.id == district.id)

    def find_upazila(self, name: str, district: District | None = None) -> Upazila | None:
        """The upazila called ``name`` (within ``district`` if given), or None.

        "সদর" / "Sadar" alone, or "<district> Sadar" in either language, is the district's
        Sadar upazila. None too when the name is ambiguous without a district.
        """
        key = name_key(name)
        if not key:
            return None
        candidates = self.upazilas_of(district) if district else self.upazilas
        found = [u for u in candidates if key in (name_key(u.name_en), name_key(u.name_bn))]
        if not found and district is not None and (
            key in _SADAR_KEYS
            or any(key == name_key(n) + s for n in (district.name_en, district.name_bn)
                   for s in _SADAR_KEYS)
        ):
            found = [u for u in candidates if any(
                name_key(u.name_en).endswith(s) or name_key(u.name_bn).endswith(s)
                for s in _SADAR_KEYS)]
        return found[0] if len(found) == 1 else None

    def office(self, code: str) -> Office:
        """The office with this code; UnknownOfficeError (with a hint) if there is none.

        ``<place>@<slug>`` codes name the place's other offices: the place is checked
        here, the slug only for its form (any office may be brought on board)."""
        try:
            parsed = parse_office_code(code)
        except OfficeCodeError as exc:
            raise UnknownOfficeError(f"unknown {exc}") from None  # "unknown office code '…': …"
        district_slug, _, upazila_slug = parsed.place.partition(".")
        district = next((d for d in self.districts if d.slug == district_slug), None)
        if district is None:
            raise UnknownOfficeError(
                f"unknown office code {code!r}: no district {district_slug!r} "
                "(codes look like 'jashore.keshabpur', 'magura' or "
                "'habiganj.madhabpur@land'; see data/geo/)"
            )
        suffix = f"@{parsed.slug}" if parsed.slug else ""
        if not upazila_slug:
            return Office(code=district.slug + suffix, district=district, slug=parsed.slug)
        upazila = next((u for u in self.upazilas_of(district) if u.slug == upazila_slug), None)
        if upazila is None:
            known = ", ".join(u.code for u in self.upazilas_of(district))
            raise UnknownOfficeError(
                f"unknown office code {code!r}: no upazila {upazila_slug!r} in "
                f"{district.name_en} (known: {known})"
            )
        return Office(code=upazila.code + suffix, district=district, upazila=upazila,
                      slug=parsed.slug)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=4)
def _load(geo_dir: Path) -> Geography:
    divisions = tuple(
        Division(int(r["id"]), r["name_en"], r["name_bn"])
        for r in _rows(geo_dir / "divisions.csv")
    )
    districts = tuple(
        District(int(r["id"]), int(r["division_id"]), r["name_en"], r["name_bn"],
                 r.get("website", ""))
        for r in _rows(geo_dir / "districts.csv")
    )
    by_id = {d.id: d for d in districts}
    upazilas = tuple(
        Upazila(int(r["id"]), by_id[int(r["district_id"])], r["name_en"], r["name_bn"],
                r.get("website", ""))
        for r in _rows(geo_dir / "upazilas.csv")
        if int(r["district_id"]) in by_id
    )
    return Geography(divisions, districts, upazilas)


def load_geography(geo_dir: Path | None = None) -> Geography:
    """The geography of data/geo (cached per folder)."""
    return _load(geo_dir or get_settings().data_dir / "geo")
