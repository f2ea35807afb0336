"""How things look on screen: dates, states, markers. Every string from a supplier or a
customer goes through ``safe`` (domain.text.visible) before it becomes a Rich ``Text``, so it
is never read as markup or as terminal control (invariant 4 in docs/architecture.md)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from rich.style import Style
from rich.text import Text

from ordertui.domain.states import CancellationState, DisputeState, OrderStatus
from ordertui.domain.text import one_line, visible
from ordertui.i18n import N_, _, formats

STATUS_STYLE = {
    OrderStatus.AWAITING_PAYMENT: "status-awaiting",
    OrderStatus.PROCESSING: "status-processing",
    OrderStatus.SHIPPED: "status-shipped",
    OrderStatus.DELIVERED: "status-delivered",
    OrderStatus.CANCELLED: "status-cancelled",
    OrderStatus.CLOSED: "status-closed",
    OrderStatus.UNKNOWN: "status-unknown",
}

STATUS_SHORT = {
    OrderStatus.AWAITING_PAYMENT: N_("Unpaid"),
    OrderStatus.PROCESSING: N_("Processing"),
    OrderStatus.SHIPPED: N_("Shipped"),
    OrderStatus.DELIVERED: N_("Delivered"),
    OrderStatus.CANCELLED: N_("Cancelled"),
    OrderStatus.CLOSED: N_("Closed"),
    OrderStatus.UNKNOWN: N_("Unknown"),
}

CANCEL_MARK = {
    CancellationState.REQUESTED: "C…",
    CancellationState.INFO_REQUESTED: "C?",
    CancellationState.APPROVED: "C✓",
    CancellationState.REJECTED: "C✗",
}

#: a cancelled order that still owes its customer a refund
REFUND_MARK = "R!"
#: tracking that has not moved for [app] stalled_tracking_days
STALLED_MARK = "T!"
#: buyer protection ends soon on an order still on its way
PROTECTION_MARK = "P!"

DISPUTE_MARK = {
    DisputeState.OPEN: "D…",
    DisputeState.AWAITING_SUPPLIER: "D…",
    DisputeState.AWAITING_MERCHANT: "D!",
    DisputeState.ESCALATED: "D^",
    DisputeState.RESOLVED_REFUNDED: "D✓",
    DisputeState.RESOLVED_REJECTED: "D✗",
    DisputeState.WITHDRAWN: "D-",
}


def safe(value: str, limit: int | None = None) -> str:
    """One line, every control and invisible character made visible."""
    return one_line(value, limit)


def safe_block(value: str) -> str:
    """Several lines (message bodies), made visible."""
    return visible(value, keep_newlines=True)


def text(value: str, style: str = "") -> Text:
    """A Rich Text holding ``value`` literally: no markup is parsed."""
    return Text(safe(value), style=style, no_wrap=False)


def local(dt: datetime | None) -> datetime | None:
    return dt.astimezone() if dt is not None else None


def status(value: OrderStatus) -> str:
    """An order's status in a word, in the app's language."""
    return _(STATUS_SHORT[value])


def date(dt: datetime | None) -> str:
    """A day, local, as the language writes it (2026-12-06 / 06.12.2026)."""
    return formats.date(dt)


def when(dt: datetime | None) -> str:
    return formats.when(dt)


def clock(dt: datetime | None) -> str:
    return formats.clock(dt)


_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f<>\"'`\\]+")


def link(url: str) -> Text:
    """A terminal hyperlink that also shows the address as text (over SSH the browser is on
    another machine). Anything that is not a plain http(s) address is shown, never linked."""
    if _SAFE_URL.fullmatch(url) and len(url) <= 2000:
        return Text(url, style=Style(link=url, underline=True))
    return Text(safe(url))


def about(name: str, message: str) -> str:
    """``message`` about the order ``name``, led by its name unless the message names it."""
    return message if name in message else f"{name}: {message}"


def home_short(path: Path) -> str:
    """A path as a toast shows it: ``~`` for the home directory, every character visible."""
    try:
        shown = "~/" + str(Path(path).relative_to(Path.home()))
    except ValueError:
        shown = str(path)
    return safe(shown)


def saved_to(what: str, path: Path) -> str:
    """``what`` then the file on a line of its own: a toast is narrow at 80x24 and a path cut
    across two lines cannot be copied."""
    return f"{what}\n{home_short(path)}"
