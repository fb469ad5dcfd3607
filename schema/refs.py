"""Lazy references to the Node types, for modules that render one without importing it.

A field that returns another domain's type names it here; Strawberry resolves the reference
when the schema is built, so domain modules never import each other (no import cycles).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from schema.articles.types import Article
    from schema.authors.types import Author
    from schema.newsletters.types import Newsletter, NewsletterIssue
    from schema.sections.types import Section
    from schema.sources.types import Source
    from schema.tags.types import Tag

ArticleRef = Annotated["Article", strawberry.lazy("schema.articles.types")]
AuthorRef = Annotated["Author", strawberry.lazy("schema.authors.types")]
NewsletterRef = Annotated["Newsletter", strawberry.lazy("schema.newsletters.types")]
IssueRef = Annotated["NewsletterIssue", strawberry.lazy("schema.newsletters.types")]
SectionRef = Annotated["Section", strawberry.lazy("schema.sections.types")]
SourceRef = Annotated["Source", strawberry.lazy("schema.sources.types")]
TagRef = Annotated["Tag", strawberry.lazy("schema.tags.types")]
