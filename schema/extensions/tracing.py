"""OpenTelemetry for GraphQL: Strawberry's tracing extension, one span per operation named by
the operation (`GraphQL Query: FrontPage`), with parsing, validation and resolver spans under it.

Personal data and secrets stay out of the spans: string literals in the recorded document are
replaced by `"…"`, and resolver arguments that may carry them (an e-mail address, a token, a
key's name, a mutation's input) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

from strawberry.extensions import LifecycleStep, SchemaExtension

SENSITIVE_ARGUMENTS = frozenset({"email", "token", "name", "input"})
_STRING_LITERAL = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')


def without_sensitive(arguments: dict[str, Any], info: Any) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if k not in SENSITIVE_ARGUMENTS}


def redacted(document: str) -> str:
    """The document with every string literal replaced (variables are never recorded)."""
    return _STRING_LITERAL.sub('"…"', document)


def tracing_extension(tracer_provider: Any) -> Callable[..., SchemaExtension]:
    """The extension factory, tracing to `tracer_provider` (needs `broadsheet[otel]`)."""
    from strawberry.extensions.tracing import OpenTelemetryExtension

    class OperationTracing(OpenTelemetryExtension):
        def on_operation(self) -> Generator[None, None, None]:
            steps = super().on_operation()
            next(steps)  # the operation's span is started
            span = self._span_holder[LifecycleStep.OPERATION]
            span.set_attribute("query", redacted(self.execution_context.query or ""))
            yield
            for _ in steps:  # ends the span
                pass

    return partial(OperationTracing, tracer_provider=tracer_provider, arg_filter=without_sensitive)
