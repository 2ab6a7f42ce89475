"""Issue 12: the charters of other offices, mangled as the ICT ones are (cuts, noise, joined
lines, squashed spaces, dropped lines), never crash and never lose a service silently.

For every mangled copy: no exception; problems point at lines of the copy; services are
numbered from 1 in a known category; and every service of the whole charter is either kept
with the same reading of its time limit, or flagged needs_review, or the copy has a problem
the whole charter does not have (a cut is reported at or after the last service kept).
Only the characters that hold a table together are mangled for the silent-loss check: a
changed digit or letter is a different, well-formed limit, which no parser can tell from
the original (any character is mangled for the no-crash check).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.config import PROJECT_ROOT
from tracker.domain.charter.model import ParsedCharter, Problem, Service
from tracker.domain.charter.parser import parse_charter
from tracker.domain.geo import load_geography

GEO = load_geography()
FOLDER = PROJECT_ROOT / "data" / "charters" / "other-offices"
NAMES = sorted(p.name for p in FOLDER.glob("*.txt"))
TEXTS = {name: (FOLDER / name).read_text(encoding="utf-8") for name in NAMES}
FULL = {name: parse_charter(text, geo=GEO) for name, text in TEXTS.items()}
MARKER = "[TRUNCATED: stored excerpt ends here]"
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reading(service: Service) -> dict[str, Any]:
    data = service.deadline.to_json()
    data.pop("raw")
    data.pop("notes")
    return data


def _problem_keys(parsed: ParsedCharter) -> set[tuple[int, str]]:
    return {(p.line, p.message) for p in parsed.problems}


def _check_shape(text: str, parsed: ParsedCharter) -> None:
    last_line = text.count("\n") + 1
    for problem in parsed.problems:
        assert 1 <= problem.line <= last_line, problem
    for service in parsed.services:
        assert service.number >= 1
        assert service.category in ("citizen", "institutional", "internal")
    parsed.to_json()


def _lost(full: ParsedCharter, part: ParsedCharter) -> list[Service]:
    """The services of the whole charter the copy lost or reads differently (unflagged)."""
    kept = {s.key: s for s in part.services}
    lost = []
    for service in full.services:
        other = kept.get(service.key)
        if other is None or (_reading(other) != _reading(service)
                             and not other.deadline.needs_review):
            lost.append(service)
    return lost


def _new_problems(full: ParsedCharter, part: ParsedCharter) -> list[Problem]:
    known = _problem_keys(full)
    return [p for p in part.problems if (p.line, p.message) not in known]


def _check(name: str, text: str) -> ParsedCharter:
    part = parse_charter(text, geo=GEO)
    _check_shape(text, part)
    full = FULL[name]
    lost = _lost(full, part)
    if lost:
        assert _new_problems(full, part), (name, [s.key for s in lost], part.problems)
    return part


@SETTINGS
@given(name=st.sampled_from(NAMES), cut=st.floats(min_value=0, max_value=1),
       marker=st.booleans())
def test_cut_anywhere(name: str, cut: float, marker: bool) -> None:
    text = TEXTS[name].replace(MARKER, "").rstrip("\n")
    cut_text = text[: int(len(text) * cut)]
    if marker:
        cut_text += "\n" + MARKER
    part = _check(name, cut_text)
    full = FULL[name]
    if _lost(full, part) and part.services:
        last = max(s.line for s in part.services)
        assert any(p.line >= last for p in _new_problems(full, part)), part.problems


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_cut_at_every_line_end_with_the_marker(name: str, data: st.DataObject) -> None:
    lines = TEXTS[name].replace(MARKER, "").rstrip("\n").split("\n")
    keep = data.draw(st.integers(min_value=0, max_value=len(lines)))
    _check(name, "\n".join([*lines[:keep], MARKER]))


#: charters whose table has no serials: a lost "|" or line break there shifts cells into
#: a well-formed table of other rows, which nothing can tell (their shape is still checked)
UNNUMBERED = ("btcl_dhaka_field_office.txt", "subregistrar_gazipur_sadar_dolil_board_HTML.tsv.txt")
#: the characters that hold a table together; replacing a letter or a digit changes what a
#: cell says (a different limit, a lost condition), not the table's layout
STRUCTURE = " \n\t|"


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_structural_noise(name: str, data: st.DataObject) -> None:
    text = list(TEXTS[name])
    places = [i for i, c in enumerate(text) if c in STRUCTURE]
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        i = data.draw(st.sampled_from(places))
        text[i] = data.draw(st.sampled_from(["|", "\n", "\t", " ", "", "\n\n"]))
    mangled = "".join(text)
    if name in UNNUMBERED:
        _check_shape(mangled, parse_charter(mangled, geo=GEO))
    else:
        _check(name, mangled)


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_any_noise_never_crashes(name: str, data: st.DataObject) -> None:
    text = list(TEXTS[name])
    for _ in range(data.draw(st.integers(min_value=1, max_value=30))):
        i = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
        text[i] = data.draw(st.sampled_from(list("০১২৩৪৫৬৭৮৯0123456789\t|\n ()ঐ’<>#")))
    mangled = "".join(text)
    _check_shape(mangled, parse_charter(mangled, geo=GEO))


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_joined_lines(name: str, data: st.DataObject) -> None:
    lines = TEXTS[name].split("\n")
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        if len(lines) < 2:
            break
        i = data.draw(st.integers(min_value=0, max_value=len(lines) - 2))
        glue = data.draw(st.sampled_from([" ", "", " | "]))
        lines[i:i + 2] = [lines[i] + glue + lines[i + 1]]
    _check(name, "\n".join(lines))


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_dropped_lines(name: str, data: st.DataObject) -> None:
    # (shape only: rows dropped from the middle of a table without serials leave nothing
    # that could tell — the rows left are a well-formed, shorter table)
    lines = TEXTS[name].split("\n")
    keep = data.draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    text = "\n".join(line for line, k in zip(lines, keep, strict=True) if k)
    _check_shape(text, parse_charter(text, geo=GEO))


def test_squashed_spaces_keep_every_reading_or_say_so() -> None:
    for name, text in TEXTS.items():
        _check(name, text.replace(" ", ""))


def test_squashed_spaces_keep_the_services_of_blank_line_tables() -> None:
    for name in ("union_land_office_moricha_dinajpur_PARTIAL.txt",
                 "uno_bandar_narayanganj_PARTIAL.txt"):
        squashed = parse_charter(TEXTS[name].replace(" ", ""), geo=GEO)
        assert [s.number for s in squashed.services] == [s.number for s in FULL[name].services]
