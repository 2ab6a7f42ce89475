"""Charter: services needing review, each office's services and deadlines, versions and
parse problems."""

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
label_col = "label_bn" if lang == "bn" else "label_en"

# Review before use: every readable office's services that cannot be logged against yet.
st.subheader(i18n.t("needs_review", lang))
waiting = [{**row, "office": entry[label_col],
            "what_to_do": (i18n.t("review_todo", lang, code=entry["code"]) if lang == "bn"
                           else row["what_to_do"])}
           for entry in entries for row in entry["needs_review"]]
if waiting:
    st.warning(i18n.t("needs_review_help", lang))
    table = pd.DataFrame(waiting).assign(service=lambda f: [
        f"{i18n.label(i18n.CATEGORIES, c, lang)} {i18n.digits(str(n), lang)}. {name}"
        for c, n, name in zip(f["category"], f["number"], f["name_bn"], strict=True)])
    st.dataframe(ui.localise(table, lang, {
        "office": "office", "service": "service", "deadline_raw": "printed_cell",
        "line": "line", "what_to_do": "what_to_do"}), hide_index=True, width="stretch",
        key="ch_review")
else:
    st.success(i18n.t("needs_review_none", lang))

names = {e["code"]: e[label_col] for e in entries}
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
    services = services.assign(
        category=[i18n.label(i18n.CATEGORIES, c, lang) for c in services["category"]],
        review=[i18n.t("review_flag", lang) if flagged else ""
                for flagged in services["needs_review"]],
        deadline_raw=[f"{raw} ({i18n.t('no_deadline', lang)})"
                      if unit == data.DeadlineUnit.NO_DEADLINE else raw
                      for raw, unit in zip(services["deadline_raw"], services["unit"],
                                           strict=True)])
st.dataframe(ui.localise(services, lang, {
    "category": "category", "number": "#", "name_bn": "service", "deadline_raw": "deadline",
    "review": "review_flag", "fee_raw": "fee", "responsible_officer": "responsible",
    "responsible_contact": "contact", "escalation_officer": "escalation"}),
    hide_index=True, width="stretch")
st.caption(f"{i18n.t('source', lang)}: {version['source']}")
st.subheader(i18n.t("problems", lang))
if entry["problems"]:
    st.dataframe(ui.localise(pd.DataFrame(entry["problems"]), lang),
                 hide_index=True, width="stretch")
else:
    st.success(i18n.t("no_problems", lang))
