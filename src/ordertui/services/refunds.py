"""Refunds to the customer, money recovered from the supplier and the order's money: the
part of ``ReturnsService`` behind ``f`` (refund), ``ordertui refund``, ``ordertui
recovered`` and the net an order shows (sale − cost − refunds + recovered).

Each write checks its bounds (never more refunded than the customer paid, never more
recovered than the supplier was paid) and writes its effect and audit entry in one
``BEGIN IMMEDIATE`` transaction. Composed into ``ordertui.services.returns.ReturnsService``;
call it as ``services.returns.record_refund(...)`` and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ordertui.domain.errors import ValidationError
from ordertui.domain.models import Order, money_sum
from ordertui.domain.money import Money
from ordertui.domain.returns import OrderMoney, Recovery, RecoverySource, Refund
from ordertui.domain.rules import check_text
from ordertui.store import Store
from ordertui.store.returns import ReturnsStore

if TYPE_CHECKING:
    from ordertui.services.core import Services

FULL_WORDS = frozenset({"full", "all", "rest"})


class RefundsMixin:
    """Refunds, recoveries and the order's money; ``ReturnsService`` sets the attributes
    below."""

    services: Services
    store: Store
    db: ReturnsStore

    def _amount(self, text: str | Money, currency: str, remaining: Money) -> Money:
        if isinstance(text, Money):
            amount = text
        elif text.strip().lower() in FULL_WORDS:
            amount = remaining
        else:
            amount = Money.parse(text, currency, field="amount")
        if amount.currency != currency:
            raise ValidationError("amount", f"the amount must be in {currency}")
        return amount

    def record_refund(self, order_id: int, amount: str | Money, reason: str, *,
                      item_returned: bool = False, return_id: int | None = None) -> Refund:
        """Record money given back to the customer; ``amount`` "full" means all that is left.

        Never more than the customer paid, summed over every refund of the order; for an
        order linked to its shop order, never more than the shop can still refund either,
        and the refund goes to the shop through the outbox (the customer gets the money back
        there). Raises ``ValidationError`` (fields amount, reason, return).
        """
        reason = check_text("reason", reason)
        now = self.services.clock()
        ts = int(now.timestamp())
        with self.store.write() as con:
            order = self.store.get_order(order_id)
            m = self._order_money(order)
            paid, so_far, left = m.paid, m.refunded, m.refundable
            shop_left = self.services.shops.refundable(order_id)
            if shop_left is not None and shop_left < left:
                left = max(shop_left, Money.zero(paid.currency))
            money = self._amount(amount, paid.currency, left)
            if left.amount <= 0:
                raise ValidationError("amount", f"{order.display_name} is already refunded in "
                                      f"full ({so_far.display()})")
            if money.amount <= 0:
                raise ValidationError("amount", "the refund must be more than 0")
            if money > left:
                raise ValidationError(
                    "amount", f"at most {left.display()} can still be refunded: the customer "
                    f"paid {paid.display()}" + (f" and {so_far.display()} is refunded already"
                                                if so_far.amount else "")
                    + ("; the shop can refund no more" if shop_left is not None
                       and shop_left < m.refundable else ""))
            if return_id is not None and self.db.get_return(return_id).order_id != order_id:
                raise ValidationError("return", f"return {return_id} is not of "
                                      f"{order.display_name}")
            refund = Refund(order_id=order_id, amount=money.quantized(), reason=reason,
                            item_returned=item_returned, at=now, return_id=return_id)
            refund.id = self.db.insert_refund(refund)
            kind = "full" if money == left and not so_far.amount else "partial"
            self.store.audit(order_id, "merchant", "refund",
                             f"{kind} refund of {money.display()} to the customer ("
                             + ("item comes back" if item_returned else "customer keeps it")
                             + f"): {reason}", at=ts)
            queued = self.services.shops.push.queue_refund(con, order_id, refund.id,
                                                           refund.amount, reason, ts)
        if queued:
            self.services.wake_outbox()
        return refund

    def refunds(self, order_id: int) -> list[Refund]:
        return self.db.refunds_for(order_id)

    # --- money back from the supplier ----------------------------------------------------
    def record_recovery(self, order_id: int, amount: str | Money, note: str = "") -> Recovery:
        """Record by hand money the supplier gave back (outside a dispute ordertui follows).

        Never more than the supplier was paid, counting refunds from resolved disputes.
        Raises ``ValidationError`` (fields amount, note).
        """
        note = check_text("note", note, required=False)
        now = self.services.clock()
        ts = int(now.timestamp())
        with self.store.write():
            order = self.store.get_order(order_id)
            m = self._order_money(order)
            if m.cancelled:
                raise ValidationError(
                    "amount", f"{order.display_name} is cancelled: what {order.supplier} "
                    "charged came back with the cancellation and counts for nothing already")
            cost, so_far, left = m.cost, m.recovered, m.recoverable
            money = self._amount(amount, cost.currency, left)
            if money.amount <= 0:
                raise ValidationError("amount", "the amount must be more than 0")
            if money > left:
                raise ValidationError(
                    "amount", f"at most {max(left, Money.zero(cost.currency)).display()} more "
                    f"can have come back: you paid the supplier {cost.display()}"
                    + (f" and {so_far.display()} came back already" if so_far.amount else ""))
            rec = Recovery(order_id=order_id, amount=money.quantized(),
                           source=RecoverySource.MANUAL, at=now, note=note)
            rec.id = self.db.insert_recovery(rec)
            self.store.audit(order_id, "merchant", "recovered",
                             f"{money.display()} back from {order.supplier} (recorded by hand)"
                             + (f": {note}" if note else ""), at=ts)
        return rec

    def recoveries(self, order_id: int) -> list[Recovery]:
        return self.db.recoveries_for(order_id)

    def money(self, order_id: int) -> OrderMoney:
        """Sale price − supplier cost − refunds + recovered."""
        with self.store.read():
            return self._order_money(self.store.get_order(order_id))

    def _order_money(self, order: Order) -> OrderMoney:
        assert order.id is not None
        return self._money(order, self.db.refunds_for(order.id), self.db.recoveries_for(order.id))

    @staticmethod
    def _money(order: Order, refunds: Sequence[Refund], recoveries: Sequence[Recovery]
               ) -> OrderMoney:
        # refunds are in the sale's currency (the shop's, for a linked order), recoveries
        # in the supplier's
        return OrderMoney.of(order, money_sum([r.amount for r in refunds], order.sold.currency),
                             money_sum([r.amount for r in recoveries],
                                       order.total_cost.currency))
