"""`/metrics`: Prometheus text exposition of request counts, latencies and the database pool.

Pure ASGI middleware records every HTTP request by route template, method and status class.
Each app has its own registry (tests build many apps in one process). With several uvicorn
workers each process exposes its own numbers; scrape through the balancer and sum, or run one
worker per container.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.database import Database

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


class Metrics:
    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "broadsheet_http_requests",
            "HTTP requests served, by path, method and status class.",
            ["path", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "broadsheet_http_request_duration_seconds",
            "Time from request start to the end of the response body.",
            ["path"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "broadsheet_http_requests_in_flight", "Requests being served.", registry=self.registry
        )
        pool = database.engine.pool
        checked_out = Gauge(
            "broadsheet_db_connections_in_use",
            "Primary database connections checked out of the pool.",
            registry=self.registry,
        )
        checked_out.set_function(lambda: float(getattr(pool, "checkedout", lambda: 0)()))

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def record(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            # Unknown paths are folded together so strangers cannot grow the label set.
            path = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
            status = 500
            started = time.perf_counter()

            async def send_and_note(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            self.in_flight.inc()
            try:
                await app(scope, receive, send_and_note)
            finally:
                self.in_flight.dec()
                self.latency.labels(path).observe(time.perf_counter() - started)
                self.requests.labels(path, scope["method"], f"{status // 100}xx").inc()

        return record

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
