"""The root of the schema: every domain's queries merged into one Query type."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from schema.articles import ArticleQueries
from schema.authors import AuthorQueries
from schema.masking import MaskInternalErrors, log_errors
from schema.newsletters import NewsletterQueries
from schema.nodes import NodeQueries
from schema.relay import Node
from schema.search import SearchQueries
from schema.sections import SectionQueries
from schema.sources import SourceQueries
from schema.tags import TagQueries


class BroadsheetSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)


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
):
    """Everything a reader, an app or a partner can ask."""


def build_schema() -> strawberry.Schema:
    from schema.articles import Article  # noqa: PLC0415
    from schema.authors import Author  # noqa: PLC0415
    from schema.newsletters import Newsletter, NewsletterIssue  # noqa: PLC0415
    from schema.sections import Section  # noqa: PLC0415
    from schema.sources import Source  # noqa: PLC0415
    from schema.tags import Tag  # noqa: PLC0415

    return BroadsheetSchema(
        query=Query,
        types=[Node, Article, Author, Newsletter, NewsletterIssue, Section, Source, Tag],
        extensions=[ParserCache(maxsize=512), ValidationCache(maxsize=512), MaskInternalErrors],
    )


schema = build_schema()
