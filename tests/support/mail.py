"""Real SMTP servers on loopback for the e-mail tests: an inbox that keeps what it receives,
a free port, the settings that point an export at one, reading an attachment back, and a
self-signed certificate for 127.0.0.1 (``data/smtp-localhost.pem``)."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

CERT = Path(__file__).parent / "data" / "smtp-localhost.pem"  # self-signed, 127.0.0.1


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or answers DATA with ``reply``."""

    def __init__(self, reply: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.reply = reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        self.envelopes.append(envelope)
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mail_settings(port: int, **extra: Any) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": port, "security": "none",
            "from": "Shop <shop@example.com>", "timeout_s": 10, **extra}


def attachment(message: EmailMessage) -> tuple[str, str, bytes]:
    parts = list(message.iter_attachments())
    assert len(parts) == 1
    part = parts[0]
    assert isinstance(part, EmailMessage)
    content = part.get_payload(decode=True)  # the bytes as sent, for text/csv too
    assert isinstance(content, bytes)
    return part.get_content_type(), str(part.get_filename()), content
