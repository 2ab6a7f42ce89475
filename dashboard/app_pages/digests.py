"""Digests: sent / pending / failed digest deliveries and the outbox (when they exist)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("digests", lang))

try:
    frame = data.digests(user.id)
except Exception as exc:  # a half-migrated digest table must not take the page down
    frame = None
    st.caption(str(exc)[:200])
if frame is None:
    st.info(i18n.t("not_available", lang, what=i18n.t("digests", lang)))
else:
    st.subheader(i18n.t("digest_states", lang))
    states = frame["state"].value_counts() if "state" in frame.columns else None
    names = ["sent", "pending", "sending", "failed"]
    if states is not None:
        names += [str(s) for s in states.index if s not in names]
    cols = st.columns(len(names))
    for column, state in zip(cols, names, strict=True):
        count = int(states.get(state, 0)) if states is not None else 0
        column.metric(i18n.label(i18n.DIGEST_STATES, state, lang), i18n.fmt_num(count, lang))
    if frame.empty:
        st.info(i18n.t("no_data", lang))
    else:
        picked = st.multiselect(i18n.t("state", lang), names, key="dg_states",
                                placeholder=i18n.t("all", lang),
                                format_func=lambda s: i18n.label(i18n.DIGEST_STATES, s, lang))
        shown = frame[frame["state"].isin(picked)] if picked else frame
        st.dataframe(ui.localise(shown.drop(columns=["office_id", "user_id"],
                                            errors="ignore"), lang),
                     hide_index=True, width="stretch")

files = data.outbox_files(user.id)
if files is not None:
    st.subheader(i18n.t("outbox", lang))
    if files:
        st.dataframe({"file": [f for f, _ in files], "bytes": [s for _, s in files]},
                     hide_index=True, width="stretch")
    else:
        st.info(i18n.t("no_data", lang))
