"""The reader's configuration: where the API is, for the server and for browsers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReaderConfig:
    """What one reader site needs to know.

    `api_url` is the GraphQL endpoint the reader's server calls; `browser_api_url` the one
    scripts in readers' browsers call (the same unless the server reaches the API by an internal
    address). The API must allow the reader's origin (BROADSHEET_CORS_ORIGINS).
    """

    api_url: str
    browser_api_url: str | None = None
    site_name: str = "Broadsheet"
    newsletter: str = "eastern-briefings"  # the newsletter the sign-up box offers
    timeout_seconds: float = 5.0
    api_key: str | None = None  # a content:read key: the site's own rate limit, not per IP

    @property
    def public_api_url(self) -> str:
        return self.browser_api_url or self.api_url
