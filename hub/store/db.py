"""The hub's database from a URL: a SQLite file by default, PostgreSQL when the URL says so.

SQLite runs with WAL and `synchronous=FULL` (an acknowledged record must survive a power cut) and a
busy timeout so two ingest workers wait for each other instead of failing. Tables are created by
the migrations and bound by `hub.store.schema` (`open_database`), never here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import peewee as pw

from hub.errors import DatabaseUrlError

SCHEMA_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
SQLITE_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 30_000}


def connect(url: str) -> pw.Database:
    """`path/to/hub.db`, `sqlite:///path/to/hub.db` or `postgresql://user[:pw]@host[:port]/db[?schema=s]`.

    `schema` puts the hub's tables in that PostgreSQL schema (search_path), e.g. one per test.

    The returned database keeps one connection per thread (peewee's default), so each ingest worker's
    network thread has its own.
    """
    if url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(url)
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseUrlError("store.url.no_database", url=url)
        schema = parse_qs(parts.query).get("schema", [None])[0]
        if schema is not None and not SCHEMA_RE.fullmatch(schema):
            raise DatabaseUrlError("store.url.bad_schema", schema=schema)
        extra: dict[str, Any] = {"options": f"-c search_path={schema}"} if schema else {}
        return pw.PostgresqlDatabase(
            name,
            **extra,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
        )
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
    elif "://" in url:
        raise DatabaseUrlError("store.url.bad_scheme", url=url)
    else:
        path = url
    if not path:
        raise DatabaseUrlError("store.url.no_file")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return pw.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=30)


def is_sqlite(db: pw.Database) -> bool:
    return isinstance(db, pw.SqliteDatabase)


def pg_schema(db: pw.Database) -> str | None:
    """The schema a PostgreSQL URL asked for with `?schema=`, or None."""
    if not isinstance(db, pw.PostgresqlDatabase):
        return None
    options = str(db.connect_params.get("options", ""))
    prefix = "-c search_path="
    return options[len(prefix) :] if options.startswith(prefix) else None


def write_transaction(db: pw.Database) -> pw._atomic:
    """A transaction that takes the write lock at BEGIN on SQLite (so two workers serialise cleanly
    instead of failing to upgrade a read lock); an ordinary transaction on PostgreSQL."""
    return db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic()


def raw_rows(query: Any) -> list[tuple[Any, ...]]:
    """A select's rows as the driver returns them: no model objects and no per-column conversion,
    for the analytics pages' reads of tens of thousands of text columns (their values are the
    stored text, as `.tuples()` would give for text columns, only several times faster)."""
    return list(query.model._meta.database.execute(query).fetchall())
