"""Issue 11 item 15: a charter cut short says so, a huge one is refused, none crashes.

- Every cut of the five real charters (after each line, in the middle of each line, and at
  any byte or character by hypothesis) that loses a service, or changes one, carries a
  problem the full charter does not have. Before the fix 207 of 801 such cuts said nothing.
- A charter over MAX_CHARTER_BYTES is refused before it is read, with the limit named;
  long hostile lines that made the parser's patterns quadratic parse like any other text.
- Random byte and line mutations give a result or a TrackerError, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.charter.conftest import NAMES, charter_text
from tests.charter.test_cli_charter import run
from tracker.domain.charter.model import ParsedCharter, Problem, Service
from tracker.domain.charter.parser import (
    MAX_CHARTER_BYTES,
    decode_charter,
    parse_charter,
    parse_file,
)
from tracker.domain.geo import load_geography
from tracker.errors import InputError, TrackerError

GEO = load_geography()
TEXTS = {name: charter_text(name) for name in NAMES}
FULL = {name: parse_charter(text, geo=GEO) for name, text in TEXTS.items()}
#: an officer problem lists the other rows printing the same cell: fewer rows after a cut
_ALSO = re.compile(r" \(the same at lines [^)]*\)")


def _service(service: Service) -> dict[str, object]:
    data = service.to_json()
    data.pop("line")
    return data


def _damaged(full: ParsedCharter, part: ParsedCharter) -> list[tuple[str, int]]:
    """The services of the full charter that the cut one lost or read differently."""
    kept = {s.key: _service(s) for s in part.services}
    return [s.key for s in full.services if kept.get(s.key) != _service(s)]


def _problem_key(problem: Problem) -> tuple[int, str]:
    return problem.line, _ALSO.sub("", problem.message)


def _new_problems(full: ParsedCharter, part: ParsedCharter) -> list[Problem]:
    """Problems of the cut charter that the full one does not have."""
    known = {_problem_key(p) for p in full.problems}
    return [p for p in part.problems if _problem_key(p) not in known]


#: what the problems about a document's end say (the row check's and the ending check's)
_CUT_OFF = ("seems cut off", "the document ends")


def _silent(name: str, text: str) -> str | None:
    """Why the cut ``text`` of charter ``name`` is a silent loss, or None if it is not.

    Not silent: a problem the full charter does not have, at or after the last service
    kept; or a problem saying the document ends there. (Patgram's copy ends inside its last
    services table: the full charter asks already whether service 6 is complete, and a cut
    in that row gets the same, right, question.)
    """
    full, part = FULL[name], parse_charter(text, geo=GEO)
    damaged = _damaged(full, part)
    if not damaged:
        return None
    last_kept = max((s.line for s in part.services), default=0)
    at_end = [p for p in part.problems if p.line >= last_kept]
    if any(word in p.message for p in at_end for word in _CUT_OFF):
        return None
    new = _new_problems(full, part)
    if not new:
        return f"cut at line {text.count(chr(10)) + 1} loses {damaged[:3]} and says nothing"
    if not any(p.line >= last_kept for p in new):
        return f"cut at line {text.count(chr(10)) + 1}: no problem at the end: {new}"
    return None


def _cuts(text: str) -> Iterator[int]:
    """After every line, and in the middle of every line."""
    start = 0
    for line in text.split("\n"):
        if len(line) > 2:
            yield start + len(line) // 2
        start += len(line) + 1
        yield start


# --------------------------------------------------------------------------------------
# 1. Truncation


@pytest.mark.parametrize("name", NAMES)
def test_every_cut_that_loses_a_service_reports_a_problem(name: str) -> None:
    text = TEXTS[name]
    damaging = 0
    silent = []
    for cut in _cuts(text):
        part = text[:cut]
        damaging += bool(_damaged(FULL[name], parse_charter(part, geo=GEO)))
        reason = _silent(name, part)
        if reason:
            silent.append(reason)
    assert damaging > 20  # the cuts do reach into the services
    assert silent == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), share=st.floats(min_value=0, max_value=1),
       in_bytes=st.booleans())
def test_any_cut_is_complete_or_a_problem_or_refused(name: str, share: float,
                                                      in_bytes: bool) -> None:
    """A cut at any byte is refused (inside a character: not UTF-8) or parsed; parsed, it
    keeps every service as the full charter reads it, or it reports a problem."""
    text = TEXTS[name]
    if in_bytes:
        data = text.encode("utf-8")
        try:
            part = decode_charter(data[: int(len(data) * share)], "cut.txt")
        except InputError as exc:
            assert "not UTF-8" in str(exc)
            return
    else:
        part = text[: int(len(text) * share)]
    assert _silent(name, part) is None


def _problem_after_cut(name: str, lines: int) -> list[Problem]:
    text = "\n".join(TEXTS[name].split("\n")[:lines])
    return _new_problems(FULL[name], parse_charter(text, geo=GEO))


def test_a_cut_after_a_complete_row_names_the_last_service() -> None:
    # Keshabpur line 37 is institutional service 6 of 12, a whole TAB row
    (problem,) = _problem_after_cut("keshabpur", 37)
    assert problem.line == 37
    assert "ends inside the services table, after institutional service 6" in problem.message


def test_a_markdown_row_cut_before_its_closing_pipe_is_cut_mid_row() -> None:
    lines = TEXTS["dinajpur-sadar"].split("\n")
    row = lines[41]  # institutional service ০৪, the last row: all its cells, cut in the last
    text = "\n".join([*lines[:41], row[: row.rindex("ই-মেইল")]])  # the officer's e-mail lost
    (problem,) = _new_problems(FULL["dinajpur-sadar"], parse_charter(text, geo=GEO))
    assert problem.line == 42
    assert "the services table ends mid-row at line 42" in problem.message
    assert "institutional service 4 is incomplete" in problem.message


def test_a_cut_after_a_section_heading_says_the_section_is_missing() -> None:
    # Manikganj line 51: "২.৩) অভ্যন্তরীণ সেবা", its table not reached
    (problem,) = _problem_after_cut("manikganj-sadar", 51)
    assert problem.line == 51
    assert "ends after the heading '২.৩) অভ্যন্তরীণ সেবা' with no service" in problem.message


def test_a_cut_after_a_table_header_says_its_services_are_missing() -> None:
    # Manikganj lines 53-54: the internal services table's header and column numbers
    (problem,) = _problem_after_cut("manikganj-sadar", 54)
    assert problem.line == 53
    assert "ends after the header of a services table" in problem.message


def test_a_cut_inside_a_header_line_is_not_taken_for_the_end_of_the_services() -> None:
    # half of Keshabpur's institutional header: no time-limit column, so no services
    # header — it must not close the services part as another table would
    lines = TEXTS["keshabpur"].split("\n")
    text = "\n".join([*lines[:29], lines[29][: len(lines[29]) // 2]])
    problems = _new_problems(FULL["keshabpur"], parse_charter(text, geo=GEO))
    assert any("ends after the heading" in p.message and "প্রাতিষ্ঠানিক" in p.message
               for p in problems), problems


def test_a_charter_with_its_closing_parts_has_no_ending_problem() -> None:
    for name in ("keshabpur", "manikganj-sadar"):  # signature date; GRS section
        assert not [p for p in FULL[name].problems if "the document ends" in p.message]


# --------------------------------------------------------------------------------------
# 2. Size


def test_a_file_over_the_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # 50 MB, sparse: nothing is written
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError) as caught:
        parse_file(path, geo=GEO)
    message = str(caught.value)
    assert "huge.txt is 50.0 MB" in message
    assert "MAX_CHARTER_BYTES" in message and "5.0 MB" in message


def test_a_file_just_over_the_limit_is_refused_and_one_at_the_limit_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (MAX_CHARTER_BYTES + 1))
    with pytest.raises(InputError, match="MAX_CHARTER_BYTES"):
        parse_file(path, geo=GEO)
    path.write_bytes(b"x" * MAX_CHARTER_BYTES)
    assert parse_file(path, geo=GEO).services == ()


def test_a_device_is_read_only_up_to_the_limit() -> None:
    # /dev/zero has no size: the read is bounded, not the stat
    with pytest.raises(InputError, match=r"more than 5\.0 MB"):
        parse_file(Path("/dev/zero"), geo=GEO)


def test_text_over_the_limit_is_refused_counting_utf8_bytes() -> None:
    with pytest.raises(InputError, match="MAX_CHARTER_BYTES"):
        parse_charter("x" * (MAX_CHARTER_BYTES + 1), geo=GEO)
    # fewer characters than the limit, but three bytes each
    with pytest.raises(InputError, match="MAX_CHARTER_BYTES"):
        parse_charter("ক" * (MAX_CHARTER_BYTES // 3 + 1), geo=GEO)


def test_the_cli_refuses_a_huge_charter_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    for command in (["charter", "parse", str(path), "--json"],
                    ["charter", "import", str(path), "--effective", "2025-07-01"]):
        code, out, err = run(command, capsys)
        assert code == 2 and out == ""
        assert "MAX_CHARTER_BYTES" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


_PATGRAM = TEXTS["patgram"].split("\n")
_HEAD = "\n".join(_PATGRAM[:25])  # up to the first table's column numbers
_ROW = _PATGRAM[25].split("\t")  # citizen service 1, 8 cells
_MAGURA = TEXTS["magura-unnamed-upazila"].split("\n")
_SIZE = 32 * 1024


def _in_cell(column: int, blob: str) -> str:
    cells = list(_ROW)
    cells[column] = blob
    return _HEAD + "\n" + "\t".join(cells)


def _fill(unit: str) -> str:
    return unit * (_SIZE // len(unit))


#: Inputs each of which took minutes before (quadratic patterns or joins: 5 KB took ~5 s,
#: so 32 KB ~3 minutes); all are linear now. They must parse, and into problems.
HOSTILE = {
    "a long line in the head": _fill("x") + "\n" + _HEAD,
    "a long host name in the head": _fill("a-") + "\n" + _HEAD,
    "unclosed markdown links": _HEAD + "\n" + _fill("["),
    "unclosed mailto anchors in an officer cell": _in_cell(6, _fill("<a href=mailto:")),
    "e-mails in an officer cell": _in_cell(6, _fill("a@b.cd ")),
    "broken e-mails in an officer cell": _in_cell(6, _fill("a@b c.de ")),
    "digits in an officer cell": _in_cell(6, _fill("1")),
    "immediates in a deadline cell": _in_cell(5, _fill("তাৎক্ষণিক ")),
    "rows continuing a service": _HEAD + "\n" + "\n".join(
        ["\t".join(["", "আরও", *_ROW[2:]])] * (_SIZE // 64)),
    "lines continuing a cell": "\n".join(_MAGURA[:60]) + _fill("\nআরও লেখা"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_long_hostile_lines_parse(name: str) -> None:
    parsed = parse_charter(HOSTILE[name], geo=GEO)
    assert parsed.problems
    json.dumps(parsed.to_json(), ensure_ascii=False)


# --------------------------------------------------------------------------------------
# 3. Mutations never crash

class Edit(StrEnum):
    FLIP = "flip"  # one byte replaced
    INSERT = "insert"  # bytes inserted
    DELETE = "delete"  # a run of bytes removed
    CUT = "cut"  # the rest of the file removed
    DUPLICATE_LINE = "duplicate-line"
    DROP_LINES = "drop-lines"
    SWAP_LINES = "swap-lines"


@dataclass(frozen=True)
class Mutation:
    edit: Edit
    where: float  # share of the file (or of its lines) where the edit applies
    count: int  # bytes deleted, lines dropped or copies made
    payload: bytes  # bytes inserted (or the first, for a flip)
    other: float  # the other line, for a swap

    def apply(self, data: bytes) -> bytes:
        at = int(len(data) * self.where)
        if self.edit is Edit.FLIP:
            return data[:at] + self.payload[:1] + data[at + 1:]
        if self.edit is Edit.INSERT:
            return data[:at] + self.payload + data[at:]
        if self.edit is Edit.DELETE:
            return data[:at] + data[at + self.count:]
        if self.edit is Edit.CUT:
            return data[:at]
        return b"\n".join(self._lines(data.split(b"\n")))

    def _lines(self, lines: list[bytes]) -> list[bytes]:
        i = min(int(len(lines) * self.where), len(lines) - 1)
        if self.edit is Edit.DUPLICATE_LINE:
            lines[i:i] = [lines[i]] * self.count
        elif self.edit is Edit.DROP_LINES:
            del lines[i:i + self.count]
        else:
            j = min(int(len(lines) * self.other), len(lines) - 1)
            lines[i], lines[j] = lines[j], lines[i]
        return lines


#: bytes that mean something to the reader or the decoder: NUL, a lone or partial UTF-8
#: sequence, CR, TAB, a pipe, a BOM, a Bengali digit, NBSP, ZWJ, markup
_NASTY = [b"\x00", b"\xff", b"\xe0\xa6", b"\r", b"\t", b"|", b"\n", b"\xef\xbb\xbf", b"<a ",
          b"\xe0\xa7\xa7", b"9", b"(", b"**", b"#", b"\xc2\xa0", b"\xe2\x80\x8d"]
_MUTATION = st.builds(
    Mutation,
    edit=st.sampled_from(Edit),
    where=st.floats(min_value=0, max_value=1),
    count=st.integers(min_value=1, max_value=40),
    payload=st.one_of(st.sampled_from(_NASTY), st.binary(min_size=1, max_size=6)),
    other=st.floats(min_value=0, max_value=1),
)


@settings(max_examples=450, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), mutations=st.lists(_MUTATION, min_size=1, max_size=8))
def test_mutated_charters_give_a_result_or_a_tracker_error(
    name: str, mutations: list[Mutation],
) -> None:
    data = TEXTS[name].encode("utf-8")
    for mutation in mutations:
        data = mutation.apply(data)
    try:
        parsed = parse_charter(decode_charter(data, "mutated.txt"), geo=GEO)
    except TrackerError as exc:
        assert "\n" not in str(exc)
        return
    last_line = data.count(b"\n") + 1
    assert all(1 <= p.line <= last_line for p in parsed.problems)
    json.dumps(parsed.to_json(), ensure_ascii=False)
