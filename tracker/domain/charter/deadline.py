"""Read a deadline cell (সেবা প্রদানের সময়সীমা) into a :class:`Deadline`. Pure, linear time.

The grammar is GUIDE.md §6. A cell is cut into *atoms* by one regular expression (numbers,
number words, unit words, and the phrases below), matched on the folded key of
:func:`tracker.domain.charter.numbers.fold` (NFC, ASCII digits, ী/ি ণ/ন ৎ/ত variants, no
hasanta), so glued text ("৪৫কায্যদিবস", "১থেকে ৩দিনের") reads like spaced text. A single pass
over the atoms then builds the limits:

- N <unit>: কার্যদিবস/কর্মদিবস/working days -> working days · দিন/days -> calendar days ·
  ঘণ্টা/hours -> hours · মাস/months -> months (সপ্তাহ x7 days, বছর x12 months). N is digits
  (Bengali or ASCII, leading zeros) or a number word; "০৫ (পাঁচ)" must agree. Minutes (and
  আধা ঘণ্টা) -> immediate.
- A-B / A থেকে B / A হতে B / A to B -> B with ``range_min`` A; সর্বোচ্চ/অনধিক/মধ্যে/within are
  filler. A/B -> two limits (variants).
- তাৎক্ষণিক, চাহিবা মাত্র, সাথে সাথে, একই দিনে, immediately -> immediate; with a limit:
  "immediate / N" (GUIDE §3 rule 5), conditional only where the cell says so.
- প্রযোজ্য ক্ষেত্রে -> conditional; প্রয়োজন অনুযায়ী -> conditional and as needed; other
  conditions (সাপেক্ষে, না থাকলে, সম্ভাব্য ক্ষেত্রে, ক্ষেত্রে, মাসিক সভা, counted from another
  office's letter: "... প্রাপ্তির", "after receipt from") -> conditional, the text kept in
  ``notes``. Counting from the citizen's own application (আবেদনের, অভিযোগ গ্রহণের, "after
  receiving the application") is no condition.
- নির্দেশনা/নীতিমালা/বিধি অনুযায়ী, মন্ত্রণালয় কর্তৃক নির্ধারিত, কর্তৃপক্ষের বেধে দেয়া সময়, "as
  per rules" -> per directive (it wins over "ongoing").
- A schedule (dates of the month, month and weekday names, clock times, "open", holidays
  included, সারা বছর, অর্থ বছর, বছরে একবার, সপ্তাহে N দিন, "2 days a week") or an ongoing
  process (চলমান প্রক্রিয়া, সময়সীমা নেই) -> no deadline; the numbers it contains are part of
  it ("২৪ ঘন্টা খোলা"). A schedule *and* a limit counted "within" -> review. Office hours
  alone -> no deadline; next to a limit they are a note.

- A frequency (প্রতি, অন্তর, পর পর, every: "৬ মাস পর পর") is a schedule: no deadline.
  "a week"/"in a week"/"a month" at the start are one unit; "once a year", "2 days a week"
  stay schedules.
- Words that make the number next to them no safe limit are flagged: a fraction (সাড়ে,
  দেড়, আড়াই, half), a minimum (কমপক্ষে, ন্যূনতম, সর্বনিম্ন, কম নয়, at least), a time
  before something (পূর্বে, আগে, before), a course's or validity's length (মেয়াদী, course,
  training), an approximation (প্রায়, about); hours with minutes ("১ ঘণ্টা ৩০ মিনিট": not
  immediate); "immediate / N" in a unit other than working days (the extended track counts
  working days only).

Whatever is not safely understood gives a message (the caller turns messages into problems
with the row's line) and ``needs_review``: several limits, open-ended or mixed-unit ranges,
ranges that do not go up, a number word that contradicts its digits, a limit of 0 or not a
whole number, calendar days "except holidays", numbers or time words left over, an empty or
unrecognisable cell (a ditto mark says so: the parser copies the row above, see
:func:`is_ditto`). ``needs_review`` is true exactly when there are messages. Prose left over
next to a clear limit is kept in ``notes``, not flagged; a no-deadline cell has no notes.
Several limits are never chosen between: ``amount`` stays empty for the reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Final

from tracker.domain.charter.model import Deadline, DeadlineUnit
from tracker.domain.charter.numbers import (
    DROPPED_MARKS,
    NUMBER_WORD_PATTERN,
    fold,
    number_word_value,
)
from tracker.domain.charter.text import ascii_digits, nfc, squash

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


# --- the atoms -------------------------------------------------------------------------
# Patterns are written in natural spelling and folded like the text (fold() keeps regex
# syntax: it only lower-cases ASCII, so no upper-case escapes). No alternative starts with an
# unbounded repeat except the plain number, so the scan stays linear.

_BN = r"\u0980-\u09ff"  # as regex escapes: folding must not touch them
_NOT_BN_BEFORE = f"(?<![{_BN}a-z])"
_NOT_BN_AFTER = f"(?![{_BN}a-z])"

_UNIT_PATTERNS: Final[dict[str, str]] = {
    # কাযর্/কমর্: the reph misplaced by old (Bijoy) font conversions
    "working_days": (r"(?:কার্য্য|কার্য|কায্য|কাৰ্য|কায|কাযর্|কর্ম|কমর্) ?দিবস(?:ের|ে)?"
                     r"|কাজের দিন(?:ের|ে)?"
                     r"|(?<![a-z])(?:working|work|business|office) ?days?\b|(?<![a-z])workdays?\b"),
    "weeks": r"সপ্তাহ(?:ের|ে)?|(?<![a-z])weeks?\b",
    "years": r"বছর(?:ের|ে)?|বৎসর(?:ের|ে)?|(?<![a-z])years?\b",
    "hours": r"ঘণ্টা(?:র|য়)?|ঘন্টা(?:র|য়)?|(?<![a-z])(?:hours?|hrs?)\b",
    "months": r"মাস(?!িক)(?:ের|ে)?|(?<![a-z])months?\b",
    "calendar_days": r"(?:দিন(?:ের|েও|ে)?|দিবস(?:ের|ে)?)|(?<![a-z])(?:calendar )?days?\b",
}
_UNIT_RES = {unit: re.compile(fold(p)) for unit, p in _UNIT_PATTERNS.items()}
_ANY_UNIT = "|".join(_UNIT_PATTERNS.values())
#: ছুটি, "সাপ্তাহিক ও সরকারি ছুটির": a holiday is not a time limit (its দিন is no unit)
_HOLIDAY = r"(?:(?:সাপ্তাহিক|সরকারি|সকল|অন্যান্য)(?: ?(?:ও|এবং|/|,) ?(?:সরকারি|অন্যান্য))? ?)?ছুটির?"
_NUMW = NUMBER_WORD_PATTERN  # already folded

_ATOMS: Final[list[tuple[str, str]]] = [
    ("paren_num", rf"\( ?(?:\d{{1,6}}|{_NUMW}) ?\)"),
    ("paren_text", rf"\([^()\d]{{1,15}}\)(?= ?(?:{_ANY_UNIT}))"),
    ("directive",
     r"(?:(?:সংশ্লিষ্ট|উর্ধ্বতন|উর্ধতন|ঊর্ধ্বতন|ঊর্ধতন|উর্দ্ধতন) ?)?(?:কর্তৃপক্ষের ?)?"
     r"(?:নির্দেশনা|নিদের্শনা|নির্দেশিকা|নির্দেশ|নীতিমালা|বিধিমালা|বিধি|বিধান|পরিপত্র|আইন"
     r"|সার্কুলার|গাইডলাইন|সিদ্ধান্ত|আদেশ)(?:র|ের)? ?(?:অনুযায়ী|অনুসারে|মোতাবেক|মোতাবেকে|আলোকে|অনুসরণে|মতে)"
     r"|(?:মন্ত্রণালয়|অধিদপ্তর|অধিদফতর|বিভাগ|কর্তৃপক্ষ|সরকার)(?:ের|র)? ?(?:কর্তৃক ?)?নির্ধারিত"
     r"(?: সময়(?: ?সীমা)?(?:র|ে)?)?|নির্ধারিত সময়(?: ?সীমা)?(?:র|ে)?"
     r"|(?:(?:উর্ধ্বতন|উর্ধতন|ঊর্ধ্বতন|ঊর্ধতন) ?)?(?:কর্তৃপক্ষের ?)?বেধে ?(?:দেয়া|দেওয়া)"
     r"(?: সময়(?: ?সীমা)?(?:র|ে)?)?"
     r"|\b(?:as per|according to|in accordance with) (?:the )?(?:[a-z]+ )?(?:directives?"
     r"|instructions?"
     r"|guidelines?|polic(?:y|ies)|rules?|circulars?|orders?)\b"
     r"|\bas (?:directed|instructed|prescribed)\b|\bper directive\b"),
    ("as_needed", r"প্রয়োজন ?(?:অনুযায়ী|অনুসারে|মাফিক)|প্রয়োজনে|\b(?:as|if) (?:needed|required)\b"),
    ("applicable", r"(?:প্রযোজ্য|প্রয়োজ্য) ?ক্ষেত্রে|\b(?:where|if|as) applicable\b"),
    # counted from the citizen's own application or complaint: not a condition
    ("request",
     r"(?:আবেদন(?:পত্র)?|অভিযোগ|দরখাস্ত)(?: ?(?:প্রাপ্তির|গ্রহণের|দাখিলের|জমার|পাওয়ার))?(?:ের)?"
     r"|\b(?:(?:after|upon|on|from) (?:the )?)?(?:date of )?(?:receipt|receiving|submission"
     r"|filing|getting)(?: of)? (?:the |an |a |your |his |her )?(?:applications?|requests?"
     r"|complaints?|petitions?)\b"),
    ("condition",
     r"সাপেক্ষে|না থাকলে|থাকলে|(?<![\u0980-\u09ff])হলে|সম্ভাব্য ক্ষেত্রে|সম্ভব হলে"
     r"|ক্ষেত্র ?বিশেষে?|বিশেষ ক্ষেত্রে|স্বাভাবিক (?:প্রক্রিয়ায়|ক্ষেত্রে|অবস্থায়|নিয়মে)"
     r"|মাসিক ?সভা(?:য়|র)?|সভায়|সভার|শুনানি|প্রাপ্তির|দাখিলের|পাওয়ার পর|ক্ষেত্রে"
     r"|\bsubject to\b|\bif there is no\b|\bprovided\b"
     r"|\b(?:after|upon|on) (?:the )?(?:receipt|receiving|getting|submission)\b"
     r"|\b(?:where|if) (?:possible|feasible)\b|\bnormally\b|\bin normal\b"),
    ("office_hours",
     r"অফিস ?(?:চলাকালীন|চলাকালে|সময়ে)|দাপ্তরিক সময়ে|\b(?:during )?(?:office|working) hours\b"),
    ("holidays_too",
     rf"{_HOLIDAY}(?: ?দিন)?(?:েও| ?ও(?![\u0980-\u09ff])| ?সহ)"
     r"|\b(?:including|incl\.?|even on) (?:public )?holidays\b|\bholidays included\b"),
    ("holidays_except",
     rf"{_HOLIDAY}(?: ?দিন)?(?: ?সমূহ)? ?(?:ব্যতীত|ছাড়া|বাদে)"
     r"|\b(?:except|excluding) (?:on )?(?:public |government )?holidays\b"),
    ("holiday", rf"{_HOLIDAY}(?: ?দিন(?:ের|ে)?)?"),
    ("ongoing",
     r"(?:বাৎসরিক |বার্ষিক )?চলমান(?: ?প্রক্রিয়া)?|নিয়মিত(?: ?প্রক্রিয়া)?|\bongoing\b"
     r"|\bcontinuous(?:ly)?\b|(?:নির্দিষ্ট )?সময় ?সীমা ?(?:নেই|নাই)|\bno (?:fixed )?time ?limit\b"
     r"|\bnot fixed\b|\bno fixed time\b"),
    ("schedule",
     r"সারা ?বছর(?: ?ব্যাপী)?|বছর ?ব্যাপী|বাৎসরিক|বার্ষিক|প্রতি ?বছর(?:ে)?|প্রত্যেক বছর"
     r"|প্রতি ?মাসে|প্রতি ?সপ্তাহে|প্রতি ?দিন|দৈনিক|সাপ্তাহিক|মাসিক|মৌসুম(?:ে|ী)?|সার্বক্ষণিক"
     r"|অর্থ ?বছর(?:ের|ে)?|ত্রৈমাসিক|ষাণ্মাসিক|ব্যাপী|(?:বছর|মাস|মাসের|সপ্তাহ|সপ্তাহের) ?(?:শেষে|শুরুতে)"
     r"|\bquarterly\b|\bhalf[- ]yearly\b|\bround the year\b|\bfiscal year\b"
     r"|\byear[- ]round\b|\bthroughout the year\b|\ball (?:the )?year\b"
     r"|\b(?:every|each|per) (?:year|month|week|day)\b"
     # "once a year", "2 days a week": a schedule; "a week", "in a week": one week (numword)
     r"|(?<=[a-z0-9.]\x20)(?<!within\x20)(?<!in\x20)(?<!about\x20)\ba (?:year|month|week|day)\b"
     # a frequency, not a limit: "প্রতি ৩ মাস অন্তর", "৬ মাস পর পর", "Every 6 months"
     r"|প্রতি(?![\u0980-\u09ff])|অন্তর(?![\u0980-\u09ff])|পর ?পর(?![\u0980-\u09ff])|\bevery\b"
     r"|\bannual(?:ly)?\b|\byearly\b"
     r"|\bmonthly\b|\bweekly\b|\bdaily\b|\bseason(?:al)?\b|\bround the clock\b"),
    ("open", r"খোলা|\bopen\b|24 ?/ ?7|24 ?x ?7"),
    ("immediate",
     r"(?:তাৎক্ষণিক|তাৎক্ষনিক|তৎক্ষণিক|তাতক্ষণিক|তৎক্ষণাৎ|তাৎক্ষণাৎ)(?:ভাবে)?|তখনই"
     r"|চাহিবা ?মাত্র(?:ই)?|চাওয়া ?মাত্র(?:ই)?|সাথে ?সাথে(?:ই)?|সঙ্গে ?সঙ্গে(?:ই)?"
     r"|(?:একই|সেই|ঐ|ওই) ?দিন(?:ে|েই|ই)?|সেদিনই"
     r"|\bimmediate(?:ly)?\b|\binstant(?:ly)?\b|\bat once\b|\bon the spot\b|\bon demand\b"
     r"|\bforthwith\b|\bsame day\b"),
    # words that make the number next to them no safe limit (GUIDE §6: flagged, not guessed)
    ("fraction", r"(?<![\u0980-\u09ff])(?:সাড়ে|দেড়|আড়াই)(?![\u0980-\u09ff])"
                 r"|\band a half\b|\bhalf\b(?! an? hour)"),
    ("minimum", r"কমপক্ষে|কম ?পক্ষে|ন্যূনতম|সর্বনিম্ন|কম নয়|কম নহে|\bat least\b|\bminimum\b"
                r"|\b(?:not|no) less than\b"),
    ("before", r"(?:পূর্বে|আগে)(?:ই)?(?![\u0980-\u09ff])|\bbefore\b|\bprior to\b|\bin advance\b"),
    ("course", r"মেয়াদ(?:ী|ি|ের)?(?![\u0980-\u09ff])|\b(?:course|training)\b"),
    ("approx", r"প্রায়|আনুমানিক|\b(?:about|approximately|approx\.?|around|roughly)\b"),
    ("minutes", rf"(?:\d{{1,6}}|{_NUMW}) ?(?:মিনিট(?:ের)?|(?<![a-z])(?:minutes?|mins?)\b)"
                r"|আধা? ?ঘণ্টা(?:র)?|\bhalf an? hour\b"),
    ("once", rf"(?:\d{{1,3}}|{_NUMW}) ?বার(?![{_BN}])|একবার|\bonce\b|\btwice\b|\d{{1,3}} times\b"),
    ("clock",
     r"\d{1,2}(?:[.:]\d{1,2})? ?(?:টা(?!কা)(?:য়|র)?|ঘটিকা(?:য়)?|(?:a\.?m|p\.?m)\b\.?|o'?clock)"
     r"|সকাল|বিকাল|বিকেল|দুপুর|সন্ধ্যা|(?<![\u0980-\u09ff])রাত(?![\u0980-\u09ff])"
     r"|\bmorning\b|\bafternoon\b|\bevening\b"),
    ("date", rf"\d{{1,2}} ?(?:তারিখ(?:ে|ের)?|তাং|(?:st|nd|rd|th|লা|রা|ঠা|শে|ম|য়|র্থ|ষ্ঠ|তম)"
             rf"(?:{_NOT_BN_AFTER}|(?=সপ্তাহ|দিন|মাস|বছর)))|পহেলা"
             r"|(?:প্রথম|দ্বিতীয়|তৃতীয়|চতুর্থ|শেষ) ?(?:সপ্তাহ|দিন|মাস)(?:ের|ে)?"
             r"|\b(?:first|second|third|fourth|last) (?:week|day|month)\b"),
    ("month",
     rf"{_NOT_BN_BEFORE}(?:বৈশাখ|জ্যৈষ্ঠ|জৈষ্ঠ|আষাঢ়|শ্রাবণ|ভাদ্র|আশ্বিন|কার্তিক|অগ্রহায়ণ|পৌষ|মাঘ"
     r"|ফাল্গুন|চৈত্র|জানুয়ারি|জানুয়ারী|ফেব্রুয়ারি|ফেব্রুয়ারী|মার্চ|এপ্রিল|মে(?![\u0980-\u09ff])"
     r"|জুন|জুলাই|আগস্ট|আগষ্ট|সেপ্টেম্বর|অক্টোবর|নভেম্বর|ডিসেম্বর|january|february|march"
     r"|april|june|july|august|september|october|november|december|baishakh|boishakh"
     r"|শনিবার|রবিবার|সোমবার|মঙ্গলবার|বুধবার|বৃহস্পতিবার|শুক্রবার|sunday|monday|tuesday"
     r"|wednesday|thursday|friday|saturday)"),
    ("open_end",
     r"(?:বা|অথবা|ও) ?(?:তদুর্ধ্ব|তদুর্দ্ধ|তার ?বেশি|তার ?অধিক|ততোধিক|উর্ধ্বে)|তদুর্ধ্ব|ততোধিক"
     r"|এর ?বেশি|\bor more\b|\band above\b|\bor longer\b"),
    ("within",
     r"এর ?মধ্যে|মধ্যে|ভিতরে|ভেতরে|সর্বোচ্চ|সবোর্চ্চ|সর্বাধিক|অনধিক|অনুর্ধ্ব|পর্যন্ত|পর্যমত্ম"
     r"|পযর্ন্ত|পযর্মত্ম|\bwithin\b"
     r"|\bmaximum\b|\bmax\b\.?|\bat (?:the )?most\b|\bnot (?:more|later) than\b"
     r"|\bno later than\b|\bup ?to\b|\bin(?= an? (?:year|month|week|day)\b)"),
    ("range_word", r"থেকে|হতে|হইতে|\bto\b|\btill\b|\buntil\b"),
    ("unit", _ANY_UNIT),
    ("numword",
     rf"(?:{_NOT_BN_BEFORE}|(?<=থেকে)|(?<=হতে)|(?<=হইতে))(?:{_NUMW}|(?:^|(?<=within\x20)|(?<=in\x20)|(?<=about\x20))an?)"
     rf"(?= ?(?:{_ANY_UNIT}|\(|থেকে|হতে|হইতে|to\b|or\b|-|–|/))"),
    ("num", r"\d+(?:[.:]\d+)?"),
]


def _fold_pattern(kind: str, pattern: str) -> str:
    # The number-word alternation is folded already; folding twice is harmless. A space
    # between words may be missing (text exported with its spaces squashed: "৩০দিনেরমধ্যে").
    return f"(?P<{kind}>{_OPTIONAL_SPACE.sub(' ?', fold(pattern))})"


_OPTIONAL_SPACE = re.compile(r"(?<!\\) (?![?*+{])")


_ATOM_RE = re.compile("|".join(_fold_pattern(k, p) for k, p in _ATOMS))

#: Atoms that stay in the text kept as notes (they say *what* the condition is).
_TEXT_KINDS = frozenset({"condition", "office_hours", "holidays_except", "holiday", "request",
                         "range_word", "paren_text"})
#: what may end a span "A-B" that is not a limit: a date, a clock time, minutes
_SPAN_ENDS = frozenset({"date", "clock", "minutes"})
_SCHEDULE_KINDS = frozenset({"schedule", "open", "holidays_too", "clock", "date", "month",
                             "once"})
_QUANTITY_KINDS = frozenset({"num", "numword", "paren_num"})
_RANGE_GAPS = frozenset({"-", "–", "—", "~", "−", "‐", "‑"})
_NOTE_SPLIT = re.compile(r"\s*[/;।|]+\s*")
_NOTE_EDGES = " \t,.:;!?*-–—()[]{}।|/'\"‘’“”"
_CONNECTORS = frozenset({"এবং", "অথবা", "বা", "ও", "and", "or", "&"})
_QUOTE_MAX = 120
_DROPPED = re.compile(f"[{DROPPED_MARKS}]+")


@dataclass
class _Atom:
    kind: str
    start: int
    end: int
    text: str
    used: bool = False


@dataclass(frozen=True)
class _Limit:
    amount: int | None
    unit: DeadlineUnit | None
    range_min: int | None = None
    within: bool = False
    problems: tuple[str, ...] = ()
    absorbed: bool = False  # part of a schedule ("সপ্তাহে ৬ দিন", "২৪ ঘন্টা খোলা")

    def describe(self) -> str:
        unit = (self.unit or "?").replace("_", " ")
        span = f"{self.range_min}-" if self.range_min is not None else ""
        return f"{span}{self.amount} {unit}"


@dataclass
class _Reading:
    """What one pass over the atoms found."""

    text: str  # the cell as quoted in messages (NFC, ASCII digits)
    limits: list[_Limit] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)
    bare_numbers: list[str] = field(default_factory=list)
    bare_units: list[str] = field(default_factory=list)
    immediate_slash: bool = False  # "তাৎক্ষণিক/৩ দিন": immediate, else the limit after it

    def say(self, message: str) -> None:
        self.messages.append(f"deadline {_quote(self.text)}: {message}")


def _quote(text: str) -> str:
    return repr(text if len(text) <= _QUOTE_MAX else text[:_QUOTE_MAX] + "…")


# --- reading quantities and limits ---------------------------------------------------------


def _value(atom: _Atom) -> int | None:
    """An atom's number; None when it is not a whole number we can use (1.5, 10**40)."""
    if atom.kind == "numword":
        # "a"/"an" count only after "within" (the pattern sees to it): "within a month"
        return 1 if atom.text in ("a", "an") else number_word_value(atom.text)
    text = atom.text.strip("() ")
    if text.isdigit():
        return int(text) if len(text) <= 6 else None
    return number_word_value(text)


def _unit_of(atom: _Atom) -> tuple[DeadlineUnit, int]:
    """The unit of a unit atom, and the factor to it (a week is 7 days, a year 12 months)."""
    for unit, pattern in _UNIT_RES.items():
        if pattern.fullmatch(atom.text):
            if unit == "weeks":
                return "calendar_days", 7
            if unit == "years":
                return "months", 12
            return unit, 1  # type: ignore[return-value]
    return "calendar_days", 1  # unreachable: the atom matched one of these patterns


class _Scanner:
    """One left-to-right pass over the atoms of a cell."""

    def __init__(self, atoms: list[_Atom], folded: str, reading: _Reading,
                 source: list[int]) -> None:
        self.atoms = atoms
        self.folded = folded
        self.reading = reading
        self.source = source  # folded index -> index in reading.text

    def printed(self, atom: _Atom) -> str:
        """An atom as printed in the cell (not folded)."""
        return self.reading.text[self.source[atom.start]:self.source[atom.end]]

    def gap(self, i: int) -> str | None:
        """The text between atom i and atom i+1 (stripped); None if there is no atom i+1."""
        if i + 1 >= len(self.atoms):
            return None
        return self.folded[self.atoms[i].end:self.atoms[i + 1].start].strip()

    def next_is(self, i: int, kinds: frozenset[str] | set[str], gaps: frozenset[str]) -> bool:
        gap = self.gap(i)
        return gap is not None and gap in gaps and self.atoms[i + 1].kind in kinds

    def quantity(self, i: int) -> tuple[int | None, int, list[str]]:
        """A number at atom i, with its value in brackets if printed: (value, last, problems)."""
        atom = self.atoms[i]
        value = _value(atom)
        problems: list[str] = []
        if value is None:
            problems.append(f"{atom.text!r} is not a whole number of days/hours")
        last = i
        if self.next_is(i, {"paren_num"}, frozenset({""})):
            other = _value(self.atoms[i + 1])
            if other is not None and value is not None and other != value:
                problems.append(f"the number {value} and its words ({other}) disagree")
            last = i + 1
        elif self.next_is(i, {"paren_text"}, frozenset({""})):
            last = i + 1
        return value, last, problems

    def unit_after(self, i: int) -> tuple[DeadlineUnit | None, int, int]:
        """The unit right after atom i: (unit, factor, index of the unit atom or i)."""
        if self.next_is(i, {"unit"}, frozenset({""})):
            unit, factor = _unit_of(self.atoms[i + 1])
            return unit, factor, i + 1
        return None, 1, i

    def second_quantity(self, i: int) -> int | None:
        """Where the upper bound of a range starting after atom i begins, if it is one."""
        if self.next_is(i, _QUANTITY_KINDS, _RANGE_GAPS):
            return i + 1
        if self.next_is(i, {"range_word"}, frozenset({""})) and self.next_is(
            i + 1, _QUANTITY_KINDS, frozenset({""})
        ):
            return i + 2
        return None

    def span_end(self, i: int) -> int | None:
        """The date, clock time or minutes closing a span that starts with atom i's number."""
        if self.next_is(i, _SPAN_ENDS, _RANGE_GAPS):
            return i + 1
        if self.next_is(i, {"range_word"}, frozenset({""})) and self.next_is(
            i + 1, _SPAN_ENDS, frozenset({""})
        ):
            return i + 2
        return None

    def limit(self, i: int) -> int:
        """Read a limit (or a bare number) starting at atom i; return the next atom index."""
        value, last, problems = self.quantity(i)
        unit, factor, last = self.unit_after(last)
        start = self.second_quantity(last)
        end = self.span_end(last) if start is None and unit is None else None
        if end is not None:
            self.use(i, end)  # "২০-৩০ তারিখ", "১৫ থেকে ২০ মিনিট": the span's first end
            self.reading.kinds.add(self.atoms[end].kind)
            return end + 1
        if start is not None:
            return self.range(i, start, value, unit, factor, problems)
        if unit is None and self.next_is(last, _QUANTITY_KINDS, frozenset({"/"})):
            return self.alternatives(i, last, value, problems)
        if unit is None:
            self.reading.bare_numbers.append(self.atoms[i].text)
            return last + 1
        self.add(i, last, value, unit, factor, None, problems)
        return last + 1

    def range(self, i: int, start: int, low: int | None, low_unit: DeadlineUnit | None,
              low_factor: int, problems: list[str]) -> int:
        high, last, more = self.quantity(start)
        unit, factor, last = self.unit_after(last)
        problems = problems + more
        if unit is None and self.next_is(last, _SPAN_ENDS, frozenset({""})):
            self.use(i, last + 1)
            self.reading.kinds.add(self.atoms[last + 1].kind)
            return last + 2
        if unit is None and low_unit is None:
            self.reading.bare_numbers.append(f"{self.atoms[i].text}-{self.atoms[start].text}")
            return last + 1
        if low_unit is not None and unit is not None and (low_unit, low_factor) != (unit,
                                                                                     factor):
            problems.append("a range between different units")
            self.add(i, last, None, None, 1, None, problems)
            return last + 1
        if unit is None:
            unit, factor = low_unit, low_factor
        low_value = low * factor if low is not None else None
        high_value = high * factor if high is not None else None
        if low_value is not None and high_value is not None and low_value >= high_value:
            problems.append(f"the range {low}-{high} does not go up")
            high_value = low_value = None  # which end is meant? not guessed
        if high_value is None:
            low_value = None
        self.add(i, last, high_value, unit, 1, low_value, problems)
        return last + 1

    def alternatives(self, i: int, last: int, first: int | None, problems: list[str]) -> int:
        """"৩০/৪৫ দিন": one limit per number, in the unit after the last."""
        values = [(first, problems)]
        while self.next_is(last, _QUANTITY_KINDS, frozenset({"/"})):
            value, last, more = self.quantity(last + 1)
            values.append((value, more))
        unit, factor, end = self.unit_after(last)
        if unit is None:
            self.reading.bare_numbers.append(self.folded[self.atoms[i].start:
                                                          self.atoms[last].end])
            return last + 1
        for value, found in values:
            self.add(i, end, value, unit, factor, None, found)
        return end + 1

    def add(self, i: int, last: int, value: int | None, unit: DeadlineUnit | None,
            factor: int, low: int | None, problems: list[str]) -> None:
        self.use(i, last)
        within = self.next_is(last, {"within"}, frozenset({""})) or (
            i > 0 and self.atoms[i - 1].kind == "within" and self.gap(i - 1) == "")
        if self.next_is(last, {"open_end"}, frozenset({"", ","})):
            problems = [*problems, "an open-ended limit (or more)"]
            self.atoms[last + 1].used = True
        amount = value * factor if value is not None else None
        if amount == 0:
            problems = [*problems, "a limit of 0 is not a deadline"]
            amount = None
        self.reading.limits.append(_Limit(amount, unit, low, within, tuple(problems)))

    def use(self, first: int, last: int) -> None:
        for atom in self.atoms[first:last + 1]:
            atom.used = True

    def frequency(self, i: int) -> int:
        """A unit word with no number before it: "সপ্তাহে ৬ দিন" (a schedule), "সপ্তাহে ১ থেকে
        ৭ দিনের মধ্যে" (a limit; the word is dropped), or a time word left over."""
        atom = self.atoms[i]
        locative = atom.text.endswith("ে") and not atom.text.endswith("ের")
        if locative and self.next_is(i, {"once"}, frozenset({""})):
            atom.used = self.atoms[i + 1].used = True
            self.reading.kinds.add("once")
            return i + 2
        if locative and self.next_is(i, _QUANTITY_KINDS, frozenset({""})):
            atom.used = True
            before = len(self.reading.limits)
            end = self.limit(i + 1)
            new = self.reading.limits[before:]
            if len(new) == 1 and new[0].range_min is None and not new[0].within:
                self.reading.limits[before] = replace(new[0], absorbed=True)
                self.reading.kinds.add("schedule")
            return end
        if not re.match(f"[{_BN}a-z]", self.folded[atom.end:atom.end + 1]):
            self.reading.bare_units.append(self.printed(atom))  # else part of a word
        return i + 1

    def run(self) -> None:
        i = 0
        while i < len(self.atoms):
            atom = self.atoms[i]
            if atom.used:
                i += 1
            elif atom.kind in _QUANTITY_KINDS:
                i = self.limit(i)
            elif atom.kind == "unit":
                i = self.frequency(i)
            else:
                if atom.kind == "immediate" and self.next_is(i, _QUANTITY_KINDS,
                                                             frozenset({"/"})):
                    self.reading.immediate_slash = True
                self.reading.kinds.add(atom.kind)
                atom.used = atom.kind not in _TEXT_KINDS
                i += 1


# --- the cell ---------------------------------------------------------------------------


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded, and for each folded character the index of its source character.

    Folding keeps one character for one except the dropped marks, so the map is the ranges
    between those (C-speed slices, not a Python step per character)."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, list(range(len(text) + 1))
    where: list[int] = []
    start = 0
    for match in _DROPPED.finditer(text):
        where.extend(range(start, match.start()))
        start = match.end()
    where.extend(range(start, len(text) + 1))
    return folded, where


def _leftover(base: str, where: list[int], atoms: list[_Atom]) -> list[str]:
    """The cell's text outside the atoms it was understood by: one note per stretch."""
    pieces: list[str] = []
    cursor = 0
    for atom in atoms:
        if atom.used:
            pieces.append(base[where[cursor]:where[atom.start]])
            cursor = atom.end
    pieces.append(base[where[cursor]:])
    notes: list[str] = []
    for piece in pieces:
        for chunk in _NOTE_SPLIT.split(squash(piece)):
            note = _clean_note(chunk)
            if note:
                notes.append(note)
    return notes


def _clean_note(chunk: str) -> str:
    words = chunk.strip(_NOTE_EDGES).split()
    while words and words[0].casefold() in _CONNECTORS:
        words.pop(0)
    while words and words[-1].casefold() in _CONNECTORS:
        words.pop()
    note = " ".join(words).strip(_NOTE_EDGES)
    if not any(ch.isalpha() for ch in note):
        return ""  # punctuation only
    # keep a closing bracket whose opening one is kept: "Assistant Commissioner (Land)"
    if note.count("(") > note.count(")"):
        note += ")"
    return note


def _read(base: str) -> tuple[_Reading, list[_Atom], list[int]]:
    folded, where = _fold_with_map(base)
    reading = _Reading(text=ascii_digits(base))
    atoms = [_Atom(m.lastgroup or "", m.start(), m.end(), m.group())
             for m in _ATOM_RE.finditer(folded)]
    _Scanner(atoms, folded, reading, where).run()
    return reading, atoms, where


@dataclass
class _Outcome:
    immediate: bool = False
    limit: _Limit | None = None
    per_directive: bool = False
    no_deadline: bool = False
    variants: bool = False


#: what a word next to a limit makes of it (the limit is not the promise: flagged)
_DOUBTS: Final[dict[str, str]] = {
    "fraction": "a fraction (সাড়ে/দেড়/আড়াই, half): not a whole number; set the limit by hand",
    "minimum": "a minimum (কমপক্ষে, at least), not a limit by which the service is delivered",
    "before": "a time *before* something (পূর্বে/আগে, before), not a limit after the request",
    "course": "a duration (মেয়াদী, course, training), not a per-request limit",
    "approx": "an approximate limit (প্রায়, about): set the limit by hand",
}


def _doubts(reading: _Reading, out: _Outcome) -> None:
    """Messages for words that make the limit unsafe, and for limits the stored track
    cannot hold as read."""
    for kind, message in _DOUBTS.items():
        if kind in reading.kinds:
            reading.say(message)
    limit = out.limit
    if limit is None or not out.immediate:
        return
    if limit.unit == "hours" and "minutes" in reading.kinds and "immediate" not in reading.kinds:
        # "১ ঘণ্টা ৩০ মিনিট", "১৫ মিনিট থেকে ২ ঘণ্টা": the minutes are part of the limit
        out.immediate = False
        reading.say("hours and minutes together: set the limit in hours by hand")
    elif reading.immediate_slash and limit.unit != "working_days":
        reading.say(f"immediate / {limit.describe()}: the extended track counts working days "
                    "only; a reviewer must set it")


def _decide(reading: _Reading) -> _Outcome:
    """Turn what was found into one reading of the cell, with messages for the doubts."""
    kinds = reading.kinds
    schedule = bool(kinds & _SCHEDULE_KINDS)
    out = _Outcome(immediate=bool(kinds & {"immediate", "minutes"}),
                   per_directive="directive" in kinds)
    limits = [lim for lim in reading.limits if not lim.absorbed]
    if schedule:  # "২৪ ঘন্টা খোলা", "2 months before 1st Baishakh": part of the schedule
        limits = [lim for lim in limits if lim.within]
    distinct = list(dict.fromkeys(limits))
    for limit in distinct:
        for problem in limit.problems:
            reading.say(problem)
    # "সাধারণ ৭, জরুরি ৩ দিন": numbers without a unit count as limits of sub-cases too
    out.variants = len(distinct) + len(reading.bare_numbers) > 1
    if len(distinct) > 1:
        reading.say(f"several limits ({'; '.join(lim.describe() for lim in distinct)}): "
                    "for sub-cases or stages? set the service's limit by hand")
    elif distinct and distinct[0].amount is not None:
        out.limit = distinct[0]
    if not out.per_directive and (schedule or "ongoing" in kinds):
        if distinct or out.immediate:
            reading.say("both a schedule or ongoing process and a limit: which is promised?")
        else:
            out.no_deadline = True
    elif not (out.per_directive or distinct or out.immediate) and "office_hours" in kinds:
        out.no_deadline = True  # "during office hours" alone: office hours, no limit
    if (out.limit is not None and out.limit.unit == "calendar_days"
            and "holidays_except" in kinds):
        reading.say("calendar days 'except holidays': working days? set the limit by hand")
    if not out.no_deadline:  # "2 months before 1st Baishakh": the schedule's words
        _doubts(reading, out)
    return out


def _leftover_messages(reading: _Reading, out: _Outcome, notes: list[str]) -> None:
    if reading.bare_numbers:
        reading.say(f"number {' '.join(reading.bare_numbers)} without a unit")
    if reading.bare_units and not out.no_deadline:
        reading.say(f"did not understand {' '.join(reading.bare_units)!r} "
                    "(a time word without a number)")
    understood = out.immediate or out.limit or out.per_directive or out.no_deadline
    if not understood and not reading.messages:
        if is_ditto(reading.text):
            reading.say("a ditto mark: the limit of the row above (the parser copies it)")
        elif notes:
            reading.say(f"did not understand {' / '.join(notes)!r}")
        else:
            reading.say("not understood")


def parse_deadline(raw: str) -> tuple[Deadline, list[str]]:
    """The deadline understood from ``raw``, and messages for whatever was not understood."""
    base = squash(nfc(raw))
    if not base:
        return Deadline(raw=base, needs_review=True), ["deadline cell is empty"]
    reading, atoms, where = _read(base)
    out = _decide(reading)
    if out.per_directive and out.limit is not None:
        # "আইন অনুযায়ী ৩০ দিন": the limit is printed, the rule it cites is a note
        out.per_directive = False
        for atom in atoms:
            atom.used = atom.used and atom.kind != "directive"
    notes = _leftover(base, where, atoms)
    _leftover_messages(reading, out, notes)
    kinds = reading.kinds
    as_needed = "as_needed" in kinds
    limit = out.limit
    return (
        Deadline(
            raw=base,
            immediate=out.immediate,
            unit=limit.unit if limit else None,
            amount=limit.amount if limit else None,
            conditional=as_needed or bool(kinds & {"applicable", "condition"}),
            as_needed=as_needed,
            per_directive=out.per_directive,
            range_min=limit.range_min if limit else None,
            no_deadline=out.no_deadline,
            variants=out.variants,
            needs_review=bool(reading.messages),
            # a schedule's words are its reading; the rest of such a cell is no condition
            notes=() if out.no_deadline else tuple(notes),
        ),
        reading.messages,
    )
