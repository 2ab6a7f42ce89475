"""Officer cells: designation, name, phones (+880...), e-mails from text and mailto links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.charter.contacts import normalise_phone, parse_officer
from tracker.domain.charter.text import BENGALI_DIGITS


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("০১৬৭৬-৪৩৫৪৭৭", "+8801676435477"),
        ("01303388680", "+8801303388680"),
        ("+৮৮০৪৮৫২-৭৫০৭২", "+880485275072"),
        ("০২৪৭৭৭৬৭০৯০", "+8802477767090"),
        ("+880 1711-000000", "+8801711000000"),
        ("8801711000000", "+8801711000000"),
        ("12345", None),
    ],
)
def test_phone_numbers(printed: str, normalised: str | None) -> None:
    assert normalise_phone(printed) == normalised


@given(st.from_regex(r"1[3-9][0-9]{8}", fullmatch=True), st.booleans(),
       st.sampled_from(["", "+88", "88"]), st.sampled_from(["", "-", " "]))
def test_mobile_numbers_in_any_script_and_format(rest: str, bengali: bool, prefix: str,
                                                  sep: str) -> None:
    digits = "0" + rest
    if bengali:
        digits = digits.translate(str.maketrans("0123456789", BENGALI_DIGITS))
    printed = prefix + digits[:5] + sep + digits[5:]
    assert normalise_phone(printed) == "+880" + rest


def test_mailto_link_and_name_before_designation() -> None:
    officer, problems = parse_officer(
        'জনাব সৌমিত্র বিশ্বাস সহকারী প্রোগ্রামার ফোনঃ ০২৪৭৭৭৬৭০৯০ '
        '<a href="mailto:tutulbiswas@yahoo.com">tutulbiswas@yahoo.com</a>'
    )
    assert problems == [] and officer is not None
    assert (officer.name, officer.designation) == ("সৌমিত্র বিশ্বাস", "সহকারী প্রোগ্রামার")
    assert officer.emails == ("tutulbiswas@yahoo.com",)
    assert "<a" not in officer.raw


def test_mailto_only_in_the_link() -> None:
    officer, _ = parse_officer('প্রোগ্রামার <a href="mailto:a.b@example.gov.bd">ই-মেইল</a>')
    assert officer is not None and officer.emails == ("a.b@example.gov.bd",)


def test_office_after_designation_and_broken_email_reported() -> None:
    officer, problems = parse_officer(
        "প্রোগ্রামার\nতথ্য ও যোগাযোগ প্রযুক্তি অধিদপ্তর\nজেলা কার্যালয়\nমাগুরা।\n"
        "ফোনঃ +৮৮০৪৮৮-৫১০৮৭\nইমেইলঃ\nprogrammer.magura@gma il.com"
    )
    assert officer is not None
    assert officer.designation == "প্রোগ্রামার" and officer.name is None
    assert officer.office == "তথ্য ও যোগাযোগ প্রযুক্তি অধিদপ্তর জেলা কার্যালয় মাগুরা"
    assert officer.emails == ("programmer.magura@gmail.com",)
    assert officer.websites == ()
    assert len(problems) == 1 and "has a space" in problems[0]


def test_unknown_designation_and_empty_cell() -> None:
    officer, problems = parse_officer("জনাব মো: রফিকুল ইসলাম")
    assert officer is not None and officer.designation is None
    assert problems and "designation" in problems[0]
    assert parse_officer("   ") == (None, [])


@given(st.text(max_size=120))
def test_any_cell_never_raises(cell: str) -> None:
    officer, _ = parse_officer(cell)
    assert officer is None or all(p.startswith("+880") for p in officer.phones)
