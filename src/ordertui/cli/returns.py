"""Returns, refunds, money back from suppliers, the returns stock and the shop's policy:
``return open|set|list``, ``refund``, ``recovered``, ``stock list|use``, ``policy``."""

from __future__ import annotations

from pathlib import Path

import click

from ordertui.cli.common import AppContext, fail, guard, pass_app, table
from ordertui.domain.models import items_shown
from ordertui.domain.returns import OrderMoney, Return, ReturnDestination, ReturnState, shown
from ordertui.domain.roles import Permission
from ordertui.domain.text import visible
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.services.policy import (
    Format,
    Lang,
    generate_policy,
    policy_language,
    record_published,
    save_policy,
)
from ordertui.services.returns import parse_items

STATE_CHOICES = [s.value for s in ReturnState]


def _net(money: OrderMoney) -> str:
    return _("net {net} ({formula})").format(net=shown(money.net),
                                             formula=money.net_formula())


def _where(r: Return, supplier: str) -> str:
    if r.destination is ReturnDestination.MERCHANT:
        if r.address:
            return _("your address ({address})").format(
                address=", ".join(r.address.splitlines()))
        return _("your address")
    return supplier


def _note(text: str) -> str:
    return "ordertui: " + _("note: {note}").format(note=text)


@click.group("return", help=_("Returns: open one, follow it to received, restock or dispose "
                              "of the items."))
def return_group() -> None:
    pass


@return_group.command("open", help=_("Record that a customer sends items of an order back."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--items", required=True, help=_("What comes back: SKU:QTY,... (a line without "
              "a SKU is #N, its position in the order)."))
@click.option("--reason", required=True, help=_("The customer's reason."))
@click.option("--tracking", default="", help=_("The customer's tracking number, if any."))
@click.option("--to", "destination", type=click.Choice([d.value for d in ReturnDestination]),
              default=None, help=_("Where it goes: the supplier (when it takes returns) or "
              "your own address from [returns]. Default: the supplier if it takes returns, "
              "else your address."))
@pass_app
@guard
def return_open_cmd(app: AppContext, order_ref: str, items: str, reason: str, tracking: str,
                    destination: str | None) -> None:
    s = app.services
    s.require(Permission.RETURN)
    order_id = s.resolve(order_ref)
    options = s.returns.return_options(order_id)
    r = s.returns.open_return(order_id, parse_items(items), reason, tracking=tracking,
                              destination=destination)
    if destination is None and not options.supplier_accepts:
        click.echo(_note(visible(options.message)), err=True)
    if options.within_window is False and options.days_since_delivery is not None:
        days = options.days_since_delivery
        click.echo(_note(ngettext(
            "delivered {days} day ago, outside your return window",
            "delivered {days} days ago, outside your return window", days).format(
                days=formats.number(days))), err=True)
    # the state is the value `return set --state` takes
    click.echo(_("{order}: return {id} {state} — {items} to {destination}").format(
        order=visible(r.order_name), id=r.id, state=r.state.value,
        items=visible(items_shown(r.items_summary)),
        destination=visible(_where(r, options.supplier))))


@return_group.command("set", help=_("Move an order's return to its next state."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--state", required=True, type=click.Choice(STATE_CHOICES),
              help=_("in_transit when sent, received when it arrived (or was handed over), "
              "then restocked (resellable) or disposed; cancelled if it never comes."))
@click.option("--tracking", default=None, help=_("The customer's tracking number."))
@click.option("--condition", default=None, help=_("What state the item arrived in."))
@click.option("--return", "return_id", type=int, default=None,
              help=_("Which return, when the order has several unfinished ones."))
@pass_app
@guard
def return_set_cmd(app: AppContext, order_ref: str, state: str, tracking: str | None,
                   condition: str | None, return_id: int | None) -> None:
    s = app.services
    s.require(Permission.RETURN)
    order_id = s.resolve(order_ref)
    if return_id is None:
        return_id = s.returns.current_return(order_id).id
    else:
        r = s.returns.get_return(return_id)
        if r.order_id != order_id:
            fail(_("return {id} belongs to another order ({order})").format(
                id=return_id, order=r.order_name), 2)
    assert return_id is not None
    r = s.returns.set_return_state(return_id, state, tracking=tracking, condition=condition)
    done = (_("{order}: return {id} {state} — in the returns stock")
            if r.state is ReturnState.RESTOCKED else _("{order}: return {id} {state}"))
    click.echo(done.format(order=visible(r.order_name), id=r.id, state=r.state.value))


#: the columns of ``return list`` (its state and destination are the values the options take)
RETURN_HEADERS = (N_("ID"), N_("Order"), N_("State"), N_("Items"),
                  # Translators: where the return goes (supplier or merchant)
                  N_("To"), N_("Tracking"), N_("Reason"), N_("Updated"))


@return_group.command("list", help=_("Returns of every order, the latest activity first."))
@click.option("--state", "states", multiple=True, type=click.Choice(STATE_CHOICES),
              help=_("Only returns in this state (repeat for several)."))
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@pass_app
@guard
def return_list_cmd(app: AppContext, states: tuple[str, ...], limit: int) -> None:
    s = app.services
    rows = s.returns.list_returns(states, limit=limit)
    click.echo(table([_(h) for h in RETURN_HEADERS],
                     [[str(r.id), r.order_name, r.state.value, r.items_summary,
                       r.destination.value, r.tracking_number, r.reason,
                       formats.date(r.updated_at)] for r in rows],
                     right=(0,)))
    click.echo(ngettext("{n} return", "{n} returns", len(rows)).format(
        n=formats.number(len(rows))), err=True)


@click.command("refund", help=_("Record a refund to the customer (never more than they paid, "
                                "over all refunds)."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--amount", required=True, help=_("How much goes back to the customer, like "
              "12.50, or 'full' for all that is not refunded yet."))
@click.option("--reason", required=True, help=_("Why."))
@click.option("--item-returned", is_flag=True, help=_("The item comes back (else the customer "
              "keeps it)."))
@pass_app
@guard
def refund_cmd(app: AppContext, order_ref: str, amount: str, reason: str,
               item_returned: bool) -> None:
    s = app.services
    s.require(Permission.REFUND)
    order_id = s.resolve(order_ref)
    refund = s.returns.record_refund(order_id, amount, reason, item_returned=item_returned)
    order = s.order(order_id)
    click.echo(_("{order}: refunded {amount}; {net}").format(
        order=visible(order.display_name), amount=refund.amount.display(),
        net=_net(s.returns.money(order_id))))


@click.command("recovered", help=_("Record money got back from the supplier by hand (disputes "
                                   "ordertui follows count by themselves)."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--amount", required=True, help=_("What the supplier gave back, like 8.20."))
@click.option("--note", default="", help=_("How (a dispute on its page, a credit, ...)."))
@pass_app
@guard
def recovered_cmd(app: AppContext, order_ref: str, amount: str, note: str) -> None:
    s = app.services
    s.require(Permission.REFUND)
    order_id = s.resolve(order_ref)
    rec = s.returns.record_recovery(order_id, amount, note)
    order = s.order(order_id)
    click.echo(_("{order}: recovered {amount}; {net}").format(
        order=visible(order.display_name), amount=rec.amount.display(),
        net=_net(s.returns.money(order_id))))


@click.group("stock", help=_("The returns stock: resellable returned items, to ship later "
                             "orders from."))
def stock_group() -> None:
    pass


#: the columns of ``stock list``
STOCK_HEADERS = (N_("Lot"), N_("SKU"), N_("Product"), N_("Variant"),
                 # Translators: quantity, in a narrow column
                 N_("Qty"), N_("Condition"), N_("From order"), N_("Restocked"))


@stock_group.command("list", help=_("Items in the returns stock, oldest first."))
@click.option("--sku", default=None, help=_("Only this SKU."))
@click.option("--all", "include_empty", is_flag=True, help=_("Also lots used up already."))
@pass_app
@guard
def stock_list_cmd(app: AppContext, sku: str | None, include_empty: bool) -> None:
    s = app.services
    lots = s.returns.stock(sku, include_empty=include_empty)
    click.echo(table([_(h) for h in STOCK_HEADERS],
                     [[str(x.id), x.sku, x.title, x.variant, str(x.quantity), x.condition,
                       x.from_order_name, formats.date(x.restocked_at)]
                      for x in lots], right=(0, 4)))
    items = sum(x.quantity for x in lots)
    click.echo(_("{items} in {lots}").format(
        items=ngettext("{n} item", "{n} items", items).format(n=formats.number(items)),
        lots=ngettext("{n} lot", "{n} lots", len(lots)).format(n=formats.number(len(lots)))),
        err=True)


@stock_group.command("use", help=_("Ship an order's item from the returns stock instead of "
                                   "ordering it from the supplier."))
@click.argument("sku")
@click.option("--order", "order_ref", required=True, metavar="ORDER_ID",
              help=_("The order shipped from stock."))
@click.option("--quantity", type=click.IntRange(1, 100_000), default=1, show_default=True)
@pass_app
@guard
def stock_use_cmd(app: AppContext, sku: str, order_ref: str, quantity: int) -> None:
    s = app.services
    s.require(Permission.RETURN)
    order_id = s.resolve(order_ref)
    uses = s.returns.use_stock(sku, order_id, quantity)
    order = s.order(order_id)
    left = sum(x.quantity for x in s.returns.stock(uses[0].sku))
    click.echo(_("{order}: {quantity}× {sku} from the returns stock ({left} left)").format(
        order=visible(order.display_name), quantity=quantity, sku=visible(uses[0].sku),
        left=left))


@click.command("policy", help=_(
    "Your shop's refund and return policy, from [returns] and your suppliers' policies.\n\n"
    "It never promises a longer return window than your strictest supplier and your own "
    "window_days allow, and sends returns to your address when suppliers take none."))
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]),
              default="markdown", show_default=True)
@click.option("--lang", type=click.Choice([x.value for x in Lang]), default=None,
              help=_("The policy's language (default: the app's, else English)."))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("Write to this file instead of standard output."))
@pass_app
@guard
def policy_cmd(app: AppContext, fmt: str, lang: str | None, output: Path | None) -> None:
    config = app.config  # read first: it sets the language the policy follows
    doc = generate_policy(config, lang=lang or policy_language(), fmt=fmt)
    for warning in doc.terms.warnings:
        click.echo(_note(visible(warning)), err=True)
    if output is None:
        click.echo(doc.text, nl=False)
        record_published(app.config.data_dir, doc, None)
        return
    save_policy(app.config, doc, output)
    days = doc.terms.return_days
    click.echo(ngettext(
        "wrote {path} ({language}, {format}; returns within {days} day, limited by {limit})",
        "wrote {path} ({language}, {format}; returns within {days} days, limited by {limit})",
        days).format(path=visible(str(output)), language=doc.lang.value,
                     format=doc.format.value, days=days, limit=doc.terms.limited_by),
        err=True)


COMMANDS = [return_group, refund_cmd, recovered_cmd, stock_group, policy_cmd]
