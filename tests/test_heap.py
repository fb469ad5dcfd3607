"""Garbage-collection settings applied at start-up (api/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from api.heap import settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_start_up_heap_is_frozen_and_the_young_threshold_raised(restored_gc: None) -> None:
    gc.unfreeze()
    _, gen1, gen2 = gc.get_threshold()
    settle_heap(freeze=True, gen0_threshold=12_345)
    assert gc.get_threshold() == (12_345, gen1, gen2)
    assert gc.get_freeze_count() > 0


def test_both_can_be_turned_off(restored_gc: None) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    settle_heap(freeze=False, gen0_threshold=0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
