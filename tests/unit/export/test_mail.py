"""E-mail delivery against real SMTP servers (aiosmtpd) on loopback ports: the message is
parsed with the ``email`` package and its attachment read back; servers that refuse, demand
a login, reject the size, time out, or speak TLS."""

from __future__ import annotations

import csv
import io
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ordertui.domain.query import OrderQuery
from ordertui.export.errors import MailError
from ordertui.export.request import ExportRequest
from support.export import (
    HOSTILE_SUPPLIER,
    build_store,
    hostile_orders,
    read_xlsx_calamine,
    read_xlsx_openpyxl,
    services_for,
)
from support.mail import CERT, Inbox, attachment, free_port, mail_settings

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PASSWORD = "s3cret-Pa55word"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check_password(server: Any, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"shop"
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 535


def server_tls() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERT)
    return context


@pytest.fixture
def smtp() -> Iterator[Any]:
    """Start a server: ``smtp(inbox, **controller_kwargs)`` -> port. Stopped afterwards."""
    started: list[Controller] = []

    def start(inbox: Inbox, **kw: Any) -> int:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kw)
        controller.start()
        started.append(controller)
        return port
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("store"), demo=40)


def export(data_dir: Path, settings: dict[str, Any], path: Path | None, fmt: str = "xlsx",
           to: str = "accounts@example.com", **kw: Any) -> Any:
    services = services_for(data_dir, settings)
    try:
        query = kw.pop("query", OrderQuery(supplier=HOSTILE_SUPPLIER, descending=False))
        return services.export(ExportRequest(query=query, fmt=fmt, path=path, email=to,
                                                  **kw))
    finally:
        services.store.close()


def test_xlsx_arrives_and_reads_back(smtp: Any, data_dir: Path, tmp_path: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox)
    path = tmp_path / "März-orders.xlsx"
    result = export(data_dir, mail_settings(port), path)
    assert result.emailed_to == "accounts@example.com"
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert inbox.envelopes[0].mail_from == "shop@example.com"
    assert inbox.envelopes[0].rcpt_tos == ["accounts@example.com"]
    n = len(hostile_orders())
    assert message["Subject"] == f"Orders export: {n:,} orders (supplier acme)"
    assert message["To"] == "accounts@example.com"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"Orders:  {n:,}" in text and "Filter:  supplier acme" in text
    assert str(path) in text
    mime, name, data = attachment(message)
    assert (mime, name) == (XLSX_MIME, path.name)
    assert data == path.read_bytes()  # the file is kept locally, and is what was sent
    rows = read_xlsx_calamine(data)
    assert len(rows) == n + 1
    assert "王小明" in {r[5] for r in rows}
    ws = read_xlsx_openpyxl(data)
    assert ws.max_row == n + 1


def test_csv_for_excel_arrives_with_bom(smtp: Any, data_dir: Path, tmp_path: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox)
    path = tmp_path / "orders.csv"
    export(data_dir, mail_settings(port), path, fmt="csv-excel",
           to="a@example.com, b@example.com", per="line-item")
    assert inbox.envelopes[0].rcpt_tos == ["a@example.com", "b@example.com"]
    mime, name, data = attachment(inbox.messages[0])
    assert (mime, name) == ("text/csv", "orders.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) - 1 == sum(max(len(o.items), 1) for o in hostile_orders())
    assert "Zoë O'Brien" in {r[5] for r in rows}


def test_without_a_path_the_file_is_kept_in_the_data_dir(smtp: Any, data_dir: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox)
    result = export(data_dir, mail_settings(port), None, fmt="csv")
    assert result.path.parent == data_dir / "exports"
    assert result.path.suffix == ".csv" and result.path.exists()
    assert attachment(inbox.messages[0])[2] == result.path.read_bytes()


def test_login_when_a_username_is_set(smtp: Any, data_dir: Path, tmp_path: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox, authenticator=check_password, auth_required=True,
                auth_require_tls=False)
    export(data_dir, mail_settings(port, username="shop", password=PASSWORD),
           tmp_path / "o.xlsx")
    assert len(inbox.messages) == 1


def assert_kept(exc: MailError, path: Path, kind: str) -> None:
    assert exc.kind == kind
    assert "\n" not in str(exc)
    assert str(exc).endswith(f"; the file is kept at {path}")
    assert exc.result is not None and exc.result.path == path
    assert len(read_xlsx_calamine(path)) == len(hostile_orders()) + 1  # complete


def test_bad_password(smtp: Any, data_dir: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = Inbox()
    port = smtp(inbox, authenticator=check_password, auth_required=True,
                auth_require_tls=False)
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", "wrong-" + PASSWORD)
    path = tmp_path / "o.xlsx"
    with pytest.raises(MailError) as caught:
        export(data_dir, mail_settings(port, username="shop", password_env="SHOP_SMTP_PASSWORD"),
               path)
    assert_kept(caught.value, path, "auth")
    assert str(caught.value).startswith(f"the mail server 127.0.0.1:{port} refused the user "
                                        "name or password (SMTP 535)")
    assert PASSWORD not in str(caught.value)
    assert inbox.messages == []


def test_refused_connection(data_dir: Path, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    path = tmp_path / "o.xlsx"
    with pytest.raises(MailError) as caught:
        export(data_dir, mail_settings(port), path)
    assert_kept(caught.value, path, "refused")
    assert str(caught.value).startswith(f"the mail server 127.0.0.1:{port} refused the "
                                        "connection")


def test_message_too_large_for_the_advertised_size(smtp: Any, data_dir: Path,
                                                   tmp_path: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox, data_size_limit=4000)
    path = tmp_path / "o.xlsx"
    with pytest.raises(MailError) as caught:
        export(data_dir, mail_settings(port), path)
    assert_kept(caught.value, path, "too-large")
    assert "takes messages up to 4 KB" in str(caught.value)
    assert inbox.messages == []


def test_message_too_large_when_the_server_says_so(smtp: Any, data_dir: Path,
                                                   tmp_path: Path) -> None:
    inbox = Inbox(reply="552 5.3.4 Message size exceeds fixed maximum message size")
    port = smtp(inbox)
    path = tmp_path / "o.xlsx"
    with pytest.raises(MailError) as caught:
        export(data_dir, mail_settings(port), path)
    assert_kept(caught.value, path, "too-large")
    assert "refused the message as too large" in str(caught.value)


def test_a_server_that_never_answers(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    with socket.socket() as listener:  # accepts connections (backlog) but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(MailError) as caught:
            export(data_dir, mail_settings(port, timeout_s=0.5), path)
    assert_kept(caught.value, path, "timeout")
    assert "did not answer within 0.5 s" in str(caught.value)


def test_starttls(smtp: Any, data_dir: Path, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))  # trust the test certificate
    inbox = Inbox()
    port = smtp(inbox, tls_context=server_tls(), require_starttls=True,
                authenticator=check_password, auth_required=True)
    export(data_dir, mail_settings(port, security="starttls", username="shop",
                                   password=PASSWORD), tmp_path / "o.xlsx")
    assert len(inbox.messages) == 1


def test_implicit_tls(smtp: Any, data_dir: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))
    inbox = Inbox()
    port = smtp(inbox, ssl_context=server_tls())
    export(data_dir, mail_settings(port, security="tls"), tmp_path / "o.xlsx")
    assert len(inbox.messages) == 1


def test_untrusted_certificate(smtp: Any, data_dir: Path, tmp_path: Path) -> None:
    inbox = Inbox()
    port = smtp(inbox, ssl_context=server_tls())
    path = tmp_path / "o.xlsx"
    with pytest.raises(MailError) as caught:
        export(data_dir, mail_settings(port, security="tls"), path)
    assert_kept(caught.value, path, "tls")
    assert "certificate that cannot be trusted" in str(caught.value)
