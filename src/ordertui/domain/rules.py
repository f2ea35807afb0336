"""Rules about what may be done to an order, in one place for the CLI, the TUI and the
services alike. Each check raises a typed error whose message says why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    CancellationAlreadyActive,
    DisputeAlreadyOpen,
    DisputeNotAllowed,
    InvalidTransition,
    OrderNotCancellable,
    OrdertuiError,
    ValidationError,
)
from ordertui.domain.models import Order
from ordertui.domain.money import Money
from ordertui.domain.states import (
    CANCELLABLE,
    DISPUTABLE,
    DISPUTE_ESCALATE_STATES,
    DISPUTE_REPLY_STATES,
    DISPUTE_WITHDRAW_STATES,
    CancellationState,
    DisputeState,
    OrderStatus,
    in_sentence,
)
from ordertui.i18n import N_, _, formats

MAX_TEXT = 2000  # characters in a reason, description or reply
MAX_EVIDENCE = 10


def check_can_cancel(order: Order) -> None:
    if order.cancellation is not None and order.cancellation.state.active:
        raise CancellationAlreadyActive(order.display_name, order.cancellation.state.value)
    if order.status not in CANCELLABLE:
        raise OrderNotCancellable(order.display_name, order.status.value)


def check_can_answer_info(order: Order) -> None:
    c = order.cancellation
    if c is None or c.state is not CancellationState.INFO_REQUESTED:
        state = c.state.value if c else None
        raise InvalidTransition("cancellation", state, CancellationState.REQUESTED,
                                _("the supplier has not asked for details on {order}").format(
                                    order=order.display_name))


def check_can_open_dispute(order: Order) -> None:
    if order.dispute is not None and not order.dispute.state.terminal:
        raise DisputeAlreadyOpen(order.display_name, order.dispute.state.value)
    if order.status not in DISPUTABLE:
        raise DisputeNotAllowed(order.display_name, order.status.value)


def check_dispute_amount(order: Order, amount: Money) -> None:
    if amount.currency != order.total_cost.currency:
        raise ValidationError("amount", _("the amount must be in {currency}").format(
            currency=order.total_cost.currency))
    if amount.amount <= 0:
        raise ValidationError("amount", _("the refund amount must be more than 0"))
    if amount > order.total_cost:
        raise ValidationError(
            "amount", _("the refund amount cannot be more than you paid the supplier "
                        "({cost})").format(cost=order.total_cost.display()))


def _dispute_state(order: Order) -> DisputeState | None:
    return order.dispute.state if order.dispute else None


def check_dispute_action(order: Order, action: Action) -> None:
    state = _dispute_state(order)
    allowed = {
        Action.DISPUTE_REPLY: DISPUTE_REPLY_STATES,
        Action.DISPUTE_ESCALATE: DISPUTE_ESCALATE_STATES,
        Action.DISPUTE_WITHDRAW: DISPUTE_WITHDRAW_STATES,
        Action.DISPUTE_ACCEPT_OFFER: frozenset({DisputeState.AWAITING_MERCHANT}),
    }[action]
    if state is None:
        raise InvalidTransition("dispute", None, action.value,
                                _("order {order} has no dispute").format(
                                    order=order.display_name))
    if state not in allowed:
        raise InvalidTransition("dispute", state, action.value,
                                _("the dispute on {order} is {state}: '{action}' is not "
                                  "possible now").format(order=order.display_name,
                                                         state=in_sentence(state.label),
                                                         action=action.label))
    if action is Action.DISPUTE_ACCEPT_OFFER and (order.dispute is None
                                                  or order.dispute.offer is None):
        raise InvalidTransition("dispute", state, action.value,
                                _("the supplier has made no offer to accept"))


#: the fields people write text in, as a message names them (``check_text``)
FIELDS = {"reason": N_("reason"), "description": N_("description"), "message": N_("message"),
          "note": N_("note"), "condition": N_("condition"), "tracking": N_("tracking"),
          "sku": N_("sku"), "text": N_("text")}


def field_name(field: str) -> str:
    """A field as a message names it, in the language of the process."""
    return _(FIELDS[field]) if field in FIELDS else field


def too_long(field: str, length: int, limit: int) -> str:
    """What to say of a text longer than its field takes."""
    return _("the {field} is {length} characters; at most {limit} fit, shorten it").format(
        field=field_name(field), length=formats.number(length), limit=formats.number(limit))


def check_text(field: str, text: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if required and not text:
        raise ValidationError(field, _("the {field} must not be empty").format(
            field=field_name(field)))
    if len(text) > limit:
        raise ValidationError(field, too_long(field, len(text), limit))
    if "\x00" in text:
        raise ValidationError(field, _("the {field} contains a NUL character").format(
            field=field_name(field)))
    return text


_CHECKS = {
    Action.CANCEL: check_can_cancel,
    Action.ANSWER_CANCEL_INFO: check_can_answer_info,
    Action.DISPUTE_OPEN: check_can_open_dispute,
}


def check_action(order: Order, action: Action) -> None:
    """Raise if ``action`` is not possible on ``order`` in its present state."""
    check = _CHECKS.get(action)
    if check is not None:
        check(order)
    else:
        check_dispute_action(order, action)


@dataclass(frozen=True, slots=True)
class ActionOption:
    action: Action
    by_api: bool  # False: the merchant does it on the supplier's page and records it
    url: str | None  # the supplier's own page for it, when not by API


def available_actions(order: Order, capabilities: frozenset[Capability],
                      url_for: dict[Action, str | None] | None = None) -> list[ActionOption]:
    """The actions the order's state allows, each marked by API or by hand."""
    options = []
    for action in Action:
        try:
            check_action(order, action)
        except OrdertuiError:
            continue
        by_api = action.capability in capabilities
        options.append(ActionOption(action, by_api, None if by_api else
                                    (url_for or {}).get(action)))
    return options


# --- what the clock makes urgent (the SQL of store/queries.py asks the same) -------------
DAY = timedelta(days=1)
#: orders whose buyer protection can run out before they arrive
ON_THE_WAY = frozenset({OrderStatus.PROCESSING, OrderStatus.SHIPPED})


def tracking_stalled(status: OrderStatus, moved_at: datetime | None, now: datetime,
                     days: int) -> bool:
    """Shipped, and its tracking has not moved for more than ``days`` days
    (``[app] stalled_tracking_days``)."""
    return (status is OrderStatus.SHIPPED and moved_at is not None
            and now - moved_at > days * DAY)


def protection_ending(status: OrderStatus, ends_at: datetime | None, now: datetime, days: int,
                      *, disputed: bool = False) -> bool:
    """Still on its way, not disputed, and its buyer protection ends within ``days`` days
    (``[app] protection_warning_days``): a dispute must be opened before then."""
    return (status in ON_THE_WAY and not disputed and ends_at is not None
            and now < ends_at <= now + days * DAY)
