"""Office codes and office kinds: the grammar, pure (no geography, no database).

Every upazila has some thirty offices (land, the UNO's office, union parishads,
agriculture, …), each with its own charter. An office code names one of them:

- ``jashore.keshabpur`` / ``jashore``: the upazila / district **ICT** office (the codes
  the tracker always had; they keep working unchanged);
- ``<place>@<slug>``: any other office of that place, e.g. ``habiganj.madhabpur@land``,
  ``jamalpur.sarishabari@doail-up`` (an upazila's office) or ``dhaka@btcl`` (a district's).

``place`` is ``district`` or ``district.upazila`` (data/geo slugs: tracker.domain.geo checks
that the place exists); ``slug`` is chosen by whoever brings the office on board
(``[a-z0-9][a-z0-9-]{0,39}``): one upazila may have several offices of one kind
(``…@doail-up``, ``…@pingna-up``), so the slug names the office and the *kind* says what
it is. Kinds are :class:`OfficeKind` or free text (``[a-z][a-z0-9_]{0,39}``, shown as
typed), so the store keeps the kind as text.

    parse_office_code("Habiganj.Madhabpur@land")  # OfficeCode("habiganj.madhabpur", "land")
    office_name(OfficeKind.LAND, "upazila", place_bn="মাধবপুর", place_en="Madhabpur")
    # ("উপজেলা ভূমি অফিস, মাধবপুর", "Upazila Land Office, Madhabpur")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from tracker.errors import TrackerError

Level = Literal["upazila", "district"]


def as_level(text: str) -> Level:
    """An office's level from its stored ``Office.kind`` text (anything but "district" is
    an upazila office, as the store has always written them)."""
    return "district" if text == "district" else "upazila"

_PLACE = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)?")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")


class OfficeCodeError(TrackerError):
    """Text that is not an office code (the message says which part is wrong)."""


class OfficeKind(StrEnum):
    """The kinds of office the tracker names; any other kind is free text."""

    ICT = "ict"
    LAND = "land"
    UNION_LAND = "union_land"
    UNO = "uno"
    UNION_PARISHAD = "union_parishad"
    PIO = "pio"
    AGRICULTURE = "agriculture"
    LIVESTOCK = "livestock"
    FISHERIES = "fisheries"
    HEALTH = "health"
    FAMILY_PLANNING = "family_planning"
    EDUCATION = "education"
    SECONDARY_EDUCATION = "secondary_education"
    SOCIAL_SERVICES = "social_services"
    WOMEN_AFFAIRS = "women_affairs"
    YOUTH = "youth"
    COOPERATIVE = "cooperative"
    ENGINEERING = "engineering"
    ELECTION = "election"
    SUB_REGISTRAR = "sub_registrar"
    PASSPORT = "passport"
    BTCL = "btcl"
    DC_OFFICE = "dc_office"
    OTHER = "other"


@dataclass(frozen=True)
class KindLabel:
    """An office kind's name in Bengali and English. ``{lvl}``/``{Lvl}`` stand for the
    level (উপজেলা/জেলা, Upazila/District); ``district_*`` when the district office of the
    kind is called something else altogether."""

    bn: str
    en: str
    district_bn: str | None = None
    district_en: str | None = None

    def text(self, level: Level) -> tuple[str, str]:
        if level == "district" and self.district_bn and self.district_en:
            return self.district_bn, self.district_en
        lvl, lvl_en = ("জেলা", "District") if level == "district" else ("উপজেলা", "Upazila")
        return self.bn.format(lvl=lvl), self.en.format(Lvl=lvl_en)


KIND_LABELS: dict[OfficeKind, KindLabel] = {
    OfficeKind.ICT: KindLabel("{lvl} আইসিটি অফিস", "{Lvl} ICT Office"),
    OfficeKind.LAND: KindLabel("{lvl} ভূমি অফিস", "{Lvl} Land Office"),
    OfficeKind.UNION_LAND: KindLabel("ইউনিয়ন ভূমি অফিস", "Union Land Office"),
    OfficeKind.UNO: KindLabel("উপজেলা নির্বাহী অফিসারের কার্যালয়",
                              "Upazila Nirbahi Officer's Office"),
    OfficeKind.UNION_PARISHAD: KindLabel("ইউনিয়ন পরিষদ", "Union Parishad"),
    OfficeKind.PIO: KindLabel("{lvl} প্রকল্প বাস্তবায়ন কর্মকর্তার কার্যালয়",
                              "{Lvl} Project Implementation Office"),
    OfficeKind.AGRICULTURE: KindLabel("{lvl} কৃষি অফিস", "{Lvl} Agriculture Office"),
    OfficeKind.LIVESTOCK: KindLabel("{lvl} প্রাণিসম্পদ অফিস", "{Lvl} Livestock Office"),
    OfficeKind.FISHERIES: KindLabel("{lvl} মৎস্য অফিস", "{Lvl} Fisheries Office"),
    OfficeKind.HEALTH: KindLabel("উপজেলা স্বাস্থ্য কমপ্লেক্স", "Upazila Health Complex",
                                 "সিভিল সার্জনের কার্যালয়", "Civil Surgeon's Office"),
    OfficeKind.FAMILY_PLANNING: KindLabel("{lvl} পরিবার পরিকল্পনা অফিস",
                                          "{Lvl} Family Planning Office"),
    OfficeKind.EDUCATION: KindLabel("{lvl} প্রাথমিক শিক্ষা অফিস",
                                    "{Lvl} Primary Education Office"),
    OfficeKind.SECONDARY_EDUCATION: KindLabel("উপজেলা মাধ্যমিক শিক্ষা অফিস",
                                              "Upazila Secondary Education Office",
                                              "জেলা শিক্ষা অফিস", "District Education Office"),
    OfficeKind.SOCIAL_SERVICES: KindLabel("{lvl} সমাজসেবা অফিস", "{Lvl} Social Services Office"),
    OfficeKind.WOMEN_AFFAIRS: KindLabel("{lvl} মহিলা বিষয়ক অফিস", "{Lvl} Women Affairs Office"),
    OfficeKind.YOUTH: KindLabel("{lvl} যুব উন্নয়ন অফিস", "{Lvl} Youth Development Office"),
    OfficeKind.COOPERATIVE: KindLabel("{lvl} সমবায় অফিস", "{Lvl} Cooperative Office"),
    OfficeKind.ENGINEERING: KindLabel("উপজেলা প্রকৌশলীর কার্যালয় (এলজিইডি)",
                                      "Upazila Engineer's Office (LGED)",
                                      "নির্বাহী প্রকৌশলীর কার্যালয় (এলজিইডি)",
                                      "Executive Engineer's Office (LGED)"),
    OfficeKind.ELECTION: KindLabel("{lvl} নির্বাচন অফিস", "{Lvl} Election Office"),
    OfficeKind.SUB_REGISTRAR: KindLabel("সাব-রেজিস্ট্রি অফিস", "Sub-Registry Office",
                                        "জেলা রেজিস্ট্রারের কার্যালয়",
                                        "District Registrar's Office"),
    OfficeKind.PASSPORT: KindLabel("পাসপোর্ট অফিস", "Passport Office"),
    OfficeKind.BTCL: KindLabel("বিটিসিএল অফিস", "BTCL Office"),
    OfficeKind.DC_OFFICE: KindLabel("জেলা প্রশাসকের কার্যালয়", "Deputy Commissioner's Office"),
    OfficeKind.OTHER: KindLabel("অফিস", "Office"),
}


@dataclass(frozen=True)
class OfficeCode:
    """A parsed office code: ``place`` (``district`` or ``district.upazila``) and, for any
    office but the place's ICT office, its ``slug``."""

    place: str
    slug: str | None = None

    @property
    def is_ict(self) -> bool:
        """Plain codes (no ``@``) are the ICT offices."""
        return self.slug is None

    @property
    def level(self) -> Level:
        return "upazila" if "." in self.place else "district"

    def __str__(self) -> str:
        return self.place if self.slug is None else f"{self.place}@{self.slug}"


def parse_office_code(text: str) -> OfficeCode:
    """``habiganj.madhabpur@land`` -> OfficeCode("habiganj.madhabpur", "land"); case and
    surrounding spaces do not matter. OfficeCodeError says which part is malformed."""
    code = text.strip().casefold()
    place, at, slug = code.partition("@")
    if not _PLACE.fullmatch(place):
        raise OfficeCodeError(
            f"office code {text!r}: the place must be district or district.upazila "
            "(e.g. jashore.keshabpur or magura; see data/geo/)")
    if not at:
        return OfficeCode(place)
    if not SLUG.fullmatch(slug):
        raise OfficeCodeError(
            f"office code {text!r}: after '@' comes the office's slug: lowercase letters, "
            "digits and hyphens, up to 40, e.g. habiganj.madhabpur@land")
    return OfficeCode(place, slug)


def parse_kind(text: str) -> str:
    """An office kind as stored: a known :class:`OfficeKind` or free text
    (``[a-z][a-z0-9_]{0,39}``, kept as typed after trimming and lowercasing)."""
    kind = text.strip().casefold()
    if not KIND.fullmatch(kind):
        known = ", ".join(k.value for k in OfficeKind)
        raise OfficeCodeError(
            f"office kind {text!r}: one of {known}, or your own word (lowercase letters, "
            "digits, '_', up to 40)")
    return kind


def check_kind_for_code(code: OfficeCode, kind: str) -> None:
    """Plain codes are ICT offices; an ``@`` code is any other kind, never ``ict`` (the
    place's ICT office is the plain code: one office must not have two codes)."""
    if code.is_ict and kind != OfficeKind.ICT:
        raise OfficeCodeError(
            f"{code} is the ICT office of {code.place}; a {kind} office needs its own code "
            f"{code.place}@<slug>, e.g. {code.place}@{kind.replace('_', '-')}")
    if not code.is_ict and kind == OfficeKind.ICT:
        raise OfficeCodeError(
            f"{code}: the ICT office of {code.place} is {code.place} (no '@'); "
            "give this office its own kind (--kind)")


def kind_label(kind: str, level: Level) -> tuple[str, str]:
    """(Bengali, English) name of the kind at ``level``; a free-text kind as typed."""
    try:
        label = KIND_LABELS[OfficeKind(kind)]
    except ValueError:
        return kind, kind
    return label.text(level)


def office_name(kind: str, level: Level, *, place_bn: str, place_en: str) -> tuple[str, str]:
    """(Bengali, English) name of an office whose charter prints none:
    ``উপজেলা ভূমি অফিস, মাধবপুর`` / ``Upazila Land Office, Madhabpur``. ICT offices keep
    the English form they always had (``Keshabpur Upazila ICT Office``), which reports,
    digests and the dashboard have shown since the start."""
    label_bn, label_en = kind_label(kind, level)
    if kind == OfficeKind.ICT:
        return f"{label_bn}, {place_bn}", f"{place_en} {label_en}"
    return f"{label_bn}, {place_bn}", f"{label_en}, {place_en}"


def has_own_officers(level: str, kind: str) -> bool:
    """Whether an office has officers of its own who log its requests and get its daily
    digest: every upazila-level office of any kind, and a district-level office that is
    not the district ICT office (whose users are the district's programmers), e.g.
    ``dhaka@btcl``. The one home of this rule: user creation and digests call it."""
    return level == "upazila" or kind != OfficeKind.ICT
