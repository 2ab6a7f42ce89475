"""Recognise headings (service sections, GRS, other parts) and table headers. Pure.

Matching uses :func:`match_key`, so spacing, ী/ি-style variants and the misspelling
"প্রতিষ্ঠানিক" (for প্রাতিষ্ঠানিক) are all accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from tracker.domain.charter.model import Category
from tracker.domain.charter.text import is_parenthesised_number, match_key, parse_serial, squash

HeadingKind = Literal["category", "grs", "other"]
#: fields a service-table column can hold
Field = Literal[
    "number", "name", "method", "documents", "fee", "deadline", "responsible", "escalation"
]
GrsField = Literal["number", "when", "whom", "address", "deadline"]

_CATEGORY_WORDS: tuple[tuple[str, Category], ...] = (
    ("নাগরিকসেবা", "citizen"),
    ("প্রাতিষ্ঠানিকসেবা", "institutional"),
    ("প্রতিষ্ঠানিকসেবা", "institutional"),
    ("প্রাতিস্ঠানিকসেবা", "institutional"),
    ("অভ্যন্তরীণসেবা", "internal"),
    ("অভ্যন্তরিনসেবা", "internal"),
    ("দাপ্তরিকসেবা", "internal"),
)
_CATEGORY_KEYS = tuple((match_key(word), cat) for word, cat in _CATEGORY_WORDS)
_GRS_KEYS = tuple(match_key(w) for w in ("অভিযোগ ব্যবস্থাপনা", "অভিযোগ প্রতিকার", "GRS"))
_OTHER_KEYS = tuple(match_key(w) for w in (
    "আপনার কাছে আমাদের প্রত্যাশা", "প্রত্যাশা", "ভিশন ও মিশন", "প্রতিশ্রুত সেবা",
    "প্রতিশুতু সেবা", "সিটিজেন চার্টার",
))


def classify_heading(text: str) -> tuple[HeadingKind, Category | None] | None:
    """What a short non-table line announces, or None if it is not a heading."""
    if len(text) > 400:  # (at most 80 characters once spaces are squashed): not cleaned up
        return None
    plain = squash(text.replace("#", " ").replace("*", " "))
    if not plain or len(plain) > 80:
        return None
    key = match_key(plain)
    for word, category in _CATEGORY_KEYS:
        if word in key:
            return ("category", category)
    if any(word in key for word in _GRS_KEYS):
        return ("grs", None)
    if any(word in key for word in _OTHER_KEYS):
        return ("other", None)
    return None


_CLOSING_KEYS = (match_key("প্রত্যাশা"),)  # "আপনার কাছে আমাদের প্রত্যাশা" (what we expect of you)


def is_closing_heading(text: str) -> bool:
    """A heading of a part printed after the services (GRS, "আপনার কাছে আমাদের প্রত্যাশা").

    The charter's title and the "প্রতিশ্রুত সেবা" heading are not: they may be repeated on a
    page between two services tables.
    """
    heading = classify_heading(text)
    if heading is None or heading[0] == "category":
        return False
    if heading[0] == "grs":
        return True
    key = match_key(squash(text))
    return any(word in key for word in _CLOSING_KEYS)


# Order matters: the officer headers mention নাম and পদবি, the fee header পদ্ধতি.
_COLUMN_WORDS: tuple[tuple[tuple[str, ...], Field], ...] = (
    (("উর্ধ্বতন", "উর্দ্ধতন", "উর্ধতন", "ঊর্ধ্বতন", "ঊর্ধতন", "ঊর্দ্ধতন"), "escalation"),
    (("দায়িত্বপ্রাপ্ত",), "responsible"),
    (("সময়সীমা", "সময়", "সময়সীমা"), "deadline"),
    (("মূল্য", "ফি"), "fee"),
    (("কাগজ", "প্রাপ্তিস্থান", "প্রাপ্তি"), "documents"),
    (("পদ্ধতি",), "method"),
    (("সেবারনাম", "নাম"), "name"),
    (("ক্রম", "নং"), "number"),
)
_COLUMN_KEYS = tuple((tuple(match_key(w) for w in words), f) for words, f in _COLUMN_WORDS)
_GRS_COLUMN_WORDS: tuple[tuple[tuple[str, ...], GrsField], ...] = (
    (("কখন",), "when"),
    (("কারসঙ্গে", "কারসাথে", "কাহার"), "whom"),
    (("ঠিকানা",), "address"),
    (("সময়সীমা", "সময়"), "deadline"),
    (("ক্রম",), "number"),
)
_GRS_COLUMN_KEYS = tuple(
    (tuple(match_key(w) for w in words), f) for words, f in _GRS_COLUMN_WORDS
)


def column_field(header_cell: str) -> Field | None:
    key = match_key(header_cell)
    if not key:
        return None
    for words, field in _COLUMN_KEYS:
        if any(w in key for w in words):
            return field
    return None


def service_header(cells: Sequence[str]) -> list[Field | None] | None:
    """The column fields of a service-table header row, or None if it is not one."""
    fields = [column_field(c) for c in cells]
    if "name" in fields and "deadline" in fields and fields.count("name") == 1:
        return fields
    return None


def grs_header(cells: Sequence[str]) -> list[GrsField | None] | None:
    """The columns of a GRS table header (কখন যোগাযোগ করবেন ...), or None."""
    fields: list[GrsField | None] = []
    for cell in cells:
        key = match_key(cell)
        found: GrsField | None = None
        for words, field in _GRS_COLUMN_KEYS:
            if key and any(w in key for w in words):
                found = field
                break
        fields.append(found)
    if "when" in fields and "deadline" in fields:
        return fields
    return None


def looks_like_header(cells: Sequence[str]) -> bool:
    """A header row of some table: its first cell says ক্রম (serial)."""
    return bool(cells) and match_key("ক্রম") in match_key(cells[0])


def number_row(cells: Sequence[str]) -> list[int] | None:
    """The column numbers of a "(১) (২) ..." / "০১ ০২ ..." row, or None if it is not one."""
    filled = [c for c in cells if squash(c)]
    if len(filled) < 3:
        return None
    numbers = []
    for cell in filled:
        value = parse_serial(cell)
        if value is None and not is_parenthesised_number(cell):
            return None
        numbers.append(value if value is not None else 0)
    return numbers
