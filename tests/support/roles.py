"""What the role tests share: a digest of everything an action could write or queue (every
table of the store, row by row, and the files named), to prove that a refused action left
all of it as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def digest(store: Path | str, *files: Path) -> str:
    """Every table of the store — the SQLite file in the data directory ``store``, or the
    PostgreSQL database at the URL ``store`` — and each of ``files`` (absent or its bytes),
    hashed."""
    h = hashlib.sha256()
    if isinstance(store, str):
        import psycopg

        with psycopg.connect(store, autocommit=True) as pg:
            tables = [r[0] for r in pg.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() ORDER BY table_name")]
            for table in tables:
                rows = sorted(repr(tuple(r)) for r in pg.execute(f'SELECT * FROM "{table}"'))
                h.update(f"{table}:{len(rows)}:{''.join(rows)}".encode())
    else:
        con = sqlite3.connect(f"file:{store / 'store.sqlite3'}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            for table in tables:
                rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{table}"'))
                h.update(f"{table}:{len(rows)}:{''.join(rows)}".encode())
        finally:
            con.close()
    for path in files:
        h.update(path.read_bytes() if path.exists() else b"<none>")
    return h.hexdigest()
