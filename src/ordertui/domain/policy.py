"""Suppliers' return policies and the buyer-protection clock.

Most suppliers accept no returns; the money for a bad order comes back through the
supplier's buyer protection instead, and only while its window is open. Both facts decide
what the merchant may promise customers, so they live here as plain data with one place
that reads them from the config and one place that counts the days.

Time: every instant is compared in UTC. Protection ends exactly ``days`` × 24 hours after
delivery (or after the order), the way the suppliers' own countdowns work, and "days left"
is the time remaining rounded up to whole days. A merchant in UTC+14 and one in UTC-10
asking at the same moment get the same answer; month ends, leap days and summer time
change nothing because no calendar of any zone is involved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ordertui.domain.errors import ValidationError
from ordertui.i18n import N_, _, formats, ngettext

DAY_SECONDS = 86_400
MAX_WINDOW_DAYS = 3650


class ProtectionBasis(StrEnum):
    """What the buyer-protection window is counted from."""

    DELIVERY = "delivery"
    ORDER = "order"


class ShippingPayer(StrEnum):
    """Who pays the postage of a return."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"
    SUPPLIER = "supplier"


@dataclass(frozen=True, slots=True)
class SupplierPolicy:
    accepts_returns: bool
    return_window_days: int  # days after delivery; 0 when no returns are taken
    protection_days: int  # how long a dispute can still be opened
    protection_from: ProtectionBasis
    return_shipping: ShippingPayer
    text: str = ""  # the supplier's terms in a sentence or two, for the merchant
    #: where this policy came from: "default" (documented default for the kind), "config"
    #: (the supplier's ``policy`` table), "adapter" (the adapter's own), "assumed" (unknown kind)
    source: str = "default"

    @property
    def shown_text(self) -> str:
        """``text`` as people read it: ordertui's own words for a supplier translated, the
        merchant's own (``policy.text`` in the config) as written."""
        return _(self.text) if self.text in BUILT_IN_TEXTS else self.text


#: Documented defaults per supplier kind; a ``policy`` table under ``[suppliers.NAME]``
#: overrides any of the fields.
DEFAULT_POLICIES: dict[str, SupplierPolicy] = {
    # Most AliExpress sellers take no returns; the buyer gets money back through Buyer
    # Protection by opening a dispute, possible until 15 days after the order completes
    # (delivery confirmed or the delivery time over).
    "aliexpress": SupplierPolicy(
        accepts_returns=False, return_window_days=0, protection_days=15,
        protection_from=ProtectionBasis.DELIVERY, return_shipping=ShippingPayer.CUSTOMER,
        text=N_("Most AliExpress sellers accept no returns. Money comes back through "
                "AliExpress Buyer Protection: open a dispute within 15 days after delivery.")),
    # CJ takes items back only at its warehouse in China, through a dispute, within 10 days
    # of delivery, postage paid by the merchant or customer, and advises against it.
    "cj": SupplierPolicy(
        accepts_returns=False, return_window_days=0, protection_days=30,
        protection_from=ProtectionBasis.DELIVERY, return_shipping=ShippingPayer.CUSTOMER,
        text=N_("CJ takes returns only at its China warehouse through a dispute (within 10 "
                "days of delivery, postage yours) and advises against it. Refund or resend "
                "comes through a dispute on CJ for damaged, wrong, missing or delayed orders.")),
    # The demo supplier behaves like most AliExpress sellers, so that the "supplier takes no
    # returns" path can be tried without any account.
    "demo": SupplierPolicy(
        accepts_returns=False, return_window_days=0, protection_days=15,
        protection_from=ProtectionBasis.DELIVERY, return_shipping=ShippingPayer.CUSTOMER,
        text=N_("The demo supplier accepts no returns. Open a dispute within 15 days after "
                "delivery to get money back.")),
}

#: For a kind nobody documented: the cautious assumption (no returns, 15 days' protection).
ASSUMED_POLICY = SupplierPolicy(
    accepts_returns=False, return_window_days=0, protection_days=15,
    protection_from=ProtectionBasis.DELIVERY, return_shipping=ShippingPayer.CUSTOMER,
    text=N_("No return policy is configured for this supplier; assuming it takes no "
            "returns."),
    source="assumed")

#: the suppliers' terms in ordertui's own words (translated where shown: ``shown_text``)
BUILT_IN_TEXTS = frozenset([*(p.text for p in DEFAULT_POLICIES.values()), ASSUMED_POLICY.text])

POLICY_KEYS = ("accepts_returns", "return_window_days", "protection_days", "protection_from",
               "return_shipping", "text")


def default_policy(kind: str) -> SupplierPolicy:
    return DEFAULT_POLICIES.get(kind, ASSUMED_POLICY)


def _days(table: Mapping[str, Any], key: str, fallback: int) -> int:
    value = table.get(key, fallback)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WINDOW_DAYS:
        raise ValidationError(key, _("{key} must be a whole number of days from 0 to "
                                     "{most}").format(key=key, most=MAX_WINDOW_DAYS))
    return value


def policy_from_table(table: Mapping[str, Any], base: SupplierPolicy) -> SupplierPolicy:
    """``base`` with the fields a config ``policy`` table sets.

    Raises ``ValidationError`` whose ``field`` is the offending key, so that the caller can
    name ``suppliers.NAME.policy.KEY`` in its message.
    """
    if not isinstance(table, Mapping):
        raise ValidationError("policy", _("policy must be a table of accepts_returns, "
                                          "return_window_days, protection_days, "
                                          "protection_from, return_shipping and text"))
    for key in table:
        if key not in POLICY_KEYS:
            raise ValidationError(key, _("unknown key {key}; known: {known}").format(
                key=repr(key), known=", ".join(POLICY_KEYS)))
    accepts = table.get("accepts_returns", base.accepts_returns)
    if not isinstance(accepts, bool):
        raise ValidationError("accepts_returns", _("accepts_returns must be true or false"))
    window = _days(table, "return_window_days", base.return_window_days if accepts else 0)
    if accepts and window == 0:
        raise ValidationError("return_window_days", _("a supplier that accepts returns needs "
                                                      "return_window_days of 1 or more"))
    if not accepts:
        window = 0
    protection = _days(table, "protection_days", base.protection_days)
    basis_text = table.get("protection_from", base.protection_from.value)
    try:
        basis = ProtectionBasis(basis_text)
    except ValueError:
        raise ValidationError("protection_from", _('protection_from must be "delivery" or '
                                                   '"order"')) from None
    payer_text = table.get("return_shipping", base.return_shipping.value)
    try:
        payer = ShippingPayer(payer_text)
    except ValueError:
        raise ValidationError("return_shipping", _('return_shipping must be "customer", '
                                                   '"merchant" or "supplier"')) from None
    text = table.get("text", base.text)
    if not isinstance(text, str):
        raise ValidationError("text", _("text must be a string"))
    return SupplierPolicy(accepts_returns=accepts, return_window_days=window,
                          protection_days=protection, protection_from=basis,
                          return_shipping=payer, text=text.strip(),
                          source="config" if table else base.source)


def with_source(policy: SupplierPolicy, source: str) -> SupplierPolicy:
    return replace(policy, source=source)


# --- the buyer-protection clock -------------------------------------------------------------


class ProtectionState(StrEnum):
    NONE = "none"  # the supplier offers no buyer protection
    NOT_STARTED = "not_started"  # counted from delivery, and not delivered yet
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class ProtectionStatus:
    state: ProtectionState
    basis: ProtectionBasis
    days: int
    starts_at: datetime | None = None  # UTC
    ends_at: datetime | None = None  # UTC; show it in the merchant's zone
    days_left: int | None = None  # whole days, rounded up; 0 once ended

    @property
    def ends_on_utc(self) -> str:
        return self.ends_at.date().isoformat() if self.ends_at else ""

    def describe(self) -> str:
        """For people: 'buyer protection: 3 days left (ends 2026-02-15 23:30 UTC)'."""
        if self.state is ProtectionState.NONE:
            return _("no buyer protection")
        if self.state is ProtectionState.NOT_STARTED:
            return ngettext("buyer protection: {n} day from delivery (not delivered yet)",
                            "buyer protection: {n} days from delivery (not delivered yet)",
                            self.days).format(n=formats.number(self.days))
        assert self.ends_at is not None
        ends = self.ends_at  # UTC already
        # Translators: {date} and {time} in UTC, as the suppliers count buyer protection
        when = _("{date} {time} UTC").format(date=formats.date(ends.date()),
                                              time=ends.strftime("%H:%M"))
        if self.state is ProtectionState.ENDED:
            return _("buyer protection ended {when}").format(when=when)
        left = self.days_left or 0
        return ngettext("buyer protection: {n} day left (ends {when})",
                        "buyer protection: {n} days left (ends {when})", left).format(
            n=formats.number(left), when=when)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        # the store and the adapters give aware datetimes; a naive one can only mean UTC here
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def protection_status(policy: SupplierPolicy, *, ordered_at: datetime,
                      delivered_at: datetime | None, now: datetime) -> ProtectionStatus:
    """How much of the supplier's buyer protection is left at ``now`` (see module doc)."""
    basis = policy.protection_from
    if policy.protection_days <= 0:
        return ProtectionStatus(ProtectionState.NONE, basis, 0)
    start = ordered_at if basis is ProtectionBasis.ORDER else delivered_at
    if start is None:
        return ProtectionStatus(ProtectionState.NOT_STARTED, basis, policy.protection_days)
    start = _utc(start)
    ends = start + timedelta(days=policy.protection_days)
    remaining = (ends - _utc(now)).total_seconds()
    if remaining <= 0:
        return ProtectionStatus(ProtectionState.ENDED, basis, policy.protection_days, start,
                                ends, 0)
    return ProtectionStatus(ProtectionState.ACTIVE, basis, policy.protection_days, start, ends,
                            math.ceil(remaining / DAY_SECONDS))
