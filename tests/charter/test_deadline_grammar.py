"""The deadline-cell grammar of GUIDE.md §6, bullet by bullet, and every real deadline cell of
the other-office charters (tests/charter/data/other_offices_deadlines.json) read as expected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.charter.conftest import NAMES
from tracker.domain.charter.deadline import is_ditto, parse_deadline
from tracker.domain.charter.model import Deadline, ParsedCharter

DATA = Path(__file__).parent / "data" / "other_offices_deadlines.json"
ROWS: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["rows"]
KINDS = {"calendar_days": "days"}


def kind(deadline: Deadline) -> str:
    """The expected.json kind of a reading."""
    if deadline.needs_review:
        return "review"
    if deadline.no_deadline:
        return "no_deadline"
    if deadline.amount is not None and deadline.unit is not None:
        return KINDS.get(deadline.unit, deadline.unit)
    if deadline.per_directive:
        return "per_directive"
    return "immediate" if deadline.immediate else "not understood"


def reading(raw: str) -> tuple[str, int | None, int | None, bool, bool]:
    deadline, messages = parse_deadline(raw)
    assert deadline.needs_review == bool(messages), (raw, messages)
    return (kind(deadline), deadline.amount, deadline.range_min, deadline.conditional,
            deadline.variants)


def _resolve_dittos(rows: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, raw, expect) per row; a ditto cell takes the raw cell of the row above (what the
    parser does with it)."""
    out = []
    above: dict[str, str] = {}
    for row in rows:
        raw = row["deadline_raw"] or ""
        if raw and is_ditto(raw):
            raw = above[row["file"]]
        above[row["file"]] = raw
        out.append((f"{row['file']}#{row['number']}", raw, row["expect"]))
    return out


REAL = _resolve_dittos(ROWS)


@pytest.mark.parametrize(("raw", "expect"), [(r, e) for _, r, e in REAL],
                         ids=[i for i, _, _ in REAL])
def test_every_real_deadline_cell_is_read_as_expected(raw: str, expect: dict[str, Any]) -> None:
    got = reading(raw)
    if expect["kind"] == "review":
        assert got[0] == "review", expect["note"]
    else:
        assert got == (expect["kind"], expect["amount"], expect["range_min"],
                       expect["conditional"], expect["variants"]), expect["note"]


def test_the_real_cells_cover_every_kind_and_the_ditto_rows() -> None:
    kinds = {row["expect"]["kind"] for row in ROWS}
    assert kinds == {"days", "working_days", "hours", "months", "immediate", "no_deadline",
                     "per_directive", "review"}
    assert sum(1 for row in ROWS if row["deadline_raw"] and is_ditto(row["deadline_raw"])) == 3


# --- units, digits, number words, glued text -------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "unit", "amount"),
    [
        ("৭ কার্যদিবস", "working_days", 7), ("৭ কার্য দিবস", "working_days", 7),
        ("৭ কর্মদিবস", "working_days", 7), ("৭ কর্ম দিবস", "working_days", 7),
        ("7 working days", "working_days", 7), ("৪৫কায্যদিবস", "working_days", 45),
        ("১০ কার্য্যদিবস", "working_days", 10), ("৭ কর্মদিবসের মধ্যে", "working_days", 7),
        ("৭ কার্যদিবসের মধ্যে", "working_days", 7), ("৩ কার্যদিবসে", "working_days", 3),
        ("৩০ দিন", "calendar_days", 30), ("৩০ দিনের মধ্যে", "calendar_days", 30),
        ("within 30 days", "calendar_days", 30), ("30 days", "calendar_days", 30),
        ("২৪ ঘণ্টা", "hours", 24), ("২৪ ঘন্টা", "hours", 24), ("24 hours", "hours", 24),
        ("৭২ ঘণ্টার মধ্যে", "hours", 72), ("৩ মাস", "months", 3), ("3 months", "months", 3),
        ("২৪মাস", "months", 24), ("০৫ দিন", "calendar_days", 5), ("05 days", "calendar_days", 5),
        ("তিন দিন", "calendar_days", 3), ("three days", "calendar_days", 3),
        ("তিনদিন", "calendar_days", 3), ("Twenty-one days", "calendar_days", 21),
        ("০৫ (পাঁচ) দিন", "calendar_days", 5), ("০৩ (তিন) দিন", "calendar_days", 3),
        ("৭(সাত)দিন", "calendar_days", 7), ("3 (three) days", "calendar_days", 3),
        ("পনের কর্মদিবস", "working_days", 15), ("১৫দিন", "calendar_days", 15),
        ("১ সপ্তাহ", "calendar_days", 7), ("২ সপ্তাহের মধ্যে", "calendar_days", 14),
        ("১ বছর", "months", 12), ("within a month", "months", 1),
        ("৪৫ (পয়তাল্লিশ) দিন", "calendar_days", 45), ("৬ (ছয়) মাস", "months", 6),
        ("১২০ (একশত বিশ) দিন", "calendar_days", 120), ("3 (Three) Working Days", "working_days", 3),
        ("৭ দিন ৭ দিন", "calendar_days", 7), ("৭ দিন (সাত দিন)", "calendar_days", 7),
    ],
)
def test_n_units(raw: str, unit: str, amount: int) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert (deadline.unit, deadline.amount, deadline.range_min) == (unit, amount, None)
    assert not (deadline.immediate or deadline.conditional or deadline.needs_review)


@pytest.mark.parametrize(
    "raw",
    ["তাৎক্ষণিক", "তাৎক্ষনিক", "চাহিবা মাত্র", "সাথে সাথে", "সাথে সাথেই", "immediately",
     "Immediate", "৩০ মিনিট", "30 minutes", "১৫-২০ মিনিট", "আধা ঘণ্টা", "একই দিনে", "Same day",
     "অফিস চলাকালীন চাহিবা মাত্র", "আবেদনের সাথে সাথে"],
)
def test_immediate(raw: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert deadline.immediate and deadline.amount is None and not deadline.no_deadline


# --- ranges and bounds -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "unit", "low", "high"),
    [
        ("৩-৭ দিন", "calendar_days", 3, 7), ("৩ - ৭ দিন", "calendar_days", 3, 7),
        ("৩–৭ দিন", "calendar_days", 3, 7), ("১ থেকে ৩ দিন", "calendar_days", 1, 3),
        ("১থেকে ৩দিনের মধ্যে", "calendar_days", 1, 3), ("২ হতে ৫ কার্যদিবস", "working_days", 2, 5),
        ("2 to 3 days", "calendar_days", 2, 3), ("দুই থেকে তিন দিন", "calendar_days", 2, 3),
        ("৭ দিন থেকে ১০ দিন", "calendar_days", 7, 10), ("১-২ ঘন্টা", "hours", 1, 2),
        ("সপ্তাহে ১ থেকে ৭দিনের মধ্যে", "calendar_days", 1, 7), ("০-৩ দিন", "calendar_days", 0, 3),
    ],
)
def test_a_range_promises_its_upper_bound(raw: str, unit: str, low: int, high: int) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert (deadline.unit, deadline.amount, deadline.range_min) == (unit, high, low)


@pytest.mark.parametrize("raw", ["সর্বোচ্চ ৩০ দিন", "অনধিক ৩০ দিন", "৩০ দিনের মধ্যে",
                                 "৩০ দিন এর মধ্যে", "within 30 days", "Not more than 30 days"])
def test_bounds_are_the_limit(raw: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert (deadline.unit, deadline.amount, deadline.range_min) == ("calendar_days", 30, None)


# --- immediate / N (GUIDE §3 rule 5): exactly as before -------------------------------------

@pytest.mark.parametrize(
    ("raw", "conditional"),
    [("তাৎক্ষণিক / ০৩ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)", True),
     ("তৎক্ষনিক/ ৩ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)", True),
     ("Immediately / 3 working days (where applicable)", True),
     ("তাৎক্ষণিক/৩ কার্যদিবস", False)],
)
def test_immediate_or_n(raw: str, conditional: bool) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == [] and deadline.notes == ()
    assert (deadline.immediate, deadline.unit, deadline.amount, deadline.conditional) == (
        True, "working_days", 3, conditional)


# --- one limit with a condition ----------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "unit", "amount", "note"),
    [
        ("৩০ দিন (তদন্ত সাপেক্ষে)", "calendar_days", 30, "তদন্ত সাপেক্ষে"),
        ("তদন্ত সাপেক্ষে ৬০ কার্যদিবস", "working_days", 60, "তদন্ত সাপেক্ষে"),
        ("আপত্তি না থাকলে ১৫ দিন", "calendar_days", 15, "আপত্তি না থাকলে"),
        ("৩০দিনমাসিকসভা", "calendar_days", 30, "মাসিকসভা"),
        ("স্বাভাবিক প্রক্রিয়ায় ৩০ দিন", "calendar_days", 30, "স্বাভাবিক প্রক্রিয়ায়"),
        ("ইউএনও অফিস হতে প্রতিবেদন প্রাপ্তির ৭ দিনের মধ্যে", "calendar_days", 7,
         "ইউএনও অফিস হতে প্রতিবেদন প্রাপ্তির"),
        ("সম্ভাব্য ক্ষেত্রে অভিযোগ গ্রহণের ২৪ ঘন্টার মধ্যে", "hours", 24,
         "সম্ভাব্য ক্ষেত্রে অভিযোগ গ্রহণের"),
        ("Within 3 (three) days after receipt from Assistant Commissioner (Land).",
         "calendar_days", 3, "after receipt from Assistant Commissioner (Land)"),
        ("7 days (subject to verification)", "calendar_days", 7, "subject to verification"),
    ],
)
def test_one_limit_with_a_condition(raw: str, unit: str, amount: int, note: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert (deadline.unit, deadline.amount, deadline.conditional) == (unit, amount, True)
    assert deadline.notes == (note,)


@pytest.mark.parametrize(
    ("raw", "unit", "amount"),
    [("যথাযথ আবেদনের ৭ দিনের মধ্যে", "calendar_days", 7),
     ("আবেদন প্রাপ্তির ১৫ কার্যদিবসের মধ্যে", "working_days", 15),
     ("অভিযোগ গ্রহণের ২৪ ঘন্টার মধ্যে", "hours", 24),
     ("Within 15 days of receipt of application", "calendar_days", 15),
     ("7 (seven) working days after receiving the application", "working_days", 7),
     ("আবেদন পাওয়ার পর ৭ দিন", "calendar_days", 7)],
)
def test_counting_from_the_citizens_own_application_is_no_condition(
    raw: str, unit: str, amount: int,
) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert (deadline.unit, deadline.amount, deadline.conditional) == (unit, amount, False)


# --- several limits, open ends ----------------------------------------------------------------

@pytest.mark.parametrize(
    "raw",
    ["নবায়ন ১ দিন / নতুন ২-৩ দিন", "সাধারণ ৭, জরুরি ৩", "সাধারণ ৭ দিন, জরুরি ৩ দিন",
     "৩০/৪৫ দিন", "আবেদন প্রাপ্তির ৩০/৪৫ দিনের মধ্যে", "৩ কার্যদিবস / ৫ কার্যদিবস",
     "সম্ভাব্য ক্ষেত্রে ২৪ ঘন্টার মধ্যে দাবীনামা জারী । দাবী নামার অর্থ পরিশোধের পর উপদেশ নামা "
     "জারীর ৭ দিনের মধ্যে সংযোগ", "৭ দিন, তবে জরুরি ক্ষেত্রে ৩ দিন",
     "৭ কার্যদিবস (প্রয়োজনে ১৫ কার্যদিবস)", "৩ দিন (সর্বোচ্চ ৭ দিন)"],
)
def test_several_limits_are_variants_for_review(raw: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert deadline.variants and deadline.needs_review and messages
    assert deadline.amount is None  # never guessed: the reviewer sets it


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("১ মাস থেকে ১ বছর বা তদুর্ধ্ব", "open-ended"), ("১ মাস থেকে ১ বছর বা তদুর্ধ্ব", "units"),
     ("৬ মাস বা তার বেশি", "open-ended"), ("30 days or more", "open-ended"),
     ("৭ দিন - ১ মাস", "different units"), ("১০-৫ দিন", "does not go up")],
)
def test_open_ended_and_odd_ranges_are_flagged(raw: str, fragment: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert deadline.needs_review and not deadline.variants
    assert any(fragment in m for m in messages), messages


# --- no per-request limit --------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw",
    ["চলমান প্রক্রিয়া", "বাৎসরিক চলমান প্রক্রিয়া", "সারা বছর", "বছরে একবার", "বছরে ২ বার",
     "সপ্তাহে ৬ দিন", "মাসের ২০-৩০ তারিখ", "মাসের ২০ তারিখ থেকে ৩০ তারিখে মধ্যে",
     "মার্চ-এপ্রিল মাস", "সকাল ৮.৩০ টা হইতে বিকাল ২.৩০ টা পর্যন্ত",
     "সকাল ৮.৩০ টা হইতে বিকাল ২.৩০ টা পর্যমত্ম (সরকারী ছুটির দিন ছাড়া)", "২৪ ঘন্টা খোলা",
     "২৪ ঘন্টা (সরকারী ছুটির দিন ও অন্যান্য সকল ছুটি দিনেও)", "অফিস চলাকালীন সময়ে",
     "Activities are taken approximately 2 (two) months before 1st Baishakh of every year.",
     "রবিবার থেকে বৃহস্পতিবার", "দৈনিক ২ ঘণ্টা", "সময়সীমা নেই", "2 days a week",
     "প্রতি মাসের ১ম সপ্তাহে", "মাসের প্রথম সপ্তাহে", "অর্থ বছরের শুরুতে", "প্রতি ত্রৈমাসিকে",
     "২৪ ঘণ্টা ব্যাপী", "মৌসুম অনুযায়ী", "শুক্রবার ব্যতীত প্রতিদিন", "Every Sunday", "Not fixed",
     "During office hours", "৩ মাস (বছরে ২ বার)"],
)
def test_schedules_and_ongoing_processes_have_no_deadline(raw: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert deadline.no_deadline and deadline.amount is None and not deadline.immediate


@pytest.mark.parametrize("raw", ["আবেদনের ১৫ দিনের মধ্যে, সারা বছর",
                                 "চলমান প্রক্রিয়া, তবে ৩০ দিনের মধ্যে"])
def test_a_schedule_and_a_limit_within_it_are_flagged(raw: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert deadline.needs_review and not deadline.no_deadline
    assert any("schedule" in m for m in messages)


# --- per directive ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw",
    ["নির্দেশনা অনুযায়ী", "নির্দেশনা মোতাবেক", "সংশিস্নষ্ট কর্তৃপক্ষের নিদের্শনা অনুযায়ী।",
     "নীতিমালা অনুযায়ী", "মন্ত্রণালয় কর্তৃক নির্ধারিত", "উর্ধতন কর্তৃপক্ষের বেধে দেয়া সময়",
     "as per directive", "As per government directive", "As per rules",
     "According to Government rules", "বিধি মোতাবেক", "সরকারি নীতিমালা অনুযায়ী",
     "চলমান প্রক্রিয়া এবং উর্ধতন কর্তৃপক্ষের বেধেঁ দেয়া সময় সীমার মধ্যে।"],
)
def test_a_limit_set_elsewhere_is_per_directive(raw: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert deadline.per_directive and not deadline.no_deadline and deadline.amount is None


# --- number words and digits ------------------------------------------------------------------

def test_a_number_word_that_contradicts_its_digits_is_flagged() -> None:
    deadline, messages = parse_deadline("তিন (০২) দিন")
    assert deadline.needs_review
    assert any("disagree" in m for m in messages)
    assert parse_deadline("০৩ (তিন) দিন") == (Deadline(raw="০৩ (তিন) দিন", unit="calendar_days",
                                                          amount=3), [])


# --- what is left over ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "amount", "note", "conditional"),
    [("৪৫ দিন, আলাদা ভাবে চার্ট টাঙ্গানো আছে।", 45, "আলাদা ভাবে চার্ট টাঙ্গানো আছে", False),
     ("৭ দিন (দিনাজপুর অফিস)", 7, "দিনাজপুর অফিস", False),
     ("স্বাভাবিক প্রক্রিয়ায় ৩০ দিন", 30, "স্বাভাবিক প্রক্রিয়ায়", True)],
)
def test_prose_next_to_one_clear_limit_is_kept_as_a_note(
    raw: str, amount: int, note: str, conditional: bool,
) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == [] and not deadline.needs_review
    assert (deadline.amount, deadline.notes, deadline.conditional) == (amount, (note,),
                                                                       conditional)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("", "empty"), ("   ", "empty"), ("শীঘ্রই", "did not understand"),
     ("প্রযোজ্য নয়", "did not understand"), ("৭ দিন (ফরম ২)", "without a unit"),
     ("৭ দিন (ছুটির দিন ছাড়া)", "except holidays"), ("৭ দিন, কার্যদিবস", "time word"),
     ("7 days (excluding holidays)", "except holidays"),
     ("০ দিন", "0 is not a deadline"), ("১.৫ ঘণ্টা", "not a whole number"),
     ("৭৭৭৭৭৭৭৭৭৭৭৭৭৭৭৭৭৭৭৭ দিন", "not a whole number"), ("ঐ", "ditto")],
)
def test_what_is_not_safely_understood_is_flagged(raw: str, fragment: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert deadline.needs_review and not deadline.understood
    assert any(fragment in m for m in messages), messages


# --- the five ICT charters: nothing new ------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_the_ict_charters_have_none_of_the_new_readings(
    charters: dict[str, ParsedCharter], name: str,
) -> None:
    deadlines = [s.deadline for s in charters[name].services] + [
        g.deadline for g in charters[name].grs]
    for d in deadlines:
        assert (d.range_min, d.no_deadline, d.variants, d.needs_review, d.notes) == (
            None, False, False, False, ()), d


def test_working_days_except_holidays_are_just_working_days() -> None:
    deadline, messages = parse_deadline("৫ কার্য দিবস (সাপ্তাহিক ও সরকারি ছুটির দিন ব্যতীত)")
    assert messages == []
    assert (deadline.unit, deadline.amount) == ("working_days", 5)
    assert deadline.notes == ("সাপ্তাহিক ও সরকারি ছুটির দিন ব্যতীত",)


@pytest.mark.parametrize(
    ("raw", "amount", "note"),
    [("আইন অনুযায়ী ৩০ দিন", 30, "আইন অনুযায়ী"),
     ("৭ দিন (উর্ধ্বতন কর্তৃপক্ষের নির্দেশনা অনুযায়ী)", 7, "উর্ধ্বতন কর্তৃপক্ষের নির্দেশনা অনুযায়ী")],
)
def test_a_printed_limit_wins_over_the_rule_it_cites(raw: str, amount: int, note: str) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == []
    assert (deadline.amount, deadline.per_directive, deadline.notes) == (amount, False, (note,))


@pytest.mark.parametrize(("raw", "unit", "amount"),
                         [("৭ কাযর্দিবস", "working_days", 7), ("৩ কমর্ দিবস", "working_days", 3),
                          ("সবোর্চ্চ ৭ দিন", "calendar_days", 7)])
def test_spellings_garbled_by_old_font_conversions(raw: str, unit: str, amount: int) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == [] and (deadline.unit, deadline.amount) == (unit, amount)


# --- cells a review found read silently wrong: each is now read right or flagged ----------


def _messages(raw: str) -> str:
    deadline, messages = parse_deadline(raw)
    assert deadline.needs_review == bool(messages), (raw, messages)
    return " | ".join(messages)


@pytest.mark.parametrize(("raw", "fragment"), [
    ("সাড়ে তিন মাস", "a fraction"), ("সাড়ে ৩ মাস", "a fraction"),
    ("দেড় মাস", "a fraction"), ("আড়াই মাস", "a fraction"),
    ("2 and a half months", "a fraction"),
    ("কমপক্ষে ৭ দিন", "a minimum"), ("ন্যূনতম ১৫ দিন", "a minimum"),
    ("সর্বনিম্ন ৭ দিন", "a minimum"), ("৩০ দিনের কম নয়", "a minimum"),
    ("At least 7 days", "a minimum"), ("Minimum 3 days", "a minimum"),
    ("not less than 10 days", "a minimum"),
    ("৭ দিন পূর্বে আবেদন করতে হবে", "before"), ("৭ দিন আগে", "before"),
    ("7 days before", "before"),
    ("৩ মাস মেয়াদী", "a duration"), ("৬ মাস মেয়াদি প্রশিক্ষণ", "a duration"),
    ("১ বছর মেয়াদী কোর্স", "a duration"), ("6 months course", "a duration"),
    ("about a month", "approximate"), ("প্রায় ১৫ দিন", "approximate"),
    ("১ ঘণ্টা ৩০ মিনিট", "hours and minutes"), ("2 hours 30 minutes", "hours and minutes"),
    ("১৫ মিনিট থেকে ২ ঘণ্টা", "hours and minutes"),
    ("তাৎক্ষণিক/১ মাস", "working days only"), ("তাৎক্ষণিক/৭২ ঘণ্টা", "working days only"),
    ("তাৎক্ষণিক/৩ দিন", "working days only"), ("তাৎক্ষণিক / ০৩ (তিন) দিন", "working days only"),
])
def test_words_that_make_a_limit_unsafe_are_flagged(raw: str, fragment: str) -> None:
    deadline, _ = parse_deadline(raw)
    assert deadline.needs_review
    assert fragment in _messages(raw)


@pytest.mark.parametrize("raw", ["১ ঘণ্টা ৩০ মিনিট", "2 hours 30 minutes",
                                 "১৫ মিনিট থেকে ২ ঘণ্টা"])
def test_minutes_next_to_hours_are_not_immediate(raw: str) -> None:
    deadline, _ = parse_deadline(raw)
    assert not deadline.immediate and deadline.unit == "hours"


@pytest.mark.parametrize("raw", ["৩০ মিনিট", "15 minutes", "half an hour", "আধা ঘণ্টা"])
def test_pure_minutes_stay_immediate(raw: str) -> None:
    assert reading(raw)[0] == "immediate"


@pytest.mark.parametrize(("raw", "amount"), [
    ("একশত বিশ দিন", 120), ("একশত আশি দিন", 180), ("এক শত বিশ দিন", 120),
    ("একশতবিশ দিন", 120), ("একশো পঁচিশ দিন", 125), ("একশত দিন", 100),
    ("one hundred twenty days", 120), ("a hundred and eighty days", 180),
    ("120 (একশত বিশ) দিন", 120),
])
def test_compound_hundreds(raw: str, amount: int) -> None:
    assert reading(raw)[:2] == ("days", amount)


def test_a_compound_hundred_that_contradicts_its_digits_is_flagged() -> None:
    assert "disagree" in _messages("১২০ (একশত আশি) দিন")


@pytest.mark.parametrize("raw", [
    "প্রতি ৩ মাস অন্তর", "৩ মাস অন্তর", "৬ মাস পর পর", "৬ মাস পরপর", "প্রতি ৬ মাসে",
    "Every 6 months", "প্রতি ৩ বছর অন্তর", "once a year", "twice a month", "2 days a week",
])
def test_frequencies_are_no_deadline(raw: str) -> None:
    assert reading(raw)[0] == "no_deadline"


@pytest.mark.parametrize(("raw", "unit", "amount"), [
    ("a week", "days", 7), ("In a week", "days", 7), ("A month", "months", 1),
    ("within a month", "months", 1), ("a day", "days", 1),
])
def test_a_single_unit_is_one_of_it(raw: str, unit: str, amount: int) -> None:
    assert reading(raw)[:2] == (unit, amount)


@pytest.mark.parametrize(("raw", "amount"), [
    ("তাৎক্ষণিক/৩ কার্যদিবস", 3),
    # a limit *or* immediately in special cases: not the "immediate / N" form, the limit holds
    ("অগ্রাধীকার তালিকা দাখিলের ০১ (এক) দিনের মধ্যে অথবা ক্ষেত্র বিশেষ প্রাপ্তির সাথে সাথে।", 1),
])
def test_immediate_with_a_limit_that_the_tracks_can_hold(raw: str, amount: int) -> None:
    deadline, messages = parse_deadline(raw)
    assert messages == [] and deadline.amount == amount


@pytest.mark.parametrize("raw", ["প্রতিবেদন প্রাপ্তির ৭ দিনের মধ্যে", "অন্তর্ভুক্তির ৭ দিনের মধ্যে",
                                 "2 months before 1st Baishakh"])
def test_look_alike_words_change_nothing(raw: str) -> None:
    assert parse_deadline(raw)[1] == []
