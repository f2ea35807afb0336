"""Returns, refunds, money recovered from suppliers, the returns stock and buyer protection:
the API the Returns, Stock and Policy screens and the CLI call, as ``services.returns``.

``ReturnsService`` is composed of one module a job: this one holds the returns themselves
(what can be returned, opening a return, moving it along) and the overview for the order
details screen; ``protection`` the supplier policies and buyer protection, ``refunds`` the
refunds, recoveries and the order's money, ``stock`` the returns stock, and
``return_items`` reads the items the merchant names.

Every method is synchronous and safe from any thread (each thread has its own SQLite
connection); the TUI calls them from thread workers. Each write checks its bounds and
writes its effect and audit entry in one ``BEGIN IMMEDIATE`` transaction, so two sessions
pressing the same key at once cannot return, refund or take from stock more than exists.
Bad input raises ``ValidationError`` whose ``field`` names the form field to mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.models import Order, StateChange
from ordertui.domain.policy import ProtectionStatus, SupplierPolicy
from ordertui.domain.returns import (
    OrderMoney,
    Recovery,
    Refund,
    Return,
    ReturnDestination,
    ReturnItem,
    ReturnNotFound,
    ReturnsNotAccepted,
    ReturnState,
    StockItem,
    StockUse,
    check_return,
)
from ordertui.domain.roles import Permission
from ordertui.domain.rules import check_text
from ordertui.domain.states import CANCELLABLE, OrderStatus, Source
from ordertui.i18n import _, ngettext
from ordertui.services import kept as k
from ordertui.services.protection import ProtectionMixin
from ordertui.services.refunds import RefundsMixin
from ordertui.services.return_items import line_key, lines_by_key, norm_items, parse_items
from ordertui.services.stock import StockMixin, stock_key
from ordertui.store.returns import ReturnsStore

if TYPE_CHECKING:
    from ordertui.services.core import Services

__all__ = [
    "RETURNABLE_STATUSES",
    "ReturnOptions",
    "ReturnableItem",
    "ReturnsOverview",
    "ReturnsService",
    "parse_items",  # lives in return_items; the CLI and the tests import it from here
]

#: Orders in these states have reached the customer, or are on their way to them.
RETURNABLE_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED})
MAX_TRACKING = 100
MAX_CONDITION = 200


@dataclass(frozen=True, slots=True)
class ReturnableItem:
    """One line of an order as the return form offers it."""

    key: str  # what to pass to ``open_return``: the SKU, or "#N"
    title: str
    variant: str
    bought: int
    in_returns: int  # already held by other returns

    @property
    def returnable(self) -> int:
        return max(self.bought - self.in_returns, 0)


@dataclass(frozen=True, slots=True)
class ReturnOptions:
    """What the return form needs before the merchant opens a return."""

    supplier: str
    policy: SupplierPolicy
    merchant_address: str  # "" when ``[returns]`` has none
    destinations: tuple[ReturnDestination, ...]  # what may be chosen, the suggested first
    message: str  # one line for the form: who takes the item back, and where
    items: tuple[ReturnableItem, ...]
    days_since_delivery: int | None
    within_window: bool | None  # inside the window the shop promises (``[returns]``)

    @property
    def supplier_accepts(self) -> bool:
        return self.policy.accepts_returns


@dataclass(frozen=True, slots=True)
class ReturnsOverview:
    """Everything the order details screen shows about returns, refunds and protection."""

    order_id: int
    policy: SupplierPolicy | None
    policy_error: str  # a config problem with the supplier's policy, else ""
    protection: ProtectionStatus | None
    returns: tuple[Return, ...]
    refunds: tuple[Refund, ...]
    recoveries: tuple[Recovery, ...]
    stock_used: tuple[StockUse, ...]
    money: OrderMoney
    #: a return can be opened: the order reached the customer and not every item is in a
    #: return already
    returnable: bool = False


class ReturnsService(ProtectionMixin, RefundsMixin, StockMixin):
    """Returns and the details overview here; the other jobs come from the mixins."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.store = services.store
        self.db = ReturnsStore(services.store)
        self.sync_protection()

    # --- returns -------------------------------------------------------------------------
    def return_options(self, order_id: int) -> ReturnOptions:
        order = self.store.get_order(order_id)
        policy = self.policy_for(order.supplier)
        m = self.merchant()
        dests: list[ReturnDestination] = []
        if m.address_lines:
            dests.append(ReturnDestination.MERCHANT)
        if policy.accepts_returns:
            dests.insert(0, ReturnDestination.SUPPLIER)
        if policy.accepts_returns:
            message = ngettext("{supplier} accepts returns within {n} day of delivery",
                               "{supplier} accepts returns within {n} days of delivery",
                               policy.return_window_days).format(
                supplier=order.supplier, n=policy.return_window_days)
        elif m.address_lines:
            message = _("{supplier} accepts no returns; you can accept this return at your own "
                        "address ({address})").format(supplier=order.supplier,
                                                      address=", ".join(m.address_lines))
        else:
            message = _("{supplier} accepts no returns; to accept it at your own address, set "
                        "address in the [returns] table of the config").format(
                supplier=order.supplier)
        held = self.db.returned_quantities(order_id)
        items = []
        for key, lines in lines_by_key(order).items():
            items.append(ReturnableItem(key=key, title=lines[0].title, variant=lines[0].variant,
                                        bought=sum(x.quantity for x in lines),
                                        in_returns=held.get(key, 0)))
        since = within = None
        if order.delivered_at is not None:
            since = max((self.services.clock() - order.delivered_at).days, 0)
            window = (min(policy.return_window_days, m.window_days) if policy.accepts_returns
                      else m.window_days)
            within = since <= window
        return ReturnOptions(order.supplier, policy, m.address, tuple(dests), message,
                             tuple(items), since, within)

    def open_return(self, order_id: int, items: Mapping[str, int] | Iterable[tuple[str, int]],
                    reason: str, *, tracking: str = "",
                    destination: str | ReturnDestination | None = None) -> Return:
        """Record that the customer wants to send items back.

        ``items`` maps item keys (see ``return_options``) to quantities. ``destination``
        defaults to the supplier when it takes returns, else the merchant's address.
        Raises ``ValidationError`` (fields items, reason, tracking, destination, order),
        ``ReturnsNotAccepted`` (field destination) when nobody can take the item back.
        """
        self.services.require(Permission.RETURN)
        reason = check_text("reason", reason)
        tracking = check_text("tracking", tracking, required=False, limit=MAX_TRACKING)
        wanted = norm_items(items)
        order = self.store.get_order(order_id)
        if order.status not in RETURNABLE_STATUSES:
            message = (_("order {order} is {status}: only shipped or delivered orders can be "
                         "returned; cancel it instead") if order.status in CANCELLABLE else
                       _("order {order} is {status}: only shipped or delivered orders can be "
                         "returned"))
            raise ValidationError("order", message.format(
                order=order.display_name, status=k.state_words(order.status.value)))
        dest, address = self._destination(order, destination)
        lines = lines_by_key(order)
        chosen: list[ReturnItem] = []
        for key, qty in wanted:
            resolved = line_key(order, lines, key)
            first = lines[resolved][0]
            chosen.append(ReturnItem(key=resolved, quantity=qty, title=first.title,
                                     variant=first.variant, sku=first.sku,
                                     product_id=first.product_id))
        now = self.services.clock()
        ts = int(now.timestamp())
        with self.store.write():
            held = self.db.returned_quantities(order_id)
            for item in chosen:
                bought = sum(x.quantity for x in lines[item.key])
                already = held.get(item.key, 0)
                if already + item.quantity > bought:
                    left = bought - already
                    if already:
                        message = (_("{item}: {order} bought {bought}, {held} already in "
                                     "returns; at most {left} more can be returned") if left > 0
                                   else _("{item}: {order} bought {bought}, {held} already in "
                                          "returns; none left to return"))
                    else:
                        message = (_("{item}: {order} bought {bought}; at most {left} more can "
                                     "be returned") if left > 0
                                   else _("{item}: {order} bought {bought}; none left to "
                                          "return"))
                    raise ValidationError("items", message.format(
                        item=item.key, order=order.display_name, bought=bought, held=already,
                        left=left))
            r = Return(order_id=order_id, state=ReturnState.REQUESTED, items=chosen,
                       reason=reason, destination=dest, address=address,
                       tracking_number=tracking, opened_at=now, updated_at=now,
                       history=[StateChange(now, ReturnState.REQUESTED.value, reason,
                                            Source.LOCAL)])
            r.id = self.db.insert_return(r)
            if dest is ReturnDestination.MERCHANT:
                said = k.RETURN_TO_YOU_TRACKED if tracking else k.RETURN_TO_YOU
            else:
                said = k.RETURN_TO_SUPPLIER_TRACKED if tracking else k.RETURN_TO_SUPPLIER
            self.store.audit(order_id, "merchant", k.kept(k.RETURN_OPENED),
                             k.kept(said, number=r.id, items=r.items_summary,
                                    supplier=order.supplier, reason=reason, tracking=tracking),
                             at=ts)
        return self.db.get_return(r.id)

    def _destination(self, order: Order, wanted: str | ReturnDestination | None
                     ) -> tuple[ReturnDestination, str]:
        policy = self.policy_for(order.supplier)
        m = self.merchant()
        if wanted is not None and not isinstance(wanted, ReturnDestination):
            try:
                wanted = ReturnDestination(str(wanted).strip().lower())
            except ValueError:
                raise ValidationError("destination", _(
                    "the destination must be merchant (your own address) or supplier")
                    ) from None
        if wanted is None:
            wanted = (ReturnDestination.SUPPLIER if policy.accepts_returns
                      else ReturnDestination.MERCHANT)
        if wanted is ReturnDestination.SUPPLIER:
            if not policy.accepts_returns:
                message = (_("{supplier} accepts no returns; accept it at your own address "
                             "instead ({address})") if m.address_lines else
                           _("{supplier} accepts no returns; set address in [returns] to accept "
                             "it at your own address"))
                raise ReturnsNotAccepted(order.supplier, message.format(
                    supplier=order.supplier, address=", ".join(m.address_lines)))
            return wanted, ""
        if not m.address_lines:
            message = (_("{supplier} accepts no returns: set address in the [returns] table of "
                         "the config to accept returns at your own address")
                       if not policy.accepts_returns else
                       _("no return address: set address in the [returns] table of the config "
                         "to accept returns at your own address"))
            raise ReturnsNotAccepted(order.supplier, message.format(supplier=order.supplier))
        return wanted, m.address

    def set_return_state(self, return_id: int, state: str | ReturnState, *,
                         tracking: str | None = None, condition: str | None = None,
                         note: str = "") -> Return:
        """Move a return along its table. ``restocked`` puts its items in the returns stock.

        Raises ``ValidationError`` (fields state, tracking, condition, note) and
        ``ReturnTransitionError`` (an ``InvalidTransition``) for a step the table lacks.
        """
        self.services.require(Permission.RETURN)
        try:
            target = ReturnState(str(state).strip().lower())
        except ValueError:
            raise ValidationError("state", _("the state must be one of: {choices}").format(
                choices=", ".join(s.value for s in ReturnState))) from None
        if tracking is not None:
            tracking = check_text("tracking", tracking, required=False, limit=MAX_TRACKING)
        if condition is not None:
            condition = check_text("condition", condition, required=False,
                                   limit=MAX_CONDITION)
        note = check_text("note", note, required=False)
        now = self.services.clock()
        ts = int(now.timestamp())
        with self.store.write():
            r = self.db.get_return(return_id)
            check_return(r.state, target)
            r.state, r.updated_at = target, now
            if tracking:
                r.tracking_number = tracking
            if condition:
                r.condition = condition
            r.history.append(StateChange(now, target.value, note or condition or "",
                                         Source.LOCAL))
            self.db.update_return(r)
            restocked = ""
            if target is ReturnState.RESTOCKED:
                order = self.store.get_order(r.order_id)
                lines = lines_by_key(order)
                for item in r.items:
                    line = lines.get(item.key, [None])[0]
                    self.db.insert_stock(StockItem(
                        sku=stock_key(item), title=item.title, variant=item.variant,
                        quantity=item.quantity, restocked=item.quantity,
                        condition=r.condition, from_order_id=r.order_id,
                        from_order_name=r.order_name, return_id=r.id, restocked_at=now,
                        product_id=item.product_id,
                        unit_cost=line.unit_cost if line is not None else None))
                restocked = r.items_summary
            extras = "; ".join(x for x in (
                k.kept(k.RETURN_TRACKING, tracking=tracking) if tracking else "",
                k.kept(k.RETURN_CONDITION, condition=condition) if condition else "", note) if x)
            if restocked:
                said = k.RETURN_RESTOCKED_NOTED if extras else k.RETURN_RESTOCKED
            else:
                said = k.RETURN_NOW_NOTED if extras else k.RETURN_NOW
            self.store.audit(r.order_id, "merchant", k.kept(k.RETURN_NUMBER, number=r.id),
                             k.kept(said, state=target.value.replace("_", " "), items=restocked,
                                    extras=extras), at=ts)
        return self.db.get_return(return_id)

    def get_return(self, return_id: int) -> Return:
        return self.db.get_return(return_id)

    def returns_for(self, order_id: int) -> list[Return]:
        return self.db.returns_for(order_id)

    def list_returns(self, states: Sequence[str | ReturnState] = (), *, limit: int = 500,
                     offset: int = 0) -> list[Return]:
        """Returns of every order, the latest activity first."""
        try:
            chosen = [ReturnState(s) for s in states]
        except ValueError:
            raise ValidationError("state", _("the state must be one of: {choices}").format(
                choices=", ".join(s.value for s in ReturnState))) from None
        return self.db.list_returns(chosen, limit=limit, offset=offset)

    def current_return(self, order_id: int) -> Return:
        """The order's one unfinished return (for commands that name the order only)."""
        found = [r for r in self.db.returns_for(order_id) if not r.state.terminal]
        if not found:
            # Translators: the first completes "no return {...}"; the second follows it
            # after "; "
            raise ReturnNotFound(_("open for order {order}").format(order=order_id),
                                 _("open one with `ordertui return open`"))
        if len(found) > 1:
            raise ValidationError("return", _(
                "order {order} has {count} unfinished returns ({returns}); name one with "
                "--return").format(order=order_id, count=len(found),
                                   returns=", ".join(str(r.id) for r in found)))
        return found[0]

    # --- everything for the details screen --------------------------------------------
    def overview(self, order_id: int, order: Order | None = None) -> ReturnsOverview:
        """One call for the order details screen; a broken supplier policy in the config is
        reported in ``policy_error`` instead of failing the whole screen (``order``: the
        order as the caller read it in the same snapshot)."""
        with self.store.read():
            order = order if order is not None else self.store.get_order(order_id)
            refunds = self.db.refunds_for(order_id)
            recoveries = self.db.recoveries_for(order_id)
            returns = self.db.returns_for(order_id)
            used = self.db.stock_uses_for(order_id)
            held = self.db.returned_quantities(order_id)
        policy: SupplierPolicy | None
        error = ""
        try:
            policy = self.policy_for(order.supplier)
        except OrdertuiError as exc:
            policy, error = None, str(exc)
        return ReturnsOverview(
            order_id=order_id, policy=policy, policy_error=error,
            protection=self._protection(order, policy, None) if policy else None,
            returns=tuple(returns), refunds=tuple(refunds), recoveries=tuple(recoveries),
            stock_used=tuple(used), money=self._money(order, refunds, recoveries),
            returnable=order.status in RETURNABLE_STATUSES and any(
                sum(x.quantity for x in lines) > held.get(key, 0)
                for key, lines in lines_by_key(order).items()))
