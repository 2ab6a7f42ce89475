"""Tell a charter that ends where it may end from one cut off inside its services. Pure.

A file cut short (a truncated download, a copy that stopped at a page) parses into fewer
services, and nothing in the rows that remain says so: numbering is still 1, 2, 3... So the
parser follows *where* the document has got to and checks its end. A charter's services
part is followed by a closing part — the GRS section (অভিযোগ প্রতিকার ব্যবস্থা), "আপনার কাছে
আমাদের প্রত্যাশা", another table, or the signature's date line. A document that ends

- inside a services table, after a service row: the last service may be incomplete and
  later services missing;
- after a services table's header, or after a section heading (নাগরিক / প্রাতিষ্ঠানিক /
  অভ্যন্তরীণ সেবা) with no service under it: that section's services are missing;

gets one problem saying so, with the line where it ends. A markdown row whose line lacks its
closing "|" (while the rows above have one) was cut in the middle of the row.

Copies of web pages may say where they were cut: a line ``[TRUNCATED: stored excerpt ends
here]`` (:func:`is_cut_marker`) makes the document cut there whatever part it is in, and the
row it ends in is not a service (the parser reports it). A portal's page footer
(:func:`is_page_footer`, "পরিকল্পনা ও বাস্তবায়নে: মন্ত্রিপরিষদ বিভাগ, এটুআই …") closes the
services: the page is complete.

A complete charter that really ends with its services table (some offices print nothing
after it) gets the same problem: the reviewer confirms the document is complete. A row cut
short of its cells is reported by the parser's row check, not again here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tracker.domain.charter.model import Category, Problem
from tracker.domain.charter.text import match_key

_CUT_MARKER = re.compile(r"^\s*\[\s*(?:TRUNCATED|CUT|EXCERPT ENDS)\b[^\]]{0,200}\]\s*$",
                         re.IGNORECASE)
_FOOTER_KEYS = tuple(match_key(w) for w in ("পরিকল্পনা ও বাস্তবায়নে", "Planning and Implementation"))


def is_cut_marker(text: str) -> bool:
    """A line saying the copy of the document was cut here ("[TRUNCATED: …]")."""
    return len(text) <= 300 and _CUT_MARKER.match(text) is not None


def is_page_footer(text: str) -> bool:
    """The national portal's page footer, printed after the page's content."""
    if len(text) > 300:
        return False
    key = match_key(text)
    return any(key.startswith(word) for word in _FOOTER_KEYS)


class Place(StrEnum):
    """Where the document has got to, as far as the services are concerned."""

    OUTSIDE = "outside"  # before the services, or in a part printed after them
    SECTION = "section"  # a service section heading, no table under it yet
    TABLE = "table"  # a services table's header, no service row yet
    ROW = "row"  # a services table, after a service row


@dataclass
class Ending:
    """Follows the parser's events; :meth:`problem` says whether the end looks cut off."""

    place: Place = Place.OUTSIDE
    line: int = 0
    heading: str = ""
    category: Category | None = None
    number: int | None = None
    open_row: bool = False  # the last markdown row has no closing "|"
    closed_rows: int = 0  # markdown rows seen with their closing "|"
    reported: bool = False  # the last row was reported as cut short of its cells
    cut_at: int = 0  # the line of a "[TRUNCATED …]" marker, if the document has one

    def section(self, line: int, heading: str) -> None:
        """A service section heading (নাগরিক / প্রাতিষ্ঠানিক / অভ্যন্তরীণ সেবা)."""
        self.place, self.line, self.heading = Place.SECTION, line, heading

    def table(self, line: int) -> None:
        """A services table's header row."""
        self.place, self.line = Place.TABLE, line

    def row(self, line: int, category: Category | None, number: int | None, *,
            open_row: bool = False, reported: bool = False) -> None:
        """A service row (or a row continuing one) ending at ``line``."""
        self.place, self.line = Place.ROW, line
        self.category, self.number = category, number
        self.open_row, self.reported = open_row, reported

    def pipe_row(self, *, closed: bool) -> None:
        """Any markdown row: counts the rows printed with their closing "|"."""
        self.closed_rows += closed

    def close(self) -> None:
        """A part printed after the services: a GRS or other table or heading, a date line."""
        self.place = Place.OUTSIDE

    def truncated(self, line: int) -> None:
        """A line saying the document was cut here."""
        self.cut_at = self.cut_at or line

    @property
    def cut(self) -> bool:
        """Whether the document ends inside its services part or says it was cut."""
        return bool(self.cut_at) or self.place in (Place.SECTION, Place.TABLE) or (
            self.place is Place.ROW and (self.open_row or self.reported))

    def problem(self) -> Problem | None:
        """The problem for a document that ends inside its services part, or None."""
        if self.cut_at:
            after = f", after service {self.number}" if self.number is not None else ""
            return Problem(self.cut_at, f"the document says it was cut off here (line "
                                        f"{self.cut_at}{after}): later services are missing")
        if self.place is Place.SECTION:
            return Problem(self.line, f"the document ends after the heading {self.heading!r} "
                                      "with no service under it: the file seems cut off "
                                      "(that section's services are missing)")
        if self.place is Place.TABLE:
            return Problem(self.line, "the document ends after the header of a services table, "
                                      "before any service: the file seems cut off (that "
                                      "table's services are missing)")
        if self.place is not Place.ROW or self.reported:
            return None
        service = f"{self.category} service {self.number}" if self.category else (
            f"service {self.number}")
        if self.open_row and self.closed_rows:
            return Problem(self.line, f"the services table ends mid-row at line {self.line} "
                                      "(the row has no closing '|'): the file seems cut off; "
                                      f"{service} is incomplete and later services may be "
                                      "missing")
        return Problem(self.line, f"the document ends inside the services table, after {service} "
                                  f"(line {self.line}), with no GRS section, প্রত্যাশা or "
                                  "signature date after it: if the charter goes on, the file is "
                                  f"cut off ({service} may be incomplete, later services missing)")
