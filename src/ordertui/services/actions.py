"""The merchant's actions on an order that go to its supplier: asking to cancel, answering
the supplier's question, opening a dispute and taking it further. None calls the supplier:
each checks the order's state and the supplier's API, then writes its local effect, an outbox
entry and an audit entry in one transaction; the runner sends it (invariant 2 in
docs/architecture.md)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ordertui.domain import codec, rules
from ordertui.domain.capabilities import Action
from ordertui.domain.errors import ValidationError
from ordertui.domain.models import (
    CancellationRequest,
    Dispute,
    DisputeMessage,
    Evidence,
    Order,
    StateChange,
)
from ordertui.domain.money import Money
from ordertui.domain.roles import Permission
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    Source,
    check_cancellation,
    check_dispute,
)
from ordertui.domain.text import one_line
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.services.base import ServicesBase

MAX_EVIDENCE_BYTES = 25 * 1024 * 1024


class Actions(ServicesBase):
    def _queue(self, order: Order, action: Action, payload: dict[str, Any],
               local_effect: Callable[[str, datetime], None]) -> str:
        """Write the local effect and the outbox entry in one transaction."""
        key = f"ot-{uuid.uuid4().hex}"
        now, ts = self._stamp()
        assert order.id is not None
        with self.store.write() as con:
            local_effect(key, now)
            self.store.outbox.enqueue(con, key=key, order_id=order.id, supplier=order.supplier,
                                      action=action, payload=payload, now=ts)
            self.store.audit(order.id, "merchant", action.value, _describe(action, payload),
                             at=ts)
        self.wake_outbox()
        return key

    def request_cancellation(self, order_id: int, reason: str) -> Order:
        self.require(Permission.CANCEL)
        reason = rules.check_text("reason", reason)
        order = self.store.get_order(order_id)
        self._require(order, Action.CANCEL)

        def effect(key: str, now: datetime) -> None:
            self.store.add_cancellation(order_id, CancellationRequest(
                state=check_cancellation(None, CancellationState.REQUESTED), reason=reason,
                requested_at=now, updated_at=now, source=Source.LOCAL, client_key=key,
                history=[StateChange(now, "requested", reason, Source.LOCAL)]))
        self._queue(order, Action.CANCEL, {"reason": reason}, effect)
        return self.store.get_order(order_id)

    def answer_cancellation_info(self, order_id: int, message: str) -> Order:
        self.require(Permission.CANCEL)
        message = rules.check_text("message", message)
        order = self.store.get_order(order_id)
        self._require(order, Action.ANSWER_CANCEL_INFO)
        c = order.cancellation
        assert c is not None
        before = codec.cancellation_to(c)

        def effect(key: str, now: datetime) -> None:
            c.state = check_cancellation(c.state, CancellationState.REQUESTED)
            c.updated_at, c.source = now, Source.LOCAL
            c.history.append(StateChange(now, "requested", message, Source.LOCAL))
            self.store.update_cancellation(c, order_id)
        self._queue(order, Action.ANSWER_CANCEL_INFO, {"message": message, "before": before},
                    effect)
        return self.store.get_order(order_id)

    def check_evidence(self, paths: Sequence[str]) -> list[Evidence]:
        """Evidence files must exist on this machine and be readable."""
        if len(paths) > rules.MAX_EVIDENCE:
            raise ValidationError("evidence", _("at most {count} evidence files").format(
                count=rules.MAX_EVIDENCE))
        result = []
        for raw in paths:
            raw = raw.strip()
            if not raw:
                continue
            try:
                path = Path(raw).expanduser()
                path.stat()
            except FileNotFoundError:
                pass
            except (OSError, ValueError, RuntimeError) as exc:
                # a name too long, a NUL byte, ~nosuchuser: not a file on this machine
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                    _("not a usable path")
                raise ValidationError("evidence", _(
                    "{path}: {reason}; give the path of a file on this machine").format(
                        path=repr(one_line(raw, 60)), reason=reason)) from None
            if not path.exists():
                raise ValidationError("evidence", _(
                    "no file at {path}; give the path of a file on this machine").format(
                        path=raw))
            if not path.is_file():
                raise ValidationError("evidence", _("{path} is not a file").format(path=raw))
            if not os.access(path, os.R_OK):
                raise ValidationError("evidence", _(
                    "{path} cannot be read (check its permissions)").format(path=raw))
            size = path.stat().st_size
            if size > MAX_EVIDENCE_BYTES:
                raise ValidationError("evidence", _(
                    "{path} is {size} MB; the limit is {limit} MB").format(
                        path=raw, size=size // 1_048_576, limit=MAX_EVIDENCE_BYTES // 1_048_576))
            result.append(Evidence(str(path.resolve()), path.name, size))
        return result

    def validate_dispute(self, order: Order, *, reason: str, amount: str,
                         description: str, evidence: Sequence[str]
                         ) -> tuple[DisputeReason, Money, str, list[Evidence]]:
        """Check a dispute form; each problem names its field."""
        try:
            dreason = DisputeReason(reason)
        except ValueError:
            raise ValidationError("reason", _("the reason must be one of: {choices}").format(
                choices=", ".join(r.value for r in DisputeReason))) from None
        money = (Money.parse(amount, order.total_cost.currency) if amount.strip()
                 else order.total_cost)
        rules.check_dispute_amount(order, money)
        text = rules.check_text("description", description)
        return dreason, money, text, self.check_evidence(evidence)

    def open_dispute(self, order_id: int, *, reason: str, amount: str, description: str,
                     evidence: Sequence[str] = ()) -> Order:
        self.require(Permission.DISPUTE)
        order = self.store.get_order(order_id)
        self._require(order, Action.DISPUTE_OPEN)
        dreason, money, text, files = self.validate_dispute(
            order, reason=reason, amount=amount, description=description, evidence=evidence)

        def effect(key: str, now: datetime) -> None:
            self.store.add_dispute(order_id, Dispute(
                state=check_dispute(None, DisputeState.OPEN), reason=dreason, amount=money,
                description=text, opened_at=now, updated_at=now, evidence=files,
                messages=[DisputeMessage(now, "merchant", text, key, Source.LOCAL)],
                source=Source.LOCAL, client_key=key,
                history=[StateChange(now, "open", "", Source.LOCAL)]))
        self._queue(order, Action.DISPUTE_OPEN, {
            "reason": dreason.value, "amount": money.plain(), "currency": money.currency,
            "description": text,
            "evidence": [{"path": e.path, "name": e.name, "size": e.size} for e in files]},
            effect)
        return self.store.get_order(order_id)

    def _dispute_step(self, order_id: int, action: Action, payload: dict[str, Any],
                      change: Callable[[Dispute, str, datetime], None]) -> Order:
        self.require(Permission.DISPUTE)
        order = self.store.get_order(order_id)
        self._require(order, action)
        d = order.dispute
        assert d is not None
        payload = payload | {"before": codec.dispute_to(d)}

        def effect(key: str, now: datetime) -> None:
            change(d, key, now)
            d.updated_at, d.source = now, Source.LOCAL
            self.store.update_dispute(d, order_id)
        self._queue(order, action, payload, effect)
        return self.store.get_order(order_id)

    def reply_dispute(self, order_id: int, message: str) -> Order:
        self.require(Permission.DISPUTE)
        message = rules.check_text("message", message)

        def change(d: Dispute, key: str, now: datetime) -> None:
            d.messages.append(DisputeMessage(now, "merchant", message, key, Source.LOCAL))
            if d.state is not DisputeState.ESCALATED and d.state is not \
                    DisputeState.AWAITING_SUPPLIER:
                d.state = check_dispute(d.state, DisputeState.AWAITING_SUPPLIER)
                d.history.append(StateChange(now, d.state.value, "", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_REPLY, {"message": message}, change)

    def escalate_dispute(self, order_id: int) -> Order:
        def change(d: Dispute, key: str, now: datetime) -> None:
            d.state = check_dispute(d.state, DisputeState.ESCALATED)
            d.history.append(StateChange(now, d.state.value, "", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_ESCALATE, {}, change)

    def withdraw_dispute(self, order_id: int) -> Order:
        def change(d: Dispute, key: str, now: datetime) -> None:
            d.state = check_dispute(d.state, DisputeState.WITHDRAWN)
            d.history.append(StateChange(now, d.state.value, "", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_WITHDRAW, {}, change)

    def accept_dispute_offer(self, order_id: int) -> Order:
        def change(d: Dispute, key: str, now: datetime) -> None:
            d.state = check_dispute(d.state, DisputeState.RESOLVED_REFUNDED)
            d.refunded = d.offer
            d.history.append(StateChange(now, d.state.value, k.kept(k.OFFER_ACCEPTED),
                                         Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_ACCEPT_OFFER, {}, change)


def _describe(action: Action, payload: dict[str, Any]) -> str:
    """The audit's detail of a queued action, kept in English (``kept``)."""
    if action is Action.CANCEL:
        return k.kept(k.REQUESTED_CANCELLATION, reason=payload["reason"])
    if action is Action.ANSWER_CANCEL_INFO:
        return k.kept(k.ANSWERED_SUPPLIER, message=payload["message"])
    if action is Action.DISPUTE_OPEN:
        return k.kept(k.OPENED_DISPUTE,
                      dispute_reason=k.DISPUTE_REASONS.get(payload["reason"], payload["reason"]),
                      amount=payload["amount"], currency=payload["currency"],
                      description=payload["description"])
    if action is Action.DISPUTE_REPLY:
        return k.kept(k.REPLIED_DISPUTE, message=payload["message"])
    return k.kept(k.ACTIONS[action.value])
