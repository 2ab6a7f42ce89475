"""Charter: each office's services and deadlines, versions and parse problems."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("charter", lang))

entries = data.charters(user.id)
if not entries:
    st.info(i18n.t("no_data", lang))
    st.stop()
names = {e["code"]: e["name_bn" if lang == "bn" else "name_en"] for e in entries}
code = st.selectbox(i18n.t("office", lang), list(names), key="ch_office",
                    format_func=lambda c: names[c])
entry = next(e for e in entries if e["code"] == code)
versions = entry["versions"]
st.caption(f"{i18n.t('versions', lang)}: " + ", ".join(
    i18n.fmt_date(v["effective"], lang) for v in versions))
index = st.selectbox(i18n.t("effective", lang), list(range(len(versions))),
                     index=len(versions) - 1, key="ch_version",
                     format_func=lambda i: i18n.fmt_date(versions[i]["effective"], lang))
version = versions[index]
services = version["services"]
if not services.empty:
    services = services.assign(category=[i18n.label(i18n.CATEGORIES, c, lang)
                                         for c in services["category"]])
st.dataframe(ui.localise(services, lang, {
    "category": "category", "number": "#", "name_bn": "service", "deadline_raw": "deadline",
    "fee_raw": "fee", "responsible_officer": "responsible", "responsible_contact": "contact",
    "escalation_officer": "escalation"}), hide_index=True, width="stretch")
st.caption(f"{i18n.t('source', lang)}: {version['source']}")
st.subheader(i18n.t("problems", lang))
if entry["problems"]:
    st.dataframe(ui.localise(pd.DataFrame(entry["problems"]), lang),
                 hide_index=True, width="stretch")
else:
    st.success(i18n.t("no_problems", lang))
