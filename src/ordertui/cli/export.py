"""``ordertui export``: orders to CSV or Excel, to a file and/or by e-mail, from a shell or
from cron. The same service runs behind the TUI's export form."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from ordertui.cli.common import AppContext, Progress, guard, no_supplier, pass_app
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.roles import Permission
from ordertui.domain.states import OrderStatus
from ordertui.domain.text import visible
from ordertui.i18n import _, formats, ngettext
from ordertui.services.exports import (
    COLUMNS,
    DELIMITERS,
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
        raise ValidationError(option.lstrip("-"), _(
            "{option} {value} is not a date; write it as YYYY-MM-DD, like 2026-11-01").format(
                option=option, value=repr(text))) from None


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
            raise ValidationError("month", _(
                "--month {value} is not a month; write YYYY-MM, last or this").format(
                    value=repr(text))) from None
    days = calendar.monthrange(first.year, first.month)[1]
    return first, first + timedelta(days=days)


def _list_columns() -> None:
    width = max(len(c.key) for c in COLUMNS)
    order_defaults, item_defaults = default_columns("order"), default_columns("line-item")
    for col in COLUMNS:
        marks = (("o" if col.key in order_defaults else " ")
                 + ("l" if col.key in item_defaults else " "))
        # the column's label and help are marked where the columns are defined
        click.echo(f"{col.key.ljust(width)}  {marks}  {col.kind:<8}  {col.label}: "
                   f"{col.help}")
    click.echo("\n" + _("o: in the default columns per order; l: per line item"), err=True)


@click.command("export", help=_("Export orders to CSV or Excel, to a file and/or by e-mail.")
               + """

    \b
      ordertui export -o orders.xlsx --since 2026-11-01
      ordertui export --format csv -o shipped.csv --status shipped --per line-item
      ordertui export --month last --format xlsx --email accounts@example.com
    """)
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "xls"], case_sensitive=False),
              default=None, help=_("csv-excel: CSV for Excel (UTF-8 with BOM); csv: plain CSV "
              "(UTF-8); xlsx: Excel. Default: from the file name (.csv: csv-excel)."))
@click.option("--output", "-o", default=None, metavar="PATH",
              help=_("The file to write. Without it and with --email: a file in the data "
              "directory's exports/."))
@click.option("--status", multiple=True, type=click.Choice(STATUS_CHOICES),
              help=_("Only orders in this status (repeat for several)."))
@click.option("--attention", is_flag=True, help=_("Only orders that need you."))
@click.option("--search", default="", help=_("Words to look for, as in `ordertui orders`."))
@click.option("--supplier", default=None, help=_("Only this supplier's orders."))
@click.option("--since", default=None, metavar="DATE",
              help=_("Orders placed on or after this day (YYYY-MM-DD, local time)."))
@click.option("--until", default=None, metavar="DATE",
              help=_("Orders placed on or before this day (YYYY-MM-DD, included)."))
@click.option("--month", default=None, metavar="MONTH",
              help=_("A calendar month instead of --since/--until: YYYY-MM, last or this."))
@click.option("--ids", multiple=True, metavar="ID,...",
              help=_("Only these orders: ids, shop order names (#1042) or supplier order "
                     "ids."))
@click.option("--per", type=click.Choice(LAYOUTS), default="order", show_default=True,
              help=_("One row per order, or one per line item."))
@click.option("--columns", default=None, metavar="a,b,...",
              help=_("The columns, in order (see --list-columns)."))
@click.option("--email", default=None, metavar="ADDRESS",
              help=_("Also send the file to this address (settings under [email])."))
@click.option("--delimiter", type=click.Choice(DELIMITERS), default=None,
              help=_("The separator of csv-excel (default: the language's; ; in German, "
                     "where numbers take a decimal comma)."))
@click.option("--force", is_flag=True, help=_("Replace the file if it exists."))
@click.option("--list-columns", is_flag=True, help=_("List the columns and exit."))
@pass_app
@guard
def export_cmd(app: AppContext, fmt: str | None, output: str | None, status: tuple[str, ...],
               attention: bool, search: str, supplier: str | None, since: str | None,
               until: str | None, month: str | None, ids: tuple[str, ...], per: str,
               columns: str | None, email: str | None, delimiter: str | None, force: bool,
               list_columns: bool) -> None:
    if list_columns:
        _list_columns()
        return
    app.services.require(Permission.EXPORT)  # before anything else is asked of it
    if month is not None and (since or until):
        raise ValidationError("month", _("give --month or --since/--until, not both"))
    start = end = None
    if month is not None:
        first, after = parse_month(month, date.today())
        start, end = _local_midnight(first), _local_midnight(after)
    if since is not None:
        start = _local_midnight(_day("--since", since))
    if until is not None:
        end = _local_midnight(_day("--until", until) + timedelta(days=1))
    if start is not None and end is not None and end <= start:
        raise ValidationError("until", _("--until is before --since"))
    if output is None and not email:
        raise ValidationError("output", _("give --output PATH, --email ADDRESS, or both"))
    s = app.services
    if supplier and supplier not in s.config.suppliers:
        raise OrdertuiError(no_supplier(supplier, s.config))
    refs = [r.strip() for text in ids for r in text.split(",") if r.strip()]
    order_ids = tuple(dict.fromkeys(s.resolve(r) for r in refs))
    query = OrderQuery(statuses=tuple(OrderStatus(x) for x in status), attention=attention,
                       search=search, supplier=supplier, since=start, until=end,
                       ids=order_ids, sort=SortKey.CREATED, descending=False)
    request = ExportRequest(query=query, fmt=(fmt or "").lower(),
                            path=None if output is None else Path(output), email=email,
                            per=per, columns=parse_keys(columns) if columns is not None
                            else None, force=force, delimiter=delimiter)
    request = s.check_export(request)
    bar = Progress(_("exporting to {file}").format(file=request.path.name) if request.path
                   else _("exporting to a file"))
    try:
        result = s.export(request, bar)
    finally:
        bar.done()
    for warning in result.warnings:
        click.echo(f"ordertui: {visible(warning)}", err=True)
    what = ngettext("{n} order", "{n} orders", result.orders).format(
        n=formats.number(result.orders))
    if result.rows != result.orders:
        what += " (" + ngettext("{n} row", "{n} rows", result.rows).format(
            n=formats.number(result.rows)) + ")"
    # the format's label is marked where the formats are defined
    done = (_("wrote {orders} to {path} ({format}) and sent it to {address}")
            if result.emailed_to else _("wrote {orders} to {path} ({format})"))
    click.echo(done.format(orders=what, path=visible(str(result.path)),
                           format=FORMAT_LABELS[request.fmt],
                           address=visible(result.emailed_to or "")))


COMMANDS = [export_cmd]
