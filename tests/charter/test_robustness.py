"""No crash on any input: mangled real charters give problems, never exceptions."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.charter.conftest import NAMES, charter_text
from tracker.domain.charter.parser import parse_charter
from tracker.domain.geo import load_geography

GEO = load_geography()
TEXTS = {name: charter_text(name) for name in NAMES}


def _check(text: str) -> None:
    parsed = parse_charter(text, geo=GEO)
    last_line = text.count("\n") + 1
    for problem in parsed.problems:
        assert 1 <= problem.line <= last_line, problem
    for service in parsed.services:
        assert service.number >= 1 and service.category in (
            "citizen", "institutional", "internal")
    parsed.to_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), data=st.data())
def test_dropped_lines(name: str, data: st.DataObject) -> None:
    lines = TEXTS[name].split("\n")
    keep = data.draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    _check("\n".join(line for line, k in zip(lines, keep, strict=True) if k))


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), cut=st.floats(min_value=0, max_value=1))
def test_cut_files(name: str, cut: float) -> None:
    text = TEXTS[name]
    _check(text[: int(len(text) * cut)])


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_swapped_digits_and_characters(name: str, data: st.DataObject) -> None:
    text = list(TEXTS[name])
    for _ in range(data.draw(st.integers(min_value=1, max_value=30))):
        i = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
        text[i] = data.draw(st.sampled_from(list("০১২৩৪৫৬৭৮৯0123456789\t|\n ()")))
    _check("".join(text))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_shuffled_line_blocks(name: str, data: st.DataObject) -> None:
    lines = TEXTS[name].split("\n")
    i = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    j = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    _check("\n".join(lines))


@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _check(text)


def test_empty_document_is_a_problem_not_a_crash() -> None:
    parsed = parse_charter("", geo=GEO)
    assert parsed.services == () and parsed.problems
