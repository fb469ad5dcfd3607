"""Rendering pages: the Jinja2 environment, its filters, and the response headers every page has.

Story HTML from the API is sanitised by the API already; the reader cleans it again (nh3) with
its own short allowlist, so a page is safe whatever an API answers.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3
import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from reader.config import ReaderConfig
from reader.documents import BROWSER_DOCUMENTS

TEMPLATES = Path(__file__).parent / "templates"
BODY_TAGS = {
    "p", "a", "blockquote", "em", "strong", "i", "b", "ul", "ol", "li", "h2", "h3", "h4",
    "figure", "figcaption", "br", "q", "cite", "sub", "sup",
}  # fmt: skip


def long_date(value: str | None) -> str:
    """ "August 30, 2018", as the seed page prints dates (in UTC, like the API's timestamps)."""
    if not value:
        return ""
    day = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value).date()
    return f"{day:%B} {day.day}, {day.year}"


def iso_date(value: str | None) -> str:
    if not value:
        return ""
    return value[:10]


def story_html(html: str | None) -> Markup:
    """A story body, cleaned again with the reader's own allowlist."""
    cleaned = nh3.clean(html or "", tags=BODY_TAGS, attributes={"a": {"href", "title"}})
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


def highlighted(html: str | None) -> Markup:
    """A search passage: text, with only <mark> kept."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))  # noqa: S704 - cleaned


def json_ld(text: str | None) -> Markup:
    """JSON-LD from the API, parsed and written again so nothing in it can close the script."""
    try:
        value = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        value = {}
    return Markup(_script_safe_json(value))  # noqa: S704 - <, > and & escaped


def story_path(article: dict[str, Any]) -> str:
    return f"/stories/{article['source']['slug']}/{article['slug']}"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Pages:
    """Renders templates into responses with the reader's headers (CSP, caching)."""

    def __init__(self, config: ReaderConfig) -> None:
        self.config = config
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            long_date=long_date,
            iso_date=iso_date,
            story_html=story_html,
            highlighted=highlighted,
            json_ld=json_ld,
        )
        self.env.globals.update(
            site_name=config.site_name,
            story_path=story_path,
            browser_config=Markup(  # noqa: S704 - JSON with <, >, & escaped, for a data block
                _script_safe_json(
                    {
                        "api": config.public_api_url,
                        "newsletter": config.newsletter,
                        "documents": {
                            d.name: {"hash": d.sha256, "query": d.text} for d in BROWSER_DOCUMENTS
                        },
                    }
                )
            ),
        )
        api_origin = origin_of(config.public_api_url)
        self.headers = {
            # Scripts and styles only from the reader; the API is the only other place a page
            # talks to. JSON data blocks (JSON-LD, the scripts' settings) are not scripts.
            "Content-Security-Policy": (
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"connect-src 'self' {api_origin}; form-action 'self'; base-uri 'none'; "
                "frame-ancestors 'none'; object-src 'none'"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }

    def render(
        self,
        template: str,
        status_code: int = 200,
        *,
        cache_seconds: int = 30,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        body = self.env.get_template(template).render(**context)
        cache = f"public, max-age={cache_seconds}" if cache_seconds else "no-store"
        return HTMLResponse(
            body,
            status_code=status_code,
            headers={**self.headers, "Cache-Control": cache, **(headers or {})},
        )


def _script_safe_json(value: object) -> str:
    encoded = orjson.dumps(value).decode()
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
