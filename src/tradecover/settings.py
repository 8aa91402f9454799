"""Settings from `TRADECOVER_*` environment variables (and a `.env` file in the working folder)."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the platform keeps its data, how it signs sessions, where it listens."""

    model_config = SettingsConfigDict(env_prefix="TRADECOVER_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./tradecover.db",
        description="SQLAlchemy URL: the SQLite file by default, postgresql+psycopg://… in production",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session cookies; generated and kept in secret_key_file when not given",
    )
    secret_key_file: Path = Field(
        default=Path(".tradecover-secret"),
        description="Where a generated secret key is kept between runs",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on")
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set when served over HTTPS)"
    )
    risk_scheduler: str | None = Field(
        default=None,
        description="Dask scheduler (tcp://HOST:8786) for risk runs' Monte Carlo; in process when unset",
    )
    daily_tick: bool = Field(
        default=True,
        description=(
            "Run `tradecover tick` (overdue, deadline, date-of-loss and service-level alerts) once a day "
            "inside the server; set false where a cron job runs the command instead"
        ),
    )
    today: dt.date | None = Field(
        default=None,
        description=(
            "The platform's date (YYYY-MM-DD) for a demo or a rehearsal: deadlines, overdues and claims "
            "are judged on it; the machine's date when unset"
        ),
    )

    def resolved_secret_key(self) -> str:
        """The secret key: the configured one, else the stored one, else a new one stored now."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.secret_key_file
        if path.exists():
            stored = path.read_text(encoding="utf-8").strip()
            if stored:
                return stored
        key = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(key + "\n", encoding="utf-8")
        return key


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
