"""Reading commands: orders, show, sync, add, demo seed, outbox."""

from __future__ import annotations

import csv
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import click

from ordertui import i18n
from ordertui.cli.common import (
    AppContext,
    Progress,
    closing,
    guard,
    no_shop,
    no_supplier,
    pass_app,
    table,
)
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.models import OrderSummary
from ordertui.domain.policy import ProtectionBasis, ProtectionState
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.returns import OrderMoney, ReturnDestination, shown
from ordertui.domain.roles import Permission
from ordertui.domain.shop import LinkSource
from ordertui.domain.states import OrderStatus, Source
from ordertui.domain.text import visible
from ordertui.i18n import N_, _, formats, ngettext, pgettext
from ordertui.services import Services, kept, serialize
from ordertui.services.exports import neutralise
from ordertui.services.policy import refresh_published

STATUS_CHOICES = [s.value for s in OrderStatus]


def _status_word(status: OrderStatus) -> str:
    """A status in a table or a line: in English the value ``--status`` takes
    (``shipped``), in another language its name there (``Versandt``)."""
    return status.value if i18n.current().english else status.label


def _query(status: tuple[str, ...], search: str, supplier: str | None, attention: bool = False,
           sort: str = "created", ascending: bool = False) -> OrderQuery:
    return OrderQuery(statuses=tuple(OrderStatus(s) for s in status), search=search or "",
                      supplier=supplier, attention=attention, sort=SortKey(sort),
                      descending=not ascending)


#: the columns of ``orders``' table (the status and the flags in them are the values
#: --status and the JSON use)
ORDERS_HEADERS = (N_("ID"), N_("Order"), N_("Date"), N_("Status"), N_("Customer"),
                  # Translators: the column of the customer's country code (US, DE)
                  N_("Cty"), N_("Total"), N_("Cost"), N_("Profit"), N_("Supplier"),
                  N_("Tracking"), N_("Flags"))


@click.command("orders", help=_("List orders from the local store (newest first)."))
@click.option("--status", multiple=True, type=click.Choice(STATUS_CHOICES),
              help=_("Only orders in this status (repeat for several)."))
@click.option("--search", default="", help=_("Words to look for in ids, customers, e-mails, "
              "products and tracking numbers."))
@click.option("--supplier", default=None, help=_("Only this supplier's orders."))
@click.option("--attention", is_flag=True, help=_("Only orders that need you."))
@click.option("--sort", type=click.Choice([s.value for s in SortKey if s is not SortKey.ENDS]),
              default="created",
              show_default=True)
@click.option("--ascending", is_flag=True, help=_("Oldest / smallest first."))
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=50, show_default=True,
              help=_("At most this many orders."))
@click.option("--all", "every", is_flag=True, help=_("Every matching order, however many "
              "(json and csv are written as they are read)."))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@pass_app
@guard
def orders_cmd(app: AppContext, status: tuple[str, ...], search: str, supplier: str | None,
               attention: bool, sort: str, ascending: bool, limit: int, every: bool,
               fmt: str) -> None:
    if fmt in ("json", "csv"):
        app.for_programs()
    s = app.services
    if supplier and supplier not in s.config.suppliers:
        raise ValidationError("supplier", no_supplier(supplier, s.config))
    q = _query(status, search, supplier, attention, sort, ascending)
    if fmt in ("json", "csv"):
        batches = s.windows(q, batch=ORDERS_BATCH) if every else iter([s.window(q, limit=limit)])
        shown = _write_json(s, batches) if fmt == "json" else _write_csv(s, batches)
        if not every and shown == limit:
            total = s.count(q)
            if total > shown:
                click.echo("ordertui: " + ngettext(
                    "{shown} of {total} order ({query}); --limit N or --all for more",
                    "{shown} of {total} orders ({query}); --limit N or --all for more",
                    total).format(shown=formats.number(shown), total=formats.number(total),
                                  query=q.describe()), err=True)
        return
    rows = ([r for b in s.windows(q, batch=ORDERS_BATCH) for r in b] if every
            else s.window(q, limit=limit))
    total = s.count(q)
    click.echo(table(
        [_(h) for h in ORDERS_HEADERS],
        [[str(r.id), r.display_name, formats.date(r.created_at),
          _status_word(r.status), r.customer_name, r.country, r.sale.display(),
          r.cost.display(), r.profit.display(), r.supplier, r.tracking_number,
          _flags(r)] for r in rows],
        right=(0, 6, 7, 8)))
    click.echo(ngettext("{shown} of {total} order ({query})", "{shown} of {total} orders ({query})",
                        total).format(shown=formats.number(len(rows)),
                                      total=formats.number(total), query=q.describe()),
               err=True)



#: orders read (and written) at a time by ``orders --all``
ORDERS_BATCH = 1000


def _summaries(s: Services, batches: Iterable[list[OrderSummary]]
               ) -> Iterator[dict[str, Any]]:
    """Each row as ``serialize.summary`` gives it, with the shop order it is linked to."""
    for rows in batches:
        refs = s.shops.refs([r.id for r in rows])
        for row in rows:
            yield serialize.summary(row, refs.get(row.id))


def _write_json(s: Services, batches: Iterable[list[OrderSummary]]) -> int:
    """A JSON array written as the rows come, laid out as ``serialize.dumps`` lays out a
    list (so a short listing reads the same either way)."""
    n = 0
    out = sys.stdout
    out.write("[")
    for data in _summaries(s, batches):
        out.write(",\n" if n else "\n")
        out.write(textwrap.indent(serialize.dumps(data), "  "))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _write_csv(s: Services, batches: Iterable[list[OrderSummary]]) -> int:
    writer = csv.writer(sys.stdout, lineterminator="\r\n")
    writer.writerow(serialize.SUMMARY_KEYS)
    n = 0
    for data in _summaries(s, batches):
        # printed to a terminal as often as read by a program: no control, bidi or
        # invisible character from data acts (made visible), and no formula runs
        writer.writerow([neutralise(visible(v, keep_newlines=True)) if isinstance(v, str)
                         else ("" if v is None else v) for v in data.values()])
        n += 1
    return n


def _flags(row: OrderSummary) -> str:
    parts = []
    if row.cancellation_state is not None:
        parts.append(f"cancel:{row.cancellation_state.value}")
    if row.dispute_state is not None:
        parts.append(f"dispute:{row.dispute_state.value}")
    if row.refund_due:  # cancelled, and the customer not refunded in full yet
        parts.append("refund-due")
    return " ".join(parts)


@click.command("show", help=_("Everything about one order: ORDER_ID is the id, the shop order "
                              "name (#1042) or the supplier's order id."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_app
@guard
def show_cmd(app: AppContext, order_ref: str, fmt: str) -> None:
    if fmt == "json":
        app.for_programs()
    s = app.services
    order_id = s.resolve(order_ref)
    order = s.order(order_id)
    if order.supplier in s.config.suppliers and not s.adapter(order.supplier).list_has_details:
        # this supplier's list has no items or tracking: read the order itself now
        try:
            closing(app, s.refresh_order, order_id)
        except OrdertuiError as exc:
            click.echo("ordertui: " + _("showing what is stored; {error}").format(
                error=visible(str(exc))), err=True)
        s = app.services
    details = s.details(order_id)
    o = details.order
    r = details.returns
    if fmt == "json":
        data = serialize.order(o, details.audit, details.pending)
        data["shop"] = serialize.shop_link(details.shop)
        if r is not None:
            data["money"] = serialize.money(r.money)
            data["buyer_protection"] = (None if r.protection is None else {
                "state": r.protection.state.value, "days_left": r.protection.days_left,
                "ends_at": r.protection.ends_at.isoformat() if r.protection.ends_at else None})
            data["returns"] = [{"state": x.state.value, "reason": x.reason,
                                "destination": x.destination.value,
                                "items": [{"key": i.key, "quantity": i.quantity}
                                          for i in x.items]} for x in r.returns]
        click.echo(serialize.dumps(data))
        return
    v = visible
    label = {key: _(text) for key, text in SHOW_LABELS.items()}
    pad = max(len(text) for text in label.values())
    more = " " * (pad + 1)  # a field's second line

    def field(key: str, text: str) -> str:
        return f"{label[key].ljust(pad)} {text}"

    supplier = (_("{supplier} · order {order} · status {status}").format(
                    supplier=v(o.supplier), order=v(o.supplier_order_id),
                    status=v(o.supplier_status)) if o.status is OrderStatus.UNKNOWN
                else _("{supplier} · order {order}").format(supplier=v(o.supplier),
                                                             order=v(o.supplier_order_id)))
    created = [formats.when(o.created_at)]
    if o.paid_at:
        created.append(_("paid {when}").format(when=formats.when(o.paid_at)))
    if o.payment:
        created.append(v(o.payment))
    lines = [_("{order}  ({status})  id {id}").format(order=v(o.display_name),
                                                      status=o.status.label, id=o.id),
             field("supplier", supplier),
             field("created", " · ".join(created)),
             field("customer", " ".join(p for p in (
                 v(o.customer.name), f"<{v(o.customer.email)}>" if o.customer.email else "",
                 v(o.customer.phone)) if p)),
             field("ships_to", v(", ".join(o.customer.address.lines())))]
    sl = details.shop
    if sl is not None:
        linked = (_("{shop_order} at {shop} (linked by you) · {tracking}")
                  if sl.source is LinkSource.MANUAL else
                  _("{shop_order} at {shop} (linked automatically) · {tracking}"))
        lines.append(field("shop_order", linked.format(
            shop_order=v(sl.name), shop=v(sl.shop), tracking=v(sl.tracking))))
        if sl.rate is not None and sl.rate != 1:
            lines.append(more + _("cost in {currency} at {rate} ({note})").format(
                currency=sl.currency, rate=_rate(sl.rate), note=v(sl.rate_note)))
        elif sl.cost is None:
            lines.append(more + _("profit unknown: {reason}").format(reason=v(sl.rate_note)))
    lines += ["", _("Items")]
    for i in o.items:  # a linked order's price is its shop order's, said in the total
        item = v(i.title) + (f" ({v(i.variant)})" if i.variant else "")
        if sl is None:
            text = _("{quantity} × {item}  SKU {sku}  cost {cost}  price {price}")
        else:
            text = _("{quantity} × {item}  SKU {sku}  cost {cost}")
        lines.append("  " + text.format(quantity=i.quantity, item=item, sku=v(i.sku),
                                        cost=i.unit_cost.display(),
                                        price=i.unit_price.display()))
    m = r.money if r is not None else OrderMoney.of(o)
    if m.cancelled:
        total = _("customer paid {paid} · you paid the supplier {cost} · cancelled, so it "
                  "counts for nothing")
    else:
        total = _("customer paid {paid} · you paid the supplier {cost} · profit {profit}")
    lines.append(field("total", total.format(
        paid=m.paid.display(), cost=m.cost.display(),
        profit=o.profit.display() if o.profit_known else _("unknown"))))
    if m.owed_to_customer.amount:
        lines.append(field("owed", _("{amount} still to refund to the customer").format(
            amount=m.owed_to_customer.display())))
    if r is not None:
        if r.refunds or r.recoveries:
            lines.append(field("net", _(
                "refunded {refunded} · recovered {recovered} · net {net} ({formula})").format(
                    refunded=m.refunded.display(), recovered=m.recovered.display(),
                    net=shown(m.net), formula=m.net_formula())))
        if r.policy is not None:
            p = r.policy
            takes = (ngettext("{supplier} accepts returns within {days} day",
                              "{supplier} accepts returns within {days} days",
                              p.return_window_days) if p.accepts_returns
                     else _("{supplier} accepts no returns")).format(
                supplier=v(o.supplier), days=p.return_window_days)
            if p.protection_from is ProtectionBasis.DELIVERY:
                protects = ngettext("buyer protection {days} day after delivery",
                                    "buyer protection {days} days after delivery",
                                    p.protection_days)
            else:
                protects = ngettext("buyer protection {days} day after order",
                                    "buyer protection {days} days after order",
                                    p.protection_days)
            lines.append(field("policy", f"{takes}; {protects.format(days=p.protection_days)}"))
        if r.protection is not None and r.protection.state is not ProtectionState.NONE:
            lines.append(more + r.protection.describe())
        for x in r.returns:
            back = (_("{state}: {items} — {reason} (to the merchant)")
                    if x.destination is ReturnDestination.MERCHANT
                    else _("{state}: {items} — {reason} (to the supplier)"))
            lines.append(field("return", back.format(
                state=x.state.label, reason=v(x.reason), items=", ".join(
                    f"{i.quantity}× {v(i.title or i.key)}" for i in x.items))))
    if o.tracking_number:
        lines += ["", field("tracking", f"{v(o.carrier)} {v(o.tracking_number)}")]
        lines += [f"  {formats.when(e.at)}  {v(e.description)}"
                  + (f" — {v(e.location)}" if e.location else "") for e in o.tracking_events]
    if o.cancellation:
        c = o.cancellation
        lines += ["", field("cancellation", _by(c.source, c.state.label)),
                  "  " + _("reason: {reason}").format(reason=v(kept.shown(c.reason)))]
        if c.supplier_message:
            lines.append("  " + _("supplier: {message}").format(
                message=v(c.supplier_message)))
    if o.dispute:
        d = o.dispute
        parts = [d.state.label, d.reason.label,
                 _("asks {amount}").format(amount=d.amount.display())]
        if d.offer:
            parts.append(_("offered {amount}").format(amount=d.offer.display()))
        if d.refunded:
            parts.append(_("refunded {amount}").format(amount=d.refunded.display()))
        lines += ["", field("dispute", _by(d.source, " · ".join(parts)))]
        for message in d.messages:
            lines.append(f"  {formats.when(message.at)} {_author(message.author)}: "
                         f"{visible(kept.shown(message.body))}")
    if details.pending:
        lines += ["", _("Waiting to be sent")]
        lines += ["  " + (_("{action} (attempt {attempt}, last error: {error})")
                          if p.last_error else _("{action} (attempt {attempt})")).format(
                      action=p.action.label, attempt=p.attempts,
                      error=v(kept.shown(p.last_error or "")))
                  for p in details.pending]
    if details.web_url:
        lines += ["", _("Supplier's page: {url}").format(url=details.web_url)]
    if details.actions:
        lines += ["", _("You can: {actions}").format(actions="; ".join(
            a.action.label if a.by_api
            else _("{action} (on the supplier's page)").format(action=a.action.label)
            for a in details.actions))]
    if details.audit:
        lines += ["", _("History")]
        lines += [f"  {formats.when(e.at)}  {v(e.who(details.login))}: "
                  + " — ".join(v(kept.shown(x)) for x in (e.what(), e.detail) if x)
                  for e in details.audit]
    click.echo("\n".join(lines))


#: the fields of ``show``, each name padded to the longest
SHOW_LABELS = {
    "supplier": N_("Supplier"), "created": N_("Created"), "customer": N_("Customer"),
    "ships_to": N_("Ships to"), "shop_order": N_("Shop order"), "total": N_("Total"),
    # Translators: what is still owed to the customer
    "owed": N_("Owed"), "net": N_("Net"), "policy": N_("Policy"), "return": N_("Return"),
    "tracking": N_("Tracking"), "cancellation": N_("Cancellation"), "dispute": N_("Dispute"),
}
def _author(name: str) -> str:
    """Who wrote a dispute message (a name this version does not know as it is)."""
    return {"merchant": pgettext("dispute message by", "merchant"),
            "supplier": pgettext("dispute message by", "supplier"),
            "platform": pgettext("dispute message by", "platform")}.get(name, name)


def _by(source: Source, text: str) -> str:
    """A cancellation's or dispute's state, with how ordertui knows it."""
    if source is Source.MANUAL:
        return _("{state} (recorded by hand)").format(state=text)
    if source is Source.LOCAL:
        return _("{state} (not yet confirmed by the supplier)").format(state=text)
    return text


def _rate(rate: Decimal) -> str:
    """An exchange rate with all its digits: ``1.0842`` / ``1,0842``."""
    exact = rate.normalize()
    if not formats.localised():
        return f"{exact:f}"
    exp = exact.as_tuple().exponent
    return formats.decimal(exact, -exp if isinstance(exp, int) and exp < 0 else 0)


@click.command("sync", help=_("Bring the local store up to date with the suppliers and the "
                              "shops (linking their orders), and send queued actions."))
@click.option("--supplier", default=None, help=_("Only this supplier."))
@click.option("--shop", default=None, help=_("Only this shop."))
@pass_app
@guard
def sync_cmd(app: AppContext, supplier: str | None, shop: str | None) -> None:
    s = app.services
    s.require(Permission.SYNC)
    if supplier and supplier not in s.config.suppliers:
        raise ValidationError("supplier", no_supplier(supplier, s.config))
    if shop and shop not in s.config.shops:
        raise ValidationError("shop", no_shop(shop, s.config))
    bar = Progress(_("syncing {name}").format(name=supplier or shop) if supplier or shop
                   else _("syncing suppliers and shops"))

    async def go() -> Any:
        _ran, sent = await s.run_outbox()
        report = await s.sync(supplier, lambda p: bar(p.done, p.total), shop=shop)
        _ran, pushed = await s.run_outbox()  # the tracking the sync queued for the shops
        report.events[:0] = sent
        report.events.extend(pushed)
        return report
    report = closing(app, go)
    bar.done()
    for event in report.events:
        click.echo(visible(event.describe()))
    if not report.errors:
        orders = ngettext("{n} order", "{n} orders", report.orders).format(
            n=formats.number(report.orders))
        seconds = formats.decimal(report.seconds, 1)
        if s.config.shops and not supplier:
            # Translators: "1 shop orders" in English too, as with orders
            shop_orders = ngettext("{n} shop orders", "{n} shop orders",
                                   report.shop_orders).format(
                n=formats.number(report.shop_orders))
            done = _("synced {orders}, {shop_orders} ({linked} linked) in {seconds} s").format(
                orders=orders, shop_orders=shop_orders, linked=formats.number(report.linked),
                seconds=seconds)
        else:
            done = _("synced {orders} in {seconds} s").format(orders=orders, seconds=seconds)
        click.echo(done, err=True)
    for line in report.notes:
        click.echo(_note(line), err=True)
    note = refresh_published(s.config)
    if note:
        click.echo(_note(note), err=True)
    if report.errors:
        # each error names its supplier already ("cj1: CJ does not accept …")
        for error in report.errors.values():
            click.echo(f"ordertui: {visible(error)}", err=True)
        sys.exit(1)


def _note(text: str) -> str:
    return "ordertui: " + _("note: {note}").format(note=visible(text))


@click.command("add", help=_("Add orders by the supplier's order ids (for suppliers with no "
                             "order list)."))
@click.option("--supplier", required=True, help=_("The supplier the orders belong to."))
@click.argument("ids", nargs=-1, required=True)
@pass_app
@guard
def add_cmd(app: AppContext, supplier: str, ids: tuple[str, ...]) -> None:
    s = app.services
    s.require(Permission.SYNC)
    if supplier not in s.config.suppliers:
        raise ValidationError("supplier", no_supplier(supplier, s.config))
    report = closing(app, s.add_orders, supplier, list(ids))
    for o in report.orders:
        click.echo(_("added {order} ({status})").format(order=visible(o.display_name),
                                                        status=_status_word(o.status)))
    for soid, why in report.failed.items():
        click.echo("ordertui: " + _("not added {order}: {reason}").format(
            order=visible(soid), reason=visible(why)), err=True)
    if report.failed:
        sys.exit(1)


@click.group("demo", help=_("The built-in demo supplier."))
def demo_group() -> None:
    pass


@demo_group.command("seed", help=_("(Re)create the demo supplier with N orders and sync them "
                                   "into the local store."))
@click.option("--orders", "count", type=click.IntRange(0, 5_000_000), required=True,
              help=_("How many orders the demo supplier has."))
@click.option("--seed", type=click.IntRange(0, 2**31), default=None,
              help=_("Same seed, same shop."))
@pass_app
@guard
def demo_seed_cmd(app: AppContext, count: int, seed: int | None) -> None:
    s = app.services
    s.require(Permission.SYNC)
    bar = Progress(_("seeding the demo supplier"))
    started = time.monotonic()
    report = closing(app, s.seed_demo, count, seed, lambda p: bar(p.done, p.total))
    bar.done()
    click.echo(ngettext("the demo supplier has {count} order; synced {synced} in {seconds} s",
                        "the demo supplier has {count} orders; synced {synced} in {seconds} s",
                        count).format(count=formats.number(count),
                                      synced=formats.number(report.orders),
                                      seconds=formats.decimal(time.monotonic() - started, 1)))


#: the columns of ``outbox``' table (the action and its state in them are as stored)
OUTBOX_HEADERS = (N_("#"), N_("Order"), N_("Supplier"), N_("Action"), N_("State"),
                  # Translators: how many times ordertui tried to send it
                  N_("Tries"), N_("Last error"))


@click.command("outbox", help=_("Actions waiting to be sent to suppliers."))
@click.option("--all", "show_all", is_flag=True,
              help=_("Also actions already sent or refused."))
@pass_app
@guard
def outbox_cmd(app: AppContext, show_all: bool) -> None:
    s = app.services
    states = ("pending", "sending", "done", "failed") if show_all else ("pending", "sending")
    entries = s.store.outbox.entries(states=states, limit=1000)
    if not entries:
        click.echo(_("nothing waiting to be sent"), err=True)
        return
    click.echo(table([_(h) for h in OUTBOX_HEADERS],
                     [[str(e.id), str(e.order_id), e.supplier, e.action.value, e.state,
                       str(e.attempts), kept.shown(e.last_error or "")] for e in entries],
                     right=(0, 1, 5)))


COMMANDS = [orders_cmd, show_cmd, sync_cmd, add_cmd, demo_group, outbox_cmd]
