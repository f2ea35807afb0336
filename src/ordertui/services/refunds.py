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
from ordertui.domain.roles import Permission
from ordertui.domain.rules import check_text
from ordertui.i18n import _
from ordertui.services import kept as k
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
            raise ValidationError("amount", _("the amount must be in {currency}").format(
                currency=currency))
        return amount

    def record_refund(self, order_id: int, amount: str | Money, reason: str, *,
                      item_returned: bool = False, return_id: int | None = None) -> Refund:
        """Record money given back to the customer; ``amount`` "full" means all that is left.

        Never more than the customer paid, summed over every refund of the order; for an
        order linked to its shop order, never more than the shop can still refund either,
        and the refund goes to the shop through the outbox (the customer gets the money back
        there). Raises ``ValidationError`` (fields amount, reason, return).
        """
        self.services.require(Permission.REFUND)
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
                raise ValidationError("amount", _(
                    "{order} is already refunded in full ({refunded})").format(
                        order=order.display_name, refunded=so_far.display()))
            if money.amount <= 0:
                raise ValidationError("amount", _("the refund must be more than 0"))
            if money > left:
                shop_limits = shop_left is not None and shop_left < m.refundable
                if so_far.amount:
                    message = (_("at most {left} can still be refunded: the customer paid "
                                 "{paid} and {refunded} is refunded already; the shop can "
                                 "refund no more") if shop_limits else
                               _("at most {left} can still be refunded: the customer paid "
                                 "{paid} and {refunded} is refunded already"))
                else:
                    message = (_("at most {left} can still be refunded: the customer paid "
                                 "{paid}; the shop can refund no more") if shop_limits else
                               _("at most {left} can still be refunded: the customer paid "
                                 "{paid}"))
                raise ValidationError("amount", message.format(
                    left=left.display(), paid=paid.display(), refunded=so_far.display()))
            if return_id is not None and self.db.get_return(return_id).order_id != order_id:
                raise ValidationError("return", _("return {number} is not of {order}").format(
                    number=return_id, order=order.display_name))
            refund = Refund(order_id=order_id, amount=money.quantized(), reason=reason,
                            item_returned=item_returned, at=now, return_id=return_id)
            refund.id = self.db.insert_refund(refund)
            if money == left and not so_far.amount:
                said = k.FULL_REFUND_RETURNED if item_returned else k.FULL_REFUND_KEPT
            else:
                said = k.PARTIAL_REFUND_RETURNED if item_returned else k.PARTIAL_REFUND_KEPT
            self.store.audit(order_id, "merchant", k.kept(k.REFUND),
                             k.kept(said, amount=money, reason=reason), at=ts)
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
        self.services.require(Permission.REFUND)
        note = check_text("note", note, required=False)
        now = self.services.clock()
        ts = int(now.timestamp())
        with self.store.write():
            order = self.store.get_order(order_id)
            m = self._order_money(order)
            if m.cancelled:
                raise ValidationError("amount", _(
                    "{order} is cancelled: what {supplier} charged came back with the "
                    "cancellation and counts for nothing already").format(
                        order=order.display_name, supplier=order.supplier))
            cost, so_far, left = m.cost, m.recovered, m.recoverable
            money = self._amount(amount, cost.currency, left)
            if money.amount <= 0:
                raise ValidationError("amount", _("the amount must be more than 0"))
            if money > left:
                message = (_("at most {left} more can have come back: you paid the supplier "
                             "{cost} and {recovered} came back already") if so_far.amount else
                           _("at most {left} more can have come back: you paid the supplier "
                             "{cost}"))
                raise ValidationError("amount", message.format(
                    left=max(left, Money.zero(cost.currency)).display(), cost=cost.display(),
                    recovered=so_far.display()))
            rec = Recovery(order_id=order_id, amount=money.quantized(),
                           source=RecoverySource.MANUAL, at=now, note=note)
            rec.id = self.db.insert_recovery(rec)
            self.store.audit(order_id, "merchant", k.kept(k.RECOVERED),
                             k.kept(k.RECOVERED_BY_HAND_NOTE if note else k.RECOVERED_BY_HAND,
                                    amount=money, supplier=order.supplier, note=note),
                             at=ts)
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
