"""Supplier policies (documented defaults, config overrides, errors naming the key) and the
generated shop policy: for every combination of supplier policies it never promises more
than the strictest supplier and the merchant's own window allow, in English, German and
French, as markdown or plain text."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from ordertui.config import Config
from ordertui.domain.errors import ConfigError, OrdertuiError, ValidationError
from ordertui.domain.policy import (
    ASSUMED_POLICY,
    DEFAULT_POLICIES,
    ProtectionBasis,
    ShippingPayer,
    default_policy,
)
from ordertui.services.policy import (
    PUBLISHED_FILE,
    Lang,
    generate_policy,
    merchant_returns,
    policy_terms,
    save_policy,
    supplier_policy,
    terms_fingerprint,
)
from ordertui.services.policy.render import WORDS
from ordertui.services.policy.texts import EN
from support.returns import ADDRESS, make_config

LANGS = ("en", "de", "fr")
FORMATS = ("markdown", "text")


def cfg(tmp_path: Path, suppliers: dict[str, dict[str, Any]],
        returns: dict[str, Any] | None = None) -> Config:
    return make_config(tmp_path, suppliers=suppliers, returns=returns)


def accepts(days: int, payer: str = "customer") -> dict[str, Any]:
    return {"accepts_returns": True, "return_window_days": days, "return_shipping": payer}


# --- supplier policies ---------------------------------------------------------------------

def test_documented_defaults() -> None:
    ali, cj, demo = (DEFAULT_POLICIES[k] for k in ("aliexpress", "cj", "demo"))
    assert (ali.accepts_returns, ali.protection_days, ali.protection_from) == (
        False, 15, ProtectionBasis.DELIVERY)
    assert (cj.accepts_returns, cj.protection_days, cj.protection_from) == (
        False, 30, ProtectionBasis.DELIVERY)
    assert (demo.accepts_returns, demo.protection_days) == (False, 15)
    assert all(p.text and p.return_window_days == 0 for p in (ali, cj, demo))
    assert default_policy("acme") is ASSUMED_POLICY and ASSUMED_POLICY.source == "assumed"


def test_config_overrides_any_field(tmp_path: Path) -> None:
    config = cfg(tmp_path, {"cj": {"kind": "cj", "policy": {
        "accepts_returns": True, "return_window_days": 10, "protection_days": 45,
        "protection_from": "order", "return_shipping": "supplier", "text": " CJ warehouse "}},
        "ali": {"kind": "aliexpress"}, "acme": {"kind": "acme"}})
    p = supplier_policy(config, "cj")
    assert (p.accepts_returns, p.return_window_days, p.protection_days, p.protection_from,
            p.return_shipping, p.text, p.source) == (
        True, 10, 45, ProtectionBasis.ORDER, ShippingPayer.SUPPLIER, "CJ warehouse", "config")
    assert supplier_policy(config, "ali") == DEFAULT_POLICIES["aliexpress"]
    assert supplier_policy(config, "acme") == ASSUMED_POLICY  # kind nobody documented
    assert supplier_policy(config, "gone") == ASSUMED_POLICY  # no longer configured


@pytest.mark.parametrize(("table", "key", "message"), [
    ({"accepts_returns": "yes"}, "accepts_returns", "true or false"),
    ({"accepts_returns": True}, "return_window_days", "1 or more"),
    ({"accepts_returns": True, "return_window_days": 0}, "return_window_days", "1 or more"),
    ({"return_window_days": -1}, "return_window_days", "from 0 to 3650"),
    ({"protection_days": "15"}, "protection_days", "whole number"),
    ({"protection_days": True}, "protection_days", "whole number"),
    ({"protection_from": "shipment"}, "protection_from", '"delivery" or "order"'),
    ({"return_shipping": "nobody"}, "return_shipping", '"customer", "merchant"'),
    ({"text": 5}, "text", "string"),
    ({"windw": 3}, "windw", "unknown key 'windw'"),
])
def test_policy_errors_name_the_key(tmp_path: Path, table: dict[str, Any], key: str,
                                    message: str) -> None:
    config = cfg(tmp_path, {"cj": {"kind": "cj", "policy": table}})
    with pytest.raises(ConfigError, match=message) as info:
        supplier_policy(config, "cj")
    assert info.value.key == f"suppliers.cj.policy.{key}" and info.value.exit_code == 2
    with pytest.raises(ConfigError):
        generate_policy(config)


def test_a_policy_that_is_not_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        supplier_policy(cfg(tmp_path, {"cj": {"kind": "cj", "policy": "none"}}), "cj")
    assert info.value.key == "suppliers.cj.policy"


def test_merchant_returns_defaults_and_errors(tmp_path: Path) -> None:
    m = merchant_returns(cfg(tmp_path, {}))
    assert (m.address_lines, m.window_days, m.return_shipping, m.refund_days,
            m.claim_margin_days, m.transit_days) == ((), 14, ShippingPayer.CUSTOMER, 14, 2, 20)
    assert not m.accepts_returns
    m = merchant_returns(cfg(tmp_path, {}, {"address": ["Anna", "", " Weg 1 "]}))
    assert m.address_lines == ("Anna", "Weg 1") and m.accepts_returns
    for table, key in [({"window_days": -1}, "window_days"), ({"window_days": 1.5},
                       "window_days"), ({"address": 5}, "address"),
                       ({"return_shipping": "supplier"}, "return_shipping"),
                       ({"refund_days": 0}, "refund_days"), ({"email": []}, "email"),
                       ({"claim_margin_days": 31}, "claim_margin_days")]:
        with pytest.raises(ConfigError) as info:
            merchant_returns(cfg(tmp_path, {}, table))
        assert info.value.key == f"returns.{key}"


# --- what the shop may promise -------------------------------------------------------------

def test_no_supplier_takes_returns_and_no_address(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {"ali": {"kind": "aliexpress"}, "cj": {"kind": "cj"}}))
    assert (t.return_days, t.returns_to, t.claim_days) == (0, "none", 13)
    assert t.limited_by == "no return address in [returns]"
    assert any("ali accepts no returns and [returns] has no address" in w for w in t.warnings)
    assert t.suppliers_agree


def test_no_supplier_takes_returns_so_they_go_to_the_merchant(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {"ali": {"kind": "aliexpress"}, "cj": {"kind": "cj"}},
                         {"address": ADDRESS, "window_days": 30}))
    assert (t.return_days, t.returns_to, t.claim_days) == (30, "merchant", 13)
    assert t.limited_by == "your own window ([returns] window_days = 30)"
    assert t.warnings == ()


def test_all_suppliers_take_returns_the_strictest_wins(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {
        "ali": {"kind": "aliexpress", "policy": accepts(15)},
        "cj": {"kind": "cj", "policy": accepts(30, "supplier")}}, {"window_days": 60}))
    assert (t.return_days, t.returns_to, t.return_shipping) == (
        15, "supplier", ShippingPayer.CUSTOMER)
    assert t.limited_by == "the strictest supplier: ali (15 days)"
    assert not t.suppliers_agree


def test_the_merchants_own_window_caps_even_generous_suppliers(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {"cj": {"kind": "cj", "policy": accepts(30, "supplier")}},
                         {"window_days": 7}))
    assert (t.return_days, t.returns_to, t.return_shipping) == (
        7, "supplier", ShippingPayer.MERCHANT)  # the supplier pays: free for the customer
    assert t.limited_by.startswith("your own window")


def test_suppliers_disagree_with_an_address(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {"ali": {"kind": "aliexpress"},
                                    "cj": {"kind": "cj", "policy": accepts(10)}},
                         {"address": ADDRESS, "window_days": 30,
                          "return_shipping": "merchant"}))
    assert (t.return_days, t.returns_to, t.return_shipping) == (
        10, "merchant", ShippingPayer.MERCHANT)
    assert t.limited_by == "the strictest supplier: cj (10 days)"
    assert not t.suppliers_agree


def test_suppliers_disagree_without_an_address(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {"ali": {"kind": "aliexpress"},
                                    "cj": {"kind": "cj", "policy": accepts(10)}}))
    assert (t.return_days, t.returns_to) == (0, "none")


def test_claim_window_follows_buyer_protection(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {
        "cj": {"kind": "cj", "policy": {"protection_days": 60, "protection_from": "order"}},
        "ali": {"kind": "aliexpress", "policy": {"protection_days": 45}}},
        {"transit_days": 25, "claim_margin_days": 3}))
    assert [s.claim_days for s in t.suppliers] == [35, 45]
    assert t.claim_days == 32
    assert any("counts from the order" in w for w in t.warnings)
    short = policy_terms(cfg(tmp_path, {"ali": {"kind": "aliexpress",
                                                "policy": {"protection_days": 2}}}))
    assert short.claim_days == 1 and any("leaves no margin" in w for w in short.warnings)
    none = policy_terms(cfg(tmp_path, {"ali": {"kind": "aliexpress",
                                               "policy": {"protection_days": 0}}}))
    assert none.claim_days == 14 and any("no buyer protection" in w for w in none.warnings)


def test_unknown_returns_keys_are_reported(tmp_path: Path) -> None:
    t = policy_terms(cfg(tmp_path, {"demo": {"kind": "demo"}}, {"adress": "typo"}))
    assert any("adress" in w for w in t.warnings)


def test_never_promises_more_than_suppliers_and_merchant_allow(tmp_path: Path) -> None:
    rng = random.Random(6)
    for _ in range(300):
        suppliers: dict[str, dict[str, Any]] = {}
        for i in range(rng.randint(1, 4)):
            table: dict[str, Any] = {"protection_days": rng.choice([0, 7, 15, 30, 60])}
            if rng.random() < 0.5:
                table |= accepts(rng.choice([1, 7, 10, 14, 30, 90]))
            suppliers[f"s{i}"] = {"kind": rng.choice(["cj", "aliexpress", "demo"]),
                                  "policy": table}
        returns: dict[str, Any] = {"window_days": rng.choice([0, 1, 14, 30, 100])}
        if rng.random() < 0.5:
            returns["address"] = ADDRESS
        config = cfg(tmp_path, suppliers, returns)
        t = policy_terms(config)
        assert t.return_days <= returns["window_days"]
        for s in suppliers.values():
            policy = s["policy"]
            if policy.get("accepts_returns"):
                assert t.return_days <= policy["return_window_days"]
            elif "address" not in returns:
                assert t.return_days == 0
        if t.returns_to == "supplier":
            assert all(s["policy"].get("accepts_returns") for s in suppliers.values())
        assert (t.return_days == 0) == (t.returns_to == "none")
        for lang in LANGS:
            text = generate_policy(config, lang=lang, fmt="text").text
            if t.return_days:
                number = {"en": f"within {t.return_days} day", "de": f"von {t.return_days} Tag",
                          "fr": f"de {t.return_days} jour"}[lang]
                assert number in text
            if t.returns_to == "merchant":
                assert "Hauptstraße 5" in text
            else:
                assert "Hauptstraße" not in text


# --- the text ---------------------------------------------------------------------------

SHOP = {"address": ADDRESS, "window_days": 30, "shop_name": "Lampen & Co",
        "email": "service@lampen.example"}


def _doc(tmp_path: Path, suppliers: dict[str, dict[str, Any]], returns: dict[str, Any],
         lang: str = "en", fmt: str = "markdown") -> str:
    return generate_policy(cfg(tmp_path, suppliers, returns), lang=lang, fmt=fmt).text


def test_the_english_policy_in_full(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    doc = generate_policy(cfg(tmp_path, {"ali": {"kind": "aliexpress"}}, SHOP),
                          today=datetime(2026, 3, 1, tzinfo=UTC))
    assert doc.text == """\
# Refund and return policy

Thank you for shopping at Lampen & Co. This policy explains when you can return an item and \
how refunds work.

## Returns

You can return an item within 30 days of delivery. Items must be unused and in their \
original packaging. Please include your order number.

Before you send anything, write to us at service@lampen.example with your order number and \
the item you want to return.

Please send returns only to this address, not to the sender address on the parcel:

**Anna Schmidt, Hauptstraße 5, 10115 Berlin, Germany**

You pay for return shipping, unless the item is faulty or not what you ordered. Keep the \
tracking number of your return parcel until your refund arrives.

## Damaged, faulty or wrong items

If your order arrives damaged or faulty, is not what you ordered or not as described, or \
has parts missing, contact us within 13 days of delivery with your order number and photos \
of the item and its packaging.

We then refund you in full or send a replacement, as you prefer. You only need to send the \
item back if we ask you to; we then pay for the return shipping. If your order has not \
arrived by the latest delivery date we gave you, contact us: we find it or refund you.

## Refunds

Refunds go back to your original payment method within 14 days after we receive your return \
or accept your claim. If a returned item is used, damaged or incomplete, we may refund part \
of its price.

We confirm every refund by e-mail; your bank may take a few more days to show it.

This policy does not affect your statutory rights. Questions? Write to \
service@lampen.example.

Last updated: 2026-03-01
"""


EXPECT = {
    "en": ["Refund and return policy", "within 30 days of delivery",
           "not to the sender address on the parcel", "within 13 days of delivery",
           "statutory rights", "Last updated:"],
    "de": ["Rückgabe- und Erstattungsrichtlinie", "innerhalb von 30 Tagen nach der Zustellung",
           "nicht an die Absenderadresse auf dem Paket", "innerhalb von 13 Tagen nach der "
           "Zustellung", "gesetzlichen Rechte", "Stand:"],
    "fr": ["Politique de retour et de remboursement", "dans un délai de 30 jours après la "
           "livraison", "et non à l’adresse de l’expéditeur", "dans un délai de 13 jours",
           "droits légaux", "Dernière mise à jour\u00a0:"],
}
NO_RETURNS = {"en": "We cannot take back items you no longer want",
              "de": "können wir leider nicht zurücknehmen",
              "fr": "Nous ne pouvons malheureusement pas reprendre"}
TO_SUPPLIER = {"en": "We will then tell you the return address",
               "de": "Wir nennen Ihnen dann die Rücksendeadresse",
               "fr": "Nous vous indiquerons alors l’adresse de retour"}
FREE = {"en": "Return shipping is free for you", "de": "Die Rücksendung ist für Sie kostenlos",
        "fr": "Le retour est gratuit pour vous"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_returns_to_the_merchant_in_every_language(tmp_path: Path, lang: str,
                                                   fmt: str) -> None:
    text = _doc(tmp_path, {"ali": {"kind": "aliexpress"}, "cj": {"kind": "cj"}}, SHOP,
                lang, fmt)
    for phrase in EXPECT[lang]:
        assert phrase in text, phrase
    assert NO_RETURNS[lang] not in text and "Lampen & Co" in text
    if fmt == "markdown":
        assert text.startswith("# ") and "\n## " in text
        assert "**Anna Schmidt, Hauptstraße 5, 10115 Berlin, Germany**" in text
    else:
        assert "\n## " not in text and "**" not in text
        title = text.splitlines()[0]
        assert text.splitlines()[1] == "=" * len(title)
        assert "\n    Anna Schmidt\n    Hauptstraße 5\n    10115 Berlin\n    Germany\n" in text
    assert text.endswith("\n") and "{" not in text and "\n\n\n" not in text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_supplier_accepts_returns_in_every_language(tmp_path: Path, lang: str,
                                                       fmt: str) -> None:
    text = _doc(tmp_path, {"ali": {"kind": "aliexpress"}, "cj": {"kind": "cj"}},
                {"shop_name": "Lampen & Co"}, lang, fmt)
    assert NO_RETURNS[lang] in text
    assert EXPECT[lang][1] not in text and "Anna Schmidt" not in text
    assert EXPECT[lang][3] in text  # damaged items are still refunded, within 13 days
    assert ("@" not in text)  # no e-mail configured, none invented


@pytest.mark.parametrize("lang", LANGS)
def test_suppliers_disagree_in_every_language(tmp_path: Path, lang: str) -> None:
    suppliers = {"ali": {"kind": "aliexpress"}, "cj": {"kind": "cj", "policy": accepts(10)}}
    text = _doc(tmp_path, suppliers, SHOP, lang)
    number = {"en": "within 10 days of delivery", "de": "innerhalb von 10 Tagen",
              "fr": "dans un délai de 10 jours"}[lang]
    assert number in text and "Anna Schmidt" in text
    assert "30" not in text.split("\n## ")[1]  # the merchant's 30 days are not promised
    text = _doc(tmp_path, suppliers, {}, lang)
    assert NO_RETURNS[lang] in text


@pytest.mark.parametrize("lang", LANGS)
def test_all_suppliers_take_returns_in_every_language(tmp_path: Path, lang: str) -> None:
    suppliers = {"ali": {"kind": "aliexpress", "policy": accepts(15, "supplier")},
                 "cj": {"kind": "cj", "policy": accepts(20, "merchant")}}
    text = _doc(tmp_path, suppliers, {"window_days": 60}, lang)
    assert TO_SUPPLIER[lang] in text and FREE[lang] in text
    assert {"en": "within 15 days", "de": "von 15 Tagen", "fr": "de 15 jours"}[lang] in text


@pytest.mark.parametrize(("lang", "phrase"), [
    ("en", "within 1 day of delivery"), ("de", "innerhalb von 1 Tag nach"),
    ("fr", "dans un délai de 1 jour après")])
def test_one_day_is_singular(tmp_path: Path, lang: str, phrase: str) -> None:
    text = _doc(tmp_path, {"demo": {"kind": "demo"}}, {"address": ADDRESS, "window_days": 1},
                lang)
    assert phrase in text


def test_merchant_words_cannot_become_markup(tmp_path: Path) -> None:
    returns = {"address": "Unit #4 *top*\nMain St\x1b[31m red", "shop_name": "*Best*_Shop [1]",
               "email": "a_b@example.com"}
    md = _doc(tmp_path, {"demo": {"kind": "demo"}}, returns)
    assert r"\*Best\*\_Shop \[1\]" in md and r"a\_b@example.com" in md
    assert r"Unit \#4 \*top\*" in md and "\x1b" not in md and "␛" in md
    plain = _doc(tmp_path, {"demo": {"kind": "demo"}}, returns, fmt="text")
    assert "*Best*_Shop [1]" in plain and "a_b@example.com" in plain
    assert "{shop}" not in md and "{email}" not in md
    braces = _doc(tmp_path, {"demo": {"kind": "demo"}}, {"shop_name": "{email}"}, fmt="text")
    assert "shopping at {email}." in braces  # merchant text is never a template


def test_regenerated_from_the_current_settings(tmp_path: Path) -> None:
    suppliers: dict[str, dict[str, Any]] = {"cj": {"kind": "cj", "policy": accepts(20)}}
    config = cfg(tmp_path, suppliers, {"window_days": 60})
    assert "within 20 days" in generate_policy(config).text
    config.suppliers["cj"].settings["policy"] = accepts(12)
    assert "within 12 days" in generate_policy(config).text
    config.suppliers["cj"].settings["policy"] = {"accepts_returns": False}
    assert NO_RETURNS["en"] in generate_policy(config).text


def test_bad_language_or_format(tmp_path: Path) -> None:
    config = cfg(tmp_path, {"demo": {"kind": "demo"}})
    with pytest.raises(ValidationError) as info:
        generate_policy(config, lang="es")
    assert info.value.field == "lang"
    with pytest.raises(ValidationError) as info:
        generate_policy(config, fmt="html")
    assert info.value.field == "format"


def test_every_language_has_a_whole_table() -> None:
    """Adding a language is adding a table: one for every ``Lang``, with the English keys and
    no field the composer or the layout does not fill."""
    assert set(WORDS) == set(Lang)
    fields = {"n", "return_days", "claim_days", "refund_days", "date", "shop", "email"}
    for lang, table in WORDS.items():
        assert table.keys() == EN.keys(), lang
        for key, text in table.items():
            assert set(re.findall(r"\{(\w+)\}", text)) <= fields, (lang, key)


# --- the policy the merchant took ----------------------------------------------------------

def test_the_fingerprint_of_the_promises_does_not_drift(tmp_path: Path) -> None:
    """The record of the policy the merchant took holds this fingerprint of the terms: should it
    change with a new version of ordertui (a field or class renamed, fields reordered), every
    saved policy would be regenerated and every merchant told to update their shop for
    nothing. Moving the code around must leave it as it is."""
    config = cfg(tmp_path, {"ali": {"kind": "aliexpress"}, "cj": {"kind": "cj", "policy": {
        **accepts(10), "protection_from": "order"}}}, SHOP)
    assert terms_fingerprint(policy_terms(config)) == "a30a458c9cc3a88a5760"


def test_save_policy_writes_the_page_and_remembers_it(tmp_path: Path) -> None:
    config = cfg(tmp_path, {"demo": {"kind": "demo"}}, SHOP)
    doc = generate_policy(config, lang="de", fmt="text")
    target = tmp_path / "shop" / "policy.txt"
    target.parent.mkdir()
    assert save_policy(config, doc, target) == target
    assert target.read_text(encoding="utf-8") == doc.text
    assert target.stat().st_mode & 0o777 == 0o644  # a page for the shop, not a secret
    record = json.loads((config.data_dir / PUBLISHED_FILE).read_text(encoding="utf-8"))
    assert (record["path"], record["lang"], record["format"]) == (str(target.resolve()), "de",
                                                                  "text")
    elsewhere = tmp_path / "other-data"  # a data directory instead of the config
    assert save_policy(elsewhere, doc, target) == target
    assert json.loads((elsewhere / PUBLISHED_FILE).read_text())["path"] == str(target.resolve())


def test_save_policy_where_it_cannot_be_written(tmp_path: Path) -> None:
    config = cfg(tmp_path, {"demo": {"kind": "demo"}})
    doc = generate_policy(config)
    with pytest.raises(OrdertuiError, match="no directory") as info:
        save_policy(config, doc, tmp_path / "no" / "policy.md")
    assert "\n" not in str(info.value)
    assert not (config.data_dir / PUBLISHED_FILE).exists()  # nothing saved, nothing taken
