"""Every key of the app in one table: what it does, where, under which id it can be remapped,
and in which group ``?`` lists it.

Screens take their ``BINDINGS`` from here (:func:`bindings`), the footer and the help screen
show them, Settings offers them for remapping (:func:`remappable`), and dialogs name the key
on their buttons (:func:`key_text`) — so a key moved in ``[keys]`` moves everywhere at once,
and a new screen adds its keys here rather than writing letters into its labels. A key whose
action needs a permission names it (``domain.roles``): where the session's role lacks it,
the screens do not offer the key (:func:`permission_for`).

The words are English constants, built when the module is imported, before the language of
the process is chosen (Textual's ``Binding.description`` is fixed with its class): they are
marked here and translated where they are shown — :func:`describe` for what a key does,
:func:`group_name` for a group of ``?``; :func:`remappable` and :func:`clash` give their
rows and messages already translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from ordertui.domain.roles import Permission
from ordertui.i18n import N_, _, pgettext

#: the order ``?`` shows its groups in
GROUPS = (N_("Move"), N_("Views"), N_("Find"), N_("Orders"), N_("Act"), N_("Supplier"),
          N_("Returns"), N_("Shop"), N_("Go to"), N_("App"), N_("Other"))


@dataclass(frozen=True, slots=True)
class KeyAction:
    """One key binding of one part of the app."""

    scope: str  # where it applies: a screen, a widget, "app" (everywhere) or "dialog"
    id: str  # what ``[keys]`` remaps; one id keeps one key wherever it is bound
    keys: str  # the default key(s), as Textual names them ("c", "question_mark", "j,down")
    action: str  # the Textual action it runs
    description: str  # what the footer and ``?`` say, in English (see ``describe``)
    group: str = "Other"  # where ``?`` lists it
    show: bool = True  # in the footer
    priority: bool = False  # handled before the focused widget sees the key
    remap: bool = True  # offered in Settings
    #: what the session's role must allow for the key to be offered (None: viewing)
    permission: Permission | None = None

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show,
                       priority=self.priority, id=self.id)


def _k(scope: str, id: str, keys: str, action: str, description: str, group: str = "Other",
       *, show: bool = True, priority: bool = False, remap: bool = True,
       permission: Permission | None = None) -> KeyAction:
    return KeyAction(scope, id, keys, action, description, group, show, priority, remap,
                     permission)


P = Permission


#: the tabs of the orders screen, in order (labels come from ``domain.query.View``)
VIEW_COUNT = 8

#: Every binding, scope by scope, in the order the footer shows them.
TABLE: tuple[KeyAction, ...] = (
    # everywhere ----------------------------------------------------------------------
    _k("app", "help", "question_mark", "help", N_("Help"), "App"),
    _k("app", "disputes", "D", "disputes", N_("Disputes"), "Go to", show=False),
    _k("app", "settings", "comma", "settings", N_("Settings"), "Go to", show=False,
       permission=P.SETTINGS),
    _k("app", "returns", "U", "returns", N_("Returns"), "Go to", show=False),
    _k("app", "stock", "K", "stock", N_("Returns stock"), "Go to", show=False),
    _k("app", "policy", "P", "policy", N_("Return policy"), "Go to", show=False),
    _k("app", "shop_orders", "O", "shop_orders", N_("To order"), "Go to", show=False),
    # the orders screen ---------------------------------------------------------------
    # "/" and enter in the filter take effect as the key arrives (see tui/key_order.py)
    _k("orders", "filter", "slash", "filter", N_("Filter"), "Find", priority=True),
    _k("orders", "filter_done", "enter", "filter_done", N_("Done"), "Find", show=False,
       priority=True, remap=False),
    _k("orders", "back", "escape", "back", N_("Clear"), "Find", show=False),
    _k("orders", "sort", "s", "sort", N_("Sort"), "Find"),
    _k("orders", "cancel", "c", "cancel", "Cancel", "Act", permission=P.CANCEL),
    _k("orders", "dispute", "d", "dispute", N_("Dispute"), "Act", permission=P.DISPUTE),
    _k("orders", "export", "e", "export", N_("Export"), "Act", permission=P.EXPORT),
    _k("orders", "sync", "r", "sync", N_("Sync"), "Act", permission=P.SYNC),
    _k("orders", "add", "a", "add", N_("Add by id"), "Act", permission=P.SYNC),
    _k("orders", "disputes", "D", "disputes", N_("Disputes"), "Go to"),
    _k("orders", "next_view", "tab", "next_view", N_("Next view"), "Views", show=False),
    _k("orders", "prev_view", "shift+tab", "prev_view", N_("Previous view"), "Views", show=False),
    *(_k("orders", f"view_{i}", str(i), f"view({i})", label, "Views", show=False)
      for i, label in enumerate((N_("All"), N_("Needs attention"), N_("Awaiting payment"),
                                 N_("Processing"), N_("Shipped"), N_("Delivered"),
                                 N_("Cancelled"), N_("Protection ends ≤7d")), 1)),
    _k("orders", "quit", "q", "app.quit", N_("Quit"), "App"),
    # the orders table ----------------------------------------------------------------
    _k("table", "cursor_down", "down,j", "cursor_down", N_("Down"), "Move", show=False),
    _k("table", "cursor_up", "up,k", "cursor_up", N_("Up"), "Move", show=False),
    _k("table", "page_down", "pagedown,ctrl+f", "page_down", N_("Page down"), "Move", show=False),
    _k("table", "page_up", "pageup,ctrl+b", "page_up", N_("Page up"), "Move", show=False),
    _k("table", "first", "home,g", "first", N_("First"), "Move", show=False),
    _k("table", "last", "end,G", "last", N_("Last"), "Move", show=False),
    _k("table", "open", "enter", "open", "Open", "Orders"),
    _k("table", "mark", "space", "mark", N_("Mark"), "Orders"),
    # an order's details --------------------------------------------------------------
    _k("details", "back", "escape", "app.pop_screen", N_("Back"), "Move"),
    _k("details", "cancel", "c", "cancel", "Cancel", "Act", permission=P.CANCEL),
    _k("details", "answer", "a", "answer", N_("Answer supplier"), "Act",
       permission=P.CANCEL),
    _k("details", "dispute", "d", "dispute", N_("Dispute"), "Act", permission=P.DISPUTE),
    _k("details", "thread", "t", "thread", N_("Thread"), "Act"),
    # a cancellation or a dispute: the screen offers it for what the role may record
    _k("details", "record", "m", "record", N_("Record by hand"), "Act"),
    _k("details", "open_page", "o", "open_page", N_("Supplier page"), "Supplier"),
    _k("details", "return_open", "R", "return", N_("Return"), "Returns",
       permission=P.RETURN),
    _k("details", "return_step", "u", "return_step", N_("Update return"), "Returns",
       permission=P.RETURN),
    _k("details", "refund", "f", "refund", "Refund", "Returns", permission=P.REFUND),
    _k("details", "recovered", "v", "recovered", N_("Recovered"), "Returns", show=False,
       permission=P.REFUND),
    _k("details", "use_stock", "x", "use_stock", N_("From stock"), "Returns",
       permission=P.RETURN),
    _k("details", "link", "L", "link", N_("Shop link"), "Shop", permission=P.LINK),
    _k("details", "refresh", "r", "refresh", N_("Refresh"), "Supplier", permission=P.SYNC),
    _k("details", "scroll_down", "j,down", "scroll_down", N_("Scroll"), "Move", show=False),
    _k("details", "scroll_up", "k,up", "scroll_up", N_("Scroll"), "Move", show=False),
    # a dispute's thread --------------------------------------------------------------
    _k("thread", "back", "escape", "back", N_("Back"), "Move"),
    _k("thread", "reply", "r", "reply", N_("Reply"), "Act", permission=P.DISPUTE),
    _k("thread", "escalate", "x", "escalate", N_("Escalate"), "Act", permission=P.DISPUTE),
    _k("thread", "accept", "A", "accept", N_("Accept offer"), "Act", permission=P.DISPUTE),
    _k("thread", "withdraw", "w", "withdraw", N_("Withdraw"), "Act", permission=P.DISPUTE),
    # the same key as on an order's details; here it records a dispute (the screen asks)
    _k("thread", "record", "m", "record", N_("Record by hand"), "Act"),
    _k("thread", "scroll_down", "j,down", "scroll_down", N_("Scroll"), "Move", show=False),
    _k("thread", "scroll_up", "k,up", "scroll_up", N_("Scroll"), "Move", show=False),
    # the disputes list ---------------------------------------------------------------
    _k("disputes", "back", "escape", "app.pop_screen", N_("Back"), "Move"),
    _k("disputes", "dispute_filter", "f", "next_filter", N_("Filter"), "Find"),
    _k("disputes", "open", "enter", "open", N_("Open thread"), "Act", show=False),
    _k("disputes", "cursor_down", "j", "cursor_down", N_("Down"), "Move", show=False),
    _k("disputes", "cursor_up", "k", "cursor_up", N_("Up"), "Move", show=False),
    # the returns list and the returns stock -----------------------------------------
    _k("returns", "back", "escape", "app.pop_screen", N_("Back"), "Move"),
    _k("returns", "cursor_down", "j", "cursor_down", N_("Down"), "Move", show=False),
    _k("returns", "cursor_up", "k", "cursor_up", N_("Up"), "Move", show=False),
    _k("returns", "returns_filter", "f", "next_filter", N_("Filter"), "Find"),
    _k("returns", "open", "enter", "open", N_("Open order"), "Act", show=False),
    _k("shop_orders", "back", "escape", "app.pop_screen", N_("Back"), "Move"),
    _k("shop_orders", "cursor_down", "j", "cursor_down", N_("Down"), "Move", show=False),
    _k("shop_orders", "cursor_up", "k", "cursor_up", N_("Up"), "Move", show=False),
    _k("shop_orders", "shop_filter", "f", "next_filter", N_("Filter"), "Find"),
    _k("shop_orders", "open", "enter", "open", N_("Open order"), "Act", show=False),
    _k("stock", "back", "escape", "app.pop_screen", N_("Back"), "Move"),
    _k("stock", "cursor_down", "j", "cursor_down", N_("Down"), "Move", show=False),
    _k("stock", "cursor_up", "k", "cursor_up", N_("Up"), "Move", show=False),
    # the return policy ---------------------------------------------------------------
    _k("policy", "back", "escape", "app.pop_screen", N_("Back"), "Move"),
    _k("policy", "policy_language", "l", "language", N_("Language"), "Act"),
    _k("policy", "policy_format", "t", "format", N_("Markdown/text"), "Act"),
    _k("policy", "policy_write", "w", "write", N_("Save to file"), "Act"),
    _k("policy", "scroll_down", "j,down", "scroll_down", N_("Scroll"), "Move", show=False),
    _k("policy", "scroll_up", "k,up", "scroll_up", N_("Scroll"), "Move", show=False),
    # settings --------------------------------------------------------------------------
    _k("settings", "back", "escape", "back", N_("Back"), "Move"),
    _k("settings", "settings.save", "ctrl+s", "save", N_("Save"), "Act", priority=True,
       remap=False),
    _k("settings", "settings.remap", "enter", "remap", N_("Change key"), "Act", show=False,
       remap=False),
    # every dialog --------------------------------------------------------------------
    _k("dialog", "modal.back", "escape", "back", N_("Back"), "App", remap=False),
    _k("dialog", "form.submit", "ctrl+s", "submit", N_("Save"), "Act", priority=True,
       remap=False),
    # leaving Settings with unsaved changes ---------------------------------------------
    _k("leave", "leave.save", "y", "submit", N_("Save"), "Act", remap=False),
    _k("leave", "leave.drop", "n", "drop", N_("Drop them"), "Act", remap=False),
    _k("leave", "leave.stay", "escape", "back", N_("Stay"), "App", remap=False),
    # a question to confirm -----------------------------------------------------------
    _k("confirm", "modal.no", "escape,n", "back", N_("No"), "App", remap=False),
    _k("confirm", "modal.yes", "y", "submit", N_("Yes"), "Act", remap=False),
    # the help screen -----------------------------------------------------------------
    _k("help", "help.close", "escape,question_mark,q", "back", N_("Close"), "App", remap=False),
    _k("help", "help.scroll_down", "j,down", "scroll_down", N_("Scroll"), "Move", show=False,
       remap=False),
    _k("help", "help.scroll_up", "k,up", "scroll_up", N_("Scroll"), "Move", show=False,
       remap=False),
)

#: the keys that open a dialog or a form: typed where they open nothing (not offered on
#: this order or screen), the keys typed behind them are dropped, not run as commands
OPENS = frozenset({"cancel", "answer", "dispute", "record", "return_open", "return_step",
                   "refund", "recovered", "use_stock", "reply", "escalate", "accept",
                   "withdraw", "export", "sort", "add", "policy_write", "link"})

#: Textual's own bindings, grouped for ``?``
BUILTIN_GROUPS = {"command_palette": N_("App"), "quit": N_("App")}

#: What Settings calls each scope when it lists a key
SCOPE_NAMES = {"orders": N_("Orders"), "table": N_("Orders"), "details": N_("Order"),
               "thread": N_("Dispute"), "disputes": N_("Disputes"), "returns": N_("Returns"),
               "stock": N_("Returns stock"), "policy": N_("Return policy"),
               "settings": N_("Settings"), "shop_orders": N_("Shop orders"),
               "app": N_("Everywhere")}

#: The scopes whose keys Settings offers, in its order
REMAP_SCOPES = ("orders", "table", "details", "thread", "disputes", "app")


#: Which keys the bottom line keeps when it cannot show them all, most important first: the
#: way back and in, then what the merchant came to do; keys not named here come after, in
#: the table's order
FOOTER_RANK: tuple[str, ...] = (
    "back", "open", "filter", "cancel", "dispute", "answer", "thread", "reply", "sort",
    "export", "sync", "return_open", "refund", "return_step", "use_stock", "escalate",
    "accept", "withdraw", "record", "open_page", "refresh", "dispute_filter",
    "returns_filter", "shop_filter", "link", "policy_language", "policy_format",
    "policy_write", "settings.save",
    "modal.yes", "modal.no", "form.submit", "modal.back", "help.close", "mark", "add",
    "disputes", "help", "quit")


def footer_rank(binding_id: str | None, action: str) -> int:
    """Where a key stands on the bottom line (lower: kept longer, shown first)."""
    if binding_id in FOOTER_RANK:
        return FOOTER_RANK.index(binding_id)
    ids = [k.id for k in TABLE]
    return len(FOOTER_RANK) + (ids.index(binding_id) if binding_id in ids else len(ids))


#: the permission each binding id needs (one id, one meaning, one permission)
PERMISSIONS: dict[str, Permission] = {k.id: k.permission for k in TABLE
                                      if k.permission is not None}


def permission_for(bindings: list[BindingType], action: str) -> Permission | None:
    """What the role must allow for ``action`` of a screen (or the app) whose ``BINDINGS``
    are ``bindings``; None when the action only shows something."""
    for b in bindings:
        if isinstance(b, Binding) and b.action == action and b.id in PERMISSIONS:
            return PERMISSIONS[b.id]
    return None


def in_scope(scope: str) -> list[KeyAction]:
    return [k for k in TABLE if k.scope == scope]


def bindings(*scopes: str) -> list[BindingType]:
    """The Textual bindings of ``scopes``, for a class's ``BINDINGS``."""
    return [k.binding() for scope in scopes for k in in_scope(scope)]


def by_id(binding_id: str) -> list[KeyAction]:
    return [k for k in TABLE if k.id == binding_id]


def group_of(binding_id: str | None, action: str) -> str | None:
    """The help group of a binding, by its id (or, for Textual's own, its action)."""
    for k in TABLE:
        if binding_id is not None and k.id == binding_id:
            return k.group
    return BUILTIN_GROUPS.get(action)


@dataclass(frozen=True, slots=True)
class Remappable:
    id: str
    description: str  # what the key does, in words of its own
    where: str  # the screens it works on: "Orders, Order"
    keys: str  # the default


#: Settings' words for a key whose screens call it differently
SETTINGS_WORDS = {
    "back": N_("Back, or clear filter and marks"),
    "cancel": N_("Request cancellation"), "dispute": N_("Open a dispute, or its thread"),
    "open": N_("Open the order or the thread"), "disputes": N_("Go to the disputes"),
    "link": N_("Link to its shop order, or unlink"),
    "shop_orders": N_("Go to what needs ordering"),
    "record": N_("Record what you did on its page"),
    "scroll_down": N_("Scroll down"), "scroll_up": N_("Scroll up"),
    "cursor_down": N_("Down"), "cursor_up": N_("Up"),
    "answer": N_("Answer the supplier's question"),
    "thread": N_("The dispute's thread"), "open_page": N_("The supplier's page"),
    "return_open": N_("Accept a return"), "return_step": N_("Move the return along"),
    "refund": N_("Refund the customer"), "recovered": N_("Money back from the supplier"),
    "use_stock": N_("Ship it from the returns stock"),
    "refresh": N_("Refresh from the supplier"),
    "add": N_("Add orders by the supplier's id"), "mark": N_("Mark for bulk actions"),
    "help": N_("Every key of the screen"), "settings": N_("Settings"),
    "returns": N_("Go to returns"), "stock": N_("Go to the returns stock"),
    "policy": N_("Go to your return policy"),
    "accept": N_("Accept the supplier's offer"), "reply": N_("Reply in the dispute"),
}

#: the descriptions whose English word means something else elsewhere in the app: "Cancel"
#: the order (not a dialog), "Open" the order (not a dispute that is open), "Refund" the
#: customer (the verb, short for the footer)
_IN_CONTEXT: dict[str, Callable[[], str]] = {
    "Cancel": lambda: pgettext("action", "Cancel"),
    "Open": lambda: pgettext("action", "Open"),
    "Refund": lambda: pgettext("action", "Refund"),
}


def describe(description: str) -> str:
    """What a key does, in the language of the process: a binding's English description
    (this table's, or one of Textual's own) translated where it is shown."""
    if not description:
        return description
    in_context = _IN_CONTEXT.get(description)
    return in_context() if in_context is not None else _(description)


def group_name(group: str) -> str:
    """A group of ``?`` (one of GROUPS), in the language of the process."""
    return _(group)


def remappable() -> list[Remappable]:
    """Every key the merchant may remap, one row per id, in the table's order, in the
    language of the process."""
    found: dict[str, list[KeyAction]] = {}
    for scope in REMAP_SCOPES:
        for k in in_scope(scope):
            if k.remap:
                found.setdefault(k.id, []).append(k)
    rows = []
    for binding_id, entries in found.items():
        screens = list(dict.fromkeys(_(SCOPE_NAMES[k.scope]) for k in entries))
        everywhere = any(k.scope == "app" for k in entries) or len(screens) > 2
        where = _(SCOPE_NAMES["app"]) if everywhere else ", ".join(screens)
        words = SETTINGS_WORDS.get(binding_id)
        rows.append(Remappable(binding_id,
                               _(words) if words else describe(entries[0].description),
                               where, entries[-1].keys))
    return rows


#: the screens, as the scopes whose keys are live on each at once, and what people call them
SCREENS: dict[str, tuple[str, ...]] = {
    N_("the orders screen"): ("app", "orders", "table"),
    N_("an order's details"): ("app", "details"),
    N_("a dispute's thread"): ("app", "thread"),
    N_("the disputes"): ("app", "disputes"),
    N_("the returns"): ("app", "returns"),
    N_("the returns stock"): ("app", "stock"),
    N_("the shop orders"): ("app", "shop_orders"),
    N_("the return policy"): ("app", "policy"),
    N_("Settings"): ("app", "settings"),
}

#: keys two actions share by design, one of them live only while the other is not
#: (enter ends typing in the filter, and opens the order when the table has the focus)
SHARED = frozenset({frozenset({"filter_done", "open"})})


def clash(keymap: Mapping[str, str]) -> tuple[str, str] | None:
    """Why ``keymap`` cannot be used — (the id at fault, one line, in the language of the
    process) — or None: a key it gives that another action on the same screen already has,
    or an id of no action."""
    known = {k.id for k in TABLE if k.remap}
    for binding_id in keymap:
        if binding_id not in known:
            return binding_id, _("there is no action {id} to give a key to; the actions are "
                                 "listed in Settings (the Id column)").format(
                                     id=repr(binding_id))
    for screen, scopes in SCREENS.items():
        seen: dict[str, KeyAction] = {}
        for scope in scopes:
            for k in in_scope(scope):
                for key in (keymap.get(k.id) or k.keys).split(","):
                    key = key.strip()
                    other = seen.get(key)
                    if other is None:
                        seen[key] = k
                    elif other.id != k.id and frozenset({other.id, k.id}) not in SHARED:
                        mine = k if k.id in keymap else other
                        theirs = other if mine is k else k
                        # Translators: "'o' is already 'Sort' on the orders screen; choose
                        # another key for 'cancel'" ({screen}: one of the screens' names)
                        return mine.id, _("{key} is already {action} on {screen}; choose "
                                          "another key for {id}").format(
                                              key=repr(display(key)),
                                              action=repr(describe(theirs.description)),
                                              screen=_(screen), id=repr(mine.id))
    return None


def key_text(keymap: Mapping[str, str], binding_id: str) -> str:
    """The key a person presses for ``binding_id`` now, as a button or a sentence names it
    ("esc", "ctrl+s", "c"): the first of its keys, after the merchant's remapping."""
    entries = by_id(binding_id)
    keys = keymap.get(binding_id) or (entries[0].keys if entries else binding_id)
    return display(keys.split(",")[0].strip())


_NAMES = {"escape": "esc", "question_mark": "?", "slash": "/", "comma": ",", "space": "space",
          "enter": "enter", "tab": "tab", "shift+tab": "shift+tab", "pagedown": "pgdn",
          "pageup": "pgup", "full_stop": ".", "minus": "-", "plus": "+"}


def display(key: str) -> str:
    """How a key is written for people: ``escape`` → ``esc``, ``question_mark`` → ``?``."""
    return _NAMES.get(key, key)
