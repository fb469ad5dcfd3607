"""The job outbox and the worker: jobs exist exactly when their transaction commits, run once,
retry with backoff and jitter, die after their attempts, stay scheduled when periodic, are never
run by two workers at once, and the worker rides out a database restart."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api import migrations
from api.caching import NoResponseCache
from api.database import Database, open_session
from api.jobs.kinds import (
    GiveUp,
    JobContext,
    JobKind,
    Registry,
    RetryLater,
    RetryPolicy,
    WorkerResources,
)
from api.jobs.worker import Worker
from api.models_outbox import Job
from api.outbox import enqueue
from api.services.outcome import Outcome
from api.services.validation import FieldError
from api.settings import Settings
from api.transactions import transaction
from api.visibility import EVERYTHING
from api.webhooks.delivery import WEBHOOK_RETRY
from tests.partners_support import migrated_scratch
from tests.test_outage import ThrowawayPostgres

ran: list[tuple[str, int, int]] = []


async def record(job: JobContext) -> None:
    ran.append((job.kind, job.job_id, job.attempt))


async def explode(job: JobContext) -> None:
    ran.append((job.kind, job.job_id, job.attempt))
    raise RuntimeError("receiver exploded")


async def give_up(job: JobContext) -> None:
    raise GiveUp("this can never work")


async def later(job: JobContext) -> None:
    raise RetryLater("not yet", delay=3600)


REGISTRY = Registry(
    [
        JobKind("test.record", record),
        JobKind("test.explode", explode, RetryPolicy(max_attempts=3, base_delay=10)),
        JobKind("test.give_up", give_up),
        JobKind("test.later", later),
    ]
)


@pytest.fixture(autouse=True)
def forget_runs() -> None:
    ran.clear()


def worker(database: Database, settings: Settings, registry: Registry = REGISTRY) -> Worker:
    return Worker(WorkerResources(database, settings, NoResponseCache()), registry)


async def jobs_of(session: AsyncSession, kind: str) -> list[Job]:
    statement = select(Job).where(Job.kind == kind).order_by(Job.id)
    return list((await session.scalars(statement.execution_options(populate_existing=True))).all())


async def enqueue_write(session: AsyncSession, kind: str, fail: bool = False) -> Outcome[int]:
    job_id = await enqueue(session, kind, {"n": 1})
    if fail:
        return Outcome(errors=[FieldError(("input",), "refused")])
    assert job_id is not None
    return Outcome(job_id)


async def test_a_job_exists_exactly_when_its_transaction_commits(
    db_session: AsyncSession, database: Database, settings: Settings
) -> None:
    refused = await transaction(db_session, enqueue_write, "test.record", True)
    assert refused.errors
    assert await jobs_of(db_session, "test.record") == []

    committed = await transaction(db_session, enqueue_write, "test.record")
    assert [job.id for job in await jobs_of(db_session, "test.record")] == [committed.value]

    assert await worker(database, settings).run_until_idle() >= 1
    [job] = await jobs_of(db_session, "test.record")
    assert (job.state, job.attempts, job.finished_at is not None) == ("done", 1, True)
    assert ran == [("test.record", job.id, 1)]


async def test_a_dedupe_key_allows_one_live_job(db_session: AsyncSession) -> None:
    first = await enqueue(db_session, "test.record", dedupe_key="once")
    again = await enqueue(db_session, "test.record", dedupe_key="once")
    assert first is not None
    assert again is None
    with pytest.raises(ValueError, match="time zone"):
        await enqueue(db_session, "test.record", run_at=datetime(2030, 1, 1))


async def test_failures_retry_with_backoff_then_the_job_dies(
    db_session: AsyncSession, database: Database, settings: Settings
) -> None:
    await transaction(db_session, enqueue_write, "test.explode")
    work = worker(database, settings)
    await work.run_until_idle()
    [job] = await jobs_of(db_session, "test.explode")
    assert (job.state, job.attempts) == ("pending", 1)
    assert job.last_error == "RuntimeError: receiver exploded"
    delay = (job.run_at - await db_session.scalar(select(text("now()")))).total_seconds()
    assert 5 <= delay <= 10  # base 10 s, equal jitter: between half and all of it

    for _ in range(2):  # due again (as if the delay had passed): attempts 2 and 3
        await db_session.execute(text("UPDATE jobs SET run_at = now() WHERE kind = 'test.explode'"))
        await db_session.commit()
        await work.run_until_idle()
    [job] = await jobs_of(db_session, "test.explode")
    assert (job.state, job.attempts) == ("dead", 3)
    assert [attempt for _, _, attempt in ran] == [1, 2, 3]


async def test_give_up_and_retry_later_are_honoured(
    db_session: AsyncSession, database: Database, settings: Settings
) -> None:
    await transaction(db_session, enqueue_write, "test.give_up")
    await transaction(db_session, enqueue_write, "test.later")
    await transaction(db_session, enqueue_write, "test.unknown-kind")
    await worker(database, settings).run_until_idle()
    [dead] = await jobs_of(db_session, "test.give_up")
    assert (dead.state, dead.attempts, dead.last_error) == (
        "dead",
        1,
        "gave up: this can never work",
    )
    now = await db_session.scalar(select(text("now()")))
    for kind, wait in (("test.later", 3600), ("test.unknown-kind", 300)):
        [job] = await jobs_of(db_session, kind)
        assert job.state == "pending"
        assert (job.run_at - now).total_seconds() == pytest.approx(wait, abs=1)


async def test_periodic_kinds_stay_scheduled(
    db_session: AsyncSession, database: Database, settings: Settings
) -> None:
    registry = Registry([JobKind("test.periodic", record, every=timedelta(hours=1))])
    await worker(database, settings, registry).run_until_idle()
    jobs = await jobs_of(db_session, "test.periodic")
    assert [job.state for job in jobs] == ["done", "pending"]
    wait = jobs[1].run_at - datetime.now(UTC)
    assert timedelta(minutes=59) < wait <= timedelta(hours=1)
    # Housekeeping again adds nothing while one is scheduled.
    await worker(database, settings, registry).run_until_idle()
    assert len(await jobs_of(db_session, "test.periodic")) == 2


def test_backoff_has_jitter_and_webhooks_retry_for_about_a_day() -> None:
    policy = RetryPolicy(base_delay=4, max_delay=100)
    delays = {policy.delay(3) for _ in range(50)}
    assert all(8 <= delay <= 16 for delay in delays)
    assert len(delays) > 40  # jittered, not a fixed schedule
    assert policy.delay(30) <= 100
    ceilings = WEBHOOK_RETRY.schedule()
    assert ceilings[0] == 5
    assert 20 * 3600 < sum(ceilings) < 32 * 3600  # the last retry is about a day after the first


# --- real concurrency and a real outage: databases of their own ------------------------------


@pytest.fixture(scope="module")
def scratch_url() -> object:
    with migrated_scratch("broadsheet_jobs") as url:
        yield url


async def test_several_workers_never_run_one_job_twice(
    scratch_url: str, settings: Settings
) -> None:
    runs: list[tuple[int, str]] = []

    def tracking(name: str) -> JobKind:
        async def handler(job: JobContext) -> None:
            runs.append((job.job_id, name))
            await asyncio.sleep(0.01)

        return JobKind("test.count", handler)

    local = settings.model_copy(update={"database_url": None, "broadsheet_worker_concurrency": 4})
    databases = [Database.connect(scratch_url, local) for _ in range(3)]
    try:
        async with open_session(databases[0].sessions, EVERYTHING) as session:
            for _ in range(120):
                await enqueue(session, "test.count")
            await session.commit()
        workers = [
            Worker(
                WorkerResources(db, local, NoResponseCache()),
                Registry([tracking(f"w{index}")]),
                name=f"w{index}",
            )
            for index, db in enumerate(databases)
        ]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        for _ in range(200):
            if len(runs) >= 120:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a duplicate, were there one, would land now
        stop.set()
        await asyncio.gather(*tasks)
        async with open_session(databases[0].sessions, EVERYTHING) as session:
            states = Counter((await session.scalars(select(Job.state))).all())
    finally:
        for db in databases:
            await db.dispose()
    assert states == {"done": 120}
    per_job = Counter(job_id for job_id, _ in runs)
    assert len(per_job) == 120
    assert set(per_job.values()) == {1}
    assert len({name for _, name in runs}) > 1, "all three workers should have taken jobs"


@pytest.fixture
def throwaway_postgres(tmp_path_factory: pytest.TempPathFactory) -> object:
    postgres = ThrowawayPostgres(tmp_path_factory.mktemp("pg"))
    migrations.upgrade("head", database_url=postgres.url)
    yield postgres
    try:
        postgres.start()
    finally:
        postgres.cleanup()


async def test_the_worker_survives_a_database_restart(
    throwaway_postgres: ThrowawayPostgres, settings: Settings
) -> None:
    postgres = throwaway_postgres
    if True:
        local = settings.model_copy(
            update={"database_url": None, "broadsheet_worker_poll_seconds": 0.2}
        )
        database = Database.connect(postgres.url, local)
        work = Worker(WorkerResources(database, local, NoResponseCache()), REGISTRY)
        stop = asyncio.Event()
        task = asyncio.create_task(work.run(stop))

        async def add_job() -> None:
            async with open_session(database.sessions, EVERYTHING) as session:
                await enqueue(session, "test.record")
                await session.commit()

        await add_job()
        for _ in range(100):
            if ran:
                break
            await asyncio.sleep(0.05)
        assert len(ran) == 1
        postgres.stop()
        await asyncio.sleep(1.5)  # the worker meets the outage and backs off
        assert not task.done()
        postgres.start()
        for _ in range(200):  # the pool reconnects; the listener is made again
            try:
                await add_job()
                break
            except Exception:
                await asyncio.sleep(0.1)
        for _ in range(300):
            if len(ran) == 2:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task
        await database.dispose()
        assert len(ran) == 2
