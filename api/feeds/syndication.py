"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of a `FeedContent`.

Every format carries the same items: the story's canonical URL as its link, its global id as
its id (`urn:broadsheet:<id>` where an IRI is required), headline, excerpt as summary, the
sanitized body HTML as content, byline, section and tags as categories, the lead picture, and
publication and update times. XML is built with ElementTree (escaping is never by hand), with
characters XML 1.0 forbids removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

import orjson

from api.feeds.content import FeedContent, FeedItem
from api.global_ids import global_id

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "Broadsheet"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

for _prefix, _uri in (("atom", ATOM), ("content", CONTENT), ("dc", DC), ("media", MEDIA)):
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class FeedLinks:
    """Where the feed lives (its self link) and the page it stands for, if any."""

    self_url: str
    home_url: str


def xml_text(value: str | None) -> str:
    """`value` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value or "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _xml(root: ET.Element) -> bytes:
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _item_id(item: FeedItem) -> str:
    return global_id("Article", item.article.id)


def _byline(item: FeedItem) -> list[str]:
    return [author.name for author in item.authors] or [item.source.name]


def _categories(item: FeedItem) -> list[str]:
    return list(dict.fromkeys([item.section.name, *(tag.name for tag in item.tags)]))


def _published(item: FeedItem) -> datetime:
    return item.article.published_at or item.article.created_at


def rss(feed: FeedContent, links: FeedLinks) -> bytes:
    """RSS 2.0 (with atom:link rel=self, content:encoded, dc:creator and media:content)."""
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", feed.title)
    _sub(channel, "link", links.home_url)
    _sub(channel, "description", f"The latest {len(feed.items)} stories. {feed.title}.")
    _sub(channel, f"{{{ATOM}}}link", href=links.self_url, rel="self", type="application/rss+xml")
    _sub(channel, "generator", GENERATOR)
    if feed.updated is not None:
        _sub(channel, "lastBuildDate", format_datetime(feed.updated.astimezone(UTC), usegmt=True))
    for item in feed.items:
        article = item.article
        entry = _sub(channel, "item")
        _sub(entry, "title", article.headline)
        _sub(entry, "link", article.url)
        _sub(entry, "guid", _item_id(item), isPermaLink="false")
        _sub(entry, "pubDate", format_datetime(_published(item).astimezone(UTC), usegmt=True))
        _sub(entry, "description", article.excerpt)
        _sub(entry, f"{{{CONTENT}}}encoded", item.body_html)
        for name in _byline(item):
            _sub(entry, f"{{{DC}}}creator", name)
        for category in _categories(item):
            _sub(entry, "category", category)
        if item.image is not None:
            media = _sub(entry, f"{{{MEDIA}}}content", url=item.image.url, medium="image")
            if item.image.caption:
                _sub(media, f"{{{MEDIA}}}description", item.image.caption)
    return _xml(root)


def atom(feed: FeedContent, links: FeedLinks) -> bytes:
    """Atom 1.0 (RFC 4287)."""
    root = ET.Element(f"{{{ATOM}}}feed")
    _sub(root, f"{{{ATOM}}}id", f"urn:broadsheet:feed:{feed.scope.value}:{_subject_key(feed)}")
    _sub(root, f"{{{ATOM}}}title", feed.title)
    updated = feed.updated or datetime.now(UTC)
    _sub(root, f"{{{ATOM}}}updated", updated.astimezone(UTC).isoformat())
    _sub(root, f"{{{ATOM}}}link", href=links.self_url, rel="self", type="application/atom+xml")
    _sub(root, f"{{{ATOM}}}link", href=links.home_url, rel="alternate")
    _sub(root, f"{{{ATOM}}}generator", GENERATOR)
    author = _sub(root, f"{{{ATOM}}}author")
    _sub(author, f"{{{ATOM}}}name", "Broadsheet")
    for item in feed.items:
        article = item.article
        entry = _sub(root, f"{{{ATOM}}}entry")
        _sub(entry, f"{{{ATOM}}}id", f"urn:broadsheet:{_item_id(item)}")
        _sub(entry, f"{{{ATOM}}}title", article.headline)
        _sub(entry, f"{{{ATOM}}}link", href=article.url, rel="alternate", type="text/html")
        _sub(entry, f"{{{ATOM}}}published", _published(item).astimezone(UTC).isoformat())
        _sub(entry, f"{{{ATOM}}}updated", article.updated_at.astimezone(UTC).isoformat())
        for name in _byline(item):
            _sub(_sub(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", name)
        for category in _categories(item):
            _sub(entry, f"{{{ATOM}}}category", term=category)
        _sub(entry, f"{{{ATOM}}}summary", article.excerpt, type="text")
        _sub(entry, f"{{{ATOM}}}content", item.body_html, type="html")
        if item.image is not None:
            _sub(entry, f"{{{ATOM}}}link", href=item.image.url, rel="enclosure")
    return _xml(root)


def json_feed(feed: FeedContent, links: FeedLinks) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items: list[dict[str, Any]] = []
    for item in feed.items:
        article = item.article
        entry: dict[str, Any] = {
            "id": _item_id(item),
            "url": article.url,
            "title": article.headline,
            "summary": article.excerpt,
            "content_html": item.body_html,
            "date_published": _published(item).astimezone(UTC).isoformat(),
            "date_modified": article.updated_at.astimezone(UTC).isoformat(),
            "authors": [{"name": name} for name in _byline(item)],
            "tags": _categories(item),
            "language": article.language,
        }
        if item.image is not None:
            entry["image"] = item.image.url
        items.append(entry)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": links.home_url,
        "feed_url": links.self_url,
        "description": f"The latest {len(feed.items)} stories.",
        "authors": [{"name": "Broadsheet"}],
        "items": items,
    }
    return orjson.dumps(document)


def _subject_key(feed: FeedContent) -> str:
    return getattr(feed.subject, "slug", "") or "all"
