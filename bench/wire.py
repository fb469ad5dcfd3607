"""A counting TCP proxy in front of PostgreSQL: what a server really sends over the wire.

The benchmark points a server at this proxy for a short counting pass (not while timing: a
proxy adds latency) and reads, per request: data statements (each Execute or simple Query
message whose SQL reads or writes data), everything else sent as a statement (BEGIN, COMMIT,
ROLLBACK, pings), and round trips (each time the client speaks after the server has answered).
It parses the PostgreSQL frontend protocol just enough to tell those apart, so it counts the
same way for Broadsheet and for the hand-written endpoint, whatever their drivers do.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
CONTROL = (
    *("BEGIN", "COMMIT", "ROLLBACK", "START", "SET", "RESET", "SHOW", "DISCARD", "DEALLOCATE"),
    *("CLOSE", "UNLISTEN"),
)
# Statements that read no data although they are SELECTs: pings, and asyncpg's session reset
# when a pooled connection is released (`SELECT pg_advisory_unlock_all(); CLOSE ALL; ...`).
HOUSEKEEPING = ("SELECT 1", "SELECT PG_ADVISORY_UNLOCK_ALL()")


@dataclass
class Counts:
    data_statements: int = 0
    other_statements: int = 0  # transaction control, pings, session settings
    round_trips: int = 0

    def reset(self) -> None:
        self.data_statements = self.other_statements = self.round_trips = 0


def is_data(sql: str) -> bool:
    """Whether `sql` (one message, perhaps several statements) reads or writes data."""
    return any(_is_data_statement(part) for part in sql.split(";"))


def _is_data_statement(sql: str) -> bool:
    words = sql.strip().lstrip("(").split(None, 1)
    if not words:
        return False
    if words[0].upper() in CONTROL:
        return False
    return " ".join(sql.split()).upper() not in HOUSEKEEPING


@dataclass
class ClientStream:
    """The frontend side of one connection, parsed message by message."""

    counts: Counts
    buffer: bytearray = field(default_factory=bytearray)
    started: bool = False  # past the startup packet (which has no type byte)
    statements: dict[bytes, str] = field(default_factory=dict)  # prepared name -> SQL
    portals: dict[bytes, str] = field(default_factory=dict)  # portal -> SQL
    unnamed: str = ""

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                (length,) = struct.unpack("!I", self.buffer[:4])
                if len(self.buffer) < length:
                    return
                (code,) = struct.unpack("!I", self.buffer[4:8])
                del self.buffer[:length]
                if code != SSL_REQUEST:
                    self.started = True
                continue
            if len(self.buffer) < 5:
                return
            kind = self.buffer[0:1]
            (length,) = struct.unpack("!I", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return
            body = bytes(self.buffer[5 : 1 + length])
            del self.buffer[: 1 + length]
            self.message(kind, body)

    def message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self.count(body.split(b"\0", 1)[0].decode(errors="replace"))
        elif kind == b"P":
            name, rest = body.split(b"\0", 1)
            sql = rest.split(b"\0", 1)[0].decode(errors="replace")
            self.statements[name] = sql
            if not name:
                self.unnamed = sql
        elif kind == b"B":
            portal, rest = body.split(b"\0", 1)
            statement = rest.split(b"\0", 1)[0]
            self.portals[portal] = self.statements.get(statement, self.unnamed)
        elif kind == b"E":
            portal = body.split(b"\0", 1)[0]
            self.count(self.portals.get(portal, ""))

    def count(self, sql: str) -> None:
        if is_data(sql):
            self.counts.data_statements += 1
        else:
            self.counts.other_statements += 1


class CountingProxy:
    """Listens on a free local port and forwards to PostgreSQL at `host:port`, counting."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.counts = Counts()
        self.server: asyncio.Server | None = None

    @property
    def listen_port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self.server = await asyncio.start_server(self.connect, "127.0.0.1", 0)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.port)
        client = ClientStream(self.counts)
        turn = {"server_spoke": True}  # the first client message starts a round trip

        async def client_to_server() -> None:
            while chunk := await reader.read(65536):
                if turn["server_spoke"] and client.started:
                    self.counts.round_trips += 1
                    turn["server_spoke"] = False
                client.feed(chunk)
                upstream_writer.write(chunk)
                await upstream_writer.drain()
            upstream_writer.close()

        async def server_to_client() -> None:
            while chunk := await upstream_reader.read(65536):
                turn["server_spoke"] = True
                writer.write(chunk)
                await writer.drain()
            writer.close()

        with contextlib.suppress(ConnectionError):
            await asyncio.gather(client_to_server(), server_to_client())
