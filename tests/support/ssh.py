"""A real OpenSSH server for the end-to-end tests, and what the tests around real processes
share: finding a process by its command line, killing exactly that one, waiting for it.

``sshd`` runs as the current user on a free loopback port with a throwaway host key; run
unprivileged it lets that same user (and only that user) log in by key. As root it needs its
privilege-separation directory, which a fresh container may lack: it is made when missing.
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ordertui.domain.models import OrderSummary
from support.terminal import Terminal

SSHD = Path("/usr/sbin/sshd")
ORDERTUI = str(Path(sys.executable).with_name("ordertui"))
MISSING = ("OpenSSH's server is needed at /usr/sbin/sshd (and ssh, ssh-keygen): .ci/run "
           "installs openssh-server and openssh-client when they are missing")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keygen(path: Path) -> str:
    """A passphrase-less ed25519 key pair; returns the public key line."""
    keygen_bin = shutil.which("ssh-keygen")
    assert keygen_bin is not None, MISSING
    subprocess.run([keygen_bin, "-q", "-t", "ed25519", "-N", "", "-C", "ordertui-test",
                    "-f", str(path)], check=True, capture_output=True)
    return path.with_suffix(".pub").read_text().strip()


@dataclass
class SSHServer:
    """One sshd of our own. ``authorize`` adds a key (with ``authorized_keys`` options);
    ``ssh`` builds the client's command line for a terminal."""

    root: Path
    port: int = 0
    user: str = field(default_factory=getpass.getuser)
    process: subprocess.Popen[bytes] | None = None

    @property
    def authorized_keys(self) -> Path:
        return self.root / "authorized_keys"

    @property
    def log(self) -> Path:
        return self.root / "sshd.log"

    def new_key(self, name: str, options: str = "") -> Path:
        key = self.root / name
        line = keygen(key)
        with self.authorized_keys.open("a") as fh:
            fh.write(f"{options} {line}\n" if options else f"{line}\n")
        return key

    def ssh(self, key: Path, remote: str | None = None, *, term: str = "xterm-256color") -> str:
        """``ssh -tt`` to this server as a shell command line, the client's TERM set (ssh
        hands it to the remote pty, as a merchant's terminal would)."""
        ssh_bin = shutil.which("ssh")
        assert ssh_bin is not None, MISSING
        args = [ssh_bin, "-tt", "-F", "/dev/null", "-p", str(self.port), "-i", str(key),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", f"{self.user}@127.0.0.1"]
        line = f"TERM={shlex.quote(term)} " + " ".join(shlex.quote(a) for a in args)
        return f"{line} {shlex.quote(remote)}" if remote is not None else line

    def start(self) -> None:
        assert SSHD.exists() and shutil.which("ssh"), MISSING
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privsep chroot
        host_key = self.root / "host_key"
        keygen(host_key)
        for _ in range(5):  # another process may take the free port before sshd binds it
            self.port = free_port()
            config = self.root / "sshd_config"
            config.write_text("\n".join([
                f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
                f"PidFile {self.root / 'sshd.pid'}",
                f"AuthorizedKeysFile {self.authorized_keys}",
                "UsePAM no", "StrictModes no", "PubkeyAuthentication yes",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password", "PrintMotd no", "PrintLastLog no",
                "LogLevel VERBOSE", ""]))
            log = self.log.open("wb")
            self.process = subprocess.Popen([str(SSHD), "-D", "-f", str(config), "-e"],
                                            stdout=log, stderr=log)
            log.close()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.process.poll() is None:
                if b"Server listening" in self.log.read_bytes():
                    return
                time.sleep(0.05)
            self.stop()
        raise AssertionError(f"sshd did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def running_sshd(root: Path) -> Iterator[SSHServer]:
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    server = SSHServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- terminals -------------------------------------------------------------------------------

class Terminals:
    """tmux servers of a test's own (``make(width, height)``), all killed at the end."""

    _numbers = itertools.count()

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.made: list[Terminal] = []

    def __call__(self, width: int = 80, height: int = 24) -> Terminal:
        term = Terminal(f"ordertui-{self.prefix}-{os.getpid()}-{next(self._numbers)}",
                        width, height)
        self.made.append(term)
        return term

    def kill_all(self) -> None:
        for term in self.made:
            term.kill()


def login(term: Terminal, command: str, exit_file: Path) -> None:
    """Run ``command`` (ordertui, or an ssh login) in the terminal; its exit status lands
    in ``exit_file``."""
    term.start(f"{command}; echo $? > {shlex.quote(str(exit_file))}; sleep 60")


def open_filtered(term: Terminal, heading: str) -> None:
    """Enter in the filter (the table takes the focus), then enter to open the one order,
    until its screen (``heading``) shows. An enter typed in the same instant as the first
    may still reach the filter box, which is losing the focus, and do nothing: the
    merchant presses it again, and so does this."""
    term.keys("Enter")
    for _ in range(10):
        term.keys("Enter")
        try:
            term.wait_for(heading, seconds=3)
            return
        except AssertionError:
            continue
    term.wait_for(heading)


def filter_to(term: Terminal, name: str) -> None:
    """On the orders screen: filter to the order named ``name`` and leave the filter (enter),
    its row the current one, the table taking the keys."""
    term.type(f"/{name}")
    term.wait_for(f"1 of 1 · search \"{name}\"")
    term.keys("Enter")


def exit_status(exit_file: Path, seconds: float = 30, term: Terminal | None = None) -> str:
    # the shell creates the file, then writes the status and a newline into it
    until(lambda: exit_file.exists() and exit_file.read_text().endswith("\n"),
          "the session ending", term, seconds=seconds)
    return exit_file.read_text().strip()


def until(condition: Callable[[], Any], what: str, term: Terminal | None = None,
          seconds: float = 60) -> None:
    """Until ``condition()``; the bound only keeps a broken run from hanging."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            screen = f"; the screen shows:\n{term.screen()}" if term else ""
            raise AssertionError(f"{what} did not happen{screen}")
        time.sleep(0.1)


# --- processes --------------------------------------------------------------------------------

def pids_where(match: Callable[[list[str], dict[str, str]], bool]) -> list[int]:
    """Processes of this user whose command line and environment ``match``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            raw_env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv if a]
        env = dict(e.decode(errors="replace").partition("=")[::2] for e in raw_env if b"=" in e)
        if args and match(args, env):
            found.append(int(entry.name))
    return found


def ordertui_pids(data_dir: Path) -> list[int]:
    """ordertui processes working on ``data_dir`` (however they were started)."""
    def match(args: list[str], env: dict[str, str]) -> bool:
        return any(Path(a).name == "ordertui" for a in args[:2]) and (
            env.get("ORDERTUI_DATA_DIR") == str(data_dir) or str(data_dir) in args)
    return pids_where(match)


def wait_gone(pids: list[int], seconds: float = 30) -> list[int]:
    """Until none of ``pids`` is alive (zombies count as gone); returns those left."""
    deadline = time.monotonic() + seconds
    left = pids
    while True:
        left = [p for p in left if _alive(p)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def kill(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


# --- a demo shop on disk, for the real app ------------------------------------------------------

@dataclass
class Shop:
    """A config file and a synced data directory on the demo supplier, and the environment
    that points ordertui at them."""

    root: Path
    orders: int = 200
    review_delay_s: float = 1.0
    extra_config: str = ""
    #: the PostgreSQL database the config's ``[store] url`` names; None: SQLite in ``data``
    store_url: str | None = None

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def env(self) -> dict[str, str]:
        home = self.root / "home"
        return {"ORDERTUI_CONFIG": str(self.config), "ORDERTUI_DATA_DIR": str(self.data),
                "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_DATA_HOME": str(home / ".local/share"), "LANG": "C.UTF-8"}

    def create(self) -> Shop:
        (self.root / "home").mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f'[suppliers.demo]\nkind = "demo"\nreview_delay_s = {self.review_delay_s}\n'
            f"orders = {self.orders}\nseed = 11\n{self.extra_config}"
            + (f'\n[store]\nurl = "{self.store_url}"\n' if self.store_url else ""))
        self.config.chmod(0o600)
        done = subprocess.run([ORDERTUI, "sync"], env={**os.environ, **self.env},
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return self

    def remote(self, **extra: str) -> str:
        """The command an SSH login runs: ordertui with this shop's environment."""
        env = {**self.env, **extra}
        return "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + \
            f" {shlex.quote(ORDERTUI)}"

    def services(self, clock: Any = None) -> Any:
        from ordertui.config import load
        from ordertui.services import Services

        config = load(self.config, self.data)
        return Services(config, clock=clock) if clock is not None else Services(config)

    def pick(self, where: str, n: int = 0, *, approves: bool | None = None) -> OrderSummary:
        """The ``n``-th order (newest first) matching SQL ``where``; ``approves``: one whose
        cancellation the demo supplier approves at once (True) or asks about (False)."""
        from ordertui.domain.query import OrderQuery
        from ordertui.simulators.demo import fraction

        s = self.services()
        try:
            ids = {int(r[0]) for r in s.store.con.execute(f"SELECT id FROM orders WHERE {where}")}
            engine = s.adapter("demo").engine
            rows = [r for r in s.window(OrderQuery(), limit=self.orders) if r.id in ids]
            if approves is not None:
                rows = [r for r in rows if (fraction(
                    engine.seed, engine.scheme.index(r.supplier_order_id, engine.count),
                    "ask", 1) >= 0.3) is approves]
            return rows[n]
        finally:
            s.store.close()

    def pending(self) -> list[tuple[int, str]]:
        """The outbox's unsent actions: (order id, action)."""
        s = self.services()
        try:
            return [(e.order_id, e.action.value) for e in s.pending_actions()]
        finally:
            s.store.close()

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """What the store holds, read on a read-only connection of its own (the app may be
        running on it); ``?`` marks the parameters on either backend."""
        if self.store_url:
            import psycopg

            with psycopg.connect(self.store_url, autocommit=True) as pg:
                pg.read_only = True
                return [tuple(r) for r in pg.execute(sql.replace("?", "%s"), params)]
        con = sqlite3.connect(f"file:{self.data / 'store.sqlite3'}?mode=ro", uri=True,
                              timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def lock_holder(self) -> int | None:
        """The pid of the process whose runner holds the outbox: written into ``outbox.lock``
        beside a SQLite store; on PostgreSQL, the process at the client end of the
        connection that holds the runner's advisory lock."""
        if self.store_url:
            return pg_lock_holder(self.store_url)
        lock = self.data / "outbox.lock"
        text = lock.read_text().strip() if lock.exists() else ""
        return int(text) if text.isdigit() else None

    def action_counts(self) -> dict[str, int]:
        s = self.services()
        try:
            return dict(s.adapter("demo").engine.action_counts())
        finally:
            s.store.close()


def pg_lock_holder(url: str) -> int | None:
    """The local process holding the outbox runner's advisory lock on the database at
    ``url``: the server names the connection's client port, /proc the socket's owner."""
    import psycopg

    from ordertui.store.dialect import RUNNER_LOCK

    with psycopg.connect(url, autocommit=True) as con:
        row = con.execute(
            "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s", (RUNNER_LOCK,)).fetchone()
    if row is None or row[0] is None:
        return None
    port = f"{int(row[0]):04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[1].rsplit(":", 1)[1] == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return int(entry.name)
    return None
