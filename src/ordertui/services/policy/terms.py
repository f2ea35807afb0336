"""What the shop may promise: the shortest return window that every supplier and the
merchant's own address support, where returns go, and how long customers have to report
damage so that the merchant can still open a dispute."""

from __future__ import annotations

from dataclasses import dataclass, field

from ordertui.config import Config
from ordertui.domain.policy import ProtectionBasis, ShippingPayer, SupplierPolicy
from ordertui.i18n import _, ngettext
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
    #: ``limited_by`` in English, which the policy's fingerprint counts (``published``): the
    #: language it is shown in is no change of the policy
    limited_by_en: str = field(default="", repr=False, compare=False)

    @property
    def suppliers_agree(self) -> bool:
        kinds = {(s.policy.accepts_returns, s.policy.return_window_days) for s in self.suppliers}
        return len(kinds) <= 1


def policy_terms(config: Config) -> PolicyTerms:
    """Work out the shop's promises from ``[returns]`` and every configured supplier."""
    m = merchant_returns(config)
    warnings: list[str] = []
    if m.unknown_keys:
        warnings.append(_("[returns] has keys ordertui does not use: {keys}; known: {known}"
                          ).format(keys=", ".join(m.unknown_keys),
                                   known=", ".join(RETURNS_DEFAULTS)))
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
                warnings.append(ngettext(
                    "{supplier}'s buyer protection counts from the order: assuming delivery "
                    "takes {n} day (set [returns] transit_days)",
                    "{supplier}'s buyer protection counts from the order: assuming delivery "
                    "takes {n} days (set [returns] transit_days)",
                    m.transit_days).format(supplier=name, n=m.transit_days))
        else:
            warnings.append(_("{supplier} offers no buyer protection: refunds for its goods "
                              "are not recovered from it").format(supplier=name))
        if not p.accepts_returns and not m.address_lines:
            warnings.append(_("{supplier} accepts no returns and [returns] has no address: the "
                              "policy offers no returns; set address to accept them yourself"
                              ).format(supplier=name))
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
    limited_by, limited_by_en = _limited_by(m, return_days, strict)
    claims = [t.claim_days for t in terms if t.claim_days is not None]
    if claims:
        claim_days = min(claims) - m.claim_margin_days
        if claim_days < 1:
            warnings.append(ngettext(
                "the shortest buyer protection ({n} day) leaves no margin: customers are asked "
                "to report problems within 1 day",
                "the shortest buyer protection ({n} days) leaves no margin: customers are "
                "asked to report problems within 1 day", min(claims)).format(n=min(claims)))
            claim_days = 1
    else:
        claim_days = max(m.window_days, 1)
    return PolicyTerms(merchant=m, suppliers=tuple(terms), return_days=return_days,
                       returns_to=returns_to, return_shipping=payer, claim_days=claim_days,
                       refund_days=m.refund_days, limited_by=limited_by,
                       warnings=tuple(dict.fromkeys(warnings)), limited_by_en=limited_by_en)


def _limited_by(m: MerchantReturns, return_days: int, strict: list[SupplierTerms]
                ) -> tuple[str, str]:
    """What set the return window, for the merchant: in the language of the process, and as
    ordertui has always said it in English (for the fingerprint)."""
    if return_days == 0:
        if not m.address_lines:
            return _("no return address in [returns]"), "no return address in [returns]"
        return _("[returns] window_days = 0"), "[returns] window_days = 0"
    own = return_days == m.window_days
    english = []
    if strict:
        english.append("the strictest supplier: " + ", ".join(
            f"{t.name} ({t.policy.return_window_days} days)" for t in strict))
    if own:
        english.append(f"your own window ([returns] window_days = {m.window_days})")
    suppliers = ", ".join(ngettext("{supplier} ({n} day)", "{supplier} ({n} days)",
                                   t.policy.return_window_days).format(
        supplier=t.name, n=t.policy.return_window_days) for t in strict)
    if strict and own:
        shown = _("the strictest supplier: {suppliers} and your own window ([returns] "
                  "window_days = {days})").format(suppliers=suppliers, days=m.window_days)
    elif strict:
        shown = _("the strictest supplier: {suppliers}").format(suppliers=suppliers)
    elif own:
        shown = _("your own window ([returns] window_days = {days})").format(days=m.window_days)
    else:
        shown = ""
    return shown, " and ".join(english)
