"""The pages a newsletter mail links to: confirm a subscription, unsubscribe.

Opening a link (GET) only shows a button: mail scanners open links, and must neither confirm
nor cancel anyone. The button POSTs the token, and the reader's server calls the API's mutation.
Unsubscribe also takes RFC 8058 one-click POSTs from mail clients (`List-Unsubscribe=One-Click`
in the body, the token in the URL), which need no further step.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from reader import documents
from reader.graphql_client import GraphQLClient
from reader.rendering import Pages

MAX_FORM_BYTES = 4096
MAX_TOKEN_LENGTH = 200


class SubscriptionPages:
    def __init__(self, api: GraphQLClient, pages: Pages) -> None:
        self.api = api
        self.pages = pages

    async def confirm(self, request: Request) -> Response:
        if request.method == "GET":
            return self._form(request, "confirm")
        token = await _token(request)
        if not token:
            return self._result("confirm", ok=False, status=400)
        data = await self.api.mutate(documents.CONFIRM, {"token": token})
        payload = data["confirmSubscription"]
        return self._result(
            "confirm",
            ok=payload["confirmed"],
            newsletter=payload.get("newsletter"),
            status=200 if payload["confirmed"] else 400,
        )

    async def unsubscribe(self, request: Request) -> Response:
        if request.method == "GET":
            return self._form(request, "unsubscribe")
        token = await _token(request)
        if not token:
            return self._result("unsubscribe", ok=False, status=400)
        data = await self.api.mutate(documents.UNSUBSCRIBE, {"token": token})
        payload = data["unsubscribe"]
        return self._result(
            "unsubscribe",
            ok=payload["unsubscribed"],
            newsletter=payload.get("newsletter"),
            status=200 if payload["unsubscribed"] else 400,
        )

    def _form(self, request: Request, action: str) -> Response:
        token = request.query_params.get("token", "")[:MAX_TOKEN_LENGTH]
        return self.pages.render(
            "subscription.html",
            cache_seconds=0,
            headers={"Referrer-Policy": "no-referrer"},  # the token is in this page's URL
            action=action,
            token=token,
            done=False,
        )

    def _result(
        self, action: str, *, ok: bool, status: int, newsletter: dict[str, object] | None = None
    ) -> Response:
        return self.pages.render(
            "subscription.html",
            status,
            cache_seconds=0,
            action=action,
            done=True,
            ok=ok,
            newsletter=newsletter,
        )


async def _token(request: Request) -> str:
    """The token from the form body, else from the URL (one-click POSTs keep it there)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return ""
    form = parse_qs(body.decode("utf-8", "replace"))
    token = (form.get("token") or [request.query_params.get("token", "")])[0]
    return token.strip()[:MAX_TOKEN_LENGTH]
