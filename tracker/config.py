"""One Settings object for the whole tracker. Nothing else reads os.environ.

Every setting comes from an environment variable prefixed ``TRACKER_`` (or a ``.env`` file).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", env_file=".env", extra="ignore")

    #: SQLAlchemy URL. Default: a SQLite file under var/.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    #: Folder with one holiday file per country/year (bd-2025.toml, ...).
    calendars_dir: Path = PROJECT_ROOT / "calendars"
    #: Bundled reference data (geography, charters).
    data_dir: Path = PROJECT_ROOT / "data"
    #: Years without a curated calendar file are forecast (provisional) this far out.
    forecast_years_before: int = 2
    forecast_years_after: int = 5
    #: Office closing time outside Ramadan (HH:MM, Asia/Dhaka).
    closing_time: str = "17:00"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "tracker@localhost"
    outbox_dir: Path = PROJECT_ROOT / "var" / "outbox"
    #: Seconds to wait for the SMTP server before a send counts as failed.
    smtp_timeout: float = 30.0
    #: Daily digests: local time (HH:MM) and zone of the scheduler's morning run.
    digest_time: str = "09:00"
    digest_timezone: str = "Asia/Dhaka"
    #: Nothing due and nothing late: send a one-line "all clear" ("line") or nothing ("skip").
    digest_all_clear: str = "line"
    #: A run that starts this many seconds late (scheduler down at 09:00) still runs, once.
    digest_misfire_grace_seconds: int = 8 * 3600
    #: Failed sends are retried after digest_retry_seconds, doubling, up to max attempts.
    digest_retry_seconds: int = 300
    digest_max_attempts: int = 5
    #: A claim older than this whose worker never finished is marked failed (outcome unknown).
    digest_lease_seconds: int = 900


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests may call ``get_settings.cache_clear()``)."""
    return Settings()
