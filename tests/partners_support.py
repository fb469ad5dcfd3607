"""Helpers for the partner tests: a migrated scratch database with a tiny newsroom, and a local
webhook receiver (a real HTTP server on 127.0.0.1) whose answer depends on the path:

    /ok        204 after reading the request
    /fail      500 with a body
    /hang      reads the request and never answers (until the test ends)
    /redirect  302 to the cloud metadata address
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from api import migrations
from api.database import open_session, session_factory, short_lived_engine
from api.services import catalogue, keys
from api.services.outcome import Outcome
from api.transactions import transaction
from api.visibility import EVERYTHING
from tests.conftest import _server_url, scratch_database

SOURCE = "the-test-times"
SECTION = "world"
AUTHOR = "jane-doe"


@contextmanager
def migrated_scratch(prefix: str) -> Iterator[str]:
    """A scratch database at head, dropped afterwards."""
    with scratch_database(_server_url(), prefix) as url:
        migrations.upgrade("head", database_url=url)
        yield url


async def _newsroom(session: AsyncSession) -> Outcome[bool]:
    for write in (
        catalogue.upsert_source(
            session,
            None,
            catalogue.SourceData(
                name="The Test Times", slug=SOURCE, url="https://test-times.example", country="KR"
            ),
        ),
        catalogue.upsert_section(session, None, catalogue.SectionData(name="World", slug=SECTION)),
        catalogue.upsert_author(
            session, None, catalogue.AuthorData(name="Jane Doe", slug=AUTHOR, source=SOURCE)
        ),
    ):
        outcome = await write
        assert not outcome.errors, outcome.errors
    return Outcome(True)


async def seed_newsroom(url: str) -> dict[str, str]:
    """A source, a section and an author; API keys by role (their plaintexts)."""
    issued: dict[str, str] = {}
    async with short_lived_engine(url) as engine:
        async with open_session(session_factory(engine), EVERYTHING) as session:
            await transaction(session, _newsroom)
        for role, scopes in (
            ("reader", ["content:read"]),
            ("desk", ["content:write"]),
            ("admin", ["admin"]),
        ):
            async with open_session(session_factory(engine), EVERYTHING) as session:
                key = await keys.create_key(session, f"{role}-key", scopes)
                await session.commit()
                issued[role] = key.plaintext
    return issued


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when the whole request was read


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1; `requests` in arrival order."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _hanging: list[asyncio.StreamWriter] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append(Received(path, headers, body, time.time()))
        self.arrived.set()
        if path.startswith("/hang"):
            self._hanging.append(writer)
            return
        if path.startswith("/fail"):
            answer = (
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 13\r\n\r\nreceiver down"
            )
        elif path.startswith("/redirect"):
            answer = (
                b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/latest/meta-data/\r\n"
                b"content-length: 0\r\n\r\n"
            )
        else:
            answer = b"HTTP/1.1 204 No Content\r\n\r\n"
        writer.write(answer)
        await writer.drain()
        writer.close()

    def to(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]

    async def wait_for(self, count: int, path: str | None = None, within: float = 10) -> None:
        deadline = time.monotonic() + within
        while len(self.to(path) if path else self.requests) < count:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"only {len(self.requests)} requests arrived: {self.requests}"
            self.arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), timeout=min(remaining, 0.2))


@asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        for writer in receiver._hanging:
            writer.close()
        server.close()
        await server.wait_closed()
