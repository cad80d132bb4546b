"""Ways an e-mail leaves: printed (development), written to files, or sent over SMTP."""

from __future__ import annotations

import secrets
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from portico.common.private_files import write_private
from portico.config import EmailConfig


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class ConsoleTransport:
    """`portico serve`'s default: the message is printed where the operator is looking."""

    async def send(self, message: EmailMessage) -> None:
        text = message.get_body(preferencelist=("plain",))
        body = text.get_content() if text is not None else ""
        print(
            f"\n----- e-mail to {message['To']} -----\nSubject: {message['Subject']}\n\n{body}"
            "----- end of e-mail -----\n",
            file=sys.stdout,
            flush=True,
        )


class FileTransport:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        # 0600: the message holds a live link.
        write_private(
            self.directory / f"{time.time_ns()}-{secrets.token_hex(4)}.eml", bytes(message)
        )


class SmtpTransport:
    def __init__(self, config: EmailConfig) -> None:
        self.config = config

    async def send(self, message: EmailMessage) -> None:
        c = self.config
        await aiosmtplib.send(
            message,
            hostname=c.smtp_host,
            port=c.smtp_port,
            username=c.smtp_username or None,
            password=c.smtp_password or None,
            use_tls=c.smtp_security == "tls",
            start_tls=c.smtp_security == "starttls",
            timeout=c.send_timeout,
        )


def transport_for(config: EmailConfig, data_dir: Path) -> Transport:
    if config.backend == "smtp":
        return SmtpTransport(config)
    if config.backend == "file":
        return FileTransport(Path(config.file_dir) if config.file_dir else data_dir / "mail")
    return ConsoleTransport()
