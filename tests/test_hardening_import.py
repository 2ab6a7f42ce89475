"""Issue 11, the register importer: nothing lost, nothing ignored, no traceback.

Items 3 (rows beyond a lying <dimension>), 4 (re-imports apply or refuse what changed),
5 (formulas without values, duplicated headers, merged cells), 6 (register numbers
normalised), 12 (a 200 KB cell, a NUL byte), 13 (two imports at once, SQLite's one writer)
and 14 (a huge sheet is refused with bounded memory), on SQLite and PostgreSQL where the
store is touched.
"""

from __future__ import annotations

import csv
import re
import shutil
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from tests.conftest import _postgres_engine, add_charter, reset_schema
from tracker.errors import InputError
from tracker.services.importer import ImportLimits, ImportReport, import_requests
from tracker.services.offices import load_geography_rows
from tracker.services.register_files import Columns, open_register
from tracker.store.db import make_engine, session_scope
from tracker.store.models import Request, RequestEvent

OFFICE = "jashore.keshabpur"
NOW = datetime(2025, 6, 30, 10, tzinfo=UTC)
HEADER = ["office", "service", "received_at", "channel", "external_ref", "applicant_name",
          "closed_at", "closed_as", "outcome"]


def _row(n: int, **cells: str) -> list[str]:
    """A valid register row for request R/n (received in January 2025), cells overridden."""
    values = {"office": OFFICE, "service": "citizen-1",
              "received_at": f"2025-01-{n % 28 + 1:02d}T10:00", "channel": "phone",
              "external_ref": f"R/{n}", "applicant_name": f"আবেদনকারী {n}",
              "closed_at": "", "closed_as": "", "outcome": ""}
    values.update(cells)
    return [values[h] for h in HEADER]


def write_csv(path: Path, rows: Sequence[Sequence[object]],
              header: Sequence[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]],
               header: Sequence[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


WRITERS: dict[str, Callable[..., Path]] = {".csv": write_csv, ".xlsx": write_xlsx}


def rewrite_sheet(path: Path, change: re.Pattern[str], replacement: str) -> None:
    """Rewrite the first sheet's XML inside the zip (what another program might write)."""
    source = path.with_suffix(".orig.xlsx")
    shutil.move(path, source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text, count = change.subn(replacement, data.decode("utf-8"))
                assert count == 1, "the sheet XML did not have the expected element"
                data = text.encode("utf-8")
            new.writestr(item, data)
    source.unlink()


def _prepared(engine: Engine) -> Engine:
    with Session(engine) as session:
        load_geography_rows(session)
        add_charter(session, OFFICE)
        session.commit()
    return engine


@pytest.fixture
def db(engine: Engine) -> Engine:
    """An empty database on each backend with the geography and one office's charter."""
    return _prepared(engine)


def run_import(engine: Engine, path: Path, limits: ImportLimits | None = None) -> ImportReport:
    """One import in its own unit of work, as the CLI runs it."""
    with session_scope(engine) as session:
        return import_requests(session, path=path, now=NOW, user=None,
                               limits=limits or ImportLimits())


def stored(engine: Engine) -> list[Request]:
    with Session(engine) as session:
        return list(session.exec(select(Request).order_by(col(Request.id))))


def events(engine: Engine, action: str) -> list[RequestEvent]:
    with Session(engine) as session:
        return list(session.exec(select(RequestEvent).where(RequestEvent.action == action)))


# -- item 3: every row of an XLSX, whatever its <dimension> says ---------------------------


def test_xlsx_whose_dimension_understates_the_sheet_imports_every_row(
        db: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", [_row(n) for n in range(1, 11)])
    rewrite_sheet(path, re.compile(r'<dimension ref="[^"]*"\s*/>'), '<dimension ref="A1:E2"/>')
    report = run_import(db, path)
    assert (report.rows, report.added) == (10, 10)
    assert [r.external_ref for r in stored(db)] == [f"R/{n}" for n in range(1, 11)]


def test_xlsx_cells_right_of_the_dimension_are_read(db: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", [_row(1)])
    rewrite_sheet(path, re.compile(r'<dimension ref="[^"]*"\s*/>'), '<dimension ref="A1:C2"/>')
    run_import(db, path)
    assert stored(db)[0].applicant_name == "আবেদনকারী 1"  # column F, beyond "C"


# -- item 4: a re-import applies closures and corrections, or refuses them ----------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_reimport_applies_closures_as_events_and_corrects_names(
        db: Engine, tmp_path: Path, suffix: str) -> None:
    write = WRITERS[suffix]
    first = write(tmp_path / f"first{suffix}", [_row(1), _row(2), _row(3)])
    assert run_import(db, first).added == 3
    later = write(tmp_path / f"later{suffix}", [
        _row(1, closed_at="2025-02-03T12:00", outcome="certificate issued"),
        _row(2, closed_at="2025-02-04", closed_as="rejected", outcome="not eligible"),
        _row(3, applicant_name="রহিম উদ্দিন"),
        _row(4),
    ])
    report = run_import(db, later)
    assert (report.rows, report.added, report.unchanged, report.updated) == (4, 1, 0, 3)
    by_ref = {r.external_ref: r for r in stored(db)}
    assert (by_ref["R/1"].state, by_ref["R/1"].outcome) == ("delivered", "certificate issued")
    assert str(by_ref["R/1"].closed_date) == "2025-02-03"
    assert (by_ref["R/2"].state, by_ref["R/2"].outcome) == ("rejected", "not eligible")
    assert by_ref["R/3"].applicant_name == "রহিম উদ্দিন" and by_ref["R/3"].state == "received"
    assert {e.request_id for e in events(db, "deliver")} == {by_ref["R/1"].id}
    assert {e.request_id for e in events(db, "reject")} == {by_ref["R/2"].id}
    [renamed] = events(db, "updated")
    assert (renamed.request_id, renamed.field, renamed.new_value) == (
        by_ref["R/3"].id, "applicant_name", "রহিম উদ্দিন")
    assert renamed.old_value == "আবেদনকারী 3" and "later" in (renamed.reason or "")
    again = run_import(db, later)  # nothing new the second time
    assert (again.added, again.unchanged, again.updated) == (0, 4, 0)


def test_reimport_refuses_what_it_cannot_apply_by_row_and_writes_nothing(
        db: Engine, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "first.csv", [
        _row(1, closed_at="2025-02-03T12:00"), _row(2), _row(3)]))
    contradicting = write_csv(tmp_path / "later.csv", [
        _row(1, closed_at="2025-02-05T12:00", closed_as="withdrawn", outcome="moved away"),
        _row(2, channel="letter"),
        _row(3, applicant_name="নতুন নাম"),  # would apply, but the file is all or nothing
        _row(4, outcome="issued"),  # an outcome needs a closure
    ])
    with pytest.raises(InputError) as error:
        run_import(db, contradicting)
    message = str(error.value)
    assert "3 of 4 row(s) refused, nothing imported" in message
    assert re.search(r"row 2: request #\d+ is already delivered on 2025-02-03 .*"
                     r"the register says withdrawn on 2025-02-05", message), message
    assert re.search(r"row 3: request #\d+ differs from the register in channel "
                     r"'phone' -> 'letter'", message), message
    assert "row 5: outcome given without closed_at" in message
    assert [(r.external_ref, r.state, r.applicant_name) for r in stored(db)] == [
        ("R/1", "delivered", "আবেদনকারী 1"), ("R/2", "received", "আবেদনকারী 2"),
        ("R/3", "received", "আবেদনকারী 3")]
    assert events(db, "updated") == [] and len(events(db, "deliver")) == 1


def test_reimport_of_a_closure_on_a_held_request_is_refused_clearly(
        db: Engine, tmp_path: Path) -> None:
    from tracker.services.requests import transition

    run_import(db, write_csv(tmp_path / "first.csv", [_row(1)]))
    with session_scope(db) as session:
        [request] = session.exec(select(Request)).all()
        assert request.id is not None
        transition(session, request_id=request.id, action="hold", reason="NID copy",
                   at=datetime(2025, 1, 5, 6, tzinfo=UTC), now=NOW, user=None)
    later = write_csv(tmp_path / "later.csv", [_row(1, closed_at="2025-02-03T12:00")])
    with pytest.raises(InputError, match=r"row 2: request #\d+ is on_hold: cannot deliver"):
        run_import(db, later)


# -- item 5: cells a value-only read loses --------------------------------------------------


def test_formula_without_a_saved_value_is_an_error_with_its_cell(
        db: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "formula.xlsx", [_row(1), _row(2, applicant_name="=A2&\"x\"")])
    with pytest.raises(InputError) as error:
        run_import(db, path)
    assert "row 3, cell F3: a formula without a saved value" in str(error.value)
    assert stored(db) == []


def test_formula_with_a_saved_value_imports_the_value(db: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "formula.xlsx", [_row(1, applicant_name="=A2&\"x\"")])
    rewrite_sheet(path, re.compile(r'<c r="F2"><f>([^<]*)</f><v\s*/></c>'),
                  r'<c r="F2" t="str"><f>\1</f><v>করিম</v></c>')
    run_import(db, path)
    assert stored(db)[0].applicant_name == "করিম"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_named_twice_is_an_error(db: Engine, tmp_path: Path, suffix: str) -> None:
    header = [*HEADER, "applicant_name"]
    path = WRITERS[suffix](tmp_path / f"twice{suffix}", [[*_row(1), "দ্বিতীয়"]], header)
    with pytest.raises(InputError, match=r"header \(row 1\): columns F and J are both named "
                                         r"'applicant_name'"):
        run_import(db, path)
    assert stored(db) == []


def test_merged_cells_are_an_error_with_their_range(db: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (HEADER, _row(1), _row(2, applicant_name="")):
        sheet.append(row)
    sheet.merge_cells("F2:F3")  # one applicant name across two register rows
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    with pytest.raises(InputError, match=r"row 2, cells F2:F3: merged"):
        run_import(db, path)
    assert stored(db) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_value_under_no_header_is_an_error(db: Engine, tmp_path: Path, suffix: str) -> None:
    path = WRITERS[suffix](tmp_path / f"stray{suffix}", [_row(1), [*_row(2), "", "stray note"]])
    with pytest.raises(InputError, match=r"row 3: column K has a value but no header"):
        run_import(db, path)


def test_an_error_value_is_not_imported_as_text(db: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "error.xlsx", [_row(1, applicant_name="placeholder")])
    rewrite_sheet(path, re.compile(r'<c r="F2" t="inlineStr"><is><t>placeholder</t></is></c>'),
                  '<c r="F2" t="e"><v>#REF!</v></c>')
    with pytest.raises(InputError, match=r"row 2, cell F2: holds the error value #REF!"):
        run_import(db, path)


# -- item 6: register numbers normalised, text cleaned -----------------------------------


def test_register_numbers_are_normalised_and_compared_normalised(
        db: Engine, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "first.csv", [
        _row(1, external_ref=" R/1\u200b"), _row(2, external_ref="R\u00a0/\u00a02")]))
    assert [r.external_ref for r in stored(db)] == ["R/1", "R / 2"]
    with Session(db) as session:  # a number stored before normalisation existed
        session.exec(sa.text("UPDATE request SET external_ref = :legacy WHERE external_ref = "
                             "'R / 2'").bindparams(legacy="R /\u200b 2 "))  # type: ignore[call-overload]
        session.commit()
    again = run_import(db, write_csv(tmp_path / "again.csv", [
        _row(1, external_ref="R/1"), _row(2, external_ref="R / 2")]))
    assert (again.added, again.unchanged) == (0, 2)
    assert len(stored(db)) == 2


def test_a_register_number_repeated_in_another_spelling_is_refused(
        db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [_row(1, external_ref="R/1"),
                                              _row(2, external_ref="R/1\u200b")])
    with pytest.raises(InputError, match=r"row 3: external_ref 'R/1' repeats row 2"):
        run_import(db, path)


# -- item 12: no traceback for a huge cell or a NUL byte -----------------------------------


def test_a_200_kb_csv_cell_is_a_row_numbered_error(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "huge.csv", [_row(1), _row(2, applicant_name="ক" * 200_000)])
    with pytest.raises(InputError, match=r"huge.csv: row 3: a cell is longer than 131,072 "
                                         r"characters"):
        run_import(db, path)
    assert stored(db) == []


def test_a_long_cell_within_the_csv_limit_is_a_row_numbered_error(
        db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "long.csv", [_row(1, applicant_name="x" * 5000)])
    with pytest.raises(InputError, match=r"row 2: applicant_name is 5000 characters long"):
        run_import(db, path)


@pytest.mark.parametrize("column", ["applicant_name", "external_ref", "outcome", "channel"])
def test_a_nul_byte_is_a_row_numbered_error_on_both_backends(
        db: Engine, tmp_path: Path, column: str) -> None:
    cells = {column: "ab\x00c"}
    if column == "outcome":
        cells["closed_at"] = "2025-02-03"
    path = write_csv(tmp_path / "nul.csv", [_row(1), _row(2, **cells)])
    with pytest.raises(InputError, match=rf"row 3: {column} contains a control character "
                                         r"U\+0000 at position 3"):
        run_import(db, path)
    assert stored(db) == []


# -- item 13: concurrent imports, SQLite's single writer -----------------------------------


def _wait_until_blocked_on_a_lock(engine: Engine, thread: threading.Thread,
                                  result: list[object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while time.monotonic() < deadline and thread.is_alive():
            waiting = connection.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar_one()
            connection.rollback()  # pg_stat_activity is a snapshot per transaction
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError(f"the second import never waited for the first: {result}")


def _import_in_thread(engine: Engine, path: Path) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []

    def work() -> None:
        try:
            result.append(run_import(engine, path))
        except Exception as exc:  # handed to the test's assertions
            result.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    return thread, result


@pytest.fixture
def postgres_db() -> Iterator[Engine]:
    engine = _postgres_engine()
    reset_schema(engine)
    SQLModel.metadata.create_all(engine)
    yield _prepared(engine)
    engine.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'import.db'}")
    SQLModel.metadata.create_all(engine)
    yield _prepared(engine)
    engine.dispose()


def test_two_imports_of_one_file_at_once_on_postgresql_loser_told_clearly(
        postgres_db: Engine, tmp_path: Path) -> None:
    db = postgres_db
    path = write_csv(tmp_path / "register.csv", [_row(1), _row(2), _row(3)])
    with session_scope(db) as session:  # the first import, not yet committed
        first = import_requests(session, path=path, now=NOW, user=None)
        thread, result = _import_in_thread(db, path)
        _wait_until_blocked_on_a_lock(db, thread, result)  # it waits on R/1
    thread.join(timeout=60)
    assert first.added == 3
    [loser] = result
    assert isinstance(loser, InputError), loser
    assert str(loser) == (
        "register.csv: register number 'R/1' (row 2) was added to jashore.keshabpur by "
        "another import or user while this one ran; nothing imported: run the import again "
        "(rows already present are skipped)")
    assert len(stored(db)) == 3
    again = run_import(db, path)
    assert (again.added, again.unchanged) == (0, 3)


def test_two_imports_of_one_file_at_once_on_sqlite_the_second_waits_then_finds_them(
        sqlite_db: Engine, tmp_path: Path) -> None:
    db = sqlite_db
    path = write_csv(tmp_path / "register.csv", [_row(1), _row(2), _row(3)])
    with session_scope(db) as session:  # holds SQLite's write lock until it commits
        first = import_requests(session, path=path, now=NOW, user=None)
        thread, result = _import_in_thread(db, path)
        time.sleep(0.5)  # the second is waiting for the lock meanwhile
        assert thread.is_alive()
    thread.join(timeout=60)
    assert first.added == 3
    [second] = result
    assert isinstance(second, ImportReport), second
    assert (second.added, second.unchanged) == (0, 3)
    assert len(stored(db)) == 3


def test_sqlite_refuses_an_import_too_long_to_hold_its_only_write_lock(
        db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "register.csv", [_row(n) for n in range(1, 5)])
    limits = ImportLimits(sqlite_rows=3)
    if db.dialect.name == "sqlite":
        with pytest.raises(InputError, match=r"4 rows; on SQLite an import holds the only "
                                             r"write lock .* at most 3 rows, or use PostgreSQL"):
            run_import(db, path, limits)
        assert stored(db) == []
    else:
        assert run_import(db, path, limits).added == 4


# -- item 14: a huge sheet is refused early, with bounded memory ---------------------------


def _identical_rows_sheet(path: Path, rows: int) -> Path:
    """A small XLSX whose sheet holds ``rows`` identical data rows and no <dimension>
    (compressed, a few hundred KB: the shape of the 2 M-row file of the issue)."""
    write_xlsx(path, [_row(1)])
    with zipfile.ZipFile(path) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode("utf-8")
        others = {i.filename: source.read(i.filename) for i in source.infolist()
                  if i.filename != "xl/worksheets/sheet1.xml"}
    head, _, rest = sheet.partition("<sheetData>")
    header_row = re.search(r'<row r="1".*?</row>', rest, re.S)
    data_row = re.search(r'<row r="2".*?</row>', rest, re.S)
    assert header_row and data_row
    tail = rest[rest.index("</sheetData>"):]
    head = re.sub(r'<dimension ref="[^"]*"\s*/>', "", head)
    cells = re.sub(r' r="[A-Z]+2"', "", data_row.group(0).replace('<row r="2"', "<row"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in others.items():
            target.writestr(name, data)
        with target.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write((head + "<sheetData>" + header_row.group(0)).encode("utf-8"))
            chunk = (cells * 1000).encode("utf-8")
            for _ in range(rows // 1000):
                out.write(chunk)
            out.write(tail.encode("utf-8"))
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_register_over_the_row_limit_is_refused_before_any_import(
        db: Engine, tmp_path: Path, suffix: str) -> None:
    path = WRITERS[suffix](tmp_path / f"long{suffix}", [_row(n) for n in range(1, 7)])
    with pytest.raises(InputError, match=rf"long{suffix}: more than 5 data rows"):
        run_import(db, path, ImportLimits(rows=5))
    assert stored(db) == []
    assert run_import(db, path, ImportLimits(rows=6)).added == 6


def test_a_huge_identical_row_sheet_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = _identical_rows_sheet(tmp_path / "huge.xlsx", rows=200_000)
    assert path.stat().st_size < 2**20  # small on disk, 200,000 rows inside
    columns = Columns(required=("office",), optional=tuple(HEADER[1:]))
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="more than 1,000 data rows"):
            open_register(path, columns=columns, max_rows=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20, f"peak {peak / 2**20:.1f} MB"


# -- the reader as a parser: nothing lost, whatever the cells ------------------------------

# A text starting with "=" is a formula to openpyxl's writer (tested above on its own).
_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                max_size=12).filter(lambda t: not t.startswith("="))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.lists(st.lists(_text, min_size=3, max_size=3), max_size=8),
       suffix=st.sampled_from([".csv", ".xlsx"]), lie=st.booleans())
def test_every_non_empty_cell_is_read_at_its_row(
        tmp_path_factory: pytest.TempPathFactory, table: list[list[str]], suffix: str,
        lie: bool) -> None:
    header = ["office", "service", "summary"]
    columns = Columns(required=("office",), optional=("service", "summary"))
    path = tmp_path_factory.mktemp("prop") / f"register{suffix}"
    if suffix == ".csv":
        write_csv(path, table, header)
    else:
        write_xlsx(path, [[c or None for c in row] for row in table], header)
        if lie and table:
            rewrite_sheet(path, re.compile(r'<dimension ref="[^"]*"\s*/>'),
                          '<dimension ref="A1:A1"/>')
    expected = {n: dict(zip(header, [c.strip() for c in row], strict=True))
                for n, row in enumerate(table, start=2) if any(c.strip() for c in row)}
    register = open_register(path, columns=columns)
    read = {row.number: row.cells for row in register.rows()}
    assert read == expected
    assert register.row_count == len(expected)


def test_receipt_dates_in_xlsx_date_cells_are_read(db: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dates.xlsx",
                      [[OFFICE, "citizen-1", datetime(2025, 1, 5, 10, 0), "phone", "R/1",
                        "", date(2025, 1, 6), "", ""]])
    run_import(db, path)
    [request] = stored(db)
    assert str(request.received_date) == "2025-01-05" and str(request.closed_date) == "2025-01-06"


@pytest.mark.parametrize(("change", "replacement"), [
    (r'<row r="2"', '<row r="two"'),  # a row number that is not a number
    (r"</sheetData>", ""),  # truncated XML: the sheet never closes
    (r'<c r="F2" t="inlineStr">', '<c r="F2" t="inlineStr"><c>'),  # a cell inside a cell
])
def test_a_damaged_sheet_is_one_clear_error(db: Engine, tmp_path: Path, change: str,
                                            replacement: str) -> None:
    path = write_xlsx(tmp_path / "damaged.xlsx", [_row(1)])
    rewrite_sheet(path, re.compile(change), replacement)
    with pytest.raises(InputError, match=r"damaged.xlsx: not a readable XLSX"):
        run_import(db, path)
    assert stored(db) == []
