"""The orders table: a window onto the store, never all rows.

It holds a small buffer of rows around what is visible (a few screens' worth), pages from
the buffer's edges by the rows' sort keys (fast at any depth of a million rows), and prefetches
before the cursor reaches an edge, so moving is instant. Jumps (``G``, a new filter, a new
sort) fetch a fresh window while the old rows stay on screen. A cursor move repaints only the
two lines that changed, which matters over a slow SSH link.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ordertui.domain.models import OrderSummary
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.i18n import _, current, formats, ngettext
from ordertui.services import Services
from ordertui.services.reads import Cancelled, ReadPool
from ordertui.tui import keys
from ordertui.tui.format import STATUS_STYLE
from ordertui.tui.widgets.order_columns import COLUMNS, Clock, Column, cell, fit

MARK_WIDTH = 2  # "● " in front of a marked row
#: how long a count that is not cheap waits after the rows, for a key that supersedes it
COUNT_PAUSE_S = 0.15


class OrderTable(Widget, can_focus=True):
    """The windowed table of orders."""

    DEFAULT_CSS = """
    OrderTable { height: 1fr; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "order-table--header", "order-table--cursor", "order-table--cursor-blurred",
        "order-table--marked", "order-table--attention", "order-table--muted",
        "order-table--positive", "order-table--negative", "order-table--placeholder",
        *{f"order-table--{s}" for s in STATUS_STYLE.values()},
    }

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("table")

    class Opened(Message):
        def __init__(self, order_id: int) -> None:
            super().__init__()
            self.order_id = order_id

    class Changed(Message):
        """The cursor, the count or the marks changed; the status line follows."""

        def __init__(self, table: OrderTable) -> None:
            super().__init__()
            self.table = table

    def __init__(self, services: Services, runner: ReadPool, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.runner = runner
        self.query_ = OrderQuery()
        #: what an empty table says, asked only when it is drawn (the screen knows why the
        #: table is empty and what helps)
        self.empty_message: Callable[[], str] = \
            lambda: _("No orders match. Press esc to clear the filter.")
        self.total: int | None = None
        self.cursor = 0
        self.top = 0
        self.buffer: list[OrderSummary] = []
        self.buffer_start = 0
        self.marked: set[int] = set()
        self.fetching = False
        self._gen = 0
        self._extending: set[str] = set()
        self._columns: list[tuple[Column, int]] = []
        self._layout_key: tuple[int, bool, str] = (-1, False, "")
        self._pending_last = False
        self._open_pending = False

    # --- geometry --------------------------------------------------------------------
    @property
    def page(self) -> int:
        """Rows that fit under the header."""
        return max(self.size.height - 1, 1)

    def _layout(self) -> list[tuple[Column, int]]:
        width = self.size.width
        ends = self.query_.protection_ends_within_days is not None
        # the headers' language sets the columns' least widths
        key = (width, ends, current().code)
        if key == self._layout_key:
            return self._columns
        avail = width - MARK_WIDTH
        least = {c.label: c.min_width for c in COLUMNS}
        chosen = sorted((c for c in COLUMNS if ends or c.key is not SortKey.ENDS),
                        key=lambda c: c.priority)
        while chosen and sum(least[c.label] for c in chosen) + len(chosen) - 1 > avail:
            chosen.pop()  # the least important column
        order = [c for c in COLUMNS if c in chosen]
        used = sum(least[c.label] for c in order) + len(order) - 1
        spare = max(avail - used, 0)
        flex_total = sum(c.flex for c in order) or 1
        widths = []
        for c in order:
            extra = spare * c.flex // flex_total
            widths.append(least[c.label] + extra)
        if order:
            leftover = avail - (sum(widths) + len(order) - 1)
            for i, c in enumerate(order):
                if c.flex and leftover > 0:
                    widths[i] += leftover
                    break
        self._columns = list(zip(order, widths, strict=True))
        self._layout_key = key
        return self._columns

    def on_resize(self, event: events.Resize) -> None:
        self._layout_key = (-1, False, "")
        self._scroll_to_cursor()
        self._ensure()
        self.refresh()

    # --- the data ----------------------------------------------------------------------
    def set_query(self, query: OrderQuery, *, keep_position: bool = False) -> None:
        """Show another filter or sort; the old rows stay until the new ones arrive."""
        self.query_ = query
        self._gen += 1
        self._extending.clear()
        if not keep_position:
            self.cursor = 0
            self.top = 0
        self.fetching = True
        self._reset(self._gen, keep_position)

    def adopt(self, query: OrderQuery, rows: list[OrderSummary], total: int) -> None:
        """Start with rows read before the app started, so the first frame already shows
        them (no empty table, no round trip through a worker)."""
        self.query_ = query
        self._gen += 1
        self.cursor = self.top = 0
        self.buffer, self.buffer_start, self.total = rows, 0, total
        self.fetching = False
        self.post_message(self.Changed(self))

    def reload(self) -> None:
        """The store changed (a sync, another session): fetch the visible window again."""
        self.set_query(self.query_, keep_position=True)

    @work(group="table-reset", exclusive=True)
    async def _reset(self, gen: int, keep_position: bool) -> None:
        page = self.page
        q = self.query_
        run = self.runner.run
        try:
            exact = not (q.search.strip() or q.ids or q.since or q.until)
            total = await run(self.services.count, q) if exact else None
            start = max(self.top - page, 0) if keep_position else 0
            only_search = q.search.strip() and not q.filtered_besides_search
            if not start and only_search and self.services.search_counts_are_cheap:
                # a plain search is counted from its index, as cheaply as it is searched
                # (SQLite's); elsewhere the rows come first and their count after them
                rows, total = await run(self.services.window_and_count, q, limit=3 * page)
            elif start and total is not None:
                rows = await run(self.services.window_at, q, start, 3 * page, total)
                start = max(min(start, total - len(rows)), 0)
            elif start:
                rows = await run(self.services.window, q, limit=3 * page, offset=start)
            else:
                rows = await run(self.services.window, q, limit=3 * page)
            if total is None and start == 0 and len(rows) < 3 * page:
                total = len(rows)
            if gen != self._gen:
                return
            self._replace(gen, start, rows, total)
            if total is None:
                if not self.services.search_counts_are_cheap:
                    # a count that reads every match waits for the typing to pause: the
                    # next key cancels this worker before the count has started, not a
                    # query already running on the server (a cancel request of its own)
                    await asyncio.sleep(COUNT_PAUSE_S)
                total = await run(self.services.count, q)
                if gen == self._gen:
                    self.total = total
                    self._clamp()
                    self.post_message(self.Changed(self))
                    self.refresh()
        except Cancelled:
            return

    def _replace(self, gen: int, start: int, rows: list[OrderSummary], total: int | None
                 ) -> None:
        if gen != self._gen:
            return
        changed = (start != self.buffer_start or total != self.total
                   or [(r.id, r.key, r.status, r.cancellation_state, r.dispute_state,
                        r.tracking_number) for r in rows] !=
                   [(r.id, r.key, r.status, r.cancellation_state, r.dispute_state,
                     r.tracking_number) for r in self.buffer])
        self.buffer, self.buffer_start = rows, start
        self.total = total
        self.fetching = False
        self._clamp()
        self.post_message(self.Changed(self))
        if changed:
            self.refresh()
        self._ensure()
        if self._open_pending:
            self._open_pending = False
            self.action_open()

    def _clamp(self) -> None:
        limit = self.total if self.total is not None else self.buffer_start + len(self.buffer)
        if limit <= 0:
            self.cursor = self.top = 0
            return
        self.cursor = min(self.cursor, limit - 1)
        self.top = max(0, min(self.top, max(limit - self.page, 0)))
        self._scroll_to_cursor()

    @property
    def known_end(self) -> int:
        """How many rows are known to exist (the count, or what has been seen so far)."""
        if self.total is not None:
            return self.total
        return self.buffer_start + len(self.buffer)

    def _covers(self, lo: int, hi: int) -> bool:
        return self.buffer_start <= lo and hi <= self.buffer_start + len(self.buffer)

    def _ensure(self) -> None:
        """Fetch what the visible window needs, and prefetch around it."""
        if self.fetching:
            return
        page = self.page
        end = self.known_end
        lo, hi = self.top, min(self.top + page, end)
        if hi > lo and not self._covers(lo, hi):
            buf_end = self.buffer_start + len(self.buffer)
            if self.buffer and buf_end <= lo <= buf_end + page:
                self._extend("down")
            elif self.buffer and self.buffer_start - 2 * page <= lo < self.buffer_start:
                self._extend("up")
            else:
                self._jump(self._gen, max(lo - page, 0))
            return
        buf_end = self.buffer_start + len(self.buffer)
        if (self.buffer and buf_end < min(end, self.top + 2 * page)) or (
                self.total is None and self.buffer and buf_end < self.top + 2 * page):
            self._extend("down")
        if self.buffer and self.buffer_start > max(0, self.top - page):
            self._extend("up")

    def _extend(self, direction: str) -> None:
        if direction in self._extending or not self.buffer:
            return
        self._extending.add(direction)
        self._fetch_edge(self._gen, direction)

    @work(group="table-edge")
    async def _fetch_edge(self, gen: int, direction: str) -> None:
        page = self.page
        try:
            if direction == "down":
                key = self.buffer[-1].key
                rows = await self.runner.run(self.services.window, self.query_,
                                             limit=2 * page, after=key)
            else:
                key = self.buffer[0].key
                rows = await self.runner.run(self.services.window, self.query_,
                                             limit=2 * page, before=key)
        except Cancelled:
            return
        finally:
            self._extending.discard(direction)
        if gen != self._gen or not self.buffer:
            return
        end = min(self.top + self.page, self.known_end)
        showed_gaps = any(self.row_at(i) is None for i in range(self.top, end))
        if direction == "down":
            if self.buffer[-1].key != key:
                return
            self.buffer.extend(rows)
            if len(rows) < 2 * page and self.total is None:
                self.total = self.buffer_start + len(self.buffer)
            excess = len(self.buffer) - 8 * page
            if excess > 0 and self.buffer_start + excess <= self.top - page:
                del self.buffer[:excess]
                self.buffer_start += excess
        else:
            if self.buffer[0].key != key:
                return
            self.buffer[:0] = rows
            self.buffer_start -= len(rows)
            if self.buffer_start < 0:  # rows were added above since; renumber from here
                self.buffer_start = 0
            excess = len(self.buffer) - 8 * page
            if excess > 0:
                del self.buffer[-excess:]
        if showed_gaps or self.total is None:
            # only rows that were drawn as "…" need drawing again: a prefetch beyond the
            # screen writes nothing to the terminal
            self.refresh()
        self._ensure()

    @work(group="table-jump", exclusive=True)
    async def _jump(self, gen: int, start: int) -> None:
        page = self.page
        run = self.runner.run
        try:
            if self.total is None:
                total = await run(self.services.count, self.query_)
                if gen != self._gen:
                    return
                self.total = total
            total = self.total
            if self._pending_last or start + 3 * page >= total:
                rows = await run(self.services.window, self.query_, limit=3 * page,
                                 from_end=True)
                start = max(total - len(rows), 0)
            else:
                rows = await run(self.services.window_at, self.query_, start, 3 * page, total)
        except Cancelled:
            return
        if gen != self._gen:
            return
        self.buffer, self.buffer_start = rows, start
        if self._pending_last:
            self._pending_last = False
            self.cursor = max(total - 1, 0)
            self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Changed(self))
        self._ensure()

    def row_at(self, index: int) -> OrderSummary | None:
        i = index - self.buffer_start
        if 0 <= i < len(self.buffer):
            return self.buffer[i]
        return None

    @property
    def current(self) -> OrderSummary | None:
        return self.row_at(self.cursor)

    # --- moving ----------------------------------------------------------------------
    def _scroll_to_cursor(self) -> None:
        page = self.page
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + page:
            self.top = self.cursor - page + 1

    def move_to(self, index: int) -> None:
        self._open_pending = False  # the merchant moved on
        end = self.known_end
        if end <= 0:
            return
        index = max(0, min(index, end - 1))
        if index == self.cursor:
            return
        old_cursor, old_top = self.cursor, self.top
        self.cursor = index
        self._scroll_to_cursor()
        if self.top == old_top:
            self.refresh_row(old_cursor)
            self.refresh_row(self.cursor)
        else:
            self.refresh()
        self.post_message(self.Changed(self))
        self._ensure()

    def refresh_row(self, index: int) -> None:
        y = index - self.top + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        page = self.page
        end = self.known_end
        if end <= 0:
            return
        new_top = min(self.top + page, max(end - page, 0))
        self.cursor = min(self.cursor + (new_top - self.top) if new_top != self.top
                          else end - 1, end - 1)
        self.top = new_top
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Changed(self))
        self._ensure()

    def action_page_up(self) -> None:
        new_top = max(self.top - self.page, 0)
        self.cursor = max(self.cursor - (self.top - new_top) if new_top != self.top else 0, 0)
        self.top = new_top
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Changed(self))
        self._ensure()

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if self.total is None:
            self._pending_last = True  # count first, then land on the last rows
            self._jump(self._gen, 0)
            return
        self.move_to(self.total - 1)

    def action_open(self) -> None:
        if self.fetching:
            # the rows on screen belong to the previous filter: open once the new ones are in
            self._open_pending = True
            return
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row.id))

    def action_mark(self) -> None:
        row = self.current
        if row is None:
            return
        if row.id in self.marked:
            self.marked.discard(row.id)
        else:
            self.marked.add(row.id)
        self.refresh_row(self.cursor)
        self.post_message(self.Changed(self))
        self.move_to(self.cursor + 1)

    def clear_marks(self) -> None:
        if self.marked:
            self.marked.clear()
            self.refresh()
            self.post_message(self.Changed(self))

    # --- mouse (welcome, never required) ----------------------------------------------
    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(self.top + event.y - 1)
            if event.chain >= 2:
                self.action_open()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.move_to(self.cursor + 3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.move_to(self.cursor - 3)

    def on_focus(self) -> None:
        self.refresh_row(self.cursor)

    def on_blur(self) -> None:
        self.refresh_row(self.cursor)

    # --- drawing ---------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"order-table--{name}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        index = self.top + y - 1
        row = self.row_at(index)
        if row is None:
            if index < self.known_end and self.buffer:
                return Strip([Segment(" " * MARK_WIDTH + "…".ljust(width - MARK_WIDTH),
                                      base + self._style("placeholder"))]).crop(0, width)
            if index == 0 and not self.fetching and self.known_end == 0:
                msg = f"  {self.empty_message()}"
                return Strip([Segment(msg.ljust(width), base + self._style("muted"))]
                             ).crop(0, width)
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        line_style = base
        if is_cursor:
            line_style = base + self._style("cursor" if self.has_focus else "cursor-blurred")
        marked = row.id in self.marked
        segments = [Segment("● " if marked else "  ",
                            line_style + (self._style("marked") if marked else Style()))]
        for i, (col, w) in enumerate(self._layout()):
            value, style_name = self._cell(col, row)
            cell = fit(value, w, col.right)
            style = line_style
            if style_name and not is_cursor:
                style = line_style + self._style(style_name)
            elif style_name == "attention":
                style = line_style + Style(bold=True)
            segments.append(Segment(cell, style))
            if i < len(self._columns) - 1:
                segments.append(Segment(" ", line_style))
        strip = Strip(segments)
        return strip.extend_cell_length(width, line_style).crop(0, width)

    def _cell(self, col: Column, row: OrderSummary) -> tuple[str, str]:
        cfg = self.services.config
        return cell(col, row, Clock(self.services.clock(), cfg.stalled_tracking_days,
                                    cfg.protection_warning_days))

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self._style("header")
        segments = [Segment(" " * MARK_WIDTH, style)]
        for i, (col, w) in enumerate(self._layout()):
            label = col.header
            if col.key is self.query_.sort:
                label += " ▼" if self.query_.descending else " ▲"
            segments.append(Segment(fit(label, w, col.right), style))
            if i < len(self._columns) - 1:
                segments.append(Segment(" ", style))
        return Strip(segments).extend_cell_length(width, style).crop(0, width)

    # --- for the status line ------------------------------------------------------------
    def describe_position(self) -> str:
        end = self.total
        if end is None:
            seen = self.known_end
            return ngettext("≥{n} order", "≥{n} orders", seen).format(n=formats.number(seen))
        if end == 0:
            return ngettext("{n} order", "{n} orders", 0).format(n=formats.number(0))
        # Translators: where the cursor is in the table: "12 of 1,500"
        return _("{position} of {total}").format(position=formats.number(self.cursor + 1),
                                                 total=formats.number(end))

    async def wait_idle(self) -> None:
        """For tests and benchmarks: until no fetch is pending."""
        while self.fetching or self._extending:
            await asyncio.sleep(0.01)
