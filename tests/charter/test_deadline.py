"""Deadline cells: vocabulary, digits, spelling variants, Unicode forms (with hypothesis)."""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.charter.deadline import parse_deadline
from tracker.domain.charter.text import BENGALI_DIGITS

#: a number word per value, as charters print them in brackets ("০৭ (সাত) দিন")
BENGALI_WORDS = {3: "তিন", 7: "সাত", 10: "দশ", 15: "পনের", 30: "ত্রিশ", 45: "পঁয়তাল্লিশ",
                 90: "নব্বই", 100: "একশত"}


@pytest.mark.parametrize(
    ("raw", "immediate", "unit", "amount", "conditional", "as_needed", "directive"),
    [
        ("তাৎক্ষণিক", True, None, None, False, False, False),
        ("তাৎক্ষণিক /৩ কার্যদিবস (প্রয়োজ্য ক্ষেত্রে)", True, "working_days", 3, True, False,
         False),
        ("তৎক্ষনিক/ ৩ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)", True, "working_days", 3, True, False,
         False),
        ("৭ কার্যদিবস/ প্রয়োজন অনুযায়ী", False, "working_days", 7, True, True, False),
        ("নির্দেশনা অনুযায়ী", False, None, None, False, False, True),
        ("০৭ (সাত) দিন", False, "calendar_days", 7, False, False, False),
        ("২৪ ঘণ্টা", False, "hours", 24, False, False, False),
        ("২৪ ঘন্টা", False, "hours", 24, False, False, False),
        ("১ মাস", False, "months", 1, False, False, False),
        ("তাৎক্ষনিক/ 3 কার্যদিবস (প্রযোজ্য ক্ষেত্রে", True, "working_days", 3, True, False,
         False),
        ("৯০ কার্যদিবস / প্রয়োজন অনুযায়ী", False, "working_days", 90, True, True, False),
    ],
)
def test_vocabulary(raw: str, immediate: bool, unit: str | None, amount: int | None,
                    conditional: bool, as_needed: bool, directive: bool) -> None:
    deadline, problems = parse_deadline(raw)
    assert problems == []
    assert (deadline.immediate, deadline.unit, deadline.amount) == (immediate, unit, amount)
    assert (deadline.conditional, deadline.as_needed, deadline.per_directive) == (
        conditional, as_needed, directive)
    assert deadline.working_days == (amount if unit == "working_days" else None)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("তাৎক্ষণিক/২", "without a unit"),
        ("কার্যদিবস (প্রযোজ্য ক্ষেত্রে)", "did not understand"),
        ("শীঘ্রই", "did not understand"),
        ("", "empty"),
        ("০ কার্যদিবস", "0 is not a deadline"),
        ("৩ কার্যদিবস / ৫ কার্যদিবস", "several limits"),
    ],
)
def test_what_is_not_understood_is_reported(raw: str, fragment: str) -> None:
    _, problems = parse_deadline(raw)
    assert any(fragment in p for p in problems), problems


def _digits(n: int, bengali: list[bool], zeros: int) -> str:
    text = "0" * zeros + str(n)
    return "".join(BENGALI_DIGITS[int(c)] if b else c
                   for c, b in zip(text, bengali + [True] * len(text), strict=False))


IMMEDIATE_SPELLINGS = ["তাৎক্ষণিক", "তাৎক্ষনিক", "তৎক্ষনিক", "তৎক্ষণিক"]
APPLICABLE_SPELLINGS = ["(প্রযোজ্য ক্ষেত্রে)", "(প্রয়োজ্য ক্ষেত্রে)", "প্রযোজ্য ক্ষেত্রে"]
Form = Literal["NFC", "NFD", "NFKC", "NFKD"]
FORMS: list[Form] = ["NFC", "NFD", "NFKC", "NFKD"]


@given(
    n=st.integers(min_value=1, max_value=365),
    bengali=st.lists(st.booleans(), max_size=6),
    zeros=st.integers(min_value=0, max_value=2),
    immediate=st.sampled_from(IMMEDIATE_SPELLINGS),
    applicable=st.sampled_from(APPLICABLE_SPELLINGS),
    form=st.sampled_from(FORMS),
    sep=st.sampled_from(["/", " / ", "/ ", " /"]),
    space=st.sampled_from(["", " ", "  "]),
)
def test_immediate_or_n_working_days_in_any_spelling(
    n: int, bengali: list[bool], zeros: int, immediate: str, applicable: str, form: Form,
    sep: str, space: str,
) -> None:
    raw = f"{immediate}{sep}{_digits(n, bengali, zeros)}{space}কার্যদিবস {applicable}"
    deadline, problems = parse_deadline(unicodedata.normalize(form, raw))
    assert problems == []
    assert deadline.immediate and deadline.conditional and not deadline.as_needed
    assert (deadline.unit, deadline.amount, deadline.working_days) == ("working_days", n, n)


@given(
    n=st.integers(min_value=1, max_value=999),
    bengali=st.lists(st.booleans(), max_size=6),
    zeros=st.integers(min_value=0, max_value=2),
    unit=st.sampled_from([("কার্যদিবস", "working_days"), ("দিন", "calendar_days"),
                          ("ঘণ্টা", "hours"), ("মাস", "months")]),
    words=st.sampled_from(["", " ({})", "({}) ", "({})"]),
    as_needed=st.booleans(),
    form=st.sampled_from(FORMS),
)
def test_n_units_with_digits_in_either_script(
    n: int, bengali: list[bool], zeros: int, unit: tuple[str, str], words: str,
    as_needed: bool, form: Form,
) -> None:
    # the number repeated in words, in brackets: Bengali words up to 100, else none
    word = BENGALI_WORDS.get(n)
    raw = f"{_digits(n, bengali, zeros)}{words.format(word) if word else ''} {unit[0]}"
    if as_needed:
        raw += "/ প্রয়োজন অনুযায়ী"
    deadline, problems = parse_deadline(unicodedata.normalize(form, raw))
    assert problems == []
    assert (deadline.unit, deadline.amount) == (unit[1], n)
    assert deadline.as_needed == deadline.conditional == as_needed
    assert not deadline.immediate


@given(st.text(max_size=80))
def test_any_text_gives_a_deadline_or_problems_never_an_exception(raw: str) -> None:
    deadline, problems = parse_deadline(raw)
    assert deadline.understood or problems
