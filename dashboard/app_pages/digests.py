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
    if frame.empty:
        st.info(i18n.t("no_data", lang))
    else:
        if "state" in frame.columns:
            counts = frame["state"].value_counts()
            cols = st.columns(max(1, len(counts)))
            for column, (state, count) in zip(cols, counts.items(), strict=False):
                column.metric(str(state), i18n.fmt_num(int(count), lang))
        st.dataframe(ui.localise(frame, lang), hide_index=True, width="stretch")

files = data.outbox_files(user.id)
if files is not None:
    st.subheader(i18n.t("outbox", lang))
    if files:
        st.dataframe({"file": [f for f, _ in files], "bytes": [s for _, s in files]},
                     hide_index=True, width="stretch")
    else:
        st.info(i18n.t("no_data", lang))
