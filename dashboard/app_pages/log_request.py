"""Log a request: the service picker shows the charter deadline and the due date live.

Services whose limit needs review are not offered (the reason is shown; the server refuses
them anyway); "no deadline" services are logged without a due date."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("log_request", lang))

offices = data.writable_offices(user.id)
if offices.empty:
    st.error(i18n.t("err_no_office", lang))
    st.stop()

names = dict(zip(offices["code"], offices["label_bn" if lang == "bn" else "label_en"],
                 strict=True))
office = st.selectbox(i18n.t("office", lang), list(names), key="log_office",
                      format_func=lambda c: names[c])
now = data.now()
local = data.local_now()
today = local.date
cols = st.columns(2)
received_day = cols[0].date_input(i18n.t("received_date", lang), value=today,
                                  max_value=today, key="log_day", format="DD-MM-YYYY")
received_time = cols[1].text_input(i18n.t("received_time", lang),
                                   value=f"{local.time:%H:%M}",
                                   key="log_time")
assert isinstance(received_day, date)
try:
    services = data.services_on(user.id, office, received_day)
except data.TrackerError as exc:
    st.error(i18n.t("err_other", lang, msg=i18n.error_text(str(exc), lang)))
    st.stop()
labels = {row.key: f"{i18n.label(i18n.CATEGORIES, row.category, lang)} "
                   f"{i18n.digits(str(row.number), lang)}. {row.name_bn}"
          for row in services.itertuples()}
reviewing = services[services["needs_review"].astype(bool)] if not services.empty else services
if not reviewing.empty:
    st.warning(i18n.t("not_offered", lang, services="; ".join(
        f"{labels[k]} ({raw})" for k, raw in zip(reviewing["key"], reviewing["deadline_raw"],
                                                 strict=True))))
held_back = set() if reviewing.empty else set(reviewing["key"])
offered = [k for k in labels if k not in held_back]
if not offered:
    st.error(i18n.t("all_need_review", lang))
    st.stop()
service_key = st.selectbox(i18n.t("service", lang), offered, key="log_service",
                           format_func=lambda k: labels[k])
service = services[services["key"] == service_key].iloc[0]
no_deadline = bool(service["no_deadline"])
st.info(f"{i18n.t('deadline', lang)}: {service['deadline_raw']}"
        + (f" ({i18n.t('no_deadline', lang)})" if no_deadline else "") + " · "
        f"{i18n.t('responsible', lang)}: {service['responsible_officer']}")

track: str | None = None
reason = ""
directive_due: date | None = None
directive_ref = ""
per_directive = service["unit"] == data.DeadlineUnit.PER_DIRECTIVE
if service["has_extended_track"]:
    n = int(service["extended_working_days"])
    track = st.radio(i18n.t("track", lang),
                     [data.Track.IMMEDIATE.value, data.Track.EXTENDED.value],
                     horizontal=True, key="log_track",
                     format_func=lambda x: i18n.t("track_immediate", lang)
                     if x == data.Track.IMMEDIATE else i18n.t("track_extended", lang, n=n))
    if track == data.Track.EXTENDED:
        reason = st.text_input(i18n.t("reason", lang), key="log_reason")
if per_directive:
    dcols = st.columns(2)
    picked = dcols[0].date_input(i18n.t("directive_due", lang), value=None,
                                 key="log_directive_due", format="DD-MM-YYYY")
    directive_due = picked if isinstance(picked, date) else None
    directive_ref = dcols[1].text_input(i18n.t("directive_ref", lang), key="log_directive_ref")

errors: list[str] = []
received_at = None
try:
    received_at = data.received_at(received_day, received_time)
except data.InputError:
    errors.append(i18n.t("err_time", lang))
if received_at is not None and received_at > now:
    errors.append(i18n.t("err_future", lang))

if received_at is not None and not errors:
    if no_deadline:
        st.success(i18n.t("no_deadline_help", lang, raw=service["deadline_raw"]))
    elif per_directive:
        if directive_due is not None:
            st.success(i18n.t("computed_due", lang, due=i18n.fmt_date(directive_due, lang)))
    else:
        preview = data.preview_due(user.id, office, service_key, received_at, track)
        text = i18n.t("computed_due", lang, due=i18n.fmt_date(preview.due, lang))
        if preview.provisional:
            text += f" — {i18n.t('provisional', lang)}"
        st.success(text)
        with st.expander(i18n.t("why_due", lang)):
            st.code(preview.explanation, language=None)

channel = st.selectbox(i18n.t("channel", lang), list(data.CHANNELS), key="log_channel",
                       format_func=lambda c: i18n.label(i18n.CHANNELS, c, lang))
fcols = st.columns(2)
applicant = fcols[0].text_input(i18n.t("applicant", lang), key="log_applicant")
contact = fcols[1].text_input(i18n.t("applicant_contact", lang), key="log_contact")
summary = st.text_input(i18n.t("summary", lang), key="log_summary")
external_ref = st.text_input(i18n.t("external_ref", lang), key="log_ref")

if st.button(i18n.t("submit_log", lang), type="primary", key="log_submit"):
    if not applicant.strip():
        errors.append(i18n.t("err_required", lang, field=i18n.t("applicant", lang)))
    refusal = data.track_refusal(service, track, reason)
    if refusal:
        errors.append(i18n.error_text(refusal, lang))
    if errors or received_at is None:
        for message in errors:
            st.error(message)
    else:
        try:
            request_id, due = data.log(user.id, data.NewRequest(
                office_code=office, service=service_key, received_at=received_at,
                channel=channel, applicant_name=applicant.strip(),
                applicant_contact=contact.strip() or None, summary=summary.strip(),
                external_ref=external_ref.strip() or None, track=track,
                track_reason=reason.strip() or None, directive_due=directive_due,
                directive_ref=directive_ref.strip() or None))
        except data.TrackerError as exc:
            st.error(i18n.t("err_other", lang, msg=i18n.error_text(str(exc), lang)))
        else:
            st.session_state["last_logged"] = request_id
            if due is None and no_deadline:
                st.success(i18n.t("logged_no_deadline", lang, id=request_id))
            else:
                st.success(i18n.t("logged_ok", lang, id=request_id,
                                  due=i18n.fmt_date(due, lang)))
else:
    for message in errors:
        st.error(message)
