"""Returns, refunds, money back from suppliers, the returns stock and the shop's policy:
``return open|set|list``, ``refund``, ``recovered``, ``stock list|use``, ``policy``."""

from __future__ import annotations

from pathlib import Path

import click

from ordertui.cli.common import AppContext, fail, guard, pass_app, table
from ordertui.domain.returns import OrderMoney, Return, ReturnDestination, ReturnState, shown
from ordertui.domain.text import visible
from ordertui.services.policy import (
    Format,
    Lang,
    generate_policy,
    record_published,
    save_policy,
)
from ordertui.services.returns import parse_items

STATE_CHOICES = [s.value for s in ReturnState]


def _net(money: OrderMoney) -> str:
    return f"net {shown(money.net)} ({money.net_formula()})"


def _where(r: Return, supplier: str) -> str:
    if r.destination is ReturnDestination.MERCHANT:
        return "your address" + (f" ({', '.join(r.address.splitlines())})" if r.address else "")
    return supplier


@click.group("return")
def return_group() -> None:
    """Returns: open one, follow it to received, restock or dispose of the items."""


@return_group.command("open")
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--items", required=True, help="What comes back: SKU:QTY,... (a line without "
              "a SKU is #N, its position in the order).")
@click.option("--reason", required=True, help="The customer's reason.")
@click.option("--tracking", default="", help="The customer's tracking number, if any.")
@click.option("--to", "destination", type=click.Choice([d.value for d in ReturnDestination]),
              default=None, help="Where it goes: the supplier (when it takes returns) or "
              "your own address from [returns]. Default: the supplier if it takes returns, "
              "else your address.")
@pass_app
@guard
def return_open_cmd(app: AppContext, order_ref: str, items: str, reason: str, tracking: str,
                    destination: str | None) -> None:
    """Record that a customer sends items of an order back."""
    s = app.services
    order_id = s.resolve(order_ref)
    options = s.returns.return_options(order_id)
    r = s.returns.open_return(order_id, parse_items(items), reason, tracking=tracking,
                              destination=destination)
    if destination is None and not options.supplier_accepts:
        click.echo(f"ordertui: note: {visible(options.message)}", err=True)
    if options.within_window is False:
        click.echo(f"ordertui: note: delivered {options.days_since_delivery} days ago, "
                   "outside your return window", err=True)
    click.echo(f"{visible(r.order_name)}: return {r.id} {r.state.value} — "
               f"{visible(r.items_summary)} to {visible(_where(r, options.supplier))}")


@return_group.command("set")
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--state", required=True, type=click.Choice(STATE_CHOICES),
              help="in_transit when sent, received when it arrived (or was handed over), "
              "then restocked (resellable) or disposed; cancelled if it never comes.")
@click.option("--tracking", default=None, help="The customer's tracking number.")
@click.option("--condition", default=None, help="What state the item arrived in.")
@click.option("--return", "return_id", type=int, default=None,
              help="Which return, when the order has several unfinished ones.")
@pass_app
@guard
def return_set_cmd(app: AppContext, order_ref: str, state: str, tracking: str | None,
                   condition: str | None, return_id: int | None) -> None:
    """Move an order's return to its next state."""
    s = app.services
    order_id = s.resolve(order_ref)
    if return_id is None:
        return_id = s.returns.current_return(order_id).id
    else:
        r = s.returns.get_return(return_id)
        if r.order_id != order_id:
            fail(f"return {return_id} belongs to another order ({r.order_name})", 2)
    assert return_id is not None
    r = s.returns.set_return_state(return_id, state, tracking=tracking, condition=condition)
    tail = " — in the returns stock" if r.state is ReturnState.RESTOCKED else ""
    click.echo(f"{visible(r.order_name)}: return {r.id} {r.state.value}{tail}")


@return_group.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice(STATE_CHOICES),
              help="Only returns in this state (repeat for several).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@pass_app
@guard
def return_list_cmd(app: AppContext, states: tuple[str, ...], limit: int) -> None:
    """Returns of every order, the latest activity first."""
    s = app.services
    rows = s.returns.list_returns(states, limit=limit)
    click.echo(table(["ID", "Order", "State", "Items", "To", "Tracking", "Reason", "Updated"],
                     [[str(r.id), r.order_name, r.state.value, r.items_summary,
                       r.destination.value, r.tracking_number, r.reason,
                       r.updated_at.astimezone().strftime("%Y-%m-%d")] for r in rows],
                     right=(0,)))
    click.echo(f"{len(rows):,} returns", err=True)


@click.command("refund")
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--amount", required=True, help="How much goes back to the customer, like 12.50,"
              " or 'full' for all that is not refunded yet.")
@click.option("--reason", required=True, help="Why.")
@click.option("--item-returned", is_flag=True, help="The item comes back (else the customer "
              "keeps it).")
@pass_app
@guard
def refund_cmd(app: AppContext, order_ref: str, amount: str, reason: str,
               item_returned: bool) -> None:
    """Record a refund to the customer (never more than they paid, over all refunds)."""
    s = app.services
    order_id = s.resolve(order_ref)
    refund = s.returns.record_refund(order_id, amount, reason, item_returned=item_returned)
    order = s.order(order_id)
    click.echo(f"{visible(order.display_name)}: refunded {refund.amount.display()}; "
               f"{_net(s.returns.money(order_id))}")


@click.command("recovered")
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--amount", required=True, help="What the supplier gave back, like 8.20.")
@click.option("--note", default="", help="How (a dispute on its page, a credit, ...).")
@pass_app
@guard
def recovered_cmd(app: AppContext, order_ref: str, amount: str, note: str) -> None:
    """Record money got back from the supplier by hand (disputes ordertui follows count by
    themselves)."""
    s = app.services
    order_id = s.resolve(order_ref)
    rec = s.returns.record_recovery(order_id, amount, note)
    order = s.order(order_id)
    click.echo(f"{visible(order.display_name)}: recovered {rec.amount.display()}; "
               f"{_net(s.returns.money(order_id))}")


@click.group("stock")
def stock_group() -> None:
    """The returns stock: resellable returned items, to ship later orders from."""


@stock_group.command("list")
@click.option("--sku", default=None, help="Only this SKU.")
@click.option("--all", "include_empty", is_flag=True, help="Also lots used up already.")
@pass_app
@guard
def stock_list_cmd(app: AppContext, sku: str | None, include_empty: bool) -> None:
    """Items in the returns stock, oldest first."""
    s = app.services
    lots = s.returns.stock(sku, include_empty=include_empty)
    click.echo(table(["Lot", "SKU", "Product", "Variant", "Qty", "Condition", "From order",
                      "Restocked"],
                     [[str(x.id), x.sku, x.title, x.variant, str(x.quantity), x.condition,
                       x.from_order_name, x.restocked_at.astimezone().strftime("%Y-%m-%d")]
                      for x in lots], right=(0, 4)))
    click.echo(f"{sum(x.quantity for x in lots):,} items in {len(lots):,} lots", err=True)


@stock_group.command("use")
@click.argument("sku")
@click.option("--order", "order_ref", required=True, metavar="ORDER_ID",
              help="The order shipped from stock.")
@click.option("--quantity", type=click.IntRange(1, 100_000), default=1, show_default=True)
@pass_app
@guard
def stock_use_cmd(app: AppContext, sku: str, order_ref: str, quantity: int) -> None:
    """Ship an order's item from the returns stock instead of ordering it from the supplier."""
    s = app.services
    order_id = s.resolve(order_ref)
    uses = s.returns.use_stock(sku, order_id, quantity)
    order = s.order(order_id)
    left = sum(x.quantity for x in s.returns.stock(uses[0].sku))
    click.echo(f"{visible(order.display_name)}: {quantity}× {visible(uses[0].sku)} from the "
               f"returns stock ({left} left)")


@click.command("policy")
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]),
              default="markdown", show_default=True)
@click.option("--lang", type=click.Choice([x.value for x in Lang]), default="en",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@pass_app
@guard
def policy_cmd(app: AppContext, fmt: str, lang: str, output: Path | None) -> None:
    """Your shop's refund and return policy, from [returns] and your suppliers' policies.

    It never promises a longer return window than your strictest supplier and your own
    window_days allow, and sends returns to your address when suppliers take none.
    """
    doc = generate_policy(app.config, lang=lang, fmt=fmt)
    for warning in doc.terms.warnings:
        click.echo(f"ordertui: note: {visible(warning)}", err=True)
    if output is None:
        click.echo(doc.text, nl=False)
        record_published(app.config.data_dir, doc, None)
        return
    save_policy(app.config, doc, output)
    click.echo(f"wrote {visible(str(output))} ({doc.lang.value}, {doc.format.value}; returns "
               f"within {doc.terms.return_days} days, limited by {doc.terms.limited_by})",
               err=True)


COMMANDS = [return_group, refund_cmd, recovered_cmd, stock_group, policy_cmd]
