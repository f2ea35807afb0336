"""Drive a terminal app through a real pseudo-terminal and tell when its screen changed.

The benchmark must see what a merchant sees over SSH: the bytes the app writes, and the
moment the screen shows the answer. So the app runs as its own process on a pty (its
controlling terminal, 120×40 by default), keys are written to the pty, and a reader thread
stamps every chunk of output with the time it arrived. The chunks are fed to ``pyte`` (a
VT100 screen model) only when the output pauses, so our own parsing does not compete for
the CPU while the app is busy, yet each screen state keeps the arrival time of the chunk that
produced it. "The screen showed X at t" therefore means: the chunk that completed X was
read at t, to within the reader's wake-up latency (well under a millisecond).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

KEYS = {
    "enter": b"\r", "escape": b"\x1b", "pagedown": b"\x1b[6~", "pageup": b"\x1b[5~",
    "down": b"\x1b[B", "up": b"\x1b[A", "ctrl+l": b"\x0c",
}

Lines = list[str]
Predicate = Callable[[Lines], bool]


class Timeout(Exception):
    """The screen never reached the expected state: the figure is missing, not slow."""


def clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal environment, so nothing from the caller's shell (TEXTUAL_*, COLORTERM, a
    real config) changes what the app draws or where it reads its settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra or {})
    return env


def _make_controlling_tty() -> None:  # runs in the child, after setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyApp:
    """One app process on a pty, with its output history and a screen model."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cols: int = 120,
                 rows: int = 40) -> None:
        self.argv, self.env, self.cols, self.rows = list(argv), env, cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.chunks: list[tuple[float, bytes]] = []
        self._fed = 0  # chunks already fed to the screen
        self._lock = threading.Lock()
        self.bytes_total = 0
        self.last_output = 0.0
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self._master = -1
        self._reader: threading.Thread | None = None
        self._state_at: float = 0.0  # arrival time of the chunk behind the current screen
        #: every screen state with its arrival time, while recording (see ``record``)
        self.history: list[tuple[float, Lines]] | None = None

    # --- process -----------------------------------------------------------------------
    def start(self) -> float:
        master, slave = os.openpty()
        self._set_size(slave, self.cols, self.rows)
        self._master = master
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave,
                                     env=self.env, start_new_session=True, close_fds=True,
                                     preexec_fn=_make_controlling_tty)
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self.started

    @staticmethod
    def _set_size(fd: int, cols: int, rows: int) -> None:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def resize(self, cols: int, rows: int) -> None:
        """Set the pty's size; the kernel sends SIGWINCH to the app as a terminal would."""
        self.cols, self.rows = cols, rows
        self._set_size(self._master, cols, rows)
        self.screen.resize(rows, cols)

    def winch(self) -> None:
        """A SIGWINCH without a size change: what a terminal sends when it is re-attached
        (tmux, screen); the app answers with a full repaint."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGWINCH)

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.5)
                if not ready:
                    if self.proc is not None and self.proc.poll() is not None:
                        return
                    continue
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            with self._lock:
                self.chunks.append((now, data))
                self.bytes_total += len(data)
                self.last_output = now

    def rss_kb(self) -> int:
        """Resident memory now (VmRSS), the figure the kernel would reclaim from us."""
        assert self.proc is not None
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        m = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        return int(m.group(1)) if m else 0

    def stop(self, quit_key: bytes | None = b"q", timeout: float = 5.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None and quit_key:
            with contextlib.suppress(OSError):
                os.write(self._master, quit_key)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._reader is not None:
            self._reader.join(2)
        with contextlib.suppress(OSError):
            os.close(self._master)

    # --- input -------------------------------------------------------------------------
    def key(self, name: str) -> float:
        """Write one key; return the time it was written (the start of a latency)."""
        data = KEYS.get(name, name.encode())
        t = time.perf_counter()
        os.write(self._master, data)
        return t

    # --- screen ------------------------------------------------------------------------
    def lines(self) -> Lines:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def _feed_pending(self, pred: Predicate | None, after: float) -> float | None:
        """Feed waiting chunks to the screen; return the arrival time of the first chunk
        (later than ``after``) at which ``pred`` holds."""
        with self._lock:
            pending = self.chunks[self._fed:]
            self._fed = len(self.chunks)
        hit: float | None = None
        for t, data in pending:
            self.stream.feed(data)
            self._state_at = t
            if self.history is None and (pred is None or hit is not None or t < after):
                continue
            lines = self.lines()
            if self.history is not None:
                self.history.append((t, lines))
            if pred is not None and hit is None and t >= after and pred(lines):
                hit = t
        return hit

    def record(self) -> None:
        """Keep every screen state from now on, so that once the screen has settled we can
        ask when its final state first appeared (intermediate answers don't count)."""
        self._feed_pending(None, 0)
        self.history = []

    def first(self, pred: Predicate, after: float) -> float | None:
        """The earliest recorded state after ``after`` that satisfies ``pred``."""
        for t, lines in self.history or []:
            if t >= after and pred(lines):
                return t
        return None

    def wait_for(self, pred: Predicate, timeout: float, after: float | None = None,
                 settle: float = 0.03) -> float:
        """The time the screen first satisfied ``pred`` after ``after`` (default: now).

        If it already holds on the current screen, that counts only when ``after`` is not
        later than the state's arrival; callers measuring a change pass the key's time and a
        predicate that is false before the key.
        """
        after = time.perf_counter() if after is None else after
        deadline = time.perf_counter() + timeout
        hit = self._feed_pending(pred, after)
        if hit is None and self._state_at >= after and pred(self.lines()):
            hit = self._state_at
        while hit is None:
            now = time.perf_counter()
            if now > deadline:
                self._feed_pending(None, after)
                raise Timeout(f"screen not as expected after {timeout:.0f} s:\n{self.text()}")
            if self.proc is not None and self.proc.poll() is not None and \
                    len(self.chunks) == self._fed:
                raise Timeout(f"the app exited ({self.proc.returncode}):\n{self.text()}")
            time.sleep(0.005)
            with self._lock:
                backlog = len(self.chunks) - self._fed
                quiet = time.perf_counter() - self.last_output
            if backlog and (quiet >= settle or backlog > 64):
                hit = self._feed_pending(pred, after)
        return hit

    def wait_quiet(self, quiet: float, timeout: float) -> bool:
        """Wait until the app has written nothing for ``quiet`` seconds (counted from now at
        the earliest, so output caused just before the call is waited for); feed the screen."""
        called = time.perf_counter()
        deadline = called + timeout
        while True:
            now = time.perf_counter()
            with self._lock:
                last = self.last_output
            if now - max(last, called) >= quiet:
                self._feed_pending(None, 0)
                return True
            if now > deadline:
                self._feed_pending(None, 0)
                return False
            time.sleep(min(0.02, quiet / 4))

    def wait_stable(self, quiet: float, timeout: float,
                    key: Callable[[Lines], object] = tuple) -> bool:
        """Wait until ``key`` of the screen text has not changed for ``quiet`` seconds.

        Unlike ``wait_quiet`` this ignores output that changes nothing we read, such as a
        text box's blinking cursor, which never lets the byte stream fall silent."""
        deadline = time.perf_counter() + timeout
        self._feed_pending(None, 0)
        last, since = key(self.lines()), time.perf_counter()
        while True:
            time.sleep(0.02)
            self._feed_pending(None, 0)
            now, current = time.perf_counter(), key(self.lines())
            if current != last:
                last, since = current, now
            elif now - since >= quiet:
                return True
            if now > deadline:
                return False

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(len(d) for t, d in self.chunks if start <= t <= end)
