"""How mail leaves: over SMTP (aiosmtplib) when SMTP_URL is set, else into a local folder.

SMTP_URL is `smtp://[user:password@]host[:port]` (STARTTLS whenever the server offers it;
`?starttls=require` insists on it) or `smtps://...` (TLS from the first byte, port 465).
Without it, each message is written to BROADSHEET_OUTBOX_DIR as an .eml file that any mail
program opens, so development sends nothing by accident.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import platformdirs

from api.settings import Settings

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20.0


class MailNotSent(Exception):
    """The message was not accepted (the server is unreachable, refused it, or timed out)."""


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` over for delivery, or raise MailNotSent."""
        ...

    def describe(self) -> str:
        """Where mail goes, for people (no secrets)."""
        ...


class SmtpTransport:
    """One SMTP connection per message (workers send in bursts, servers drop idle ones)."""

    def __init__(self, url: str, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587")
        options = parse_qs(parts.query)
        self.hostname = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        require = options.get("starttls", [""])[0] == "require"
        # None: STARTTLS if the server offers it; True: refuse a server that does not.
        self.start_tls: bool | None = None if self.implicit_tls else (True if require else None)
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            # The server's words may quote the address: keep only the kind and the code.
            code = getattr(error, "code", None)
            detail = f"{type(error).__name__}" + (f" {code}" if code else "")
            raise MailNotSent(f"{detail} from {self.hostname}:{self.port}") from error

    def describe(self) -> str:
        return f"SMTP server {self.hostname}:{self.port}"


class FolderTransport:
    """Development: every message becomes `<folder>/<time>-<id>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{_file_stem(message)}.eml"
            # Written whole, then renamed: a reader of the folder never sees half a message.
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                file.write(message.as_bytes())
            os.replace(temporary, self.folder / name)
        except OSError as error:
            raise MailNotSent(f"cannot write to {self.folder}: {error}") from error

    def describe(self) -> str:
        return f"the folder {self.folder} (.eml files; SMTP_URL is unset)"


def _file_stem(message: EmailMessage) -> str:
    message_id = str(message.get("Message-ID", "")).strip("<>").split("@")[0]
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in message_id)
    return safe or "message"


def outbox_folder(settings: Settings) -> Path:
    if settings.broadsheet_outbox_dir:
        return Path(settings.broadsheet_outbox_dir).expanduser()
    return Path(platformdirs.user_data_dir("broadsheet")) / "outbox"


def transport_from_settings(settings: Settings) -> MailTransport:
    """SMTP when SMTP_URL is set, else the outbox folder."""
    if settings.smtp_url is not None:
        return SmtpTransport(settings.smtp_url.get_secret_value())
    return FolderTransport(outbox_folder(settings))
