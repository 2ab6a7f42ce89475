"""Issue 12: every layout of GUIDE §6, built for the grammar rather than for the twelve files.

One small table is rendered in each layout (TAB rows, markdown, markdown rows wrapped over
lines, cells ended by "|" one per line, whole rows without a leading pipe, cells separated by
blank lines, the same with its spaces squashed, HTML) and must give the same services; then
each rule of the layouts on its own (headers by meaning, several time columns, ditto marks,
glued serials, rows cut by the end of the document, prose), and round trips by hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.charter.cells import Cell, cut_table
from tracker.domain.charter.model import ParsedCharter
from tracker.domain.charter.parser import parse_charter
from tracker.domain.charter.reader import Row, read_events
from tracker.domain.charter.sections import classify_heading, column_field, meaning_field
from tracker.domain.charter.text import match_key

HEAD = "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার\nউপজেলা ভূমি অফিস\nশালিখা, মাগুরা\n\n"
HEADER = ["ক্রমিক নং", "সেবার নাম", "সেবা প্রদানের সময়সীমা", "সেবার মূল্য"]
ROWS = [
    ["১", "নামজারি সনদ", "২৮ দিন", "বিনামূল্যে"],
    ["২", "ওয়ারিশ সনদ", "৩ কার্যদিবস", "১০০ টাকা"],
    ["৩", "তথ্য প্রদান", "তাৎক্ষণিক", "বিনামূল্যে"],
]
TABLE = [HEADER, *ROWS]
WANT = [(1, "calendar_days", 28, False), (2, "working_days", 3, False), (3, None, None, True)]


def _tab() -> str:
    return "\n".join("\t".join(r) for r in TABLE)


def _markdown() -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in ROWS])


def _markdown_wrapped() -> str:
    # every row broken after its second cell; the header's closing "|" on a line of its own
    lines = ["| " + " | ".join(HEADER), "|"]
    lines += [f"| {r[0]} | {r[1]}\n| {r[2]} | {r[3]} |" for r in ROWS]
    return "\n".join(lines)


def _cell_per_line_tab() -> str:
    return "\n".join("\t" + c for r in TABLE for c in r)


def _pipe_cells() -> str:
    # a cell per line ending in " |"; the second row's time limit over two lines, its "|"
    # on a line of its own; an empty cell at the end of each row
    lines: list[str] = []
    for r in TABLE:
        for cell in r:
            if cell == "৩ কার্যদিবস":
                lines += ["৩", "কার্যদিবস", "|"]
            else:
                lines.append(f"{cell} |")
        lines.append("|")
    return "\n".join(lines)


def _whole_rows() -> str:
    # "a | b | c |" without a leading pipe; the first row wraps over three lines
    lines = [" | ".join(HEADER) + " |"]
    first, *rest = ROWS
    lines += [f"{first[0]} | {first[1]}", f"| {first[2]}", f"| {first[3]}", "|"]
    lines += [" | ".join(r) + " |" for r in rest]
    return "\n".join(lines)


def _blank_lines() -> str:
    return "\n\n".join(c for r in TABLE for c in r)


def _squashed() -> str:
    return "\n\n".join(c.replace(" ", "") for r in TABLE for c in r)


def _html() -> str:
    def tr(cells: list[str], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"
    return ("<html><body><table>\n" + tr(HEADER, "th") + "\n"
            + "\n".join(tr(r, "td") for r in ROWS) + "\n</table></body></html>")


LAYOUTS = {
    "tab": _tab, "markdown": _markdown, "markdown-wrapped": _markdown_wrapped,
    "cell-per-line": _cell_per_line_tab, "pipe-cells": _pipe_cells, "whole-rows": _whole_rows,
    "line-cells": _blank_lines, "squashed": _squashed, "html": _html,
}


def _read(parsed: ParsedCharter) -> list[tuple[int, str | None, int | None, bool]]:
    return [(s.number, s.deadline.unit, s.deadline.amount, s.deadline.immediate)
            for s in parsed.services]


def test_the_same_table_in_every_layout_gives_the_same_services() -> None:
    for name, render in LAYOUTS.items():
        text = render() if name == "html" else HEAD + render()
        parsed = parse_charter(text)
        assert _read(parsed) == WANT, (name, parsed.problems)
        names = [match_key(s.name_bn) for s in parsed.services]
        assert names == [match_key(r[1]) for r in ROWS], name
        assert [s.fee_raw.replace(" ", "") for s in parsed.services] == [
            r[3].replace(" ", "") for r in ROWS], name
        assert not [p for p in parsed.problems if "deadline" in p.message], name


def test_each_layout_is_named_in_the_result() -> None:
    assert parse_charter(HEAD + _pipe_cells()).layout == "pipe-cells"
    assert parse_charter(HEAD + _blank_lines()).layout == "line-cells"
    assert parse_charter(_html()).layout == "html"


def test_english_headers_by_meaning() -> None:
    text = ("Sr. No.\n\nName of service\n\nService delivery deadline\n\nMethods of service "
            "delivery\n\n01\n\nLand record\n\nWithin 3 (three) days\n\nBy application\n\n"
            "02\n\nRelief\n\n7 working days\n\nThrough the committee\n")
    parsed = parse_charter(text)
    assert [(s.number, s.name_bn, s.deadline.unit, s.deadline.amount)
            for s in parsed.services] == [(1, "Land record", "calendar_days", 3),
                                          (2, "Relief", "working_days", 7)]


def test_the_service_delivery_time_counts_not_the_escalation_time() -> None:
    header = ["ক্রঃ নং", "সেবার ধরণ", "নিষ্পত্তির সম্ভাব্য সময়", "নিষ্পত্তি না হলে যোগাযোগ এবং সময়কাল"]
    rows = [["০১", "তথ্য", "০৫ (পাঁচ) দিন।", "জেলা প্রশাসক ০২ (দুই) দিন।"]]
    parsed = parse_charter(HEAD + "\n".join(" | ".join(r) + " |" for r in [header, *rows]))
    assert [(s.deadline.amount, s.deadline.raw) for s in parsed.services] == [
        (5, "০৫ (পাঁচ) দিন।")]
    assert parsed.services[0].escalation_officer is not None


def test_numbers_in_fee_and_documents_columns_are_not_the_limit() -> None:
    header = ["ক্রমিক নং", "সেবার নাম", "প্রয়োজনীয় কাগজপত্র", "সেবার মূল্য", "সময়সীমা"]
    rows = [["১", "জন্ম নিবন্ধন", "৪৫ দিনের মধ্যে আবেদন", "০-৪৫ দিন বিনামূল্যে", "৩ দিন"]]
    parsed = parse_charter(HEAD + "\n".join("\t".join(r) for r in [header, *rows]))
    assert [(s.deadline.amount, s.deadline.raw) for s in parsed.services] == [(3, "৩ দিন")]


def test_a_header_without_a_time_column_takes_the_column_of_time_limits() -> None:
    cells = ["ক্রমিক নং", "সেবাসমূহের বিবরন", "সেবাসমূহের বিবরন", "০৫", "সংস্কার",
             "০৩ (তিন) কর্ম দিবসের মধ্যে।", "০৬", "রক্ষণাবেক্ষণ", "৭ দিন"]
    parsed = parse_charter(HEAD + "\n\n".join(cells))
    assert [(s.number, s.name_bn, s.deadline.amount) for s in parsed.services] == [
        (5, "সংস্কার", 3), (6, "রক্ষণাবেক্ষণ", 7)]


def test_glued_serials_and_ditto_marks() -> None:
    lines = ["ক্রমিক নংসেবা প্রদানের বিবরণসেবা প্রদানের সময়", "০১অতি দরিদ্রদের কর্মসংস্থান",
             "৫ কার্যদিবস", "০২কাবিখা কর্মসূচী’’", "০৩ভিজিএফ বিতরণ", "’’"]
    parsed = parse_charter(HEAD + "\n".join(lines))
    assert [(s.number, s.name_bn, s.deadline.amount, s.deadline.unit)
            for s in parsed.services] == [
        (1, "অতি দরিদ্রদের কর্মসংস্থান", 5, "working_days"),
        (2, "কাবিখা কর্মসূচী", 5, "working_days"),
        (3, "ভিজিএফ বিতরণ", 5, "working_days")]


def test_a_number_glued_to_a_unit_is_a_limit_not_a_serial() -> None:
    cells = ["ক্রমিকনং", "সেবারধরণ", "সেবাপ্রাপ্তিরসময়সীমা", "০১", "নামজারী", "০২কার্যদিবস",
             "০২", "খতিয়ান", "১৫দিন"]
    parsed = parse_charter(HEAD + "\n\n".join(cells))
    assert [(s.number, s.deadline.raw) for s in parsed.services] == [
        (1, "০২কার্যদিবস"), (2, "১৫দিন")]


def test_a_ditto_name_is_the_name_above() -> None:
    text = HEAD + _tab() + "\n৪\tঐ\t৫ দিন\tবিনামূল্যে"
    parsed = parse_charter(text)
    assert parsed.services[3].name_bn == parsed.services[2].name_bn


def test_a_column_number_row_is_skipped() -> None:
    cells = [*HEADER, "1", "2", "3", "4", *[c for r in ROWS for c in r]]
    parsed = parse_charter(HEAD + "\n\n".join(cells))
    assert _read(parsed) == WANT


def test_a_table_without_serials() -> None:
    text = HEAD + "সেবার ধরণ\tসময়\nদলিল রেজিস্ট্রি\t১ দিন\nনকল সরবরাহ\t৩-৭ দিন\n"
    parsed = parse_charter(text)
    assert [(s.number, s.name_bn, s.deadline.amount) for s in parsed.services] == [
        (1, "দলিল রেজিস্ট্রি", 1), (2, "নকল সরবরাহ", 7)]


def test_a_row_cut_off_before_its_limit_is_a_problem_not_a_service() -> None:
    for name in ("pipe-cells", "line-cells", "whole-rows"):
        text = HEAD + LAYOUTS[name]()
        cut = text[: text.index("তাৎক্ষণিক") + 3] + "\n[TRUNCATED: stored excerpt ends here]"
        parsed = parse_charter(cut)
        assert [s.number for s in parsed.services] == [1, 2], name
        assert any("service 3" in p.message and "not read as a service" in p.message
                   for p in parsed.problems), (name, parsed.problems)


def test_a_row_cut_off_after_its_limit_is_kept_with_a_problem() -> None:
    text = HEAD + _whole_rows()
    cut = text[: text.rindex("বিনামূল্যে") + 3] + "\n[TRUNCATED: stored excerpt ends here]"
    parsed = parse_charter(cut)
    assert _read(parsed) == WANT
    assert any("cut off" in p.message for p in parsed.problems)


def test_numbered_prose_is_flagged_for_review() -> None:
    text = (HEAD + "১। নামজারি সহজিকরণঃ\n\n(ক) আবেদন প্রাপ্তির ২৮ দিনের মধ্যে নিষ্পত্তি করা হয়।\n\n"
            "(খ) আবেদনের সাথে ২০/- টাকা কোর্ট ফি দিতে হবে।\n\n২। খাস জমি বন্দোবস্ত।\n\n"
            "৩। রেকর্ড সংশোধন\n[TRUNCATED: stored excerpt ends here]")
    parsed = parse_charter(text)
    assert [(s.number, s.name_bn) for s in parsed.services] == [
        (1, "নামজারি সহজিকরণ"), (2, "খাস জমি বন্দোবস্ত")]
    assert all(s.deadline.needs_review for s in parsed.services)
    assert parsed.services[0].deadline.amount == 28
    assert "টাকা" not in parsed.services[0].deadline.raw
    assert any("item 3" in p.message and "cut off" in p.message for p in parsed.problems)


def test_a_table_flattened_onto_one_line_is_flagged_for_review() -> None:
    line = ("ক্রমিক নং সেবার নাম সেবা প্রদানের সময় সীমা " + " ".join(
        f"{i}. {r[1]} বিস্তারিত বিবরণ সহ সেবা প্রদান করা হয় {r[2]}" for i, r in enumerate(ROWS, 1)))
    parsed = parse_charter(HEAD + line * 2)
    assert [s.number for s in parsed.services][:3] == [1, 2, 3]
    assert all(s.deadline.needs_review for s in parsed.services)
    assert any("flattened" in p.message for p in parsed.problems)


def test_html_rowspan_and_colspan_keep_columns_in_place() -> None:
    html = ("<table><tr><th>ক্রমিক নং</th><th>সেবার নাম</th><th>সময়সীমা</th>"
            "<th>দায়িত্বপ্রাপ্ত কর্মকর্তা</th></tr>\n"
            "<tr><td>১</td><td>নামজারি</td><td>২৮ দিন</td><td rowspan=2>সহকারী কমিশনার (ভূমি)"
            "</td></tr>\n<tr><td>২</td><td>খতিয়ান</td><td>৭ কার্যদিবস</td></tr>\n"
            "<tr><td>৩</td><td colspan=2>তথ্য প্রদান</td><td>প্রোগ্রামার</td></tr></table>")
    parsed = parse_charter(html)
    assert [(s.number, s.deadline.amount) for s in parsed.services][:2] == [(1, 28), (2, 7)]
    assert parsed.services[1].responsible_officer == parsed.services[0].responsible_officer
    third = parsed.services[2]
    assert third.deadline.needs_review or not third.deadline.understood
    assert [s.line for s in parsed.services] == [2, 3, 4]


def test_html_text_outside_tables_gives_the_office() -> None:
    html = ("<html><head><style>p{}</style></head><body><p>গণপ্রজাতন্ত্রী বাংলাদেশ সরকার</p>"
            "<p>উপজেলা ভূমি অফিস</p><p>শালিখা, মাগুরা</p><h3><b>নাগরিক</b> সেবা</h3>"
            + _html() + "</body></html>")
    parsed = parse_charter(html)
    assert parsed.office.code == "magura.shalikha"
    assert _read(parsed) == WANT


# --------------------------------------------------------------------------------------
# Round trips

ALPHABET = st.sampled_from(list("কখগঘচছজটডতদনপবমযরলসহািীুেোং abcXYZ-/,()"))
# A cell that reads as a section heading ("নাগরিকসেবা") or a column header ("নং") starts
# another table by design: such words are not plain cells.
WORD = (st.text(ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)
        .filter(lambda w: classify_heading(w) is None and column_field(w) is None
                and meaning_field(w) is None))


def _grid(width: int) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(WORD, min_size=width - 1, max_size=width - 1), min_size=1,
                    max_size=6)


def _numbered(rows: list[list[str]]) -> list[list[str]]:
    return [[f"{i:02d}", *r] for i, r in enumerate(rows, 1)]


HEADERS = ["ক্রমিক নং", "সেবার নাম", "সেবা প্রদানের সময়সীমা", "সেবার মূল্য", "মন্তব্য"]


@given(st.integers(min_value=3, max_value=5).flatmap(_grid))
def test_pipe_cells_round_trip(rows: list[list[str]]) -> None:
    table = [HEADERS[: len(rows[0]) + 1], *_numbered(rows)]
    text = "\n".join(f"{c} |" for r in table for c in r)
    events, counts = read_events(text)
    read = [[c.text.strip() for c in e.cells] for e in events if isinstance(e, Row)]
    assert read == table and counts["pipe-cells"] == len(table)


@given(st.integers(min_value=3, max_value=5).flatmap(_grid))
def test_line_cells_round_trip(rows: list[list[str]]) -> None:
    table = [HEADERS[: len(rows[0]) + 1], *_numbered(rows)]
    events, counts = read_events("\n\n".join(c for r in table for c in r))
    read = [[c.text for c in e.cells] for e in events if isinstance(e, Row)]
    # (a line's spaces are squashed: one cell per line, nothing else to keep)
    assert read == [[" ".join(c.split()) for c in r] for r in table]
    assert counts["line-cells"] == len(table)


@given(st.integers(min_value=3, max_value=5).flatmap(_grid))
def test_cut_table_keeps_every_cell_in_order(rows: list[list[str]]) -> None:
    table = [HEADERS[: len(rows[0]) + 1], *_numbered(rows)]
    cells = [Cell(c, i) for i, c in enumerate((c for r in table for c in r), 1)]
    cut = cut_table(cells)
    assert cut is not None
    assert [c.text for c in cut.header] + [c.text for r in cut.rows for c in r] == [
        c.text for c in cells]


# --------------------------------------------------------------------------------------
# Linear time on hostile input of the new layouts


def _fit(unit: str, size: int, head: str = "") -> str:
    return head + unit * max(1, (size - len(head)) // len(unit))


HOSTILE_LAYOUTS: dict[str, Callable[[int], str]] = {
    "a row of many cells ended by '|'": lambda n: _fit(
        "কখগ |\n", n, "ক্রমিক নং |\nসেবার নাম |\nসময়সীমা |\n১ |\n"),
    "a row of many blank-separated lines": lambda n: _fit(
        "কখগ ঘ\n\n", n, "ক্রমিক নং\n\nসেবার নাম\n\nসময়সীমা\n\n১\n\n"),
    "many cell-per-line headers": lambda n: _fit(
        "ক্রমিক নং\nসেবার নাম\nসময়সীমা\n১\nক\n২ দিন\n", n),
    "a markdown row wrapped over many lines": lambda n: _fit(
        "\n| কখগ", n, "| ক্রমিক নং | সেবার নাম | সময়সীমা |\n| ১ | ক"),
    "pipes without a table": lambda n: _fit("ক খ | গ\n", n),
    "html rows": lambda n: _fit("<tr><td>১</td><td>ক</td><td>২ দিন</td></tr>", n,
                                "<table><tr><th>ক্রমিক নং</th><th>সেবার নাম</th><th>সময়সীমা</th></tr>"),
    "numbered prose": lambda n: _fit(
        "".join(f"{i}। সেবা কখগ ২ দিনের মধ্যে।\n" for i in range(1, 99)), n),
    "a flattened line": lambda n: _fit(
        " ".join(f"{i}. সেবা ২ দিন" for i in range(1, 99)) + " ", n, "ক্রমিক নং সেবার নাম সময় "),
}


def _cpu(text: str) -> float:
    import time

    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        parse_charter(text)
        best = min(best, time.process_time() - start)
    return best


def test_hostile_inputs_of_the_new_layouts_take_linear_time() -> None:
    # four times the text takes about four times as long (a quadratic step: sixteen)
    for name, make in HOSTILE_LAYOUTS.items():
        small, large = _cpu(make(40_000)), _cpu(make(160_000))
        assert large < 10 * max(small, 0.01), (name, small, large)


def test_a_blank_line_ends_a_cell_whose_pipe_is_lost() -> None:
    text = HEAD + _pipe_cells().replace("সেবার নাম |", "সেবার নাম\n", 1)
    assert _read(parse_charter(text)) == WANT


def test_a_line_of_spaces_and_tabs_inside_pipe_cells_is_blank() -> None:
    text = HEAD + _pipe_cells().replace("২ |\n", "২ |\n\t \n", 1)
    assert _read(parse_charter(text)) == WANT


def test_paragraphs_after_a_table_of_pipe_cells_are_no_cells() -> None:
    text = HEAD + _pipe_cells() + "\nবিটিসিএল\n\nআরও তথ্যের জন্য যোগাযোগ করুন\n"
    parsed = parse_charter(text)
    assert _read(parsed) == WANT


def test_a_flattened_table_broken_over_lines_keeps_its_rows() -> None:
    line = ("ক্রমিক নং সেবার নাম সেবা প্রদানের সময় সীমা " + " ".join(
        f"{i}. {r[1]} বিস্তারিত বিবরণ সহ সেবা প্রদান করা হয় {r[2]}" for i, r in enumerate(ROWS, 1)))
    broken = line.replace(" ৩.", "\n৩.") + " " + "ক" * 200
    parsed = parse_charter(HEAD + broken + "\n\nপরিকল্পনা ও বাস্তবায়নে: এটুআই")
    assert [s.number for s in parsed.services] == [1, 2, 3]


def test_a_grs_table_of_blank_separated_cells() -> None:
    cells = ["S/N", "Name of service", "Time limit", "1", "Mutation", "28 days"]
    grs = ["ক্রমিক নং", "কখন যোগাযোগ করবেন", "কার সঙ্গে যোগাযোগ করবেন", "নিষ্পত্তির সময়সীমা",
           "১", "দায়িত্বপ্রাপ্ত কর্মকর্তা সমাধান দিতে না পারলে", "অভিযোগ নিষ্পত্তি কর্মকর্তা (অনিক)",
           "৩০ কার্যদিবস", "২", "অনিক নির্দিষ্ট সময়ে সমাধান দিতে না পারলে", "আপিল কর্মকর্তা",
           "২০ কার্যদিবস"]
    text = HEAD + "\n\n".join([*cells, "অভিযোগ প্রতিকার ব্যবস্থা (GRS)", *grs])
    parsed = parse_charter(text)
    assert [(s.number, s.name_bn, s.deadline.amount) for s in parsed.services] == [
        (1, "Mutation", 28)]
    assert [(g.tier, g.role, g.deadline.amount) for g in parsed.grs] == [
        (1, "complaint_officer", 30), (2, "appeal_officer", 20)]
    assert not [p for p in parsed.problems if "unknown column" in p.message]


def test_blank_separated_cells_without_a_serial_column() -> None:
    cells = ["সেবার নাম", "সেবা প্রদানের সময়সীমা", "সেবার মূল্য",
             *[c for r in ROWS for c in r[1:]]]
    parsed = parse_charter(HEAD + "\n\n".join(cells))
    assert _read(parsed) == WANT
    assert [s.fee_raw for s in parsed.services] == [r[3] for r in ROWS]


def test_a_tab_inside_a_stream_of_pipe_cells_is_a_space() -> None:
    text = HEAD + _pipe_cells().replace("|\n২ |", "|\t২ |", 1)
    assert _read(parse_charter(text)) == WANT
