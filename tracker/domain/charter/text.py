"""Text clean-up shared by the charter reader and parsers: Unicode, digits, HTML, spaces.

Charters arrive as text exported from Word/PDF/web pages. Before any matching we
normalise to NFC (one real charter is not NFC), drop zero-width joiners that Word leaves
inside conjuncts, and read Bengali digits (০-৯) as ASCII. Matching keys additionally fold
the spelling variants seen in real charters (ী/ি, ূ/ু, ণ/ন, nukta forms).
"""

from __future__ import annotations

import html
import re
import unicodedata

# The one digit table (tracker.domain.bn); the charter modules read digits through here.
from tracker.domain.bn import BENGALI_DIGITS as BENGALI_DIGITS
from tracker.domain.bn import ascii_digits as ascii_digits

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
# The tag's parts stop at the next "<" as well as ">": an unclosed "<a " repeated would
# otherwise make every "<a" scan the rest of the cell (quadratic on hostile input).
_MAILTO = re.compile(r"""<a\b[^<>]*href\s*=\s*["']?mailto:([^"'<>\s]+)[^<>]*>""", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,300}>")
#: Fold spelling variants for *matching keys only* (never for text we store or show).
_KEY_FOLD = str.maketrans({"ী": "ি", "ূ": "ু", "ণ": "ন", "\u09bc": None,
                           "ৎ": "ত", "্": None, "ঁ": None, "ঃ": None})


def nfc(text: str) -> str:
    """NFC, without zero-width (non-)joiners; ``ত্`` + ZWJ (old form of ৎ) becomes ``ৎ``."""
    text = text.replace("ত্\u200d", "ৎ")
    return unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text))


def squash(text: str) -> str:
    """Collapse runs of spaces (and line breaks inside a cell) to one space; strip."""
    return _SPACES.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()


def strip_html(text: str) -> tuple[str, list[str]]:
    """Remove HTML tags; return the visible text and the e-mails of ``mailto:`` links."""
    emails = [html.unescape(m) for m in _MAILTO.findall(text)]
    visible = html.unescape(_TAG.sub(" ", text))
    return visible, emails


def clean_cell(text: str) -> str:
    """The visible text of a cell: NFC, no HTML tags, no markdown emphasis, one-line."""
    visible, _ = strip_html(nfc(text))
    visible = visible.replace("**", "").replace("__", "")
    return squash(visible)


def match_key(text: str) -> str:
    """A lenient key for vocabulary matching: NFC, ASCII digits, folded variants, no spaces."""
    key = ascii_digits(nfc(text)).casefold().translate(_KEY_FOLD)
    return re.sub(r"[\s\-‐–—_.,;:।|/()\[\]'\"*#]+", "", key)


_SERIAL = re.compile(r"^\(?\s*(\d{1,3})\s*[.)।]?\s*\)?\s*[.)।]?$")


def parse_serial(text: str) -> int | None:
    """A service number as printed (``০১``, ``১.``, ``1)``, ``(৩)``) as int, else None."""
    match = _SERIAL.match(ascii_digits(squash(text)))
    number = int(match.group(1)) if match else 0
    return number or None  # services are numbered from 1: "০" is no serial


def is_parenthesised_number(text: str) -> bool:
    """``(১)`` style cells: the column-number row of a charter table."""
    return re.fullmatch(r"\(\s*\d{1,2}\s*\)", ascii_digits(squash(text))) is not None
