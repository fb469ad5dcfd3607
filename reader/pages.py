"""The reader's pages: front page, section, story, author, source, search and newsletter issue.

Each page is one persisted query; what the API does not return (an unknown slug, an unpublished
story or issue) is a 404 page, and an API that cannot answer is a 503 page (reader/app.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reader import documents
from reader.graphql_client import ApiRefused, Document, GraphQLClient, Variables
from reader.rendering import Pages

MAX_SEARCH_LENGTH = 200
SEE_MORE = 6


class NotFound(HTTPException):
    def __init__(self, what: str) -> None:
        super().__init__(404, f"We could not find {what}.")


class ReaderPages:
    """Route handlers; `api` and `pages` are shared by every request."""

    def __init__(self, api: GraphQLClient, pages: Pages) -> None:
        self.api = api
        self.pages = pages
        self.newsletter = pages.config.newsletter

    async def _load(self, document: Document, **variables: Any) -> Variables:
        return await self.api.query(document, {"newsletter": self.newsletter, **variables})

    def _page(self, template: str, data: Variables, **context: Any) -> Response:
        return self.pages.render(
            template,
            sections=data.get("sections") or [],
            newsletter=data.get("newsletter"),
            **context,
        )

    async def front(self, request: Request) -> Response:
        data = await self._load(documents.FRONT_PAGE)
        stories = data["articles"]["nodes"]
        return self._page(
            "front.html", data, lead=stories[0] if stories else None, stories=stories[1:]
        )

    async def section(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        data = await self._load(documents.SECTION_PAGE, slug=slug, after=_after(request))
        section = data.get("section")
        if section is None:
            raise NotFound("this section")
        return self._page(
            "listing.html",
            data,
            heading=section["name"],
            kicker="Section",
            intro=section.get("description"),
            feed=section["articles"],
        )

    async def story(self, request: Request) -> Response:
        source, slug = request.path_params["source"], request.path_params["slug"]
        data = await self._load(documents.ARTICLE_PAGE, source=source, slug=slug)
        article = data.get("article")
        if article is None:
            raise NotFound("this story")
        more = [s for s in article["section"]["articles"]["nodes"] if s["id"] != article["id"]]
        return self._page("article.html", data, article=article, see_more=more[:SEE_MORE])

    async def author(self, request: Request) -> Response:
        data = await self._load(
            documents.AUTHOR_PAGE, slug=request.path_params["slug"], after=_after(request)
        )
        author = data.get("author")
        if author is None:
            raise NotFound("this author")
        kicker = "Organisation" if author["isOrganization"] else "Author"
        affiliation = author.get("source")
        return self._page(
            "listing.html",
            data,
            heading=author["name"],
            kicker=kicker,
            intro=author.get("bio"),
            affiliation=affiliation,
            feed=author["articles"],
        )

    async def source(self, request: Request) -> Response:
        data = await self._load(
            documents.SOURCE_PAGE, slug=request.path_params["slug"], after=_after(request)
        )
        source = data.get("source")
        if source is None:
            raise NotFound("this newspaper")
        return self._page(
            "listing.html",
            data,
            heading=source["name"],
            kicker="Newspaper",
            intro=source.get("description"),
            website=source.get("url"),
            feed=source["articles"],
        )

    async def search(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()[:MAX_SEARCH_LENGTH]
        chrome = await self._load(documents.CHROME_ONLY)
        results: Variables | None = None
        problem: str | None = None
        if query:
            try:
                results = (await self.api.query(documents.SEARCH, {"query": query}))["search"]
            except ApiRefused as refused:
                if "BAD_USER_INPUT" not in refused.codes:
                    raise
                problem = "Try different words: that search has nothing to look for."
        return self._page("search.html", chrome, query=query, results=results, problem=problem)

    async def issue(self, request: Request) -> Response:
        slug, day = request.path_params["newsletter"], request.path_params["date"]
        try:
            date.fromisoformat(day)
        except ValueError:
            raise NotFound("this issue") from None
        data = (
            await self.api.query(documents.ISSUE_PAGE, {"newsletter": self.newsletter, "date": day})
            if slug == self.newsletter
            else {}
        )
        issue = data.get("newsletterIssue")
        if issue is None:
            raise NotFound("this issue")
        return self._page("issue.html", data, issue=issue)

    async def latest_issue(self, request: Request) -> Response:
        if request.path_params["newsletter"] != self.newsletter:
            raise NotFound("this newsletter")
        data = await self._load(documents.CHROME_ONLY)
        latest = (data.get("newsletter") or {}).get("latestIssue")
        if latest is None:
            raise NotFound("an issue of this newsletter")
        return RedirectResponse(f"/newsletters/{self.newsletter}/{latest['date']}", 302)

    async def static_page(self, request: Request) -> Response:
        name = request.url.path.strip("/")
        data = await self._load(documents.CHROME_ONLY)
        return self._page(f"{name}.html", data)


def _after(request: Request) -> str | None:
    after = request.query_params.get("after")
    return after[:500] if after else None
