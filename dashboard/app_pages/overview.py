"""Overview: compliance %, overdue now, on-time trend, per office and per service."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, i18n, ui

user, lang = ui.require_login()
st.title(i18n.t("overview", lang))

period = ui.period_picker(lang, "ov")
offices = data.offices(user.id)
kinds = data.office_kinds(offices, lang)
label_col = "label_bn" if lang == "bn" else "label_en"
office_labels = dict(zip(offices["code"], offices[label_col], strict=True))
kind = st.selectbox(i18n.t("office_kind", lang), ["", *kinds], key="ov_kind",
                    format_func=lambda k: i18n.t("all", lang) if not k else kinds[k])
offices = data.offices_of_kind(offices, kind or None)
cols = st.columns(4)
divisions = sorted(set(offices["division"]))
division = cols[0].selectbox(i18n.t("division", lang), ["", *divisions], key="ov_division",
                             format_func=lambda d: i18n.t("all", lang) if not d else (
                                 offices.loc[offices["division"] == d, "division_bn"].iloc[0]
                                 if lang == "bn" else d))
chosen = offices if not division else offices[offices["division"] == division]
districts = sorted(set(chosen["district"]))
district = cols[1].selectbox(i18n.t("district", lang), ["", *districts], key="ov_district",
                             format_func=lambda d: i18n.t("all", lang) if not d else (
                                 offices.loc[offices["district"] == d, "district_bn"].iloc[0]
                                 if lang == "bn" else d))
if district:
    chosen = chosen[chosen["district"] == district]
names = dict(zip(chosen["code"], chosen[label_col], strict=True))
office = cols[2].selectbox(i18n.t("office", lang), ["", *names], key="ov_office",
                           format_func=lambda c: i18n.t("all", lang) if not c else names[c])
if office:
    chosen = chosen[chosen["code"] == office]
categories = cols[3].multiselect(i18n.t("category", lang), list(i18n.CATEGORIES),
                                 key="ov_categories", placeholder=i18n.t("all", lang),
                                 format_func=lambda c: i18n.label(i18n.CATEGORIES, c, lang))

as_of = data.today()
office_ids = None if not (division or district or office) else tuple(
    int(i) for i in chosen["office_id"])
result = data.overview(user.id, period.start, period.end, as_of, office_ids,
                       tuple(categories) or None, kind or None)
st.caption(f"{i18n.fmt_date(period.start, lang)} – {i18n.fmt_date(period.end, lang)} · "
           f"{i18n.t('as_of', lang)} {i18n.fmt_date(as_of, lang)}")

totals = result.totals
metrics = st.columns(5)
metrics[0].metric(i18n.t("compliance_pct", lang),
                  i18n.fmt_pct(totals["compliance_pct"], lang))
metrics[1].metric(i18n.t("overdue", lang), i18n.fmt_num(totals["overdue"], lang))
metrics[2].metric(i18n.t("received", lang), i18n.fmt_num(totals["received"], lang))
metrics[3].metric(i18n.t("delivered", lang), i18n.fmt_num(totals["delivered"], lang))
metrics[4].metric(i18n.t("open", lang), i18n.fmt_num(totals["open"], lang))

if result.counts.empty:
    st.info(i18n.t("no_data", lang))
    st.stop()

name_col = "office_name_bn" if lang == "bn" else "office_name_en"
by_office = result.by_office.assign(office=[
    office_labels.get(code, name) for code, name in zip(result.by_office["office_code"],
                                                        result.by_office[name_col],
                                                        strict=True)])
by_month = result.by_month.assign(month=[i18n.fmt_month(m, lang)
                                         for m in result.by_month["month_start"]])
heat = result.office_month.assign(
    month=[i18n.fmt_month(m, lang) for m in result.office_month["month_start"]],
    office=result.office_month["office_name_bn" if lang == "bn" else "office_code"])

st.subheader(i18n.t("trend", lang))
st.altair_chart(
    alt.Chart(by_month).mark_line(point=True).encode(
        x=alt.X("month:O", title=i18n.t("month", lang), sort=None,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("compliance_pct:Q", title=i18n.t("compliance_pct", lang),
                scale=alt.Scale(domain=[0, 100])),
        tooltip=["month", "compliance_pct", "on_time", "late", "received"]),
    width="stretch")

left, right = st.columns(2)
with left:
    st.subheader(i18n.t("per_office", lang))
    st.altair_chart(
        alt.Chart(by_office).mark_bar().encode(
            x=alt.X("compliance_pct:Q", title=i18n.t("compliance_pct", lang),
                    scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("office:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
            color=alt.Color("compliance_pct:Q", scale=alt.Scale(scheme="redyellowgreen",
                                                                domain=[50, 100]),
                            legend=None),
            tooltip=["office", "compliance_pct", "on_time", "late", "overdue"]),
        width="stretch")
with right:
    st.subheader(i18n.t("heatmap", lang))
    st.altair_chart(
        alt.Chart(heat).mark_rect().encode(
            x=alt.X("month:O", title=i18n.t("month", lang), sort=None),
            y=alt.Y("office:N", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("compliance_pct:Q", title="%",
                            scale=alt.Scale(scheme="redyellowgreen", domain=[50, 100])),
            tooltip=["office", "month", "compliance_pct", "on_time", "late"]),
        width="stretch")

COLUMNS = {"received": "received", "delivered": "delivered", "on_time": "on_time",
           "late": "late", "open": "open", "overdue": "overdue",
           "compliance_pct": "compliance_pct"}
st.subheader(i18n.t("per_office", lang))
st.dataframe(ui.localise(by_office, lang, {"office": "office", "district": "district",
                                           **COLUMNS}),
             hide_index=True, width="stretch")
st.subheader(i18n.t("per_service", lang))
services = result.by_service.assign(
    category=[i18n.label(i18n.CATEGORIES, c, lang) for c in result.by_service["category"]])
st.dataframe(ui.localise(services, lang, {"category": "category", "number": "#",
                                          "service_name_bn": "service", **COLUMNS}),
             hide_index=True, width="stretch")
st.download_button("CSV", data.csv_bytes(pd.DataFrame(result.by_office)),
                   file_name="compliance-per-office.csv", mime="text/csv", key="ov_csv")
