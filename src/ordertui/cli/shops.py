"""The shop's side: ``shop-orders`` (what still needs ordering, or every shop order),
``link`` and ``unlink`` (which shop order a supplier order was placed for)."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import Any

import click

from ordertui.cli.common import AppContext, guard, no_shop, pass_app, table
from ordertui.domain import codec
from ordertui.domain.errors import ValidationError
from ordertui.domain.money import exponent
from ordertui.domain.roles import Permission
from ordertui.domain.shop import ShopOrder, ShopQuery
from ordertui.domain.text import visible
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.services import serialize
from ordertui.services.exports import neutralise

SHOP_ORDER_KEYS = ("id", "shop", "shop_order_id", "name", "created_at", "age_days",
                   "financial_status", "fulfillment_status", "total_price", "currency",
                   "customer_name", "items", "supplier_orders")


def shop_order(o: ShopOrder, supplier_orders: list[int], now: datetime) -> dict[str, Any]:
    items = "; ".join(f"{x.quantity}× {x.title}" + (f" ({x.variant})" if x.variant else "")
                      for x in o.lines)
    return {"id": o.id, "shop": o.shop, "shop_order_id": o.shop_order_id, "name": o.name,
            "created_at": codec.ts(o.created_at),
            "age_days": max((now - o.created_at).days, 0),
            "financial_status": o.financial_status.value,
            "fulfillment_status": o.fulfillment_status.value,
            "total_price": o.total.plain(), "currency": o.currency,
            "customer_name": o.customer.name, "items": items,
            "supplier_orders": supplier_orders}


#: the columns of ``shop-orders``' table (what is paid and sent in them is the shop's own
#: word, as the JSON has it)
SHOP_ORDER_HEADERS = (N_("ID"), N_("Shop"), N_("Order"), N_("Age"),
                      # Translators: the column of the shop order's payment status
                      N_("Paid"),
                      # Translators: the column of the shop order's fulfillment status
                      N_("Sent"), N_("Total"), N_("Customer"), N_("Items"),
                      N_("Supplier orders"))


@click.command("shop-orders", help=_(
    "The shop orders still to order from a supplier (paid, not sent, no supplier order "
    "linked), oldest first with their age; --unlinked or --all for more."))
@click.option("--shop", default=None, help=_("Only this shop's orders."))
@click.option("--unlinked", is_flag=True, help=_("Every shop order no supplier order is "
              "linked to (not only those to order)."))
@click.option("--all", "every", is_flag=True, help=_("Every shop order, newest first."))
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=500, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@pass_app
@guard
def shop_orders_cmd(app: AppContext, shop: str | None, unlinked: bool, every: bool,
                    limit: int, fmt: str) -> None:
    if fmt in ("json", "csv"):
        app.for_programs()
    s = app.services
    if shop and shop not in s.config.shops:
        raise ValidationError("shop", no_shop(shop, s.config))
    q = ShopQuery(shop=shop, waiting=not (unlinked or every), unlinked=unlinked)
    found = s.shops.shop_orders(q, limit=limit)
    linked = s.shops.linked_orders([o.id for o in found if o.id is not None])
    now = s.clock()
    rows = [shop_order(o, linked.get(o.id or 0, []), now) for o in found]
    total = s.shops.count_shop_orders(q)
    if fmt == "json":
        click.echo(serialize.dumps(rows))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(SHOP_ORDER_KEYS)
        for r in rows:
            writer.writerow([neutralise(visible(str(v))) if isinstance(v, str) else
                             " ".join(map(str, v)) if isinstance(v, list) else v
                             for v in r.values()])
    else:
        click.echo(table(
            [_(h) for h in SHOP_ORDER_HEADERS],
            [[str(r["id"]), r["shop"], r["name"],
              # Translators: an age in days, in a narrow column ("3d")
              _("{days}d").format(days=formats.number(r["age_days"])),
              r["financial_status"].replace("_", " "), r["fulfillment_status"].replace("_", " "),
              f"{formats.plain(o.total.quantized().amount, exponent(o.total.currency))} "
              f"{r['currency']}",
              r["customer_name"], r["items"], " ".join(map(str, r["supplier_orders"]))]
             for o, r in zip(found, rows, strict=True)], right=(0, 3, 6)))
    if q.waiting:
        what = ngettext("{shown} of {total} shop order to order",
                        "{shown} of {total} shop orders to order", total)
    elif unlinked:
        what = ngettext("{shown} of {total} shop order unlinked",
                        "{shown} of {total} shop orders unlinked", total)
    else:
        what = ngettext("{shown} of {total} shop order in all",
                        "{shown} of {total} shop orders in all", total)
    click.echo(what.format(shown=formats.number(len(rows)), total=formats.number(total)),
               err=True)


@click.command("link", help=_("Link a supplier order to the shop order it was placed for (or "
                              "list the likely ones)."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--shop-order", "shop_ref", default=None,
              help=_("The shop order it was placed for: its name (#1042) or the shop's id. "
                     "Without it, the shop orders it may be are listed."))
@pass_app
@guard
def link_cmd(app: AppContext, order_ref: str, shop_ref: str | None) -> None:
    s = app.services
    order_id = s.resolve(order_ref)
    order = s.order(order_id)
    if shop_ref is None:
        found = s.shops.suggestions(order_id)
        if not found:
            click.echo("ordertui: " + _("no shop order looks like {order}'s; give its name "
                                        "with --shop-order").format(
                order=visible(order.display_name)), err=True)
            sys.exit(1)
        for x in found:
            # the reasons are worded where the suggestions are made
            click.echo(f"{visible(x.name)}  {formats.decimal(x.score, 2)}  "
                       f"{', '.join(x.reasons)}")
        click.echo(_("link with: {command}").format(
            command=f"ordertui link {order_id} --shop-order NAME"), err=True)
        return
    s.require(Permission.LINK)
    linked = s.shops.link(order_id, shop_ref)
    click.echo(_("{order}: linked to {shop_order} of {shop}").format(
        order=visible(order.display_name), shop_order=visible(linked.name),
        shop=visible(linked.shop)))


@click.command("unlink", help=_("Undo a supplier order's link to its shop order (its money is "
                                "the supplier's again)."))
@click.argument("order_ref", metavar="ORDER_ID")
@pass_app
@guard
def unlink_cmd(app: AppContext, order_ref: str) -> None:
    s = app.services
    s.require(Permission.LINK)
    order_id = s.resolve(order_ref)
    order = s.order(order_id)
    if not s.shops.unlink(order_id):
        raise ValidationError("order", _("{order} is linked to no shop order").format(
            order=order.display_name))
    click.echo(_("{order}: unlinked").format(order=visible(order.display_name)))


COMMANDS = [shop_orders_cmd, link_cmd, unlink_cmd]
