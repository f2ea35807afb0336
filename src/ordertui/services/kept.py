"""Lines ordertui keeps in the store or the data directory in English and shows in the
merchant's language: the order's history (the audit's actions and details), the notes kept on
a request or a refund, the error an outbox entry ended with, and the exchange rates' last
failed fetch.

What is kept stays English whatever language the session that wrote it spoke: the JSON of
``ordertui show --json`` is the same in every language, a history written before the
language was changed reads like the rest, and nothing one session writes is frozen in its
language for the next. Each kind of line is a template marked for the catalogue (``N_``);
``kept(TEMPLATE, **values)`` writes it, and ``shown(text)`` finds the template a kept line
was written from and says it again in the language of the process, with the values it was
written with. A line no template wrote (a supplier's or shop's own words, the merchant's text,
an older version's line) is shown as it is.

The values in a kept line are kept as written (amounts, names, the merchant's notes), but for
a few that are ordertui's own words: a state (``state``: ``approved``, ``in transit``), an
action on the order (``action``), the dispute's reason (``dispute_reason``) and the tracking
and condition noted on a return (``extras``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from ordertui.domain.money import Money
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus
from ordertui.i18n import N_, _, current, pgettext

# --- the merchant's actions on an order (actions.py) --------------------------------------
REQUESTED_CANCELLATION = N_("requested cancellation: {reason}")
ANSWERED_SUPPLIER = N_("answered the supplier: {message}")
OPENED_DISPUTE = N_("opened a dispute ({dispute_reason}, {amount} {currency}): {description}")
REPLIED_DISPUTE = N_("replied in the dispute: {message}")
DISPUTE_ESCALATE = N_("escalate the dispute")
DISPUTE_WITHDRAW = N_("withdraw the dispute")
DISPUTE_ACCEPT_OFFER = N_("accept the supplier's offer")
#: a step of a dispute's history: the merchant took the supplier's offer
OFFER_ACCEPTED = N_("offer accepted")
#: an action on an order inside a kept line (``action``), by the action's value
ACTIONS: dict[str, str] = {
    "cancel": N_("request cancellation"),
    "answer_cancel_info": N_("answer the supplier's question"),
    "dispute_open": N_("open a dispute"), "dispute_reply": N_("reply in the dispute"),
    "dispute_escalate": DISPUTE_ESCALATE, "dispute_withdraw": DISPUTE_WITHDRAW,
    "dispute_accept_offer": DISPUTE_ACCEPT_OFFER}
#: a dispute's reason inside a kept line (``dispute_reason``), by the reason's value
DISPUTE_REASONS: dict[str, str] = {
    "not_as_described": N_("Not as described"), "not_received": N_("Not received"),
    "billing": N_("Billing problem"), "other": N_("Other")}

# --- recorded by hand (recording.py) ------------------------------------------------------
RECORD_CANCELLATION = N_("record cancellation")
RECORD_DISPUTE = N_("record dispute")
#: the reason of a cancellation recorded by hand without a note
RECORDED_BY_HAND = N_("recorded by hand")
RECORDED_MESSAGE = N_("(recorded) {note}")
# Translators: {state} is a state in lower-case words (approved, in transit), translated
RECORDED = N_("{state} (recorded by hand)")
RECORDED_NOTE = N_("{state} (recorded by hand): {note}")
RECORDED_AMOUNT = N_("{state} (recorded by hand), {amount}")
RECORDED_AMOUNT_NOTE = N_("{state} (recorded by hand), {amount}: {note}")

# --- refunds and money back from the supplier (refunds.py, shops.py) ----------------------
# Translators: what happened, in an order's history (also "linked", "return opened")
REFUND = N_("refund")
FULL_REFUND_RETURNED = N_("full refund of {amount} to the customer (item comes back): {reason}")
FULL_REFUND_KEPT = N_("full refund of {amount} to the customer (customer keeps it): {reason}")
PARTIAL_REFUND_RETURNED = N_("partial refund of {amount} to the customer (item comes back): "
                             "{reason}")
PARTIAL_REFUND_KEPT = N_("partial refund of {amount} to the customer (customer keeps it): "
                         "{reason}")
RECOVERED = N_("recovered")
RECOVERED_BY_HAND = N_("{amount} back from {supplier} (recorded by hand)")
RECOVERED_BY_HAND_NOTE = N_("{amount} back from {supplier} (recorded by hand): {note}")
#: a refund made in the shop's own admin, as ordertui counts it
REFUNDED_IN_SHOP = N_("refunded in the shop")
REFUNDED_IN_SHOP_NOTE = N_("refunded in the shop: {note}")
SHOP_REFUND_READ = N_("{amount} refunded in the shop ({shop_order})")

# --- the returns stock (stock.py) ---------------------------------------------------------
SHIPPED_FROM_STOCK = N_("shipped from stock")
STOCK_USED = N_("stock used")
FROM_STOCK = N_("{count}× {sku} from the returns stock (returned with {order})")
FROM_STOCK_UNNAMED = N_("{count}× {sku} from the returns stock (returned with a return)")
STOCK_SHIPS_WITH = N_("{count}× {sku} returned with this order ships with {order}")

# --- returns (returns.py) -----------------------------------------------------------------
RETURN_OPENED = N_("return opened")
RETURN_NUMBER = N_("return {number}")
RETURN_TO_YOU = N_("return {number}: {items} to your address: {reason}")
RETURN_TO_YOU_TRACKED = N_("return {number}: {items} to your address: {reason} "
                           "(tracking {tracking})")
RETURN_TO_SUPPLIER = N_("return {number}: {items} to {supplier}: {reason}")
RETURN_TO_SUPPLIER_TRACKED = N_("return {number}: {items} to {supplier}: {reason} "
                                "(tracking {tracking})")
# Translators: a return moved on; {state} is its new state in words (received, restocked)
RETURN_NOW = N_("now {state}")
RETURN_NOW_NOTED = N_("now {state} ({extras})")
RETURN_RESTOCKED = N_("now {state}, {items} into the returns stock")
RETURN_RESTOCKED_NOTED = N_("now {state}, {items} into the returns stock ({extras})")
#: what is noted on a step of a return, after it (``extras``)
RETURN_TRACKING = N_("tracking {tracking}")
RETURN_CONDITION = N_("condition: {condition}")

# --- links to shop orders (shops.py) ------------------------------------------------------
LINKED = N_("linked")
UNLINKED = N_("unlinked")
LINKED_TO = N_("to {shop_order} of {shop}")
LINKED_BY_YOU = N_("to {shop_order} of {shop} (confirmed by you)")
UNLINKED_FROM = N_("from {shop_order}")
UNLINKED_FROM_UNKNOWN = N_("from its shop order")

# --- the outbox (runner.py, shop_push.py) -------------------------------------------------
QUEUED_TRACKING = N_("queued: {carrier} {tracking} for {shop_order}")
RECEIVED_BY_SUPPLIER = N_("received by {supplier}")
RECEIVED_BY_SHOP = N_("received by the shop {shop}")
HAD_IT_SUPPLIER = N_("{supplier} already had it; not sent again")
HAD_IT_SHOP = N_("the shop {shop} already had it; not sent again")
ORDER_GONE = N_("the order is gone")
SHOP_ORDER_GONE = N_("the shop order {shop_order} is not in the store any more")
# Translators: {action} is an action in words (request cancellation), translated
DROPPED = N_("not sent: {supplier} refused the {action} before it")

# --- exchange rates (fx.py, ecb.py) -------------------------------------------------------
# Translators: ECB is the European Central Bank; {file} is the name of one of its files
ECB_UNREADABLE = N_("ECB: {file} could not be read ({error})")
ECB_FUTURE = N_("ECB: {file} gives rates for {day}, after today")
ECB_TOO_LARGE = N_("ECB: {file} is larger than any such file ({size} bytes)")
ECB_HTML = N_("ECB: {file} is an HTML page, not the ECB's reference rates")
ECB_DEFUSED = N_("ECB: {file} was refused: it declares {what}")
ECB_DTD = N_("a DTD")
ECB_ENTITIES = N_("entities")
ECB_EXTERNAL = N_("an external reference")
ECB_NEVER = N_("what the ECB's files never have")
ECB_NOT_XML = N_("ECB: {file} is not readable XML")
ECB_NO_ENVELOPE = N_("ECB: {file} is not the ECB's reference rates (no Envelope)")
ECB_TOO_MANY_DAYS = N_("ECB: {file} holds more than {count} days")
ECB_DAY_TWICE = N_("ECB: {file} gives {day} twice")
ECB_TOO_MANY_CURRENCIES_ON = N_("ECB: {file} gives more than {count} currencies on {day}")
ECB_TOO_MANY_CURRENCIES = N_("ECB: {file} gives more than {count} currencies")
ECB_NO_RATES = N_("ECB: {file} holds no rates")
ECB_CSV_FILES = N_("ECB: {file} holds {count} CSV files, not one")
ECB_CSV_TOO_LARGE = N_("ECB: the CSV in {file} is too large to be rates")
ECB_NOT_ZIP = N_("ECB: {file} is not a readable zip file")
ECB_CSV_NOT_TEXT = N_("ECB: the CSV in {file} is not text")
ECB_CSV_NO_DATE = N_("ECB: the CSV in {file} does not start with Date")
ECB_CELLS = N_("ECB: {file} has more cells than currencies on {day}")
ECB_CSV_UNREADABLE = N_("ECB: the CSV in {file} is not readable")
ECB_BAD_DAY = N_("ECB: {file} has a day that is not a date: {value}")
ECB_EARLY_DAY = N_("ECB: {file} has a day before the ECB published rates: {day}")
ECB_BAD_CURRENCY = N_("ECB: {file} has a currency that is not a currency code: {value}")
ECB_BAD_RATE = N_("ECB: {file} has a rate of {currency} on {day} that is not a number: "
                  "{value}")
ECB_RATE_RANGE = N_("ECB: {file} has a rate of {currency} on {day} out of any range a "
                    "currency has: {value}")
ECB_HTTP = N_("ECB: answered HTTP {status} for {file}")

#: what ``extras`` may hold, "; " between them
EXTRAS: tuple[str, ...] = (RETURN_TRACKING, RETURN_CONDITION)
#: the words of an ECB file's refusal (``what`` of ``ECB_DEFUSED``)
DEFUSED: tuple[str, ...] = (ECB_DTD, ECB_ENTITIES, ECB_EXTERNAL, ECB_NEVER)
#: every template ``shown`` knows a whole kept line by: each one above but the parts
TEMPLATES: tuple[str, ...] = tuple(
    value for name, value in list(globals().items())
    if name.isupper() and isinstance(value, str) and value not in EXTRAS + DEFUSED)


def kept(template: str, **values: object) -> str:
    """A line to keep: ``template`` in English with its values, whatever the language (an
    amount as English writes it)."""
    return template.format(**{k: v.english() if isinstance(v, Money) else v
                              for k, v in values.items()})


def shown(text: str) -> str:
    """A kept line in the language of the process (as it is in English, or when no template
    wrote it)."""
    if not text or current().english:
        return text
    return _say(text, _patterns(TEMPLATES)) or text


def state_words(state: str) -> str:
    """A state of an order, a cancellation, a dispute or a return in lower-case words, as a
    sentence says it: ``awaiting payment``, ``in transit`` (the code with spaces in English;
    a state this version does not know, too)."""
    words = state.replace("_", " ")
    return _state_words().get(words, words)


def _state_words() -> dict[str, str]:
    """Each state's lower-case words, translated: an order's, a cancellation's and a
    dispute's as the domain says them inside a sentence (``.words``), and a return's."""
    words = {state.value.replace("_", " "): state.words
             for kind in (OrderStatus, CancellationState, DisputeState) for state in kind}
    return {**words,
            "in transit": pgettext("state", "in transit"),
            "received": pgettext("state", "received"),
            "restocked": pgettext("state", "restocked"),
            "disposed": pgettext("state", "disposed")}


_FIELD = re.compile(r"\{(\w+)\}")
#: fields that hold a number only, so that ``return {number}`` reads no other line
_NUMBERS = frozenset({"number", "count", "size", "status"})

Pattern = tuple[str, "re.Pattern[str]", tuple[str, ...]]


@cache
def _patterns(templates: tuple[str, ...]) -> tuple[Pattern, ...]:
    """Each template as a pattern that reads its values back, the most specific first (the
    most words of its own), so that ``now {state}, {items} into the returns stock`` is tried
    before ``now {state}``."""
    found = []
    for template in templates:
        parts = _FIELD.split(template)
        regex, names = "", []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                regex += re.escape(part)
            elif part in names:
                regex += f"(?P={part})"
            else:
                names.append(part)
                regex += f"(?P<{part}>[0-9][0-9,.]*)" if part in _NUMBERS else f"(?P<{part}>.*?)"
        literal = sum(len(p) for p in parts[::2])
        found.append((literal, template, re.compile(regex, re.DOTALL), tuple(names)))
    found.sort(key=lambda x: -x[0])
    return tuple((t, p, n) for _lit, t, p, n in found)


def _say(text: str, patterns: Iterable[Pattern]) -> str | None:
    for template, pattern, _names in patterns:
        match = pattern.fullmatch(text)
        if match is not None:
            values = {k: _value(k, v) for k, v in match.groupdict().items()}
            return _(template).format(**values)
    return None


def _value(name: str, value: str) -> str:
    if name == "state":
        return state_words(value)
    if name in ("dispute_reason", "action"):
        return _(value)
    if name == "what":
        return _say(value, _patterns(DEFUSED)) or value
    if name == "extras":
        return "; ".join(_say(part, _patterns(EXTRAS)) or part for part in value.split("; "))
    return value
