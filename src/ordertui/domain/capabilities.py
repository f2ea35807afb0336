"""What a supplier can do by API. The UI offers an action only where the supplier's adapter
declares it; otherwise it links to the supplier's own page and lets the merchant record the
outcome (invariant 3 in docs/architecture.md)."""

from __future__ import annotations

from enum import StrEnum


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
        return {
            "cancel": "Request cancellation",
            "answer_cancel_info": "Answer the supplier's question",
            "dispute_open": "Open a dispute",
            "dispute_reply": "Reply in the dispute",
            "dispute_escalate": "Escalate the dispute",
            "dispute_withdraw": "Withdraw the dispute",
            "dispute_accept_offer": "Accept the supplier's offer",
        }[self.value]
