"""The root of the schema: every domain's queries and mutations merged into Query and Mutation."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from schema.articles.mutations import ArticleMutations
from schema.articles.queries import ArticleQueries
from schema.articles.search import SearchQueries
from schema.articles.types import Article
from schema.authors.mutations import AuthorMutations
from schema.authors.queries import AuthorQueries
from schema.authors.types import Author
from schema.extensions.masking import MaskInternalErrors, log_errors
from schema.extensions.outage import DatabaseErrors, log_database_failures
from schema.extensions.query_limits import QueryLimits
from schema.keys.mutations import KeyMutations
from schema.keys.queries import ViewerQueries
from schema.newsletters.mutations import NewsletterMutations
from schema.newsletters.queries import NewsletterQueries
from schema.newsletters.types import Newsletter, NewsletterIssue
from schema.nodes import NodeQueries
from schema.relay import Node
from schema.sections.mutations import SectionMutations
from schema.sections.queries import SectionQueries
from schema.sections.types import Section
from schema.sources.mutations import SourceMutations
from schema.sources.queries import SourceQueries
from schema.sources.types import Source
from schema.sync.queries import SyncQueries
from schema.tags.queries import TagQueries
from schema.tags.types import Tag
from schema.webhooks.mutations import WebhookMutations
from schema.webhooks.queries import WebhookQueries


class BroadsheetSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(log_database_failures(errors, execution_context), execution_context)


@strawberry.type
class Query(
    NodeQueries,
    ArticleQueries,
    SearchQueries,
    SectionQueries,
    SourceQueries,
    AuthorQueries,
    TagQueries,
    NewsletterQueries,
    ViewerQueries,
    SyncQueries,
    WebhookQueries,
):
    """Everything a reader, an app or a partner can ask."""


@strawberry.type
class Mutation(
    SourceMutations,
    SectionMutations,
    AuthorMutations,
    ArticleMutations,
    NewsletterMutations,
    KeyMutations,
    WebhookMutations,
):
    """Editorial writes (content:write), key management (admin) and newsletter sign-up (anyone)."""


def build_schema() -> strawberry.Schema:
    return BroadsheetSchema(
        query=Query,
        mutation=Mutation,
        types=[Node, Article, Author, Newsletter, NewsletterIssue, Section, Source, Tag],
        # Factories: one extension per request (shared instances would see each other's
        # execution contexts); the parse and validation LRU caches live at module level.
        # QueryLimits must precede ValidationCache (it refuses before validation runs), and
        # DatabaseErrors must follow MaskInternalErrors (it translates errors before masking).
        extensions=[
            QueryLimits,
            partial(ParserCache, maxsize=512),
            partial(ValidationCache, maxsize=512),
            MaskInternalErrors,
            DatabaseErrors,
        ],
    )


schema = build_schema()
