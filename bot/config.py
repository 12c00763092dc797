"""One typed settings object: environment variables (GRIDBOT_*) and an optional .env file."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///gridbot.db"
SAMPLE_DISTRICT = Path(__file__).resolve().parent.parent / "data" / "sample_district.geojson"
SAMPLE_PEOPLE = Path(__file__).resolve().parent.parent / "data" / "sample_people.csv"
# The key a demo (or a command run without GRIDBOT_SECRET_KEY) signs and hashes with. It is in
# the source, so it guards nothing: `gridbot run` refuses it.
DEMO_SECRET_KEY = "gridbot-demo-key-public-never-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDBOT_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    media_dir: Path = Path("media")
    # Signs media links (and anything else the web side signs). `gridbot run` refuses to start
    # without it: workers behind one proxy must share it. The demo makes one per start.
    secret_key: SecretStr | None = None
    media_link_seconds: int = 3600                        # how long a signed media link works
    # The staff console: a /console link works this long, once; the session it opens this long.
    console_link_minutes: int = Field(default=10, ge=1, le=60)
    console_session_hours: int = Field(default=8, ge=1, le=24)
    # Invites: one-time codes, stored hashed, that bind staff to a grid.
    invite_ttl_hours: int = 72
    public_base_url: str = "http://127.0.0.1:8080"
    telegram_bot_username: str | None = None
    # The operator: a staff code from the roster (import-people). Orders whose grid chain has no
    # leader or dispatcher up to the street go to this person, with their clocks.
    operator: str | None = None
    # The language the bot speaks: zh-CN is handlers/texts.py; another is one more module with
    # the same names, handlers/texts_<language>.py (docs/catalogue.md).
    language: str = "zh-CN"
    # Address matching: candidates scoring below this are not offered.
    address_min_score: float = 60.0

    # Days after an order closes before its reporter's identity and contact are anonymised.
    retention_days: int = Field(default=180, ge=1)
    # The most messages one transaction of the chat takes (group commit; 1 turns it off).
    # See docs/engine.md for what it buys, measured.
    chat_batch: int = Field(default=128, ge=1, le=1000)

    # 议事 (docs/domain.md): the supports a resident's 议题 needs to reach its level's agenda
    # (a micro-grid's counts as its grid's; a county with none set is reached by 上移 or a
    # leader), the days at a level before 议题上移, the share of the time to a decision's
    # deadline when its owner is reminded (监督), and the days of 评议 before it closes.
    agenda_support_grid: int = Field(default=10, ge=1)
    agenda_support_community: int = Field(default=30, ge=1)
    agenda_support_street: int = Field(default=100, ge=1)
    agenda_support_county: int | None = Field(default=None, ge=1)
    agenda_settle_days: int = Field(default=30, ge=1, le=365)
    agenda_remind_at: float = Field(default=0.8, gt=0, lt=1)
    agenda_rating_days: int = Field(default=7, ge=1, le=90)

    # The scheduler: how often each sweep looks for due clocks.
    sweep_interval_seconds: float = 60.0

    # The web side: web chat, webhooks, echo wall.
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # Who may scrape /metrics: addresses or networks, by the connection's peer; others get 404.
    metrics_from: str = "127.0.0.1,::1"

    # Telegram: a channel is on when its token is set.
    telegram_token: str | None = None
    telegram_library: Literal["ptb", "aiogram"] = "ptb"   # the faster one: bench/README.md
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: str | None = None
    telegram_webhook_url: str | None = None               # the public URL Telegram posts to
    # How many `gridbot run` workers send for this bot: each keeps to its share of Telegram's
    # 30 messages/s (README, Deployment).
    telegram_workers: int = Field(default=1, ge=1, le=64)
    echo_wall_telegram_chat: str | None = None            # 回音壁 channel's chat id (e.g. -100…)
    echo_wall_wecom_robot: str | None = None              # 回音壁 WeCom group robot key or URL
    digest_at: str = "mon 09:00"                          # weekly digest: weekday and Shanghai time

    # WeChat Official Account (公众号), residents and couriers: on when the app id is set.
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_token: str | None = None                       # the callback's signing token
    wechat_aes_key: str | None = None                     # EncodingAESKey (43 chars): safe mode
    wechat_api_url: str = "https://api.weixin.qq.com"
    wechat_reply_budget: float = 4.0                      # s to wait for a passive reply (< 5 s)
    wechat_max_skew: int = 300                            # s; an older callback is refused
    wechat_window_hours: int = 48                         # customer-service window after a message
    wechat_window_messages: int = 5                       # customer-service messages per window
    wechat_template_id: str | None = None                 # sends through a closed window when set
    wechat_echo_wall_url: str | None = None               # the 回音壁 menu link (default: /wall)

    # WeCom (企业微信), grid staff: on when the corp id is set.
    wecom_corpid: str | None = None
    wecom_agentid: int | None = None
    wecom_secret: str | None = None
    wecom_token: str | None = None
    wecom_aes_key: str | None = None
    wecom_api_url: str = "https://qyapi.weixin.qq.com"
    wecom_reply_budget: float = 4.0
    wecom_per_minute: int = 30                            # application messages per member
    wecom_per_hour: int = 1000
    # Group robots post by webhook (outbox channel "wecom_robot", address = the robot's key);
    # which robot gets what is said where it is used (echo_wall_wecom_robot).
    wecom_robot_url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"


    @property
    def invite_key(self) -> bytes:
        """What invite codes are hashed under: the secret key, else the demo's."""
        key = self.secret_key.get_secret_value() if self.secret_key else DEMO_SECRET_KEY
        return key.encode()


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
