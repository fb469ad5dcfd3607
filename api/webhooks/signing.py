"""Webhook signing secrets and signatures, per the Standard Webhooks specification.

A secret is `whsec_` + base64 of 32 random bytes: shown once, when the endpoint is created, and
stored sealed (api/secret_box.py) because the server needs it again to sign every delivery.
Each request carries `webhook-id` (the message id: the same for every attempt of one event, so
receivers can drop duplicates), `webhook-timestamp` (Unix seconds of this attempt) and
`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`), made with the
`standardwebhooks` library that partners can verify with too.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from api.secret_box import SecretBox
from api.settings import Settings

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret
SECRET_BYTES = 32
PURPOSE = "webhook-signing-secret"


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks format."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_box(settings: Settings) -> SecretBox:
    """The box endpoint secrets are sealed in."""
    return SecretBox.from_settings(settings, PURPOSE)


def signed_headers(secret: str, message_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for `body`, sent at `at`."""
    at = at.astimezone(UTC)
    signature = Webhook(secret).sign(message_id, at, body.decode("utf-8"))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
