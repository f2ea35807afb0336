"""What the shop may promise: the shortest return window that every supplier and the
merchant's own address support, where returns go, and how long customers have to report
damage so that the merchant can still open a dispute."""

from __future__ import annotations

from dataclasses import dataclass

from ordertui.config import Config
from ordertui.domain.policy import ProtectionBasis, ShippingPayer, SupplierPolicy
from ordertui.services.policy.settings import (
    RETURNS_DEFAULTS,
    MerchantReturns,
    merchant_returns,
    supplier_policy,
)


@dataclass(frozen=True, slots=True)
class SupplierTerms:
    """What one supplier's policy allows the shop to promise."""

    name: str
    policy: SupplierPolicy
    return_days: int  # the longest return window its goods allow
    claim_days: int | None  # days after delivery its buyer protection covers; None: none


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """The promises the generated text makes, with the reasons, for the Policy screen."""

    merchant: MerchantReturns
    suppliers: tuple[SupplierTerms, ...]
    return_days: int  # 0: no returns of unwanted items
    returns_to: str  # "merchant", "supplier" or "none"
    return_shipping: ShippingPayer
    claim_days: int  # days after delivery to report damaged, faulty or wrong items
    refund_days: int
    limited_by: str  # for the merchant: what set the return window
    warnings: tuple[str, ...] = ()

    @property
    def suppliers_agree(self) -> bool:
        kinds = {(s.policy.accepts_returns, s.policy.return_window_days) for s in self.suppliers}
        return len(kinds) <= 1


def policy_terms(config: Config) -> PolicyTerms:
    """Work out the shop's promises from ``[returns]`` and every configured supplier."""
    m = merchant_returns(config)
    warnings: list[str] = []
    if m.unknown_keys:
        warnings.append(f"[returns] has keys ordertui does not use: {', '.join(m.unknown_keys)}"
                        f"; known: {', '.join(RETURNS_DEFAULTS)}")
    own = m.window_days if m.address_lines else 0
    terms: list[SupplierTerms] = []
    for name in config.suppliers:
        p = supplier_policy(config, name)
        days = min(p.return_window_days, m.window_days) if p.accepts_returns else own
        claim: int | None = None
        if p.protection_days > 0:
            claim = p.protection_days
            if p.protection_from is ProtectionBasis.ORDER:
                claim = max(p.protection_days - m.transit_days, 0)
                warnings.append(
                    f"{name}'s buyer protection counts from the order: assuming delivery "
                    f"takes {m.transit_days} days (set [returns] transit_days)")
        else:
            warnings.append(f"{name} offers no buyer protection: refunds for its goods "
                            "are not recovered from it")
        if not p.accepts_returns and not m.address_lines:
            warnings.append(f"{name} accepts no returns and [returns] has no address: the "
                            "policy offers no returns; set address to accept them yourself")
        terms.append(SupplierTerms(name, p, days, claim))
    return_days = min([t.return_days for t in terms], default=own)
    if return_days == 0:
        returns_to = "none"
    elif m.address_lines:
        returns_to = "merchant"
    else:
        returns_to = "supplier"
    if returns_to == "supplier":
        payer = (ShippingPayer.CUSTOMER if any(t.policy.return_shipping is ShippingPayer.CUSTOMER
                                                for t in terms) else ShippingPayer.MERCHANT)
    else:
        payer = m.return_shipping
    strict = [t for t in terms
              if t.policy.accepts_returns and t.policy.return_window_days == return_days]
    if return_days == 0:
        limited_by = ("no return address in [returns]" if not m.address_lines else
                      "[returns] window_days = 0")
    else:
        reasons = []
        if strict:
            reasons.append("the strictest supplier: " + ", ".join(
                f"{t.name} ({t.policy.return_window_days} days)" for t in strict))
        if return_days == m.window_days:
            reasons.append(f"your own window ([returns] window_days = {m.window_days})")
        limited_by = " and ".join(reasons)
    claims = [t.claim_days for t in terms if t.claim_days is not None]
    if claims:
        claim_days = min(claims) - m.claim_margin_days
        if claim_days < 1:
            warnings.append(f"the shortest buyer protection ({min(claims)} days) leaves no "
                            "margin: customers are asked to report problems within 1 day")
            claim_days = 1
    else:
        claim_days = max(m.window_days, 1)
    return PolicyTerms(merchant=m, suppliers=tuple(terms), return_days=return_days,
                       returns_to=returns_to, return_shipping=payer, claim_days=claim_days,
                       refund_days=m.refund_days, limited_by=limited_by,
                       warnings=tuple(dict.fromkeys(warnings)))
