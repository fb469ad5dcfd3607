"""Bulk synthetic content for benchmarks: a realistic newsroom's archive, loaded with COPY.

`seed_synthetic` adds N published articles (bylines, tags, countries, lead images, full-length
bodies) plus newsletters, written from the same story templates as the demo newsroom and spread
over 2015 to mid-2018 so they sit behind the demo's own stories in every feed. Reference rows
are namespaced with a `syn-` slug prefix (api/demo/synthetic_catalogue.py). The same seed on the
same database gives the same data; running it again appends another N articles.

How it is fast: rows are written in Python in a worker thread while the server copies the
previous batch; given an engine, two connections copy in parallel (the server's work per row,
above all the generated search vector, is the larger half); when the load at least doubles the
articles table, secondary indexes and foreign keys are dropped first and rebuilt afterwards
(api/services/bulk_load.py).

The change log (migration 0003) keeps its per-row triggers: every loaded article gets its
change-log row, written in the loading transaction like any other insert, so delta sync clients
receive the new stories exactly as they would any others. Bypassing the trigger and writing one
summary row would break that contract (the log is read per entity); the trigger's cost was
measured at a small share of the load (README, "Synthetic data").
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from api.demo.synthetic_catalogue import Catalogue, catalogue
from api.demo.synthetic_newsletters import write_newsletters
from api.demo.synthetic_rows import PREFIX, Batch, Writer
from api.models import Article, Source
from api.services.bulk_load import (
    SetAside,
    after_bulk_load,
    rebuild,
    set_aside,
    tune_for_bulk_work,
)

__all__ = ["PREFIX", "SyntheticLoad", "seed_synthetic"]

BATCH_SIZE = 2_000  # articles per COPY round: bounded memory, regular progress, short statements
LOADERS = 2  # connections copying in parallel, given an engine
# Tables the load writes in bulk (their secondary structures are set aside for a large load).
BULK_TABLES = ("articles", "images", "article_authors", "article_tags", "article_countries")
ANALYZED = (*BULK_TABLES, "change_log", "newsletter_issues", "newsletter_items")
APPLICATION_NAME = "broadsheet-seed-synthetic"  # marks the load's connections in pg_stat_activity

# progress(phase, done, total): phases "articles", "indexes", "newsletters", "analyze".
Progress = Callable[[str, int, int], None]


@dataclass
class SyntheticLoad:
    """What a load added (rows per table) and where its time went (seconds per phase)."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rebuilt_indexes: bool = False


async def seed_synthetic(
    target: AsyncEngine | AsyncConnection,
    articles: int,
    sources: int = 20,
    seed: int = 1,
    progress: Progress | None = None,
    *,
    rebuild_indexes: bool | None = None,
    related: bool = False,
) -> SyntheticLoad:
    """Add `articles` published synthetic articles using COPY.

    `target` is an engine (the load commits: reference rows first, then the articles from
    LOADERS connections in parallel, then newsletters) or a connection (everything joins the
    connection's transaction and nothing is committed, e.g. inside a test's rolled-back
    transaction). `rebuild_indexes` None drops and rebuilds the secondary indexes and foreign
    keys when the load at least doubles the articles table; True or False forces the choice.
    `related` True also computes every story's related list (`refresh_all_related`); off by
    default, because on a large archive with Zipf-heavy tags the bulk ranking needs more time
    and temporary space than the load itself (README, Related stories).
    The same `seed` on the same database state always produces the same articles.
    """
    if articles < 0 or sources < 1:
        raise ValueError("articles must be >= 0 and sources >= 1")
    report = progress or (lambda phase, done, total: None)
    if isinstance(target, AsyncEngine):
        return await _load_with_engine(
            target, articles, sources, seed, report, rebuild_indexes, related
        )
    return await _load_on_connection(
        target, articles, sources, seed, report, rebuild_indexes, related
    )


@dataclass
class _Plan:
    writer: Writer
    start: int  # synthetic articles already loaded: numbering continues after them
    rebuild: bool
    load: SyntheticLoad


async def _plan(
    connection: AsyncConnection, articles: int, sources: int, seed: int, force: bool | None
) -> _Plan:
    load = SyntheticLoad()
    started = time.perf_counter()
    existing = int(await connection.scalar(select(func.count()).select_from(Article)) or 0)
    start = await connection.scalar(
        select(func.count())
        .select_from(Article)
        .join(Source, Source.id == Article.source_id)
        .where(Source.slug.startswith(PREFIX))
    )
    start = int(start or 0)
    found: Catalogue = await catalogue(connection, sources, load.rows)
    writer = Writer(
        rng=random.Random(f"broadsheet-synthetic:{seed}:{start}"),  # noqa: S311 -- not security
        seed=seed,
        mastheads=found.mastheads,
        section_ids=found.section_ids,
        tag_ids=found.tag_ids,
        tail_tag_ids=found.tail_tag_ids,
    )
    load.seconds["prepare"] = time.perf_counter() - started
    rebuild_ = force if force is not None else articles > 0 and articles >= existing
    load.rebuilt_indexes = rebuild_
    return _Plan(writer, start, rebuild_, load)


async def _reserve_ids(connection: AsyncConnection, table: str, count: int) -> list[int]:
    """Take `count` values from the table's identity sequence (safe alongside other writers)."""
    result = await connection.execute(
        text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
        ),
        {"table": table, "count": count},
    )
    return list(result.scalars())


async def _stream(
    plan: _Plan,
    control: AsyncConnection,
    loaders: Sequence[AsyncConnection],
    articles: int,
    report: Progress,
) -> None:
    """Write the articles: batches are generated in order (ids reserved on `control`, rows in a
    worker thread) and copied by whichever loader is free."""
    drivers = []
    for loader in loaders:
        driver = (await loader.get_raw_connection()).driver_connection
        # COPY goes straight to asyncpg; it must land in the loader's transaction.
        if driver is None or not driver.is_in_transaction():
            raise RuntimeError("seed_synthetic needs connections with an open transaction")
        drivers.append(driver)
    queue: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=len(loaders))
    totals: dict[str, int] = {}
    done = 0
    generating = 0.0

    def write(first: int, article_ids: list[int], image_ids: list[int]) -> Batch:
        nonlocal generating
        started = time.thread_time()
        batch = plan.writer.batch(first, article_ids, image_ids)
        generating += time.thread_time() - started
        return batch

    async def produce() -> None:
        for offset in range(0, articles, BATCH_SIZE):
            size = min(BATCH_SIZE, articles - offset)
            article_ids = await _reserve_ids(control, "articles", size)
            # One image id per article is reserved; ids of articles without a picture stay
            # unused (sequences have gaps anyway), so the writer never needs the connection.
            image_ids = await _reserve_ids(control, "images", size)
            first = plan.start + offset + 1
            await queue.put(await asyncio.to_thread(write, first, article_ids, image_ids))
        for _ in loaders:
            await queue.put(None)

    async def consume(driver: object) -> None:
        nonlocal done
        while (batch := await queue.get()) is not None:
            await batch.copy(driver)
            for table, rows in batch.sizes().items():
                totals[table] = totals.get(table, 0) + rows
            done += len(batch.articles)
            report("articles", done, articles)

    started = time.perf_counter()
    report("articles", 0, articles)
    await asyncio.gather(produce(), *(consume(d) for d in drivers))
    plan.load.seconds["copy"] = time.perf_counter() - started
    plan.load.seconds["python_rows_cpu"] = generating
    plan.load.rows |= totals


async def _rebuild(
    plan: _Plan,
    structures: Sequence[SetAside],
    rebuilders: Sequence[AsyncConnection],
    report: Progress,
) -> None:
    if not structures:
        return
    started = time.perf_counter()
    report("indexes", 0, len(structures))
    await rebuild(rebuilders, structures)
    report("indexes", len(structures), len(structures))
    plan.load.seconds["indexes"] = time.perf_counter() - started


async def _complete(plan: _Plan, session: AsyncSession, report: Progress, related: bool) -> None:
    """Newsletters over the loaded period, then the post-load hook (statistics and more);
    committed by `session` (a savepoint, when the caller's connection holds the transaction)."""
    started = time.perf_counter()
    report("newsletters", 0, 1)
    plan.load.rows |= await write_newsletters(await session.connection())
    plan.load.seconds["newsletters"] = time.perf_counter() - started
    started = time.perf_counter()
    report("analyze", 0, 1)
    await after_bulk_load(session, ANALYZED, related=related)
    await session.commit()
    report("analyze", 1, 1)
    plan.load.seconds["analyze"] = time.perf_counter() - started


async def _load_on_connection(
    connection: AsyncConnection,
    articles: int,
    sources: int,
    seed: int,
    report: Progress,
    force: bool | None,
    related: bool,
) -> SyntheticLoad:
    """Everything in the connection's transaction: atomic, one server process."""
    plan = await _plan(connection, articles, sources, seed, force)
    await tune_for_bulk_work(connection, local=True)
    structures = await set_aside(connection, BULK_TABLES) if plan.rebuild else []
    await _stream(plan, connection, [connection], articles, report)
    await _rebuild(plan, structures, [connection], report)
    async with AsyncSession(bind=connection, join_transaction_mode="create_savepoint") as session:
        await _complete(plan, session, report, related)
    return plan.load


async def _load_with_engine(
    engine: AsyncEngine,
    articles: int,
    sources: int,
    seed: int,
    report: Progress,
    force: bool | None,
    related: bool,
) -> SyntheticLoad:
    """Reference rows, then LOADERS parallel copying transactions, each committed at the end.

    With a rebuild, the secondary structures are dropped in a committed transaction before the
    copy and rebuilt after it, even when the copy fails; readers meanwhile see correct but
    slower queries.
    """
    async with engine.connect() as control:
        await control.execute(text(f"SET application_name = '{APPLICATION_NAME}'"))
        plan = await _plan(control, articles, sources, seed, force)
        await control.commit()
        structures = await set_aside(control, BULK_TABLES) if plan.rebuild else []
        await control.commit()
        autocommit = await control.execution_options(isolation_level="AUTOCOMMIT")
        try:
            await _with_connections(
                engine, LOADERS, lambda loaders: _copy(plan, autocommit, loaders, articles, report)
            )
        finally:
            # Statement by statement: one connection's new constraint must be visible to the
            # other, and no lock may be held longer than its own step.
            await _with_connections(
                engine,
                LOADERS,
                lambda spare: _rebuild(plan, structures, spare, report),
                autocommit=True,
            )
    async with AsyncSession(engine) as session:
        await session.execute(text(f"SET application_name = '{APPLICATION_NAME}'"))
        await _complete(plan, session, report, related)
    return plan.load


async def _copy(
    plan: _Plan,
    control: AsyncConnection,
    loaders: Sequence[AsyncConnection],
    articles: int,
    report: Progress,
) -> None:
    for loader in loaders:
        await loader.begin()
        await loader.execute(text("SELECT 1"))  # the driver's transaction opens on first use
    await _stream(plan, control, loaders, articles, report)


async def _with_connections(
    engine: AsyncEngine,
    count: int,
    work: Callable[[Sequence[AsyncConnection]], Awaitable[None]],
    *,
    autocommit: bool = False,
) -> None:
    """Run `work` on `count` fresh connections tuned for bulk work; commit each at the end."""
    connections = [await engine.connect() for _ in range(count)]
    try:
        for connection in connections:
            await connection.execute(text(f"SET application_name = '{APPLICATION_NAME}'"))
            await tune_for_bulk_work(connection, local=False)
            await connection.commit()
            if autocommit:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
        await work(connections)
        for connection in connections:
            await connection.commit()
    finally:
        for connection in connections:
            await connection.close()
