"""The edges' messages in another language: what an adapter says about its settings, a
supplier that cannot be reached, a secret file others can read, a refusal explained, the
registry's unknown kind and the crash line come out in the language of the process (the test
language x-pseudo here, which needs no catalogue), the supplier's own words stay as the
supplier wrote them, and English is what it was."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ordertui import i18n
from ordertui.adapters import http_settings_problems
from ordertui.crash import announce
from ordertui.domain.errors import ConfigError, OrdertuiError, SupplierUnavailable
from ordertui.domain.shop import ShopCapability
from ordertui.http import RetryPolicy, SupplierHTTP
from ordertui.i18n.pseudo import is_pseudo
from ordertui.secrets import read_private
from ordertui.shops.base import ShopCapabilityMissing
from ordertui.shops.shopify.adapter import ShopifyAdapter
from ordertui.suppliers import registry
from ordertui.suppliers.cj.adapter import CJAdapter
from ordertui.suppliers.cj.client import CJClient
from ordertui.suppliers.demo import DemoAdapter

BAD_CJ = {"api_key": 7, "base_url": "http://shop.example.com", "page_size": 0,
          "connect_timeout_s": 0, "refund_type": "cash", "policy": "strict"}

ENGLISH_CJ = [
    ("api_key", "api_key must be a string"),
    ("base_url", "base_url uses plain http:// to shop.example.com; only https is allowed "
                 "except to this machine (127.0.0.1, localhost)"),
    ("connect_timeout_s", "connect_timeout_s must be a number from 0.1 to 300"),
    ("page_size", "page_size must be a whole number from 1 to 200"),
    ("refund_type", "refund_type must be \"balance\" (CJ wallet) or \"platform\" (back the "
                    "way you paid)"),
    ("policy", "policy must be a table, [suppliers.NAME.policy]"),
]


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- settings problems -----------------------------------------------------------------------


def test_adapter_settings_problems_are_translated_keys_stay() -> None:
    i18n.use("x-pseudo")
    problems = CJAdapter.validate_settings(BAD_CJ)
    assert [key for key, _m in problems] == [key for key, _m in ENGLISH_CJ]
    assert all(is_pseudo(message) for _k, message in problems), problems
    # the setting's name, the value and the numbers are shown as the config writes them
    by_key = dict(problems)
    assert "connect_timeout_s" in by_key["connect_timeout_s"]
    assert "0.1" in by_key["connect_timeout_s"] and "300" in by_key["connect_timeout_s"]
    assert "shop.example.com" in by_key["base_url"]


def test_adapter_settings_problems_in_english_are_unchanged() -> None:
    assert CJAdapter.validate_settings(BAD_CJ) == ENGLISH_CJ
    assert DemoAdapter.validate_settings({"orders": -1, "review_delay_s": -1}) == [
        ("review_delay_s", "review_delay_s must be a number of seconds, 0 or more"),
        ("orders", "orders must be a whole number from 0 to 5000000")]


@pytest.mark.parametrize("settings", [
    {"base_url": "ftp://example.com"}, {"read_timeout_s": 10_000},
    {"base_url": "http://example.com"}])
def test_http_settings_problems_come_out_in_the_language(settings: dict[str, object]) -> None:
    english = http_settings_problems(settings)
    i18n.use("x-pseudo")
    translated = http_settings_problems(settings)
    assert [k for k, _m in translated] == [k for k, _m in english] != []
    assert all(is_pseudo(m) and not is_pseudo(e) for (_k, m), (_k2, e)
               in zip(translated, english, strict=True))


def test_shopify_settings_and_its_config_error() -> None:
    i18n.use("x-pseudo")
    problems = ShopifyAdapter.validate_settings({"store": "my shop!", "notify_customer": "yes"})
    assert {k for k, _m in problems} == {"store", "notify_customer", "access_token_env"}
    assert all(is_pseudo(m) for _k, m in problems)


# --- a supplier that cannot be reached ------------------------------------------------------


async def test_unreachable_supplier_in_the_language_and_in_english() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    messages = []
    for language in ("en", "x-pseudo"):
        i18n.use(language)
        http = SupplierHTTP("cj", url, policy=RetryPolicy(attempts=1))
        try:
            with pytest.raises(SupplierUnavailable) as caught:
                await http.request("GET", "/orders")
        finally:
            await http.aclose()
        messages.append(str(caught.value))
    english, pseudo = messages
    assert english == "cj: cannot connect (ConnectError)"
    assert is_pseudo(pseudo) and "ConnectError" in pseudo and not is_pseudo(english)


# --- secret files ---------------------------------------------------------------------------


def private_file_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        read_private(path)
    return str(caught.value)


def test_a_token_file_others_can_read_in_the_language(tmp_path: Path) -> None:
    path = tmp_path / "cj-token.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    english = private_file_error(path)
    assert english == (f"{path}: this token file holds a supplier's access token and is "
                       f"readable by others (mode 644); run: chmod 600 {path}")
    i18n.use("x-pseudo")
    pseudo = private_file_error(path)
    # both parts of the sentence are translated, and the error's "{path}: {message}"; the
    # path and the command stay as they are
    assert pseudo.count("⟦") == 3, pseudo
    assert f"600 {path}" in pseudo and "644" in pseudo


# --- refusals, the supplier's own words ----------------------------------------------------


async def test_a_refusal_is_translated_and_the_suppliers_words_are_not(tmp_path: Path) -> None:
    client = CJClient("cj", "https://developers.cjdropshipping.com/api2.0/v1", "key-123456",
                      tmp_path, lambda: datetime(2026, 12, 6, tzinfo=UTC), rate=None)
    await client.aclose()  # no request is sent: only its errors are read
    english = str(client.error(1600001, "Invalid access token", None))
    assert english == ("cj: CJ does not accept the credentials (Invalid access token, code "
                       "1600001); check api_key in [suppliers.cj]")
    i18n.use("x-pseudo")
    pseudo = str(client.error(1600001, "Invalid access token", None))
    assert is_pseudo(pseudo)
    assert "Invalid access token" in pseudo  # CJ's text, literally
    assert "cj]" in pseudo and "1600001" in pseudo  # the name in [suppliers.NAME]
    # a code the app does not know: CJ's message literally, in ordertui's words around it
    unknown = client.error(1609999, "Order is locked", None)
    assert "Order is locked" in str(unknown) and is_pseudo(str(unknown))


def test_a_missing_shop_capability_is_one_sentence() -> None:
    english = str(ShopCapabilityMissing("demo", ShopCapability.UPDATE_TRACKING))
    assert english == "demo cannot update tracking by API"
    i18n.use("x-pseudo")
    for capability in ShopCapability:
        text = str(ShopCapabilityMissing("demo", capability))
        assert is_pseudo(text) and text.count("⟦") == 1 and "demo" in text


# --- the registry and the crash line --------------------------------------------------------


def test_an_unknown_kind_names_the_kinds_in_the_language() -> None:
    with pytest.raises(OrdertuiError) as english:
        registry.adapter_class("amazon")
    assert str(english.value) == "unknown supplier kind 'amazon'; known kinds: aliexpress, " \
                                 "cj, demo"
    i18n.use("x-pseudo")
    with pytest.raises(OrdertuiError) as pseudo:
        registry.adapter_class("amazon")
    assert is_pseudo(str(pseudo.value)) and "'amazon'" in str(pseudo.value)
    assert "aliexpress, cj, demo" in str(pseudo.value)


def test_the_crash_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "crash" / "crash-1.txt"
    announce(report, RuntimeError("boom"))
    assert capsys.readouterr().err == (f"ordertui: crashed (RuntimeError: boom); a report is "
                                       f"in {report}\n")
    i18n.use("x-pseudo")
    announce(report, RuntimeError("boom"))
    line = capsys.readouterr().err
    assert is_pseudo(line) and "RuntimeError: boom" in line and str(report) in line
