"""Recording by hand what the merchant did on a supplier's own page, where the supplier has
no API for it, so that the order's history stays complete. What is recorded is marked as
such wherever it is shown; the steps the supplier took unseen are filled in along the
state machine's table."""

from __future__ import annotations

from ordertui.domain import rules
from ordertui.domain.errors import InvalidTransition, ValidationError
from ordertui.domain.models import CancellationRequest, Dispute, DisputeMessage, Order, StateChange
from ordertui.domain.money import Money
from ordertui.domain.roles import Permission
from ordertui.domain.states import (
    CANCELLABLE,
    CANCELLATION_TRANSITIONS,
    DISPUTABLE,
    DISPUTE_TRANSITIONS,
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
    path_to,
)
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.services.base import ServicesBase


class Recording(ServicesBase):
    def record_cancellation(self, order_id: int, state: str, note: str = "") -> Order:
        """The merchant did it on the supplier's page; keep the order's history complete."""
        self.require(Permission.CANCEL)
        try:
            target = CancellationState(state)
        except ValueError:
            raise ValidationError("cancellation", _("the state must be one of: {choices}").format(
                choices=", ".join(s.value for s in CancellationState))) from None
        note = rules.check_text("note", note, required=False)
        order = self.store.get_order(order_id)
        now, ts = self._stamp()
        current = order.cancellation if order.cancellation and order.cancellation.state.active \
            else None
        route = path_to(CANCELLATION_TRANSITIONS, current.state if current else None, target)
        if not route:
            raise InvalidTransition("cancellation", current.state if current else None, target)
        with self.store.write():
            req = current
            for step in route:
                if req is None:
                    req = CancellationRequest(
                        state=step, reason=note or k.kept(k.RECORDED_BY_HAND), requested_at=now,
                        updated_at=now, source=Source.MANUAL,
                        history=[StateChange(now, step.value, note, Source.MANUAL)])
                    req.id = self.store.add_cancellation(order_id, req)
                    continue
                req.state, req.updated_at, req.source = step, now, Source.MANUAL
                if step is not CancellationState.REQUESTED and note:
                    req.supplier_message = note
                req.history.append(StateChange(now, step.value, note, Source.MANUAL))
                self.store.update_cancellation(req, order_id)
            if target is CancellationState.APPROVED and order.status in CANCELLABLE:
                self.store.set_order_status(order_id, OrderStatus.CANCELLED, now=ts)
            self.store.audit(order_id, "merchant", k.kept(k.RECORD_CANCELLATION),
                             k.kept(k.RECORDED_NOTE if note else k.RECORDED, state=target.value,
                                    note=note), at=ts)
        return self.store.get_order(order_id)

    def record_dispute(self, order_id: int, state: str, *, amount: str = "", note: str = "",
                       reason: str = "other") -> Order:
        self.require(Permission.DISPUTE)
        try:
            target = DisputeState(state)
        except ValueError:
            raise ValidationError("dispute", _("the state must be one of: {choices}").format(
                choices=", ".join(s.value for s in DisputeState))) from None
        note = rules.check_text("note", note, required=False)
        order = self.store.get_order(order_id)
        money = Money.parse(amount, order.total_cost.currency) if amount.strip() else None
        if money is not None:
            rules.check_dispute_amount(order, money)
        now, ts = self._stamp()
        current = order.dispute if order.dispute and not order.dispute.state.terminal else None
        route = path_to(DISPUTE_TRANSITIONS, current.state if current else None, target)
        if not route:
            raise InvalidTransition("dispute", current.state if current else None, target)
        with self.store.write():
            d = current
            for step in route:
                if d is None:
                    if order.status not in DISPUTABLE:
                        rules.check_can_open_dispute(order)
                    d = Dispute(state=step, reason=DisputeReason(reason),
                                amount=money or order.total_cost, description=note,
                                opened_at=now, updated_at=now, source=Source.MANUAL,
                                history=[StateChange(now, step.value, note, Source.MANUAL)])
                    d.id = self.store.add_dispute(order_id, d)
                    continue
                d.state, d.updated_at, d.source = step, now, Source.MANUAL
                d.history.append(StateChange(now, step.value, note, Source.MANUAL))
                if step is DisputeState.RESOLVED_REFUNDED:
                    d.refunded = money or d.amount
                self.store.update_dispute(d, order_id)
            if note and d is not None:
                d.messages.append(DisputeMessage(now, "merchant",
                                                 k.kept(k.RECORDED_MESSAGE, note=note), "",
                                                 Source.MANUAL))
                self.store.update_dispute(d, order_id)
            template = ((k.RECORDED_AMOUNT_NOTE if note else k.RECORDED_AMOUNT) if money
                        else (k.RECORDED_NOTE if note else k.RECORDED))
            self.store.audit(order_id, "merchant", k.kept(k.RECORD_DISPUTE),
                             k.kept(template, state=target.value, note=note,
                                    amount=money if money else ""), at=ts)
        return self.store.get_order(order_id)
