"""The planned executor: answers a query from its plan (schema/planned/plan.py), level by level.

graphql-core resolves a document field by field and object by object, with a resolver call, a
resolve-info object and often a task for each; for a front page of twenty stories that is some
five hundred of each. A plan knows every field in advance, so this executor answers each field
for all objects of a level at once: plain attributes are read, batch fields (schema/batching.py)
are asked once per level, and only fields without either are resolved object by object.

It must answer exactly as graphql-core would. Whenever anything is not the plain successful case
(an error raised, a null in a non-null position, a value of an unexpected type) it gives up and
graphql-core runs the whole operation instead, so every error, and every partial result, is
graphql-core's own. A differential test holds the two to identical JSON.
"""

from __future__ import annotations

import asyncio
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    get_argument_values,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.batching import BatchInfo, Trail
from schema.cycles import weakly
from schema.loaders import Loaders
from schema.planned.plan import (
    SYNCHRONOUS,
    FieldPlan,
    Kind,
    SelectionPlan,
    Unplannable,
    plan_operation,
)

PLAN_CACHE_SIZE = 512
# How planned operations ended: answered from the plan, or handed to graphql-core.
outcomes: Counter[str] = Counter()
Paths = Sequence[Trail | None]
# Objects met while completing a level, by the plan that answers them: answered next, together.
# (object, its trail, its place in the response) for each, by the plan's id.
Pending = dict[int, tuple[SelectionPlan, list[tuple[Any, Trail, dict[str, Any]]]]]
_plans: OrderedDict[tuple[int, str, str | None], SelectionPlan | None] = OrderedDict()


class GiveUp(Exception):
    """Not the plain successful case: let graphql-core answer."""


async def together(awaitables: list[Awaitable[Any]]) -> list[Any]:
    """Await all, concurrently; then raise the first failure, if any. Nothing is left running
    when graphql-core takes over (a statement still in flight would meet its new ones)."""
    if len(awaitables) <= 1:  # nothing to run beside it: no task needed
        return [await awaitable for awaitable in awaitables]
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@dataclass(frozen=True)
class TypeCheckInfo:
    """What `is_type_of` needs (schema/relay.py's `renders` reads the context)."""

    context: Any


class PlannedExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, answering planned queries itself and the rest as usual."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core keeps two of the executor's own bound methods in it (for resolvers):
        # a cycle, through which the whole request would wait for the cyclic collector.
        helpers = self.async_helpers
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=weakly(helpers.gather), track=weakly(helpers.track)
        )

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self.plan()
        if plan is None or getattr(self.context_value, "planned", True) is False:
            return super().execute_operation(serially)
        return self.run_planned(plan, serially)

    def plan(self) -> SelectionPlan | None:
        location = self.operation.loc
        if location is None:
            return None
        name = self.operation.name.value if self.operation.name else None
        key = (id(self.schema), location.source.body, name)
        if key in _plans:
            _plans.move_to_end(key)
            return _plans[key]
        try:
            plan: SelectionPlan | None = plan_operation(
                self.schema, self.operation, self.fragment_definitions
            )
        except Unplannable:
            plan = None
        _plans[key] = plan
        while len(_plans) > PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
        return plan

    async def run_planned(self, plan: SelectionPlan, serially: bool | None) -> Any:
        try:
            data = await self.answer(plan)
        except Exception:  # anything but the plain case: graphql-core answers, errors included
            await hand_over(self.context_value)
            result = super().execute_operation(serially)
            return await result if self.is_awaitable(result) else result
        return self.build_response(data)

    async def answer(self, plan: SelectionPlan) -> dict[str, Any]:
        """The operation's data, from its plan; raises whenever graphql-core must answer."""
        (data,) = await Run(self).objects(plan, [self.root_value], [None])
        outcomes["planned"] += 1
        return data


async def hand_over(context: Any) -> None:
    """Ready the request for graphql-core after a plan gave up: a failed statement leaves the
    request's transaction aborted, so start afresh, with loaders that hold nothing from the
    rolled-back transaction."""
    outcomes["handed over"] += 1
    await context.db.reset()
    context.loaders = Loaders.create(context.db)


class Run:
    """One planned execution."""

    def __init__(self, executor: PlannedExecution) -> None:
        self.executor = executor
        self.context = executor.context_value
        self.type_check_info = TypeCheckInfo(self.context)
        self.tags = getattr(self.context, "tags", None)

    async def objects(
        self,
        plan: SelectionPlan,
        parents: Sequence[Any],
        paths: Paths,
        results: Sequence[dict[str, Any]] | None = None,
    ) -> Sequence[dict[str, Any]]:
        """The answers for `parents`, all of `plan.parent_type`, written into `results` (the
        objects' places in the response, made empty by their parents) or new dicts."""
        if plan.rendered is not None and self.tags is not None:
            # The whole level at once (`composite` skips the per-object check that would).
            self.tags.record_all(plan.rendered.type_name, parents)
        waiting = [f for f in plan.fields if f.kind not in SYNCHRONOUS]
        if plan.resolves:  # per-object resolvers' loads batch across fields only if concurrent
            found = await together([self.values(f, plan, parents, paths) for f in waiting])
        else:  # batch functions fetch at once: one after the other, no task each
            found = [await self.values(f, plan, parents, paths) for f in waiting]
        awaited = dict(zip((id(f) for f in waiting), found, strict=True))
        pending: Pending = {}
        if results is None:
            results = [{} for _ in parents]
        check = self.type_check_info
        for field_plan in plan.fields:
            key = field_plan.key
            kind = field_plan.kind
            if kind is Kind.TYPENAME:
                name = plan.parent_type.name
                for result in results:
                    result[key] = name
                continue
            if kind is Kind.ATTRIBUTE:
                field_values: list[Any] = list(map(attrgetter(field_plan.attribute), parents))
            elif kind is Kind.EACH:
                assert field_plan.each is not None
                field_values = list(map(field_plan.each, parents))
            else:
                field_values = awaited[id(field_plan)]
            complete = completer(field_plan, self.executor.schema)
            if field_plan.verbatim:  # a str is its own answer: no call for it
                for result, value, path in zip(results, field_values, paths, strict=True):
                    result[key] = (
                        value if type(value) is str else complete(value, path, key, pending, check)
                    )
                continue
            for result, value, path in zip(results, field_values, paths, strict=True):
                result[key] = complete(value, path, key, pending, check)
        levels: list[tuple[SelectionPlan, Sequence[Any], Paths, Sequence[dict[str, Any]]]] = []
        for child, entries in pending.values():
            objects, trails, targets = zip(*entries, strict=True)
            levels.append((child, objects, trails, targets))
        if any(child.resolves for child, *_ in levels):
            await together([self.objects(*level) for level in levels])
        else:
            for level in levels:
                await self.objects(*level)
        return results

    async def values(
        self,
        field_plan: FieldPlan,
        plan: SelectionPlan,
        parents: Sequence[Any],
        paths: Paths,
    ) -> list[Any]:
        if field_plan.kind is Kind.BATCH:
            assert field_plan.batch is not None
            assert field_plan.definition is not None
            arguments = (
                get_argument_values(
                    field_plan.definition, field_plan.nodes[0], self.executor.variable_values
                )
                if field_plan.definition.args
                else {}
            )
            info = BatchInfo(self.context, paths, field_plan.key, arguments, field_plan.selected)
            found = await field_plan.batch(parents, info)
            if len(found) != len(parents):
                raise GiveUp("a batch answered for the wrong number of parents")
            return found
        return await self.resolve_each(field_plan, plan.parent_type, parents, paths)

    async def resolve_each(
        self,
        field_plan: FieldPlan,
        parent_type: GraphQLObjectType,
        parents: Sequence[Any],
        paths: Paths,
    ) -> list[Any]:
        executor = self.executor
        definition = field_plan.definition
        assert definition is not None
        resolve = definition.resolve or executor.field_resolver
        node = field_plan.nodes[0]
        arguments = (
            get_argument_values(definition, node, executor.variable_values)
            if definition.args or node.arguments
            else {}
        )
        results: list[Any] = []
        awaiting: list[tuple[int, Awaitable[Any]]] = []
        for index, (parent, path) in enumerate(zip(parents, paths, strict=True)):
            info = executor.build_resolve_info(
                definition,
                field_plan.nodes,
                parent_type,
                Path(as_path(path), field_plan.key, parent_type.name),
            )
            value = resolve(parent, info, **arguments)
            if executor.is_awaitable(value):
                awaiting.append((index, value))
            results.append(value)
        if awaiting:
            for (index, _), value in zip(
                awaiting, await together([a for _, a in awaiting]), strict=True
            ):
                results[index] = value
        return results


# Completes one value of a field: (value, the parent's path, the response key or list index,
# the objects met so far, what `is_type_of` needs) -> the JSON value.
Completer = Callable[[Any, Trail | None, str | int, Pending, TypeCheckInfo], Any]


def completer(field_plan: FieldPlan, schema: GraphQLSchema) -> Completer:
    """The completer of a field, made on first use and kept with the plan: graphql-core decides
    the same things for every value it completes, this decides them once per field."""
    if field_plan.complete is None:
        field_plan.complete = _completer_for(field_plan, field_plan.return_type, schema)
        nullable = field_plan.return_type
        if isinstance(nullable, GraphQLNonNull):
            nullable = nullable.of_type
        field_plan.verbatim = _strings_as_is(nullable)
    complete: Completer = field_plan.complete
    return complete


def _completer_for(
    field_plan: FieldPlan,
    return_type: GraphQLOutputType,
    schema: GraphQLSchema,
    required: bool = False,
) -> Completer:
    """`required`: the value sits in a non-null position (checked by the completer itself for
    leaves and objects, saving a call per value; by a wrapper for lists)."""
    if isinstance(return_type, GraphQLNonNull):
        inner_type = return_type.of_type
        if not isinstance(inner_type, GraphQLList):
            return _completer_for(field_plan, inner_type, schema, required=True)
        inner = _completer_for(field_plan, inner_type, schema)

        def non_null(
            value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any
        ) -> Any:
            if value is None:
                raise GiveUp("null in a non-null position")
            return inner(value, parent, key, pending, check)

        return non_null
    if isinstance(return_type, GraphQLList):
        item = _completer_for(field_plan, return_type.of_type, schema)

        def listed(
            value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any
        ) -> Any:
            if value is None:
                return None
            if type(value) is not list and (
                isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__")
            ):
                raise GiveUp("not a list")
            path = (parent, key)
            return [item(each, path, index, pending, check) for index, each in enumerate(value)]

        return listed
    if is_leaf_type(return_type):
        assert isinstance(return_type, GraphQLLeafType)
        return _leaf(return_type, required)
    return _composite(field_plan, schema, required)


def _strings_as_is(return_type: GraphQLOutputType) -> bool:
    """graphql-core serializes a str as itself for String and ID: no call needed."""
    return return_type is GraphQLString or return_type is GraphQLID


def _leaf(return_type: GraphQLLeafType, required: bool) -> Completer:
    serialize = return_type.serialize
    as_is = _strings_as_is(return_type)

    def leaf(value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any) -> Any:
        if as_is and type(value) is str:
            return value
        if value is None:
            if required:
                raise GiveUp("null in a non-null position")
            return None
        serialized = serialize(value)
        if serialized is Undefined or serialized is None:
            raise GiveUp("a leaf that does not serialize")
        return serialized

    return leaf


def _composite(field_plan: FieldPlan, schema: GraphQLSchema, required: bool) -> Completer:
    candidates = []
    for name, child in field_plan.children.items():
        object_type = schema.get_type(name)
        assert isinstance(object_type, GraphQLObjectType)
        exact = child.rendered.classes if child.rendered is not None else frozenset()
        candidates.append((object_type.is_type_of, child, exact, id(child)))
    only = len(candidates) == 1

    def composite(
        value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any
    ) -> Any:
        if value is None:
            if required:
                raise GiveUp("null in a non-null position")
            return None
        for is_type_of, candidate, exact, candidate_id in candidates:
            # A row of a class the type renders needs no call (its purge tag is noted with
            # its level: `Run.objects`).
            if type(value) in exact or (
                is_type_of(value, check) if is_type_of is not None else only
            ):
                child, child_id = candidate, candidate_id
                break
        else:
            raise GiveUp("no type renders this value")
        target: dict[str, Any] = {}
        entry = pending.get(child_id)
        if entry is None:
            entry = pending[child_id] = (child, [])
        entry[1].append((value, (parent, key), target))
        return target

    return composite


def as_path(trail: Trail | None) -> Path | None:
    """graphql-core's Path for a trail (for resolvers, which read it from their info)."""
    return None if trail is None else Path(as_path(trail[0]), trail[1], None)


def reset_plans() -> None:
    """Forget every plan (tests that rebuild schemas)."""
    _plans.clear()
