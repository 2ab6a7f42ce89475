"""Reports: the compliance table (tracker.services.reports) and the APA workbook download."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("reports", lang))

period = ui.period_picker(lang, "rep")
kinds = data.office_kinds(data.offices(user.id), lang)
kind = st.selectbox(i18n.t("office_kind", lang), ["", *kinds], key="rep_kind",
                    format_func=lambda k: i18n.t("all", lang) if not k else kinds[k])
by = st.radio(i18n.t("compliance_table", lang), ["office", "service", "kind"],
              horizontal=True, key="rep_by", format_func=lambda b: i18n.t(f"per_{b}", lang))
as_of = data.today()
table = data.compliance_table(user.id, period.start, period.end, as_of, by, kind or None)
if table.empty:
    st.info(i18n.t("no_data", lang))
else:
    st.dataframe(ui.localise(table, lang), hide_index=True, width="stretch")
    st.download_button("CSV", data.csv_bytes(table), key="rep_csv",
                       file_name=f"compliance-{by}-{period.start}-{period.end}.csv",
                       mime="text/csv")

st.subheader("APA")
fy = ui.fy_label(period.start)
quarter = None
if period.label.endswith(("Q1", "Q2", "Q3", "Q4")):
    quarter = period.label[-2:]
if st.button(i18n.t("build_apa", lang), key="rep_build"):
    try:
        st.session_state["apa_bytes"] = data.apa_workbook(user.id, fy, quarter, lang)
        st.session_state["apa_name"] = f"apa-{fy}{'-' + quarter if quarter else ''}.xlsx"
    except Exception as exc:  # shown, not raised: the rest of the page stays usable
        st.error(i18n.t("err_other", lang, msg=str(exc)))
if st.session_state.get("apa_bytes"):
    st.download_button(i18n.t("download_apa", lang), st.session_state["apa_bytes"],
                       file_name=st.session_state.get("apa_name", "apa.xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml"
                            ".sheet", key="rep_download")
