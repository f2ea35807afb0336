"""Shopify's search syntax for the ``query`` argument of ``orders``, as far as an app that
syncs orders uses it: ``updated_at:>'2026-12-01T10:00:00Z'`` (and ``>=``, ``<``, ``<=``,
``created_at``, ``processed_at``), ``name:1042``, ``id:>5100000000000``,
``financial_status:paid``, ``fulfillment_status:unfulfilled``, ``status:open``; terms joined
by spaces or ``AND`` all apply, ``-term`` or ``NOT term`` negates one.

A term on a field the simulator does not know, or an ``OR``, is ignored with a warning in
``extensions.search``, as Shopify answers a filter it cannot use — so an adapter sees that
its filter did nothing rather than getting a silently wrong page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ordertui.simulators.demo.shop_orders import ShopOrderRecord

_TOKEN = re.compile(r"""(-?)([A-Za-z_]+):(>=|<=|>|<|=)?('[^']*'|"[^"]*"|\S+)|(\S+)""")
DATE_FIELDS = ("updated_at", "created_at", "processed_at")
#: fields answered from the orders' index, without building the order
INDEX_FIELDS = (*DATE_FIELDS, "id", "name")
RECORD_FIELDS = ("financial_status", "fulfillment_status", "status")


@dataclass(frozen=True)
class Term:
    field: str
    op: str  # "=", ">", ">=", "<", "<="
    value: Any
    negate: bool = False

    def compare(self, have: Any) -> bool:
        v = self.value
        ok = {"=": have == v, ">": have > v, ">=": have >= v, "<": have < v,
              "<=": have <= v}[self.op]
        return ok != self.negate


@dataclass
class Search:
    terms: list[Term] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def indexed(self) -> list[Term]:
        return [t for t in self.terms if t.field in INDEX_FIELDS]

    @property
    def on_records(self) -> list[Term]:
        return [t for t in self.terms if t.field in RECORD_FIELDS]

    def matches_index(self, *, updated: int, created: int, number: int, name: str) -> bool:
        """Whether an order passes the terms the index answers (seconds, its id's number,
        its name)."""
        for t in self.indexed:
            have: Any = {"updated_at": updated, "created_at": created, "processed_at": created,
                         "id": number, "name": name.lstrip("#")}[t.field]
            if not t.compare(have):
                return False
        return True

    def matches_record(self, r: ShopOrderRecord) -> bool:
        for t in self.on_records:
            if t.field == "financial_status":
                have = r.financial_status.value.lower()
            elif t.field == "fulfillment_status":
                have = _fulfillment_word(r)
                if t.value == "unshipped":
                    have = "unshipped" if have == "unfulfilled" else have
                if t.value == "shipped":
                    have = "shipped" if have == "fulfilled" else have
            elif r.cancelled_at is not None:
                have = "cancelled"
            else:
                have = "closed" if r.closed else "open"
            if t.field == "status" and t.value == "any":
                continue
            if not t.compare(have):
                return False
        return True

    def extension(self, path: list[str], text: str) -> dict[str, Any] | None:
        """``extensions.search`` for this query, when it has warnings."""
        if not self.warnings:
            return None
        return {"path": path, "query": text, "warnings": self.warnings}


def _fulfillment_word(r: ShopOrderRecord) -> str:
    word = r.fulfillment_status.value.lower()
    return {"partially_fulfilled": "partial"}.get(word, word)


def parse(text: str | None) -> Search:
    """The terms of a search query; what it cannot use goes to ``warnings``."""
    out = Search()
    negate_next = False
    for m in _TOKEN.finditer(text or ""):
        if m.group(5) is not None:
            word = m.group(5)
            if word == "AND":
                continue
            if word == "NOT":
                negate_next = True
                continue
            out.warnings.append({"field": "default", "message":
                                 f"Free text and {word!r} are not supported; ignored."})
            continue
        minus, name, op, raw = m.group(1), m.group(2).lower(), m.group(3) or "=", m.group(4)
        negate = bool(minus) or negate_next
        negate_next = False
        value = raw[1:-1] if raw[:1] in "'\"" and raw[-1:] == raw[:1] and len(raw) > 1 else raw
        try:
            term = _term(name, op, value, negate)
        except ValueError as exc:
            out.warnings.append({"field": name, "message": str(exc)})
            continue
        if term is None:
            out.warnings.append({"field": name, "message": "Invalid search field for this "
                                 "query."})
            continue
        out.terms.append(term)
    return out


def _term(name: str, op: str, value: str, negate: bool) -> Term | None:
    if name in DATE_FIELDS:
        return Term(name, op, when(value), negate)
    if name == "id":
        return Term(name, op, int(value), negate)
    if name == "name":
        return Term(name, op, value.lstrip("#"), negate)
    if name in RECORD_FIELDS:
        if op != "=":
            raise ValueError(f"{name} accepts no comparison")
        return Term(name, op, value.lower(), negate)
    return None


def when(text: str) -> int:
    """Seconds since the epoch of a search's date: an ISO 8601 time (``Z`` or an offset;
    without one, UTC as the simulated shop's zone) or a bare date (its midnight)."""
    t = text.strip().replace(" ", "T")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"Invalid date: {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())
