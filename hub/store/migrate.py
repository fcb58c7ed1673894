"""Numbered schema migrations: `migrate(db)` brings a hub database to the code's schema version.

The version lives in the database (`schema_version`: one row per applied step). Each missing step
runs in its own transaction with its row, so a failed step leaves the database at the version
before it. A database newer than the code is refused (an older hub must not write into a schema it
does not know). A database made before migrations existed (hub tables, no `schema_version`) is
recognised when its tables and columns match step 1; step 1 then only adds the tables it lacked
(`hub init` used to leave out the review and web tables) and stamps version 1.

Before changing a database that holds data, a SQLite file is copied beside itself with SQLite's
online backup API (`<file>.before-v<N>-<UTC time>`), as Frigate does; PostgreSQL is the operator's
to back up with `pg_dump` (the hub does not hold the server's credentials for it), so the log says so.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import peewee as pw

from hub.errors import HubError
from hub.store import texts  # noqa: F401  (registers the texts of the errors below)
from hub.store.base import BaseModel
from hub.store.db import is_sqlite, pg_schema, write_transaction
from hub.store.migrations import STEPS, m001_initial

log = logging.getLogger(__name__)


class SchemaVersion(BaseModel):
    """One applied step: its number, its name and when it was applied."""

    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=64)
    applied_ms = pw.BigIntegerField()

    class Meta:
        table_name = "schema_version"


class SchemaTooNew(HubError):
    """The database was migrated by a newer FloorLedger than this one."""


class SchemaMismatch(HubError):
    """A database without a schema version whose tables are not those of step 1."""


class SchemaBehind(HubError):
    """The database needs steps this process does not apply itself (run `floorledger hub migrate`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationReport:
    before: int  # 0: no schema version (an empty database, or one made before migrations)
    after: int
    applied: tuple[int, ...]
    recognised: bool  # an unversioned database that matched step 1
    backup: Path | None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def latest(steps: Sequence[ModuleType] = STEPS) -> int:
    return int(steps[-1].VERSION)


def schema_version(db: pw.Database) -> int:
    """The database's version: the highest applied step, 0 when it has none."""
    with db.connection_context():
        if not db.table_exists(SchemaVersion._meta.table_name):
            return 0
        with db.bind_ctx([SchemaVersion], bind_refs=False, bind_backrefs=False):
            found = SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar()
    return int(found or 0)


def require_current(db: pw.Database, steps: Sequence[ModuleType] = STEPS) -> None:
    """Refuse a database at another version than the code's (for processes that do not migrate)."""
    found, newest = schema_version(db), latest(steps)
    if found > newest:
        raise SchemaTooNew("store.schema.too_new", found=found, latest=newest)
    if found < newest:
        raise SchemaBehind("store.schema.behind", found=found, latest=newest)


def migrate(
    db: pw.Database, *, clock_ms: Callable[[], int] = now_ms, steps: Sequence[ModuleType] = STEPS
) -> MigrationReport:
    """Apply the missing steps in order (a no-op on a current database); see the module's text."""
    newest = latest(steps)
    with db.connection_context():
        schema = pg_schema(db)
        if schema:
            db.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')  # type: ignore[no-untyped-call]
        found = schema_version(db)
        if found > newest:
            raise SchemaTooNew("store.schema.too_new", found=found, latest=newest)
        recognised = found == 0 and _check_unversioned(db)
        pending = [step for step in steps if found < step.VERSION]
        if not pending:
            return MigrationReport(before=found, after=found, applied=(), recognised=False, backup=None)
        backup = _back_up(db, pending[0].VERSION, clock_ms) if found or recognised else None
        applied: list[int] = []
        with db.bind_ctx([SchemaVersion], bind_refs=False, bind_backrefs=False):
            for step in pending:
                with write_transaction(db):
                    db.create_tables([SchemaVersion], safe=True)
                    if SchemaVersion.get_or_none(SchemaVersion.version == step.VERSION) is not None:
                        continue  # another process applied it meanwhile
                    log.info("schema: applying step %d (%s)", step.VERSION, step.NAME)
                    step.apply(db)
                    SchemaVersion.insert(
                        version=step.VERSION, name=step.NAME, applied_ms=clock_ms()
                    ).execute()
                applied.append(step.VERSION)
    return MigrationReport(
        before=found, after=newest, applied=tuple(applied), recognised=recognised, backup=backup
    )


def _check_unversioned(db: pw.Database) -> bool:
    """True if the database holds hub tables made before migrations, all as step 1 declares them;
    False if it holds none; SchemaMismatch if a table of step 1 has other columns."""
    present = set(db.get_tables())
    known = [model for model in m001_initial.TABLES if model._meta.table_name in present]
    for model in known:
        table = model._meta.table_name
        have = {column.name for column in db.get_columns(table)}
        want = {field.column_name for field in model._meta.sorted_fields}
        if have != want:
            missing, extra = sorted(want - have), sorted(have - want)
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra)}" if extra else "",
                )
                if part
            )
            raise SchemaMismatch("store.schema.mismatch", table=table, detail=detail)
    return bool(known)


def _back_up(db: pw.Database, version: int, clock_ms: Callable[[], int]) -> Path | None:
    """Copy a SQLite file beside itself before step `version` changes it; None for PostgreSQL and
    in-memory databases (logged: PostgreSQL is backed up with pg_dump by the operator)."""
    if not is_sqlite(db):
        log.warning(
            "schema: migrating PostgreSQL database %s to version %d without a copy: "
            "back it up with pg_dump before upgrading FloorLedger",
            db.database,
            version,
        )
        return None
    source = str(db.database)
    if source == ":memory:" or source.startswith("file::memory:"):
        return None
    stamp = datetime.fromtimestamp(clock_ms() / 1000, UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(f"{source}.before-v{version}-{stamp}")
    n = 1
    while target.exists():
        target = Path(f"{source}.before-v{version}-{stamp}-{n}")
        n += 1
    copy = sqlite3.connect(target)
    try:
        db.connection().backup(copy)  # type: ignore[no-untyped-call]
    finally:
        copy.close()
    log.info("schema: copied %s to %s before step %d", source, target, version)
    return target
