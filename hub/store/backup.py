"""Backups of the hub's database, taken while it runs, and their restore into a stopped hub's place.

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies every page in one step, inside
one read transaction of the source. In WAL mode a reader never blocks the writer, so ingest goes on
while the copy runs, and the copy is the database as of one commit: every record acknowledged before
the backup began is in it (the hub commits before it acknowledges). Copying in several small steps
was not chosen: each write of another connection restarts such a copy, and under steady ingest it
might never finish. The copy is written to `<out>.partial`, checked (`PRAGMA integrity_check`),
switched to a rollback journal (one self-contained file) and renamed into place.

PostgreSQL: `pg_dump --format=custom` of the URL's database (only the URL's schema when it names one),
restored with `pg_restore`. The server's credentials come from the URL or the usual `PG*` variables
and `~/.pgpass`.

Restore refuses a database a hub or ingest worker is running on (`hub.store.inuse`), and an existing
database unless told to replace it; a replaced SQLite file is kept as `<file>.replaced-<UTC time>`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee as pw

from hub.errors import HubError
from hub.store import db as hubdb
from hub.store import (
    inuse,
    texts,  # noqa: F401  (registers the texts of the errors below)
)
from hub.store.migrate import latest

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
BACKUP_NAME = re.compile(r"^hub-\d{8}T\d{6}Z\.(sqlite3|pgdump)$")


class BackupError(HubError):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupReport:
    path: Path
    kind: str  # "sqlite" | "postgresql"
    size: int
    schema_version: int | None  # None for a pg_dump archive (not opened to count)
    records: int | None


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def backup(url: str, out: Path) -> BackupReport:
    """Copy the database at `url` to `out` while it may be in use; see the module's text."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if is_postgres(url):
            _pg_dump(url, partial)
        else:
            _sqlite_copy(url, partial)
        _fsync(partial)
        os.replace(partial, out)
        _fsync_dir(out.parent)
    finally:
        partial.unlink(missing_ok=True)
    if is_postgres(url):
        return BackupReport(
            path=out, kind="postgresql", size=out.stat().st_size, schema_version=None, records=None
        )
    version, records = describe(out)
    return BackupReport(
        path=out, kind="sqlite", size=out.stat().st_size, schema_version=version, records=records
    )


def backup_into(
    url: str, directory: Path, *, keep: int, clock_ms: Callable[[], int]
) -> tuple[BackupReport, list[Path]]:
    """A backup named `hub-<UTC time>.sqlite3` (or `.pgdump`) in `directory`; only the newest `keep`
    backups of that name are kept (other files there are never touched). Returns what was removed."""
    stamp = datetime.fromtimestamp(clock_ms() / 1000, UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "pgdump" if is_postgres(url) else "sqlite3"
    report = backup(url, directory / f"hub-{stamp}.{suffix}")
    ours = sorted(p for p in directory.iterdir() if BACKUP_NAME.match(p.name))
    removed = ours[: max(0, len(ours) - keep)]
    for old in removed:
        old.unlink()
    return report, removed


def describe(path: Path) -> tuple[int, int]:
    """(schema version, stored kiosk records) of a SQLite hub database or backup; BackupError if it
    is not one or fails SQLite's integrity check."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise BackupError("store.backup.not_hub", path=str(path), detail=str(err)) from None
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError("store.backup.damaged", path=str(path), detail=str(check[0] if check else "?"))
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "kiosk_record" not in tables:
            raise BackupError("store.backup.not_hub", path=str(path), detail="no hub tables")
        version = (  # 0: made before schema versions (hub.store.migrate recognises it)
            conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            if "schema_version" in tables
            else 0
        )
        records = conn.execute("SELECT COUNT(*) FROM kiosk_record").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise BackupError("store.backup.not_hub", path=str(path), detail=str(err)) from None
    finally:
        conn.close()
    return int(version), int(records)


def _sqlite_copy(url: str, target: Path) -> None:
    source = inuse.sqlite_path(url)
    if source is None or not source.exists():
        raise BackupError("store.backup.no_database", database=url)
    try:
        src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as err:
        raise BackupError("store.backup.failed", database=str(source), detail=str(err)) from None
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # pages=-1: every page in one step, one read transaction: one commit's state
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            check = dst.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError("store.backup.damaged", path=str(target), detail=str(check))
        finally:
            dst.close()
    except sqlite3.Error as err:
        raise BackupError("store.backup.failed", database=str(source), detail=str(err)) from None
    finally:
        src.close()


def _pg_parts(url: str) -> tuple[str, str | None]:
    """The URL for libpq (without `?schema=`) and the schema it named."""
    db = hubdb.connect(url)  # checks the URL the way the hub does
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), hubdb.pg_schema(db)


def _pg_dump(url: str, target: Path) -> None:
    libpq, schema = _pg_parts(url)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq}"]
    if schema:
        command.append(f"--schema={schema}")
    _run(command, url)


def _run(command: list[str], url: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError("store.backup.no_tool", tool=command[0])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise BackupError("store.backup.failed", database=_redact(url), detail=detail)


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return url


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        _fsync(path)


# --- restore ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreReport:
    target: str
    replaced: Path | None  # where the SQLite file that was there went
    schema_version: int | None
    records: int | None


def kind_of(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as err:
        raise BackupError(
            "store.backup.unreadable", path=str(path), detail=err.strerror or str(err)
        ) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        "store.backup.not_hub", path=str(path), detail="neither a SQLite file nor a pg_dump archive"
    )


@contextlib.contextmanager
def _held(url: str) -> Iterator[None]:
    hold = inuse.take(url)
    try:
        yield
    finally:
        hold.release()


def restore(source: Path, url: str, *, replace: bool, clock_ms: Callable[[], int]) -> RestoreReport:
    """Put the backup `source` in place of the database at `url`, which no hub may be running on."""
    kind = kind_of(source)
    if (kind == "postgresql") != is_postgres(url):
        raise BackupError("store.restore.kind", path=str(source), kind=kind, database=_redact(url))
    if kind == "postgresql":
        with _held(url):
            _pg_restore(source, url, replace=replace)
        return RestoreReport(target=_redact(url), replaced=None, schema_version=None, records=None)
    version, records = describe(source)
    if version > latest():
        raise BackupError("store.restore.too_new", path=str(source), found=version, latest=latest())
    target = inuse.sqlite_path(url)
    if target is None:
        raise BackupError("store.backup.no_database", database=url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _held(url):
        present = [p for p in _sqlite_files(target) if p.exists()]
        if present and not replace:
            raise BackupError("store.restore.exists", database=str(target))
        partial = target.with_name(f"{target.name}.restoring-{os.getpid()}")
        try:
            _copy_sqlite_file(source, partial)
            replaced = _move_aside(target, clock_ms) if present else None
            os.replace(partial, target)
            _fsync_dir(target.parent)
        finally:
            partial.unlink(missing_ok=True)
    return RestoreReport(target=str(target), replaced=replaced, schema_version=version, records=records)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _copy_sqlite_file(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the hub keeps it (hub.store.db)
        finally:
            dst.close()
    finally:
        src.close()
    _fsync(target)


def _move_aside(target: Path, clock_ms: Callable[[], int]) -> Path:
    """Keep what was there as `<file>.replaced-<UTC time>` (with its -wal, which may hold commits)."""
    stamp = datetime.fromtimestamp(clock_ms() / 1000, UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.replaced-{stamp}")
    n = 1
    while aside.exists():
        aside = target.with_name(f"{target.name}.replaced-{stamp}-{n}")
        n += 1
    for path, moved in zip(_sqlite_files(target), _sqlite_files(aside), strict=True):
        if path.exists():
            os.replace(path, moved)
    return aside


def _pg_restore(source: Path, url: str, *, replace: bool) -> None:
    libpq, _schema = _pg_parts(url)
    db = hubdb.connect(url)
    try:
        with db.connection_context():
            tables = db.get_tables()
    except pw.DatabaseError as err:
        raise BackupError(
            "store.backup.failed", database=_redact(url), detail=str(err).splitlines()[0]
        ) from None
    finally:
        db.close()
    if tables and not replace:
        raise BackupError("store.restore.exists", database=_redact(url))
    command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={libpq}"]
    if tables:
        command.extend(["--clean", "--if-exists"])
    # the archive holds only the schema it was dumped from (and creates it); restoring into the same
    # schema name is the one way pg_restore offers
    command.append(str(source))
    _run(command, url)
