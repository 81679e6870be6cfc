"""Settings, loaded once from the environment (and a `.env` file) into a typed object."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable; see the README for each variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{Path.cwd() / 'onestop.db'}")
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 3.0
    nlu_threshold: float = 0.4
    default_language: str = "en"

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"

    office_hours: str = "mon-fri 09:00-17:00"
    handoff_escalate_minutes: float = 10.0
    telegram_officers_chat_id: int | None = None
    officer_session_hours: float = 12.0
    reminder_interval_seconds: float = 20.0
    rate_per_address_per_minute: float = 300.0
    rate_per_conversation_per_minute: float = 30.0
    retention_days: int = 365

    log_level: str = "INFO"
    log_json: bool = True

    @property
    def async_database_url(self) -> str:
        """The URL with an async driver, whatever form the operator wrote it in."""
        url = self.database_url
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url
