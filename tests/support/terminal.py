"""A real terminal for the end-to-end tests: a tmux server of its own, holding one window,
into which keys are typed and whose screen is read as text."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

TMUX = shutil.which("tmux")
ORDERTUI = str(Path(sys.executable).with_name("ordertui"))


def server_env() -> dict[str, str]:
    """The environment a tmux server of ours starts with: this process's, without COLUMNS
    and LINES. pytest imports readline as it starts (capturing output), and readline puts
    COLUMNS=80 and LINES=24 into the process's C environment, which a child started without
    ``env`` inherits; a program in the terminal then takes them over the window's real size
    (Textual does), and an app in a 120×30 window draws at 80×24."""
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


class Terminal:
    """One tmux server of our own, holding one window."""

    def __init__(self, socket: str, width: int, height: int) -> None:
        self.socket, self.width, self.height = socket, width, height

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        out = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                             text=True, check=True, env=server_env())
        return out.stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", "t", "-x", str(self.width), "-y",
                  str(self.height), command)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "t", *(["-l"] if literal else []), *keys)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def flat(self) -> str:
        """The words on screen with borders and line ends taken out, so that a sentence
        wrapped inside a dialog reads whole."""
        return " ".join(re.sub(r"[\u2500-\u259f▊▎▁▔]", " ", self.screen()).split())

    def wait_for(self, text: str, seconds: float = 60) -> str:
        """Until ``text`` is on the screen; the bound only keeps a broken run from hanging."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.flat()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def wait_gone(self, text: str, seconds: float = 60) -> str:
        """Until ``text`` is no longer on the screen; the bound as in :meth:`wait_for`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.flat()
            if text not in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} stayed on the screen:\n{self.screen()}")

    def paste(self, text: str) -> None:
        """Paste ``text`` as a terminal does: in bracketed-paste markers when the program
        asked for them (tmux's ``paste-buffer -p``), all at once."""
        assert TMUX is not None
        subprocess.run([TMUX, "-L", self.socket, "load-buffer", "-b", "pasted", "-"],
                       input=text, text=True, capture_output=True, check=True,
                       env=server_env())
        self.tmux("paste-buffer", "-p", "-d", "-b", "pasted", "-t", "t")

    def kill(self) -> None:
        subprocess.run([TMUX or "tmux", "-L", self.socket, "kill-server"], capture_output=True)
