"""Article mutations: create, update, publish (now or scheduled), unpublish, delete."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.models import Article as ArticleRow
from api.services import articles, publishing
from api.services.article_images import ImageData
from api.services.outcome import Outcome
from api.services.validation import MISSING, Missing
from schema.context import Info
from schema.images import ImageInput
from schema.mutations import UserError, actor, changed, given, run_write, user_errors
from schema.permissions import WRITERS
from schema.refs import ArticleRef
from schema.relay import pk_of, to_global_id


@strawberry.input(description="A new story (a draft until published).")
class ArticleInput:
    source: str = strawberry.field(description="Source slug.")
    section: str = strawberry.field(description="Section slug.")
    authors: list[str] | None = strawberry.field(
        default=None, description="Author slugs in byline order; empty: the byline is the source."
    )
    headline: str
    dek: str | None = None
    body: str = strawberry.field(description="HTML; sanitized on the way in.")
    url: str | None = strawberry.field(
        default=None,
        description="Canonical URL at the source; when absent, the source's URL + the slug.",
    )
    slug: str | None = strawberry.field(
        default=None,
        description="Derived from the headline when absent (made unique within the source).",
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Tag slugs or names; created on first use."
    )
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes."
    )
    language: str | None = strawberry.field(
        default=None, description="BCP-47; defaults to the source's language."
    )
    external_id: str | None = strawberry.field(
        default=None,
        description="The source's own id: (source, externalId) is unique, so a re-import "
        "updates that story (its content is replaced; its status, and its slug unless one is "
        "sent, are kept).",
    )
    image: ImageInput | None = strawberry.field(
        default=None,
        description="The lead picture (on a re-import, absent means no picture).",
    )


@strawberry.input(
    description="Changes to a story: fields left out stay as they are; "
    "null clears dek, externalId and the lists."
)
class ArticlePatch:
    section: str | None = strawberry.UNSET
    authors: list[str] | None = strawberry.UNSET
    headline: str | None = strawberry.UNSET
    dek: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    countries: list[str] | None = strawberry.UNSET
    language: str | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET
    image: ImageInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new lead picture; null removes it."
    )


@strawberry.type
class ArticlePayload:
    article: ArticleRow | None = strawberry.field(graphql_type=ArticleRef | None)
    user_errors: list[UserError]


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


def _image_change(image: ImageInput | None) -> ImageData | Missing | None:
    if image is strawberry.UNSET:
        return MISSING
    return image.to_data() if image is not None else None


def article_payload(outcome: Outcome[ArticleRow]) -> ArticlePayload:
    row = outcome.value
    return ArticlePayload(article=row, user_errors=user_errors(outcome))


@strawberry.type
class ArticleMutations:
    @strawberry.mutation(
        permission_classes=WRITERS,
        description="Create a draft; with an `externalId` the source already used, "
        "update that story instead.",
    )
    async def create_article(self, info: Info, input: ArticleInput) -> ArticlePayload:
        data = articles.ArticleData(
            source=input.source,
            section=input.section,
            headline=input.headline,
            body=input.body,
            authors=input.authors,
            dek=input.dek,
            url=input.url,
            slug=input.slug,
            tags=input.tags,
            countries=input.countries,
            language=input.language,
            external_id=input.external_id,
            image=input.image.to_data() if input.image is not None else None,
        )
        return article_payload(await run_write(info, articles.create_article, actor(info), data))

    @strawberry.mutation(permission_classes=WRITERS, description="Change a story's fields.")
    async def update_article(
        self, info: Info, id: strawberry.ID, input: ArticlePatch
    ) -> ArticlePayload:
        changes = articles.ArticleChanges(
            section=given(input.section),
            authors=given(input.authors),
            headline=given(input.headline),
            dek=given(input.dek),
            body=given(input.body),
            url=given(input.url),
            slug=given(input.slug),
            tags=given(input.tags),
            countries=given(input.countries),
            language=given(input.language),
            external_id=given(input.external_id),
            image=_image_change(input.image),
        )
        outcome = await run_write(
            info, articles.update_article, actor(info), pk_of(id, "Article"), changes
        )
        return article_payload(outcome)

    @strawberry.mutation(
        permission_classes=WRITERS,
        description="Publish now, or at `at`: a future time schedules it.",
    )
    async def publish_article(
        self, info: Info, id: strawberry.ID, at: datetime | None = None
    ) -> ArticlePayload:
        outcome = await run_write(
            info, publishing.publish_article, actor(info), pk_of(id, "Article"), at
        )
        return article_payload(outcome)

    @strawberry.mutation(
        permission_classes=WRITERS, description="Back to draft; readers no longer see it."
    )
    async def unpublish_article(self, info: Info, id: strawberry.ID) -> ArticlePayload:
        outcome = await run_write(
            info, publishing.unpublish_article, actor(info), pk_of(id, "Article")
        )
        return article_payload(outcome)

    @strawberry.mutation(permission_classes=WRITERS, description="Delete a story for good.")
    async def delete_article(self, info: Info, id: strawberry.ID) -> DeletePayload:
        outcome = await run_write(
            info, publishing.delete_article, actor(info), pk_of(id, "Article")
        )
        deleted = outcome.value
        if deleted is not None:
            changed(info, "Article", deleted)
        return DeletePayload(
            deleted_id=to_global_id("Article", deleted) if deleted is not None else None,
            user_errors=user_errors(outcome),
        )
