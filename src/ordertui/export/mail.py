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
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from ordertui.config import EmailConfig
from ordertui.domain.errors import ValidationError
from ordertui.domain.text import one_line
from ordertui.export.errors import MailError
from ordertui.i18n import _, formats
from ordertui.logs import redact, register_secret

#: One address: something@something, with nothing that could end a header or hide another.
_ADDRESS = re.compile(r"[^@\s,;<>()\"']+@[^@\s,;<>()\"']+")


def parse_addresses(text: str) -> tuple[str, ...]:
    """'a@example.com, b@example.com' -> both; ValidationError on ``email`` otherwise."""
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if not parts:
        raise ValidationError("email", _("give an e-mail address, like anna@example.com"))
    for p in parts:
        if not _ADDRESS.fullmatch(p):
            raise ValidationError("email", _("{text} is not an e-mail address; write it like "
                                             "anna@example.com").format(
                                                 text=repr(one_line(p, 60))))
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
        kind, message = "too-large", _("the mail server {server} takes messages up to "
                                       "{limit}; this one would be {size}").format(
            server=where, limit=_mb(exc.limit), size=_mb(exc.size))
    except smtplib.SMTPAuthenticationError as exc:
        kind, message = "auth", _("the mail server {server} refused the user name or password "
                                  "(SMTP {code}); check username and password in "
                                  "[email]").format(server=where, code=exc.smtp_code)
    except smtplib.SMTPRecipientsRefused as exc:
        kind, message = "recipient", _("the mail server {server} refused the address "
                                       "{addresses}").format(
            server=where, addresses=", ".join(map(str, exc.recipients)))
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if exc.smtp_code == 552 or b"size" in _bytes(exc.smtp_error).lower():
            kind, message = "too-large", _("the mail server {server} refused the message as "
                                           "too large ({size} with the attachment)").format(
                server=where, size=_mb(message_size(path.stat().st_size)))
        elif isinstance(exc, smtplib.SMTPSenderRefused):
            kind, message = "sender", _("the mail server {server} refused the sender {sender} "
                                        "(SMTP {code}: {answer})").format(
                server=where, sender=settings.sender, code=exc.smtp_code,
                answer=_text(exc.smtp_error))
        else:
            message = _("the mail server {server} refused the message (SMTP {code}: "
                        "{answer})").format(server=where, code=exc.smtp_code,
                                            answer=_text(exc.smtp_error))
    except smtplib.SMTPNotSupportedError as exc:
        if "STARTTLS" in str(exc):
            kind, message = "tls", _("the mail server {server} does not offer STARTTLS; check "
                                     "security and username in [email]").format(server=where)
        else:
            kind, message = "auth", _("the mail server {server} does not offer login (AUTH); "
                                      "check security and username in [email]").format(
                server=where)
    except smtplib.SMTPResponseException as exc:
        message = _("the mail server {server} answered SMTP {code}: {answer}").format(
            server=where, code=exc.smtp_code, answer=_text(exc.smtp_error))
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):  # smtplib reports a silent server as a disconnect
            kind, message = "timeout", _("the mail server {server} did not answer within "
                                         "{seconds} s").format(
                server=where, seconds=_seconds(settings.timeout_s))
        else:
            message = _("the mail server {server} closed the connection").format(server=where)
    except smtplib.SMTPException as exc:
        message = _("sending through {server} failed: {error}").format(server=where, error=exc)
    except ConnectionRefusedError:
        kind, message = "refused", _("the mail server {server} refused the connection").format(
            server=where)
    except socket.gaierror:
        kind, message = "refused", _("cannot find the mail server {host}").format(
            host=repr(settings.host))
    except TimeoutError:
        kind, message = "timeout", _("the mail server {server} did not answer within "
                                     "{seconds} s").format(
            server=where, seconds=_seconds(settings.timeout_s))
    except ssl.SSLCertVerificationError as exc:
        kind, message = "tls", _("the mail server {server} has a certificate that cannot be "
                                 "trusted ({reason})").format(server=where,
                                                              reason=exc.verify_message)
    except ssl.SSLError as exc:
        kind, message = "tls", (
            _('TLS with the mail server {server} failed ({reason}); port 465 wants security = '
              '"tls", port 587 "starttls"') if settings.port in (465, 587) else
            _("TLS with the mail server {server} failed ({reason})")).format(
            server=where, reason=exc.reason)
    except OSError as exc:
        kind, message = "refused", _("cannot reach the mail server {server}: {reason}").format(
            server=where, reason=(exc.strerror or str(exc)).lower())
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
        return _("{n} KB").format(n=formats.number(max(size // 1000, 1)))
    return _("{n} MB").format(n=formats.decimal(size / 1_000_000, 1))


def _seconds(value: float) -> str:
    """A timeout as people read it: ``30``, ``0.5`` (``0,5`` in German)."""
    text = f"{value:g}"
    return formats.decimal(Decimal(text)) if formats.localised() else text
