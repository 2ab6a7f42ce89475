"""Breaches: overdue and due-soon requests, with the responsible officer and contacts.

Selecting a row (or picking its number) opens the request's history and "why is it due
then".
"""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("breaches", lang))

as_of = data.today()
offices = data.offices(user.id)
kinds = data.office_kinds(offices, lang)
office_labels = dict(zip(offices["code"], offices["label_bn" if lang == "bn" else "label_en"],
                         strict=True))
cols = st.columns(3)
window = cols[0].number_input(i18n.t("due_soon_days", lang), min_value=0, max_value=30,
                              value=3, key="br_window")
sort_by = cols[1].selectbox(i18n.t("status", lang) + " ↕", ["working_days_late",
                                                            "effective_due", "office_code"],
                            key="br_sort",
                            format_func=lambda c: {"working_days_late": i18n.t("wd_late", lang),
                                                   "effective_due": i18n.t("due_date", lang),
                                                   "office_code": i18n.t("office", lang)}[c])
kind = cols[2].selectbox(i18n.t("office_kind", lang), ["", *kinds], key="br_kind",
                         format_func=lambda k: i18n.t("all", lang) if not k else kinds[k])
st.caption(f"{i18n.t('as_of', lang)} {i18n.fmt_date(as_of, lang)}")

breaches = data.breach_list(user.id, as_of, int(window), kind or None)
if breaches.shown.empty:
    st.info(i18n.t("no_data", lang))
    st.stop()

shown = breaches.shown
shown["status_label"] = [i18n.label(i18n.STATUSES, s, lang) for s in shown["status"]]
shown["office_label"] = [office_labels.get(c, name) for c, name in
                         zip(shown["office_code"], shown["office_name_bn"], strict=True)]
ascending = sort_by != "working_days_late"
shown = shown.sort_values([sort_by, "id"], ascending=[ascending, True])

metrics = st.columns(2)
metrics[0].metric(i18n.t("overdue", lang), i18n.fmt_num(breaches.overdue, lang))
metrics[1].metric(i18n.t("due_soon", lang), i18n.fmt_num(breaches.due_soon, lang))

columns = {"id": "#", "office_label": "office", "service_name_bn": "service",
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
    except data.PermissionDenied as exc:
        st.error(i18n.t("permission", lang, msg=str(exc)))
        st.stop()
    r = detail.request
    st.subheader(f"#{i18n.digits(str(r['id']), lang)} · {r['office_name_bn']} · "
                 f"{r['service_name_bn']}")
    st.write(f"{i18n.t('deadline', lang)}: {r['deadline_raw']} · {i18n.t('due_date', lang)}: "
             f"{i18n.fmt_date(r['effective_due'], lang)} · {i18n.t('responsible', lang)}: "
             f"{r['responsible_officer']} ({r['responsible_contact']}) · "
             f"{i18n.t('escalation', lang)}: {r['escalation_officer'] or '—'}")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{i18n.t('history', lang)}**")
        st.dataframe(ui.localise(detail.history, lang), hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{i18n.t('why_due', lang)}**")
        st.code(detail.explanation, language=None)
