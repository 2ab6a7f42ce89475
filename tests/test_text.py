"""The one normaliser of typed and imported text (tracker.domain.text)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.text import clean_text, normalise_reference, xlsx_safe
from tracker.errors import InputError


@pytest.mark.parametrize("variant", [
    "R/1", " R/1 ", "R/1\u200b", "\u200bR/1", "R/1\ufeff", "R/1\u00a0", "\u00a0R/1\u2009",
])
def test_reference_variants_are_one_reference(variant: str) -> None:
    assert normalise_reference(variant) == "R/1"


def test_inner_spaces_collapse_and_nfc_composes() -> None:
    assert normalise_reference("R\u00a0\u00a0 /1") == "R /1"
    decomposed = "\u0995\u09c7\u09be"  # ক + ে + া composes to কো
    assert normalise_reference(decomposed) == "\u0995\u09cb"


@pytest.mark.parametrize("bad", ["", "   ", "\u200b", "\u00a0"])
def test_an_empty_reference_is_refused(bad: str) -> None:
    with pytest.raises(InputError, match="empty"):
        normalise_reference(bad)


@pytest.mark.parametrize("bad", ["R/1\r=cmd|' /C calc'!A0", "R/1\n=1+1", "R\x00/1", "R\x1b/1"])
def test_control_characters_are_refused_with_their_position(bad: str) -> None:
    with pytest.raises(InputError, match=r"control character U\+00"):
        normalise_reference(bad)


def test_none_means_no_reference_and_length_is_bounded() -> None:
    assert normalise_reference(None) is None
    with pytest.raises(InputError, match="at most"):
        normalise_reference("x" * 101)


def test_clean_text_keeps_bengali_joiners_and_allows_lines_where_asked() -> None:
    rab = "\u09b0\u200d\u09cd\u09af\u09be\u09ac"  # র‍্যাব with a zero-width joiner
    assert clean_text(rab, what="name") == rab
    assert clean_text("a\r\nb", what="summary", multiline=True) == "a\nb"
    with pytest.raises(InputError, match="summary"):
        clean_text("a\nb", what="summary")
    with pytest.raises(InputError, match="at most 5"):
        clean_text("abcdef", what="x", max_chars=5)


def test_xlsx_safe_replaces_only_what_openpyxl_refuses() -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = "".join(chr(i) for i in range(0, 0x30))
    safe = xlsx_safe(text)
    assert not ILLEGAL_CHARACTERS_RE.search(safe)
    assert {"\t", "\n", "\r"} <= set(safe) and len(safe) == len(text)


@given(st.text())
def test_normalising_is_idempotent_and_never_crashes(raw: str) -> None:
    try:
        once = normalise_reference(raw)
    except InputError:
        return
    assert once is not None and once == normalise_reference(once)
    assert once == once.strip() and "  " not in once


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_unicode_line_separators_are_line_breaks(separator: str) -> None:
    """A one-line field may not hold a Unicode line break; prose may."""
    with pytest.raises(InputError, match="control character"):
        clean_text(f"a{separator}b", what="name")
    with pytest.raises(InputError, match="control character"):
        normalise_reference(f"R/1{separator}=1")
    assert clean_text(f"a{separator}b", what="summary", multiline=True) == f"a{separator}b"
