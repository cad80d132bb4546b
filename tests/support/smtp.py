"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.services import free_port


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    # Called with each message once it is kept, before the server answers 250 (a test may
    # kill the sender there: the mail is delivered, the sender never hears so).
    on_receipt: Callable[[Message], None] | None = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        if self.on_receipt is not None:
            self.on_receipt(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]

    async def wait_for(self, address: str, count: int = 1, within: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + within
        while len(self.to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no e-mail #{count} for {address}; got {self.messages}")
            await asyncio.sleep(0.05)
        return self.to(address)


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def html_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/html part")


def link_in(message: Message, path: str) -> str:
    found = re.search(rf"https?://\S+{re.escape(path)}\S*", text_of(message))
    assert found, text_of(message)
    return found.group(0)


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.mailbox = Mailbox()
        self.port = port or free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def email_settings(self) -> dict[str, Any]:
        """portico's `[email]` section for sending here (plain SMTP on loopback)."""
        return {
            "backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_security": "none",
            "from_address": "portico@example.org",
        }
