"""The shop's refund and return policy as text: the same blocks in every language, laid out
as markdown or plain text, with the merchant's own words escaped so that nothing typed into
the config turns into markup or a template field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ordertui.config import Config
from ordertui.domain.errors import ValidationError
from ordertui.domain.policy import ShippingPayer
from ordertui.services.policy.settings import MerchantReturns
from ordertui.services.policy.terms import PolicyTerms, policy_terms


class Lang(StrEnum):
    EN = "en"
    DE = "de"
    FR = "fr"


class Format(StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    lang: Lang
    format: Format
    text: str
    terms: PolicyTerms
    generated_at: datetime = field(compare=False, default_factory=datetime.now)


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
