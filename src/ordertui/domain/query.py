"""What the merchant asks to see: a filter and a sort. Shared by the orders screen, the CLI
and exports, so that "the current filter" means the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ordertui.domain.states import OrderStatus
from ordertui.domain.text import one_line


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
        return {"created": "Date", "order": "Order", "status": "Status", "customer": "Customer",
                "country": "Country", "items": "Items", "total": "Total", "cost": "Cost",
                "profit": "Profit", "supplier": "Supplier", "tracking": "Tracking",
                "ends": "Protection ends"}[self.value]

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
        return {"all": "All", "attention": "Needs attention",
                "awaiting_payment": "Awaiting payment", "processing": "Processing",
                "shipped": "Shipped", "delivered": "Delivered",
                "cancelled": "Cancelled",
                "protection": f"Protection ends ≤{PROTECTION_DAYS}d"}[self.value]


#: the "buyer protection ends soon" view: days left to open a dispute
PROTECTION_DAYS = 7


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
            parts.append(f"{len(self.ids)} chosen orders")
        if self.attention:
            parts.append("needs attention")
        if self.statuses:
            parts.append("status " + " or ".join(s.value.replace("_", " ")
                                                  for s in self.statuses))
        if self.search.strip():
            # the search may be pasted from a customer's data: shown, never acted on
            parts.append(f'search "{one_line(self.search.strip(), 80)}"')
        if self.supplier:
            parts.append(f"supplier {self.supplier}")
        if self.since:
            parts.append(f"since {self.since.date().isoformat()}")
        if self.until:
            parts.append(f"until {self.until.date().isoformat()}")
        if self.protection_ends_within_days is not None:
            parts.append(f"buyer protection ends within {self.protection_ends_within_days} days")
        return ", ".join(parts) or "all orders"
