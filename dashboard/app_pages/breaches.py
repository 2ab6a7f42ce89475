"""Breaches: overdue and due-soon requests, with the responsible officer and contacts.

Selecting a row (or picking its number) opens the request's history and "why is it due
then".
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import data, i18n, ui
from tracker.domain.calendar import load_calendar
from tracker.services.auth import PermissionDenied

user, lang = ui.require_login()
st.title(i18n.t("breaches", lang))

as_of = data.today()
frame = data.breaches(user.id, as_of)
cols = st.columns(3)
window = cols[0].number_input(i18n.t("due_soon_days", lang), min_value=0, max_value=30,
                              value=3, key="br_window")
sort_by = cols[1].selectbox(i18n.t("status", lang) + " ↕", ["working_days_late",
                                                            "effective_due", "office_code"],
                            key="br_sort",
                            format_func=lambda c: {"working_days_late": i18n.t("wd_late", lang),
                                                   "effective_due": i18n.t("due_date", lang),
                                                   "office_code": i18n.t("office", lang)}[c])
st.caption(f"{i18n.t('as_of', lang)} {i18n.fmt_date(as_of, lang)}")

if frame.empty:
    st.info(i18n.t("no_data", lang))
    st.stop()

due = frame["effective_due"]
has_due = due.notna()
days_left = np.full(len(frame), 10_000)
if has_due.any():
    index = load_calendar().index
    start = np.full(int(has_due.sum()), np.datetime64(as_of, "D"))
    ends = np.array([np.datetime64(d, "D") for d in due[has_due]], dtype="datetime64[D]")
    ahead = ends >= start
    counted = np.zeros(len(ends), dtype=np.int64)
    if ahead.any():
        counted[ahead] = index.working_days_between(start[ahead], ends[ahead])
    days_left[has_due.to_numpy()] = counted
soon = frame["status"].isin(["on_track", "due_today"]) & (days_left <= int(window))
shown = frame[(frame["status"] == "overdue") | soon].copy()
shown["status_label"] = [i18n.label(i18n.STATUSES, s, lang) for s in shown["status"]]
ascending = sort_by != "working_days_late"
shown = shown.sort_values([sort_by, "id"], ascending=[ascending, True])

metrics = st.columns(2)
metrics[0].metric(i18n.t("overdue", lang),
                  i18n.fmt_num(int((shown["status"] == "overdue").sum()), lang))
metrics[1].metric(i18n.t("due_soon", lang), i18n.fmt_num(int(soon.sum()), lang))

columns = {"id": "#", "office_name_bn": "office", "service_name_bn": "service",
           "external_ref": "external_ref", "received_date": "received_date",
           "effective_due": "due_date", "status_label": "status",
           "working_days_late": "wd_late", "responsible_officer": "responsible",
           "responsible_contact": "contact", "escalation_officer": "escalation"}
event = st.dataframe(ui.localise(shown, lang, columns), hide_index=True, width="stretch",
                     on_select="rerun", selection_mode="single-row", key="br_table")
selected_rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
ids = [int(i) for i in shown["id"]]
default = ids.index(ids[selected_rows[0]]) + 1 if selected_rows else 0
choice = st.selectbox(i18n.t("open_request", lang), [0, *ids], index=default, key="br_pick",
                      format_func=lambda i: "—" if not i else i18n.digits(f"#{i}", lang))
if choice:
    try:
        detail = data.request_detail(user.id, int(choice))
    except PermissionDenied as exc:
        st.error(i18n.t("permission", lang, msg=str(exc)))
        st.stop()
    r = detail.request
    st.subheader(f"#{i18n.digits(str(r['id']), lang)} · {r['office_name_bn']} · "
                 f"{r['service_name_bn']}")
    st.write(f"{i18n.t('deadline', lang)}: {r['deadline_raw']} · {i18n.t('due_date', lang)}: "
             f"{i18n.fmt_date(r['due_date'], lang)} · {i18n.t('responsible', lang)}: "
             f"{r['responsible_officer']} ({r['responsible_contact']}) · "
             f"{i18n.t('escalation', lang)}: {r['escalation_officer'] or '—'}")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{i18n.t('history', lang)}**")
        st.dataframe(ui.localise(detail.history, lang), hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{i18n.t('why_due', lang)}**")
        st.code(detail.explanation, language=None)
