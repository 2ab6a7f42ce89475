"""GRS complaints: per office, and each complaint's tier, status and due date (read-only;
complaints are logged and resolved with `tracker complaint`)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui
from tracker.services import complaints as grs

user, lang = ui.require_login()
st.title(i18n.t("complaints", lang))

period = ui.period_picker(lang, "grs")
as_of = data.today()
frame = data.complaints(user.id, period.start, period.end, as_of)
if frame.empty:
    st.info(i18n.t("no_data", lang))
    st.stop()

summary = grs.complaint_summary(frame)
within = int(summary["resolved_within_time"].sum())
cols = st.columns(4)
cols[0].metric(i18n.t("complaints_total", lang), i18n.fmt_num(len(frame), lang))
cols[1].metric(i18n.t("complaints_open", lang),
               i18n.fmt_num(int((frame["status"] != "resolved").sum()), lang))
cols[2].metric(i18n.t("complaints_past_limit", lang),
               i18n.fmt_num(int((frame["status"] == "overdue").sum()), lang))
judged_total = int(frame["judged"].astype(int).sum())
pct = f"{100 * within / judged_total:.1f}%" if judged_total else "—"
cols[3].metric(i18n.t("complaints_within_time", lang), i18n.show(pct, lang))

st.dataframe(ui.localise(summary, lang), hide_index=True, width="stretch")
shown = frame[["id", "office_code", "received_date", "tier", "role", "status", "due",
               "working_days_late", "resolved_date", "escalations", "appeals"]]
st.dataframe(ui.localise(shown.sort_values("id", ascending=False), lang), hide_index=True,
             width="stretch")
