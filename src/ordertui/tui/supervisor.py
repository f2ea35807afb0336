"""The app's background work, in one place: sending what the outbox holds, syncing on a timer
(sooner while a supplier owes an answer), reading orders' details one by one where a
supplier's list has none, and noticing what other sessions write to the store.

Each loop runs as a Textual worker of the app. What they find reaches the merchant as
notifications and as :class:`StoreChanged` messages; how the sync stands is the app's
reactive ``sync_state``, which the status line follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual.worker import WorkType

from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import SyncEvent
from ordertui.domain.roles import Permission
from ordertui.i18n import _
from ordertui.services.policy import refresh_published
from ordertui.services.syncing import SyncProgress
from ordertui.tui.format import clock, safe

if TYPE_CHECKING:
    from ordertui.tui.shell import Shell

WATCH_INTERVAL_S = 2.0  # how often another session's changes are looked for (SQLite)
WATCH_INTERVAL_PG_S = 0.25  # how often the notifications a PostgreSQL store sent are read
OUTBOX_INTERVAL_S = 2.0  # how often a session without the outbox lock tries to take it
RETRY_AFTER_ERROR_S = 60.0
DETAILS_BUDGET = 10  # orders read one by one per round, within the supplier's rate limit


@dataclass(frozen=True, slots=True)
class SyncState:
    """How the sync with the suppliers stands, for the status line."""

    syncing: str | None = None  # the suppliers being synced now
    progress: float | None = None  # 0..1 when the supplier says how much is coming
    last_sync: datetime | None = None
    error: str = ""
    next_retry: float | None = None  # epoch seconds
    #: the session's role does not sync (its name): others' sessions do
    not_by: str = ""

    def summary(self) -> str:
        """In the language of the process."""
        if self.not_by:
            return _("no sync in the role {role}").format(role=self.not_by)
        if self.syncing:
            if self.progress is None:
                return _("syncing")
            return _("syncing {percent}").format(percent=f"{self.progress:.0%}")
        if self.error:
            error = safe(self.error, 60)
            if self.next_retry:
                return _("offline: {error} · retry {time}").format(
                    error=error, time=clock(datetime.fromtimestamp(self.next_retry).astimezone()))
            return _("offline: {error}").format(error=error)
        if self.last_sync is not None:
            return _("synced {time}").format(time=clock(self.last_sync))
        return _("not synced yet")


class Supervisor:
    def __init__(self, app: Shell) -> None:
        self.app = app
        self.services = app.services
        self._sync_now = asyncio.Event()
        #: orders already read in full this session (the details loop never loops on one)
        self._details_read: set[int] = set()
        #: the last of the suppliers' decisions told to this merchant (None: not read yet)
        self.news_seen: int | None = None

    def start(self) -> None:
        """The loops; a role that does not sync runs neither the outbox nor the sync (its
        session sends nothing): it sees what other sessions bring."""
        self.services.outbox_wakeup = asyncio.Event()
        loops: list[tuple[Callable[[], Coroutine[None, None, None]], str]] = [
            (self._watch_loop, "watch")]
        if self.services.allows(Permission.SYNC):
            loops[:0] = [(self._outbox_loop, "outbox"), (self._sync_loop, "sync")]
        else:
            self.app.sync_state = SyncState(not_by=self.services.role.name)
        for loop, group in loops:
            self._run(loop, group)

    def _run(self, loop: Callable[[], Coroutine[None, None, None]], group: str) -> None:
        """A loop as a worker of the app; started lazily, so that an app closed before it
        ran leaves no coroutine behind."""
        work: WorkType[None] = loop
        self.app.run_worker(work, group=group, exclusive=True, name=group)

    def stop(self) -> None:
        self.services.runner().release()

    def sync_now(self) -> None:
        self._sync_now.set()

    # --- the outbox --------------------------------------------------------------------
    async def _outbox_loop(self) -> None:
        await self.services.runner().run_forever(self._sent, interval_s=OUTBOX_INTERVAL_S)

    def _sent(self, events: list[SyncEvent]) -> None:
        # a refusal is news for every session (it comes back through tell_news); an action
        # that could not be sent yet concerns this one
        self.app.announce([e for e in events if e.kind == "failed"])
        self.app.post_store_changed()
        self.tell_news()
        # something went to a supplier: follow up sooner than the regular interval
        self._sync_now.set()

    # --- what the suppliers decided, told once in every session -------------------------
    def tell_news(self) -> None:
        self._run(self._tell_news, "news")

    async def _tell_news(self) -> None:
        if self.news_seen is None:
            self.news_seen = await self.app.reads.run(self.services.latest_news)
            return
        news = await self.app.reads.run(self.services.news_since, self.news_seen)
        fresh = [e for e in news if e.id is not None and e.id > (self.news_seen or 0)]
        if fresh:
            self.news_seen = max(e.id for e in fresh if e.id is not None)
            self.app.announce(fresh)

    # --- syncing -------------------------------------------------------------------------
    def _follow_up_interval(self) -> float:
        s = self.services
        return min((s.supplier_info(name).follow_up_s for name in s.supplier_names()),
                   default=s.config.sync_interval_s)

    async def _sync_loop(self) -> None:
        await self._check_policy()
        while True:
            await self._sync_once()
            waiting = await self.app.reads.run(self.services.awaiting_supplier)
            interval = self._follow_up_interval() if waiting else \
                self.services.config.sync_interval_s
            state = self.app.sync_state
            if state.error and state.next_retry:
                interval = max(min(interval, state.next_retry - time.time()), 1.0)
            self._sync_now.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sync_now.wait(), interval)

    async def _check_policy(self) -> None:
        """A supplier's policy changed since the merchant took their shop's policy: it is
        regenerated, and the merchant told to update the shop's page."""
        note = await self.app.reads.run(refresh_published, self.services.config)
        if note:
            self.app.notify(note, title=_("Your return policy"), severity="warning",
                            timeout=60, markup=False)

    async def _sync_once(self) -> None:
        app = self.app
        app.sync_state = replace(app.sync_state, syncing=", ".join(
            self.services.supplier_names()), progress=None)

        def progress(p: SyncProgress) -> None:
            fraction, shown = p.fraction, app.sync_state.progress
            if fraction is not None and (shown is None or fraction - shown >= 0.05):
                app.sync_state = replace(app.sync_state, progress=fraction)
        try:
            report = await self.services.sync(progress=progress)
        except OrdertuiError as exc:
            app.sync_state = replace(app.sync_state, error=str(exc),
                                     next_retry=time.time() + RETRY_AFTER_ERROR_S)
        else:
            if report.errors:
                app.sync_state = replace(app.sync_state, error="; ".join(report.errors.values()),
                                         next_retry=time.time() + RETRY_AFTER_ERROR_S)
            else:
                app.sync_state = replace(app.sync_state, error="", next_retry=None)
            self.tell_news()
            for note in report.notes:  # an exchange rate fetch that failed: profit waits
                app.notify(note, severity="warning", markup=False)
            self._run(self._details_loop, "details")
            if report.orders or report.shop_orders or report.linked:
                app.post_store_changed()
            app.sync_state = replace(app.sync_state, last_sync=self.services.clock())
        app.sync_state = replace(app.sync_state, syncing=None, progress=None)

    async def _details_loop(self) -> None:
        """Suppliers whose order list has no items (CJ): read the orders one by one, within
        the supplier's rate limit, so the table fills in without anyone waiting on it."""
        while True:
            try:
                read = await self.services.fill_details(budget=DETAILS_BUDGET,
                                                        done=self._details_read)
            except OrdertuiError:
                return  # the next sync tries again
            if not read:
                return
            self._details_read.update(read)
            self.app.post_store_changed()

    # --- other sessions ----------------------------------------------------------------
    async def _watch_loop(self) -> None:
        """Notice another session's changes (two SSH logins on one shop).

        The watch's connection lives on one thread of its own and is closed there too, after
        any read in flight: closing it from the event loop while a cancelled read still ran
        on another thread crashed the interpreter."""
        watch = self.services.watch()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ordertui-watch")
        loop = asyncio.get_running_loop()
        store = self.services.store
        # a shared PostgreSQL store announces every change (NOTIFY): looking at what arrived
        # reads a socket, so it is looked at often, and another server's change is on screen
        # well within two seconds
        interval = WATCH_INTERVAL_S if store.backend == "sqlite" else WATCH_INTERVAL_PG_S
        try:
            last = await loop.run_in_executor(pool, watch.version)
            while True:
                await asyncio.sleep(interval)
                current = await loop.run_in_executor(pool, watch.version)
                down = watch.problem() or store.unavailable
                if down is not None and watch.connected():
                    down = None  # the watch's own connection came back: so has the server
                if down is not None:
                    self.app.store_lost(down)
                elif self.app.store_down is not None:
                    self.app.store_back()
                    last = current
                    self.tell_news()
                    continue
                if current != last:
                    last = current
                    self.app.post_store_changed()
                    self.tell_news()
        finally:
            pool.submit(watch.close)  # one thread, first in first out: after the read
            pool.shutdown(wait=False)
