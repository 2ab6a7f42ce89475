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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests may call ``get_settings.cache_clear()``)."""
    return Settings()
