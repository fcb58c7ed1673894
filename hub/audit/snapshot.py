"""One read transaction for the whole of `floorledger verify`, shared by its threads.

A hub at work commits records, heads, log leaves and results while verify reads them; tables read at
different moments disagree ("stored head is record 2595, the signed records end at 2590") although
nothing was changed. So verify opens ONE connection of its own, starts a read transaction on it and
lends that connection to every thread that reads (the record chunks, the log pass, the re-derived
sections): they all see the database as it was at the first read.

- SQLite (WAL): `BEGIN` (deferred) and a first read fix the snapshot; writers go on committing to the
  WAL meanwhile and the snapshot does not move. The connection is opened with
  `check_same_thread=False`: Python's sqlite3 lets several threads read through one connection
  (SQLite serialises them on the connection's mutex).
- PostgreSQL: `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY` and a first statement fix the
  snapshot; psycopg2 connections may be shared between threads.

The transaction is rolled back at the end (nothing was written). The record signatures are checked
in worker processes that get rows read from this snapshot, never a connection of their own. On
SQLite the WAL cannot be checkpointed past a snapshot still in use, so it grows by what the floor
writes while verify runs (a few MB a minute at 500 records/s) and shrinks at the next checkpoint.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import peewee

log = logging.getLogger(__name__)


class Snapshot:
    """A connection holding the read transaction; `lend()` makes it the calling thread's connection of
    `db` (peewee keeps one connection per thread) for the duration of a `with`."""

    def __init__(self, db: peewee.Database, conn: Any) -> None:
        self.db = db
        self.conn = conn

    @contextmanager
    def lend(self) -> Iterator[None]:
        # peewee's per-thread connection state (`_state`) is swapped, not closed: the thread's own
        # connection (a web worker's, say) is back untouched afterwards
        state: Any = vars(self.db)["_state"]
        saved = (state.closed, state.conn, state.ctx, state.transactions, state.commit_callbacks)
        state.set_connection(self.conn)
        try:
            yield
        finally:
            state.closed, state.conn, state.ctx, state.transactions, state.commit_callbacks = saved


# peewee's private parts this module relies on (peewee 3 and 4 alike): the per-thread connection
# state, the driver-error translation and the connection set-up `connect()` does
_WRAPPER: Any = vars(peewee)["__exception_wrapper__"]


def _open(database: peewee.Database) -> Any:
    db: Any = database
    sqlite = isinstance(database, peewee.SqliteDatabase)
    if sqlite:
        params = {k: v for k, v in db.connect_params.items() if k != "check_same_thread"}
        conn = sqlite3.connect(
            db.database, timeout=db._timeout, isolation_level=None, check_same_thread=False, **params
        )
        db._add_conn_hooks(conn)  # the database's pragmas (WAL, busy timeout)
    else:
        conn = db._connect()  # PostgreSQL: peewee's own parameters (schema), autocommit as peewee sets
    try:
        if db.server_version is None:
            db._set_server_version(conn)
        db._initialize_connection(conn)
        cursor = conn.cursor()
        if sqlite:
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM sqlite_master")  # the first read fixes the snapshot
        else:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT 1")  # the first statement fixes the snapshot
        cursor.fetchall()
        cursor.close()
    except BaseException:
        conn.close()
        raise
    return conn


def _close(conn: Any) -> None:
    try:
        cursor = conn.cursor()
        cursor.execute("ROLLBACK")  # nothing was written: the snapshot is let go
        cursor.close()
    except Exception:  # a broken connection: closing it ends the transaction; keep the first error
        log.debug("rolling back verify's snapshot failed", exc_info=True)
    finally:
        conn.close()


@contextmanager
def read_snapshot(db: peewee.Database) -> Iterator[Snapshot]:
    """The database as at this moment, for every thread that enters `snapshot.lend()`."""
    with _WRAPPER:  # driver errors as peewee's (the CLI prints them in one line)
        conn = _open(db)
    try:
        yield Snapshot(db, conn)
    finally:
        with _WRAPPER:
            _close(conn)
