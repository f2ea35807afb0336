"""Typed errors. Each carries one line that tells a person what went wrong and what to do."""

from __future__ import annotations


class OrdertuiError(Exception):
    """Base of every error ordertui reports to a person. ``str(e)`` is one line."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return " ".join(self.message.split("\n"))


class ValidationError(OrdertuiError):
    """Bad input from a person: names the field and what to type instead."""

    exit_code = 2

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ConfigError(OrdertuiError):
    exit_code = 2

    def __init__(self, path: str, message: str, *, line: int | None = None,
                 key: str | None = None) -> None:
        where = path + (f", line {line}" if line else "") + (f", key {key}" if key else "")
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.key = path, line, key


class OrderNotFound(OrdertuiError):
    exit_code = 2

    def __init__(self, ref: str, hint: str = "") -> None:
        super().__init__(f"no order {ref!r}" + (f"; {hint}" if hint else
                         "; use the id, the shop order name (#1042) or the supplier's order id"))
        self.ref = ref


class AmbiguousOrder(OrdertuiError):
    exit_code = 2

    def __init__(self, ref: str, candidates: list[str]) -> None:
        super().__init__(f"{ref!r} matches {len(candidates)} orders ({', '.join(candidates)}); "
                         "give the id or the supplier's order id")


class InvalidTransition(OrdertuiError):
    """A state machine was asked to move along an edge its table does not have."""

    exit_code = 2

    def __init__(self, machine: str, current: object, target: object, why: str = "") -> None:
        cur = getattr(current, "value", current) or "none"
        tgt = getattr(target, "value", target)
        super().__init__(why or f"{machine} cannot go from {cur} to {tgt}")
        self.machine, self.current, self.target = machine, current, target


class OrderNotCancellable(InvalidTransition):
    def __init__(self, order_name: str, status: str) -> None:
        super().__init__("order", status, "cancelled",
                         f"order {order_name} is cancelled already" if status == "cancelled"
                         else f"order {order_name} is {status.replace('_', ' ')} and can no "
                         "longer be cancelled; open a dispute or record a return instead")


class CancellationAlreadyActive(InvalidTransition):
    def __init__(self, order_name: str, state: str) -> None:
        super().__init__("cancellation", state, "requested",
                         f"order {order_name} already has a cancellation request "
                         f"({state.replace('_', ' ')}); follow that one")


class DisputeAlreadyOpen(InvalidTransition):
    def __init__(self, order_name: str, state: str) -> None:
        super().__init__("dispute", state, "open",
                         f"order {order_name} already has an open dispute "
                         f"({state.replace('_', ' ')}); reply to it instead")


class DisputeNotAllowed(InvalidTransition):
    def __init__(self, order_name: str, status: str, why: str = "") -> None:
        super().__init__("dispute", None, "open",
                         why or f"order {order_name} is {status.replace('_', ' ')}; "
                         "a dispute needs a paid order that has not been cancelled")


class CapabilityMissing(OrdertuiError):
    """The supplier has no API for this; the merchant does it on the supplier's page."""

    def __init__(self, supplier: str, action: str, url: str | None) -> None:
        tail = f"; do it at {url} and record the outcome with `ordertui record`" if url else ""
        super().__init__(f"{supplier} offers no API to {action}{tail}")
        self.supplier, self.action, self.url = supplier, action, url


class StoreBusy(OrdertuiError):
    pass


# --- supplier errors ----------------------------------------------------------------


class SupplierError(OrdertuiError):
    """Something went wrong talking to a supplier, or to a shop: the remote party is named
    by ``supplier`` either way (``ordertui.http`` raises these for both). ``retryable`` says
    if trying later may help."""

    retryable = False

    def __init__(self, supplier: str, message: str, *, request_id: str | None = None) -> None:
        rid = f" (request {request_id})" if request_id else ""
        super().__init__(f"{supplier}: {message}{rid}")
        self.supplier, self.detail, self.request_id = supplier, message, request_id


class SupplierAuthError(SupplierError):
    pass


class SupplierNotFound(SupplierError):
    pass


class SupplierRateLimited(SupplierError):
    retryable = True

    def __init__(self, supplier: str, message: str = "rate limit reached", *,
                 retry_after: float | None = None, request_id: str | None = None) -> None:
        super().__init__(supplier, message, request_id=request_id)
        self.retry_after = retry_after


class SupplierUnavailable(SupplierError):
    """Temporary: 5xx, connection refused before anything was sent, busy."""

    retryable = True


class SupplierAmbiguous(SupplierUnavailable):
    """A write may or may not have reached the supplier (timeout, connection lost midway).

    Never retried blindly: the outbox runner reads the supplier's state first.
    """


class SupplierRejected(SupplierError):
    """The supplier understood the request and said no; its own words are kept."""

    def __init__(self, supplier: str, supplier_message: str, *,
                 request_id: str | None = None) -> None:
        super().__init__(supplier, f"refused: {supplier_message}", request_id=request_id)
        self.supplier_message = supplier_message


class SupplierProtocolError(SupplierError):
    """The answer was not what the supplier documents (HTML page, truncated JSON, ...)."""

    retryable = True
