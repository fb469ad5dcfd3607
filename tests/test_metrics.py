"""`/metrics` exposes request counts and latencies in Prometheus text format."""

from __future__ import annotations

import httpx


async def test_requests_are_counted_by_path_and_status(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "{ sections { slug } }"})
    await client.get("/no-such-page")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'broadsheet_http_requests_total{method="POST",path="/graphql",status="2xx"} 1.0' in text
    assert 'broadsheet_http_requests_total{method="GET",path="other",status="4xx"} 1.0' in text
    assert 'broadsheet_http_request_duration_seconds_count{path="/graphql"} 1.0' in text
    assert "broadsheet_db_connections_in_use" in text
