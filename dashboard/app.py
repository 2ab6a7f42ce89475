"""Dashboard entry script: `tracker dashboard --port N` runs `streamlit run dashboard/app.py`.

Shows the login page until the session has a user, then the pages the user's role may use
(st.navigation). Each page checks the login again; the data layer checks the role scope.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, i18n, ui  # noqa: E402

st.set_page_config(page_title="Citizen-charter SLA tracker", page_icon="📋", layout="wide")

lang = i18n.current()
with st.sidebar:
    choice = st.radio(i18n.t("language", lang), list(i18n.LANGS), horizontal=True,
                      index=list(i18n.LANGS).index(lang), key="lang_switch",
                      format_func=lambda code: "বাংলা" if code == "bn" else "English")
    if choice != lang:
        st.session_state["lang"] = choice
        st.rerun()


def login_page() -> None:
    st.title(i18n.t("app_title", lang))
    with st.form("login"):
        username = st.text_input(i18n.t("username", lang), key="login_username")
        password = st.text_input(i18n.t("password", lang), type="password",
                                 key="login_password")
        submitted = st.form_submit_button(i18n.t("login", lang))
    if submitted:
        try:
            user = data.login(username, password)
        except data.LoginLocked as locked:  # too many failures: refused until a time
            st.error(i18n.t("login_locked", lang, time=i18n.fmt_time(locked.retry_at, lang)))
            return
        except data.TrackerError as error:  # e.g. a database that needs an upgrade
            st.error(i18n.error_text(str(error), lang))
            return
        if user is None:
            st.error(i18n.t("login_failed", lang))
        else:
            st.session_state[ui.USER_KEY] = user
            if "lang" not in st.session_state:
                st.session_state["lang"] = user.language
            st.rerun()


user = ui.current_user()
if user is None:
    page = st.navigation([st.Page(login_page, title=i18n.t("login", lang), icon="🔑")])
else:
    with st.sidebar:
        st.caption(i18n.t("signed_in_as", lang, name=user.full_name,
                          role=i18n.label(i18n.ROLES, user.role, lang)))
        if st.button(i18n.t("logout", lang), key="logout"):
            st.session_state.pop(ui.USER_KEY, None)
            st.cache_data.clear()
            st.rerun()
    pages = [st.Page("app_pages/overview.py", title=i18n.t("overview", lang), icon="📊",
                     default=True),
             st.Page("app_pages/breaches.py", title=i18n.t("breaches", lang), icon="⏰")]
    if user.role != "district_programmer":  # programmers read only (data layer enforces it)
        pages += [st.Page("app_pages/log_request.py", title=i18n.t("log_request", lang),
                          icon="📝"),
                  st.Page("app_pages/my_requests.py", title=i18n.t("my_requests", lang),
                          icon="📂")]
    pages += [st.Page("app_pages/charter.py", title=i18n.t("charter", lang), icon="📜"),
              st.Page("app_pages/calendar.py", title=i18n.t("calendar", lang), icon="📅"),
              st.Page("app_pages/complaints.py", title=i18n.t("complaints", lang), icon="📣"),
              st.Page("app_pages/digests.py", title=i18n.t("digests", lang), icon="✉️"),
              st.Page("app_pages/reports.py", title=i18n.t("reports", lang), icon="📑")]
    page = st.navigation(pages)
page.run()
