"""Calendar: holidays per year with kind and source; provisional (forecast) years marked."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("calendar", lang))

years, provisional = data.calendar_years()
today = data.today()
default = years.index(today.year) if today.year in years else len(years) - 1
year = st.selectbox(i18n.t("year", lang), years, index=default, key="cal_year",
                    format_func=lambda y: i18n.digits(str(y), lang) + (
                        " ⚠" if y in provisional else ""))
frame, is_provisional, ramadan = data.calendar_year(int(year))
if is_provisional:
    st.warning(i18n.t("provisional_year", lang))
if ramadan:
    st.caption(i18n.t("ramadan", lang, closing=ramadan["closing"],
                      first=i18n.fmt_date(ramadan["first"], lang),
                      last=i18n.fmt_date(ramadan["last"], lang)))
kind_col = "kind_bn" if lang == "bn" else "kind_en"
name_col = "name_bn" if lang == "bn" else "name_en"
st.dataframe(ui.localise(frame, lang, {"date": "date", kind_col: "kind", name_col: "name",
                                       "districts": "district", "confidence": "confidence",
                                       "source": "source"}),
             hide_index=True, width="stretch")
