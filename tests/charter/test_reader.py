"""Rows and cells survive each of the three layouts (round trips, with hypothesis)."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from tracker.domain.charter.reader import Row, read_events
from tracker.domain.charter.sections import classify_heading

ALPHABET = st.sampled_from(list("কখগঘচছজটডতদনপবমযরলসহািীুেোং০১২৩abcXYZ0123456789 -/,.()"))
WORD = st.text(ALPHABET, min_size=1, max_size=20).map(str.strip).filter(
    lambda s: bool(s) and classify_heading(s) is None
)


def rows_strategy(width: int) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(WORD, min_size=width, max_size=width), min_size=1, max_size=5)


@given(st.integers(min_value=2, max_value=8).flatmap(rows_strategy))
def test_tab_rows_round_trip(rows: list[list[str]]) -> None:
    events, counts = read_events("\n".join("\t".join(r) for r in rows))
    assert [e.texts for e in events if isinstance(e, Row)] == rows
    assert counts["tab"] == len(rows)


@given(st.integers(min_value=2, max_value=8).flatmap(rows_strategy))
def test_pipe_rows_round_trip(rows: list[list[str]]) -> None:
    width = len(rows[0])
    lines = ["| " + " | ".join(f"h{i}" for i in range(width)) + " |",
             "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    events, _ = read_events("\n".join(lines))
    read = [[c.strip() for c in e.texts] for e in events if isinstance(e, Row)]
    assert read[1:] == rows  # the separator row is dropped


@given(
    st.integers(min_value=2, max_value=8).flatmap(rows_strategy),
    st.data(),
)
def test_cell_per_line_round_trip(rows: list[list[str]], data: st.DataObject) -> None:
    width = len(rows[0])
    header = ["ক্রম"] + [f"কলাম {i}" for i in range(1, width)]
    numbers = [f"({i})" for i in range(1, width + 1)]
    lines: list[str] = []
    expected: list[list[str]] = []
    for row in [header, numbers, *rows]:
        cells = []
        for cell in row:
            extra = data.draw(st.lists(WORD, max_size=2)) if row is not header else []
            assume(not cell.startswith("(") or row is numbers)
            lines.append("\t" + cell)
            for more in extra:
                lines.append(more)
                if data.draw(st.booleans()):
                    lines.append("")  # blank lines inside a cell are dropped
            cells.append("\n".join([cell, *extra]))
        expected.append(cells)
    events, counts = read_events("\n".join(lines))
    read = [e.texts for e in events if isinstance(e, Row)]
    assert read == expected
    assert counts["cell-per-line"] == len(expected)


def test_cell_lines_are_kept_for_problems() -> None:
    events, _ = read_events("x\n\tক্রম\n\tনাম\n\t(১)\n\t(২)\n\t১\n\tসেবা\nআরও")
    rows = [e for e in events if isinstance(e, Row)]
    assert [[c.line for c in r.cells] for r in rows] == [[2, 3], [4, 5], [6, 7]]
    assert rows[-1].end_line == 8
