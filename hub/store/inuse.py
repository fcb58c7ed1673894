"""Who has a hub database open: a lock that running hubs share and a restore or upgrade takes alone.

A running hub and each `floorledger hub ingest` worker hold the database's lock *shared* for as long
as they run; `floorledger restore` and `floorledger hub upgrade` take it *exclusive* and refuse when
they cannot get it at once (`DatabaseInUse`), so a running hub's database is never replaced or
migrated under it. While a restore holds it, a hub that starts is refused the same way.

- SQLite: `flock(2)` on `<database file>.lock` beside the file. The kernel drops the lock when the
  process ends however it ends (kill -9 included), so no stale pid file ever blocks a restore after
  a crash; the lock file itself is left in place (it holds nothing).
- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock_shared` / `pg_try_advisory_lock`)
  on a connection of its own, keyed by the schema the URL names (`public` without `?schema=`). The
  server drops it when that connection ends.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import peewee as pw

from hub.errors import HubError
from hub.store import db as hubdb
from hub.store import texts  # noqa: F401  (registers the texts of the errors below)

log = logging.getLogger(__name__)


class DatabaseInUse(HubError):
    """Another process holds the database's lock in a way this one cannot share."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL or path (None for PostgreSQL and in-memory databases)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
    elif "://" in url:
        return None
    else:
        path = url
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    return Path(path)


def lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def advisory_key(db: pw.Database) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks, one per FloorLedger schema."""
    schema = hubdb.pg_schema(db) or "public"
    digest = hashlib.sha256(f"floorledger-hub-db:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Hold:
    """The database's lock, held until `release()` (or until the process ends)."""

    def __init__(self, url: str, *, exclusive: bool) -> None:
        self.url = url
        self.exclusive = exclusive
        self._fd: int | None = None
        self._pg: Any = None  # the psycopg2 connection whose session holds the advisory lock
        path = sqlite_path(url)
        if path is not None:
            self._hold_file(path)
        elif url.startswith(("postgresql://", "postgres://")):
            self._hold_advisory()

    def _hold_file(self, path: Path) -> None:
        target = lock_file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise self._refusal(str(path)) from None
        self._fd = fd

    def _hold_advisory(self) -> None:
        db = hubdb.connect(self.url)
        function = "pg_try_advisory_lock" if self.exclusive else "pg_try_advisory_lock_shared"
        # the raw connection, not peewee's per-thread one: the hub releases from another thread
        conn = db.connection()  # type: ignore[no-untyped-call]
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", (advisory_key(db),))
            got = cursor.fetchone()
        if not got or not got[0]:
            conn.close()
            raise self._refusal(f"{db.database} (schema {hubdb.pg_schema(db) or 'public'})")
        self._pg = conn

    def _refusal(self, where: str) -> DatabaseInUse:
        key = "store.inuse.running" if self.exclusive else "store.inuse.restoring"
        return DatabaseInUse(key, database=where)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
        if self._pg is not None:
            self._pg.close()  # the session ends, and its advisory lock with it
            self._pg = None


def share(url: str) -> Hold:
    """Held by a running hub or ingest worker; refused only while a restore or upgrade holds it."""
    return Hold(url, exclusive=False)


def take(url: str) -> Hold:
    """Held by a restore or upgrade; refused while any hub or ingest worker runs on the database."""
    return Hold(url, exclusive=True)
