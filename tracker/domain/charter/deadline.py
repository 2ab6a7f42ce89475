"""Read a deadline cell (সেবা প্রদানের সময়সীমা) into a :class:`Deadline`. Pure.

Vocabulary (GUIDE.md §1), matched after NFC normalisation, Bengali or ASCII digits:

- তাৎক্ষণিক / তাৎক্ষনিক / তৎক্ষনিক / তৎক্ষণিক -> immediate
- N কার্যদিবস -> working days · N দিন -> calendar days · N ঘণ্টা -> hours · N মাস -> months
  (a number in words may follow in brackets: "০৭ (সাত) দিন")
- প্রযোজ্য / প্রয়োজ্য ক্ষেত্রে -> conditional (where applicable)
- প্রয়োজন অনুযায়ী -> conditional and as needed
- নির্দেশনা অনুযায়ী / মোতাবেক -> as per directive

Anything else left in the cell is reported, never dropped silently.
"""

from __future__ import annotations

import re

from tracker.domain.charter.model import Deadline, DeadlineUnit
from tracker.domain.charter.text import ascii_digits, nfc, squash

_IMMEDIATE = r"(?:তাৎক্ষণিক|তাৎক্ষনিক|তৎক্ষণিক|তৎক্ষনিক|তাতক্ষণিক|তাতক্ষনিক)(?:ভাবে)?"
_UNIT_WORDS: list[tuple[str, DeadlineUnit]] = [
    (r"কার্য\s?দিবস(?:ের)?|কর্ম\s?দিবস(?:ের)?|working\s+days?", "working_days"),
    (r"ঘণ্টা|ঘন্টা|hours?", "hours"),
    (r"মাস(?:ের)?|months?", "months"),
    (r"দিন(?:ের)?|calendar\s+days?|days?", "calendar_days"),
]
_UNIT = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_UNIT_WORDS))
#: a number, optionally its value in words in brackets, then the unit word
_AMOUNT = re.compile(nfc(
    rf"(?P<n>\d{{1,6}})\s*(?:\([^()\d]{{1,15}}\)\s*)?(?:{_UNIT})"), re.IGNORECASE
)
_CONDITIONAL = re.compile(nfc(r"\(?\s*(?:প্রযোজ্য|প্রয়োজ্য)\s*ক্ষেত্রে\s*\)?"))
_AS_NEEDED = re.compile(nfc(
    r"\(?\s*প্রয়োজন\s*(?:অনুযায়ী|অনুসারে)\s*\)?|\(?\s*প্রয়োজনে\s*\)?"
))
_DIRECTIVE = re.compile(nfc(
    r"(?:উর্ধ্বতন\s*কর্তৃপক্ষের\s*)?নির্দেশনা\s*(?:অনুযায়ী|অনুযায়ী|মোতাবেক|অনুসারে)"
))
_IMMEDIATE_RE = re.compile(nfc(_IMMEDIATE))
_BARE_NUMBER = re.compile(r"\d+")
_FILLER = re.compile(nfc(r"[\s/,;:।.()\-–—+&|]+|এবং|অথবা|বা|or|and|সর্বোচ্চ|মধ্যে"), re.IGNORECASE)


#: Marks meaning "same as the row above": double quotes of every shape, the ditto mark,
#: ঐ (Bengali "that/same"), "do"/"ditto" in English charters.
_DITTO_QUOTES = ("\"'`´\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f"
                 "\u2032\u2033\u3003\u02ee\u05f4")
_DITTO_WORDS = frozenset({"ঐ", "do", "ditto", "same"})
_DITTO_NOISE = re.compile(r"[\s\-‐‑–—_.,;:।|()\[\]{}*]+")


def is_ditto(raw: str) -> bool:
    """Whether a cell says only "same as the row above" (ঐ, -ঐ-, ’’, ", 〃, "ঐ", -do-).

    A lone dash is *not* a ditto (it usually means "not applicable"): without the word ঐ/do
    the cell must hold a quote or ditto mark.
    """
    text = squash(nfc(raw)).casefold()
    core = _DITTO_NOISE.sub("", text)
    has_quote = any(ch in _DITTO_QUOTES for ch in core)
    core = "".join(ch for ch in core if ch not in _DITTO_QUOTES)
    if core:
        return core in _DITTO_WORDS
    return has_quote


def _normalise(raw: str) -> str:
    text = ascii_digits(nfc(raw))
    # Old NFD-ish spellings of য় / ড় survive NFC as two code points; use one spelling.
    return squash(text)


def parse_deadline(raw: str) -> tuple[Deadline, list[str]]:
    """The deadline understood from ``raw``, and messages for whatever was not understood."""
    text = _normalise(raw)
    messages: list[str] = []
    rest = text

    # Each cut is squashed again: the patterns start with "\s*", and a run of spaces left by
    # many cuts would make every space of it scan the rest of the run (quadratic).
    immediate = bool(_IMMEDIATE_RE.search(rest))
    rest = squash(_IMMEDIATE_RE.sub(" ", rest))

    amounts: list[tuple[int, DeadlineUnit]] = []
    for match in _AMOUNT.finditer(rest):
        found_unit = next(unit for i, (_, unit) in enumerate(_UNIT_WORDS) if match.group(f"u{i}"))
        amounts.append((int(match.group("n")), found_unit))
    rest = squash(_AMOUNT.sub(" ", rest))

    as_needed = bool(_AS_NEEDED.search(rest))
    rest = squash(_AS_NEEDED.sub(" ", rest))
    conditional = as_needed or bool(_CONDITIONAL.search(rest))
    rest = squash(_CONDITIONAL.sub(" ", rest))
    per_directive = bool(_DIRECTIVE.search(rest))
    rest = squash(_DIRECTIVE.sub(" ", rest))

    unit: DeadlineUnit | None = None
    amount: int | None = None
    if amounts:
        amount, unit = max(amounts, key=lambda a: a[0])
        if len(amounts) > 1:
            messages.append(
                f"deadline {text!r} has {len(amounts)} limits; took the longest ({amount})"
            )
        if amount == 0:
            messages.append(f"deadline {text!r}: a limit of 0 is not a deadline")
            amount, unit = None, None
    bare = _BARE_NUMBER.findall(rest)
    if bare:
        messages.append(f"deadline {text!r}: number {' '.join(bare)} without a unit")
        rest = _BARE_NUMBER.sub(" ", rest)
    leftover = squash(_FILLER.sub(" ", rest))
    if leftover and not bare:
        messages.append(f"deadline {text!r}: did not understand {leftover!r}")
    elif leftover:
        messages.append(f"deadline {text!r}: also did not understand {leftover!r}")
    if not text:
        messages.append("deadline cell is empty")
    elif not (immediate or amount is not None or per_directive) and not messages:
        messages.append(f"deadline {text!r} not understood")
    return (
        Deadline(
            raw=squash(nfc(raw)),
            immediate=immediate,
            unit=unit,
            amount=amount,
            conditional=conditional,
            as_needed=as_needed,
            per_directive=per_directive,
        ),
        messages,
    )
