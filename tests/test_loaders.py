"""The request loaders' list path (schema/loaders.py `Loader.load_many`): one fetch for the
keys not yet known, shared with anyone loading the same keys meanwhile, and failures that reach
every caller of the failed keys, as strawberry's per-key path would."""

from __future__ import annotations

import asyncio

import pytest
from strawberry.exceptions import WrongNumberOfResultsReturned

from schema.loaders import Loader, Loaders


class Recorded:
    """A load function that records the key lists it was asked for."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.fail = fail

    async def __call__(self, keys: list[int]) -> list[int]:
        self.calls.append(list(keys))
        await asyncio.sleep(0.01)
        if self.fail:
            raise RuntimeError("database said no")
        return [key * 10 for key in keys]


async def test_known_keys_come_from_the_cache_and_missing_ones_in_one_fetch() -> None:
    fetch = Recorded()
    loader: Loader[int, int] = Loader(load_fn=fetch)
    loader.prime(1, 100)
    assert await loader.load_many([1, 2, 3, 2]) == [100, 20, 30, 20]
    assert fetch.calls == [[2, 3]]
    assert await loader.load_many([3, 2, 1]) == [30, 20, 100]
    assert await loader.load(2) == 20
    assert fetch.calls == [[2, 3]]


async def test_a_concurrent_load_of_a_key_in_flight_waits_for_the_same_fetch() -> None:
    fetch = Recorded()
    loader: Loader[int, int] = Loader(load_fn=fetch)
    many = asyncio.ensure_future(loader.load_many([1, 2]))
    await asyncio.sleep(0)  # the list fetch is under way
    single, again = await asyncio.gather(loader.load(2), loader.load_many([2, 3]))
    assert await many == [10, 20]
    assert single == 20
    assert again == [20, 30]
    assert fetch.calls == [[1, 2], [3]]


async def test_a_failed_fetch_fails_every_caller_of_its_keys() -> None:
    fetch = Recorded(fail=True)
    loader: Loader[int, int] = Loader(load_fn=fetch)
    many = asyncio.ensure_future(loader.load_many([1, 2]))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="database said no"):
        await loader.load(1)
    with pytest.raises(RuntimeError, match="database said no"):
        await many
    with pytest.raises(RuntimeError, match="database said no"):
        await loader.load_many([2])  # the failure is remembered, as strawberry's loader does
    assert fetch.calls == [[1, 2]]


async def test_a_load_function_that_answers_the_wrong_number_of_values_is_an_error() -> None:
    async def short(keys: list[int]) -> list[int]:
        return [1]

    loader: Loader[int, int] = Loader(load_fn=short)
    with pytest.raises(WrongNumberOfResultsReturned):
        await loader.load_many([1, 2])


async def test_a_cancelled_fetch_leaves_nothing_behind() -> None:
    fetch = Recorded()
    loader: Loader[int, int] = Loader(load_fn=fetch)
    many = asyncio.ensure_future(loader.load_many([1]))
    await asyncio.sleep(0)
    many.cancel()
    with pytest.raises(asyncio.CancelledError):
        await many
    assert await loader.load_many([1]) == [10]
    assert fetch.calls == [[1], [1]]


async def test_priming_answers_a_key_waiting_in_a_batch_without_a_fetch() -> None:
    fetch = Recorded()
    loader: Loader[int, int] = Loader(load_fn=fetch)
    waiting = loader.load(7)  # queued in a batch that has not been sent yet
    loader.prime_many({7: 70, 8: 80})
    assert await waiting == 70
    assert await loader.load_many([8, 7]) == [80, 70]
    assert fetch.calls == []


class _Unused:
    """A request session nothing may read from: every answer below must come from priming."""

    async def run(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("a primed key was fetched")


async def test_values_primed_before_a_loader_is_made_are_its_first_answers() -> None:
    loaders = Loaders(_Unused())  # type: ignore[arg-type]
    loaders._prime("section_by_id", {1: "first"})
    loaders._prime("section_by_id", {1: "second", 2: "two"})
    assert "section_by_id" not in vars(loaders)  # priming alone makes no loader
    assert await loaders.section_by_id.load_many([1, 2]) == ["first", "two"]
    loaders._prime("section_by_id", {3: "three", 1: "third"})  # made now: primed directly
    assert await loaders.section_by_id.load_many([3, 1]) == ["three", "first"]
    assert loaders._primed == {}
