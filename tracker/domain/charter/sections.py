"""Recognise headings (service sections, GRS, other parts) and table headers. Pure.

Matching uses :func:`match_key`, so spacing, ী/ি-style variants and the misspelling
"প্রতিষ্ঠানিক" (for প্রাতিষ্ঠানিক) are all accepted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from tracker.domain.charter.model import Category
from tracker.domain.charter.text import is_parenthesised_number, match_key, parse_serial, squash

HeadingKind = Literal["category", "grs", "other"]
#: fields a service-table column can hold
Field = Literal[
    "number", "name", "method", "documents", "fee", "deadline", "responsible", "escalation",
    "other",
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
    (("কারসঙ্গে", "কারসাথে", "কাহার", "যাহারনিকট", "যারনিকট", "যাহারকাছে", "যারকাছে"), "whom"),
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
    # "নির্ধারিত সময়ে সেবা না পাইলে যাহার নিকট অভিযোগ | সময়সীমা": whom, without a "when"
    if ("when" in fields or "whom" in fields) and "deadline" in fields:
        return fields
    return None


_SERIAL_KEY = match_key("ক্রম")


def looks_like_header(cells: Sequence[str]) -> bool:
    """A header row of some table: its first cell starts with ক্রম (serial). (Starts: with
    the virama folded away "ক্রম" is also inside কর্মকর্তা.)"""
    return bool(cells) and match_key(cells[0]).startswith(_SERIAL_KEY)


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


# --------------------------------------------------------------------------------------
# Headers by meaning (charters of any office, GUIDE §6)
#
# The ICT vocabulary above is tried first and, where it reads a header, its reading stands
# (the five ICT charters parse as before); these words fill the columns it does not know
# and read the headers it does not recognise. Order matters, as above: "নিষ্পত্তি না হলে
# যোগাযোগ এবং সময়কাল" is an escalation column although it says সময়; "Methods of service
# delivery" is a method although it says service.
_MEANING_WORDS: tuple[tuple[tuple[str, ...], Field], ...] = (
    (("গ্রহণকারী", "গ্রহনকারী", "মন্তব্য"), "other"),
    (("উর্ধ্বতন", "উর্দ্ধতন", "উর্ধতন", "ঊর্ধ্বতন", "নাহলে", "নাপেলে", "নাপাইলে",
      "ব্যর্থহলে", "প্রতিকার", "যোগাযোগ"), "escalation"),
    (("দায়িত্ব", "সেবাদানকারী", "সেবাপ্রদানকারী", "কর্মকর্তা", "কর্তৃপক্ষ", "ব্যক্তি"),
     "responsible"),
    (("সময়সীমা", "সময়", "নিস্পত্তিরসময়", "নিষ্পত্তিরসময়", "মেয়াদ"), "deadline"),
    (("মূল্য", "ফি", "খরচ", "পরিশোধ"), "fee"),
    (("কাগজ", "দলিলাদি"), "documents"),
    (("পদ্ধতি", "পদ্বতি", "প্রক্রিয়া", "প্রক্রিয়া"), "method"),
    (("সেবারনাম", "নাম", "বিবরণ", "ধরণ", "ধরন", "খাত", "সেবাসমূহ", "প্রদত্তসেবা", "শিরোনাম",
      "কার্যাবলী", "কার্যাবলি"), "name"),
    (("ক্রম", "নং", "নম্বর"), "number"),
    (("মন্তব্য", "স্থান", "কার্যক্রম", "গ্রহণকারী", "গ্রহনকারী", "বরাবর", "আবেদন"), "other"),
)
_MEANING_KEYS = tuple((tuple(match_key(w) for w in words), f) for words, f in _MEANING_WORDS)
#: English headers (uno_magurasadar), matched as words of the lower-cased cell
_ENGLISH_WORDS: tuple[tuple[str, Field], ...] = (
    (r"escalat\w*|appeal|grievance|if\s+not|higher\s+authority|supervis\w*", "escalation"),
    (r"responsible|officer|in\s+charge|designation|contact", "responsible"),
    (r"deadline|time\s*limit|time|duration|disposal|period|days?", "deadline"),
    (r"fees?|cost|price|charges?|payment", "fee"),
    (r"documents?|papers?|requirements?", "documents"),
    (r"methods?|procedures?|process|how", "method"),
    (r"name|services?|description|works?|activit\w*", "name"),
    (r"s\.?\s*l\.?|s\.?\s*r\.?|s\s*/\s*n|serial|no\.?|number|#", "number"),
    (r"remarks?|comments?|place|where|recipients?", "other"),
)
_ENGLISH = tuple((re.compile(rf"(?<![a-z])(?:{w})(?![a-z])"), f) for w, f in _ENGLISH_WORDS)
#: a header cell is short; a longer cell is a data cell that happens to use a header word
_HEADER_CELL_CHARS = 90


def meaning_field(header_cell: str) -> Field | None:
    """The field a header cell names, by meaning (Bengali or English), or None."""
    text = squash(header_cell)
    if not text or len(text) > _HEADER_CELL_CHARS:
        return None
    if re.search(r"[a-zA-Z]", text) and not re.search(r"[\u0980-\u09ff]", text):
        lower = text.casefold()
        return next((f for pattern, f in _ENGLISH if pattern.search(lower)), None)
    key = match_key(text)
    for words, found in _MEANING_KEYS:
        if any(w in key for w in words):
            return found
    return None


def meaning_header(cells: Sequence[str]) -> list[Field | None] | None:
    """The column fields of a header row read by meaning, or None if it is not one.

    A header names a service (name) and either a time limit or a serial column; a second
    column of a field already seen counts as ``other`` (the first name column is the
    service's name, the first time column the service-delivery limit: an escalation
    officer's own time, or a mislabelled column, is not). Without a time column the parser
    picks the column whose cells read as time limits. The ICT vocabulary's reading of a
    column wins where it has one.
    """
    fields: list[Field | None] = []
    for cell in cells:
        found = meaning_field(cell)
        if found is None and len(squash(cell)) <= _HEADER_CELL_CHARS:
            found = column_field(cell)
        if found is not None and found in fields and found != "other":
            found = "other"
        fields.append(found)
    if "name" not in fields:
        return None
    if "deadline" not in fields and "number" not in fields:
        return None
    known = sum(1 for f in fields if f is not None)
    return fields if known >= 2 else None


_KRA, _KRAM, _NONG = match_key("ক্র"), match_key("ক্রম"), match_key("নং")


def is_number_header(cell: str) -> bool:
    """The first header cell of a table: ক্রমিক নং, ক্রঃ নং, Sr. No., SL ..."""
    text = squash(cell)
    if not text or len(text) > 30:
        return False
    key = match_key(text)
    serial = key.startswith(_KRA) and _NONG in key  # ক্রঃ নং
    if key.startswith(_KRAM) or serial or key == _NONG:
        return True
    english = (r"(?:s\.?\s*[lr]\.?|serial)(?:\s*(?:no\.?|number))?|s\s*/\s*n|no\.?|#"
               r"|item\s*no\.?")
    return re.fullmatch(english, text.casefold()) is not None
