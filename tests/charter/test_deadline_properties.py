"""Properties of the deadline-cell grammar (hypothesis): any amount in any spelling, ranges,
noise around a cell, number words, arbitrary text, and linear time on huge cells."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.charter.deadline import parse_deadline
from tracker.domain.charter.model import Deadline
from tracker.domain.charter.numbers import BENGALI_NUMBER_WORDS, number_word_value
from tracker.domain.charter.text import BENGALI_DIGITS

UNIT_SPELLINGS: dict[str, list[str]] = {
    "working_days": ["কার্যদিবস", "কার্য দিবস", "কর্মদিবস", "কর্ম দিবস", "কায্যদিবস",
                     "কার্য্যদিবস", "কর্মদিবসের", "কার্যদিবসের", "working days", "working day",
                     "Working Days"],
    "calendar_days": ["দিন", "দিনের", "days", "day", "Days"],
    "hours": ["ঘণ্টা", "ঘন্টা", "ঘণ্টার", "hours", "hour"],
    "months": ["মাস", "মাসের", "months", "month"],
}
UNITS = st.sampled_from([(unit, spelling) for unit, spellings in UNIT_SPELLINGS.items()
                         for spelling in spellings])
BOUNDS = st.sampled_from([("", ""), ("সর্বোচ্চ ", ""), ("অনধিক ", ""), ("", " মধ্যে"),
                          ("", " এর মধ্যে"), ("within ", ""), ("Within ", "")])
ENGLISH_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "fifteen", "twenty", "thirty", "forty-five", "ninety"]


@st.composite
def digits(draw: st.DrawFn, n: int) -> str:
    """``n`` in Bengali, ASCII or mixed digits, with 0-2 leading zeros."""
    text = "0" * draw(st.integers(min_value=0, max_value=2)) + str(n)
    script = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(BENGALI_DIGITS[int(c)] if bn else c for c, bn in zip(text, script,
                                                                         strict=True))


def key(deadline: Deadline) -> tuple[object, ...]:
    """Everything a reading says except the raw text."""
    return (deadline.immediate, deadline.unit, deadline.amount, deadline.conditional,
            deadline.as_needed, deadline.per_directive, deadline.range_min,
            deadline.no_deadline, deadline.variants, deadline.needs_review, deadline.notes)


@given(data=st.data(), n=st.integers(min_value=1, max_value=999), unit=UNITS, bound=BOUNDS,
       glue=st.sampled_from(["", " ", "  "]))
def test_any_amount_in_any_spelling(data: st.DataObject, n: int, unit: tuple[str, str],
                                    bound: tuple[str, str], glue: str) -> None:
    raw = f"{bound[0]}{data.draw(digits(n))}{glue}{unit[1]}{bound[1]}"
    deadline, messages = parse_deadline(raw)
    assert messages == [], raw
    assert (deadline.unit, deadline.amount, deadline.range_min) == (unit[0], n, None), raw
    assert not (deadline.immediate or deadline.conditional or deadline.needs_review)
    assert deadline.notes == ()


@given(data=st.data(), low=st.integers(min_value=0, max_value=998), unit=UNITS,
       sep=st.sampled_from(["-", " - ", "–", " – ", " থেকে ", "থেকে ", " হতে ", " হইতে ",
                            " to "]))
def test_a_range_gives_its_upper_bound_and_keeps_the_lower(
    data: st.DataObject, low: int, unit: tuple[str, str], sep: str,
) -> None:
    high = data.draw(st.integers(min_value=low + 1, max_value=999))
    raw = f"{data.draw(digits(low))}{sep}{data.draw(digits(high))} {unit[1]}"
    deadline, messages = parse_deadline(raw)
    assert messages == [], raw
    assert (deadline.unit, deadline.amount, deadline.range_min) == (unit[0], high, low), raw


NOISE = st.text(alphabet=" \t\n।.,;:!?()[]*\"'", max_size=4)
CELLS = ["৭ কার্যদিবস", "৩-৭ দিন", "তাৎক্ষণিক/ ৩ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)",
         "৭ কার্যদিবস/ প্রয়োজন অনুযায়ী", "নির্দেশনা অনুযায়ী", "চলমান প্রক্রিয়া", "সারা বছর",
         "০৫ (পাঁচ) দিন", "২৪ ঘন্টা", "৩ মাস", "১থেকে ৩দিনের মধ্যে", "চাহিবা মাত্র",
         "৩০/৪৫ দিন", "তিন (০২) দিন", "সপ্তাহে ৬ দিন", "within 3 (three) days"]


@given(cell=st.sampled_from(CELLS), before=NOISE, after=NOISE)
def test_punctuation_and_spaces_around_a_cell_change_nothing(cell: str, before: str,
                                                              after: str) -> None:
    plain, plain_messages = parse_deadline(cell)
    noisy, noisy_messages = parse_deadline(f"{before}{cell}{after}")
    assert key(noisy) == key(plain)
    assert bool(noisy_messages) == bool(plain_messages)


@given(value=st.sampled_from(sorted(BENGALI_NUMBER_WORDS)), data=st.data(),
       unit=UNITS)
def test_bengali_number_words_alone_or_with_digits(value: int, data: st.DataObject,
                                                   unit: tuple[str, str]) -> None:
    word = data.draw(st.sampled_from(BENGALI_NUMBER_WORDS[value]))
    alone, messages = parse_deadline(f"{word} {unit[1]}")
    assert messages == [] and (alone.unit, alone.amount) == (unit[0], value), word
    together, messages = parse_deadline(f"{data.draw(digits(value))} ({word}) {unit[1]}")
    assert messages == [] and together.amount == value


@given(value=st.integers(min_value=1, max_value=100), other=st.integers(min_value=1,
                                                                         max_value=100),
       data=st.data())
def test_a_number_word_that_disagrees_is_flagged(value: int, other: int,
                                                 data: st.DataObject) -> None:
    word = BENGALI_NUMBER_WORDS[other][0]
    deadline, messages = parse_deadline(f"{data.draw(digits(value))} ({word}) দিন")
    assert deadline.needs_review == (value != other) == bool(messages)


@pytest.mark.parametrize("word", ENGLISH_WORDS)
def test_english_number_words(word: str) -> None:
    value = number_word_value(word)
    assert value is not None
    deadline, messages = parse_deadline(f"within {word} days")
    assert messages == [] and deadline.amount == value
    deadline, messages = parse_deadline(f"{value} ({word}) working days")
    assert messages == [] and (deadline.unit, deadline.amount) == ("working_days", value)


FRAGMENTS = ["৭", "০৩", "12", " ", "/", "-", "(", ")", "।", ",", "দিন", "কার্যদিবস", "ঘণ্টা",
             "মাস", "মিনিট", "সপ্তাহে", "বছরে", "থেকে", "হতে", "মধ্যে", "সর্বোচ্চ", "তাৎক্ষণিক",
             "প্রযোজ্য ক্ষেত্রে", "প্রয়োজন অনুযায়ী", "নির্দেশনা অনুযায়ী", "চলমান প্রক্রিয়া",
             "সারা বছর", "তারিখ", "টা", "সকাল", "খোলা", "তিন", "(তিন)", "বা তদুর্ধ্ব", "সাপেক্ষে",
             "প্রাপ্তির", "আবেদনের", "ঐ", "’’", "within", "days", "to", "মার্চ", "একবার", "ছুটির",
             "x", "\u200d", "\u09cd", "়"]


@settings(max_examples=400)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=14) | st.text(max_size=60))
def test_any_text_is_read_or_flagged_never_an_exception(parts: list[str] | str) -> None:
    raw = parts if isinstance(parts, str) else "".join(parts)
    deadline, messages = parse_deadline(raw)
    assert deadline.needs_review == bool(messages)
    assert deadline.understood or messages
    if deadline.amount is not None:
        assert deadline.unit is not None and deadline.amount >= 1
        assert deadline.range_min is None or deadline.range_min < deadline.amount
    else:
        assert deadline.range_min is None
    assert not (deadline.variants and not deadline.needs_review)
    assert not (deadline.no_deadline and (deadline.amount is not None or deadline.immediate))
    deadline.to_json()


HUGE = 100_000


@pytest.mark.parametrize(
    "unit",
    ["৭ দিন ", "তাৎক্ষণিক ", "১-", "(", "৭", "সপ্তাহে ", "৩/", "a", "ক ", "প্রাপ্তির ",
     "(তিন) ", "৭ (তিন) দিন / ", "মাসের ২০-", " ", "কার্য", "\u09cd", "within "],
)
def test_a_100_kb_cell_is_read_in_well_under_a_second(unit: str) -> None:
    raw = unit * (HUGE // len(unit.encode("utf-8")))
    start = time.process_time()
    deadline, messages = parse_deadline(raw)
    elapsed = time.process_time() - start
    assert elapsed < 1.0, f"{unit!r}: {elapsed:.2f} s"
    assert deadline.needs_review == bool(messages)


def _bengali_cells() -> list[str]:
    rows = json.loads((Path(__file__).parent / "data" / "other_offices_deadlines.json")
                      .read_text(encoding="utf-8"))["rows"]
    cells = {row["deadline_raw"] for row in rows if row["deadline_raw"]}
    cells.update(CELLS)
    return sorted(c for c in cells if " " in c and not re.search("[A-Za-z]", c))


def reading(deadline: Deadline) -> tuple[object, ...]:
    return key(deadline)[:-1]  # the notes keep the text as printed


@given(cell=st.sampled_from(_bengali_cells()), data=st.data())
def test_squashed_spaces_change_nothing(cell: str, data: st.DataObject) -> None:
    """Text exported with its spaces squashed ("৩০দিনেরমধ্যে") reads as the spaced text."""
    spaces = [i for i, ch in enumerate(cell) if ch == " "]
    drop = set(data.draw(st.lists(st.sampled_from(spaces), unique=True, min_size=1)))
    squashed = "".join(ch for i, ch in enumerate(cell) if i not in drop)
    assert reading(parse_deadline(squashed)[0]) == reading(parse_deadline(cell)[0]), squashed
