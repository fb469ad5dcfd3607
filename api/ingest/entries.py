"""From a parsed feed to article input: one `Entry` per feed entry, or the reason it is skipped.

Feeds are parsed with feedparser (RSS 0.9x-2.0, RSS 1.0, Atom), from bytes only, so it never
fetches anything itself; it works out the character encoding (HTTP header, XML declaration,
byte order mark, then fallbacks) and reads not-well-formed XML leniently, which the summary
reports. Each entry becomes the same `ArticleData` the write API takes, so sanitising and
validation are the API's own (api/services/articles.py):

- external id: the entry's id/guid, else its link (hashed when over 200 characters);
- headline: the title as text; body: the full content, else the summary (HTML);
- dek: the summary as text, when there is full content too;
- tags: the entry's categories; authors: names that match an author of the network;
- picture: Media RSS content or thumbnail, or an image enclosure;
- publication time: published, else updated, else the time of the import.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
import orjson

from api.content import html_to_text, make_excerpt, sanitize_html
from api.services.article_images import ImageData
from api.services.articles import DEK_MAX, EXTERNAL_ID_MAX, ArticleData
from api.services.validation import Problems

MAX_ENTRIES = 500
MAX_TAGS = 30
TAG_MAX = 200


@dataclass(frozen=True)
class Entry:
    """One feed entry as article input, with when it was published and what it looked like."""

    external_id: str
    title: str
    author_names: tuple[str, ...]
    article: ArticleData
    published_at: datetime | None

    @property
    def digest(self) -> str:
        """Changes whenever anything imported from the entry changes."""
        material = {
            "article": asdict(self.article),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "authors": self.author_names,
        }
        return hashlib.sha256(orjson.dumps(material, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True)
class Skipped:
    label: str  # the entry's id or title, to find it in the feed
    reason: str


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[Entry | Skipped]
    warning: str | None  # e.g. not well-formed XML, read leniently


class NotAFeed(Exception):
    """Nothing in the body could be read as a feed."""


def _text(html_or_text: str | None) -> str:
    return html_to_text(sanitize_html(html_or_text or "")).strip()


def _external_id(entry: Any) -> str | None:
    value = (entry.get("id") or entry.get("link") or "").strip()
    if not value:
        return None
    if len(value) > EXTERNAL_ID_MAX:
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return str(value)


def _published(entry: Any) -> datetime | None:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if moment is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(moment), UTC)


def _image(entry: Any) -> ImageData | None:
    candidates: list[dict[str, Any]] = []
    candidates += [m for m in entry.get("media_content", []) if _is_image(m)]
    candidates += list(entry.get("media_thumbnail", []))
    candidates += [{"url": e.get("href")} for e in entry.get("enclosures", []) if _is_image(e)]
    for candidate in candidates:
        url = candidate.get("url")
        if url:
            return ImageData(
                url=str(url),
                caption=_text(entry.get("media_description")) or None,
                credit=_text(_credit(entry)) or None,
                width=_size(candidate.get("width")),
                height=_size(candidate.get("height")),
            )
    return None


def _credit(entry: Any) -> str | None:
    credit = entry.get("media_credit")
    if isinstance(credit, list) and credit:
        return str(credit[0].get("content", "")) or None
    return None


def _is_image(media: Any) -> bool:
    kind = str(media.get("type", "") or "")
    return kind.startswith("image/") or media.get("medium") == "image"


def _size(value: Any) -> int | None:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return None
    return size if size > 0 else None


def _language(feed: Any) -> str | None:
    language = feed.get("feed", {}).get("language")
    if not language:
        return None
    return Problems().language((), str(language))


def to_entry(entry: Any, source: str, section: str, language: str | None) -> Entry | Skipped:
    """An entry as article input, or why it cannot be imported."""
    external_id = _external_id(entry)
    title = _text(entry.get("title"))
    label = external_id or title or "(an entry with no id, link or title)"
    if external_id is None:
        return Skipped(label, "no id, guid or link to recognise it by")
    if not title:
        return Skipped(label, "no title")
    contents = entry.get("content") or []
    summary = entry.get("summary")
    body = contents[0].get("value") if contents else summary
    dek = None
    if contents and summary:
        dek = make_excerpt(_text(summary), DEK_MAX) or None
    tags = [
        str(tag.get("term")).strip()
        for tag in entry.get("tags", [])
        if tag.get("term") and len(str(tag.get("term")).strip()) <= TAG_MAX
    ]
    article = ArticleData(
        source=source,
        section=section,
        headline=title,
        body=body or "",
        dek=dek,
        url=entry.get("link") or None,
        tags=list(dict.fromkeys(tags))[:MAX_TAGS],
        language=language,
        external_id=external_id,
        image=_image(entry),
    )
    names = tuple(
        str(author.get("name")).strip() for author in entry.get("authors", []) if author.get("name")
    )
    return Entry(external_id, title, names, article, _published(entry))


def parse_feed(body: bytes, content_type: str | None, source: str, section: str) -> ParsedFeed:
    """Every entry of the feed in `body`, in feed order, or NotAFeed."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers)
    warning = None
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if not parsed.entries:
            raise NotAFeed(f"not a readable RSS or Atom feed ({problem})")
        warning = f"the feed is not well-formed ({problem}); entries were read leniently"
    language = _language(parsed)
    entries: list[Entry | Skipped] = []
    for index, raw in enumerate(_entries(parsed)):
        if index >= MAX_ENTRIES:
            entries.append(Skipped(f"entry {index + 1}", f"over the {MAX_ENTRIES}-entry limit"))
            break
        entries.append(to_entry(raw, source, section, language))
    return ParsedFeed(entries, warning)


def _entries(parsed: Any) -> Iterator[Any]:
    yield from parsed.entries
