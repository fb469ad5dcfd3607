"""Where mail links lead: pages of the reader site (BROADSHEET_SITE_URL).

A front end that replaces the reference reader serves the same paths: `/newsletters/confirm`
and `/newsletters/unsubscribe` (GET shows a button that POSTs the token; unsubscribe also takes
RFC 8058 one-click POSTs), `/newsletters/<slug>/<date>` (an issue's web view) and
`/stories/<source>/<slug>` (a story).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class SiteLinks:
    site_url: str

    @property
    def base(self) -> str:
        return self.site_url.rstrip("/")

    def confirm(self, token: str) -> str:
        return f"{self.base}/newsletters/confirm?{urlencode({'token': token})}"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base}/newsletters/unsubscribe?{urlencode({'token': token})}"

    def issue(self, newsletter_slug: str, day: date) -> str:
        return f"{self.base}/newsletters/{quote(newsletter_slug)}/{day.isoformat()}"

    def story(self, source_slug: str, slug: str) -> str:
        return f"{self.base}/stories/{quote(source_slug)}/{quote(slug)}"

    def privacy(self) -> str:
        return f"{self.base}/privacy"
