"""The words of the shop's policy, one table per language; adding a language is adding a
table here (and its code to ``Lang``).

Every table has the same keys. ``one_day`` and ``days`` spell out a number of days (``{n}``
is the number); ``{return_days}``, ``{claim_days}`` and ``{refund_days}`` become such a
phrase and ``{date}`` the day the policy was made. ``{shop}`` and ``{email}`` are the
merchant's own words, put in last by the layout. French puts a no-break space (U+00A0)
before : ; ? and !.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "one_day": "1 day",
    "days": "{n} days",
    "title": "Refund and return policy",
    "intro_shop": "Thank you for shopping at {shop}. This policy explains when you can "
                  "return an item and how refunds work.",
    "intro": "This policy explains when you can return an item and how refunds work.",
    "h_returns": "Returns",
    "window": "You can return an item within {return_days} of delivery.",
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
             "described, or has parts missing, contact us within {claim_days} "
             "of delivery with your order number and photos of the item and its "
             "packaging.",
    "claim_remedy": "We then refund you in full or send a replacement, as you prefer. You "
                    "only need to send the item back if we ask you to; we then pay for "
                    "the return shipping.",
    "not_arrived": "If your order has not arrived by the latest delivery date we gave "
                   "you, contact us: we find it or refund you.",
    "h_refunds": "Refunds",
    "refund_when": "Refunds go back to your original payment method within "
                   "{refund_days} after we receive your return or accept your "
                   "claim.",
    "refund_when_claim": "Refunds go back to your original payment method within "
                         "{refund_days} after we accept your claim.",
    "partial": "If a returned item is used, damaged or incomplete, we may refund part of "
               "its price.",
    "confirmation": "We confirm every refund by e-mail; your bank may take a few more days "
                    "to show it.",
    "statutory": "This policy does not affect your statutory rights.",
    "questions": "Questions? Write to {email}.",
    "updated": "Last updated: {date}",
}

DE: dict[str, str] = {
    "one_day": "1 Tag",
    "days": "{n} Tagen",
    "title": "Rückgabe- und Erstattungsrichtlinie",
    "intro_shop": "Danke für Ihren Einkauf bei {shop}. Hier erfahren Sie, wann Sie einen "
                  "Artikel zurückgeben können und wie Erstattungen ablaufen.",
    "intro": "Hier erfahren Sie, wann Sie einen Artikel zurückgeben können und wie "
             "Erstattungen ablaufen.",
    "h_returns": "Rückgabe",
    "window": "Sie können einen Artikel innerhalb von {return_days} nach der "
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
             "Sie uns bitte innerhalb von {claim_days} nach der Zustellung mit "
             "Ihrer Bestellnummer und Fotos des Artikels und der Verpackung.",
    "claim_remedy": "Wir erstatten Ihnen dann den vollen Betrag oder senden Ihnen Ersatz, "
                    "wie Sie es möchten. Zurücksenden müssen Sie den Artikel nur, wenn wir "
                    "Sie darum bitten; die Kosten dafür tragen dann wir.",
    "not_arrived": "Ist Ihre Bestellung bis zum spätesten angegebenen Liefertermin nicht "
                   "angekommen, melden Sie sich bitte: Wir finden sie oder erstatten "
                   "Ihnen den Betrag.",
    "h_refunds": "Erstattungen",
    "refund_when": "Erstattungen erfolgen über Ihre ursprüngliche Zahlungsart innerhalb "
                   "von {refund_days}, nachdem Ihre Rücksendung bei uns "
                   "eingegangen ist oder wir Ihre Reklamation anerkannt haben.",
    "refund_when_claim": "Erstattungen erfolgen über Ihre ursprüngliche Zahlungsart "
                         "innerhalb von {refund_days}, nachdem wir Ihre "
                         "Reklamation anerkannt haben.",
    "partial": "Ist ein zurückgesandter Artikel benutzt, beschädigt oder unvollständig, "
               "können wir einen Teil des Preises erstatten.",
    "confirmation": "Jede Erstattung bestätigen wir per E-Mail; bis Ihre Bank sie anzeigt, "
                    "kann es einige Tage dauern.",
    "statutory": "Ihre gesetzlichen Rechte bleiben von dieser Richtlinie unberührt.",
    "questions": "Fragen? Schreiben Sie uns an {email}.",
    "updated": "Stand: {date}",
}

FR: dict[str, str] = {
    "one_day": "1 jour",
    "days": "{n} jours",
    "title": "Politique de retour et de remboursement",
    "intro_shop": "Merci pour votre achat chez {shop}. Cette politique explique quand vous "
                  "pouvez retourner un article et comment se passent les remboursements.",
    "intro": "Cette politique explique quand vous pouvez retourner un article et comment "
             "se passent les remboursements.",
    "h_returns": "Retours",
    "window": "Vous pouvez retourner un article dans un délai de "
              "{return_days} après la livraison.",
    "condition": "L’article doit être inutilisé et dans son emballage d’origine. Merci "
                 "de joindre votre numéro de commande.",
    "contact_first_email": "Avant tout envoi, écrivez-nous à {email} en indiquant votre "
                           "numéro de commande et l’article à retourner.",
    "contact_first": "Avant tout envoi, contactez-nous en indiquant votre numéro de "
                     "commande et l’article à retourner.",
    "to_merchant": "Envoyez les retours uniquement à cette adresse, et non à l’adresse de "
                   "l’expéditeur figurant sur le colis\u00a0:",
    "to_supplier": "Nous vous indiquerons alors l’adresse de retour. N’envoyez rien à "
                   "l’adresse de l’expéditeur figurant sur le colis avant notre réponse.",
    "customer_pays": "Les frais de retour sont à votre charge, sauf si l’article est "
                     "défectueux ou ne correspond pas à votre commande.",
    "free": "Le retour est gratuit pour vous\u00a0; nous vous indiquons comment envoyer "
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
             "écrivez-nous dans un délai de {claim_days} après la livraison avec "
             "votre numéro de commande et des photos de l’article et de l’emballage.",
    "claim_remedy": "Nous vous remboursons alors intégralement ou vous envoyons un article "
                    "de remplacement, selon votre choix. Vous ne renvoyez l’article que si "
                    "nous vous le demandons\u00a0; les frais de retour sont alors à notre "
                    "charge.",
    "not_arrived": "Si votre commande n’est pas arrivée à la date de livraison la plus "
                   "tardive que nous vous avons indiquée, contactez-nous\u00a0: nous la "
                   "retrouvons ou vous remboursons.",
    "h_refunds": "Remboursements",
    "refund_when": "Les remboursements sont faits sur votre moyen de paiement d’origine "
                   "dans un délai de {refund_days} après réception de votre "
                   "retour ou acceptation de votre réclamation.",
    "refund_when_claim": "Les remboursements sont faits sur votre moyen de paiement "
                         "d’origine dans un délai de {refund_days} après "
                         "acceptation de votre réclamation.",
    "partial": "Si un article retourné est utilisé, endommagé ou incomplet, nous pouvons "
               "en rembourser une partie du prix.",
    "confirmation": "Nous confirmons chaque remboursement par e-mail\u00a0; votre banque "
                    "peut mettre quelques jours à l’afficher.",
    "statutory": "Cette politique n’affecte pas vos droits légaux.",
    "questions": "Des questions\u00a0? Écrivez-nous à {email}.",
    "updated": "Dernière mise à jour\u00a0: {date}",
}
