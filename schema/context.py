"""The per-request context: who is asking, what they may see, a database session and loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry
from graphql import DocumentNode
from starlette.requests import HTTPConnection
from starlette.responses import Response

from api.access.policy import Access, Caller
from api.access.principal import Principal
from api.access.ratelimit import RateLimitDecision
from api.caching import ResponseTags
from api.fanout import LiveHub
from api.settings import Settings
from api.visibility import Visibility
from schema.analysis import QueryAnalysis
from schema.extensions.query_limits import Limits
from schema.session import RequestSession

if TYPE_CHECKING:
    from schema.loaders import Loaders
    from schema.relay import CursorCodec


@dataclass
class Context:
    request: HTTPConnection  # a Request, or the WebSocket of a subscription
    response: Response  # headers resolvers add to the response
    db: RequestSession
    loaders: Loaders
    cursors: CursorCodec
    request_id: str
    caller: Caller
    access: Access
    limits: Limits
    settings: Settings
    rate_limit: RateLimitDecision | None = None  # this request's charge against its budget
    analysis: QueryAnalysis | None = None  # what QueryLimits measured, before execution
    document: DocumentNode | None = None  # the parsed document QueryLimits measured
    charged: bool = False  # the analysis's cost is spent from the caller's budget already
    tags: ResponseTags = field(default_factory=ResponseTags)  # for caches (api/caching.py)
    # Search connections by response path, for `Article.highlight` (schema/articles/search.py).
    searches: dict[tuple[str | int, ...], str] = field(default_factory=dict)
    planned: bool = True  # queries answered by the planned executor (schema/planned/)
    live: LiveHub | None = None  # subscriptions over WebSocket only (schema/live.py)

    @property
    def principal(self) -> Principal | None:
        """The API key calling; None when anonymous."""
        return self.caller.principal

    @property
    def visibility(self) -> Visibility:
        return self.db.visibility


Info = strawberry.Info[Context, None]
