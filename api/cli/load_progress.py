"""The progress bar of a bulk load, on the terminal's error stream.

It shows one bar per phase (articles copied, indexes rebuilt, newsletters, statistics) and stays
silent when asked to or when stderr is not a terminal (logs, CI, pipes), so output redirected to
a file holds only the final counts.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress, TaskID

_LABELS = {
    "articles": "articles",
    "indexes": "indexes and constraints",
    "newsletters": "newsletters",
    "analyze": "statistics, catalogue, related lists",
}


class LoadProgress:
    """A `progress(phase, done, total)` callback that draws bars with rich."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.enabled = not quiet and console.is_terminal
        self.bars = Progress(console=console, disable=not self.enabled)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> LoadProgress:
        self.bars.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.bars.__exit__(kind, error, trace)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.bars.add_task(_LABELS.get(phase, phase), total=total)
        self.bars.update(self.tasks[phase], completed=done, total=total)
