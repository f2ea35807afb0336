"""``ordertui export``: orders to CSV or Excel, to a file and/or by e-mail, from a shell or
from cron. The same service runs behind the TUI's export form."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from ordertui.cli.common import AppContext, Progress, guard, pass_app
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import OrderStatus
from ordertui.domain.text import visible
from ordertui.services.exports import (
    COLUMNS,
    FORMAT_LABELS,
    FORMATS,
    LAYOUTS,
    ExportRequest,
    default_columns,
    parse_keys,
)

STATUS_CHOICES = [s.value for s in OrderStatus]


def _day(option: str, text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(option.lstrip("-"), f"{option} {text!r} is not a date; write it "
                              "as YYYY-MM-DD, like 2026-11-01") from None


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


def parse_month(text: str, today: date) -> tuple[date, date]:
    """'last', 'this' or 'YYYY-MM' -> (first day, first day of the next month)."""
    word = text.strip().lower()
    if word in ("last", "previous"):
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    elif word in ("this", "current"):
        first = today.replace(day=1)
    else:
        try:
            first = datetime.strptime(word, "%Y-%m").date()
        except ValueError:
            raise ValidationError("month", f"--month {text!r} is not a month; write "
                                  "YYYY-MM, last or this") from None
    days = calendar.monthrange(first.year, first.month)[1]
    return first, first + timedelta(days=days)


def _list_columns() -> None:
    width = max(len(c.key) for c in COLUMNS)
    order_defaults, item_defaults = default_columns("order"), default_columns("line-item")
    for col in COLUMNS:
        marks = (("o" if col.key in order_defaults else " ")
                 + ("l" if col.key in item_defaults else " "))
        click.echo(f"{col.key.ljust(width)}  {marks}  {col.kind:<8}  {col.label}: {col.help}")
    click.echo("\no: in the default columns per order; l: per line item", err=True)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "xls"], case_sensitive=False),
              default=None, help="csv-excel: CSV for Excel (UTF-8 with BOM); csv: plain CSV "
              "(UTF-8); xlsx: Excel. Default: from the file name (.csv: csv-excel).")
@click.option("--output", "-o", default=None, metavar="PATH",
              help="The file to write. Without it and with --email: a file in the data "
              "directory's exports/.")
@click.option("--status", multiple=True, type=click.Choice(STATUS_CHOICES),
              help="Only orders in this status (repeat for several).")
@click.option("--attention", is_flag=True, help="Only orders that need you.")
@click.option("--search", default="", help="Words to look for, as in `ordertui orders`.")
@click.option("--supplier", default=None, help="Only this supplier's orders.")
@click.option("--since", default=None, metavar="DATE",
              help="Orders placed on or after this day (YYYY-MM-DD, local time).")
@click.option("--until", default=None, metavar="DATE",
              help="Orders placed on or before this day (YYYY-MM-DD, included).")
@click.option("--month", default=None, metavar="MONTH",
              help="A calendar month instead of --since/--until: YYYY-MM, last or this.")
@click.option("--ids", multiple=True, metavar="ID,...",
              help="Only these orders: ids, shop order names (#1042) or supplier order ids.")
@click.option("--per", type=click.Choice(LAYOUTS), default="order", show_default=True,
              help="One row per order, or one per line item.")
@click.option("--columns", default=None, metavar="a,b,...",
              help="The columns, in order (see --list-columns).")
@click.option("--email", default=None, metavar="ADDRESS",
              help="Also send the file to this address (settings under [email]).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--list-columns", is_flag=True, help="List the columns and exit.")
@pass_app
@guard
def export_cmd(app: AppContext, fmt: str | None, output: str | None, status: tuple[str, ...],
               attention: bool, search: str, supplier: str | None, since: str | None,
               until: str | None, month: str | None, ids: tuple[str, ...], per: str,
               columns: str | None, email: str | None, force: bool,
               list_columns: bool) -> None:
    """Export orders to CSV or Excel, to a file and/or by e-mail.

    \b
      ordertui export -o orders.xlsx --since 2026-11-01
      ordertui export --format csv -o shipped.csv --status shipped --per line-item
      ordertui export --month last --format xlsx --email accounts@example.com
    """
    if list_columns:
        _list_columns()
        return
    if month is not None and (since or until):
        raise ValidationError("month", "give --month or --since/--until, not both")
    start = end = None
    if month is not None:
        first, after = parse_month(month, date.today())
        start, end = _local_midnight(first), _local_midnight(after)
    if since is not None:
        start = _local_midnight(_day("--since", since))
    if until is not None:
        end = _local_midnight(_day("--until", until) + timedelta(days=1))
    if start is not None and end is not None and end <= start:
        raise ValidationError("until", "--until is before --since")
    if output is None and not email:
        raise ValidationError("output", "give --output PATH, --email ADDRESS, or both")
    s = app.services
    if supplier and supplier not in s.config.suppliers:
        raise OrdertuiError(f"no supplier named {supplier!r}; configured: "
                            f"{', '.join(s.config.suppliers)}")
    refs = [r.strip() for text in ids for r in text.split(",") if r.strip()]
    order_ids = tuple(dict.fromkeys(s.resolve(r) for r in refs))
    query = OrderQuery(statuses=tuple(OrderStatus(x) for x in status), attention=attention,
                       search=search, supplier=supplier, since=start, until=end,
                       ids=order_ids, sort=SortKey.CREATED, descending=False)
    request = ExportRequest(query=query, fmt=(fmt or "").lower(),
                            path=None if output is None else Path(output), email=email,
                            per=per, columns=parse_keys(columns) if columns is not None
                            else None, force=force)
    request = s.check_export(request)
    bar = Progress(f"exporting to {request.path.name if request.path else 'a file'}")
    try:
        result = s.export(request, bar)
    finally:
        bar.done()
    for warning in result.warnings:
        click.echo(f"ordertui: {visible(warning)}", err=True)
    what = f"{result.orders:,} orders" + (f" ({result.rows:,} rows)" if result.rows !=
                                          result.orders else "")
    line = f"wrote {what} to {visible(str(result.path))} ({FORMAT_LABELS[request.fmt]})"
    if result.emailed_to:
        line += f" and sent it to {visible(result.emailed_to)}"
    click.echo(line)


COMMANDS = [export_cmd]
