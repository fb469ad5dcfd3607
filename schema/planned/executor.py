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
from collections.abc import Awaitable, Sequence
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    get_argument_values,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.batching import BatchInfo, Trail
from schema.cycles import weakly
from schema.loaders import Loaders
from schema.planned.complete import GiveUp, Pending, TypeCheckInfo, completer
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
_plans: OrderedDict[tuple[int, str, str | None], SelectionPlan | None] = OrderedDict()


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


def as_path(trail: Trail | None) -> Path | None:
    """graphql-core's Path for a trail (for resolvers, which read it from their info)."""
    return None if trail is None else Path(as_path(trail[0]), trail[1], None)


def reset_plans() -> None:
    """Forget every plan (tests that rebuild schemas)."""
    _plans.clear()
