"""Outbound HTTP (webhook deliveries, feed fetching): one way to make a client.

Clients never follow redirects on their own (callers decide, checking every hop against the
address guard, api/webhooks/addresses.py), ignore proxy settings from the environment, and
share one TLS context per process: building one loads the CA bundle, which costs more than a
whole webhook delivery to a nearby receiver.
"""

from __future__ import annotations

import ssl
from functools import cache

import certifi
import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """Certificate-verifying TLS with the CA bundle httpx itself uses."""
    return ssl.create_default_context(cafile=certifi.where())


def client(timeout_seconds: float) -> httpx.AsyncClient:
    """A client for one request (or one redirect chain)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        verify=tls_context(),
    )
