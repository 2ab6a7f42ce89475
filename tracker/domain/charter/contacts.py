"""Read an officer cell: designation, name, office, phones (+880...), e-mails, websites.

Cells look like "জনাব সৌমিত্র বিশ্বাস সহকারী প্রোগ্রামার ফোনঃ ০২৪৭৭৭৬৭০৯০ <a href="mailto:...">"
or "সহকারী প্রোগ্রামার, তথ্য ও যোগাযোগ প্রযুক্তি অধিদপ্তর, দিনাজপুর সদর ... মোবাইল: ০১৭...".
The designation comes from a known vocabulary; the words before it are the name, the words
after it (up to the first contact) the office. Pure.
"""

from __future__ import annotations

import re

from tracker.domain.charter.model import Officer
from tracker.domain.charter.text import ascii_digits, nfc, squash, strip_html

#: Longest first, so "সহকারী প্রোগ্রামার" wins over "প্রোগ্রামার".
DESIGNATIONS: tuple[str, ...] = tuple(sorted((nfc(d) for d in (
    "সিনিয়র সহকারী প্রোগ্রামার", "সহকারী প্রোগ্রামার", "সিস্টেম এনালিস্ট", "প্রোগ্রামার",
    "উপজেলা আইসিটি অফিসার", "জেলা আইসিটি অফিসার", "উপজেলা নির্বাহী অফিসার",
    "সহকারী পরিচালক", "উপপরিচালক", "উপ-পরিচালক", "পরিচালক", "মহাপরিচালক",
    "সহকারী কমিশনার", "অতিরিক্ত জেলা প্রশাসক", "জেলা প্রশাসক", "সহকারী প্রকৌশলী",
    "অভিযোগ নিষ্পত্তি কর্মকর্তা", "আপিল কর্মকর্তা",
)), key=len, reverse=True))
_HONORIFIC = re.compile(nfc(r"^(?:জনাব|জনাবা|বেগম|মিসেস|Mr\.?|Ms\.?|Mrs\.?)\s*[,:]?\s*"))
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")
_BROKEN_EMAIL_TAIL = re.compile(r"^\s([A-Za-z0-9\-]*\.[A-Za-z]{2,}(?:\.[A-Za-z]{2,})*)\b")
_URL = re.compile(
    r"(?:https?://)?(?:www\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:gov\.bd|com|org|net|bd)"
    r"(?:/[^\s<>\"']*)?"
)
#: +880 or 0 then 8-12 digits, with spaces or hyphens inside
_PHONE = re.compile(r"(?<![\d])(?:\+?\s*88\s*-?\s*)?0[\d][\d\s\-]{6,14}\d(?![\d])")
_CONTACT_WORD = re.compile(nfc(
    r"টেলিফোন|ফোন|মোবাইল|মোবা|ই-?মেইল|ইমেইল|E-?mail|Email|Web|ওয়েব|Phone|Tel|Mobile|ফ্যাক্স|Fax"
), re.IGNORECASE)


def normalise_phone(text: str) -> str | None:
    """``০১৭২২-৪৫৬৪২১`` -> ``+8801722456421``; None if it is not a Bangladeshi number."""
    digits = re.sub(r"\D", "", ascii_digits(text))
    if digits.startswith("880"):
        digits = digits[3:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return None
    if digits.startswith("0"):  # "+880 0..." written with the trunk zero kept
        digits = digits[1:]
    if not 7 <= len(digits) <= 10:
        return None
    return "+880" + digits


def parse_officer(cell: str) -> tuple[Officer | None, list[str]]:
    """The officer in one cell (None for an empty cell) and messages for what was unclear."""
    messages: list[str] = []
    visible, link_emails = strip_html(nfc(cell))
    text = squash(ascii_digits(visible))
    if not text:
        return None, messages

    emails: list[str] = []
    rest = text
    for email in link_emails:
        if email not in emails:
            emails.append(email)
    for match in _EMAIL.finditer(text):
        email = match.group(0).rstrip(".")
        domain = email.split("@", 1)[1]
        if "." not in domain:
            tail = _BROKEN_EMAIL_TAIL.match(text[match.end():])
            if tail:
                joined = email + tail.group(1)
                messages.append(
                    f"e-mail {email + tail.group(0)!r} has a space; read as {joined!r}"
                )
                email = joined
                rest = rest.replace(match.group(0) + tail.group(0), " ")
            else:
                messages.append(f"e-mail {email!r} has no domain")
                continue
        if email not in emails:
            emails.append(email)
    without_emails = _EMAIL.sub(" ", rest)
    websites = []
    for match in _URL.finditer(without_emails):
        site = match.group(0)
        if site not in websites and "@" not in site:
            websites.append(site)
    without_urls = _URL.sub(" ", without_emails)

    phones: list[str] = []
    for match in _PHONE.finditer(without_urls):
        phone = normalise_phone(match.group(0))
        if phone is None:
            messages.append(f"phone number {match.group(0).strip()!r} not understood")
        elif phone not in phones:
            phones.append(phone)

    designation = name = office = None
    head = _CONTACT_WORD.split(without_urls, maxsplit=1)[0]
    for candidate in DESIGNATIONS:
        index = head.find(candidate)
        if index >= 0:
            designation = candidate
            before = _HONORIFIC.sub("", head[:index].strip(" ,;:।")).strip(" ,;:।")
            after = head[index + len(candidate):]
            after = re.sub(r"[\d+\-]{6,}", " ", after)
            name = squash(before) or None
            office = squash(after).strip(" ,;:।-") or None
            break
    if designation is None:
        messages.append(f"officer designation not recognised in {squash(visible)[:80]!r}")
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
