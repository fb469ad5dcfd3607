"""Webhook mutations (admins): register an endpoint (its secret is shown once), change or
remove it, and send a delivery again."""

from __future__ import annotations

import strawberry

from api.webhooks import endpoints
from api.webhooks.endpoints import WebhookTargets
from schema.context import Info
from schema.mutations import UserError, actor, given, run_write, user_errors
from schema.permissions import ADMINS
from schema.relay import pk_of, to_global_id
from schema.webhooks.types import WebhookEndpoint

EVENTS_NOTE = (
    "Event types: article.published, article.updated, article.unpublished, article.deleted, "
    "newsletter_issue.published."
)


@strawberry.input(description="A receiver of signed webhooks.")
class WebhookEndpointInput:
    url: str = strawberry.field(
        description="https:// URL on a public address (private, loopback, link-local and "
        "metadata addresses are refused, now and at every delivery)."
    )
    events: list[str] = strawberry.field(description=EVENTS_NOTE)
    description: str | None = None


@strawberry.input(description="Changes to an endpoint: fields left out stay as they are.")
class WebhookEndpointPatch:
    url: str | None = strawberry.UNSET
    events: list[str] | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    enabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="false: nothing is sent; true again clears the failure count.",
    )


@strawberry.type
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_...), for verifying `webhook-signature`. "
        "Shown this once only."
    )
    user_errors: list[UserError]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    user_errors: list[UserError]


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class ReplayWebhookDeliveryPayload:
    delivery_id: strawberry.ID | None
    user_errors: list[UserError]


def _targets(info: Info) -> WebhookTargets:
    return WebhookTargets.from_settings(info.context.settings)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(permission_classes=ADMINS, description="Register a webhook endpoint.")
    async def create_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        data = endpoints.EndpointData(input.url, input.events, input.description)
        outcome = await run_write(
            info, endpoints.create_endpoint, actor(info), _targets(info), data
        )
        created = outcome.value
        return CreateWebhookEndpointPayload(
            endpoint=WebhookEndpoint.from_row(created.row) if created else None,
            secret=created.secret if created else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(permission_classes=ADMINS, description="Change a webhook endpoint.")
    async def update_webhook_endpoint(
        self, info: Info, id: strawberry.ID, input: WebhookEndpointPatch
    ) -> WebhookEndpointPayload:
        changes = endpoints.EndpointChanges(
            url=given(input.url),
            events=given(input.events),
            description=given(input.description),
            enabled=given(input.enabled),
        )
        outcome = await run_write(
            info,
            endpoints.update_endpoint,
            actor(info),
            _targets(info),
            pk_of(id, "WebhookEndpoint"),
            changes,
        )
        row = outcome.value
        return WebhookEndpointPayload(
            endpoint=WebhookEndpoint.from_row(row) if row else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(
        permission_classes=ADMINS, description="Remove an endpoint and its delivery history."
    )
    async def delete_webhook_endpoint(
        self, info: Info, id: strawberry.ID
    ) -> DeleteWebhookEndpointPayload:
        outcome = await run_write(
            info, endpoints.delete_endpoint, actor(info), pk_of(id, "WebhookEndpoint")
        )
        deleted = outcome.value
        return DeleteWebhookEndpointPayload(
            deleted_id=to_global_id("WebhookEndpoint", deleted) if deleted else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(
        permission_classes=ADMINS,
        description="Send a delivery again now (same webhook-id, so receivers can dedupe).",
    )
    async def replay_webhook_delivery(
        self, info: Info, id: strawberry.ID
    ) -> ReplayWebhookDeliveryPayload:
        outcome = await run_write(
            info, endpoints.replay_delivery, actor(info), pk_of(id, "WebhookDelivery")
        )
        delivery = outcome.value
        return ReplayWebhookDeliveryPayload(
            delivery_id=to_global_id("WebhookDelivery", delivery.id) if delivery else None,
            user_errors=user_errors(outcome),
        )
