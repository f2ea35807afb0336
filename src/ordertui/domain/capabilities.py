"""What a supplier can do by API. The UI offers an action only where the supplier's adapter
declares it; otherwise it links to the supplier's own page and lets the merchant record the
outcome (invariant 3 in docs/architecture.md)."""

from __future__ import annotations

from enum import StrEnum

from ordertui.i18n import N_, _


class Capability(StrEnum):
    LIST_ORDERS = "list_orders"  # page through orders changed since a point
    GET_ORDER = "get_order"
    ADD_BY_ID = "add_by_id"  # the merchant adds orders by the supplier's id
    TRACKING = "tracking"
    CANCEL = "cancel"  # request a cancellation
    ANSWER_CANCEL_INFO = "answer_cancel_info"  # answer the supplier's request for details
    DISPUTE_OPEN = "dispute_open"
    DISPUTE_REPLY = "dispute_reply"
    DISPUTE_ESCALATE = "dispute_escalate"
    DISPUTE_WITHDRAW = "dispute_withdraw"
    DISPUTE_ACCEPT_OFFER = "dispute_accept_offer"
    DISPUTE_LIST = "dispute_list"


class Action(StrEnum):
    """A merchant action on one order, as the UI names it."""

    CANCEL = "cancel"
    ANSWER_CANCEL_INFO = "answer_cancel_info"
    DISPUTE_OPEN = "dispute_open"
    DISPUTE_REPLY = "dispute_reply"
    DISPUTE_ESCALATE = "dispute_escalate"
    DISPUTE_WITHDRAW = "dispute_withdraw"
    DISPUTE_ACCEPT_OFFER = "dispute_accept_offer"

    @property
    def capability(self) -> Capability:
        return Capability(self.value)

    @property
    def label(self) -> str:
        """What the action does, in the language of the process: "Request cancellation"."""
        return _(ACTION_LABELS[self.value])

    @property
    def english(self) -> str:
        return ACTION_LABELS[self.value]


#: the actions' labels in English (``Action.label`` translates them)
ACTION_LABELS: dict[str, str] = {
    "cancel": N_("Request cancellation"),
    "answer_cancel_info": N_("Answer the supplier's question"),
    "dispute_open": N_("Open a dispute"),
    "dispute_reply": N_("Reply in the dispute"),
    "dispute_escalate": N_("Escalate the dispute"),
    "dispute_withdraw": N_("Withdraw the dispute"),
    "dispute_accept_offer": N_("Accept the supplier's offer"),
}
