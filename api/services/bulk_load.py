"""Bulk loads: set secondary indexes and foreign keys aside while rows stream in, rebuild them
afterwards, and bring the database up to date once the rows are in (`after_bulk_load`).

Maintaining a B-tree or GIN index row by row costs far more than building it once from sorted
input, and a foreign key checks every new row with a query of its own. When a load at least
doubles a table, dropping those structures first and rebuilding them after is much faster; the
rebuild also re-checks every constraint (uniques are rebuilt as unique indexes, foreign keys are
added and validated), so nothing is trusted that was not checked. Primary keys stay: other
tables' foreign keys hang on them.

Everything here works on plain connections, so the same steps run inside one transaction (a
test, or a caller who wants the load atomic) or spread over several connections in parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.related_lists import refresh_all_related
from api.services.listing import relist_all

# Index builds sort in memory when they can; a bulk load's session may use this much.
MAINTENANCE_WORK_MEM = "1GB"

_SECONDARY = text(
    """
    SELECT c.conrelid::regclass::text AS table_name, c.conname AS name,
           CASE c.contype WHEN 'f' THEN 'foreign key' ELSE 'unique' END AS kind,
           CASE c.contype WHEN 'f' THEN pg_get_constraintdef(c.oid)
                ELSE pg_get_indexdef(c.conindid) END AS definition,
           am.amname AS method
    FROM pg_constraint c
    LEFT JOIN pg_class ci ON ci.oid = c.conindid AND c.contype = 'u'
    LEFT JOIN pg_am am ON am.oid = ci.relam
    WHERE c.conrelid = ANY(CAST(:tables AS regclass[]))
      AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (
            SELECT 1 FROM pg_constraint r
            WHERE r.contype = 'f' AND r.confrelid = c.conrelid AND r.conindid = c.conindid)))
    UNION ALL
    SELECT i.indrelid::regclass::text, ci.relname, 'index', pg_get_indexdef(i.indexrelid),
           am.amname
    FROM pg_index i
    JOIN pg_class ci ON ci.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ci.relam
    WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                        AND c.contype IN ('p', 'u', 'x'))
    ORDER BY 1, 2
    """
)


@dataclass(frozen=True)
class SetAside:
    """An index or constraint dropped for a load, and how to put it back."""

    table: str
    name: str
    kind: str  # "index", "unique" or "foreign key"
    definition: str  # CREATE [UNIQUE] INDEX ..., or the foreign key's clause
    method: str | None  # the index's access method ("btree", "gin"); None for a foreign key

    @property
    def build(self) -> str | None:
        """The index build, for indexes and unique constraints."""
        return None if self.kind == "foreign key" else self.definition

    @property
    def attach(self) -> list[str]:
        """Statements after the build: make the unique index a constraint again, or add and
        then validate the foreign key (validating takes a lock that lets readers and other
        validations run)."""
        table, name = self.table, _quote(self.name)
        if self.kind == "unique":
            return [f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"]
        if self.kind == "foreign key":
            return [
                f"ALTER TABLE {table} ADD CONSTRAINT {name} {self.definition} NOT VALID",
                f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}",
            ]
        return []

    @property
    def drop(self) -> str:
        if self.kind == "index":
            schema = self.table.rsplit(".", 1)[0] + "." if "." in self.table else ""
            return f"DROP INDEX {schema}{_quote(self.name)}"
        return f"ALTER TABLE {self.table} DROP CONSTRAINT {_quote(self.name)}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def secondary_structures(
    connection: AsyncConnection, tables: Sequence[str]
) -> list[SetAside]:
    """The foreign keys, unique constraints (not referenced by a foreign key) and plain indexes
    of `tables`: everything a bulk load can drop and rebuild. Primary keys are not listed."""
    rows = await connection.execute(_SECONDARY, {"tables": list(tables)})
    return [SetAside(r.table_name, r.name, r.kind, r.definition, r.method) for r in rows]


async def set_aside(connection: AsyncConnection, tables: Sequence[str]) -> list[SetAside]:
    """Drop the secondary structures of `tables` (foreign keys first); return them for `rebuild`."""
    structures = await secondary_structures(connection, tables)
    order = {"foreign key": 0, "unique": 1, "index": 2}
    for structure in sorted(structures, key=lambda s: order[s.kind]):
        await connection.execute(text(structure.drop))
    return structures


async def tune_for_bulk_work(connection: AsyncConnection, *, local: bool) -> None:
    """Session (or, with `local`, transaction) settings for loading and index builds.

    Losing the last moments of a load to a crash is harmless (the load is simply repeated), so
    commits need not wait for the WAL flush.
    """
    scope = "LOCAL " if local else ""
    await connection.execute(text(f"SET {scope}synchronous_commit = off"))
    await connection.execute(text(f"SET {scope}maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'"))


async def rebuild(connections: Sequence[AsyncConnection], structures: Sequence[SetAside]) -> None:
    """Rebuild what `set_aside` dropped, spreading the work over `connections`.

    Index builds come first, the slowest (GIN) first so the others fit around it; constraints
    are attached afterwards, when every index they need exists. Each connection's statements
    run in its own transaction, or in the caller's when there is a single connection.
    """
    builds = sorted(
        (s for s in structures if s.build is not None),
        key=lambda s: (s.method != "gin", s.table != "articles", s.name),
    )
    await _spread(connections, [s.build for s in builds if s.build is not None])
    adds = [s.attach[0] for s in structures if s.attach]
    await _spread(connections[:1], adds)  # quick, but each locks its tables: one at a time
    await _spread(connections, [s.attach[1] for s in structures if len(s.attach) > 1])


async def _spread(connections: Sequence[AsyncConnection], statements: Sequence[str]) -> None:
    queue = list(reversed(statements))

    async def work(connection: AsyncConnection) -> None:
        while queue:
            await connection.execute(text(queue.pop()))

    await asyncio.gather(*(work(c) for c in connections))


async def after_bulk_load(
    session: AsyncSession, tables: Sequence[str], *, related: bool = False
) -> None:
    """Everything a database needs after rows arrived in bulk, in the session's transaction.

    Planner statistics first: until ANALYZE runs, the planner believes the tables are as small
    as before the load and picks plans for that. Then the catalogue's reader visibility: COPY
    bypasses the write services that set tags', authors' and sections' `visible_from`
    (api/services/listing.py), and until it is set readers see none of the loaded stories'
    sections (feeds that join them drop the stories). Last, with `related`, every story's
    related list (api/related_lists.py); otherwise `broadsheet db refresh-related` does it when
    wanted (on a large archive with Zipf-heavy tags it needs more time and temporary space than
    the load itself).
    """
    for table in tables:
        await session.execute(text(f"ANALYZE {table}"))
    await relist_all(session)
    if related:
        await refresh_all_related(session)
