"""What each column of the orders table shows: its label, width, how it gives way on a
narrow terminal, and its cells — the flags and the days of protection left worked out
against the clock and the config's thresholds. The labels are English, translated where the
header is drawn (``Column.header``); a column is never narrower than its translated label."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len

from ordertui.domain.models import OrderSummary, items_shown
from ordertui.domain.query import SortKey
from ordertui.domain.rules import protection_ending, tracking_stalled
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus
from ordertui.i18n import _, pgettext
from ordertui.tui.format import (
    CANCEL_MARK,
    DISPUTE_MARK,
    PROTECTION_MARK,
    REFUND_MARK,
    STALLED_MARK,
    STATUS_STYLE,
    date,
    safe,
    status,
)

DAY_SECONDS = 86_400
#: a linked order's cost and profit while no exchange rate to the shop's currency is known
UNKNOWN = "?"
SOON_DAYS = 3  # days of protection left shown as urgent


@dataclass(frozen=True, slots=True)
class Column:
    key: SortKey | None
    label: str
    width: int
    priority: int  # lower is more important; the least important go first on a narrow screen
    cell: Callable[[OrderSummary], tuple[str, str]]  # text and component style name
    flex: int = 0
    right: bool = False
    #: the words of the app's own the column shows (its statuses): it is as wide as the
    #: longest of them in the language of the process
    words: Callable[[], Iterable[str]] | None = None

    @property
    def header(self) -> str:
        """The label in the language of the process."""
        return headers().get(self.label, self.label)

    @property
    def min_width(self) -> int:
        """The width, widened to the translated label where that is longer."""
        words = self.words() if self.words is not None else ()
        return max(self.width, cell_len(self.header), *(cell_len(w) for w in words))


def flags(row: OrderSummary) -> tuple[str, str]:
    """The states of the order's requests (what the table shows without a clock)."""
    parts = []
    style = ""
    if row.cancellation_state is not None:
        parts.append(CANCEL_MARK[row.cancellation_state])
        if row.cancellation_state is CancellationState.INFO_REQUESTED:
            style = "attention"
    if row.dispute_state is not None:
        parts.append(DISPUTE_MARK[row.dispute_state])
        if row.dispute_state is DisputeState.AWAITING_MERCHANT:
            style = "attention"
    if row.refund_due:
        parts.append(REFUND_MARK)
        style = "attention"
    return " ".join(parts), style


def profit(row: OrderSummary) -> tuple[str, str]:
    if not row.profit_known:  # linked, and no rate from the supplier's currency to the shop's
        return UNKNOWN, "muted"
    p = row.profit
    return p.display(), "negative" if p.amount < 0 else "positive"


def cost(row: OrderSummary) -> tuple[str, str]:
    return (row.cost.display() if row.profit_known else UNKNOWN), "muted"


# the headers are as short as they can be in every language: a column is never narrower than
# its header, so a longer one leaves less room for the others at 80 columns
COLUMNS: list[Column] = [
    Column(SortKey.NAME, "Order", 8, 0, lambda r: (safe(r.display_name), "")),
    Column(SortKey.CREATED, "Date", 10, 1, lambda r: (date(r.created_at), "muted")),
    Column(SortKey.STATUS, "Status", 10, 0,
           lambda r: (status(r.status), STATUS_STYLE[r.status]),
           words=lambda: (status(s) for s in OrderStatus if s is not OrderStatus.UNKNOWN)),
    Column(SortKey.CUSTOMER, "Customer", 14, 0, lambda r: (safe(r.customer_name), ""),
           flex=3),
    # the customer's country
    Column(SortKey.COUNTRY, "Cty", 3, 3, lambda r: (safe(r.country), "muted")),
    Column(SortKey.ITEMS, "Items", 14, 4, lambda r: (safe(items_shown(r.items_summary)), ""),
           flex=4),
    # what counts: a cancelled order's sale and supplier charge count for nothing
    Column(SortKey.TOTAL, "Total", 9, 1, lambda r: (r.sale.display(), ""), right=True),
    Column(SortKey.COST, "Cost", 9, 4, cost, right=True),
    Column(SortKey.PROFIT, "Profit", 9, 2, profit, right=True),
    Column(SortKey.SUPPLIER, "Supplier", 8, 5, lambda r: (safe(r.supplier), "muted")),
    Column(SortKey.TRACKING, "Tracking", 12, 5,
           lambda r: (safe(r.tracking_number), "muted"), flex=1),
    Column(None, "Flags", 5, 0, flags),
    # in the protection view only: how many days of buyer protection are left
    Column(SortKey.ENDS, "Left", 6, 0, lambda r: ("", ""), right=True),
]


def headers() -> dict[str, str]:
    """Each column's label (as ``COLUMNS`` gives it) in the language of the process: words of
    their own, as short as the language allows."""
    return {
        "Order": pgettext("orders table", "Order"),
        "Date": pgettext("orders table", "Date"),
        "Status": pgettext("orders table", "Status"),
        "Customer": pgettext("orders table", "Customer"),
        # Translators: the customer's country, a header of three letters in English
        "Cty": pgettext("orders table", "Cty"),
        "Items": pgettext("orders table", "Items"),
        "Total": pgettext("orders table", "Total"),
        "Cost": pgettext("orders table", "Cost"),
        "Profit": pgettext("orders table", "Profit"),
        "Supplier": pgettext("orders table", "Supplier"),
        "Tracking": pgettext("orders table", "Tracking"),
        # Translators: the column of the markers (C…, D!, T!, P!, R!) that ? explains
        "Flags": pgettext("orders table", "Flags"),
        # Translators: days of buyer protection left, in the protection view
        "Left": pgettext("orders table", "Left"),
    }


@dataclass(frozen=True, slots=True)
class Clock:
    """What the time-dependent cells are worked out against."""

    now: datetime
    stalled_days: int  # [app] stalled_tracking_days
    warning_days: int  # [app] protection_warning_days


def cell(col: Column, row: OrderSummary, clock: Clock) -> tuple[str, str]:
    """A cell's text and style; the two that depend on the time are worked out here."""
    if col.key is SortKey.ENDS:
        return days_left(row, clock.now)
    value, style = col.cell(row)
    if col.cell is flags:
        late = late_marks(row, clock)
        if late:
            value, style = " ".join(p for p in (value, *late) if p), "attention"
    return value, style


def late_marks(row: OrderSummary, clock: Clock) -> list[str]:
    """What the clock makes urgent: tracking that stopped, protection running out on an
    order still on its way."""
    marks = []
    if tracking_stalled(row.status, row.moved_at, clock.now, clock.stalled_days):
        marks.append(STALLED_MARK)
    if protection_ending(row.status, row.protection_ends, clock.now, clock.warning_days,
                         disputed=row.dispute_state is not None):
        marks.append(PROTECTION_MARK)
    return marks


def days_left(row: OrderSummary, now: datetime) -> tuple[str, str]:
    if row.protection_ends is None:
        return "", ""
    left = math.ceil((row.protection_ends - now).total_seconds() / DAY_SECONDS)
    return days(max(left, 0)), "attention" if left <= SOON_DAYS else ""


def days(n: int) -> str:
    """A number of days in a narrow column: ``3d``."""
    # Translators: a number of days in a narrow column (d for days)
    return _("{days}d").format(days=n)


def fit(text: str, width: int, right: bool = False) -> str:
    """Cut or pad ``text`` to exactly ``width`` terminal cells."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        out = ""
        used = 0
        for ch in text:
            w = cell_len(ch)
            if used + w > width - 1:
                break
            out += ch
            used += w
        return out + "…" + " " * (width - used - 1)
    pad = " " * (width - length)
    return pad + text if right else text + pad
