"""Every command on a shared store the server does not answer for: one line naming the
server and database (never the password), exit 1, nothing else on the terminal."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # free, and nothing listens once it is closed


@pytest.mark.parametrize("argv", [["orders"], ["show", "1"], ["sync"], ["cancel", "1",
                                                                       "--reason", "x"]])
def test_an_unreachable_database_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    port = _closed_port()
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "ORDERTUI_DATA_DIR": str(tmp_path / "data"),
           "ORDERTUI_STORE_URL": f"postgresql://anna:s3cret-pw@127.0.0.1:{port}/shop"}
    done = subprocess.run([sys.executable, "-m", "ordertui", *argv], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"cannot reach the database at 127.0.0.1:{port}/shop" in lines[0]
    assert "s3cret-pw" not in done.stderr and "Traceback" not in done.stderr
