"""Key management for `admin` keys: issue and revoke API keys (the CLI does the same)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.models import ApiKey as ApiKeyRow
from api.services import keys
from schema.context import Info
from schema.mutations import UserError, actor, run_write, user_errors
from schema.permissions import ADMINS
from schema.relay import pk_of, to_global_id


@strawberry.type(description="An API key as its owner sees it; never its secret.")
class ApiKey:
    id: strawberry.ID
    name: str
    scopes: list[str]
    rate_limit_per_minute: int | None = strawberry.field(
        description="Its own limit; null: the deployment's default for keys."
    )
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="To within about a minute.")
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", row.id),
            name=row.name,
            scopes=list(row.scopes),
            rate_limit_per_minute=row.rate_limit_per_minute,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


@strawberry.input
class CreateApiKeyInput:
    name: str = strawberry.field(description="Unique, e.g. the partner's name.")
    scopes: list[str] = strawberry.field(description="content:read, content:write and/or admin.")
    rate_limit_per_minute: int | None = None


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(
        description="The key to send as `Authorization: Bearer ...`. Shown this once only."
    )
    user_errors: list[UserError]


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None
    user_errors: list[UserError]


@strawberry.type
class KeyMutations:
    @strawberry.mutation(permission_classes=ADMINS, description="Issue an API key.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        outcome = await run_write(
            info, keys.issue_key, actor(info), input.name, input.scopes, input.rate_limit_per_minute
        )
        issued = outcome.value
        return CreateApiKeyPayload(
            api_key=ApiKey.from_row(issued.row) if issued else None,
            secret=issued.plaintext if issued else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(permission_classes=ADMINS, description="Revoke an API key at once.")
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> RevokeApiKeyPayload:
        outcome = await run_write(info, keys.revoke_key_by_id, actor(info), pk_of(id, "ApiKey"))
        row = outcome.value
        if row is not None:  # every other process hears it from the revoke's NOTIFY
            info.context.access.authenticator.forget(row.secret_hash)
        return RevokeApiKeyPayload(
            api_key=ApiKey.from_row(row) if row else None, user_errors=user_errors(outcome)
        )
