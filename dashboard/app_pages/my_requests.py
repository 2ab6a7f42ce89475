"""My requests: the office's requests, and start / hold / resume / extend / deliver / reject /
withdraw with a confirmation. The data layer acts as the logged-in user, so
tracker.services.requests refuses anything outside the user's office."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("my_requests", lang))

as_of = data.today()
only_open = st.toggle(i18n.t("only_open", lang), value=True, key="my_open")
if only_open:
    frame = data.breaches(user.id, as_of)
else:
    start = as_of - timedelta(days=365)
    frame = data.requests_of(user.id, start, as_of, as_of)
writable = set(data.writable_offices(user.id)["code"])
frame = frame[frame["office_code"].isin(writable)] if not frame.empty else frame
if frame.empty:
    st.info(i18n.t("no_data", lang))
    st.stop()
frame = frame.sort_values("id", ascending=False)
shown = frame.assign(status_label=[i18n.label(i18n.STATUSES, s, lang)
                                   for s in frame["status"]],
                     state_label=frame["state"])
st.dataframe(ui.localise(shown, lang, {
    "id": "#", "external_ref": "external_ref", "service_key": "service",
    "service_name_bn": "summary", "received_date": "received_date",
    "effective_due": "due_date", "state_label": "state", "status_label": "status",
    "working_days_late": "wd_late"}), hide_index=True, width="stretch", key="my_table")

ids = [int(i) for i in frame["id"]]
picked = st.selectbox(i18n.t("choose_request", lang), [0, *ids], key="my_pick",
                      format_func=lambda i: "—" if not i else i18n.digits(f"#{i}", lang))
if not picked:
    st.stop()
try:
    detail = data.request_detail(user.id, int(picked))
except data.PermissionDenied as exc:
    st.error(i18n.t("permission", lang, msg=str(exc)))
    st.stop()
r = detail.request
st.subheader(f"#{i18n.digits(str(r['id']), lang)} · {r['service_name_bn']}")
st.write(f"{i18n.t('state', lang)}: **{r['state']}** · {i18n.t('due_date', lang)}: "
         f"{i18n.fmt_date(r['effective_due'], lang)} · {i18n.t('deadline', lang)}: "
         f"{r['deadline_raw']}")

actions = detail.actions
if actions:
    with st.form(f"act_{picked}"):
        action = st.selectbox(i18n.t("action", lang), actions, key="my_action",
                              format_func=lambda a: i18n.label(i18n.ACTIONS, a, lang))
        reason = st.text_input(i18n.t("reason", lang), key="my_reason")
        outcome = st.text_input(i18n.t("outcome", lang), key="my_outcome")
        current_due = r["effective_due"] if isinstance(r["effective_due"], date) else as_of
        new_due = st.date_input(i18n.t("new_due", lang), value=current_due + timedelta(days=7),
                                key="my_new_due", format="DD-MM-YYYY")
        confirmed = st.checkbox(i18n.t("confirm", lang), key="my_confirm")
        submitted = st.form_submit_button(i18n.t("action", lang), key="my_submit")
    if submitted:
        label = i18n.label(i18n.ACTIONS, action, lang)
        if not confirmed:
            st.warning(i18n.t("confirm_action", lang, id=int(picked), action=label))
        else:
            try:
                if action == "extend":
                    assert isinstance(new_due, date)
                    data.extend_due(user.id, int(picked), new_due, reason)
                    state = r["state"]
                else:
                    state = data.act(user.id, int(picked), action, reason=reason or None,
                                     outcome=outcome or None)
            except data.TrackerError as exc:
                st.error(i18n.t("err_other", lang, msg=i18n.error_text(str(exc), lang)))
            else:
                st.success(i18n.t("done", lang, id=int(picked), state=state))

with st.expander(i18n.t("history", lang)):
    st.dataframe(ui.localise(detail.history, lang), hide_index=True, width="stretch")
with st.expander(i18n.t("why_due", lang)):
    st.code(detail.explanation, language=None)
