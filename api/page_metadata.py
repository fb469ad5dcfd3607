"""What a page showing a story needs in its head and share bar, decided once for every front end:
the canonical URL, share links, Open Graph and Twitter card tags, and schema.org NewsArticle
JSON-LD. Pure functions of an article and the rows around it (no SQL here).

The canonical URL is the story at its source: the network republishes partners' stories, so a
page that shows one credits the original (`rel=canonical`, `og:url`) and share links point there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlencode

import orjson

from api.models import Article, Author, Image, Section, Source, Tag
from api.queries.records import (
    ArticleRecord,
    AuthorRecord,
    ImageRecord,
    SectionRecord,
    SourceRecord,
    TagRecord,
)

# Google shows at most 110 characters of a NewsArticle headline.
JSON_LD_HEADLINE_MAX = 110


class ShareNetwork(StrEnum):
    FACEBOOK = "facebook"
    X = "x"
    LINKEDIN = "linkedin"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


@dataclass(frozen=True)
class ShareLink:
    network: ShareNetwork
    label: str
    url: str


@dataclass(frozen=True)
class MetaTag:
    """One `<meta>` element: `attribute` is "property" (Open Graph) or "name" (Twitter)."""

    attribute: str
    key: str
    content: str


@dataclass(frozen=True)
class StoryContext:
    """An article with the rows its page metadata mentions."""

    article: Article | ArticleRecord
    source: Source | SourceRecord
    section: Section | SectionRecord
    authors: Sequence[Author | AuthorRecord]
    tags: Sequence[Tag | TagRecord]
    image: Image | ImageRecord | None
    source_logo: Image | ImageRecord | None = None
    word_count: int = 0  # of the body, for JSON-LD


def canonical_url(article: Article | ArticleRecord) -> str:
    return article.url


def description_of(article: Article | ArticleRecord) -> str:
    """The one-sentence summary previews show: the standfirst, else the excerpt."""
    return article.dek or article.excerpt


def share_links(article: Article | ArticleRecord) -> list[ShareLink]:
    """Links that open each network's share dialog for the story's canonical URL."""
    url = canonical_url(article)
    headline = article.headline
    return [
        ShareLink(
            ShareNetwork.FACEBOOK,
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        ShareLink(
            ShareNetwork.X,
            "X",
            "https://x.com/intent/post?" + urlencode({"url": url, "text": headline}),
        ),
        ShareLink(
            ShareNetwork.LINKEDIN,
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink(
            ShareNetwork.WHATSAPP,
            "WhatsApp",
            "https://wa.me/?" + urlencode({"text": f"{headline} {url}"}),
        ),
        ShareLink(
            ShareNetwork.EMAIL,
            "E-mail",
            f"mailto:?subject={quote(headline)}&body={quote(url)}",
        ),
    ]


def _iso(story: StoryContext) -> tuple[str | None, str]:
    article = story.article
    published = article.published_at.isoformat() if article.published_at else None
    return published, article.updated_at.isoformat()


def meta_tags(story: StoryContext) -> list[MetaTag]:
    """Open Graph (`article` type) and Twitter card tags, in a sensible order."""
    article = story.article
    published, modified = _iso(story)
    description = description_of(article)

    def og(key: str, content: str) -> MetaTag:
        return MetaTag("property", key, content)

    def twitter(key: str, content: str) -> MetaTag:
        return MetaTag("name", key, content)

    tags = [
        og("og:type", "article"),
        og("og:title", article.headline),
        og("og:description", description),
        og("og:url", canonical_url(article)),
    ]
    image = story.image
    if image is not None:
        tags.append(og("og:image", image.url))
        if image.width and image.height:
            tags.append(og("og:image:width", str(image.width)))
            tags.append(og("og:image:height", str(image.height)))
        if image.caption:
            tags.append(og("og:image:alt", image.caption))
    if published:
        tags.append(og("article:published_time", published))
    tags += [
        og("article:modified_time", modified),
        og("article:section", story.section.name),
        *(og("article:author", author.name) for author in story.authors),
        *(og("article:tag", tag.name) for tag in story.tags),
        twitter("twitter:card", "summary_large_image" if image is not None else "summary"),
        twitter("twitter:title", article.headline),
        twitter("twitter:description", description),
    ]
    if image is not None:
        tags.append(twitter("twitter:image", image.url))
        if image.caption:
            tags.append(twitter("twitter:image:alt", image.caption))
    return tags


def _author_node(author: Author | AuthorRecord) -> dict[str, str]:
    return {"@type": "Organization" if author.is_organization else "Person", "name": author.name}


def news_article(story: StoryContext) -> dict[str, object]:
    """The schema.org NewsArticle for the story, as a JSON-LD object."""
    article, source = story.article, story.source
    published, modified = _iso(story)
    publisher: dict[str, object] = {"@type": "Organization", "name": source.name}
    if source.url:
        publisher["url"] = source.url
    if story.source_logo is not None:
        publisher["logo"] = {"@type": "ImageObject", "url": story.source_logo.url}
    authors = [_author_node(author) for author in story.authors] or [
        {"@type": "Organization", "name": source.name}
    ]
    document: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:JSON_LD_HEADLINE_MAX],
        "description": description_of(article),
        "url": canonical_url(article),
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url(article)},
        "dateModified": modified,
        "inLanguage": article.language,
        "articleSection": story.section.name,
        "keywords": [tag.name for tag in story.tags],
        "author": authors,
        "publisher": publisher,
        "wordCount": story.word_count,
    }
    if published:
        document["datePublished"] = published
    if story.image is not None:
        document["image"] = [story.image.url]
    return document


def json_ld(story: StoryContext) -> str:
    """`news_article` serialised for a `<script type="application/ld+json">` element as is:
    `<`, `>` and `&` are escaped, so no text in a story can close the script."""
    encoded = orjson.dumps(news_article(story)).decode()
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
