"""Officer cells: designation, name, phones (E.164, checked with phonenumbers), e-mails."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.charter.contacts import ContactIssue, normalise_phone, parse_officer
from tracker.domain.charter.text import BENGALI_DIGITS


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("০১৬৭৬-৪৩৫৪৭৭", "+8801676435477"),
        ("01303388680", "+8801303388680"),
        ("+880 1711-000000", "+8801711000000"),
        ("8801711000000", "+8801711000000"),
        ("+880 01711000000", "+8801711000000"),  # trunk 0 kept after the country code
        # landlines with their area code (Dinajpur, Magura, Dhaka)
        ("০৫৩১৬৬৯৯২", "+88053166992"),
        ("+৮৮০৪৮৮-৫১০৮৭", "+88048851087"),
        ("029559012", "+88029559012"),
        # not in the Bangladesh numbering plan: no longer turned into "+880..." blindly
        ("01234567", None),  # a mobile number cut short (was "+8801234567")
        ("01212345678", None),  # no operator 012
        ("০৫৩১৬৬৯১০৭", None),  # Dinajpur misprint: area code 0531 takes 5 digits
        ("+৮৮০৪৮৫২-৭৫০৭২", None),  # Magura: exchange 04852 is not in the plan
        ("০২৪৭৭৭৬৭০৯০", None),  # BTCL 11-digit landline, not in the phonenumbers data
        ("0053339212", None),  # "00" would be a call abroad
        ("12345", None),
    ],
)
def test_phone_numbers(printed: str, normalised: str | None) -> None:
    assert normalise_phone(printed) == normalised


@given(st.from_regex(r"01[3-9][0-9]{8}", fullmatch=True))
def test_every_mobile_number_is_accepted_in_e164(printed: str) -> None:
    assert normalise_phone(printed) == "+880" + printed[-10:]


@given(st.from_regex(r"01[0-9]{0,7}", fullmatch=True), st.sampled_from(["", "+88", "88"]))
def test_a_mobile_number_cut_short_is_never_a_phone(digits: str, prefix: str) -> None:
    assert normalise_phone(prefix + digits) is None


@given(st.from_regex(r"0[0-9]{0,8}", fullmatch=True), st.sampled_from(["", "+88"]))
def test_fewer_than_ten_digits_is_at_most_a_landline(digits: str, prefix: str) -> None:
    # The brief asked for "fewer than 10 digits is never a phone"; but landlines with an
    # area code have 7-9 digits (Dinajpur's ০৫৩১৬৬৯৯২ and Magura's ০৪৮৮-৫১০৮৭ in the real
    # charters) and the numbering plan allows them. What holds: such a number is never a
    # mobile (those have 11 digits); whatever is accepted is a fixed line, in E.164.
    phone = normalise_phone(prefix + digits)
    if phone is not None:
        number = phonenumbers.parse(phone)
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
        assert phone == "+880" + digits[1:]


@given(st.from_regex(r"[0-9]{0,6}", fullmatch=True))
def test_fewer_than_seven_digits_is_never_a_phone(printed: str) -> None:
    assert normalise_phone(printed) is None
    assert normalise_phone("0" + printed[1:]) is None


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
    assert officer is not None
    # the BTCL landline is not in the phonenumbers data (see test_phone_numbers)
    assert [p.issue for p in problems] == [ContactIssue.PHONE]
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
    assert len(problems) == 1 and "has a space" in str(problems[0])
    assert problems[0].issue is ContactIssue.EMAIL


def test_unknown_designation_and_empty_cell() -> None:
    officer, problems = parse_officer("জনাব মো: রফিকুল ইসলাম")
    assert officer is not None and officer.designation is None
    assert [p.issue for p in problems] == [ContactIssue.DESIGNATION]
    assert parse_officer("   ") == (None, [])


@pytest.mark.parametrize("printed", ["০১২৩৪৫৬৭", "০৫৩১৬৬৯১০৭", "০১২১২-৩৪৫৬৭৮"])
def test_invalid_phone_is_reported_and_kept_only_in_the_raw_text(printed: str) -> None:
    officer, problems = parse_officer(f"প্রোগ্রামার ফোনঃ {printed} মোবাইলঃ ০১৭২২-৪৫৬৪২১")
    assert officer is not None
    assert officer.phones == ("+8801722456421",)  # the valid one only
    assert printed in officer.raw  # nothing is lost
    assert [p.issue for p in problems] == [ContactIssue.PHONE]
    assert repr(printed.translate(str.maketrans(BENGALI_DIGITS, "0123456789"))) in str(
        problems[0])


def test_btcl_eleven_digit_landline_gets_a_hint() -> None:
    _, problems = parse_officer("সহকারী প্রোগ্রামার ফোনঃ ০২৪৭৭৭৬৭০৯০")
    assert len(problems) == 1 and "BTCL" in str(problems[0])
    _, problems = parse_officer("সহকারী প্রোগ্রামার ফোনঃ ০১২৩৪৫৬৭")
    assert len(problems) == 1 and "BTCL" not in str(problems[0])


@given(st.text(max_size=120))
def test_any_cell_never_raises(cell: str) -> None:
    officer, _ = parse_officer(cell)
    assert officer is None or all(p.startswith("+880") for p in officer.phones)
