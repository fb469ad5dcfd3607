"""The root of the schema: every domain's queries merged into one Query type."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from schema.articles import ArticleQueries
from schema.authors import AuthorQueries
from schema.limits import QueryLimits
from schema.masking import MaskInternalErrors, log_errors
from schema.mutations_articles import ArticleMutations
from schema.mutations_catalog import CatalogMutations
from schema.mutations_keys import KeyMutations
from schema.mutations_newsletters import NewsletterMutations
from schema.newsletters import NewsletterQueries
from schema.nodes import NodeQueries
from schema.outage import DatabaseErrors, log_database_failures
from schema.relay import Node
from schema.response_tags import TaggingExecutor
from schema.search import SearchQueries
from schema.sections import SectionQueries
from schema.sources import SourceQueries
from schema.tags import TagQueries
from schema.viewer import ViewerQueries


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
):
    """Everything a reader, an app or a partner can ask."""


@strawberry.type
class Mutation(CatalogMutations, ArticleMutations, NewsletterMutations, KeyMutations):
    """Editorial writes (content:write), key management (admin) and newsletter sign-up (anyone)."""


def build_schema() -> strawberry.Schema:
    from schema.articles import Article
    from schema.authors import Author
    from schema.newsletters import Newsletter, NewsletterIssue
    from schema.sections import Section
    from schema.sources import Source
    from schema.tags import Tag

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
        execution_context_class=TaggingExecutor,
    )


schema = build_schema()
