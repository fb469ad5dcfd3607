"""Which plan PostgreSQL runs a prepared statement with: its generic plan, or one made for the
values of each execution.

Statements are prepared once per connection and executed again and again. Planning each
execution for its values (`force_custom_plan`) costs more than running most of them: the
section feed took 0.9 ms to plan and 0.3 ms to run, 1.0 ms in all, against 0.3 ms on its
generic plan (bench/RESULTS.md, fifth part). Their best plan does not depend on the values: a
feed walks its index from the newest story whichever section it is, and a lookup by key is a
lookup by key. A search is another matter. Whether to walk the feed index or read the word's
matches from the search index depends on how common the word is: on the generic plan a common
word took 74 ms where its own plan took 6. The same holds for feeds filtered by tag, author,
country or date.

So each connection starts in `force_custom_plan` (api/database.py), and the kept read
statements (api/queries/driver.py) run on their generic plan unless they were declared
`value_sensitive`. A connection's mode is switched with `SET` only when a statement needs the
other one, and is remembered per connection. Statements run by the ORM (writes, jobs,
maintenance) always get the custom mode back first (`custom_plans_for_orm`).

A `SET` inside a transaction is undone if the transaction, or a savepoint since, rolls back,
so a mode set there is not trusted afterwards: the next statement that cares sets it again.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeVar

from sqlalchemy import Executable, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import await_

CUSTOM = "force_custom_plan"
GENERIC = "force_generic_plan"
VALUE_SENSITIVE = "broadsheet_value_sensitive"  # the execution option `value_sensitive` sets

E = TypeVar("E", bound=Executable)
# Per asyncpg connection: the mode it was put in (None: not known), and the transaction that
# was open then (None: none, so the mode holds until changed). Absent: as it connected, CUSTOM.
_modes: weakref.WeakKeyDictionary[Any, tuple[str | None, Any]] = weakref.WeakKeyDictionary()


def value_sensitive(statement: E) -> E:
    """`statement`, declared to need a plan made for its values (see the module's docstring)."""
    return statement.execution_options(**{VALUE_SENSITIVE: True})


def mode_for(statement: Executable) -> str:
    """The mode a kept read statement runs in."""
    return CUSTOM if statement.get_execution_options().get(VALUE_SENSITIVE) else GENERIC


def _known(adapter: Any) -> str | None:
    mode, transaction = _modes.get(adapter._connection, (CUSTOM, None))
    if transaction is not None and transaction is not adapter._transaction:
        return None  # set inside a transaction that has ended since: perhaps undone
    return mode


async def use_mode(adapter: Any, mode: str) -> None:
    """Put the connection behind SQLAlchemy's asyncpg `adapter` in `mode`, unless it is known
    to be in it already. The caller holds the connection (no other statement is running)."""
    if _known(adapter) == mode:
        return
    await adapter._connection.execute(f"SET plan_cache_mode = {mode}")
    _modes[adapter._connection] = (mode, adapter._transaction)


def custom_plans_for_orm(engine: AsyncEngine) -> None:
    """Give every statement the ORM runs on `engine` the custom mode."""
    event.listen(engine.sync_engine, "before_cursor_execute", _before_orm_statement)


def _before_orm_statement(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    if cursor is None:  # the kept statements' own announcement (api/queries/driver.py)
        return
    adapter = connection.connection.dbapi_connection
    if statement.startswith("ROLLBACK TO SAVEPOINT"):  # undoes a mode set since the savepoint
        _modes[adapter._connection] = (None, adapter._transaction)
    elif not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) and _known(adapter) != CUSTOM:
        try:
            await_(use_mode(adapter, CUSTOM))  # runs in SQLAlchemy's greenlet: it may wait
        except Exception:  # a dead connection, an aborted transaction: the statement itself
            # meets the same, and SQLAlchemy reports it as for any statement
            _modes[adapter._connection] = (None, adapter._transaction)
