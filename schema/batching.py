"""Fields that can be resolved for many parents at once, declared where the field is.

A resolver answers for one parent; the planned executor (schema/planned/) asks for a whole list
of parents at a time. A field declared with `loaded(...)`, `batched(...)` or `computed(...)`
carries both: the one-parent resolver Strawberry runs, and a batch function in the field's
metadata the planned executor runs. Both are built from the same definition here, so they
cannot disagree. Fields without one are resolved parent by parent (still correct, just slower).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry

if TYPE_CHECKING:
    from strawberry.dataloader import DataLoader

    from schema.context import Context
    from schema.loaders import Loaders

BATCH = "broadsheet.batch"  # the metadata key holding a field's batch function
# Set (True) on a field with arguments whose batch function reads them from `BatchInfo.arguments`;
# the planned executor resolves other fields with arguments parent by parent.
WITH_ARGUMENTS = "broadsheet.with_arguments"
# The metadata key holding a field's value as a plain function of its parent (no I/O): the
# planned executor calls it for each parent in a loop, without a coroutine.
EACH = "broadsheet.each"

# A response path as the planned executor keeps it: (the parent's trail, key), None at the root.
# A tuple costs no call to make, and most paths are never read.
Trail = tuple[Any, str | int]


def trail_of(keys: Sequence[str | int]) -> Trail | None:
    """The trail of a path given as its keys from the root."""
    trail: Trail | None = None
    for key in keys:
        trail = (trail, key)
    return trail


def trail_keys(trail: Trail | None) -> list[str | int]:
    """The keys from the root to the end of `trail` (as graphql-core's `Path.as_list()`)."""
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    keys.reverse()
    return keys


@dataclass(frozen=True)
class BatchInfo:
    """What a batch function knows: the request's context and where each parent sits."""

    context: Context
    parent_paths: Sequence[Trail | None]
    key: str  # the field's response key
    # The field's arguments as GraphQL coerced them (schema names, defaults filled in); only for
    # fields declared WITH_ARGUMENTS.
    arguments: dict[str, Any] = field(default_factory=dict)
    # The fields selected below it, as paths of field names (`nodes.tags`, ...: the planned
    # executor's `FieldPlan.selected`), for a batch function that reads less for less; None
    # when not known (read everything).
    selected: frozenset[str] | None = None

    @property
    def paths(self) -> list[tuple[str | int, ...]]:
        """The field's response path for each parent (as `info.path.as_list()` would say)."""
        return [(*trail_keys(parent), self.key) for parent in self.parent_paths]


BatchFunction = Callable[[Sequence[Any], BatchInfo], Awaitable[list[Any]]]


def batch_of(field: Any) -> BatchFunction | None:
    """The batch function declared on a Strawberry field, if any."""
    metadata = getattr(field, "metadata", None) or {}
    function: BatchFunction | None = metadata.get(BATCH)
    return function


def takes_arguments(field: Any) -> bool:
    """Whether a field's batch function reads the field's arguments (WITH_ARGUMENTS)."""
    metadata = getattr(field, "metadata", None) or {}
    return bool(metadata.get(WITH_ARGUMENTS))


def each_of(field: Any) -> Callable[[Any], Any] | None:
    """The per-parent function declared on a Strawberry field (`computed`), if any."""
    metadata = getattr(field, "metadata", None) or {}
    function: Callable[[Any], Any] | None = metadata.get(EACH)
    return function


def reads(read: Callable[[Any], Any]) -> dict[str, Any]:
    """Field metadata for a value read from the parent alone: `read(parent)`."""
    return {EACH: read}


def loaded(
    loader: Callable[[Loaders], DataLoader[Any, Any]],
    key: Callable[[Any], Any],
    graphql_type: Any,
    description: str | None = None,
) -> Any:
    """A field whose value is `loader`'s answer for `key(parent)` (None when the key is)."""

    async def resolve(root: strawberry.Parent[Any], info: strawberry.Info) -> Any:
        value = key(root)
        return None if value is None else await loader(info.context.loaders).load(value)

    async def batch(parents: Sequence[Any], info: BatchInfo) -> list[Any]:
        keys = [key(parent) for parent in parents]
        wanted = [k for k in keys if k is not None]
        found = await loader(info.context.loaders).load_many(wanted) if wanted else []
        values = iter(found)
        return [None if k is None else next(values) for k in keys]

    return strawberry.field(
        resolver=resolve,
        graphql_type=graphql_type,
        description=description,
        metadata={BATCH: batch},
    )


def batched(
    batch: Callable[[Sequence[Any], Context], Awaitable[list[Any]]],
    graphql_type: Any,
    description: str | None = None,
) -> Any:
    """A field computed for a list of parents by `batch(parents, context)`."""

    async def resolve(root: strawberry.Parent[Any], info: strawberry.Info) -> Any:
        return (await batch([root], info.context))[0]

    async def for_many(parents: Sequence[Any], info: BatchInfo) -> list[Any]:
        return await batch(parents, info.context)

    return strawberry.field(
        resolver=resolve,
        graphql_type=graphql_type,
        description=description,
        metadata={BATCH: for_many},
    )


def computed(
    compute: Callable[[Any], Any], graphql_type: Any, description: str | None = None
) -> Any:
    """A field computed from its parent alone, without I/O (a global id, a renamed column)."""

    def resolve(root: strawberry.Parent[Any]) -> Any:
        return compute(root)

    return strawberry.field(
        resolver=resolve,
        graphql_type=graphql_type,
        description=description,
        metadata=reads(compute),
    )
