"""The merchant's ``[returns]`` settings and each supplier's return policy, read from the
config; a ``ConfigError`` names the bad key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordertui.config import Config
from ordertui.domain.errors import ConfigError, OrdertuiError, ValidationError
from ordertui.domain.policy import (
    ASSUMED_POLICY,
    MAX_WINDOW_DAYS,
    ShippingPayer,
    SupplierPolicy,
    default_policy,
    policy_from_table,
    with_source,
)
from ordertui.domain.text import one_line
from ordertui.i18n import _
from ordertui.suppliers.registry import adapter_class

# --- the merchant's [returns] table -------------------------------------------------------

#: Every key of ``[returns]`` with its default.
RETURNS_DEFAULTS: dict[str, Any] = {
    "address": "",  # where customers send returns; a string (lines split by \n) or a list
    "window_days": 14,  # days after delivery the merchant takes returns at that address
    "shop_name": "",
    "email": "",  # where customers write about returns
    "return_shipping": "customer",  # who pays postage for a return: customer or merchant
    "refund_days": 14,  # days to refund after the return arrives or a claim is accepted
    "claim_margin_days": 2,  # days kept back to open a dispute after the customer reports
    "transit_days": 20,  # typical delivery time, for protection counted from the order
}


@dataclass(frozen=True, slots=True)
class MerchantReturns:
    address_lines: tuple[str, ...] = ()
    window_days: int = 14
    shop_name: str = ""
    email: str = ""
    return_shipping: ShippingPayer = ShippingPayer.CUSTOMER
    refund_days: int = 14
    claim_margin_days: int = 2
    transit_days: int = 20
    unknown_keys: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return "\n".join(self.address_lines)

    @property
    def accepts_returns(self) -> bool:
        """Whether the merchant takes returns at their own address at all."""
        return bool(self.address_lines) and self.window_days > 0


def merchant_returns(config: Config) -> MerchantReturns:
    """The ``[returns]`` table, checked; a ``ConfigError`` names the bad key."""
    table = config.returns
    where = str(config.path)

    def bad(key: str, message: str) -> ConfigError:
        return ConfigError(where, message, key=f"returns.{key}")

    def days(key: str, low: int, high: int) -> int:
        value = table.get(key, RETURNS_DEFAULTS[key])
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise bad(key, _("{key} must be a whole number from {low} to {high}").format(
                key=key, low=low, high=high))
        return value

    def text(key: str) -> str:
        value = table.get(key, RETURNS_DEFAULTS[key])
        if not isinstance(value, str):
            raise bad(key, _("{key} must be a string").format(key=key))
        return one_line(value)

    raw_address = table.get("address", "")
    if isinstance(raw_address, str):
        lines = raw_address.splitlines()
    elif isinstance(raw_address, list) and all(isinstance(x, str) for x in raw_address):
        lines = list(raw_address)
    else:
        raise bad("address", _('address must be a string ("Street 1\\nCity") or a list of lines'))
    address = tuple(one_line(x) for x in lines if x.strip())
    payer_text = table.get("return_shipping", "customer")
    if payer_text not in ("customer", "merchant"):
        raise bad("return_shipping", _('return_shipping must be "customer" or "merchant"'))
    return MerchantReturns(
        address_lines=address, window_days=days("window_days", 0, MAX_WINDOW_DAYS),
        shop_name=text("shop_name"), email=text("email"),
        return_shipping=ShippingPayer(payer_text), refund_days=days("refund_days", 1, 365),
        claim_margin_days=days("claim_margin_days", 0, 30),
        transit_days=days("transit_days", 0, 365),
        unknown_keys=tuple(sorted(k for k in table if k not in RETURNS_DEFAULTS)))


# --- supplier policies --------------------------------------------------------------------


def supplier_policy(config: Config, name: str) -> SupplierPolicy:
    """The return policy of the supplier configured as ``name``.

    In order: the ``policy`` table under ``[suppliers.NAME]``, laid over the adapter's own
    ``return_policy`` (a third-party adapter may declare one), else the documented default
    for its kind. A supplier no longer configured gets the cautious assumption.
    """
    sc = config.suppliers.get(name)
    if sc is None:
        return ASSUMED_POLICY
    base = default_policy(sc.kind)
    if sc.kind not in ("demo", "cj", "aliexpress"):
        base = _adapter_policy(sc.kind) or base
    table = sc.settings.get("policy", {})
    try:
        return policy_from_table(table, base)
    except ValidationError as exc:
        key = f"suppliers.{name}.policy" + ("" if exc.field == "policy" else f".{exc.field}")
        raise ConfigError(str(config.path), exc.message, key=key) from None


def _adapter_policy(kind: str) -> SupplierPolicy | None:
    try:
        found = adapter_class(kind).return_policy
    except OrdertuiError:
        return None
    # a third party's adapter may declare something else there: its kind's default stands
    return with_source(found, "adapter") if isinstance(found, SupplierPolicy) else None
