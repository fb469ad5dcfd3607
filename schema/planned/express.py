"""The express path: a query document the server has answered before, run from its plan
without Strawberry's operation pipeline.

Strawberry runs every operation through its extensions' hooks (limits, input rules, the parser
and validation caches, error masking: four phases each, every request), then builds graphql-core's
executor. For a document it has parsed, validated and answered from a plan already, all that
reaches the same verdicts again: the document is the same text, validation does not depend on
the caller, and a successful answer has no errors to mask. This path keeps the parsed document
and does only what depends on the request: the cost analysis for these variables, the
caller's budget (`admit`, as QueryLimits does), variable coercion, and the plan.

Anything else goes through the full pipeline, which answers exactly as it always does: a
refusal, variables that do not coerce, an operation without a plan, a plan that gives up
(the budget is not charged twice: `Context.charged`). A document is remembered only after the
pipeline answered it without an error.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import DocumentNode, GraphQLError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema import Schema
from strawberry.types import ExecutionResult

from schema.analysis import graphql_schema_of
from schema.extensions.query_limits import admit, analysis_of
from schema.planned.executor import PlannedExecution, hand_over, outcomes

DOCUMENTS_KEPT = 512


class Express:
    """Documents answered before, by text and operation name, and the path that runs them."""

    def __init__(self, schema: Schema, kept: int = DOCUMENTS_KEPT) -> None:
        self.schema = schema
        self.kept = kept
        self._documents: OrderedDict[tuple[str, str | None], DocumentNode] = OrderedDict()

    def remember(
        self, query: str, operation_name: str | None, context: Any, result: ExecutionResult
    ) -> None:
        """Note a document the pipeline answered without an error, planned or not (one without
        a plan is forgotten at its next request)."""
        analysis = context.analysis
        document = context.document
        if result.errors or analysis is None or document is None or not context.planned:
            return
        if analysis.operation_type != "query":
            return
        key = (query, operation_name)
        self._documents[key] = document
        self._documents.move_to_end(key)
        while len(self._documents) > self.kept:
            self._documents.popitem(last=False)

    async def run(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: Any,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult | None:
        """The answer from the plan, or None: then the full pipeline must answer."""
        key = (query, operation_name)
        document = self._documents.get(key)
        if document is None or not context.planned:
            return None
        analysis = analysis_of(graphql_schema_of(self.schema), document, operation_name, variables)
        if analysis is None:
            return None
        execution = PlannedExecution.build(
            self.schema._schema,
            document,
            context_value=context,
            raw_variable_values=variables,
            operation_name=operation_name,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # as Strawberry does
            operation_extensions=operation_extensions,
        )
        if not isinstance(execution, PlannedExecution):  # variables that do not coerce
            return None
        plan = execution.plan()
        if plan is None:
            del self._documents[key]
            return None
        context.analysis = analysis
        try:
            await admit(context, analysis)
        except GraphQLError:  # the pipeline refuses it, in its own words
            return None
        try:
            data = await execution.answer(plan)
        except Exception:
            await hand_over(context)
            context.planned = False  # the plan gave up already: graphql-core answers
            return None
        outcomes["express"] += 1
        return ExecutionResult(data=data, errors=None)
