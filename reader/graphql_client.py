"""Calling the Broadsheet API from the reader's server: GraphQL over HTTP, queries as automatic
persisted queries over GET (a short URL per document and variables, so a CDN can cache it).

The first call of a document sends only its SHA-256; the API answers PERSISTED_QUERY_NOT_FOUND
until it has seen the document once, and the client then sends hash and document together
(which registers it). A failure to reach the API, or an answer that is not GraphQL, is
`ApiUnavailable`; an answer with errors and no data is `ApiRefused` with the errors' codes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

logger = logging.getLogger(__name__)

ACCEPT = "application/graphql-response+json, application/json;q=0.9"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


@dataclass(frozen=True)
class Document:
    """A named GraphQL operation and its hash (what persisted queries send instead of it)."""

    name: str
    text: str
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.text.encode()).hexdigest())


class ApiUnavailable(Exception):
    """The API could not be reached, or did not answer with GraphQL."""


class ApiRefused(Exception):
    """The API answered with errors and no data."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        self.codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors}
        super().__init__("; ".join(str(e.get("message", "")) for e in errors))


Variables = dict[str, Any]


class GraphQLClient:
    """One API endpoint, one connection pool; `close()` when done."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Accept": ACCEPT}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.url = url
        self._http = httpx.AsyncClient(timeout=timeout, headers=headers, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def query(self, document: Document, variables: Variables | None = None) -> Variables:
        """Run a query document over GET; its `data`, or an exception."""
        params = {
            "operationName": document.name,
            "variables": orjson.dumps(variables or {}).decode(),
            "extensions": orjson.dumps(
                {"persistedQuery": {"version": 1, "sha256Hash": document.sha256}}
            ).decode(),
        }
        body = await self._send("GET", params=params)
        if _codes(body) == {PERSISTED_QUERY_NOT_FOUND}:
            body = await self._send("GET", params={**params, "query": document.text})
        return _data(body)

    async def mutate(self, document: Document, variables: Variables | None = None) -> Variables:
        """Run a mutation (always POST); its `data`, or an exception."""
        payload = {
            "query": document.text,
            "operationName": document.name,
            "variables": variables or {},
        }
        return _data(await self._send("POST", json=payload))

    async def _send(self, method: str, **request: Any) -> Variables:
        try:
            response = await self._http.request(method, self.url, **request)
        except httpx.HTTPError as error:
            logger.warning("API unreachable at %s: %s", self.url, error)
            raise ApiUnavailable(str(error)) from error
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            logger.warning("API answered %s without GraphQL", response.status_code)
            raise ApiUnavailable(f"HTTP {response.status_code} without a GraphQL body")
        return body


def _codes(body: Variables) -> set[str]:
    return {str((e.get("extensions") or {}).get("code", "")) for e in body.get("errors") or []}


def _data(body: Variables) -> Variables:
    data = body.get("data")
    errors = body.get("errors") or []
    if errors and not data:
        if "SERVICE_UNAVAILABLE" in _codes(body) or "INTERNAL" in _codes(body):
            raise ApiUnavailable("; ".join(str(e.get("message")) for e in errors))
        raise ApiRefused(errors)
    if errors:
        # Partial data: the page shows what it has; the log says what was missing.
        logger.warning("API returned partial data: %s", [e.get("message") for e in errors])
    return data if isinstance(data, dict) else {}
