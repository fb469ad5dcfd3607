"""The benchmark's scenarios: what a news front end asks for, as GraphQL documents.

Each scenario is one document and the variables of one request; the hand-written endpoint
(bench/handwritten.py) answers the same requests with byte-identical JSON, which the benchmark
checks before it times anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CARD = "id headline dek excerpt publishedAt byline image { url caption } " + (
    "section { slug name } source { slug name } authors { slug name } tags { slug name }"
)
FRONT = f"""query FrontPage {{
  articles(first: 20) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {CARD} }}
  }}
}}"""
FRONT_RELATED = f"""query FrontPageRelated {{
  articles(first: 20) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {CARD} related(first: 3) {{ id headline }} }}
  }}
}}"""
SECTION = """query SectionPage($slug: String!, $after: String) {
  section(slug: $slug) {
    name
    articles(first: 20, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id headline excerpt publishedAt byline source { name } }
    }
  }
}"""
ARTICLE = """query ArticlePage($id: ID!) {
  article(id: $id) {
    id headline dek body publishedAt updatedAt byline
    section { slug name } source { name description logo { url } }
    authors { name bio } tags { slug name } countries
    image { url caption credit }
    related(first: 5) { id headline excerpt publishedAt source { name } }
  }
}"""
SEARCH = """query Search($q: String!) {
  search(query: $q, first: 20) {
    nodes { id headline highlight publishedAt source { name } }
  }
}"""
NEWSLETTER = """query LatestIssue {
  newsletter(slug: "eastern-briefings") {
    name
    latestIssue {
      date title intro
      items { position blurb article { id headline source { name } } }
    }
  }
}"""


@dataclass(frozen=True)
class Scenario:
    """One kind of request, sent the same way to Broadsheet and to the hand-written endpoint."""

    name: str
    query: str
    operation: str
    variables: dict[str, Any] = field(default_factory=dict)
    persisted_get: bool = False  # APQ over GET (Broadsheet only; compared with `front page`)
    redis: bool = False  # the response cache in Redis rather than in-process

    def body(self) -> dict[str, Any]:
        return {"query": self.query, "operationName": self.operation, "variables": self.variables}
