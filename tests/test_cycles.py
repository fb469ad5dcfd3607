"""A request's objects are freed by reference counting when it ends (schema/cycles.py): pages
read through either executor leave no cyclic garbage of the server's own behind."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from api.database import Database
from api.settings import Settings
from bench.scenarios import FRONT_RELATED, NEWSLETTER, SEARCH, SECTION
from tests.api_clients import app_client

PAGES = [
    {"query": FRONT_RELATED},
    {"query": SECTION, "variables": {"slug": "diplomacy", "after": None}},
    {"query": SEARCH, "variables": {"q": "nuclear"}},
    {"query": NEWSLETTER},
]
# Whose objects count: the test's own client (httpx keeps a cycle per response) does not.
SERVER_MODULES = ("api.", "schema.", "graphql.", "strawberry.", "sqlalchemy.", "starlette.")


@contextmanager
def cyclic_garbage() -> Iterator[Counter[str]]:
    """The server's objects that only the cyclic collector would have freed, by type, made
    while the block runs."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: Counter[str] = Counter()
    try:
        yield found
        gc.collect()
        names = (f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
        found.update(name for name in names if name.startswith(SERVER_MODULES))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def read(client: httpx.AsyncClient, page: dict[str, object]) -> None:
    response = await client.post("/graphql", json=page)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text


@pytest.mark.parametrize("planned", [True, False], ids=["planned", "graphql-core"])
async def test_pages_leave_no_cyclic_garbage(
    settings: Settings, database: Database, planned: bool
) -> None:
    async with app_client(settings, database, broadsheet_planned_execution=planned) as (
        client,
        _,
    ):
        for page in PAGES:  # a document's first request parses and validates it (cached)
            await read(client, page)
        with cyclic_garbage() as garbage:
            for page in PAGES * 2:
                await read(client, page)
    assert garbage == Counter()
