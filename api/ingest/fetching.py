"""Reading a feed from a URL or a file, within limits, with conditional GET.

URLs go through the same address guard as webhooks (api/webhooks/addresses.py): resolved,
checked, and connected to at the checked address; redirects are followed by hand (at most
`MAX_REDIRECTS`), each hop checked again. A body over BROADSHEET_INGEST_MAX_BYTES, or a fetch
over BROADSHEET_INGEST_TIMEOUT_SECONDS, fails the run without importing anything. A stored
ETag / Last-Modified is sent back, and a 304 means nothing changed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from api.webhooks.addresses import ForbiddenTarget, checked_target

MAX_REDIRECTS = 3
USER_AGENT = "Broadsheet-Ingest/1.0 (+feed polling)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)


class FetchFailed(Exception):
    """The feed could not be read; the message says why (for the run's summary)."""


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    timeout_seconds: float
    allow_private: bool


@dataclass(frozen=True)
class Fetched:
    """A feed body (None when the server answered 304 Not Modified) and its validators."""

    body: bytes | None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def read_file(path: str, limits: FetchLimits) -> Fetched:
    """A feed from a file (no validators)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > limits.max_bytes:
            raise FetchFailed(f"the file is {size} bytes; the limit is {limits.max_bytes}")
        return Fetched(file.read_bytes())
    except OSError as error:
        raise FetchFailed(f"cannot read {path}: {error.strerror or error}") from None


async def fetch(
    url: str, limits: FetchLimits, etag: str | None = None, last_modified: str | None = None
) -> Fetched:
    """GET a feed, conditionally when validators are given."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with (
            asyncio.timeout(limits.timeout_seconds),
            httpx.AsyncClient(
                timeout=httpx.Timeout(limits.timeout_seconds),
                follow_redirects=False,
                trust_env=False,
            ) as client,
        ):
            return await _follow(client, url, headers, limits)
    except TimeoutError:
        raise FetchFailed(f"no complete answer within {limits.timeout_seconds:g}s") from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"{type(error).__name__}: {error}".rstrip(": ")) from None


async def _follow(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limits: FetchLimits
) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        try:
            target = await checked_target(url, allow_private=limits.allow_private)
        except ForbiddenTarget as refused:
            raise FetchFailed(f"refused: {refused}") from None
        request = client.build_request(
            "GET", target.pinned_url, headers={**headers, "Host": target.host_header}
        )
        if target.scheme == "https":
            request.extensions["sni_hostname"] = target.host
        response = await client.send(request, stream=True)
        try:
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchFailed(f"HTTP {response.status_code} without a Location")
                url = urljoin(url, location)
                continue
            if response.status_code == 304:
                return Fetched(None, etag=headers.get("If-None-Match"))
            if response.status_code != 200:
                raise FetchFailed(f"the server answered HTTP {response.status_code}")
            body = await _read_limited(response, limits.max_bytes)
            return Fetched(
                body,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        finally:
            await response.aclose()
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(f"the feed is {declared} bytes; the limit is {max_bytes}")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise FetchFailed(f"the feed is larger than the {max_bytes}-byte limit")
    return bytes(body)
