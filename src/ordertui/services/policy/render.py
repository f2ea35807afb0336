"""The shop's refund and return policy as text: the same blocks in every language, laid out
as markdown or plain text, with the merchant's own words escaped so that nothing typed into
the config turns into markup or a template field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ordertui.config import Config
from ordertui.domain.errors import ValidationError
from ordertui.domain.policy import ShippingPayer
from ordertui.i18n import _, current
from ordertui.services.policy.settings import MerchantReturns
from ordertui.services.policy.terms import PolicyTerms, policy_terms
from ordertui.services.policy.texts import DE, EN, FR


class Lang(StrEnum):
    EN = "en"
    DE = "de"
    FR = "fr"


class Format(StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"


#: Each language's words (see ``texts``).
WORDS: dict[Lang, Mapping[str, str]] = {Lang.EN: EN, Lang.DE: DE, Lang.FR: FR}


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    lang: Lang
    format: Format
    text: str
    terms: PolicyTerms
    generated_at: datetime = field(compare=False, default_factory=datetime.now)


def policy_language() -> Lang:
    """The policy's language when none is asked for: the app's, if the policy is written in
    it, else English."""
    code = current().code
    return Lang(code) if code in {x.value for x in Lang} else Lang.EN


def generate_policy(config: Config, *, lang: str | Lang = Lang.EN,
                    fmt: str | Format = Format.MARKDOWN, today: datetime | None = None
                    ) -> PolicyDocument:
    """The shop's refund and return policy, ready to paste. Raises ``ValidationError``
    (field ``lang`` or ``format``) or ``ConfigError`` (naming the bad key)."""
    try:
        language = Lang(lang)
    except ValueError:
        raise ValidationError("lang", _("the language must be {choices}").format(
            choices=_one_of(Lang))) from None
    try:
        form = Format(fmt)
    except ValueError:
        raise ValidationError("format", _("the format must be {choices}").format(
            choices=_one_of(Format))) from None
    terms = policy_terms(config)
    when = today or datetime.now().astimezone()
    blocks = _compose(terms, _words(WORDS[language], terms, when.date().isoformat()))
    return PolicyDocument(language, form, _render(blocks, form, terms.merchant), terms, when)


def _one_of(choices: Iterable[StrEnum]) -> str:
    """'en, de or fr'."""
    *others, last = (str(c) for c in choices)
    # Translators: the last of a list of choices: "en, de or fr"
    return _("{choices} or {last}").format(choices=", ".join(others), last=last)


# --- the blocks, the same in every language ----------------------------------------------

#: A block: ("title" | "h" | "p" | "address", text or lines).
Block = tuple[str, Any]

_PLACEHOLDER = re.compile(r"\{(return_days|claim_days|refund_days|date)\}")


def _words(table: Mapping[str, str], t: PolicyTerms, date: str) -> dict[str, str]:
    """The table with the terms' numbers of days and the date filled in; ``{shop}`` and
    ``{email}`` stay for ``_render``."""
    def days(n: int) -> str:
        return table["one_day"] if n == 1 else table["days"].replace("{n}", str(n))

    values = {"return_days": days(t.return_days), "claim_days": days(t.claim_days),
              "refund_days": days(t.refund_days), "date": date}
    return {key: _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
            for key, text in table.items()}


def _compose(t: PolicyTerms, w: Mapping[str, str]) -> list[Block]:
    """The same structure in every language: returns, claims, refunds, the small print."""
    m = t.merchant
    blocks: list[Block] = [("title", w["title"])]
    blocks.append(("p", w["intro_shop"] if m.shop_name else w["intro"]))
    blocks.append(("h", w["h_returns"]))
    if t.return_days > 0:
        blocks.append(("p", w["window"] + " " + w["condition"]))
        blocks.append(("p", w["contact_first_email"] if m.email else w["contact_first"]))
        if t.returns_to == "merchant":
            blocks.append(("p", w["to_merchant"]))
            blocks.append(("address", m.address_lines))
        else:
            blocks.append(("p", w["to_supplier"]))
        free = t.return_shipping is not ShippingPayer.CUSTOMER
        blocks.append(("p", (w["free"] if free else w["customer_pays"]) + " " + w["tracking"]))
    else:
        blocks.append(("p", w["no_returns"]))
    blocks.append(("h", w["h_claims"]))
    blocks.append(("p", w["claim"]))
    blocks.append(("p", w["claim_remedy"] + " " + w["not_arrived"]))
    blocks.append(("h", w["h_refunds"]))
    refund = w["refund_when"] if t.return_days > 0 else w["refund_when_claim"]
    blocks.append(("p", refund + (" " + w["partial"] if t.return_days > 0 else "")))
    blocks.append(("p", w["confirmation"]))
    blocks.append(("p", w["statutory"] + (" " + w["questions"] if m.email else "")))
    blocks.append(("p", w["updated"]))
    return blocks


# --- the layout: markdown or plain text --------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_FIELD = re.compile(r"\{(shop|email)\}")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _render(blocks: list[Block], fmt: Format, m: MerchantReturns) -> str:
    """Lay the blocks out; the merchant's own words go in last, escaped for markdown, so
    that nothing typed into the config can turn into markup or a template field."""
    markdown = fmt is Format.MARKDOWN
    shop, email = (_md(m.shop_name), _md(m.email)) if markdown else (m.shop_name, m.email)
    out: list[str] = []
    fields = {"shop": shop, "email": email}
    for kind, template in blocks:
        if kind == "address":
            lines: tuple[str, ...] = template
            if markdown:
                out.append("**" + ", ".join(_md(x) for x in lines) + "**")
            else:
                out.append("\n".join(f"    {x}" for x in lines))
            continue
        value = _FIELD.sub(lambda match: fields[match.group(1)], template)
        if kind == "title":
            out.append(f"# {value}" if fmt is Format.MARKDOWN else f"{value}\n{'=' * len(value)}")
        elif kind == "h":
            out.append(f"## {value}" if fmt is Format.MARKDOWN else f"{value}\n{'-' * len(value)}")
        else:
            out.append(value)
    return "\n\n".join(out) + "\n"
