"""Bengali and English display: digits both ways and the one set of formatters.

Every screen, digest, export and CLI line formats dates, numbers and percentages here, so
that they agree everywhere:

- dates ``dd-mm-yyyy`` in both languages, as paper registers write them (Bengali digits in
  Bengali: ``২৭-০৩-২০২৫``); months ``mm-yyyy``;
- whole numbers as integers with thousands separators (``১,২৩৪``; never ``৫৪৭.০``);
- percentages with one decimal (``৯৬.৫%``); a missing value as an em dash.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from enum import StrEnum

BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"
_TO_BENGALI = str.maketrans("0123456789", BENGALI_DIGITS)
_TO_ASCII = str.maketrans(BENGALI_DIGITS, "0123456789")
MISSING = "—"


class Lang(StrEnum):
    BN = "bn"
    EN = "en"


LANGS: tuple[Lang, ...] = (Lang.BN, Lang.EN)


def ascii_digits(text: str) -> str:
    """Bengali digits (০-৯) to ASCII; everything else unchanged."""
    return text.translate(_TO_ASCII)


def bengali_digits(text: str) -> str:
    """ASCII digits to Bengali ones; everything else unchanged."""
    return text.translate(_TO_BENGALI)


def localise_digits(text: str, lang: str) -> str:
    """Bengali digits in Bengali mode, the text unchanged in English."""
    return bengali_digits(text) if lang == Lang.BN else text


def fmt_date(day: date | datetime | None, lang: str) -> str:
    """``dd-mm-yyyy`` (Bengali digits in Bengali mode); a datetime shows its date."""
    if day is None:
        return MISSING
    if isinstance(day, datetime):
        day = day.date()
    return localise_digits(f"{day:%d-%m-%Y}", lang)


def fmt_month(day: date, lang: str) -> str:
    """``mm-yyyy`` of a month's day."""
    return localise_digits(f"{day:%m-%Y}", lang)


def _missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_num(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """A number with thousands separators; ``decimals`` places (whole numbers: none)."""
    if _missing(value):
        return MISSING
    assert value is not None
    return localise_digits(f"{value:,.{decimals}f}", lang)


def fmt_pct(value: float | None, lang: str) -> str:
    """A percentage with one decimal: ``96.5%`` / ``৯৬.৫%``."""
    return MISSING if _missing(value) else fmt_num(value, lang, 1) + "%"


def fmt_time(hhmm: str, lang: str) -> str:
    """A clock time (``15:30``) in the language's digits."""
    return localise_digits(hhmm, lang)


#: The GRS tiers' titles (GUIDE §1): role -> (Bengali, English). The one table of them.
GRS_TITLES: dict[str, tuple[str, str]] = {
    "complaint_officer": ("অভিযোগ নিষ্পত্তি কর্মকর্তা (অনিক)", "Complaint officer (GRS focal point)"),
    "appeal_officer": ("আপিল কর্মকর্তা", "Appeal officer"),
    "cabinet_cell": ("মন্ত্রিপরিষদ বিভাগের অভিযোগ ব্যবস্থাপনা সেল", "Cabinet Division GRS cell"),
}
#: Short forms for tight places (digest tables).
GRS_SHORT_TITLES: dict[str, tuple[str, str]] = {
    "complaint_officer": ("অনিক", "Complaint officer"),
    "appeal_officer": ("আপিল কর্মকর্তা", "Appeal officer"),
    "cabinet_cell": ("মন্ত্রিপরিষদ বিভাগের সেল", "Cabinet Division cell"),
}
GRS_TITLES_BN: dict[str, str] = {role: bn for role, (bn, _) in GRS_TITLES.items()}
GRS_TITLES_EN: dict[str, str] = {role: en for role, (_, en) in GRS_TITLES.items()}


def grs_title(role: str, lang: str, *, short: bool = False) -> str:
    """A GRS tier's title in the language (the role code if unknown)."""
    pair = (GRS_SHORT_TITLES if short else GRS_TITLES).get(role)
    if pair is None:
        return role
    return pair[0] if lang == Lang.BN else pair[1]
