"""Kept read statements, run straight on the session's asyncpg connection.

An ORM execution costs some 450 Python calls per statement (a compiled-cache lookup by cache
key, an ORM compile state, an execution context, a result with its row processors) where
asyncpg's own fetch costs about 120, and a page runs three of them. The read side's statements
are kept: built once, at import or once per page shape, and run again with new parameters. For
those, `rows` does SQLAlchemy's per-execution work once per statement (it compiles the
statement, with the visibility criteria, to asyncpg's SQL; notes which parameter fills each
placeholder and how each column is converted), and each execution is then one asyncpg fetch.

What stays as it is for an ORM execution:
- visibility: the same criteria-bearing form of the statement (api/visibility.py) and the
  same `visible_at` value;
- the connection and transaction: the session's own, begun first where SQLAlchemy would;
- engine events: `before_cursor_execute` and `after_cursor_execute` listeners (statement
  counts, tests, tracing) see every statement (with no cursor: there is none);
- errors: translated and wrapped as SQLAlchemy does, a dead connection invalidated, so that
  `RequestSession`'s retry and the outage classification treat them alike.

Each runs on PostgreSQL's generic plan for it unless declared `value_sensitive` (api/plans.py).

Rows come back as tuples, never entities: an entity select runs through the ORM instead, as
does a statement whose SQL depends on the values it runs with (an expanding IN).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.types import TypeEngine

from api.plans import mode_for, use_mode
from api.visibility import visibility_of, visible_form

Row = Sequence[Any]


@dataclass(slots=True)
class _Compiled:
    """What running one statement takes, worked out once."""

    sql: str
    names: tuple[str, ...]  # the parameter bound to $1, $2, ...
    defaults: Mapping[str, Any]  # values the statement carries (a LIMIT, a literal)
    binders: tuple[Callable[[Any], Any] | None, ...]  # per placeholder
    types: tuple[TypeEngine[Any], ...]  # per result column
    mode: str  # the plan PostgreSQL runs it with (api/plans.py)
    # (column, result processor), known at the first execution: a processor may depend on
    # the type PostgreSQL answers with (a float or a numeric for a Float column).
    converters: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, bind in zip(self.names, self.binders, strict=True):
            value = parameters[name] if name in parameters else self.defaults[name]
            values.append(value if bind is None else bind(value))
        return values


class _Context:
    """Stands in for an execution context in engine events (tracing keeps its span on it)."""

    executemany = False


_compiled: weakref.WeakKeyDictionary[Executable, _Compiled | None] = weakref.WeakKeyDictionary()


async def rows(
    session: AsyncSession, statement: Executable, parameters: Mapping[str, Any] | None = None
) -> list[Row]:
    """The rows of `statement`, a kept column select, read with the session's visibility."""
    visibility = visibility_of(session)
    visible = visible_form(statement, visibility)
    connection = await session.connection()
    try:
        compiled = _compiled[visible]
    except KeyError:
        compiled = _compiled[visible] = _compile(visible, connection.dialect, mode_for(statement))
    if compiled is None:  # needs SQLAlchemy's per-execution rendering
        return list((await session.execute(statement, parameters)).all())
    arguments = compiled.arguments({**(parameters or {}), **visibility.parameters()})
    return await _fetch(connection, compiled, arguments)


async def _fetch(
    connection: AsyncConnection, compiled: _Compiled, arguments: list[Any]
) -> list[Row]:
    sync = connection.sync_connection
    assert sync is not None
    fairy = sync.connection
    adapter: Any = fairy.dbapi_connection
    context = _Context()
    dispatch = sync.dispatch
    dispatch.before_cursor_execute(sync, None, compiled.sql, arguments, context, False)
    dialect: Any = sync.dialect
    try:
        # As SQLAlchemy's own cursor does: one statement at a time on the connection, BEGIN
        # first unless autocommit, and its cache of prepared statements.
        async with adapter._execute_mutex:
            if adapter._transaction is None:
                await adapter._start_transaction()
            await use_mode(adapter, compiled.mode)
            prepared, attributes = await adapter._prepare(
                compiled.sql, dialect._invalidate_schema_cache_asof
            )
            records = await prepared.fetch(*arguments)
    except Exception as error:
        await connection.run_sync(_raise_wrapped, error, compiled.sql, arguments)
        raise  # unreachable: _raise_wrapped raises
    dispatch.after_cursor_execute(sync, None, compiled.sql, arguments, context, False)
    converters = compiled.converters
    if converters is None:
        converters = compiled.converters = _converters(compiled.types, attributes, dialect)
    if not converters:
        return records  # type: ignore[no-any-return]
    converted: list[Row] = []
    for record in records:
        values = list(record)
        for index, convert in converters:
            values[index] = convert(values[index])
        converted.append(values)
    return converted


def _raise_wrapped(sync: Connection, error: Exception, sql: str, arguments: list[Any]) -> None:
    """Raise `error` as SQLAlchemy would have (translated to its DBAPI error, wrapped, the
    connection invalidated on a disconnect); runs in SQLAlchemy's greenlet (`run_sync`)."""
    adapter: Any = sync.connection.dbapi_connection
    try:
        adapter._handle_exception(error)  # raises the DBAPI-level translation
    except Exception as translated:
        sync._handle_dbapi_exception(translated, sql, arguments, None, None)
    raise error


def _compile(statement: Executable, dialect: Dialect, mode: str) -> _Compiled | None:
    select: Any = statement
    compiled: Any = select.compile(dialect=dialect)
    sql: str = compiled.string
    rendered = set()
    for bind in compiled.literal_execute_params | compiled.post_compile_params:
        # Rendered into the SQL per execution, from its value. A LIMIT fixed per page shape
        # holds its value in the statement: render it once. Anything else (an expanding IN)
        # depends on the values run with, so the ORM runs the statement.
        value = bind.value
        if bind.callable is not None or type(value) is not int:
            return None
        name = compiled.bind_names[bind]
        sql = sql.replace(f"__[POSTCOMPILE_{name}]", str(value))
        rendered.add(name)
    for description in getattr(select, "column_descriptions", ()):
        entity = description.get("entity")
        if entity is not None and description.get("expr") is entity:
            return None  # an entity select: the ORM builds the entities
    names = tuple(name for name in compiled.positiontup or () if name not in rendered)
    binds = compiled.binds
    processors = compiled._bind_processors
    defaults = {
        name: binds[name].effective_value
        for name in names
        if not binds[name].required and binds[name].value is not None
    }
    return _Compiled(
        sql=sql,
        names=names,
        defaults=defaults,
        binders=tuple(processors.get(name) for name in names),
        types=tuple(column.type for column in compiled._result_columns),
        mode=mode,
    )


def _converters(
    types: Sequence[TypeEngine[Any]], attributes: Sequence[Any], dialect: Dialect
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    converters = []
    for index, (type_, attribute) in enumerate(zip(types, attributes, strict=True)):
        convert = type_._cached_result_processor(dialect, attribute.type.oid)
        if convert is not None:
            converters.append((index, convert))
    return tuple(converters)
