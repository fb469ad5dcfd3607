"""Configuration, read from the environment only (never from files), with secrets masked."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a pooled connection."
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

    @property
    def is_production(self) -> bool:
        return self.broadsheet_env is Environment.PRODUCTION


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
