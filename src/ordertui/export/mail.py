"""Sending a finished export by e-mail over SMTP.

Merchants on a server reached over SSH need the file where they are, not where the server
is. The file is written and kept on disk before anything is sent, so a mail server that
refuses, times out or finds the attachment too large loses nothing: every failure becomes
one :class:`MailError` sentence that names the server and where the file was kept. The SMTP
password is registered as a secret first, so no message or log line can carry it.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from ordertui.config import EmailConfig
from ordertui.domain.errors import ValidationError
from ordertui.domain.text import one_line
from ordertui.export.errors import MailError
from ordertui.logs import redact, register_secret

#: One address: something@something, with nothing that could end a header or hide another.
_ADDRESS = re.compile(r"[^@\s,;<>()\"']+@[^@\s,;<>()\"']+")


def parse_addresses(text: str) -> tuple[str, ...]:
    """'a@example.com, b@example.com' -> both; ValidationError on ``email`` otherwise."""
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if not parts:
        raise ValidationError("email", "give an e-mail address, like anna@example.com")
    for p in parts:
        if not _ADDRESS.fullmatch(p):
            raise ValidationError("email", f"{one_line(p, 60)!r} is not an e-mail address; "
                                  "write it like anna@example.com")
    return tuple(parts)


def message_size(file_size: int) -> int:
    """Bytes the message takes on the wire: base64 (4/3, with a CRLF every 76 characters)
    plus headers and the body."""
    return file_size * 4 // 3 * 78 // 76 + 4096


def build_message(settings: EmailConfig, recipients: Sequence[str], path: Path, *,
                  subject: str, body: str, mime_type: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = one_line(subject, 200)
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid("ordertui", domain=domain)
    msg.set_content(body)
    maintype, _, subtype = mime_type.partition("/")
    params = {"charset": "utf-8"} if maintype == "text" else None
    msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                       filename=path.name, params=params)
    return msg


def send_file(settings: EmailConfig, recipients: Sequence[str], path: Path, *, subject: str,
              body: str, mime_type: str) -> None:
    """Send ``path`` as an attachment to ``recipients``; MailError on any failure."""
    register_secret(settings.password)
    where = f"{settings.host}:{settings.port}"
    kind, message = "smtp", ""
    try:
        _send(settings, recipients, path, subject=subject, body=body, mime_type=mime_type)
        return
    except _TooLarge as exc:
        kind, message = "too-large", (f"the mail server {where} takes messages up to "
                                      f"{_mb(exc.limit)}; this one would be {_mb(exc.size)}")
    except smtplib.SMTPAuthenticationError as exc:
        kind, message = "auth", (f"the mail server {where} refused the user name or password "
                                 f"(SMTP {exc.smtp_code}); check username and password in "
                                 "[email]")
    except smtplib.SMTPRecipientsRefused as exc:
        kind, message = "recipient", (f"the mail server {where} refused the address "
                                      f"{', '.join(map(str, exc.recipients))}")
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if exc.smtp_code == 552 or b"size" in _bytes(exc.smtp_error).lower():
            kind, message = "too-large", (f"the mail server {where} refused the message as too "
                                          f"large ({_mb(message_size(path.stat().st_size))} "
                                          "with the attachment)")
        elif isinstance(exc, smtplib.SMTPSenderRefused):
            kind, message = "sender", (f"the mail server {where} refused the sender "
                                       f"{settings.sender} (SMTP {exc.smtp_code}: "
                                       f"{_text(exc.smtp_error)})")
        else:
            message = (f"the mail server {where} refused the message (SMTP {exc.smtp_code}: "
                       f"{_text(exc.smtp_error)})")
    except smtplib.SMTPNotSupportedError as exc:
        what = "STARTTLS" if "STARTTLS" in str(exc) else "login (AUTH)"
        kind, message = "tls" if what == "STARTTLS" else "auth", (
            f"the mail server {where} does not offer {what}; check security and username "
            "in [email]")
    except smtplib.SMTPResponseException as exc:
        message = (f"the mail server {where} answered SMTP {exc.smtp_code}: "
                   f"{_text(exc.smtp_error)}")
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):  # smtplib reports a silent server as a disconnect
            kind, message = "timeout", (f"the mail server {where} did not answer within "
                                        f"{settings.timeout_s:g} s")
        else:
            message = f"the mail server {where} closed the connection"
    except smtplib.SMTPException as exc:
        message = f"sending through {where} failed: {exc}"
    except ConnectionRefusedError:
        kind, message = "refused", f"the mail server {where} refused the connection"
    except socket.gaierror:
        kind, message = "refused", f"cannot find the mail server {settings.host!r}"
    except TimeoutError:
        kind, message = "timeout", (f"the mail server {where} did not answer within "
                                    f"{settings.timeout_s:g} s")
    except ssl.SSLCertVerificationError as exc:
        kind, message = "tls", (f"the mail server {where} has a certificate that cannot be "
                                f"trusted ({exc.verify_message})")
    except ssl.SSLError as exc:
        hint = ('; port 465 wants security = "tls", port 587 "starttls"'
                if settings.port in (465, 587) else "")
        kind, message = "tls", f"TLS with the mail server {where} failed ({exc.reason}){hint}"
    except OSError as exc:
        kind, message = "refused", (f"cannot reach the mail server {where}: "
                                    f"{(exc.strerror or str(exc)).lower()}")
    raise MailError(redact(one_line(message)), path, kind=kind)


class _TooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} > {limit}")
        self.size, self.limit = size, limit


def _send(settings: EmailConfig, recipients: Sequence[str], path: Path, *, subject: str,
          body: str, mime_type: str) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s,
                                context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    with smtp:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        # refuse before reading the file into a message when the server said it is too big
        limit = smtp.esmtp_features.get("size", "")
        size = message_size(path.stat().st_size)
        if limit.isdigit() and 0 < int(limit) < size:
            raise _TooLarge(size, int(limit))
        msg = build_message(settings, recipients, path, subject=subject, body=body,
                            mime_type=mime_type)
        smtp.send_message(msg, from_addr=parseaddr(settings.sender)[1] or settings.sender,
                          to_addrs=list(recipients))


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "replace")


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return one_line(text, 160)


def _mb(size: int) -> str:
    if size < 1_000_000:
        return f"{max(size // 1000, 1)} KB"
    return f"{size / 1_000_000:.1f} MB"
