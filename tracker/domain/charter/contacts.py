"""Read an officer cell: designation, name, office, phones (E.164), e-mails, websites.

Cells look like "জনাব সৌমিত্র বিশ্বাস সহকারী প্রোগ্রামার ফোনঃ ০২৪৭৭৭৬৭০৯০ <a href="mailto:...">"
or "সহকারী প্রোগ্রামার, তথ্য ও যোগাযোগ প্রযুক্তি অধিদপ্তর, দিনাজপুর সদর ... মোবাইল: ০১৭...".
The designation comes from a known vocabulary; the words before it are the name, the words
after it (up to the first contact) the office. Pure.

Phone numbers are checked against the Bangladesh numbering plan with ``phonenumbers``
(region BD): a valid one is kept in E.164 form (``+8801722456421``, ``+88053166992``);
one the plan does not allow is *not* kept as a phone but reported (:class:`ContactMessage`
with :attr:`ContactIssue.PHONE`), and stays readable in the officer's ``raw`` text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from tracker.domain.charter.model import Officer
from tracker.domain.charter.text import ascii_digits, nfc, squash, strip_html

#: Longest first, so "সহকারী প্রোগ্রামার" wins over "প্রোগ্রামার".
DESIGNATIONS: tuple[str, ...] = tuple(sorted((nfc(d) for d in (
    "সিনিয়র সহকারী প্রোগ্রামার", "সহকারী প্রোগ্রামার", "সিস্টেম এনালিস্ট", "প্রোগ্রামার",
    "উপজেলা আইসিটি অফিসার", "জেলা আইসিটি অফিসার", "উপজেলা নির্বাহী অফিসার",
    "সহকারী পরিচালক", "উপপরিচালক", "উপ-পরিচালক", "পরিচালক", "মহাপরিচালক",
    "সহকারী কমিশনার", "অতিরিক্ত জেলা প্রশাসক", "জেলা প্রশাসক", "সহকারী প্রকৌশলী",
    "অভিযোগ নিষ্পত্তি কর্মকর্তা", "আপিল কর্মকর্তা",
    # the officers of other offices (issue 12: land, UNO, union parishad, PIO, women
    # affairs, registration, agriculture, health, education, social services ...)
    "সহকারী কমিশনার (ভূমি)", "ইউনিয়ন ভূমি সহকারী কর্মকর্তা", "ইউনিয়ন ভূমি উপ-সহকারী কর্মকর্তা",
    "চেয়ারম্যান", "ইউপি চেয়ারম্যান", "সচিব", "ইউপি সচিব", "ইউনিয়ন পরিষদ সচিব", "ইউপি সদস্য",
    "প্রকল্প বাস্তবায়ন কর্মকর্তা", "উপজেলা প্রকল্প বাস্তবায়ন কর্মকর্তা",
    "উপজেলা মহিলা বিষয়ক কর্মকর্তা", "জেলা মহিলা বিষয়ক কর্মকর্তা", "সাব-রেজিস্ট্রার",
    "জেলা রেজিস্ট্রার", "মহা-পরিদর্শক", "উপজেলা কৃষি অফিসার", "উপ-সহকারী কৃষি কর্মকর্তা",
    "উপজেলা প্রাণিসম্পদ কর্মকর্তা", "উপজেলা স্বাস্থ্য ও পরিবার পরিকল্পনা কর্মকর্তা",
    "উপজেলা পরিবার পরিকল্পনা কর্মকর্তা", "উপজেলা শিক্ষা অফিসার",
    "উপজেলা মাধ্যমিক শিক্ষা অফিসার", "উপজেলা সমাজসেবা অফিসার", "উপজেলা নির্বাচন অফিসার",
    "উপজেলা যুব উন্নয়ন কর্মকর্তা", "উপজেলা প্রকৌশলী", "উপজেলা হিসাবরক্ষণ কর্মকর্তা",
    "Upazila Nirbahi Officer", "Assistant Commissioner (Land)", "Deputy Commissioner",
)), key=len, reverse=True))
_HONORIFIC = re.compile(nfc(r"^(?:জনাব|জনাবা|বেগম|মিসেস|Mr\.?|Ms\.?|Mrs\.?)\s*[,:]?\s*"))
# The e-mail and website patterns start only at the beginning of a run of their characters
# (the lookbehinds): a long run without "@" or a known domain is then scanned once, not once
# per character (quadratic on a hostile 50 MB charter otherwise).
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")
_BROKEN_EMAIL_TAIL = re.compile(r"\s([A-Za-z0-9\-]*\.[A-Za-z]{2,}(?:\.[A-Za-z]{2,})*)\b")
_URL = re.compile(
    r"(?<![A-Za-z0-9.\-])\.*"
    r"((?:https?://)?(?:www\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:gov\.bd|com|org|net|bd)"
    r"(?:/[^\s<>\"']*)?)"
)
#: What may be meant as a phone number: +88, 88 or nothing, then 0 and at least 6 more
#: digits (spaces or hyphens inside). Wide on purpose: a number cut short must be reported, and
#: the shortest Bangladeshi landlines have 7 digits with the leading 0 (``0562190``).
#: The spaces around "+88" are bounded: "\s*" there made every space of a long blank run scan
#: the rest of the run (quadratic).
_PHONE = re.compile(r"(?<![\d])(?:\+?\s{0,3}88\s{0,3}-?\s{0,3})?0[\d][\d\s\-]{4,14}\d(?![\d])")
#: Since 2020 BTCL gives landlines 11-digit numbers 02 + 9 digits in every district;
#: the phonenumbers data do not list them yet (2025), so say so when one is rejected.
_BTCL_ELEVEN_DIGITS = re.compile(r"^2\d{9}$")
_CONTACT_WORD = re.compile(nfc(
    r"টেলিফোন|ফোন|মোবাইল|মোবা|ই-?মেইল|ইমেইল|E-?mail|Email|Web|ওয়েব|Phone|Tel|Mobile|ফ্যাক্স|Fax"
), re.IGNORECASE)


class ContactIssue(StrEnum):
    """What was unclear in an officer cell."""

    PHONE = "phone"
    EMAIL = "email"
    DESIGNATION = "designation"


@dataclass(frozen=True)
class ContactMessage:
    """One thing to review in an officer cell; ``str()`` is the message shown."""

    issue: ContactIssue
    text: str

    def __str__(self) -> str:
        return self.text


_SHORTEST_NATIONAL = 8


def _national_number(text: str) -> str | None:
    """The digits after +880 (or after the trunk 0), or None if not written that way."""
    digits = re.sub(r"\D", "", ascii_digits(text))
    if digits.startswith("880"):
        digits = digits[3:]
        # "+880 0..." written with the trunk zero kept; but "+88 00810000" is "+88" and
        # the trunk zero before "0810000", no number: a kept trunk is taken only before a
        # whole national number (8 digits at least: Dhaka's 2-9123456 is the shortest)
        if digits.startswith("0") and len(digits) > _SHORTEST_NATIONAL:
            digits = digits[1:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return None
    return digits or None


def normalise_phone(text: str) -> str | None:
    """``০১৭২২-৪৫৬৪২১`` -> ``+8801722456421``; None unless it is a valid Bangladeshi
    number (mobile, or landline with its area code) by the phonenumbers BD plan."""
    national = _national_number(text)
    if national is None or national.startswith("0"):
        return None
    try:
        # given with +880, so "00..." can never be read as a call abroad
        number = phonenumbers.parse("+880" + national)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _invalid_phone_message(printed: str) -> ContactMessage:
    text = (f"phone number {printed!r} is not a valid Bangladeshi number: not kept as a "
            "phone (it stays in the raw text)")
    if _BTCL_ELEVEN_DIGITS.match(_national_number(printed) or ""):
        text += ("; it looks like an 11-digit BTCL landline (02 + 9 digits), which the "
                 "phonenumbers data do not list: if it is right, add it to phones by hand")
    return ContactMessage(ContactIssue.PHONE, text)


@dataclass(frozen=True)
class _MendedEmail:
    """What became of an e-mail whose domain has no dot (often a space typed inside it)."""

    email: str | None  # None: not an e-mail after all (no domain), so not kept
    printed: str  # the text to drop from the cell when it was mended, else ""
    message: ContactMessage


def _mend_email(match: re.Match[str], email: str, text: str) -> _MendedEmail:
    """Join a tail cut off by a space ("name@gmail .com") back on; else report no domain."""
    tail = _BROKEN_EMAIL_TAIL.match(text, match.end())  # no slice: a copy per e-mail
    if not tail:
        return _MendedEmail(None, "", ContactMessage(ContactIssue.EMAIL,
                                                     f"e-mail {email!r} has no domain"))
    joined = email + tail.group(1)
    return _MendedEmail(joined, match.group(0) + tail.group(0), ContactMessage(
        ContactIssue.EMAIL,
        f"e-mail {email + tail.group(0)!r} has a space; read as {joined!r}",
    ))


def _read_emails(text: str, link_emails: list[str],
                 messages: list[ContactMessage]) -> tuple[list[str], str]:
    """E-mails (mailto links first, then in the text, no repeats) and the text left over.

    The leftover text has mended e-mails cut out, so their tails are not read as websites.
    Messages are appended in the order found (callers show them in cell order).
    """
    emails = dict.fromkeys(link_emails)  # a dict keeps the order and finds repeats at once
    mended_spans: list[tuple[int, int]] = []
    for match in _EMAIL.finditer(text):
        email = match.group(0).rstrip(".")
        if "." not in email.split("@", 1)[1]:
            mended = _mend_email(match, email, text)
            messages.append(mended.message)
            if mended.email is None:
                continue
            email = mended.email
            mended_spans.append((match.start(), match.start() + len(mended.printed)))
        emails.setdefault(email)
    return list(emails), _cut_out(text, mended_spans)


def _cut_out(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span (in order) replaced by a space, in one pass: one
    ``str.replace`` per mended e-mail was quadratic in a cell with thousands of them."""
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        if start < position:  # overlaps the span before: already cut
            position = max(position, end)
            continue
        pieces += (text[position:start], " ")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _read_websites(text: str) -> list[str]:
    """Websites in a text with the e-mails already removed, in order, no repeats."""
    websites: dict[str, None] = {}
    for match in _URL.finditer(text):
        site = match.group(1)
        if "@" not in site:
            websites.setdefault(site)
    return list(websites)


def _read_phones(text: str, messages: list[ContactMessage]) -> list[str]:
    """Valid phones in E.164 (no repeats); each invalid one is reported, not kept."""
    phones: dict[str, None] = {}
    for match in _PHONE.finditer(text):
        phone = normalise_phone(match.group(0))
        if phone is None:
            messages.append(_invalid_phone_message(match.group(0).strip()))
        else:
            phones.setdefault(phone)
    return list(phones)


def _find_word(text: str, word: str) -> int:
    """Where ``word`` occurs in ``text`` not followed by more of a word, or -1 ("সচিব" is
    not found in সচিবালয়, the secretariat)."""
    index = text.find(word)
    while index >= 0:
        end = index + len(word)
        if end >= len(text) or not (text[end].isalnum()
                                    or unicodedata.category(text[end]).startswith("M")):
            return index
        index = text.find(word, index + 1)
    return -1


def _designation_name_office(text: str) -> tuple[str | None, str | None, str | None]:
    """The known designation before the first contact word, the name before it, the office
    after it (phone-like digit runs dropped); all None if no designation is found."""
    head = _CONTACT_WORD.split(text, maxsplit=1)[0]
    for candidate in DESIGNATIONS:
        index = _find_word(head, candidate)
        if index >= 0:
            before = _HONORIFIC.sub("", head[:index].strip(" ,;:।")).strip(" ,;:।")
            after = head[index + len(candidate):]
            after = re.sub(r"[\d+\-]{6,}", " ", after)
            return candidate, squash(before) or None, squash(after).strip(" ,;:।-") or None
    return None, None, None


def parse_officer(cell: str) -> tuple[Officer | None, list[ContactMessage]]:
    """The officer in one cell (None for an empty cell) and messages for what was unclear."""
    messages: list[ContactMessage] = []
    visible, link_emails = strip_html(nfc(cell))
    text = squash(ascii_digits(visible))
    if not text:
        return None, messages

    # Each kind of contact is cut out before the next is read, so an e-mail's domain is
    # not taken for a website, nor a website's digits for a phone.
    emails, rest = _read_emails(text, link_emails, messages)
    without_emails = _EMAIL.sub(" ", rest)
    websites = _read_websites(without_emails)
    without_urls = _URL.sub(" ", without_emails)
    phones = _read_phones(without_urls, messages)

    designation, name, office = _designation_name_office(without_urls)
    if designation is None:
        messages.append(ContactMessage(
            ContactIssue.DESIGNATION,
            f"officer designation not recognised in {squash(visible)[:80]!r}",
        ))
    return (
        Officer(
            raw=squash(visible),
            designation=designation,
            name=name,
            office=office,
            phones=tuple(phones),
            emails=tuple(emails),
            websites=tuple(websites),
        ),
        messages,
    )
