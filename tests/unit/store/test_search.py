"""Searching the store as a merchant types: names with or without diacritics, prefixes,
every field a merchant may type, search syntax that must never raise, and a search index
that follows every change."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.store import Store
from support.demo import OrderFactory
from support.store import demo_orders, search, true_count


@pytest.fixture
def searchable(store: Store, make_order: OrderFactory) -> dict[str, int]:
    store.bulk_insert(demo_orders(30))  # #1001 ... #1030, supplier ids DM2000000x
    special = {
        "mueller": make_order(1042, customer="Jürgen Müller", email="j.mueller@example.de",
                              country="DE", title="Electric Milk Frother",
                              tracking_number="YT2024123456789CN", carrier="YunExpress",
                              status=OrderStatus.SHIPPED),
        "wang": make_order(2001, customer="王芳", email="wang.fang@qq.com", country="CN",
                           title="Desk lamp"),
        "zoe": make_order(2002, customer="Zoë Ünal", email="zoe.unal@example.fr",
                          title="Milk jug", country="FR"),
        "obrien": make_order(2003, customer="Seán O'Brien", email="sean@example.ie",
                             title="Electric kettle", country="IE"),
        "underscore": make_order(2004, customer="Jane Doe", email="jane_doe@example.com",
                                 title="Phone case", country="US"),
    }
    store.bulk_insert(special.values())
    return {k: store.resolve(o.supplier_order_id) for k, o in special.items()}


@pytest.mark.parametrize("text", ["muller", "Müller", "MÜLLER", "mülle", "jurgen muller",
                                  "müller jürgen", "JÜRG MÜL"])
def test_search_names_prefix_and_diacritics(searchable: dict[str, int], store: Store,
                                            text: str) -> None:
    assert search(store, text) == {searchable["mueller"]}


def _folded_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"\w+", plain)


@pytest.mark.parametrize("prefix", ["mül", "mu", "ü", "lamp", "bri", "j"])
def test_search_short_prefixes(searchable: dict[str, int], store: Store, prefix: str) -> None:
    """Every hit has a word starting with the prefix (diacritics aside), and every order
    with such a word is a hit."""
    folded = _folded_words(prefix)[0]
    fields = store.con.execute(
        "SELECT id, name || ' ' || supplier_order_id || ' ' || customer_name || ' ' || "
        "customer_email || ' ' || tracking_number || ' ' || items_text FROM orders").fetchall()
    want = {oid for oid, text in fields
            if any(w.startswith(folded) for w in _folded_words(text))}
    assert want
    assert search(store, prefix) == want


def test_search_everything_a_merchant_types(searchable: dict[str, int], store: Store) -> None:
    m = searchable["mueller"]
    assert search(store, "#1042") == {m}
    assert search(store, "1042") == {m}
    assert search(store, "S1042") == {m}  # the supplier's order id
    assert search(store, "j.mueller@example.de") == {m}  # the whole e-mail
    assert search(store, "mueller") == {m}  # a part of it
    assert search(store, "example.de") == {m}
    assert search(store, "YT2024123456789CN") == {m}  # the tracking number
    assert search(store, "yt20241") == {m}  # its start
    assert search(store, "frother") == {m} | _titled(store, "frother")
    assert search(store, "milk frother müller") == {m}  # words from different fields
    assert search(store, "milk") == _titled(store, "milk") | {m, searchable["zoe"]}
    assert search(store, "王芳") == {searchable["wang"]}
    assert search(store, "王") == {searchable["wang"]}
    assert search(store, "zoe unal") == {searchable["zoe"]}
    assert search(store, "o'brien") == {searchable["obrien"]}
    assert search(store, "jane_doe") == {searchable["underscore"]}  # "_" splits words
    assert search(store, "jane_doe@example.com") == {searchable["underscore"]}
    assert search(store, "DM20000007") == {store.resolve("DM20000007")}
    assert search(store, "nobody-by-this-name") == set()


def _titled(store: Store, word: str) -> set[int]:
    return {oid for oid, text in store.con.execute("SELECT id, items_text FROM orders")
            if any(w.lower().startswith(word) for w in text.split())}


@pytest.mark.parametrize("text", [
    '"', '""', "'", "*", "a*", "*a", "AND", "OR", "NOT", "a AND", "NOT a", "a OR b",
    "NEAR(a b)", "NEAR(", "(", ")", "()", "{a b}", ":", "customer_name:müller", "name:1042",
    "^", "^a", "-", "-a", "+", "a + b", "\\", "%", "_", "a\x00b", '"unterminated', "a\"b",
    "🙂", "\u202e", "0_0", "a__b", "_", "\x1b[31m", ";", "'; DROP TABLE orders; --", "col:",
    "a:b:c", "#",
    " ".join(f"w{i}" for i in range(40)),
])
def test_search_syntax_typed_by_a_person_never_raises(searchable: dict[str, int],
                                                     store: Store, text: str) -> None:
    q = OrderQuery(search=text)
    rows = store.window(q, limit=50)
    assert store.count(q) >= len(rows)
    assert store.window(q, limit=5, from_end=True) is not None
    assert true_count(store) == 35  # nothing happened to the table


def test_search_for_words_like_operators_finds_them(store: Store,
                                                     make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1, customer="Near Orr", title="Not a lamp"),
                       make_order(2, customer="Andrea And")])
    assert search(store, "near") == {store.resolve("S1")}
    assert search(store, "NOT") == {store.resolve("S1")}
    assert search(store, "and") == {store.resolve("S2")}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(text=st.text(max_size=40))
@example(text="0\u19b00")  # a letter to Python, a separator to SQLite: not a phrase query
@example(text="a\u1cf3b c")
def test_any_search_text_is_safe(filled: Store, text: str) -> None:
    q = OrderQuery(search=text)
    filled.window(q, limit=5)
    filled.count(q)


def test_search_follows_changes(store: Store, make_order: OrderFactory) -> None:
    o = make_order(7, customer="Ada Lovelace")
    store.apply_sync_page("demo", [o], None)
    oid = store.resolve("S7")
    assert search(store, "lovelace") == {oid}
    renamed = replace(o, customer=replace(o.customer, name="Grace Hopper"),
                      updated_at=o.updated_at + timedelta(hours=1))
    store.apply_sync_page("demo", [renamed], None)
    assert search(store, "lovelace") == set()
    assert search(store, "hopper") == {oid}
    with store.write() as con:
        con.execute("DELETE FROM orders WHERE id = ?", (oid,))
    assert search(store, "hopper") == set()


def test_empty_and_punctuation_only_search(searchable: dict[str, int], store: Store) -> None:
    assert len(search(store, "   ")) == 35  # blank: no filter at all
    assert search(store, "#") == set()  # nothing to look for: nothing found
    assert search(store, "!!!") == set()
