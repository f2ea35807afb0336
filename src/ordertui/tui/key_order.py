"""Keys are handled one at a time, in the order they were typed, each against what the one
before it left behind.

Over SSH a burst of keys arrives in one read: ``c`` then the reason, or ``/#1042`` then
enter. Textual forwards each key to the focused widget as it takes it off its queue, and a
binding runs only once the key has travelled back up through the widgets — by then the keys
behind it were already forwarded to the old focus, so a reason typed behind ``c`` ran list
commands and a ``ctrl+s`` behind a description read the box before its last letters were in.

Here the app lets one key go at a time. A key forwarded to a widget is followed by a
:class:`KeyProbe`; when the probe has bubbled up to the app, the key has been handled
wherever it went, and the next one is sent. Keys also wait while the screen on top is not
ready to take them (a dialog just pushed, not yet mounted and focused), and while an action
that may open a dialog is still deciding (:meth:`KeyOrder.hold`): if it opens nothing, the
keys typed behind it are dropped rather than run as commands on the screen below.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.timer import Timer

#: how often the held keys look again whether the screen on top is ready for them
READY_POLL_S = 0.01
#: a key whose probe never comes back (its widget went away with it) stops blocking after this
PROBE_LOST_S = 0.5
#: keys that follow each other closer than this are one burst (a paste, a read over SSH):
#: when the keys held behind a key that opened nothing are dropped, so is the rest of the
#: burst still arriving; a key typed after a pause is the merchant's next command
BURST_GAP_S = 0.05


class KeyProbe(Message, bubble=True):
    """Sent right behind a key forwarded to a widget; reaching the app, the key is done."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class Hold:
    """An action that may open a dialog keeps the keys typed behind it until it knows."""

    def __init__(self, order: KeyOrder) -> None:
        self._order = order
        self.released = False

    def release(self, *, discard: bool = False) -> None:
        """Let the held keys go on (to the dialog just pushed), or drop them (nothing was
        opened: they were meant for a dialog, not for the screen below). Once only."""
        if not self.released:
            self.released = True
            self._order.end_hold(discard=discard)


class KeyOrder:
    """The app's keys, in order. ``dispatch`` is Textual's own handling of a key (priority
    bindings, else forwarding to the focused widget)."""

    def __init__(self, app: App[Any], dispatch: Callable[[events.Key], Awaitable[None]]
                 ) -> None:
        self.app = app
        self._dispatch = dispatch
        self.held: deque[events.Key] = deque()
        self.in_flight: events.Key | None = None
        self.holds = 0
        self._poll: Timer | None = None
        self._lost: Timer | None = None
        self._draining = False
        #: keys arriving before this (monotonic time) finish a dropped burst
        self._drop_until = 0.0

    # --- what the app calls -------------------------------------------------------------
    async def arrive(self, key: events.Key) -> None:
        """A key from the terminal."""
        now = time.monotonic()
        if now < self._drop_until:  # the rest of a burst that was dropped
            self._drop_until = now + BURST_GAP_S
            return
        if self.in_flight is not None or self.held or not self.ready():
            self.held.append(key)
            self._later()
            return
        await self._send(key)

    def probed(self, probe: KeyProbe) -> None:
        """A probe reached the app: its key is done."""
        if probe.key is self.in_flight:
            self._done()

    def hold(self) -> Hold:
        self.holds += 1
        return Hold(self)

    def end_hold(self, *, discard: bool) -> None:
        self.holds = max(self.holds - 1, 0)
        if discard:
            self.drop_held()
        self._later()

    def drop_held(self) -> None:
        """Drop the keys typed behind the one being handled, which opened nothing: those
        held, and the rest of their burst as it arrives."""
        self.held.clear()
        self._drop_until = time.monotonic() + BURST_GAP_S

    def ready(self) -> bool:
        """The screen on top takes keys: mounted, its focus set, nobody deciding."""
        if self.holds:
            return False
        screen = self.app.screen
        if not screen.is_mounted:
            return False
        return screen.focused is not None or not screen.focus_chain

    # --- the order ------------------------------------------------------------------
    async def _send(self, key: events.Key) -> None:
        target = self.app.focused or self.app.screen
        self.in_flight = key
        await self._dispatch(key)
        if key.is_forwarded:
            target.post_message(KeyProbe(key))
            if self._lost is not None:
                self._lost.stop()
            self._lost = self.app.set_timer(PROBE_LOST_S, lambda: self._probe_lost(key))
        else:  # a priority binding took it as it came
            self.in_flight = None

    def _probe_lost(self, key: events.Key) -> None:
        if key is self.in_flight:
            self._done()

    def _done(self) -> None:
        self.in_flight = None
        if self._lost is not None:
            self._lost.stop()
            self._lost = None
        self._later()

    def _later(self) -> None:
        if self.held:
            self.app.call_next(self._drain)

    async def _drain(self) -> None:
        if self._draining:
            return
        self._draining = True
        try:
            while self.held and self.in_flight is None:
                if not self.ready():
                    if self.holds == 0 and self._poll is None:
                        self._poll = self.app.set_timer(READY_POLL_S, self._poll_again)
                    return
                await self._send(self.held.popleft())
        finally:
            self._draining = False

    def _poll_again(self) -> None:
        self._poll = None
        self._later()
