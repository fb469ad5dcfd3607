"""Article fields for a page's head and share bar: canonical URL, share links, Open Graph and
Twitter card tags, schema.org NewsArticle JSON-LD (built by api/page_metadata.py).

Every row they read comes through the request's loaders, so a page of stories asking for them
costs no extra statement per story; the rows read are noted in the response's purge tags.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import strawberry

from api import models, page_metadata
from api.page_metadata import ShareNetwork, StoryContext
from schema.context import Info

strawberry.enum(ShareNetwork, description="Where a share link posts the story.")


@strawberry.type(description="A link that opens a network's share dialog for the story.")
class ShareLink:
    network: ShareNetwork
    label: str = strawberry.field(description='What to call it on a button, e.g. "LinkedIn".')
    url: str


@strawberry.type(
    description='A `<meta>` element for the page head: `<meta {attribute}="{key}" '
    'content="{content}">`.'
)
class MetaTag:
    attribute: str = strawberry.field(
        description='"property" (Open Graph, article:*) or "name" (Twitter cards).'
    )
    key: str = strawberry.field(description='e.g. "og:title", "twitter:card".')
    content: str


async def story_context(article: models.Article, info: Info) -> StoryContext:
    """The article with its source, section, byline, tags and pictures (all batched)."""
    loaders = info.context.loaders
    source, section, authors, tags, image = await asyncio.gather(
        loaders.source_by_id.load(article.source_id),
        loaders.section_by_id.load(article.section_id),
        loaders.authors_by_article.load(article.id),
        loaders.tags_by_article.load(article.id),
        loaders.image_by_id.load(article.image_id) if article.image_id else _nothing(),
    )
    assert source is not None
    assert section is not None
    logo = await loaders.image_by_id.load(source.logo_id) if source.logo_id else None
    record = info.context.tags.record
    record("Source", source.id)
    record("Section", section.id)
    for author in authors:
        record("Author", author.id)
    for tag in tags:
        record("Tag", tag.id)
    return StoryContext(article, source, section, authors, tags, image, logo)


async def _nothing() -> None:
    return None


def canonical_url(root: strawberry.Parent[models.Article]) -> str:
    return page_metadata.canonical_url(root)


def share_links(root: strawberry.Parent[models.Article]) -> list[ShareLink]:
    return [
        ShareLink(network=link.network, label=link.label, url=link.url)
        for link in page_metadata.share_links(root)
    ]


async def meta_tags(root: strawberry.Parent[models.Article], info: Info) -> list[MetaTag]:
    story = await story_context(root, info)
    return [
        MetaTag(attribute=tag.attribute, key=tag.key, content=tag.content)
        for tag in page_metadata.meta_tags(story)
    ]


async def structured_data(root: strawberry.Parent[models.Article], info: Info) -> str:
    story, text = await asyncio.gather(
        story_context(root, info), info.context.loaders.text_by_article.load(root.id)
    )
    words = len(text.body_text.split()) if text is not None else 0
    return page_metadata.json_ld(replace(story, word_count=words))
