"""One typed settings object: environment variables (GRIDBOT_*) and an optional .env file."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///gridbot.db"
SAMPLE_DISTRICT = Path(__file__).resolve().parent.parent / "data" / "sample_district.geojson"
SAMPLE_PEOPLE = Path(__file__).resolve().parent.parent / "data" / "sample_people.csv"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDBOT_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"
    media_dir: Path = Path("media")
    # Invites: one-time codes, stored hashed, that bind staff to a grid.
    invite_ttl_hours: int = 72
    public_base_url: str = "http://127.0.0.1:8080"
    telegram_bot_username: str | None = None
    # Address matching: candidates scoring below this are not offered.
    address_min_score: float = 60.0

    # The web side: web chat, webhooks, echo wall.
    web_host: str = "127.0.0.1"
    web_port: int = 8080

    # Telegram: a channel is on when its token is set.
    telegram_token: str | None = None
    telegram_library: Literal["ptb", "aiogram"] = "aiogram"   # the faster one: bench/README.md
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: str | None = None
    telegram_webhook_url: str | None = None               # the public URL Telegram posts to


def load_settings(**overrides) -> Settings:
    return Settings(**overrides)
