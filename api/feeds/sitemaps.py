"""Sitemaps: a Google News sitemap of the last 48 hours, and an index of every story by month.

The URLs are the stories' canonical URLs at their sources (Broadsheet is headless): a front end
serving these files from its own host, or a source verifying the sitemap in Search Console,
makes them eligible. Each monthly sitemap holds at most 50,000 URLs; a busier month is split
into `?page=2`, `?page=3`, ... in the index.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from api.feeds.content import SITEMAP_MAX, MonthSummary, NewsEntry
from api.feeds.syndication import xml_text

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
ET.register_namespace("news", NEWS)


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element


def _xml(root: ET.Element) -> bytes:
    return bytes(
        ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=SITEMAP)
    )


def news_language(tag: str) -> str:
    """Google News wants ISO 639 codes, and zh-cn / zh-tw for Chinese scripts."""
    lowered = tag.lower()
    if lowered.startswith("zh"):
        return "zh-tw" if ("hant" in lowered or lowered.endswith(("-tw", "-hk"))) else "zh-cn"
    return lowered.split("-", 1)[0]


def news_sitemap(entries: list[NewsEntry]) -> bytes:
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for entry in entries:
        article = entry.article
        assert article.published_at is not None
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        _sub(url, f"{{{SITEMAP}}}loc", article.url)
        news = ET.SubElement(url, f"{{{NEWS}}}news")
        publication = ET.SubElement(news, f"{{{NEWS}}}publication")
        _sub(publication, f"{{{NEWS}}}name", entry.source.name)
        _sub(publication, f"{{{NEWS}}}language", news_language(article.language))
        _sub(news, f"{{{NEWS}}}publication_date", article.published_at.astimezone(UTC).isoformat())
        _sub(news, f"{{{NEWS}}}title", article.headline)
    return _xml(root)


def month_path(summary: MonthSummary, page: int) -> str:
    path = f"/sitemaps/articles-{summary.year:04d}-{summary.month:02d}.xml"
    return path if page == 1 else f"{path}?page={page}"


def sitemap_index(base_url: str, months: list[MonthSummary]) -> bytes:
    root = ET.Element(f"{{{SITEMAP}}}sitemapindex")
    entry = ET.SubElement(root, f"{{{SITEMAP}}}sitemap")
    _sub(entry, f"{{{SITEMAP}}}loc", f"{base_url}/sitemaps/news.xml")
    for summary in months:
        pages = max(1, -(-summary.stories // SITEMAP_MAX))
        for page in range(1, pages + 1):
            entry = ET.SubElement(root, f"{{{SITEMAP}}}sitemap")
            _sub(entry, f"{{{SITEMAP}}}loc", base_url + month_path(summary, page))
            _sub(entry, f"{{{SITEMAP}}}lastmod", summary.last_modified.astimezone(UTC).isoformat())
    return _xml(root)


def url_sitemap(urls: list[tuple[str, datetime]]) -> bytes:
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for location, modified in urls:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        _sub(url, f"{{{SITEMAP}}}loc", location)
        _sub(url, f"{{{SITEMAP}}}lastmod", modified.astimezone(UTC).isoformat())
    return _xml(root)
