"""GRS complaints: per office, and each complaint's tier, status and due date (read-only;
complaints are logged and resolved with `tracker complaint`)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("complaints", lang))

period = ui.period_picker(lang, "grs")
as_of = data.today()
frame = data.complaints(user.id, period.start, period.end, as_of)
if frame.empty:
    st.info(i18n.t("no_data", lang))
    st.stop()

summary, totals = data.complaint_totals(frame)
cols = st.columns(4)
cols[0].metric(i18n.t("complaints_total", lang), i18n.fmt_num(totals.received, lang))
cols[1].metric(i18n.t("complaints_open", lang), i18n.fmt_num(totals.open, lang))
cols[2].metric(i18n.t("complaints_past_limit", lang), i18n.fmt_num(totals.past_limit, lang))
cols[3].metric(i18n.t("complaints_within_time", lang),
               i18n.fmt_pct(totals.pct_within_time, lang))

st.dataframe(ui.localise(summary, lang), hide_index=True, width="stretch")
shown = frame[["id", "office_code", "received_date", "tier", "role", "status", "due",
               "working_days_late", "resolved_date", "escalations", "appeals"]]
shown = shown.assign(role=[i18n.grs_title(role, lang) for role in shown["role"]])
st.dataframe(ui.localise(shown.sort_values("id", ascending=False), lang), hide_index=True,
             width="stretch")
