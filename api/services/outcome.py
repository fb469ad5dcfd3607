"""What a write produced: the changed object, or the problems that stopped it.

Services return an `Outcome` and only flush; api/transactions.py commits it, or rolls it back
when it carries problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from api.services.validation import NOT_FOUND, FieldError, Path, Problems

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The changed object, or the problems that stopped the write (then nothing changed)."""

    value: T | None = None
    errors: list[FieldError] = field(default_factory=list)

    @classmethod
    def failed(cls, problems: Problems) -> Outcome[T]:
        return cls(errors=list(problems.errors))

    @classmethod
    def not_found(cls, path: Path, what: str) -> Outcome[T]:
        return cls(errors=[FieldError(path, f"No {what} with this id.", NOT_FOUND)])
