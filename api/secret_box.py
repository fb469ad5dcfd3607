"""The deployment's secret, and sealing small secrets with it so the server can use them later.

`deployment_secret` is BROADSHEET_SECRET_KEY, or (when unset) a value derived from DATABASE_URL
so every replica of one deployment agrees without configuration. Cursors and sync tokens are
signed with it. `SecretBox` encrypts secrets the server must be able to read back, such as
webhook signing secrets (an HMAC needs the secret itself, so a hash will not do): AES-256-GCM
under a key derived from the deployment secret with HKDF, a fresh random nonce per value. A
database dump alone therefore reveals no signing secret. Rotating BROADSHEET_SECRET_KEY makes
sealed values unreadable: endpoints must then be given new secrets.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from api.settings import Settings

_VERSION = "v1."
_NONCE_BYTES = 12


def deployment_secret(settings: Settings) -> bytes:
    """BROADSHEET_SECRET_KEY, or a key derived from the database URL when it is unset."""
    if settings.broadsheet_secret_key is not None:
        return settings.broadsheet_secret_key.get_secret_value().encode()
    url = settings.database_url.get_secret_value() if settings.database_url else "embedded"
    return hashlib.sha256(b"broadsheet-cursors:" + url.encode()).digest()


def derived_key(secret: bytes, purpose: str) -> bytes:
    """A 256-bit key for one purpose, so no two uses of the deployment secret share a key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"broadsheet:{purpose}".encode()
    ).derive(secret)


class UnreadableSecret(ValueError):
    """A sealed value that this deployment's key cannot open (tampered, or the key changed)."""


class SecretBox:
    """Seal and open short secrets with AES-256-GCM; `purpose` is bound into every value."""

    def __init__(self, secret: bytes, purpose: str) -> None:
        self._aead = AESGCM(derived_key(secret, f"secret-box:{purpose}"))
        self._purpose = purpose.encode()

    @classmethod
    def from_settings(cls, settings: Settings, purpose: str) -> SecretBox:
        return cls(deployment_secret(settings), purpose)

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), self._purpose)
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str) -> str:
        if not sealed.startswith(_VERSION):
            raise UnreadableSecret("not a sealed value")
        try:
            raw = base64.urlsafe_b64decode(sealed[len(_VERSION) :])
            plaintext = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self._purpose)
        except (InvalidTag, ValueError) as error:
            raise UnreadableSecret("the sealed value cannot be opened with this key") from error
        return plaintext.decode()
