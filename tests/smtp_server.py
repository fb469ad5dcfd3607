"""A real SMTP server for tests (aiosmtpd, in a thread on a free port): it keeps every message it
accepts, and can be told to refuse mail for a while (a failing server) with a 451."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.http_support import free_port

TOKEN_LINK = re.compile(r"https?://\S+?/newsletters/(confirm|unsubscribe)\?token=([\w\-]+)")


class Mailbox:
    """The aiosmtpd handler: received messages, parsed, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusing = False
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if str(m["To"]).lower() == address.lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> list[EmailMessage]:
        """The messages to `address` once there are `count`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(found := self.to(address)) < count:
            assert time.monotonic() < deadline, f"no mail for {address} within {timeout}s"
            time.sleep(0.1)
        return found


def text_of(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    content: str = part.get_content()
    return content


def link_token(message: EmailMessage, kind: str) -> tuple[str, str]:
    """The first `confirm` or `unsubscribe` link in the plain-text part, and its token."""
    for match in TOKEN_LINK.finditer(text_of(message)):
        if match[1] == kind:
            return match[0], match[2]
    raise AssertionError(f"no {kind} link in the message")


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A running SMTP server on 127.0.0.1 and its port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
