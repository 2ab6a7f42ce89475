"""Text that users type or import, made safe and comparable: the one home for input text.

Every path that writes a register number (``external_ref``) or a free-text field calls
these, so "R/1", " R/1 ", "R/1\\u200b" and "R\\u00a0/1" cannot become four requests, and no
control character reaches the log (where it would break CSV readers or openpyxl later).

- ``normalise_reference``: NFC, every Unicode space to one ASCII space, zero-width and
  other invisible format characters removed, trimmed; refuses control characters and
  an empty result.
- ``clean_text``: NFC, trimmed; refuses control characters (newlines allowed where the
  field is multi-line) and over-long values.
- ``xlsx_safe``: text openpyxl will accept (it raises on C0 controls), for output paths
  that meet old rows written before these checks.
"""

from __future__ import annotations

import re
import unicodedata

from tracker.errors import InputError

#: Longest register number, and longest free text, accepted (a 200 KB cell is a mistake).
MAX_REFERENCE_CHARS = 100
MAX_TEXT_CHARS = 2000

# C0/C1 controls, DEL and the Unicode line/paragraph separators. Tab and newline are handled
# per field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_KEEPING_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# openpyxl's ILLEGAL_CHARACTERS_RE: C0 controls except tab, newline, carriage return.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACES = re.compile(r"\s+")


def _control_error(text: str, what: str, match: re.Match[str]) -> InputError:
    char = match.group(0)
    return InputError(f"{what} contains a control character U+{ord(char):04X} at position "
                      f"{match.start() + 1}; remove it and try again")


def _without_invisible(text: str) -> str:
    """Drop format characters (Unicode category Cf: zero-width space/joiners, BOM, soft
    hyphen, direction marks): invisible, so two references differing only by them are one."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def normalise_reference(raw: str | None, *, what: str = "register number") -> str | None:
    """The canonical form of a register number; ``None`` for no reference.

    ``None`` stays ``None`` (no reference given). A value that is empty once cleaned is
    refused: an officer who typed only spaces meant something, and an empty string would
    otherwise be one shared "reference" for every request.
    """
    if raw is None:
        return None
    match = _CONTROL.search(raw.replace("\t", " "))
    if match:
        raise _control_error(raw, what, match)
    text = unicodedata.normalize("NFC", _without_invisible(raw))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise InputError(f"{what} is empty; leave it out instead")
    if len(text) > MAX_REFERENCE_CHARS:
        raise InputError(f"{what} is {len(text)} characters long "
                         f"(at most {MAX_REFERENCE_CHARS})")
    return text


def clean_text(raw: str | None, *, what: str, multiline: bool = False,
               max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """Free text (names, contacts, summaries, reasons) in NFC, trimmed; ``None`` stays ``None``.

    Zero-width joiners are kept here: in Bengali they shape conjuncts and are meaningful.
    """
    if raw is None:
        return None
    text = raw.replace("\r\n", "\n") if multiline else raw
    pattern = _CONTROL_KEEPING_LINES if multiline else _CONTROL
    match = pattern.search(text.replace("\t", " "))
    if match:
        raise _control_error(raw, what, match)
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) > max_chars:
        raise InputError(f"{what} is {len(text)} characters long (at most {max_chars})")
    return text


def xlsx_safe(text: str) -> str:
    """``text`` with the characters openpyxl refuses replaced by U+FFFD (shown, not lost)."""
    return _XLSX_ILLEGAL.sub("\ufffd", text)
