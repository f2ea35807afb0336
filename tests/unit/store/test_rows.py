"""An order's row (store/rows.py): an order comes back from the store as it went in."""

from __future__ import annotations

import json

from ordertui.store import Store
from support.store import demo_orders


def test_an_order_comes_back_as_it_went_in(store: Store) -> None:
    originals = [o for o in demo_orders(200) if len(o.items) > 1 and o.tracking_events][:5]
    originals += [o for o in demo_orders(200) if o.dispute is not None][:3]
    store.bulk_insert(originals)
    for o in originals:
        got = store.get_order(store.order_ref("demo", o.supplier_order_id) or 0)
        for attr in ("name", "status", "created_at", "updated_at", "paid_at", "currency",
                     "items", "customer", "total_price", "total_cost", "shipping_cost",
                     "carrier", "tracking_number", "tracking_events", "shipped_at",
                     "delivered_at"):
            assert getattr(got, attr) == getattr(o, attr), attr
        if o.dispute is not None:
            assert got.dispute is not None
            assert (got.dispute.state, got.dispute.amount, got.dispute.messages) == (
                o.dispute.state, o.dispute.amount, o.dispute.messages)
    assert json.loads(store.con.execute("SELECT items FROM orders LIMIT 1").fetchone()[0])
