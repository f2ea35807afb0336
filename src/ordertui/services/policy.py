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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ordertui.config import Config
from ordertui.domain.errors import ConfigError, OrdertuiError, ValidationError
from ordertui.domain.policy import (
    ASSUMED_POLICY,
    MAX_WINDOW_DAYS,
    ProtectionBasis,
    ShippingPayer,
    SupplierPolicy,
    default_policy,
    policy_from_table,
    with_source,
)
from ordertui.domain.text import one_line
from ordertui.fsutil import atomic_write
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
            raise bad(key, f"{key} must be a whole number from {low} to {high}")
        return value

    def text(key: str) -> str:
        value = table.get(key, RETURNS_DEFAULTS[key])
        if not isinstance(value, str):
            raise bad(key, f"{key} must be a string")
        return one_line(value)

    raw_address = table.get("address", "")
    if isinstance(raw_address, str):
        lines = raw_address.splitlines()
    elif isinstance(raw_address, list) and all(isinstance(x, str) for x in raw_address):
        lines = list(raw_address)
    else:
        raise bad("address", 'address must be a string ("Street 1\\nCity") or a list of lines')
    address = tuple(one_line(x) for x in lines if x.strip())
    payer_text = table.get("return_shipping", "customer")
    if payer_text not in ("customer", "merchant"):
        raise bad("return_shipping", 'return_shipping must be "customer" or "merchant"')
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


# --- the generated shop policy -----------------------------------------------------------


class Lang(StrEnum):
    EN = "en"
    DE = "de"
    FR = "fr"


class Format(StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"


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


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    lang: Lang
    format: Format
    text: str
    terms: PolicyTerms
    generated_at: datetime = field(compare=False, default_factory=datetime.now)


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


def generate_policy(config: Config, *, lang: str | Lang = Lang.EN,
                    fmt: str | Format = Format.MARKDOWN, today: datetime | None = None
                    ) -> PolicyDocument:
    """The shop's refund and return policy, ready to paste. Raises ``ValidationError``
    (field ``lang`` or ``format``) or ``ConfigError`` (naming the bad key)."""
    try:
        language = Lang(lang)
    except ValueError:
        raise ValidationError("lang", "the language must be en, de or fr") from None
    try:
        form = Format(fmt)
    except ValueError:
        raise ValidationError("format", "the format must be markdown or text") from None
    terms = policy_terms(config)
    when = today or datetime.now().astimezone()
    blocks = _TEXTS[language](terms, when.date().isoformat())
    return PolicyDocument(language, form, _render(blocks, form, terms.merchant), terms, when)


# --- rendering ---------------------------------------------------------------------------

#: A block: ("title" | "h" | "p" | "address", text or lines).
Block = tuple[str, Any]

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


def _en(t: PolicyTerms, date: str) -> list[Block]:
    def days(n: int) -> str:
        return "1 day" if n == 1 else f"{n} days"

    return _compose(t, date, {
        "title": "Refund and return policy",
        "intro_shop": "Thank you for shopping at {shop}. This policy explains when you can "
                      "return an item and how refunds work.",
        "intro": "This policy explains when you can return an item and how refunds work.",
        "h_returns": "Returns",
        "window": f"You can return an item within {days(t.return_days)} of delivery.",
        "condition": "Items must be unused and in their original packaging. Please include "
                     "your order number.",
        "contact_first_email": "Before you send anything, write to us at {email} with your "
                               "order number and the item you want to return.",
        "contact_first": "Before you send anything, contact us with your order number and "
                         "the item you want to return.",
        "to_merchant": "Please send returns only to this address, not to the sender address "
                       "on the parcel:",
        "to_supplier": "We will then tell you the return address. Please do not send anything "
                       "to the sender address on the parcel before we do.",
        "customer_pays": "You pay for return shipping, unless the item is faulty or not what "
                         "you ordered.",
        "free": "Return shipping is free for you; we tell you how to send the item.",
        "tracking": "Keep the tracking number of your return parcel until your refund "
                    "arrives.",
        "no_returns": "We cannot take back items you no longer want, because our products "
                      "are shipped to you directly by our suppliers. Damaged, faulty or wrong "
                      "items are covered below.",
        "h_claims": "Damaged, faulty or wrong items",
        "claim": "If your order arrives damaged or faulty, is not what you ordered or not as "
                 f"described, or has parts missing, contact us within {days(t.claim_days)} "
                 "of delivery with your order number and photos of the item and its "
                 "packaging.",
        "claim_remedy": "We then refund you in full or send a replacement, as you prefer. You "
                        "only need to send the item back if we ask you to; we then pay for "
                        "the return shipping.",
        "not_arrived": "If your order has not arrived by the latest delivery date we gave "
                       "you, contact us: we find it or refund you.",
        "h_refunds": "Refunds",
        "refund_when": "Refunds go back to your original payment method within "
                       f"{days(t.refund_days)} after we receive your return or accept your "
                       "claim.",
        "refund_when_claim": "Refunds go back to your original payment method within "
                             f"{days(t.refund_days)} after we accept your claim.",
        "partial": "If a returned item is used, damaged or incomplete, we may refund part of "
                   "its price.",
        "confirmation": "We confirm every refund by e-mail; your bank may take a few more days "
                        "to show it.",
        "statutory": "This policy does not affect your statutory rights.",
        "questions": "Questions? Write to {email}.",
        "updated": f"Last updated: {date}",
    })


def _de(t: PolicyTerms, date: str) -> list[Block]:
    def days(n: int) -> str:
        return "1 Tag" if n == 1 else f"{n} Tagen"

    return _compose(t, date, {
        "title": "Rückgabe- und Erstattungsrichtlinie",
        "intro_shop": "Danke für Ihren Einkauf bei {shop}. Hier erfahren Sie, wann Sie einen "
                      "Artikel zurückgeben können und wie Erstattungen ablaufen.",
        "intro": "Hier erfahren Sie, wann Sie einen Artikel zurückgeben können und wie "
                 "Erstattungen ablaufen.",
        "h_returns": "Rückgabe",
        "window": f"Sie können einen Artikel innerhalb von {days(t.return_days)} nach der "
                  "Zustellung zurückgeben.",
        "condition": "Der Artikel muss unbenutzt und originalverpackt sein. Bitte legen Sie "
                     "Ihre Bestellnummer bei.",
        "contact_first_email": "Bevor Sie etwas zurücksenden, schreiben Sie uns bitte an "
                               "{email} mit Ihrer Bestellnummer und dem Artikel, den Sie "
                               "zurückgeben möchten.",
        "contact_first": "Bevor Sie etwas zurücksenden, melden Sie sich bitte mit Ihrer "
                         "Bestellnummer und dem Artikel, den Sie zurückgeben möchten.",
        "to_merchant": "Bitte senden Sie Rücksendungen nur an diese Adresse, nicht an die "
                       "Absenderadresse auf dem Paket:",
        "to_supplier": "Wir nennen Ihnen dann die Rücksendeadresse. Bitte senden Sie vorher "
                       "nichts an die Absenderadresse auf dem Paket.",
        "customer_pays": "Die Kosten der Rücksendung tragen Sie, außer wenn der Artikel "
                         "fehlerhaft ist oder nicht dem Bestellten entspricht.",
        "free": "Die Rücksendung ist für Sie kostenlos; wir sagen Ihnen, wie Sie den Artikel "
                "schicken.",
        "tracking": "Bewahren Sie die Sendungsnummer Ihrer Rücksendung auf, bis Ihre "
                    "Erstattung eingegangen ist.",
        "no_returns": "Artikel, die Sie nicht mehr möchten, können wir leider nicht "
                      "zurücknehmen, da unsere Produkte direkt von unseren Lieferanten an Sie "
                      "versandt werden. Für beschädigte, fehlerhafte oder falsche Artikel gilt "
                      "der folgende Abschnitt.",
        "h_claims": "Beschädigte, fehlerhafte oder falsche Artikel",
        "claim": "Wenn Ihre Bestellung beschädigt oder fehlerhaft ankommt, nicht dem "
                 "Bestellten oder der Beschreibung entspricht oder Teile fehlen, schreiben "
                 f"Sie uns bitte innerhalb von {days(t.claim_days)} nach der Zustellung mit "
                 "Ihrer Bestellnummer und Fotos des Artikels und der Verpackung.",
        "claim_remedy": "Wir erstatten Ihnen dann den vollen Betrag oder senden Ihnen Ersatz, "
                        "wie Sie es möchten. Zurücksenden müssen Sie den Artikel nur, wenn wir "
                        "Sie darum bitten; die Kosten dafür tragen dann wir.",
        "not_arrived": "Ist Ihre Bestellung bis zum spätesten angegebenen Liefertermin nicht "
                       "angekommen, melden Sie sich bitte: Wir finden sie oder erstatten "
                       "Ihnen den Betrag.",
        "h_refunds": "Erstattungen",
        "refund_when": "Erstattungen erfolgen über Ihre ursprüngliche Zahlungsart innerhalb "
                       f"von {days(t.refund_days)}, nachdem Ihre Rücksendung bei uns "
                       "eingegangen ist oder wir Ihre Reklamation anerkannt haben.",
        "refund_when_claim": "Erstattungen erfolgen über Ihre ursprüngliche Zahlungsart "
                             f"innerhalb von {days(t.refund_days)}, nachdem wir Ihre "
                             "Reklamation anerkannt haben.",
        "partial": "Ist ein zurückgesandter Artikel benutzt, beschädigt oder unvollständig, "
                   "können wir einen Teil des Preises erstatten.",
        "confirmation": "Jede Erstattung bestätigen wir per E-Mail; bis Ihre Bank sie anzeigt, "
                        "kann es einige Tage dauern.",
        "statutory": "Ihre gesetzlichen Rechte bleiben von dieser Richtlinie unberührt.",
        "questions": "Fragen? Schreiben Sie uns an {email}.",
        "updated": f"Stand: {date}",
    })


_NB = "\u00a0"  # French puts a no-break space before : ; ? !


def _fr(t: PolicyTerms, date: str) -> list[Block]:
    def days(n: int) -> str:
        return "1 jour" if n == 1 else f"{n} jours"

    return _compose(t, date, {
        "title": "Politique de retour et de remboursement",
        "intro_shop": "Merci pour votre achat chez {shop}. Cette politique explique quand vous "
                      "pouvez retourner un article et comment se passent les remboursements.",
        "intro": "Cette politique explique quand vous pouvez retourner un article et comment "
                 "se passent les remboursements.",
        "h_returns": "Retours",
        "window": "Vous pouvez retourner un article dans un délai de "
                  f"{days(t.return_days)} après la livraison.",
        "condition": "L’article doit être inutilisé et dans son emballage d’origine. Merci "
                     "de joindre votre numéro de commande.",
        "contact_first_email": "Avant tout envoi, écrivez-nous à {email} en indiquant votre "
                               "numéro de commande et l’article à retourner.",
        "contact_first": "Avant tout envoi, contactez-nous en indiquant votre numéro de "
                         "commande et l’article à retourner.",
        "to_merchant": "Envoyez les retours uniquement à cette adresse, et non à l’adresse de "
                       f"l’expéditeur figurant sur le colis{_NB}:",
        "to_supplier": "Nous vous indiquerons alors l’adresse de retour. N’envoyez rien à "
                       "l’adresse de l’expéditeur figurant sur le colis avant notre réponse.",
        "customer_pays": "Les frais de retour sont à votre charge, sauf si l’article est "
                         "défectueux ou ne correspond pas à votre commande.",
        "free": f"Le retour est gratuit pour vous{_NB}; nous vous indiquons comment envoyer "
                "l’article.",
        "tracking": "Conservez le numéro de suivi de votre colis retour jusqu’à réception de "
                    "votre remboursement.",
        "no_returns": "Nous ne pouvons malheureusement pas reprendre les articles dont vous ne "
                      "voulez plus, car nos produits vous sont expédiés directement par nos "
                      "fournisseurs. Les articles endommagés, défectueux ou erronés sont "
                      "traités ci-dessous.",
        "h_claims": "Articles endommagés, défectueux ou erronés",
        "claim": "Si votre commande arrive endommagée ou défectueuse, ne correspond pas à ce "
                 "que vous avez commandé ou à sa description, ou s’il manque des pièces, "
                 f"écrivez-nous dans un délai de {days(t.claim_days)} après la livraison avec "
                 "votre numéro de commande et des photos de l’article et de l’emballage.",
        "claim_remedy": "Nous vous remboursons alors intégralement ou vous envoyons un article "
                        "de remplacement, selon votre choix. Vous ne renvoyez l’article que si "
                        f"nous vous le demandons{_NB}; les frais de retour sont alors à notre "
                        "charge.",
        "not_arrived": "Si votre commande n’est pas arrivée à la date de livraison la plus "
                       f"tardive que nous vous avons indiquée, contactez-nous{_NB}: nous la "
                       "retrouvons ou vous remboursons.",
        "h_refunds": "Remboursements",
        "refund_when": "Les remboursements sont faits sur votre moyen de paiement d’origine "
                       f"dans un délai de {days(t.refund_days)} après réception de votre "
                       "retour ou acceptation de votre réclamation.",
        "refund_when_claim": "Les remboursements sont faits sur votre moyen de paiement "
                             f"d’origine dans un délai de {days(t.refund_days)} après "
                             "acceptation de votre réclamation.",
        "partial": "Si un article retourné est utilisé, endommagé ou incomplet, nous pouvons "
                   "en rembourser une partie du prix.",
        "confirmation": f"Nous confirmons chaque remboursement par e-mail{_NB}; votre banque "
                        "peut mettre quelques jours à l’afficher.",
        "statutory": "Cette politique n’affecte pas vos droits légaux.",
        "questions": f"Des questions{_NB}? Écrivez-nous à " + "{email}.",
        "updated": f"Dernière mise à jour{_NB}: {date}",
    })


_TEXTS = {Lang.EN: _en, Lang.DE: _de, Lang.FR: _fr}


def _compose(t: PolicyTerms, date: str, w: Mapping[str, str]) -> list[Block]:
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


# --- the policy the merchant published ----------------------------------------------------

#: In the data directory: the last policy the merchant took (printed, saved or written), so
#: that a later change of a supplier's policy or of ``[returns]`` is noticed.
PUBLISHED_FILE = "published-policy.json"


def terms_fingerprint(terms: PolicyTerms) -> str:
    """What the policy's promises depend on (not the date, not the notes to the merchant)."""
    return hashlib.sha256(repr(replace(terms, warnings=())).encode()).hexdigest()[:20]


def record_published(data_dir: Path, doc: PolicyDocument, path: Path | None) -> bool:
    """Remember the policy the merchant just took, and where they saved it (None: printed).
    Best effort: the policy itself was delivered, so a data directory that cannot be written
    only means no later reminder (False)."""
    record = {"fingerprint": terms_fingerprint(doc.terms), "lang": doc.lang.value,
              "format": doc.format.value, "path": str(path.expanduser().resolve()) if path
              else None, "generated_at": doc.generated_at.isoformat(timespec="seconds"),
              "return_days": doc.terms.return_days}
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(data_dir / PUBLISHED_FILE, json.dumps(record, indent=1), mode=0o600)
    except (OSError, OrdertuiError):
        return False
    return True


def refresh_published(config: Config, *, today: datetime | None = None) -> str | None:
    """When what the shop may promise changed since the merchant last took their policy
    (a supplier's policy, a supplier added or removed, ``[returns]``), regenerate it: the
    file they saved it to is rewritten in the same language and format. Returns one line
    for the merchant (update the shop's page), or None when nothing changed."""
    record_path = config.data_dir / PUBLISHED_FILE
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        lang, fmt, old = str(record["lang"]), str(record["format"]), str(record["fingerprint"])
        old_days = int(record.get("return_days", -1))
        saved = record.get("path")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return f"cannot read {record_path}; run `ordertui policy` to take your policy again"
    try:
        doc = generate_policy(config, lang=lang, fmt=fmt, today=today)
    except OrdertuiError as exc:
        return f"your return policy cannot be checked: {exc}"
    if terms_fingerprint(doc.terms) == old:
        return None
    window = (f"returns within {doc.terms.return_days} days" if doc.terms.return_days
              else "no returns of unwanted items")
    if old_days >= 0 and old_days != doc.terms.return_days:
        window += f", was {old_days}"
    if not saved:
        return (f"your suppliers' policies or [returns] changed since you took your return "
                f"policy ({window} now): run `ordertui policy` (or press P in the app) and "
                "update your shop's policy page")
    target = Path(saved)
    try:
        atomic_write(target, doc.text, mode=0o644)
    except OrdertuiError as exc:
        return f"your suppliers' policies changed, but {exc}"
    record_published(config.data_dir, doc, target)
    return (f"your suppliers' policies or [returns] changed: your return policy in {target} "
            f"was regenerated ({window}); update your shop's policy page")
