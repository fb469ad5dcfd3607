"""The GraphQL documents the reader sends: one per page, plus the browser's search and sign-up.

Each is sent by hash (persisted queries); the browser gets the hashes of its own documents from
the page, so it never needs to hash anything itself.
"""

from __future__ import annotations

from reader.graphql_client import Document

TEASER = """
fragment Teaser on Article {
  id slug headline dek excerpt publishedAt byline
  source { slug name }
  section { slug name }
}
"""

NEWSLETTER_BOX = """
fragment NewsletterBox on Newsletter {
  slug name description
  latestIssue { date title }
}
"""

CHROME = """
fragment Chrome on Query {
  sections { slug name }
  newsletter(slug: $newsletter) { ...NewsletterBox }
}
"""


def _page(name: str, query: str) -> Document:
    """A page of the site: `query` with the chrome, newsletter box and teaser fragments."""
    return Document(name, query + CHROME + NEWSLETTER_BOX + TEASER)


FRONT_PAGE = _page(
    "FrontPage",
    """
query FrontPage($newsletter: String!) {
  ...Chrome
  articles(first: 13) { nodes { ...Teaser } }
}
""",
)

SECTION_PAGE = _page(
    "SectionPage",
    """
query SectionPage($slug: String!, $after: String, $newsletter: String!) {
  ...Chrome
  section(slug: $slug) {
    slug name description
    articles(first: 20, after: $after) {
      nodes { ...Teaser }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""",
)

ARTICLE_PAGE = _page(
    "ArticlePage",
    """
query ArticlePage($source: String!, $slug: String!, $newsletter: String!) {
  ...Chrome
  article(slug: $slug, source: $source) {
    id slug headline dek body byline publishedAt updatedAt readingTimeMinutes language
    canonicalUrl
    shareLinks { network label url }
    metaTags { attribute key content }
    structuredData
    authors { slug name isOrganization }
    source { slug name description url }
    tags { slug name }
    section {
      slug name
      articles(first: 7) { nodes { ...Teaser } }
    }
  }
}
""",
)

AUTHOR_PAGE = _page(
    "AuthorPage",
    """
query AuthorPage($slug: String!, $after: String, $newsletter: String!) {
  ...Chrome
  author(slug: $slug) {
    slug name bio isOrganization
    source { slug name }
    articles(first: 20, after: $after) {
      nodes { ...Teaser }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""",
)

SOURCE_PAGE = _page(
    "SourcePage",
    """
query SourcePage($slug: String!, $after: String, $newsletter: String!) {
  ...Chrome
  source(slug: $slug) {
    slug name description url country
    articles(first: 20, after: $after) {
      nodes { ...Teaser }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""",
)

CHROME_ONLY = Document(
    "Chrome",
    """
query Chrome($newsletter: String!) { ...Chrome }
"""
    + CHROME
    + NEWSLETTER_BOX,
)

# Also sent by the browser as readers type (reader/static/reader.js renders the same fields).
SEARCH = Document(
    "Search",
    """
query Search($query: String!) {
  search(query: $query, first: 20) {
    totalCount
    nodes { ...Teaser highlight }
  }
}
"""
    + TEASER,
)

ISSUE_PAGE = _page(
    "IssuePage",
    """
query IssuePage($newsletter: String!, $date: Date!) {
  ...Chrome
  newsletterIssue(newsletter: $newsletter, date: $date) {
    id date title intro publishedAt
    newsletter { slug name description }
    items { position blurb article { ...Teaser } }
  }
}
""",
)

# Sent by the browser's sign-up form (a mutation: POST, never cached).
SUBSCRIBE = Document(
    "Subscribe",
    """
mutation Subscribe($newsletter: String!, $email: String!, $consent: Boolean!) {
  subscribeToNewsletter(newsletter: $newsletter, email: $email, consent: $consent) {
    accepted message
    userErrors { field message code }
  }
}
""",
)

CONFIRM = Document(
    "Confirm",
    """
mutation Confirm($token: String!) {
  confirmSubscription(token: $token) {
    confirmed
    newsletter { slug name latestIssue { date title } }
    userErrors { field message code }
  }
}
""",
)

UNSUBSCRIBE = Document(
    "Unsubscribe",
    """
mutation Unsubscribe($token: String!) {
  unsubscribe(token: $token) {
    unsubscribed
    newsletter { slug name }
    userErrors { field message code }
  }
}
""",
)

# What scripts in the page may send: name -> document (the page gives them text and hash).
BROWSER_DOCUMENTS = (SEARCH, SUBSCRIBE)
