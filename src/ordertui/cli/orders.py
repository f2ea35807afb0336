"""Reading commands: orders, show, sync, add, demo seed, outbox."""

from __future__ import annotations

import csv
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from typing import Any

import click

from ordertui.cli.common import AppContext, Progress, closing, guard, pass_app, table
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.models import OrderSummary
from ordertui.domain.policy import ProtectionState
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.returns import OrderMoney, shown
from ordertui.domain.shop import LinkSource
from ordertui.domain.states import OrderStatus, Source
from ordertui.domain.text import visible
from ordertui.services import Services, serialize
from ordertui.services.exports import neutralise
from ordertui.services.policy import refresh_published

STATUS_CHOICES = [s.value for s in OrderStatus]


def _query(status: tuple[str, ...], search: str, supplier: str | None, attention: bool = False,
           sort: str = "created", ascending: bool = False) -> OrderQuery:
    return OrderQuery(statuses=tuple(OrderStatus(s) for s in status), search=search or "",
                      supplier=supplier, attention=attention, sort=SortKey(sort),
                      descending=not ascending)


@click.command("orders")
@click.option("--status", multiple=True, type=click.Choice(STATUS_CHOICES),
              help="Only orders in this status (repeat for several).")
@click.option("--search", default="", help="Words to look for in ids, customers, e-mails, "
              "products and tracking numbers.")
@click.option("--supplier", default=None, help="Only this supplier's orders.")
@click.option("--attention", is_flag=True, help="Only orders that need you.")
@click.option("--sort", type=click.Choice([s.value for s in SortKey if s is not SortKey.ENDS]),
              default="created",
              show_default=True)
@click.option("--ascending", is_flag=True, help="Oldest / smallest first.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=50, show_default=True,
              help="At most this many orders.")
@click.option("--all", "every", is_flag=True, help="Every matching order, however many "
              "(json and csv are written as they are read).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@pass_app
@guard
def orders_cmd(app: AppContext, status: tuple[str, ...], search: str, supplier: str | None,
               attention: bool, sort: str, ascending: bool, limit: int, every: bool,
               fmt: str) -> None:
    """List orders from the local store (newest first)."""
    s = app.services
    if supplier and supplier not in s.config.suppliers:
        raise ValidationError("supplier", f"no supplier named {supplier!r}; configured: "
                              f"{', '.join(s.config.suppliers)}")
    q = _query(status, search, supplier, attention, sort, ascending)
    if fmt in ("json", "csv"):
        batches = s.windows(q, batch=ORDERS_BATCH) if every else iter([s.window(q, limit=limit)])
        shown = _write_json(s, batches) if fmt == "json" else _write_csv(s, batches)
        if not every and shown == limit:
            total = s.count(q)
            if total > shown:
                click.echo(f"ordertui: {shown:,} of {total:,} orders ({q.describe()}); "
                           "--limit N or --all for more", err=True)
        return
    rows = ([r for b in s.windows(q, batch=ORDERS_BATCH) for r in b] if every
            else s.window(q, limit=limit))
    total = s.count(q)
    click.echo(table(
        ["ID", "Order", "Date", "Status", "Customer", "Cty", "Total", "Cost", "Profit",
         "Supplier", "Tracking", "Flags"],
        [[str(r.id), r.display_name, r.created_at.astimezone().strftime("%Y-%m-%d"),
          r.status.value, r.customer_name, r.country, r.sale.display(),
          r.cost.display(), r.profit.display(), r.supplier, r.tracking_number,
          _flags(r)] for r in rows],
        right=(0, 6, 7, 8)))
    click.echo(f"{len(rows):,} of {total:,} orders ({q.describe()})", err=True)


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


@click.command("show")
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_app
@guard
def show_cmd(app: AppContext, order_ref: str, fmt: str) -> None:
    """Everything about one order: ORDER_ID is the id, the shop order name (#1042) or the
    supplier's order id."""
    s = app.services
    order_id = s.resolve(order_ref)
    order = s.order(order_id)
    if order.supplier in s.config.suppliers and not s.adapter(order.supplier).list_has_details:
        # this supplier's list has no items or tracking: read the order itself now
        try:
            closing(app, s.refresh_order, order_id)
        except OrdertuiError as exc:
            click.echo(f"ordertui: showing what is stored; {visible(str(exc))}", err=True)
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
    lines = [f"{v(o.display_name)}  ({o.status.label})  id {o.id}",
             f"Supplier     {v(o.supplier)} · order {v(o.supplier_order_id)}"
             + (f" · status {v(o.supplier_status)}" if o.status is OrderStatus.UNKNOWN else ""),
             f"Created      {o.created_at.astimezone():%Y-%m-%d %H:%M}"
             + (f" · paid {o.paid_at.astimezone():%Y-%m-%d %H:%M}" if o.paid_at else "")
             + (f" · {v(o.payment)}" if o.payment else ""),
             "Customer     " + " ".join(p for p in (
                 v(o.customer.name), f"<{v(o.customer.email)}>" if o.customer.email else "",
                 v(o.customer.phone)) if p),
             "Ships to     " + v(", ".join(o.customer.address.lines()))]
    sl = details.shop
    if sl is not None:
        how = "linked by you" if sl.source is LinkSource.MANUAL else "linked automatically"
        lines.append(f"Shop order   {v(sl.name)} at {v(sl.shop)} ({how}) · {v(sl.tracking)}")
        if sl.rate is not None and sl.rate != 1:
            lines.append(f"             cost in {sl.currency} at {sl.rate.normalize():f} "
                         f"({v(sl.rate_note)})")
        elif sl.cost is None:
            lines.append(f"             profit unknown: {v(sl.rate_note)}")
    lines += ["", "Items"]
    for i in o.items:  # a linked order's price is its shop order's, said in the total
        lines.append(f"  {i.quantity} × {v(i.title)}" + (f" ({v(i.variant)})" if i.variant
                                                          else "")
                     + f"  SKU {v(i.sku)}  cost {i.unit_cost.display()}"
                     + (f"  price {i.unit_price.display()}" if sl is None else ""))
    m = r.money if r is not None else OrderMoney.of(o)
    profit = o.profit.display() if o.profit_known else "unknown"
    lines.append(f"Total        customer paid {m.paid.display()} · you paid the supplier "
                 f"{m.cost.display()} · " + ("cancelled, so it counts for nothing"
                                             if m.cancelled else f"profit {profit}"))
    if m.owed_to_customer.amount:
        lines.append(f"Owed         {m.owed_to_customer.display()} still to refund to the "
                     "customer")
    if r is not None:
        if r.refunds or r.recoveries:
            lines.append(f"Net          refunded {m.refunded.display()} · recovered "
                         f"{m.recovered.display()} · net {shown(m.net)} "
                         f"({m.net_formula()})")
        if r.policy is not None:
            p = r.policy
            lines.append(f"Policy       {v(o.supplier)} "
                         + (f"accepts returns within {p.return_window_days} days"
                            if p.accepts_returns else "accepts no returns")
                         + f"; buyer protection {p.protection_days} days after "
                           f"{p.protection_from.value}")
        if r.protection is not None and r.protection.state is not ProtectionState.NONE:
            lines.append(f"             {r.protection.describe()}")
        for x in r.returns:
            lines.append(f"Return       {x.state.label}: " + ", ".join(
                f"{i.quantity}× {v(i.title or i.key)}" for i in x.items)
                + f" — {v(x.reason)} (to the {x.destination.value})")
    if o.tracking_number:
        lines += ["", f"Tracking     {v(o.carrier)} {v(o.tracking_number)}"]
        lines += [f"  {e.at.astimezone():%Y-%m-%d %H:%M}  {v(e.description)}"
                  + (f" — {v(e.location)}" if e.location else "") for e in o.tracking_events]
    if o.cancellation:
        c = o.cancellation
        lines += ["", f"Cancellation {c.state.label}"
                  + (" (recorded by hand)" if c.source is Source.MANUAL else "")
                  + (" (not yet confirmed by the supplier)" if c.source is Source.LOCAL else ""),
                  f"  reason: {v(c.reason)}"]
        if c.supplier_message:
            lines.append(f"  supplier: {v(c.supplier_message)}")
    if o.dispute:
        d = o.dispute
        lines += ["", f"Dispute      {d.state.label} · {d.reason.label} · asks "
                  f"{d.amount.display()}"
                  + (f" · offered {d.offer.display()}" if d.offer else "")
                  + (f" · refunded {d.refunded.display()}" if d.refunded else "")
                  + (" (recorded by hand)" if d.source is Source.MANUAL else "")]
        for m in d.messages:
            lines.append(f"  {m.at.astimezone():%Y-%m-%d %H:%M} {m.author}: "
                         f"{visible(m.body)}")
    if details.pending:
        lines += ["", "Waiting to be sent"]
        lines += [f"  {p.action.label} (attempt {p.attempts}"
                  + (f", last error: {v(p.last_error)}" if p.last_error else "") + ")"
                  for p in details.pending]
    if details.web_url:
        lines += ["", f"Supplier's page: {details.web_url}"]
    if details.actions:
        lines += ["", "You can: " + "; ".join(
            a.action.label + ("" if a.by_api else " (on the supplier's page)")
            for a in details.actions)]
    if details.audit:
        lines += ["", "History"]
        lines += [f"  {e.at.astimezone():%Y-%m-%d %H:%M}  {v(e.who())}: "
                  + " — ".join(v(x) for x in (e.what(), e.detail) if x)
                  for e in details.audit]
    click.echo("\n".join(lines))


@click.command("sync")
@click.option("--supplier", default=None, help="Only this supplier.")
@click.option("--shop", default=None, help="Only this shop.")
@pass_app
@guard
def sync_cmd(app: AppContext, supplier: str | None, shop: str | None) -> None:
    """Bring the local store up to date with the suppliers and the shops (linking their
    orders), and send queued actions."""
    s = app.services
    if supplier and supplier not in s.config.suppliers:
        raise ValidationError("supplier", f"no supplier named {supplier!r}; configured: "
                              f"{', '.join(s.config.suppliers)}")
    if shop and shop not in s.config.shops:
        raise ValidationError("shop", f"no shop named {shop!r}; configured: "
                              f"{', '.join(s.config.shops) or 'none'}")
    bar = Progress(f"syncing {supplier or shop or 'suppliers and shops'}")

    async def go() -> Any:
        _, sent = await s.run_outbox()
        report = await s.sync(supplier, lambda p: bar(p.done, p.total), shop=shop)
        _, pushed = await s.run_outbox()  # the tracking the sync queued for the shops
        report.events[:0] = sent
        report.events.extend(pushed)
        return report
    report = closing(app, go)
    bar.done()
    for event in report.events:
        click.echo(visible(event.describe()))
    if not report.errors:
        shops = (f", {report.shop_orders:,} shop orders ({report.linked:,} linked)"
                 if s.config.shops and not supplier else "")
        click.echo(f"synced {report.orders:,} orders{shops} in {report.seconds:.1f} s",
                   err=True)
    for line in report.notes:
        click.echo(f"ordertui: note: {visible(line)}", err=True)
    note = refresh_published(s.config)
    if note:
        click.echo(f"ordertui: note: {visible(note)}", err=True)
    if report.errors:
        # each error names its supplier already ("cj1: CJ does not accept …")
        for error in report.errors.values():
            click.echo(f"ordertui: {visible(error)}", err=True)
        sys.exit(1)


@click.command("add")
@click.option("--supplier", required=True, help="The supplier the orders belong to.")
@click.argument("ids", nargs=-1, required=True)
@pass_app
@guard
def add_cmd(app: AppContext, supplier: str, ids: tuple[str, ...]) -> None:
    """Add orders by the supplier's order ids (for suppliers with no order list)."""
    s = app.services
    if supplier not in s.config.suppliers:
        raise ValidationError("supplier", f"no supplier named {supplier!r}; configured: "
                              f"{', '.join(s.config.suppliers)}")
    report = closing(app, s.add_orders, supplier, list(ids))
    for o in report.orders:
        click.echo(f"added {visible(o.display_name)} ({o.status.value})")
    for soid, why in report.failed.items():
        click.echo(f"ordertui: not added {visible(soid)}: {visible(why)}", err=True)
    if report.failed:
        sys.exit(1)


@click.group("demo")
def demo_group() -> None:
    """The built-in demo supplier."""


@demo_group.command("seed")
@click.option("--orders", "count", type=click.IntRange(0, 5_000_000), required=True,
              help="How many orders the demo supplier has.")
@click.option("--seed", type=click.IntRange(0, 2**31), default=None,
              help="Same seed, same shop.")
@pass_app
@guard
def demo_seed_cmd(app: AppContext, count: int, seed: int | None) -> None:
    """(Re)create the demo supplier with N orders and sync them into the local store."""
    s = app.services
    bar = Progress("seeding the demo supplier")
    started = time.monotonic()
    report = closing(app, s.seed_demo, count, seed, lambda p: bar(p.done, p.total))
    bar.done()
    click.echo(f"the demo supplier has {count:,} orders; synced {report.orders:,} in "
               f"{time.monotonic() - started:.1f} s")


@click.command("outbox")
@click.option("--all", "show_all", is_flag=True, help="Also actions already sent or refused.")
@pass_app
@guard
def outbox_cmd(app: AppContext, show_all: bool) -> None:
    """Actions waiting to be sent to suppliers."""
    s = app.services
    states = ("pending", "sending", "done", "failed") if show_all else ("pending", "sending")
    entries = s.store.outbox.entries(states=states, limit=1000)
    if not entries:
        click.echo("nothing waiting to be sent", err=True)
        return
    click.echo(table(["#", "Order", "Supplier", "Action", "State", "Tries", "Last error"],
                     [[str(e.id), str(e.order_id), e.supplier, e.action.value, e.state,
                       str(e.attempts), e.last_error] for e in entries], right=(0, 1, 5)))


COMMANDS = [orders_cmd, show_cmd, sync_cmd, add_cmd, demo_group, outbox_cmd]
