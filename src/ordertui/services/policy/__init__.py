"""Supplier policies from the config, the merchant's own returns settings, and the shop's
refund and return policy generated from both.

A shop must not promise what its suppliers will not back: a 30-day return window is a loss
when the supplier takes nothing back and its buyer protection closes after 15 days. So the
generated policy offers the shortest window that every supplier (together with what the
merchant can handle at their own address) supports, sends returns to the merchant's
address when suppliers take none, and asks customers to report damage early enough for
the merchant to open a dispute in time. It is rebuilt from the current config on every
call, so it follows any change to a supplier's policy; and the policy the merchant last took
is remembered, so that such a change regenerates the file they saved and tells them to
update their shop's page.

One job a module: ``settings`` reads ``[returns]`` and each supplier's policy from the
config, ``terms`` works out what the shop may promise, ``render`` lays the policy out in
every language of ``texts``, and ``published`` remembers the policy the merchant took.
"""

from ordertui.services.policy.published import (
    PUBLISHED_FILE,
    record_published,
    refresh_published,
    save_policy,
    terms_fingerprint,
)
from ordertui.services.policy.render import (
    Format,
    Lang,
    PolicyDocument,
    generate_policy,
    policy_language,
)
from ordertui.services.policy.settings import (
    RETURNS_DEFAULTS,
    MerchantReturns,
    merchant_returns,
    supplier_policy,
)
from ordertui.services.policy.terms import PolicyTerms, SupplierTerms, policy_terms

__all__ = [
    "PUBLISHED_FILE",
    "RETURNS_DEFAULTS",
    "Format",
    "Lang",
    "MerchantReturns",
    "PolicyDocument",
    "PolicyTerms",
    "SupplierTerms",
    "generate_policy",
    "merchant_returns",
    "policy_language",
    "policy_terms",
    "record_published",
    "refresh_published",
    "save_policy",
    "supplier_policy",
    "terms_fingerprint",
]
