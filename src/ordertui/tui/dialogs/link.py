"""Which shop order a supplier order was placed for: the likely ones with why (chosen with
the arrows), or any shop order by its name. A link is never guessed: the merchant chooses,
or says none of these is the one, so that they are not proposed again."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Button, Label, RadioSet, Static

from ordertui.domain.errors import ValidationError
from ordertui.domain.models import Order, items_shown
from ordertui.domain.shop import LinkSuggestion
from ordertui.i18n import N_, _
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import date, safe
from ordertui.tui.widgets.fields import OneLine
from ordertui.tui.widgets.toggles import Radio

TYPED = "typed"  # the choice of a name typed in the field


class LinkDialog(Dialog[bool]):
    """Dismissed with True when the order was linked (or the suggestions turned down)."""

    FRAME = "dialog dialog-wide"
    SUBMIT = (N_("Link"), "form.submit", "primary")
    FIELDS = ("name",)
    BACK_RESULT = False
    SUBMIT_ON_ENTER = True

    def __init__(self, order: Order, suggestions: list[LinkSuggestion]) -> None:
        super().__init__()
        self.order, self.suggestions = order, suggestions

    def on_mount(self) -> None:
        self.query_one("#choice" if self.suggestions else "#name").focus()

    def buttons(self) -> Iterable[Button]:
        yield from super().buttons()
        if self.suggestions:
            yield Button(_("None of these"), id="none")

    @on(Button.Pressed, "#none")
    def none_of_these(self) -> None:
        """Turned down: these are not proposed for this order again."""
        self._refuse()

    @work(exclusive=True, group="dialog-submit")
    async def _refuse(self) -> None:
        assert self.order.id is not None
        for x in self.suggestions:
            await self.run_read(self.services.shops.refuse, self.order.id, x.shop_order)
        self.app.notify(_("{order}: those shop orders will not be proposed again; link it by "
                          "name when you know it").format(order=self.order.display_name),
                        markup=False)
        self.dismiss(False)

    def heading(self) -> str:
        return _("Which shop order was {order} placed for?").format(
            order=safe(self.order.display_name))

    def compose_body(self) -> ComposeResult:
        o = self.order
        yield Static(Text(f"{safe(o.customer.name)} · {safe(o.customer.address.zip)} · "
                          f"{safe(items_shown(o.items_summary), 50)} · {date(o.created_at)}"),
                     classes="dialog-body", markup=False)
        if self.suggestions:
            yield Label(_("The shop orders it may be, most likely first"),
                        classes="field-label")
            with RadioSet(id="choice"):
                for n, x in enumerate(self.suggestions):
                    yield Radio(Text(f"{safe(x.name)} — {', '.join(x.reasons)}"),
                                value=n == 0, name=str(n))
                yield Radio(_("Another one, by its name:"), name=TYPED)
        else:
            yield Static(Text(_("No shop order looks like it (the same customer, postcode or "
                                "SKUs, placed within a week). Give its name:")),
                         classes="dialog-body", markup=False)
        yield OneLine(placeholder="#1042", id="name")
        yield self.error_line("name")

    def _chosen(self) -> str | None:
        if not self.suggestions:
            return None
        pressed = self.query_one("#choice", RadioSet).pressed_button
        return pressed.name if pressed is not None else None

    async def submit(self) -> bool:
        typed = self.query_one("#name", OneLine).value.strip()
        chosen = self._chosen()
        if chosen not in (None, TYPED) and not typed:
            ref = str(self.suggestions[int(chosen)].shop_order)
        elif typed:
            ref = typed
        else:
            raise ValidationError("name", _("Write the shop order's name (#1042), or choose "
                                            "one of the list."))
        assert self.order.id is not None
        try:
            linked = await self.run_read(self.services.shops.link, self.order.id, ref)
        except ValidationError as exc:  # said under the field the name was typed in
            raise ValidationError("name", str(exc)) from exc
        self.app.notify(_("{order}: linked to {shop_order} of {shop}").format(
            order=self.order.display_name, shop_order=linked.name, shop=linked.shop),
            markup=False)
        return True


class UnlinkDialog(Dialog[bool]):
    """The order's link undone: its money is the supplier's again."""

    SUBMIT = (N_("Unlink"), "form.submit", "error")
    BACK_RESULT = False

    def __init__(self, order: Order, shop_order: str) -> None:
        super().__init__()
        self.order, self.shop_order = order, shop_order

    def heading(self) -> str:
        return _("Unlink {order} from {shop_order}?").format(
            order=safe(self.order.display_name), shop_order=safe(self.shop_order))

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("Its sale and profit are the supplier's figures again, and its "
                            "tracking no longer goes to that shop order. It is not linked to "
                            "it again by itself; you can link it by hand at any time.")),
                     classes="dialog-body", markup=False)

    async def submit(self) -> bool:
        assert self.order.id is not None
        await self.run_read(self.services.shops.unlink, self.order.id)
        return True
