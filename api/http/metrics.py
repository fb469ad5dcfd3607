"""`/metrics` (Prometheus text) and the request log: what every request did, reported once.

The middleware is the app's outermost: it opens the request's signals (api/http/signals.py) and
statistics (api/telemetry.py), times the request, and at its end records:

- requests by path, method and status class, and their latency;
- GraphQL operations by operation name and type, with a latency histogram. Names are labels
  only while they look like names and are among the first MAX_OPERATION_NAMES seen; the rest
  are `other`, unnamed ones `anonymous`, so clients cannot grow the label set without bound;
- the response cache's hits and misses (hit ratio: hits / (hits + misses));
- refusals by reason (rate limit, cost budget, unauthenticated, query too complex);
- time spent waiting for a pooled database connection;
- one log line (logger `broadsheet.requests`): request id, method, path, operation, key name
  (never the secret), status, duration, SQL statements, connection wait.

Also exposed: requests in flight, primary connections in use, open subscriptions and live
events received, and, with a replica, whether it is up, its lag (bytes, seconds), where reads
went and how long read-your-writes waited. Each app has its own registry (tests build many apps
in one process). With several workers each process exposes its own numbers.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.database import Database
from api.fanout import LiveHub
from api.http.clients import request_id_of
from api.http.signals import RequestSignals, signals_of
from api.replica import Replica
from api.telemetry import RequestStats, measuring

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
WAIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
MAX_OPERATION_NAMES = 100
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

request_log = logging.getLogger("broadsheet.requests")


class OperationLabels:
    """Operation names as metric labels, bounded (see the module's docstring)."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._known: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._known:
            return name
        if not _NAME.fullmatch(name) or len(self._known) >= self.limit:
            return "other"
        self._known.add(name)
        return name


class ReplicaCollector(Collector):
    """The replica's state and lag, read at scrape time."""

    def __init__(self, replica: Replica) -> None:
        self.replica = replica

    def collect(self) -> Iterator[Metric]:
        stats = self.replica.stats
        yield GaugeMetricFamily(
            "broadsheet_replica_up", "1 while the read replica answers.", value=int(stats.up)
        )
        yield GaugeMetricFamily(
            "broadsheet_replica_lag_bytes",
            "WAL the replica has still to replay (sampled every second).",
            value=stats.lag_bytes,
        )
        yield GaugeMetricFamily(
            "broadsheet_replica_replay_lag_seconds",
            "Age of the last transaction replayed while the replica is behind (0 when caught up).",
            value=stats.replay_lag_seconds,
        )
        reads = CounterMetricFamily(
            "broadsheet_replica_reads",
            "Request sessions by where they read: replica, or primary and why (down, behind).",
            labels=["target"],
        )
        for target, count in sorted(stats.reads.items()):
            reads.add_metric([target], count)
        yield reads


class Metrics:
    def __init__(self, database: Database, live: LiveHub | None = None) -> None:
        registry = self.registry = CollectorRegistry()
        self.requests = Counter(
            "broadsheet_http_requests",
            "HTTP requests served, by path, method and status class.",
            ["path", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "broadsheet_http_request_duration_seconds",
            "Time from request start to the end of the response body.",
            ["path"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "broadsheet_http_requests_in_flight", "Requests being served.", registry=registry
        )
        self.operations = Histogram(
            "broadsheet_graphql_operation_duration_seconds",
            "GraphQL operations over HTTP by operation name and type, and their latency.",
            ["operation", "type"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.operation_names = OperationLabels()
        self.cache = Counter(
            "broadsheet_response_cache_lookups",
            "Response cache lookups by result (hit, miss).",
            ["result"],
            registry=registry,
        )
        self.refusals = Counter(
            "broadsheet_refusals",
            "Requests refused by a limit: rate_limit, cost_budget, unauthenticated, "
            "query_too_complex.",
            ["reason"],
            registry=registry,
        )
        self.pool_wait = Histogram(
            "broadsheet_db_pool_wait_seconds",
            "Time a request waited for a pooled database connection.",
            buckets=WAIT_BUCKETS,
            registry=registry,
        )
        pool = database.engine.pool
        Gauge(
            "broadsheet_db_connections_in_use",
            "Primary database connections checked out of the pool.",
            registry=registry,
        ).set_function(lambda: float(getattr(pool, "checkedout", lambda: 0)()))
        if live is not None:
            Gauge(
                "broadsheet_subscriptions", "Open GraphQL subscriptions.", registry=registry
            ).set_function(lambda: float(live.subscriber_count))
            Gauge(
                "broadsheet_live_events_received",
                "Live events received by this process (a counter; resets on restart).",
                registry=registry,
            ).set_function(lambda: float(live.received))
        if database.replica is not None:
            registry.register(ReplicaCollector(database.replica))
            waits = Histogram(
                "broadsheet_replica_read_your_writes_wait_seconds",
                "How long reads waited for the replica to replay the caller's last write.",
                buckets=WAIT_BUCKETS,
                registry=registry,
            )
            database.replica.observe_wait = waits.observe

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def record(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            # Unknown paths are folded together so strangers cannot grow the label set.
            path = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
            status = 500
            started = time.perf_counter()
            signals = signals_of(scope)

            async def send_and_note(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            self.in_flight.inc()
            with measuring() as stats:
                try:
                    await app(scope, receive, send_and_note)
                finally:
                    self.in_flight.dec()
                    elapsed = time.perf_counter() - started
                    self.latency.labels(path).observe(elapsed)
                    self.requests.labels(path, scope["method"], f"{status // 100}xx").inc()
                    self._record(path, signals, stats, elapsed)
                    if path != "/metrics":
                        _log_request(scope, path, status, elapsed, signals, stats)

        return record

    def _record(
        self, path: str, signals: RequestSignals, stats: RequestStats, elapsed: float
    ) -> None:
        if path == "/graphql" and signals.operation_type is not None:
            name = self.operation_names.label(signals.operation)
            self.operations.labels(name, signals.operation_type).observe(elapsed)
        if signals.cache is not None:
            self.cache.labels(signals.cache).inc()
        if signals.refusal is not None:
            self.refusals.labels(signals.refusal).inc()
        if stats.connections:
            self.pool_wait.observe(stats.pool_wait_seconds)

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _log_request(
    scope: Scope,
    path: str,
    status: int,
    elapsed: float,
    signals: RequestSignals,
    stats: RequestStats,
) -> None:
    request_log.info(
        "%s %s %s",
        scope["method"],
        scope["path"],
        status,
        extra={
            "request_id": request_id_of(scope),
            "method": scope["method"],
            "path": path,
            "operation": signals.operation,
            "operation_type": signals.operation_type,
            "key": signals.key_name,
            "status": status,
            "duration_ms": round(elapsed * 1000, 2),
            "sql_statements": stats.statements,
            "db_wait_ms": round(stats.pool_wait_seconds * 1000, 2),
            "cache": signals.cache,
            "refusal": signals.refusal,
        },
    )
