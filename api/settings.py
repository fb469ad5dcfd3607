"""Configuration, read from the environment only (never from files), with secrets masked."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.1, 10.1.0.0/16, ::1` -> networks; raises ValueError naming a bad entry."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return tuple(networks)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob Broadsheet has. Names map to environment variables (see README)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql+asyncpg:// URL; unset means the embedded PostgreSQL.",
    )
    database_read_url: SecretStr | None = Field(
        default=None, description="Optional read replica for read-only queries."
    )
    redis_url: SecretStr | None = Field(
        default=None, description="Optional Redis for state shared across replicas."
    )
    broadsheet_secret_key: SecretStr | None = Field(
        default=None, description="Signs pagination cursors; derived from DATABASE_URL when unset."
    )
    broadsheet_env: Environment = Environment.DEVELOPMENT
    # Connections are kept, not overflowed: SQLAlchemy closes an overflow connection as soon as
    # it is returned, so a load between the pool size and the cap would connect and disconnect
    # (a PostgreSQL backend each time, and every statement prepared afresh) all the time.
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_max_overflow: int = Field(default=0, ge=0, le=200)
    db_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a pooled connection."
    )
    broadsheet_admission_capacity: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Requests served at once; the rest queue (default: pool size + overflow).",
    )
    broadsheet_admission_queue: int = Field(
        default=1_000, ge=0, description="Most requests waiting for a slot; more get 503."
    )
    broadsheet_admission_timeout: float = Field(
        default=5.0, gt=0, description="Longest wait for a slot (s) before 503 + Retry-After."
    )
    db_statement_timeout_ms: int = Field(
        default=5000, ge=0, description="PostgreSQL statement_timeout."
    )
    broadsheet_data_dir: str | None = Field(
        default=None, description="Where the embedded PostgreSQL keeps its data."
    )
    broadsheet_require_key: bool = Field(
        default=False, description="Refuse requests without an API key (anonymous reads off)."
    )
    broadsheet_rate_limit_anonymous: int = Field(
        default=120, ge=1, description="Requests per minute per client IP without a key."
    )
    broadsheet_rate_limit_key: int = Field(
        default=600, ge=1, description="Requests per minute for a key with no limit of its own."
    )
    broadsheet_rate_limit_signup: int = Field(
        default=5, ge=1, description="Newsletter sign-ups per minute per client IP."
    )
    broadsheet_redis_prefix: str = Field(
        default="broadsheet:", description="Prefix of every Redis key Broadsheet writes."
    )
    # GraphQL over HTTP: abuse limits (schema/limits.py, api/http.py).
    broadsheet_max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body; larger is 413."
    )
    broadsheet_max_query_length: int = Field(
        default=50_000, ge=100, description="Most characters in a GraphQL document."
    )
    broadsheet_max_tokens: int = Field(
        default=5_000, ge=100, description="Most lexical tokens in a GraphQL document."
    )
    broadsheet_max_depth: int = Field(
        default=20, ge=2, description="Deepest field nesting (the introspection query needs 15)."
    )
    broadsheet_max_aliases: int = Field(default=50, ge=0, description="Most aliased fields.")
    broadsheet_max_cost: int = Field(
        default=20_000, ge=1, description="Highest estimated cost (objects) of one query."
    )
    broadsheet_cost_budget_anonymous: int = Field(
        default=100_000, ge=1, description="Query cost per minute per client IP without a key."
    )
    broadsheet_cost_budget_key: int = Field(
        default=1_000_000, ge=1, description="Query cost per minute per API key."
    )
    broadsheet_planned_execution: bool = Field(
        default=True,
        description="Answer queries from cached plans, level by level (schema/planned/); off: "
        "graphql-core resolves every field (identical answers, slower).",
    )
    broadsheet_introspection: bool = Field(
        default=True, description="Answer introspection (partners generate clients from it)."
    )
    # Persisted queries (api/persisted.py).
    broadsheet_persisted_only: bool = Field(
        default=False, description="Run only registered (trusted) documents."
    )
    broadsheet_persisted_queries_file: str | None = Field(
        default=None, description="JSON manifest of trusted documents, loaded at start."
    )
    # HTTP caching (api/http_cache.py).
    broadsheet_cache_max_age: int = Field(default=30, ge=0, description="Browsers' max-age (s).")
    broadsheet_cache_s_maxage: int = Field(default=60, ge=0, description="CDNs' s-maxage (s).")
    broadsheet_cache_stale_while_revalidate: int = Field(
        default=60, ge=0, description="stale-while-revalidate (s)."
    )
    broadsheet_response_cache: bool = Field(
        default=False, description="Cache public responses in Redis or in-process."
    )
    broadsheet_response_cache_ttl: int = Field(
        default=60, ge=1, description="Longest a server-cached response is served (s)."
    )
    broadsheet_cors_origins: str = Field(
        default="", description="Comma-separated origins allowed by CORS; `*` for any."
    )
    # Verified API keys kept in memory (api/access/key_cache.py).
    broadsheet_key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long a verified API key is answered from memory (0: looked up on every "
        "request). Revocation reaches every process at once (LISTEN/NOTIFY), whatever this is.",
    )
    # Live updates (api/fanout.py, api/http/live.py).
    broadsheet_live_max_subscriptions: int = Field(
        default=20,
        ge=1,
        description="Open subscriptions per key (or anonymous address) per process.",
    )
    # The read replica (api/replica.py).
    database_read_wait_ms: int = Field(
        default=500,
        ge=0,
        description="How long a read waits for the replica to replay the caller's last write "
        "before it goes to the primary instead.",
    )
    broadsheet_read_your_writes_seconds: int = Field(
        default=30, ge=1, description="How long a caller's last write is remembered."
    )
    database_read_retry_seconds: float = Field(
        default=2.0, gt=0, description="After a replica failure, reads use the primary this long."
    )
    # Operations (api/logs.py, api/http/tracing.py, `broadsheet serve`).
    broadsheet_log_format: Literal["json", "text"] = Field(
        default="json", description="Log lines as JSON objects, or as text for a terminal."
    )
    broadsheet_log_level: str = Field(default="INFO", description="Level of Broadsheet's logs.")
    # Garbage collection in a server process (api/heap.py).
    broadsheet_gc_freeze: bool = Field(
        default=True,
        description="After start-up, freeze the heap out of garbage collection (shorter pauses).",
    )
    broadsheet_gc_gen0_threshold: int = Field(
        default=10_000,
        ge=0,
        description="Allocations between young-generation collections (0: Python's default).",
    )
    broadsheet_shutdown_timeout_seconds: int = Field(
        default=20, ge=1, description="On SIGTERM, how long in-flight requests may finish."
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, description="OpenTelemetry collector (OTLP/HTTP); set: traces are sent."
    )
    broadsheet_trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of proxies whose X-Forwarded-For "
        "is believed (none by default: the peer address is the client).",
    )

    # The reader site and outgoing mail.
    broadsheet_reader_api_key: SecretStr | None = Field(
        default=None,
        description="A content:read key `broadsheet reader` sends, for a rate limit of its own.",
    )
    broadsheet_site_url: str = Field(
        default="http://127.0.0.1:8001",
        description="Public URL of the reader site: mail links (confirm, unsubscribe, web view).",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465; "
        "unset: mail is written to BROADSHEET_OUTBOX_DIR instead of sent.",
    )
    broadsheet_mail_from: str = Field(
        default="Eastern Briefings <briefings@broadsheet.example>",
        description="The From header of every mail.",
    )
    broadsheet_outbox_dir: str | None = Field(
        default=None,
        description="Where mail goes without SMTP_URL (.eml files); default <data dir>/outbox.",
    )
    # Background work (api/jobs): the outbox worker, in `broadsheet worker` or inside `serve`.
    broadsheet_worker_in_serve: bool = Field(
        default=False, description="Run a background worker inside every `serve` process."
    )
    broadsheet_worker_concurrency: int = Field(
        default=8, ge=1, le=200, description="Jobs one worker runs at once."
    )
    broadsheet_worker_poll_seconds: float = Field(
        default=2.0, gt=0, le=300, description="Longest a worker waits before looking for due jobs."
    )
    broadsheet_job_lease_seconds: int = Field(
        default=300, ge=10, description="A claimed job's lease; a job may run this long at most."
    )
    broadsheet_job_retention_hours: int = Field(
        default=168, ge=1, description="How long finished jobs are kept for inspection."
    )
    # Partners: outbound requests, webhooks, sync and feeds.
    broadsheet_allow_private_targets: bool = Field(
        default=False,
        description="Let webhooks and feed polling reach loopback, private and link-local "
        "addresses over plain http (tests, on-premises receivers). Off: https to public "
        "addresses only.",
    )
    broadsheet_webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Longest one webhook delivery attempt may take."
    )
    broadsheet_webhook_failing_after: int = Field(
        default=5, ge=1, description="Consecutive failed attempts that mark an endpoint failing."
    )
    broadsheet_sync_retention_days: int = Field(
        default=30, ge=1, description="How long the change log (and so a sync token) lasts."
    )
    broadsheet_public_url: str | None = Field(
        default=None,
        description="The API's public base URL for feed self-links; else the request's own.",
    )
    broadsheet_ingest_max_bytes: int = Field(
        default=5_000_000, ge=1024, description="Largest feed `ingest` reads."
    )
    broadsheet_ingest_timeout_seconds: float = Field(
        default=20.0, gt=0, le=300, description="Longest fetching one feed may take."
    )
    broadsheet_feed_poll_minutes: int = Field(
        default=15, ge=1, description="How often configured source feeds are polled."
    )

    @model_validator(mode="after")
    def _budgets_fit_a_query(self) -> Settings:
        for name in ("broadsheet_cost_budget_anonymous", "broadsheet_cost_budget_key"):
            if getattr(self, name) < self.broadsheet_max_cost:
                raise ValueError(f"{name.upper()} must be at least BROADSHEET_MAX_COST")
        return self

    @field_validator("broadsheet_trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_proxies(self) -> tuple[Network, ...]:
        return parse_networks(self.broadsheet_trusted_proxies)

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.broadsheet_cors_origins.split(",") if o.strip()]

    @property
    def is_production(self) -> bool:
        return self.broadsheet_env is Environment.PRODUCTION


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
