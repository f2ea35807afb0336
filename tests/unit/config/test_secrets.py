"""Secrets (invariant 9 in docs/architecture.md): config and token files are private (0600)
when ordertui makes them; one that group or others can read while it holds a secret makes
ordertui refuse to start — the terminal app and every command alike — with the fix in the
message ("chmod 600 <path>"), as ssh does; a config whose secrets all come from the
environment (``*_env``) may be world-readable. And no configured secret, nor a token a
supplier issued, appears in logs, crash reports, exports, the e-mail, screenshots, error
messages or ``ordertui show``: one test configures them all and searches every artefact for
them."""

from __future__ import annotations

import asyncio
import io
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result

from ordertui import config as config_mod
from ordertui.cli import main_group
from ordertui.domain.errors import ConfigError
from ordertui.secrets import read_private, write_private
from ordertui.services.core import Services
from ordertui.simulators.aliexpress import AESimConfig, AliExpressSimulator
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim, start_in_thread
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.settings import SettingsScreen
from support.mail import Inbox, free_port
from support.tui import until

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

CJ_KEY = "CJ0000001@api@s3cr3t0cj0key0f1e9a"
SMTP_PASSWORD = "smtp-s3cr3t-pw-8c2d7b"
AE_SECRET = "ae-s3cr3t-app-6a5f3e"  # given as app_secret_env
AE_SECRET_VAR = "ORDERTUI_TEST_AE_APP_SECRET"
AE_ACCESS = "50000000000s3cr3t0access0000000000000"
AE_REFRESH = "50001000000s3cr3t0refresh000000000000"
CONFIGURED = (CJ_KEY, SMTP_PASSWORD, AE_SECRET, AE_ACCESS, AE_REFRESH)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_line_error(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ordertui: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@dataclass
class Shop:
    base: Path
    cj: RunningSim
    ae: RunningSim
    inbox: Inbox
    smtp_port: int
    refusing_port: int
    outputs: list[str] = field(default_factory=list)  # everything the commands printed

    @property
    def config_path(self) -> Path:
        return self.base / "config.toml"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def raw(self, *, smtp_port: int | None = None) -> dict[str, Any]:
        ae = self.ae.sim.config
        return {
            "suppliers": {
                "cj": {"kind": "cj", "base_url": self.cj.base_url, "api_key": CJ_KEY,
                       "rate_limit": 100},
                "ae": {"kind": "aliexpress", "base_url": self.ae.base_url,
                       "app_key": ae.app_key, "app_secret_env": AE_SECRET_VAR,
                       "access_token": AE_ACCESS, "refresh_token": AE_REFRESH,
                       "rate_limit": 100}},
            "email": {"host": "127.0.0.1", "port": smtp_port or self.smtp_port,
                      "security": "none", "from": "Shop <shop@example.com>",
                      "username": "shop", "password": SMTP_PASSWORD, "timeout_s": 10}}

    def run(self, *args: str, config: Path | None = None) -> Result:
        result = CliRunner().invoke(main_group, [
            "--config", str(config or self.config_path), "--data-dir", str(self.data_dir),
            *args])
        self.outputs += [result.stdout, result.stderr]
        return result


def _password(server: Any, session: Any, envelope: Any, mechanism: str,
              auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"shop" and \
        auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _refuse(server: Any, session: Any, envelope: Any, mechanism: str,
            auth_data: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    monkeypatch.setenv(AE_SECRET_VAR, AE_SECRET)
    cj = start_in_thread(CJSimulator(CJSimConfig(
        orders=30, api_key=CJ_KEY, auth_interval_s=0, review_delay_s=3600,
        state_dir=tmp_path / "cj-sim")))
    ae = start_in_thread(AliExpressSimulator(AESimConfig(
        orders=30, app_secret=AE_SECRET, access_token=AE_ACCESS, refresh_token=AE_REFRESH,
        state_dir=tmp_path / "ae-sim")))
    inbox = Inbox()
    servers = []
    ports = []
    for auth in (_password, _refuse):
        port = free_port()
        server = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=auth,
                            auth_required=True, auth_require_tls=False)
        server.start()
        servers.append(server)
        ports.append(port)
    shop = Shop(tmp_path, cj, ae, inbox, ports[0], ports[1])
    config_mod.write_toml(shop.config_path, shop.raw())
    yield shop
    for server in servers:
        server.stop()
    cj.stop()
    ae.stop()


# --- files made private ---------------------------------------------------------------------


def test_config_and_token_files_are_created_private(shop: Shop) -> None:
    old = os.umask(0)  # even with a careless umask
    try:
        assert mode(shop.config_path) == 0o600
        cfg = config_mod.load(shop.config_path, shop.data_dir)
        cfg.raw["app"] = {"theme": "nord"}
        config_mod.save(cfg)  # what the settings screen does
        assert mode(shop.config_path) == 0o600
        assert shop.run("sync").exit_code == 0
        ids = shop.ae.sim.order_ids(3)
        assert shop.run("add", "--supplier", "ae", *ids).exit_code == 0
        shop.ae.sim.expire_access()
        assert shop.run("sync").exit_code == 0  # AliExpress's token is refreshed, and cached
        write_private(shop.base / "direct.json", {"token": "x"})
        assert mode(shop.base / "direct.json") == 0o600
    finally:
        os.umask(old)
    suppliers = shop.data_dir / "suppliers"
    tokens = sorted(suppliers.glob("*/*token*.json"))
    assert [p.name for p in tokens] == ["ae-token.json", "cj-token.json"]
    for path in tokens:
        assert mode(path) == 0o600, path
        assert mode(path.parent) == 0o700, path.parent
    assert mode(shop.data_dir) == 0o700


# --- a readable secret refuses to start -------------------------------------------------------


@pytest.mark.parametrize("readable", [0o640, 0o604, 0o644, 0o660])
def test_a_readable_config_with_an_inline_secret_refuses_to_start(shop: Shop,
                                                                  readable: int) -> None:
    os.chmod(shop.config_path, readable)
    for args in ([], ["orders"], ["sync"], ["export", "-o", str(shop.base / "x.csv")]):
        result = shop.run(*args)  # [] is the terminal app
        assert result.exit_code == 2, (args, result.output)
        line = one_line_error(result)
        assert f"run: chmod 600 {shop.config_path}" in line, line
        assert "readable by others" in line
        assert not any(s in line for s in CONFIGURED)
    assert not (shop.data_dir / "store.sqlite3").exists()  # refused before anything started
    os.chmod(shop.config_path, 0o600)
    assert shop.run("orders").exit_code == 0


def test_the_installed_command_refuses_too(shop: Shop) -> None:
    """The real entry point, as a merchant's shell starts it: the terminal app does not
    start on a config file others can read."""
    os.chmod(shop.config_path, 0o644)
    exe = Path(sys.executable).with_name("ordertui")
    env = dict(os.environ, ORDERTUI_CONFIG=str(shop.config_path),
               ORDERTUI_DATA_DIR=str(shop.data_dir), TERM="xterm-256color")
    done = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"ordertui: {shop.config_path}: this config file holds a secret and "
                           f"is readable by others (mode 644); run: chmod 600 "
                           f"{shop.config_path}\n")


def test_a_config_with_secrets_from_the_environment_may_be_world_readable(
        shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERTUI_TEST_CJ_KEY", CJ_KEY)
    monkeypatch.setenv("ORDERTUI_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    raw = shop.raw()
    cj = raw["suppliers"]["cj"]
    cj["api_key_env"] = "ORDERTUI_TEST_CJ_KEY"
    del cj["api_key"]
    raw["suppliers"]["ae"].update(access_token_env="ORDERTUI_TEST_AE_ACCESS",
                                  refresh_token_env="ORDERTUI_TEST_AE_REFRESH")
    monkeypatch.setenv("ORDERTUI_TEST_AE_ACCESS", AE_ACCESS)
    monkeypatch.setenv("ORDERTUI_TEST_AE_REFRESH", AE_REFRESH)
    del raw["suppliers"]["ae"]["access_token"], raw["suppliers"]["ae"]["refresh_token"]
    raw["email"]["password_env"] = "ORDERTUI_TEST_SMTP_PASSWORD"
    del raw["email"]["password"]
    config_mod.write_toml(shop.config_path, raw)
    os.chmod(shop.config_path, 0o644)
    for args in (["sync"], ["orders"], ["export", "-o", str(shop.base / "x.csv")]):
        result = shop.run(*args)
        assert result.exit_code == 0, (args, result.output)
    # and the same file holding one secret inline is refused
    raw["email"]["password"] = SMTP_PASSWORD
    config_mod.write_toml(shop.config_path, raw)
    os.chmod(shop.config_path, 0o644)
    assert shop.run("orders").exit_code == 2


@pytest.mark.parametrize("readable", [0o640, 0o644])
def test_a_readable_token_file_refuses_to_start(shop: Shop, readable: int) -> None:
    assert shop.run("sync").exit_code == 0
    token = shop.data_dir / "suppliers" / "cj" / "cj-token.json"
    assert mode(token) == 0o600
    os.chmod(token, readable)
    for args in ([], ["orders"], ["sync"], ["show", "1"]):
        result = shop.run(*args)
        assert result.exit_code == 2, (args, result.output)
        line = one_line_error(result)
        assert f"run: chmod 600 {token}" in line and "token file" in line, line
        assert not any(s in line for s in CONFIGURED)
    with pytest.raises(ConfigError, match="chmod 600"):  # also where adapters read it
        read_private(token)
    os.chmod(token, 0o600)
    assert shop.run("sync").exit_code == 0


# --- no secret anywhere ------------------------------------------------------------------------


async def _screenshots(shop: Shop) -> list[str]:
    services = Services(config_mod.load(shop.config_path, shop.data_dir))
    shots = []
    app = OrderTUI(services)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "OrdersScreen")
        await pilot.pause(0.2)
        shots.append(app.export_screenshot())
        app.push_screen(SettingsScreen())
        await pilot.pause(0.3)
        shots.append(app.export_screenshot())
        app.pop_screen()
        for ref in ("1", shop.ae.sim.order_ids(1)[0]):
            order_id = services.resolve(ref)
            app.push_screen(DetailsScreen(order_id))
            await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                        and app.screen.details is not None)
            await pilot.pause(0.2)
            shots.append(app.export_screenshot())
            app.pop_screen()
        await pilot.press("q")
    await services.aclose()
    return shots


def test_no_secret_in_logs_reports_exports_mail_screens_errors_or_show(
        shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    # work that touches every secret: syncs (CJ key, CJ tokens; AliExpress secret and tokens,
    # refreshed once), exports mailed with the SMTP password, and the commands' output
    assert shop.run("sync").exit_code == 0
    ids = shop.ae.sim.order_ids(5)
    assert shop.run("add", "--supplier", "ae", *ids).exit_code == 0
    shop.ae.sim.expire_access()
    assert shop.run("sync").exit_code == 0  # AliExpress's token is refreshed
    for ref in ("1", "2", ids[0], ids[1]):
        for fmt in ("text", "json"):
            result = shop.run("show", ref, "--format", fmt)
            assert result.exit_code == 0, result.output
    for args in (["orders", "--format", "json"], ["orders", "--format", "csv"], ["outbox"],
                 ["dispute", "list"]):
        assert shop.run(*args).exit_code == 0
    exports = [shop.base / "orders.csv", shop.base / "orders.xlsx"]
    for path in exports:
        result = shop.run("export", "-o", str(path), "--email", "accounts@example.com")
        assert result.exit_code == 0, result.output
    assert len(shop.inbox.messages) == 2

    # error messages: a mail server that refuses the login, a supplier that is gone
    refusing = shop.base / "refusing.toml"
    config_mod.write_toml(refusing, shop.raw(smtp_port=shop.refusing_port))
    result = shop.run("export", "-o", str(shop.base / "again.csv"), "--email",
                      "accounts@example.com", config=refusing)
    assert result.exit_code == 1 and "refused the user name or password" in result.stderr
    one_line_error(result)
    gone = shop.base / "gone.toml"
    raw = shop.raw()
    raw["suppliers"]["cj"]["base_url"] = "http://127.0.0.1:9/api2.0/v1"
    config_mod.write_toml(gone, raw)
    shop.run("sync", config=gone)

    # a crash whose exception carries the secrets: the report and the one line redact them
    from ordertui.services import core

    def explode(self: Any, order_id: int) -> Any:
        raise RuntimeError(f"exploded with {CJ_KEY} and {SMTP_PASSWORD} and {AE_SECRET}")
    monkeypatch.setattr(core.Services, "details", explode)
    result = shop.run("show", "1")
    assert result.exit_code == 1 and "crashed" in result.stderr and "••••" in result.stderr
    monkeypatch.undo()
    monkeypatch.setenv(AE_SECRET_VAR, AE_SECRET)

    shots = asyncio.run(_screenshots(shop))
    assert "Settings" in shots[1] and "••••" in shots[1]  # the settings screen, redacted

    # every secret: the configured ones and the tokens the suppliers issued
    secrets = set(CONFIGURED)
    for token in (shop.data_dir / "suppliers").glob("*/*token*.json"):
        data = read_private(token)
        secrets |= {data[k] for k in ("access", "refresh") if data.get(k)}
    assert len(secrets) >= len(CONFIGURED) + 3  # CJ's pair and AliExpress's new token

    artefacts: dict[str, bytes] = {}
    for path in sorted(shop.data_dir.rglob("*")):
        if path.is_file() and "token" not in path.name:  # token caches hold tokens, 0600
            artefacts[str(path.relative_to(shop.base))] = path.read_bytes()
    for path in exports:
        artefacts[path.name] = path.read_bytes()
    for n, envelope in enumerate(shop.inbox.envelopes):
        artefacts[f"e-mail {n}"] = envelope.original_content or envelope.content
    for n, text in enumerate(shop.outputs):
        artefacts[f"command output {n}"] = text.encode()
    for n, svg in enumerate(shots):
        artefacts[f"screenshot {n}"] = svg.encode()
    kinds = {"logs": "logs/", "crash report": "crash/", "store": "store.sqlite3",
             "export": "orders.xlsx"}
    for what, part in kinds.items():
        assert any(part in name for name in artefacts), f"no {what} to search"
    log = b"".join(v for k, v in artefacts.items() if "logs/" in k)
    assert b"exported" in log and b"crash in" in log  # the log saw the work
    for name, content in list(artefacts.items()):
        if content.startswith(b"PK"):  # XLSX: search the XML inside the zip
            with zipfile.ZipFile(io.BytesIO(content)) as book:
                artefacts[name] = b"".join(book.read(n) for n in book.namelist())
    for name, content in artefacts.items():
        for secret in secrets:
            for form in {secret.encode(), secret.encode("utf-16-le")}:
                assert form not in content, f"{secret[:6]}… appears in {name}"
    # the attachments, decoded (base64 in the message)
    for envelope in shop.inbox.envelopes:
        sent = message_from_bytes(envelope.original_content or envelope.content,
                                  policy=policy.default)
        for piece in sent.walk():
            payload = piece.get_payload(decode=True)
            if isinstance(payload, bytes):
                assert not any(s.encode() in payload for s in secrets)
