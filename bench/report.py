"""The benchmark's table, three ways: aligned text for the terminal, Markdown for bench/RESULTS.md
and JSON for anything that compares runs. One list of columns serves all three, so they always
say the same thing."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass

from bench.measure import Row


@dataclass(frozen=True)
class Column:
    title: str
    cell: Callable[[Row], str]
    width: int  # in the text table
    left: bool = False


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _hand_counts(row: Row) -> str:
    theirs = row.theirs
    if theirs is None or row.name.startswith("front page, persisted"):
        return "-"  # the ratio compares with the uncached front page; its counts are not ours
    return f"{_number(theirs.statements)}/{_number(theirs.round_trips)}"


COLUMNS = (
    Column("scenario", lambda r: r.name, 40, left=True),
    Column("w", lambda r: str(r.workers), 2),
    Column("req/s", lambda r: _number(r.ours.rps, 0), 9),
    Column("p50", lambda r: _number(r.ours.p50_ms), 8),
    Column("p99", lambda r: _number(r.ours.p99_ms), 8),
    Column("hand req/s", lambda r: _number(r.theirs.rps if r.theirs else None, 0), 11),
    Column("ratio", lambda r: _number(r.ratio, 2), 7),
    Column("CPU ms", lambda r: _number(r.ours.cpu_ms, 2), 8),
    Column("hand CPU", lambda r: _number(r.theirs.cpu_ms if r.theirs else None, 2), 9),
    Column("stmts", lambda r: _number(r.ours.statements), 7),
    Column("trips", lambda r: _number(r.ours.round_trips), 7),
    Column("hand s/t", _hand_counts, 10),
    Column("failures", lambda r: str(r.ours.failures) if r.ours.failures else "", 9),
)


def caption(args: argparse.Namespace) -> str:
    return (
        f"{args.articles:,} synthetic articles + demo; wrk {args.threads} threads, "
        f"{args.connections} connections, {args.seconds:g}s per scenario and server; w = server "
        "workers; latencies in ms; ratio = req/s over the hand-written endpoint's; CPU = server "
        "CPU ms per request; stmts/trips = data statements and wire round trips per request "
        "(hand s/t: the hand-written endpoint's)"
    )


def text(rows: list[Row], args: argparse.Namespace) -> str:
    def line(cells: list[str]) -> str:
        return "".join(
            cell.ljust(column.width) if column.left else cell.rjust(column.width)
            for column, cell in zip(COLUMNS, cells, strict=True)
        )

    header = line([column.title for column in COLUMNS])
    body = [line([column.cell(row) for column in COLUMNS]) for row in rows]
    return "\n".join(["", caption(args), header, "-" * len(header), *body])


def markdown(rows: list[Row], args: argparse.Namespace) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    rule = ["---" if column.left else "---:" for column in COLUMNS]
    return "\n".join(
        [
            caption(args) + ".",
            "",
            line([column.title for column in COLUMNS]),
            line(rule),
            *(line([column.cell(row) for column in COLUMNS]) for row in rows),
            "",
        ]
    )


def as_json(rows: list[Row], args: argparse.Namespace) -> str:
    settings = {
        key: getattr(args, key)
        for key in ("articles", "seconds", "connections", "threads", "workers")
    }
    document = {"settings": settings, "rows": [row.as_dict() for row in rows]}
    return json.dumps(document, indent=2) + "\n"
