"""Bengali / English for the dashboard: labels, and the formatters of tracker.domain.bn.

Dates, numbers, percentages and digits are formatted by tracker.domain.bn (the one set every
screen, digest, export and CLI line uses: dd-mm-yyyy dates in both languages); this module
re-exports them under the names the pages use and adds the dashboard's labels.
Pure functions (no Streamlit): pages pass the session's language, ``current()`` reads it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from tracker.domain import bn
from tracker.domain.bn import MISSING as MISSING
from tracker.domain.bn import fmt_date as fmt_date
from tracker.domain.bn import fmt_month as fmt_month
from tracker.domain.bn import fmt_num as fmt_num
from tracker.domain.bn import fmt_pct as fmt_pct
from tracker.domain.bn import fmt_time as fmt_time
from tracker.domain.bn import grs_title as grs_title
from tracker.domain.bn import localise_digits

#: ASCII digits to Bengali ones in Bengali mode (the text unchanged in English).
digits = localise_digits

#: Plain strings (Streamlit widgets keep them across reruns as they are).
LANGS: tuple[str, ...] = tuple(lang.value for lang in bn.LANGS)

STRINGS: dict[str, tuple[str, str]] = {
    # key: (Bengali, English)
    "app_title": ("সিটিজেন চার্টার সেবা ট্র্যাকার", "Citizen-charter SLA tracker"),
    "language": ("ভাষা", "Language"),
    "login": ("লগইন", "Log in"),
    "logout": ("লগআউট", "Log out"),
    "username": ("ব্যবহারকারীর নাম", "Username"),
    "password": ("পাসওয়ার্ড", "Password"),
    "login_failed": ("ব্যবহারকারীর নাম বা পাসওয়ার্ড ভুল", "Wrong username or password"),
    "login_locked": ("অনেকবার ভুল চেষ্টা হয়েছে; {time} (ঢাকা সময়) এর পরে আবার চেষ্টা করুন",
                     "Too many failed attempts; try again after {time} (Asia/Dhaka)"),
    "login_required": ("এই পাতা দেখতে লগইন করুন", "Please log in to see this page"),
    "signed_in_as": ("লগইন করেছেন: {name} ({role})", "Signed in as {name} ({role})"),
    "overview": ("সারসংক্ষেপ", "Overview"),
    "breaches": ("সময়সীমা লঙ্ঘন", "Breaches"),
    "log_request": ("নতুন আবেদন", "Log a request"),
    "my_requests": ("আমার আবেদনসমূহ", "My requests"),
    "charter": ("সিটিজেন চার্টার", "Charter"),
    "calendar": ("ছুটির তালিকা", "Calendar"),
    "digests": ("ডাইজেস্ট", "Digests"),
    "reports": ("প্রতিবেদন", "Reports"),
    "complaints": ("অভিযোগ (জিআরএস)", "GRS complaints"),
    "complaints_open": ("চলমান অভিযোগ", "Open complaints"),
    "complaints_past_limit": ("সময়সীমা পেরিয়েছে", "Past a tier limit"),
    "complaints_within_time": ("সময়মতো নিষ্পত্তি (%)", "Resolved within time (%)"),
    "complaints_total": ("মোট অভিযোগ", "Complaints"),
    "fiscal_year": ("অর্থবছর", "Fiscal year"),
    "quarter": ("প্রান্তিক", "Quarter"),
    "whole_year": ("পুরো বছর", "Whole year"),
    "date_range": ("তারিখের সীমা", "Date range"),
    "custom_range": ("নির্দিষ্ট তারিখ", "Custom dates"),
    "division": ("বিভাগ", "Division"),
    "district": ("জেলা", "District"),
    "office": ("অফিস", "Office"),
    "service": ("সেবা", "Service"),
    "category": ("সেবার ধরন", "Service category"),
    "all": ("সকল", "All"),
    "compliance_pct": ("সময়মতো সেবা (%)", "Compliance (%)"),
    "delivered": ("সেবা প্রদান", "Delivered"),
    "on_time": ("সময়মতো", "On time"),
    "late": ("বিলম্বে", "Late"),
    "open": ("চলমান", "Open"),
    "overdue": ("সময় পেরিয়েছে", "Overdue now"),
    "received": ("গৃহীত", "Received"),
    "no_data": ("এই বাছাইয়ে কোনো আবেদন নেই", "No requests for this selection"),
    "trend": ("মাসভিত্তিক সময়মতো সেবার হার", "On-time trend by month"),
    "per_office": ("অফিসভিত্তিক", "Per office"),
    "per_service": ("সেবাভিত্তিক", "Per service"),
    "per_kind": ("অফিসের ধরনভিত্তিক", "Per office kind"),
    "heatmap": ("অফিস × মাস", "Office × month"),
    "month": ("মাস", "Month"),
    "as_of": ("যে তারিখ পর্যন্ত", "As of"),
    "due_soon": ("শীঘ্রই সময়সীমা", "Due soon"),
    "due_soon_days": ("যত কার্যদিবসের মধ্যে", "Within working days"),
    "wd_late": ("কার্যদিবস বিলম্ব", "Working days late"),
    "responsible": ("দায়িত্বপ্রাপ্ত কর্মকর্তা", "Responsible officer"),
    "contact": ("যোগাযোগ", "Contact"),
    "escalation": ("উর্ধ্বতন কর্মকর্তা", "Escalation officer"),
    "open_request": ("আবেদন দেখুন", "Open a request"),
    "history": ("ইতিহাস", "History"),
    "why_due": ("সময়সীমা কেন এই তারিখ?", "Why is it due then?"),
    "received_at": ("গ্রহণের সময়", "Received at"),
    "received_date": ("গ্রহণের তারিখ", "Received on"),
    "received_time": ("গ্রহণের সময় (ঘণ্টা:মিনিট)", "Time received (HH:MM)"),
    "channel": ("মাধ্যম", "Channel"),
    "applicant": ("আবেদনকারীর নাম", "Applicant"),
    "applicant_contact": ("আবেদনকারীর যোগাযোগ", "Applicant's contact"),
    "summary": ("বিষয়", "Summary"),
    "external_ref": ("রেজিস্টার নম্বর", "Register number"),
    "deadline": ("সময়সীমা", "Deadline"),
    "due_date": ("নির্ধারিত তারিখ", "Due date"),
    "computed_due": ("নির্ধারিত তারিখ (হিসাব): {due}", "Computed due date: {due}"),
    "provisional": ("অস্থায়ী (ছুটির তালিকা চূড়ান্ত নয়)", "provisional (forecast holidays)"),
    "track": ("ট্র্যাক", "Track"),
    "track_immediate": ("তাৎক্ষণিক", "Immediate"),
    "track_extended": ("বর্ধিত ({n} কার্যদিবস)", "Extended ({n} working days)"),
    "reason": ("কারণ", "Reason"),
    "directive_due": ("নির্দেশনা অনুযায়ী তারিখ", "Directive's due date"),
    "directive_ref": ("নির্দেশনার সূত্র", "Directive reference"),
    "submit_log": ("আবেদন সংরক্ষণ করুন", "Save the request"),
    "logged_ok": ("আবেদন #{id} সংরক্ষিত; নির্ধারিত তারিখ {due}",
                  "Request #{id} saved; due {due}"),
    "err_required": ("{field} দিতে হবে", "{field} is required"),
    "err_time": ("সময় ঘণ্টা:মিনিট আকারে লিখুন (যেমন ১০:১৫)",
                 "Enter the time as HH:MM (e.g. 10:15)"),
    "err_future": ("গ্রহণের সময় ভবিষ্যতে হতে পারে না", "The time received cannot be in the future"),
    "err_reason": ("বর্ধিত ট্র্যাকের জন্য কারণ লিখুন", "The extended track needs a reason"),
    "err_no_office": ("আপনার কোনো অফিসে লেখার অনুমতি নেই",
                      "You may not log requests for any office"),
    "err_other": ("সংরক্ষণ করা যায়নি: {msg}", "Not saved: {msg}"),
    "state": ("অবস্থা", "State"),
    "status": ("স্ট্যাটাস", "Status"),
    "action": ("কাজ", "Action"),
    "confirm": ("নিশ্চিত করুন", "Confirm"),
    "confirm_action": ("আবেদন #{id}: \"{action}\" নিশ্চিত?", "Request #{id}: confirm \"{action}\"?"),
    "done": ("সম্পন্ন: আবেদন #{id} এখন {state}", "Done: request #{id} is now {state}"),
    "outcome": ("ফলাফল", "Outcome"),
    "new_due": ("নতুন নির্ধারিত তারিখ", "New due date"),
    "choose_request": ("আবেদন বাছাই করুন", "Choose a request"),
    "only_open": ("শুধু চলমান", "Open only"),
    "versions": ("সংস্করণ", "Versions"),
    "effective": ("কার্যকর", "Effective"),
    "problems": ("পাঠে সমস্যা", "Parse problems"),
    "no_problems": ("কোনো সমস্যা নেই", "No problems"),
    "fee": ("ফি", "Fee"),
    "year": ("বছর", "Year"),
    "date": ("তারিখ", "Date"),
    "kind": ("ধরন", "Kind"),
    "name": ("নাম", "Name"),
    "source": ("সূত্র", "Source"),
    "confidence": ("নিশ্চয়তা", "Confidence"),
    "provisional_year": ("অস্থায়ী বছর: চূড়ান্ত ছুটির তালিকা নেই, পূর্বাভাস থেকে",
                         "Provisional year: no curated list, forecast holidays"),
    "ramadan": ("রমজানে অফিস সময় (বন্ধ {closing}): {first} থেকে {last}",
                "Ramadan office hours (closing {closing}): {first} to {last}"),
    "not_available": ("এখনো চালু হয়নি: {what}", "Not available yet: {what}"),
    "digest_states": ("ডাইজেস্টের অবস্থা", "Digest states"),
    "outbox": ("আউটবক্স", "Outbox"),
    "download_apa": ("এপিএ এক্সেল ডাউনলোড", "Download the APA workbook"),
    "build_apa": ("এপিএ প্রতিবেদন তৈরি করুন", "Build the APA report"),
    "compliance_table": ("প্রতিপালন সারণি", "Compliance table"),
    "median_wd": ("সেবা প্রদানে কার্যদিবস (মধ্যমা)", "Median working days to deliver"),
    "permission": ("অনুমতি নেই: {msg}", "Not allowed: {msg}"),
    "refresh": ("হালনাগাদ", "Refresh"),
    "office_kind": ("অফিসের ধরন", "Office kind"),
    "needs_review": ("পর্যালোচনার অপেক্ষায় থাকা সেবা", "Services needing review"),
    "needs_review_help": (
        "এই সেবাগুলোর সময়সীমা নিশ্চিতভাবে পড়া যায়নি (অনুমান করা হয় না): পর্যালোচক সময়সীমা "
        "ঠিক না করা পর্যন্ত এগুলোর আবেদন নেওয়া যাবে না।",
        "These services' time limits were not safely understood (never guessed): no request "
        "can be logged against them until a reviewer sets the limit."),
    "needs_review_none": ("পর্যালোচনার অপেক্ষায় কোনো সেবা নেই",
                          "No service is waiting for review"),
    "review_todo": ("পর্যালোচক data/charters/{code}.toml ফাইলে সেবাটির সময়সীমা লিখে "
                    "needs_review মুছে দিন, তারপর `tracker init` চালান",
                    "A reviewer sets the limit in data/charters/{code}.toml (and removes "
                    "needs_review), then runs `tracker init`"),
    "printed_cell": ("চার্টারে ছাপা সময়সীমা", "Printed time limit"),
    "line": ("লাইন", "Line"),
    "what_to_do": ("করণীয়", "What to do"),
    "review_flag": ("পর্যালোচনা প্রয়োজন", "Needs review"),
    "not_offered": ("পর্যালোচনার অপেক্ষায় থাকায় এই সেবাগুলোর আবেদন নেওয়া যাবে না: {services}",
                    "Not offered until reviewed (the time limit needs review): {services}"),
    "all_need_review": ("এই অফিসের সব সেবার সময়সীমা পর্যালোচনার অপেক্ষায়: এখন আবেদন নেওয়া "
                        "যাবে না", "Every service of this office needs review: no request "
                        "can be logged yet"),
    "no_deadline": ("সময়সীমা নেই", "no deadline"),
    "no_deadline_help": ("চার্টারে প্রতি আবেদনের কোনো সময়সীমা নেই ({raw}): আবেদনটি "
                         "\"সময়সীমা নেই\" হিসেবে থাকবে, সময়মতো বা বিলম্বে নয়",
                         "The charter sets no per-request limit ({raw}): the request is "
                         "reported as \"no deadline\", never on time or late"),
    "logged_no_deadline": ("আবেদন #{id} সংরক্ষিত; সময়সীমা নেই",
                           "Request #{id} saved; no deadline"),
}

ROLES = {"upazila_officer": ("উপজেলা কর্মকর্তা", "upazila officer"),
         "district_programmer": ("জেলা প্রোগ্রামার", "district programmer"),
         "admin": ("অ্যাডমিন", "admin")}
STATUSES = {"on_track": ("সময়ের মধ্যে", "on track"), "due_today": ("আজ শেষ দিন", "due today"),
            "overdue": ("সময় পেরিয়েছে", "overdue"), "on_time": ("সময়মতো", "on time"),
            "late": ("বিলম্বে", "late"), "no_deadline": ("সময়সীমা নেই", "no deadline"),
            "rejected": ("নামঞ্জুর", "rejected"), "withdrawn": ("প্রত্যাহৃত", "withdrawn"),
            "outside_calendar": ("ক্যালেন্ডারের বাইরের তারিখ", "date outside the calendar")}
ACTIONS = {"start": ("কাজ শুরু", "start"), "hold": ("স্থগিত (আবেদনকারীর অপেক্ষায়)", "hold"),
           "resume": ("আবার শুরু", "resume"), "extend": ("সময় বৃদ্ধি", "extend"),
           "deliver": ("সেবা প্রদান", "deliver"), "reject": ("নামঞ্জুর", "reject"),
           "withdraw": ("প্রত্যাহার", "withdraw")}
CHANNELS = {"in_person": ("সরাসরি", "in person"), "phone": ("ফোন", "phone"),
            "web": ("ওয়েবসাইট", "web site"), "email": ("ই-মেইল", "e-mail"),
            "letter": ("চিঠি", "letter"), "e_nothi": ("ই-নথি/ডি-নথি", "e-Nothi / D-Nothi")}
DIGEST_STATES = {"sent": ("পাঠানো হয়েছে", "sent"), "pending": ("অপেক্ষমাণ", "pending"),
                 "sending": ("পাঠানো হচ্ছে", "sending"), "failed": ("ব্যর্থ", "failed")}
CATEGORIES = {"citizen": ("নাগরিক সেবা", "citizen"),
              "institutional": ("প্রাতিষ্ঠানিক সেবা", "institutional"),
              "internal": ("অভ্যন্তরীণ সেবা", "internal")}


#: tracker's error messages (English, one line) as an officer reads them in Bengali.
ERRORS_BN: tuple[tuple[str, str], ...] = (
    (r"external reference '(.+)' is already used in (\S+)",
     "রেজিস্টার নম্বর {0} এই অফিসে আগেই ব্যবহৃত হয়েছে"),
    (r"has no charter in force on (\S+)",
     "{0} তারিখে এই অফিসের কোনো সিটিজেন চার্টার কার্যকর ছিল না"),
    (r"is in the future", "সময়টি ভবিষ্যতে হতে পারে না"),
    (r"the directive's due date is before the request was received",
     "নির্দেশনার তারিখ আবেদন গ্রহণের আগে হতে পারে না"),
    (r"(hold|reject|withdraw) needs a reason", "এই কাজের জন্য কারণ লিখুন"),
    (r"an extension needs a reason", "সময় বৃদ্ধির জন্য কারণ লিখুন"),
    (r"the new due date must be after (\S+)", "নতুন তারিখ {0} এর পরে হতে হবে"),
    (r"the new due date is before the request was received",
     "নতুন তারিখ আবেদন গ্রহণের আগে হতে পারে না"),
    (r"request #(\d+) is (\w+): cannot (\w+)", "আবেদন #{0} এখন {1}: এই কাজ করা যাবে না"),
    (r"may not (read|change) office (\S+)", "অফিস {1} এর তথ্যে আপনার অনুমতি নেই"),
    (r"the charter allows no extension", "চার্টারে এই সেবার সময় বৃদ্ধির সুযোগ নেই"),
    (r"service (\S+) \(.*\) of (\S+) cannot be logged against yet",
     "সেবা {0} এর সময়সীমা পর্যালোচনার অপেক্ষায়: পর্যালোচক data/charters/{1}.toml ফাইলে "
     "সময়সীমা ঠিক না করা পর্যন্ত আবেদন নেওয়া যাবে না"),
    (r"service (\S+) \(.*\) takes no directive due date",
     "সেবা {0} এর জন্য নির্দেশনার তারিখ দেওয়া যায় না"),
    (r"was changed by someone else", "অন্য কেউ আবেদনটি এইমাত্র বদলেছেন; আবার চেষ্টা করুন"),
    (r"the database is not up to date",
     "ডাটাবেস হালনাগাদ নয়: প্রশাসক `tracker db upgrade` চালান"),
)


#: tracker's error messages that the dashboard has a label for (both languages).
ERROR_LABELS: tuple[tuple[str, str], ...] = (
    (r"the extended track needs a reason", "err_reason"),
)


def error_text(message: str, lang: str) -> str:
    """A tracker error message in the user's language (known ones; others as they are)."""
    for pattern, key in ERROR_LABELS:
        if re.search(pattern, message):
            return t(key, lang)
    if lang == "bn":
        for pattern, text in ERRORS_BN:
            found = re.search(pattern, message)
            if found:
                return text.format(*(show(g, lang) for g in found.groups()))
    return message


def t(key: str, lang: str, **values: Any) -> str:
    """The label for ``key``; values are formatted in (numbers in the language's digits)."""
    bengali, english = STRINGS[key]
    text = bengali if lang == bn.Lang.BN else english
    if values:
        text = text.format(**{k: show(v, lang) for k, v in values.items()})
    return text


def label(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    return key if pair is None else (pair[0] if lang == "bn" else pair[1])


def show(value: Any, lang: str) -> str:
    """Any value for display: dates and numbers localised, the rest as text.

    An int is an identifier or a count shown as it is (``#1234``, no separator); a float is
    a quantity: a whole one without decimals, otherwise one decimal (tracker.domain.bn).
    """
    if isinstance(value, date | datetime):
        return fmt_date(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return digits(str(value), lang)
    if isinstance(value, float):
        return fmt_num(value, lang, 0 if value.is_integer() else 1)
    return digits(str(value), lang) if str(value).isdigit() else str(value)


def current() -> str:
    """The session's language (Streamlit session state), Bengali by default."""
    import streamlit as st

    lang = st.session_state.get("lang", bn.Lang.BN.value)
    return lang if lang in LANGS else bn.Lang.BN.value
