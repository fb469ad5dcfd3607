"""Every kind of background job the worker runs, in one list.

A module that needs background work defines its `JobKind`s (api/jobs/kinds.py: a name, an
async handler taking a `JobContext`, a `RetryPolicy`, optionally `every=` for periodic work)
and adds them here; code anywhere in the domain then schedules work with
`api.outbox.enqueue(session, "kind.name", {...})` inside its transaction.
"""

from __future__ import annotations

from api import announcer, maintenance
from api.ingest import polling
from api.jobs.kinds import JobKind, Registry, RetryPolicy
from api.mail import jobs as mail_jobs
from api.webhooks.delivery import WEBHOOK_RETRY, deliver
from api.webhooks.endpoints import DELIVER
from api.webhooks.fan_out import FAN_OUT, fan_out


def job_kinds() -> list[JobKind]:
    """The kinds this build of Broadsheet runs."""
    return [
        JobKind(FAN_OUT, fan_out, RetryPolicy(max_attempts=20, base_delay=1.0, max_delay=600.0)),
        JobKind(DELIVER, deliver, WEBHOOK_RETRY),
        *announcer.JOBS,
        *polling.JOBS,
        *maintenance.JOBS,
        *mail_jobs.JOBS,
    ]


def registry() -> Registry:
    return Registry(job_kinds())
