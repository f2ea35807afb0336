"""What the merchant asks to see: a filter and a sort. Shared by the orders screen, the CLI
and exports, so that "the current filter" means the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ordertui.domain.states import OrderStatus
from ordertui.domain.text import one_line
from ordertui.i18n import N_, _, formats, ngettext


class SortKey(StrEnum):
    CREATED = "created"
    NAME = "order"
    STATUS = "status"
    CUSTOMER = "customer"
    COUNTRY = "country"
    ITEMS = "items"
    TOTAL = "total"
    COST = "cost"
    PROFIT = "profit"
    SUPPLIER = "supplier"
    TRACKING = "tracking"
    ENDS = "ends"  # when the buyer protection ends (the protection view)

    @property
    def label(self) -> str:
        """The key as people read it, in the language of the process: "Date"."""
        return _(SORT_LABELS[self.value])

    @property
    def starts_descending(self) -> bool:
        """Chosen anew, the newest or largest come first (dates, amounts, order numbers)."""
        return self in (SortKey.CREATED, SortKey.TOTAL, SortKey.COST, SortKey.PROFIT,
                        SortKey.NAME)


class View(StrEnum):
    """The tabs of the orders screen."""

    ALL = "all"
    ATTENTION = "attention"
    AWAITING_PAYMENT = "awaiting_payment"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    PROTECTION = "protection"  # buyer protection ends within PROTECTION_DAYS

    @property
    def label(self) -> str:
        """The tab's name, in the language of the process: "Needs attention"."""
        if self is View.PROTECTION:
            # Translators: a tab; {days} is a number of days ("≤7d": 7 days or fewer)
            return _("Protection ends ≤{days}d").format(days=PROTECTION_DAYS)
        return _(VIEW_LABELS[self.value])


#: the "buyer protection ends soon" view: days left to open a dispute
PROTECTION_DAYS = 7

#: the labels people read, in English (``label`` translates them)
SORT_LABELS: dict[str, str] = {
    "created": N_("Date"), "order": N_("Order"), "status": N_("Status"),
    "customer": N_("Customer"), "country": N_("Country"), "items": N_("Items"),
    "total": N_("Total"), "cost": N_("Cost"), "profit": N_("Profit"),
    "supplier": N_("Supplier"), "tracking": N_("Tracking"), "ends": N_("Protection ends")}
VIEW_LABELS: dict[str, str] = {
    "all": N_("All"), "attention": N_("Needs attention"),
    "awaiting_payment": N_("Awaiting payment"), "processing": N_("Processing"),
    "shipped": N_("Shipped"), "delivered": N_("Delivered"), "cancelled": N_("Cancelled")}


@dataclass(frozen=True, slots=True)
class OrderQuery:
    statuses: tuple[OrderStatus, ...] = ()
    #: what needs the merchant: a question from a supplier, a dispute waiting on them, a
    #: refund a cancelled order owes; and, counted from ``as_of``, shipped orders whose
    #: tracking has not moved for ``stalled_days`` and orders not delivered yet whose buyer
    #: protection (counted from the order) ends within ``warning_days``
    attention: bool = False
    stalled_days: int | None = None
    warning_days: int | None = None
    search: str = ""
    supplier: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[int, ...] = ()
    #: only orders whose supplier's buyer protection is still open and ends within this
    #: many days (counted in UTC from ``as_of``, or from now); disputed and cancelled
    #: orders are left out, since protection no longer matters for them
    protection_ends_within_days: int | None = None
    as_of: datetime | None = None
    sort: SortKey = SortKey.CREATED
    descending: bool = True

    def __post_init__(self) -> None:
        # when protection ends is known only for the orders the protection filter keeps:
        # the sort needs the filter (and has no index of its own)
        if self.sort is SortKey.ENDS and self.protection_ends_within_days is None:
            raise ValueError("sorting by when buyer protection ends needs "
                             "protection_ends_within_days")

    @classmethod
    def for_view(cls, view: View, **kw: object) -> OrderQuery:
        if view is View.ALL:
            return cls(**kw)  # type: ignore[arg-type]
        if view is View.ATTENTION:
            return cls(attention=True, **kw)  # type: ignore[arg-type]
        if view is View.PROTECTION:
            kw.setdefault("sort", SortKey.ENDS)  # the soonest first
            kw.setdefault("descending", False)
            return cls(protection_ends_within_days=PROTECTION_DAYS, **kw)  # type: ignore[arg-type]
        return cls(statuses=(OrderStatus(view.value),), **kw)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> OrderQuery:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def filtered_besides_search(self) -> bool:
        """Any filter other than the search words."""
        return self.with_(search="").filtered

    @property
    def filtered(self) -> bool:
        return bool(self.statuses or self.attention or self.search.strip() or self.supplier
                    or self.since or self.until or self.ids
                    or self.protection_ends_within_days is not None)

    def describe(self) -> str:
        """For people: 'status shipped, search "müller"'. Safe to show on a terminal or in an
        e-mail: control and invisible characters in the search are made visible."""
        parts = []
        if self.ids:
            n = len(self.ids)
            parts.append(ngettext("{n} chosen order", "{n} chosen orders", n).format(
                n=formats.number(n)))
        if self.attention:
            parts.append(_("needs attention"))
        if self.statuses:
            statuses = self.statuses[0].words
            for s in self.statuses[1:]:
                statuses = _("{first} or {second}").format(first=statuses, second=s.words)
            parts.append(_("status {statuses}").format(statuses=statuses))
        if self.search.strip():
            # the search may be pasted from a customer's data: shown, never acted on
            parts.append(_('search "{words}"').format(words=one_line(self.search.strip(), 80)))
        if self.supplier:
            parts.append(_("supplier {name}").format(name=self.supplier))
        if self.since:
            parts.append(_("since {date}").format(date=formats.date(self.since.date())))
        if self.until:
            parts.append(_("until {date}").format(date=formats.date(self.until.date())))
        if self.protection_ends_within_days is not None:
            days = self.protection_ends_within_days
            parts.append(ngettext("buyer protection ends within {n} day",
                                  "buyer protection ends within {n} days", days).format(
                n=formats.number(days)))
        return ", ".join(parts) or _("all orders")
