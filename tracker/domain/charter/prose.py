"""Services printed as prose, not as a table. Pure.

Two layouts carry services without table cells:

- **numbered prose**: "১। নাম জারী ও জমা খারিজ সহজি করণঃ" then lettered sub-items "(ক) …
  আবেদন প্রাপ্তির ৩০/৪৫ দিনের মধ্যে নিষ্পত্তি করা হয়।"; the service is the numbered item, its
  name the item's first sentence, its time limit the sentences that state one;
- **a whole table flattened onto one line**: "ক্রমিক নং সেবার নাম … ১. চিকিৎসা সেবা … ২. ঐ …":
  the rows are found at their serials, but nothing tells the cells apart.

A limit read from a sentence, or from a row whose cells are lost, is a guess: every such
service is flagged for review (``review`` says why), never taken as read. An item cut off
by the end of the document (a "[TRUNCATED …]" marker after it) is reported, not kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tracker.domain.charter.cells import Event, Row, TextLine
from tracker.domain.charter.deadline import parse_deadline
from tracker.domain.charter.ending import is_cut_marker, is_page_footer
from tracker.domain.charter.sections import classify_heading, is_number_header
from tracker.domain.charter.text import ascii_digits, squash

_ITEM = re.compile(r"^\s*\(?(\d{1,2})\s*[।.)]\)?\s*(\S.*)$")
_SUB_ITEM = re.compile(r"^\s*\(\s*[ক-হa-z]\s*\)")
_NAME_END = re.compile(r"[ঃ:।]")
_SENTENCE_END = re.compile(r"।|(?<=[^\d])\.(?=\s|$)")
#: a row's serial inside a flattened table: "১. " after a space (not "২.৩০", a time)
_FLAT_SERIAL = re.compile(r"(?:(?<=\s)|^)(\d{1,2})\s*[.।)]\s*(?!\d)")
_NAME_CHARS = 160
#: a flattened table is a long line (a header line is at most a few dozen characters)
_FLAT_MIN_CHARS = 200


@dataclass(frozen=True)
class ProseItem:
    """A service read from prose."""

    number: int
    line: int
    name: str
    deadline: tuple[str, int] | None  # the sentences stating a limit, and their line
    review: str  # why the limit is to be reviewed
    cut: bool = False  # cut off by the end of the document
    #: the last item only: the document goes on after it (a heading, a page footer)
    closed: bool = True


def _items(lines: Sequence[TextLine]) -> list[tuple[int, int]]:
    """(index in ``lines``, number) of the longest run of items numbered 1, 2, 3, …"""
    best: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for index, event in enumerate(lines):
        match = _ITEM.match(ascii_digits(event.text))
        if match is None or classify_heading(event.text) is not None:
            continue
        number = int(match.group(1))
        if number == 1:
            run = [(index, 1)]
        elif run and number == run[-1][1] + 1:
            run.append((index, number))
        else:
            continue
        if len(run) >= len(best):
            best = list(run)
    return best


def _ends_prose(text: str) -> bool:
    return classify_heading(text) is not None or is_page_footer(text) or is_cut_marker(text)


def _segments(lines: Sequence[TextLine]) -> list[tuple[str, int]]:
    """The item's text as segments (the item's own text, then each lettered sub-item), each
    with the line it starts on."""
    segments: list[tuple[list[str], int]] = []
    for event in lines:
        text = squash(event.text)
        if not text:
            continue
        if not segments or _SUB_ITEM.match(text):
            segments.append(([text], event.line))
        else:
            segments[-1][0].append(text)
    return [(" ".join(parts), line) for parts, line in segments]


def _limit_sentences(segments: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The sentences that state a time limit (as parse_deadline reads them)."""
    found: list[tuple[str, int]] = []
    for text, line in segments:
        for sentence in _SENTENCE_END.split(text):
            sentence = squash(sentence)
            deadline = parse_deadline(sentence)[0] if sentence else None
            if deadline is not None and (deadline.amount is not None or deadline.immediate
                                         or deadline.variants):
                found.append((sentence, line))
    return found


def _prose_item(number: int, lines: Sequence[TextLine], cut: bool) -> ProseItem:
    first = _ITEM.match(ascii_digits(lines[0].text))
    head = lines[0].text[first.start(2):] if first else lines[0].text
    segments = _segments([TextLine(lines[0].line, head), *lines[1:]])
    name = _NAME_END.split(segments[0][0], maxsplit=1)[0].strip()[:_NAME_CHARS]
    sentences = _limit_sentences(segments)
    deadline = None
    review = "numbered prose states no time limit for this item: set it in review"
    if sentences:
        deadline = (" । ".join(s for s, _ in sentences), sentences[0][1])
        review = (f"time limit read from a sentence of numbered prose (line {sentences[0][1]})"
                  + (f", {len(sentences)} sentences state one" if len(sentences) > 1 else "")
                  + ": check it in review")
    return ProseItem(number, lines[0].line, name, deadline, review, cut)


def numbered_prose(events: Sequence[Event]) -> list[ProseItem]:
    """The services of a charter printed as numbered prose (empty if it is not one)."""
    lines = [e for e in events if isinstance(e, TextLine)]
    items = _items(lines)
    found: list[ProseItem] = []
    for position, (start, number) in enumerate(items):
        end = items[position + 1][0] if position + 1 < len(items) else len(lines)
        body = [lines[start]]
        cut = closed = False
        for event in lines[start + 1:end]:
            if _ends_prose(event.text):
                cut, closed = is_cut_marker(event.text), True
                break
            body.append(event)
        item = _prose_item(number, body, cut)
        found.append(item if closed or position + 1 < len(items)
                     else replace(item, closed=False))
    return found


def _flat_rows(text: str) -> list[tuple[int, str]]:
    """The rows (serial, text) of a table flattened onto one line, numbered 1, 2, 3, …"""
    cuts: list[tuple[int, int, int]] = []  # (serial, start of marker, start of text)
    for match in _FLAT_SERIAL.finditer(ascii_digits(text)):
        if int(match.group(1)) == len(cuts) + 1:
            cuts.append((len(cuts) + 1, match.start(), match.end()))
    rows = []
    for index, (number, _, start) in enumerate(cuts):
        end = cuts[index + 1][1] if index + 1 < len(cuts) else len(text)
        rows.append((number, squash(text[start:end])))
    return rows


def flattened_table(events: Sequence[Event]) -> list[ProseItem]:
    """The rows of a whole table flattened onto one line (empty if there is none)."""
    for index, event in enumerate(events):
        if isinstance(event, Row) or len(event.text) < _FLAT_MIN_CHARS:
            continue
        text = squash(event.text)
        if not is_number_header(" ".join(text.split()[:2])):
            continue
        end = index + 1  # the line may go on over the next lines (a line break typed in it)
        while end < len(events):
            following = events[end]
            if not isinstance(following, TextLine) or _ends_prose(following.text):
                break
            end += 1
        text = squash(" ".join(e.text for e in events[index:end] if isinstance(e, TextLine)))
        rows = _flat_rows(text)
        if len(rows) < 2:
            continue
        after = events[end] if end < len(events) else None
        cut = isinstance(after, TextLine) and is_cut_marker(after.text)
        review = (f"the table is flattened onto one line (line {event.line}): its cells "
                  "cannot be told apart, the time limit is to be set in review")
        # the line's last row is whole only if the document goes on after the line
        return [ProseItem(number, event.line, row[:_NAME_CHARS], None, review,
                          cut=cut and number == len(rows),
                          closed=after is not None or number < len(rows))
                for number, row in rows]
    return []
