"""`webhookEndpoints` (admins): every endpoint with its health and recent deliveries."""

from __future__ import annotations

import strawberry

from api.webhooks import history
from schema.context import Info
from schema.permissions import ADMINS
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint

__all__ = ["WebhookDelivery", "WebhookQueries"]


@strawberry.type
class WebhookQueries:
    @strawberry.field(permission_classes=ADMINS, description="Every webhook endpoint.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        rows = await info.context.db.run(history.all_endpoints)
        return [WebhookEndpoint.from_row(row) for row in rows]
