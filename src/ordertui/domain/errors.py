"""Typed errors. Each carries one line that tells a person what went wrong and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordertui.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ordertui.domain.roles import Permission


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
        if line and key:
            text = _("{path}, line {line}, key {key}: {message}")
        elif line:
            text = _("{path}, line {line}: {message}")
        elif key:
            text = _("{path}, key {key}: {message}")
        else:
            text = _("{path}: {message}")
        super().__init__(text.format(path=path, line=line, key=key, message=message))
        self.path, self.line, self.key = path, line, key


class OrderNotFound(OrdertuiError):
    exit_code = 2

    def __init__(self, ref: str, hint: str = "") -> None:
        super().__init__(_("no order {ref}; {hint}").format(
            ref=repr(ref), hint=hint or _("use the id, the shop order name (#1042) or the "
                                          "supplier's order id")))
        self.ref = ref


class AmbiguousOrder(OrdertuiError):
    exit_code = 2

    def __init__(self, ref: str, candidates: list[str]) -> None:
        n = len(candidates)
        super().__init__(ngettext(
            "{ref} matches {n} order ({candidates}); give the id or the supplier's order id",
            "{ref} matches {n} orders ({candidates}); give the id or the supplier's order id",
            n).format(ref=repr(ref), n=n, candidates=", ".join(candidates)))


class InvalidTransition(OrdertuiError):
    """A state machine was asked to move along an edge its table does not have."""

    exit_code = 2

    def __init__(self, machine: str, current: object, target: object, why: str = "") -> None:
        cur = getattr(current, "value", current) or _("none")
        tgt = getattr(target, "value", target)
        super().__init__(why or _("{machine} cannot go from {current} to {target}").format(
            machine=_(MACHINES[machine]) if machine in MACHINES else machine, current=cur,
            target=tgt))
        self.machine, self.current, self.target = machine, current, target


#: the state machines by name, as an error names them (``InvalidTransition``)
MACHINES = {"order": N_("order"), "cancellation": N_("cancellation"),
            "dispute": N_("dispute"), "return": N_("return")}


def _words(kind: str, value: str) -> str:
    """A state's value inside a sentence, in the language of the process."""
    from ordertui.domain import states  # states imports this module

    if kind == "order":
        return states.words(states.OrderStatus, value)
    if kind == "cancellation":
        return states.words(states.CancellationState, value)
    return states.words(states.DisputeState, value)


class OrderNotCancellable(InvalidTransition):
    def __init__(self, order_name: str, status: str) -> None:
        super().__init__("order", status, "cancelled",
                         _("order {order} is cancelled already").format(order=order_name)
                         if status == "cancelled"
                         else _("order {order} is {status} and can no longer be cancelled; "
                                "open a dispute or record a return instead").format(
                             order=order_name, status=_words("order", status)))


class CancellationAlreadyActive(InvalidTransition):
    def __init__(self, order_name: str, state: str) -> None:
        super().__init__("cancellation", state, "requested",
                         _("order {order} already has a cancellation request ({state}); "
                           "follow that one").format(
                             order=order_name, state=_words("cancellation", state)))


class DisputeAlreadyOpen(InvalidTransition):
    def __init__(self, order_name: str, state: str) -> None:
        super().__init__("dispute", state, "open",
                         _("order {order} already has an open dispute ({state}); reply to "
                           "it instead").format(order=order_name,
                                                state=_words("dispute", state)))


class DisputeNotAllowed(InvalidTransition):
    def __init__(self, order_name: str, status: str, why: str = "") -> None:
        super().__init__("dispute", None, "open",
                         why or _("order {order} is {status}; a dispute needs a paid order "
                                  "that has not been cancelled").format(
                             order=order_name, status=_words("order", status)))


class CapabilityMissing(OrdertuiError):
    """The supplier has no API for this; the merchant does it on the supplier's page."""

    def __init__(self, supplier: str, action: str, url: str | None) -> None:
        super().__init__(
            _("{supplier} offers no API to {action}; do it at {url} and record the outcome "
              "with `ordertui record`").format(supplier=supplier, action=action, url=url)
            if url else _("{supplier} offers no API to {action}").format(supplier=supplier,
                                                                           action=action))
        self.supplier, self.action, self.url = supplier, action, url


class NotAllowed(OrdertuiError):
    """The session's role does not allow this (``ordertui.domain.roles``); nothing was
    written or queued."""

    exit_code = 2

    def __init__(self, role: str, permission: Permission) -> None:
        # Translators: "role 'staff' may not refund; ask someone whose role allows refund";
        # {permission} is the word of [roles.NAME] allow in the config, kept as it is
        super().__init__(_("role {role} may not {action}; ask someone whose role allows "
                           "{permission}").format(role=repr(role), action=permission.words,
                                                  permission=permission.value))
        self.role, self.permission = role, permission


class StoreBusy(OrdertuiError):
    pass


class StoreOutdated(OrdertuiError):
    """The shared database's schema is older than this ordertui's, and the database user
    may not change it: its owner runs ``ordertui store migrate``."""


class StoreRefused(OrdertuiError):
    """The shared database refused a write to this session's database user (its role's
    grants): nothing was written."""


class StoreUnavailable(OrdertuiError):
    """The shared database cannot be reached; the message names its server, never a
    password. Nothing was written by the step that raised it."""


# --- supplier errors ----------------------------------------------------------------


class SupplierError(OrdertuiError):
    """Something went wrong talking to a supplier, or to a shop: the remote party is named
    by ``supplier`` either way (``ordertui.http`` raises these for both). ``retryable`` says
    if trying later may help."""

    retryable = False

    def __init__(self, supplier: str, message: str, *, request_id: str | None = None) -> None:
        super().__init__(
            _("{supplier}: {message} (request {request_id})").format(
                supplier=supplier, message=message, request_id=request_id)
            if request_id else f"{supplier}: {message}")
        self.supplier, self.detail, self.request_id = supplier, message, request_id


class SupplierAuthError(SupplierError):
    pass


class SupplierNotFound(SupplierError):
    pass


class SupplierRateLimited(SupplierError):
    retryable = True

    def __init__(self, supplier: str, message: str | None = None, *,
                 retry_after: float | None = None, request_id: str | None = None) -> None:
        super().__init__(supplier, _("rate limit reached") if message is None else message,
                         request_id=request_id)
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
        super().__init__(supplier, _("refused: {message}").format(message=supplier_message),
                         request_id=request_id)
        self.supplier_message = supplier_message


class SupplierProtocolError(SupplierError):
    """The answer was not what the supplier documents (HTML page, truncated JSON, ...)."""

    retryable = True
