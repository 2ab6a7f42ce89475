"""Small page helpers: the login gate, the period picker and localised tables."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, i18n

USER_KEY = "user"


def current_user() -> data.SessionUser | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, data.SessionUser) else None


def require_login() -> tuple[data.SessionUser, str]:
    """Every page starts here: no session user, no page (the rest of the script stops)."""
    lang = i18n.current()
    user = current_user()
    if user is None:
        st.warning(i18n.t("login_required", lang))
        st.stop()
    assert user is not None
    return user, lang


def fy_label(day: date) -> str:
    """The fiscal year a day falls in, e.g. ``2024-25`` (tracker.domain.periods)."""
    return data.fiscal_year_of(day).label


#: The first fiscal year the pickers offer.
FIRST_FISCAL_YEAR = 2023


def period_picker(lang: str, key: str) -> data.Period:
    """Fiscal year + quarter, or a custom date range."""
    today = data.today()
    current = data.fiscal_year_of(today).start.year
    years = [fy_label(date(y, 7, 1)) for y in range(current, FIRST_FISCAL_YEAR - 1, -1)]
    cols = st.columns(3)
    mode = cols[0].radio(i18n.t("date_range", lang), ["fy", "range"], horizontal=True,
                         key=f"{key}_mode",
                         format_func=lambda m: i18n.t("fiscal_year" if m == "fy"
                                                      else "custom_range", lang))
    if mode == "range":
        start = cols[1].date_input(i18n.t("date_range", lang) + " ↦", value=data.fiscal_year(
            years[0]).start, key=f"{key}_start", format="DD-MM-YYYY")
        end = cols[2].date_input("↤", value=today, key=f"{key}_end", format="DD-MM-YYYY")
        assert isinstance(start, date) and isinstance(end, date)
        return data.Period(start, end, f"{i18n.fmt_date(start, lang)} – "
                                       f"{i18n.fmt_date(end, lang)}")
    fy = cols[1].selectbox(i18n.t("fiscal_year", lang), years, key=f"{key}_fy",
                           format_func=lambda y: i18n.digits(y, lang))
    quarter = cols[2].selectbox(i18n.t("quarter", lang), ["", "Q1", "Q2", "Q3", "Q4"],
                                key=f"{key}_q",
                                format_func=lambda q: i18n.t("whole_year", lang) if not q
                                else i18n.digits(q, lang))
    return data.fiscal_quarter(fy, quarter) if quarter else data.fiscal_year(fy)


def localise(frame: pd.DataFrame, lang: str, columns: dict[str, str] | None = None
             ) -> pd.DataFrame:
    """For display: dates dd-mm-yyyy and numbers in Bengali digits (Bengali mode);
    ``columns`` renames/selects (column -> label key or literal header)."""
    out = frame.copy()
    if columns:
        out = out[[c for c in columns if c in out.columns]]
    if lang == "bn":
        for name in out.columns:
            series = out[name]
            if series.dtype == object or pd.api.types.is_numeric_dtype(series):
                out[name] = [i18n.show(v, lang) if not _missing(v) else i18n.MISSING
                             for v in series]
    else:
        for name in out.columns:
            if out[name].dtype == object:
                out[name] = [i18n.show(v, lang) if not _missing(v) else i18n.MISSING
                             for v in out[name]]
    if columns:
        out = out.rename(columns={c: (i18n.t(h, lang) if h in i18n.STRINGS else h)
                                  for c, h in columns.items()})
    return out


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
