"""Visibility is a mechanism, not a habit: every statement a reader's request sends that reads
articles, newsletter issues, tags, authors or sections carries the visibility criteria, for
every alias of those tables.

The documents below select every field of every type a reader can reach (checked against the
schema, so a field added later must be added here too), the way a front end would; every SQL
statement they cause is recorded and inspected. With the session hook of api/visibility.py
removed, the queries themselves state no visibility rule, and this test fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.analysis import graphql_schema_of
from schema.root import schema
from tests.api_clients import data

NODE_FIELDS = """
  id
  ... on Article { slug headline }
  ... on Section { slug }
  ... on Source { slug }
  ... on Author { slug }
  ... on Tag { slug }
  ... on Newsletter { slug }
  ... on NewsletterIssue { title }
"""
ARTICLE = """
  id slug url headline dek excerpt body bodyText language publishedAt updatedAt
  readingTimeMinutes byline countries highlight canonicalUrl structuredData
  shareLinks { network label url } metaTags { attribute key content }
  section { id slug name description parent { slug } children { slug } }
  source { id slug name description url country language logo { url caption credit width height } }
  authors { id slug name bio isOrganization source { slug } avatar { url } }
  tags { id slug name }
  image { url caption credit width height }
  related(first: 3) { id headline section { slug } }
"""
FEED = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

READER_PATHS = [
    f"""query Front {{
      articles(first: 30) {{ {FEED} edges {{ cursor node {{ {ARTICLE} }} }} nodes {{ id }} }}
      oldest: articles(last: 5, orderBy: PUBLISHED_AT_ASC) {{ nodes {{ id }} }}
      filtered: articles(first: 10, filter: {{
        sections: ["diplomacy"], sources: ["the-korea-herald"], authors: ["the-korea-herald"],
        tags: ["north-korea"], countries: ["KR"], query: "Korea",
        publishedAfter: "2018-01-01T00:00:00Z", publishedBefore: "2030-01-01T00:00:00Z"
      }}, orderBy: RELEVANCE) {{ {FEED} nodes {{ id highlight }} }}
    }}""",
    f"""query Search {{
      search(query: "Korea", first: 10, filter: {{ countries: ["KR"] }}) {{
        {FEED} nodes {{ id highlight related(first: 2) {{ id }} }}
      }}
    }}""",
    f"""query Article {{
      article(slug: "us-ramps-up-pressure-on-n-korea", source: "the-korea-herald") {{ {ARTICLE} }}
    }}""",
    f"""query Catalogue {{
      sections {{ id slug name description parent {{ slug }} children {{ slug articles(first: 2) {{ {FEED} nodes {{ id }} }} }}
                  articles(first: 3) {{ {FEED} nodes {{ id }} }} }}
      section(slug: "diplomacy") {{ articles(first: 5, filter: {{ tags: ["north-korea"] }}) {{ {FEED} nodes {{ id }} }} }}
      sources(first: 30, country: "KR") {{ {FEED} edges {{ cursor node {{ id slug name description url country language logo {{ url }} articles(first: 2) {{ {FEED} nodes {{ id }} }} }} }} nodes {{ id }} }}
      source(slug: "the-korea-herald") {{ id articles(first: 2) {{ nodes {{ id }} }} }}
      authors(first: 30, source: "the-korea-herald") {{ {FEED} edges {{ cursor node {{ id }} }} nodes {{ id slug name bio isOrganization source {{ slug }} avatar {{ url }} articles(first: 2) {{ {FEED} nodes {{ id }} }} }} }}
      author(slug: "the-korea-herald") {{ id articles(first: 2) {{ nodes {{ id }} }} }}
      tag(slug: "north-korea") {{ id slug name articles(first: 5) {{ {FEED} nodes {{ id }} }} }}
    }}""",
    f"""query Newsletters {{
      newsletters {{ id slug name description
        latestIssue {{ id date title intro publishedAt newsletter {{ slug }} items {{ position blurb article {{ id }} }} }}
        issues(first: 3) {{ {FEED} edges {{ cursor node {{ id }} }}
          nodes {{ id date title intro publishedAt newsletter {{ slug }}
                   items {{ position blurb article {{ {ARTICLE} }} }} }} }}
      }}
      newsletter(slug: "eastern-briefings") {{ id issues(last: 3) {{ {FEED} nodes {{ id }} }} }}
      newsletterIssue(newsletter: "eastern-briefings", date: "2018-09-26") {{ id items {{ article {{ id }} }} }}
    }}""",
    "query Viewer { viewer { keyName scopes rateLimit { limit remaining resetAt } } }",
    f"""query Sync {{
      sync(first: 100) {{ changed {{ {NODE_FIELDS} }} tombstones {{ id kind removedAt }} nextToken hasMore }}
      next: sync(first: 3) {{ changed {{ id ... on Article {{ {ARTICLE} }} ... on NewsletterIssue {{ items {{ article {{ id }} }} }} }} }}
    }}""",
]
# Fields only an admin key may select (FORBIDDEN to readers): outside a reader's reach.
ADMIN_ONLY_FIELDS = {("Query", "webhookEndpoints")}
# Every id of every kind, drafts and unpublished issues included: `node(s)` must hide them.
ALL_IDS_SQL = """
SELECT 'Article' AS kind, id FROM articles UNION ALL SELECT 'Section', id FROM sections
UNION ALL SELECT 'Source', id FROM sources UNION ALL SELECT 'Author', id FROM authors
UNION ALL SELECT 'Tag', id FROM tags UNION ALL SELECT 'Newsletter', id FROM newsletters
UNION ALL SELECT 'NewsletterIssue', id FROM newsletter_issues
"""
NODES = f"query Nodes($ids: [ID!]!, $id: ID!) {{ nodes(ids: $ids) {{ {NODE_FIELDS} }} node(id: $id) {{ {NODE_FIELDS} }} article(id: $id) {{ id }} }}"

# A table reference in the SQL, and the criteria api/visibility.py adds for its alias.
TABLE_REFERENCE = re.compile(
    r"\b(?:FROM|JOIN)\s+(articles|newsletter_issues|tags|authors|sections)\b(?:\s+AS\s+(\w+))?"
)
CRITERIA = {
    "articles": "{alias}.status = 'published' AND {alias}.published_at <= $",
    "newsletter_issues": "{alias}.published_at IS NOT NULL AND {alias}.published_at <= $",
    "tags": "{alias}.visible_from <= $",
    "authors": "{alias}.visible_from <= $",
    "sections": "{alias}.visible_from <= $",
}


class StatementRecorder:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        self.statements.append(statement)


def missing_criteria(statement: str) -> Iterator[str]:
    """The table references of `statement` that read without the reader's criteria."""
    for match in TABLE_REFERENCE.finditer(statement):
        table, alias = match.group(1), match.group(2) or match.group(1)
        if CRITERIA[table].format(alias=alias) not in statement:
            yield f"{table} AS {alias}"


def reachable_fields(graphql_schema: GraphQLSchema) -> set[tuple[str, str]]:
    """Every (type, field) a reader's query can reach from Query."""
    seen: set[str] = set()
    fields: set[tuple[str, str]] = set()
    pending = [graphql_schema.query_type]
    while pending:
        type_ = pending.pop()
        if type_ is None or type_.name in seen:
            continue
        seen.add(type_.name)
        candidates = [type_]
        if not isinstance(type_, GraphQLObjectType):
            candidates = list(graphql_schema.get_possible_types(type_))  # interfaces
            pending.extend(candidates)
            continue
        for name, field in type_.fields.items():
            if (type_.name, name) in ADMIN_ONLY_FIELDS:
                continue
            fields.add((type_.name, name))
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType) or hasattr(named, "fields"):
                pending.append(named)  # type: ignore[arg-type]
    return fields


def selected_fields(graphql_schema: GraphQLSchema, documents: list[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    class Collect(Visitor):
        def __init__(self, info: TypeInfo) -> None:
            super().__init__()
            self.info = info

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.info.get_parent_type()
            if parent is not None:
                found.add((parent.name, node.name.value))

    for document in documents:
        info = TypeInfo(graphql_schema)
        visit(parse(document), TypeInfoVisitor(info, Collect(info)))
    return found


def test_the_documents_reach_every_field_a_reader_can_ask_for() -> None:
    graphql_schema = graphql_schema_of(schema)
    missing = reachable_fields(graphql_schema) - selected_fields(
        graphql_schema, [*READER_PATHS, NODES]
    )
    missing = {(t, f) for t, f in missing if not f.startswith("__")}
    assert not missing, f"add these fields to READER_PATHS: {sorted(missing)}"


@pytest.fixture
def recorder(connection: AsyncConnection) -> Iterator[StatementRecorder]:
    recording = StatementRecorder()
    event.listen(connection.sync_engine, "before_cursor_execute", recording)
    yield recording
    event.remove(connection.sync_engine, "before_cursor_execute", recording)


async def test_every_statement_of_every_read_path_carries_the_visibility_criteria(
    client: httpx.AsyncClient, connection: AsyncConnection, recorder: StatementRecorder
) -> None:
    from sqlalchemy import text

    from schema.relay import to_global_id

    ids = [to_global_id(kind, pk) for kind, pk in (await connection.execute(text(ALL_IDS_SQL)))]
    recorder.statements.clear()
    for document in READER_PATHS:
        await data(client, document)
    for start in range(0, len(ids), 100):
        await data(client, NODES, ids=ids[start : start + 100], id=ids[start])

    reading = [s for s in recorder.statements if TABLE_REFERENCE.search(s)]
    assert len(reading) >= 30, "the read paths should have read articles and issues"
    unguarded = {s: list(missing_criteria(s)) for s in reading if any(missing_criteria(s))}
    assert not unguarded, "\n\n".join(f"{refs}:\n{s}" for s, refs in unguarded.items())


def test_the_inspection_catches_a_statement_without_criteria() -> None:
    assert list(missing_criteria("SELECT articles.id FROM articles WHERE articles.id = $1")) == [
        "articles AS articles"
    ]
    guarded = (
        "SELECT base.id FROM articles AS base JOIN newsletter_issues ON newsletter_issues.id = 1 "
        "AND newsletter_issues.published_at IS NOT NULL AND newsletter_issues.published_at <= $1 "
        "WHERE base.status = 'published' AND base.published_at <= $2"
    )
    assert list(missing_criteria(guarded)) == []
