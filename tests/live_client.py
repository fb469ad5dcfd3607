"""A small graphql-transport-ws client for the subscription tests (the `websockets` package)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class LiveClient:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: Any) -> None:
        await self.connection.send(message if isinstance(message, str) else json.dumps(message))

    async def receive(self, within: float = 10.0) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), within))
        return message

    async def subscribe(
        self, operation_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        await self.send({"type": "subscribe", "id": operation_id, "payload": payload})

    async def next_data(self, within: float = 10.0) -> dict[str, Any]:
        """The data of the next `next` message (fails on anything else)."""
        message = await self.receive(within)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def nothing_within(self, seconds: float) -> bool:
        """True if no message arrives within `seconds`."""
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message: {message}")

    async def closed(self, within: float = 10.0) -> tuple[int | None, str | None]:
        """Wait for the server to close the socket; its close code and reason."""
        with contextlib.suppress(Exception):
            while True:
                await asyncio.wait_for(self.connection.recv(), within)
        return self.connection.close_code, self.connection.close_reason


@contextlib.asynccontextmanager
async def live_socket(
    url: str, key: str | None = None, init: bool = True
) -> AsyncIterator[LiveClient]:
    """A WebSocket on `url`, initialised with `key` (no key: anonymous) unless `init` is False."""
    async with connect(url, subprotocols=[PROTOCOL], open_timeout=10) as connection:  # type: ignore[list-item]
        client = LiveClient(connection)
        if init:
            payload = {"Authorization": f"Bearer {key}"} if key else {}
            await client.send({"type": "connection_init", "payload": payload})
            ack = await client.receive()
            assert ack["type"] == "connection_ack", ack
        yield client
