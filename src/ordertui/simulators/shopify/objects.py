"""The demo shop's orders as Shopify's GraphQL objects: plain dicts that graphql-core's
default resolution reads field by field, with a function where a field takes arguments (a
connection, a list with ``first``) and ``__typename`` where an interface (``Node``) needs
it. Objects refer to their order (``order``) and to each other as Shopify's do.

As Shopify writes them: ids are ``gid://shopify/<Type>/<number>`` (``legacyResourceId`` is
the number, as a string), times are UTC ``2026-12-01T10:00:00Z``, amounts are decimal
strings without trailing zeros (``"39.9"``, ``"5.0"``) in a ``MoneyBag`` of shop and
presentment money (both USD here). Fields this module does not fill are null, and a
non-null one among them is an error at its path.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordertui.simulators.demo.shop_orders import (
    LOCATION,
    ShopFulfillmentRecord,
    ShopLineRecord,
    ShopOrderRecord,
    ShopRefundRecord,
    ShopTransaction,
)
from ordertui.simulators.shopify.paging import connection_field, list_field

Obj = dict[str, Any]

COUNTRIES = {"US": "United States", "DE": "Germany", "GB": "United Kingdom", "FR": "France",
             "CA": "Canada", "AU": "Australia", "NL": "Netherlands", "AT": "Austria",
             "CH": "Switzerland", "ES": "Spain", "IT": "Italy", "SE": "Sweden",
             "PL": "Poland", "JP": "Japan", "TW": "Taiwan", "SG": "Singapore"}


def amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


amount_text = amount  # for methods with an argument called ``amount``


def money_v2(value: Decimal, currency: str = "USD") -> Obj:
    return {"amount": amount(value), "currencyCode": currency}


def money(value: Decimal, currency: str = "USD") -> Obj:
    return {"shopMoney": money_v2(value, currency), "presentmentMoney": money_v2(value, currency)}


def when(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt is not None else None


def legacy(gid: str) -> str:
    return gid.rpartition("/")[2]


def _node(typename: str, gid: str, **fields: Any) -> Obj:
    return {"__typename": typename, "id": gid, "legacyResourceId": legacy(gid), **fields}


class OrderObjects:
    """Every object of one shop order, built together so that they point at each other."""

    def __init__(self, r: ShopOrderRecord, store: str) -> None:
        self.r, self.store = r, store
        cur = r.currency
        self.lines = [self._line(x) for x in r.lines]
        self.fo = self._fulfillment_order()
        self.transactions = {t.transaction_id: self._transaction(t) for t in r.transactions}
        for t in r.transactions:
            self.transactions[t.transaction_id]["parentTransaction"] = (
                self.transactions.get(t.parent_id) if t.parent_id else None)
        self.fulfillments = [self._fulfillment(f, k) for k, f in enumerate(r.fulfillments, 1)]
        self.fo["fulfillments"] = connection_field(self.fulfillments)
        self.refunds = [self._refund(x) for x in r.refunds]
        self.order = self._order(cur)
        for obj in (*self.lines, self.fo, *self.transactions.values(), *self.fulfillments,
                    *self.refunds):
            obj["order"] = self.order

    def find(self, gid: str) -> Obj | None:
        """The object of this order with id ``gid``."""
        everything: list[Obj] = [self.order, self.fo, self.order["customer"], *self.lines,
                                 *self.fo_lines, *self.fulfillments, *self.refunds,
                                 *self.transactions.values()]
        return next((o for o in everything if o["id"] == gid), None)

    # --- the parts ------------------------------------------------------------------------
    def _address(self) -> Obj:
        c = self.r.customer
        a = c.address
        first, _, last = c.name.partition(" ") if " " in c.name else ("", "", c.name)

        def formatted(info: Any, withName: bool = False, withCompany: bool = True
                      ) -> list[str]:  # Shopify's argument names
            return ([c.name] if withName else []) + a.lines()
        return {"__typename": "MailingAddress",
                "id": f"gid://shopify/MailingAddress/{self.r.number}?model_name=Address",
                "name": c.name, "firstName": first, "lastName": last, "company": None,
                "address1": a.line1, "address2": a.line2 or None, "city": a.city,
                "province": a.province or None, "provinceCode": a.province or None,
                "zip": a.zip, "country": COUNTRIES.get(a.country, a.country),
                "countryCodeV2": a.country, "phone": c.phone, "formatted": formatted,
                "formattedArea": ", ".join(p for p in (a.city, a.province,
                                                       COUNTRIES.get(a.country)) if p),
                "coordinatesValidated": False, "latitude": None, "longitude": None}

    def _customer(self, address: Obj) -> Obj:
        r, c = self.r, self.r.customer
        return _node("Customer", r.customer_id, displayName=c.name,
                     firstName=address["firstName"], lastName=address["lastName"],
                     email=c.email, phone=c.phone, defaultAddress=address,
                     defaultEmailAddress={"emailAddress": c.email},
                     defaultPhoneNumber={"phoneNumber": c.phone}, createdAt=when(r.created_at),
                     updatedAt=when(r.created_at), numberOfOrders="1",
                     amountSpent=money_v2(r.received), note=None, tags=[], taxExempt=False,
                     verifiedEmail=True, state="DISABLED", locale="en")

    def _line(self, x: ShopLineRecord) -> Obj:
        r = self.r
        product = f"gid://shopify/Product/{8_200_000_000_000 + zlib.crc32(x.product_id.encode())}"
        variant = f"gid://shopify/ProductVariant/{44_000_000_000_000 + zlib.crc32(x.sku.encode())}"
        unsent = r.remaining(x.n)
        tax_lines = [self._tax_line(x.tax)] if r.tax_rate else []
        return _node(
            "LineItem", x.line_id, title=x.title, name=f"{x.title} - {x.variant}",
            variantTitle=x.variant or None, sku=x.sku, vendor="Demo supplier",
            quantity=x.quantity, currentQuantity=x.current_quantity,
            unfulfilledQuantity=unsent, refundableQuantity=x.current_quantity,
            nonFulfillableQuantity=x.refunded_quantity, requiresShipping=True, taxable=True,
            isGiftCard=False, merchantEditable=False, restockable=True,
            originalUnitPriceSet=money(x.price), discountedUnitPriceSet=money(x.discounted),
            discountedUnitPriceAfterAllDiscountsSet=money(x.discounted),
            originalTotalSet=money(x.price * x.quantity), discountedTotalSet=money(x.total),
            totalDiscountSet=money((x.price - x.discounted) * x.quantity),
            unfulfilledDiscountedTotalSet=money(x.discounted * unsent),
            unfulfilledOriginalTotalSet=money(x.price * unsent),
            taxLines=list_field(tax_lines), customAttributes=[], discountAllocations=[],
            duties=[], product={"__typename": "Product", "id": product,
                                "legacyResourceId": legacy(product), "title": x.title},
            variant={"__typename": "ProductVariant", "id": variant,
                     "legacyResourceId": legacy(variant), "title": x.variant, "sku": x.sku,
                     "displayName": f"{x.title} - {x.variant}", "price": amount(x.price)})

    def _tax_line(self, value: Decimal) -> Obj:
        rate = self.r.tax_rate
        return {"title": self.r.tax_title, "rate": float(rate / 100),
                "ratePercentage": float(rate), "priceSet": money(value), "source": "Shopify",
                "channelLiable": False}

    def _fulfillment_order(self) -> Obj:
        r = self.r
        status = r.fulfillment_order_status
        a = r.customer.address
        lines: list[Obj] = [
            {"__typename": "FulfillmentOrderLineItem", "id": x.fo_line_id,
             "totalQuantity": x.current_quantity, "remainingQuantity": r.remaining(x.n),
             "sku": x.sku, "productTitle": x.title, "variantTitle": x.variant or None,
             "vendor": "Demo supplier", "lineItem": line, "requiresShipping": True,
             "warnings": [], "financialSummaries": [], "inventoryItemId": None}
            for x, line in zip(r.lines, self.lines, strict=True)]
        self.fo_lines = lines
        return {"__typename": "FulfillmentOrder", "id": r.fulfillment_order_id,
                "orderId": r.order_id, "orderName": r.name,
                "orderProcessedAt": when(r.created_at), "status": status,
                "requestStatus": "UNSUBMITTED", "createdAt": when(r.created_at),
                "updatedAt": when(r.updated_at), "fulfillAt": when(r.created_at),
                "fulfillBy": None, "fulfillmentHolds": [],
                "supportedActions": ([{"action": "CREATE_FULFILLMENT", "externalUrl": None}]
                                     if status in ("OPEN", "IN_PROGRESS") else []),
                "assignedLocation": {"name": LOCATION, "address1": "1 Warehouse Road",
                                     "city": "Dover", "province": "DE", "zip": "19901",
                                     "countryCode": "US", "phone": None, "location": None},
                "destination": {"id": f"gid://shopify/FulfillmentOrderDestination/{r.number}",
                                "address1": a.line1, "address2": a.line2 or None,
                                "city": a.city, "province": a.province or None, "zip": a.zip,
                                "countryCode": a.country, "email": r.customer.email,
                                "phone": r.customer.phone, "company": None,
                                "firstName": None, "lastName": r.customer.name},
                "lineItems": connection_field(lines)}

    def _transaction(self, t: ShopTransaction) -> Obj:
        r = self.r
        # what can still go back through this payment: Shopify's answer to "how much may I
        # refund", beside the order's suggestedRefund
        refundable = (r.refundable if t.kind in ("SALE", "CAPTURE") and t.status == "SUCCESS"
                      else None)
        return _node("OrderTransaction", t.transaction_id, kind=t.kind, status=t.status,
                     maximumRefundableV2=(money_v2(refundable, r.currency)
                                          if refundable is not None else None),
                     totalUnsettledSet=money(Decimal(0), r.currency),
                     gateway=t.gateway, formattedGateway=t.gateway.replace("_", " ").title(),
                     amountSet=money(t.amount), createdAt=when(t.created_at),
                     processedAt=when(t.created_at), test=False,
                     manualPaymentGateway=t.gateway == "Bank Deposit", errorCode=None,
                     fees=[], multiCapturable=False, manuallyCapturable=False,
                     paymentId=f"{self.r.name[1:]}.{legacy(t.transaction_id)[-4:]}",
                     receiptJson="{}")

    def _fulfillment(self, f: ShopFulfillmentRecord, k: int) -> Obj:
        number = int(legacy(f.fulfillment_id))
        items = [{"__typename": "FulfillmentLineItem",
                  "id": f"gid://shopify/FulfillmentLineItem/{number * 10 + n}",
                  "quantity": q, "lineItem": self.lines[n],
                  "originalTotalSet": money(self.r.lines[n].price * q),
                  "discountedTotalSet": money(self.r.lines[n].discounted * q)}
                 for n, q in f.lines]
        tracking = [{"company": f.company or None, "number": f.number or None,
                     "url": f.url or None}] if (f.company or f.number) else []
        return _node("Fulfillment", f.fulfillment_id, name=f"{self.r.name}-F{k}",
                     status=f.status, displayStatus="FULFILLED" if f.status == "SUCCESS"
                     else "CANCELED", createdAt=when(f.created_at),
                     updatedAt=when(f.updated_at), inTransitAt=None, deliveredAt=None,
                     estimatedDeliveryAt=None, trackingInfo=list_field(tracking),
                     fulfillmentLineItems=connection_field(items),
                     fulfillmentOrders=connection_field([self.fo]),
                     totalQuantity=sum(q for _, q in f.lines), requiresShipping=True,
                     location=None, originAddress=None, service=None)

    def _refund(self, x: ShopRefundRecord) -> Obj:
        r = self.r
        lines = [{"id": None, "lineItem": self.lines[n], "quantity": q, "restockType": restock,
                  "restocked": restock in ("CANCEL", "RETURN"), "location": None,
                  "priceSet": money(r.lines[n].discounted),
                  "subtotalSet": money(r.lines[n].discounted * q),
                  "totalTaxSet": money((r.lines[n].tax * q / r.lines[n].quantity)
                                       .quantize(Decimal("0.01")))}
                 for n, q, restock in x.lines]
        shipping = [{"id": f"gid://shopify/RefundShippingLine/{legacy(x.refund_id)}",
                     "shippingLine": self._shipping_line(),
                     "subtotalAmountSet": money(x.shipping), "taxAmountSet": money(Decimal(0))}
                    ] if x.shipping else []
        txs = [self.transactions[x.transaction.transaction_id]] if x.transaction else []
        return _node("Refund", x.refund_id, createdAt=when(x.created_at),
                     updatedAt=when(x.created_at), processedAt=when(x.created_at),
                     note=x.note or None, totalRefundedSet=money(x.amount), duties=[],
                     transactions=connection_field(txs), refundLineItems=connection_field(lines),
                     refundShippingLines=connection_field(shipping),
                     orderAdjustments=connection_field([]), staffMember=None)

    def _shipping_line(self) -> Obj:
        r = self.r
        return {"id": f"gid://shopify/ShippingLine/{4_500_000_000_000 + r.index}",
                "title": r.shipping_title, "code": r.shipping_title, "source": "shopify",
                "carrierIdentifier": None, "custom": False, "isRemoved": False,
                "deliveryCategory": "shipping", "phone": None, "shippingRateHandle": None,
                "originalPriceSet": money(r.shipping), "discountedPriceSet": money(r.shipping),
                "currentDiscountedPriceSet": money(r.shipping),
                "taxLines": [self._tax_line(r.shipping_tax)] if r.shipping_tax else [],
                "discountAllocations": []}

    def _order(self, cur: str) -> Obj:
        r = self.r
        address = self._address()
        m: Callable[[Decimal], Obj] = lambda v: money(v, cur)  # noqa: E731
        shipping = self._shipping_line()
        status_url = f"https://{self.store}.myshopify.com/orders/{r.number:x}/authenticate"
        fulfillment_status = r.fulfillment_status.value.upper()
        return _node(
            "Order", r.order_id, name=r.name, number=int(r.name.lstrip("#")),
            createdAt=when(r.created_at), updatedAt=when(r.updated_at),
            processedAt=when(r.created_at), cancelledAt=when(r.cancelled_at),
            cancelReason="CUSTOMER" if r.cancelled_at else None, closed=r.closed,
            closedAt=when(r.closed_at), confirmed=True, test=False,
            displayFinancialStatus=r.financial_status.value.upper(),
            displayFulfillmentStatus=fulfillment_status, currencyCode=cur,
            presentmentCurrencyCode=cur, email=r.customer.email, phone=r.customer.phone,
            customer=self._customer(address), shippingAddress=address, billingAddress=address,
            displayAddress=address, billingAddressMatchesShippingAddress=True,
            subtotalPriceSet=m(r.subtotal), currentSubtotalPriceSet=m(r.subtotal),
            totalShippingPriceSet=m(r.shipping), currentShippingPriceSet=m(r.shipping),
            totalTaxSet=m(r.tax), currentTotalTaxSet=m(r.tax),
            totalDiscountsSet=m(r.discounts), currentTotalDiscountsSet=m(r.discounts),
            totalPriceSet=m(r.total), currentTotalPriceSet=m(r.total),
            originalTotalPriceSet=m(r.total), totalRefundedSet=m(r.refunded),
            totalRefundedShippingSet=m(r.refunded_shipping), totalReceivedSet=m(r.received),
            netPaymentSet=m(r.received - r.refunded),
            totalOutstandingSet=m(max(r.total - r.received, Decimal(0))),
            totalCapturableSet=m(Decimal(0)), totalTipReceivedSet=m(Decimal(0)),
            taxesIncluded=r.taxes_included, taxExempt=False,
            taxLines=[self._tax_line(r.tax)] if r.tax_rate else [],
            currentTaxLines=[self._tax_line(r.tax)] if r.tax_rate else [],
            discountCode=r.discount_code or None,
            discountCodes=[r.discount_code] if r.discount_code else [],
            fullyPaid=r.received >= r.total, unpaid=r.received <= 0,
            refundable=r.refundable > 0, fulfillable=r.fulfillment_order_status != "CLOSED",
            requiresShipping=True, restockable=True, capturable=False, edited=False,
            paymentGatewayNames=[r.gateway], sourceName="web", tags=[], note=None,
            statusPageUrl=status_url, customAttributes=[],
            subtotalLineItemsQuantity=sum(x.quantity for x in r.lines),
            currentSubtotalLineItemsQuantity=sum(x.current_quantity for x in r.lines),
            lineItems=connection_field(self.lines),
            shippingLines=connection_field([shipping]), shippingLine=shipping,
            fulfillmentOrders=connection_field([self.fo]),
            fulfillments=list_field(self.fulfillments), refunds=list_field(self.refunds),
            transactions=list_field(list(self.transactions.values())),
            suggestedRefund=self._suggested_refund,
            fulfillmentsCount={"count": len(self.fulfillments), "precision": "EXACT"},
            transactionsCount={"count": len(self.transactions), "precision": "EXACT"})

    def _suggested_refund(self, info: Any, suggestFullRefund: bool = False,
                          refundLineItems: list[dict[str, Any]] | None = None,
                          refundShipping: bool = False,
                          shippingAmount: Any = None, **_: Any) -> Obj:
        """``suggestedRefund``: what a refund of these lines (and shipping) would return,
        capped at what can still be refunded, and the transaction to send it through."""
        r = self.r
        cur = r.currency
        refundable = r.refundable
        shipping_left = r.shipping - r.refunded_shipping
        if suggestFullRefund:
            goods, tax, shipping = refundable, Decimal(0), shipping_left
            amount = refundable
        else:
            by_id = {x.line_id: x for x in r.lines}
            goods = tax = Decimal(0)
            for item in refundLineItems or ():
                line = by_id.get(str(item.get("lineItemId")))
                if line is None:
                    continue
                q = min(int(item.get("quantity") or 0), line.current_quantity)
                goods += line.discounted * q
                tax += (line.tax * q / line.quantity).quantize(Decimal("0.01"))
            shipping = (shipping_left if refundShipping else
                        min(Decimal(str(shippingAmount)), shipping_left) if shippingAmount
                        else Decimal(0))
            amount = min(goods + shipping + (Decimal(0) if r.taxes_included else tax),
                         refundable)
        sale = self.transactions.get(r.sale.transaction_id) if r.sale else None
        suggested = [{"kind": "SUGGESTED_REFUND", "gateway": sale["gateway"],
                      "formattedGateway": sale["formattedGateway"],
                      "amount": amount_text(amount), "amountSet": money(amount, cur),
                      "maximumRefundable": amount_text(refundable),
                      "maximumRefundableSet": money(refundable, cur),
                      "parentTransaction": sale, "accountNumber": None,
                      "paymentDetails": None}] if sale is not None and amount > 0 else []
        zero = money(Decimal(0), cur)
        return {"amount": amount_text(amount), "amountSet": money(amount, cur),
                "maximumRefundable": amount_text(refundable),
                "maximumRefundableSet": money(refundable, cur),
                "subtotal": amount_text(goods), "subtotalSet": money(goods, cur),
                "discountedSubtotalSet": money(goods, cur),
                "totalTaxes": amount_text(tax), "totalTaxSet": money(tax, cur),
                "totalDutiesSet": zero, "totalCartDiscountAmountSet": zero,
                "shipping": {"amount": amount_text(shipping), "amountSet": money(shipping, cur),
                             "maximumRefundable": amount_text(shipping_left),
                             "maximumRefundableSet": money(shipping_left, cur),
                             "tax": "0.0", "taxSet": zero},
                "refundLineItems": [], "refundDuties": [], "suggestedRefundMethods": [],
                "suggestedTransactions": suggested}
