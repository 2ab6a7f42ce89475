"""One Settings object for the whole tracker. Nothing else reads os.environ.

Every setting comes from an environment variable prefixed ``TRACKER_`` (or a ``.env`` file)
and is validated when the settings are first read: a bad value is one ``SettingsError``
naming the variable and what it expects, never a traceback from deep inside a command.

Where things live by default:

- Run from a source checkout (``make install`` is an editable install): the checkout's
  ``calendars/``, ``data/`` and ``var/``, as always.
- Installed from a wheel: the calendars and bundled data shipped inside the package
  (``tracker/_bundled/``, copied there by the build, see ``build_hooks.py``), and ``var/``
  under the current directory for the database and outbox: site-packages is neither
  writable nor a place for a user's records, and "a SQLite file under var/" stays true.

``TRACKER_CALENDARS_DIR``, ``TRACKER_DATA_DIR``, ``TRACKER_DATABASE_URL`` and
``TRACKER_OUTBOX_DIR`` override each of these.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.errors import SettingsError

PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout when running from one; site-packages when installed from a wheel.
PROJECT_ROOT = PACKAGE_DIR.parent
#: Where a wheel carries the top-level calendars/ and data/ folders.
BUNDLED_DIR = PACKAGE_DIR / "_bundled"
ENV_PREFIX = "TRACKER_"


def running_from_checkout() -> bool:
    """True in a source checkout (editable install, tests); False when installed."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "calendars").is_dir()


def resource_dir(name: str) -> Path:
    """The folder ``name`` (calendars, data): the checkout's own, else the wheel's copy."""
    return PROJECT_ROOT / name if running_from_checkout() else BUNDLED_DIR / name


def var_dir() -> Path:
    """Writable state (database, outbox): the checkout's var/, else var/ in the current
    directory. Absolute, so that child processes (the dashboard) agree on it."""
    return PROJECT_ROOT / "var" if running_from_checkout() else Path.cwd().resolve() / "var"


# -- value types ------------------------------------------------------------------------

_HH_MM = re.compile(r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)")


def _refuse(message: str) -> PydanticCustomError:
    """A refusal whose message is the predicate after "'VALUE' " (see SettingsError)."""
    return PydanticCustomError("tracker_setting", message)


def _hh_mm(value: str) -> str:
    """A 24-hour HH:MM clock time, normalised to two-digit hours ("9:30" -> "09:30")."""
    match = _HH_MM.fullmatch(value.strip())
    if match is None:
        raise _refuse("is not a time (expected HH:MM, 24-hour, e.g. 17:00)")
    return f"{int(match['hour']):02d}:{match['minute']}"


def _clock_text(value: Any) -> Any:
    """Accept a ``datetime.time`` from Python callers as well as the "HH:MM" text."""
    return f"{value:%H:%M}" if isinstance(value, time) else value


def _iana_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _refuse("is not a time zone (expected an IANA name, e.g. Asia/Dhaka)") from None
    return value


#: One label of a host name (RFC 1123): letters, digits and inner hyphens, 1-63 characters.
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
ADDRESS_EXPECTED = ("is not an IP address or host name (e.g. 127.0.0.1 for this machine "
                    "only, 0.0.0.0 for every interface)")


def listen_address(value: str) -> str:
    """An address to listen on: an IPv4/IPv6 address (brackets dropped) or a host name.

    Raises ValueError(ADDRESS_EXPECTED) otherwise: the dashboard would hand anything else
    to Streamlit, which fails later with a traceback (or binds somewhere unexpected)."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    labels = text.removesuffix(".").split(".")
    if (0 < len(text) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit()):  # "300.1.1.1" is a bad IP, not a host name
        return text
    raise ValueError(ADDRESS_EXPECTED)


def _listen_address(value: str) -> str:
    try:
        return listen_address(value)
    except ValueError as exc:
        raise _refuse(str(exc)) from None


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


#: Stored as the "HH:MM" string (what existing callers parse); typed twins below.
ClockTime = Annotated[str, BeforeValidator(_clock_text), AfterValidator(_hh_mm)]
TimeZoneName = Annotated[str, AfterValidator(_iana_zone)]
ListenAddress = Annotated[str, AfterValidator(_listen_address)]
PositiveInt = Annotated[int, Field(gt=0)]
Seconds = Annotated[float, Field(gt=0)]


class AllClear(StrEnum):
    """What a digest with nothing due and nothing late does."""

    LINE = "line"  # send a one-line "all clear"
    SKIP = "skip"  # send nothing


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore",
                                      validate_default=True)

    #: SQLAlchemy URL. Default: a SQLite file under var/ (see the module docstring).
    database_url: Annotated[str, Field(min_length=1)] = Field(
        default_factory=lambda: f"sqlite:///{var_dir() / 'tracker.db'}")
    #: Folder with one holiday file per country/year (bd-2025.toml, ...).
    calendars_dir: Path = Field(default_factory=lambda: resource_dir("calendars"))
    #: Bundled reference data (geography, charters).
    data_dir: Path = Field(default_factory=lambda: resource_dir("data"))
    #: Years without a curated calendar file are forecast (provisional) this far out.
    forecast_years_before: Annotated[int, Field(ge=0)] = 2
    forecast_years_after: Annotated[int, Field(ge=0)] = 5
    #: Office closing time outside Ramadan (HH:MM, Asia/Dhaka); typed: ``closes_at``.
    closing_time: ClockTime = "17:00"
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "tracker@localhost"
    outbox_dir: Path = Field(default_factory=lambda: var_dir() / "outbox")
    #: Seconds to wait for the SMTP server before a send counts as failed.
    smtp_timeout: Seconds = 30.0
    #: Daily digests: local time (HH:MM) and IANA zone of the scheduler's morning run;
    #: typed: ``digests_at`` and ``digest_zone``.
    digest_time: ClockTime = "09:00"
    digest_timezone: TimeZoneName = "Asia/Dhaka"
    #: Nothing due and nothing late: send a one-line "all clear" ("line") or nothing ("skip").
    digest_all_clear: Annotated[AllClear, BeforeValidator(_lower)] = AllClear.LINE
    #: A run that starts this many seconds late (scheduler down at 09:00) still runs, once.
    digest_misfire_grace_seconds: PositiveInt = 8 * 3600
    #: Failed sends are retried after digest_retry_seconds, doubling, up to max attempts.
    digest_retry_seconds: PositiveInt = 300
    digest_max_attempts: PositiveInt = 5
    #: A claim older than this whose worker never finished is marked failed (outcome unknown).
    digest_lease_seconds: PositiveInt = 900
    #: Level of the tracker's own log lines (and the scheduler library's), see tracker.logs.
    log_level: Annotated[LogLevel, BeforeValidator(_upper)] = LogLevel.INFO
    #: Where `tracker dashboard` listens: this machine only by default. Another address (or
    #: 0.0.0.0, every interface) exposes it on the network: put a TLS proxy in front.
    dashboard_address: ListenAddress = "127.0.0.1"

    @property
    def closes_at(self) -> time:
        """``closing_time`` as a time of day."""
        return time.fromisoformat(self.closing_time)

    @property
    def digests_at(self) -> time:
        """``digest_time`` as a time of day."""
        return time.fromisoformat(self.digest_time)

    @property
    def digest_zone(self) -> ZoneInfo:
        """``digest_timezone`` as a zone."""
        return ZoneInfo(self.digest_timezone)


def describe(error: ValidationError) -> str:
    """One line naming each bad variable, the value given and what is expected."""
    problems = []
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else "?"
        variable = f"{ENV_PREFIX}{field.upper()}"
        given = item.get("input")
        if item["type"] == "tracker_setting":
            problems.append(f"{variable}: {given!r} {item['msg']}")
        else:
            problems.append(f"{variable}: {given!r} is not accepted ({item['msg']})")
    return "; ".join(problems)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests may call ``get_settings.cache_clear()``).

    Raises SettingsError (a TrackerError: the CLI prints one line, exit code 2)."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
