"""`floorledger backup` and `floorledger restore`: thin commands over `hub.store.backup`.

floorledger backup --config hub.toml --out FILE           one backup, while the hub runs
floorledger backup --config hub.toml --into DIR --keep 14 hub-<UTC time>.sqlite3 in DIR, newest 14 kept
floorledger restore FILE --config hub.toml [--replace]    into a stopped hub's database
floorledger restore FILE --to URL [--replace]             into any database path or URL
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from floorledger.base.errors import CliError
from hub.config import load_config
from hub.errors import HubError
from hub.store import backup as bk


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser(
        "backup",
        help="copy the hub's database while the hub runs (SQLite online backup, or pg_dump)",
        description=(
            "Copy the hub's database, consistent as of one commit, while ingest goes on: SQLite "
            "through its online backup API, PostgreSQL through pg_dump --format=custom."
        ),
    )
    source = b.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", type=Path, metavar="FILE", help="the hub's config (its database)")
    source.add_argument("--db", metavar="URL", help="database path or URL instead of --config")
    target = b.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, metavar="FILE", help="write the backup to this file")
    target.add_argument(
        "--into", type=Path, metavar="DIR", help="write hub-<UTC time>.sqlite3 (or .pgdump) here"
    )
    b.add_argument(
        "--keep", type=int, default=14, metavar="N", help="with --into: keep the newest N (default 14)"
    )
    b.set_defaults(func=cmd_backup)

    r = sub.add_parser(
        "restore",
        help="put a backup in place of a stopped hub's database",
        description=(
            "Restore a backup made by `floorledger backup`. Refused while a hub or ingest worker "
            "runs on the target database, and when the target exists unless --replace is given "
            "(a replaced SQLite file is kept as <file>.replaced-<time>). Run `floorledger verify` "
            "on the result before starting the hub."
        ),
    )
    r.add_argument("file", type=Path, metavar="FILE", help="the backup file")
    to = r.add_mutually_exclusive_group(required=True)
    to.add_argument("--config", type=Path, metavar="FILE", help="restore into this hub config's database")
    to.add_argument("--to", metavar="URL", help="restore into this database path or URL")
    r.add_argument("--replace", action="store_true", help="replace an existing database")
    r.set_defaults(func=cmd_restore)


def _database(args: argparse.Namespace, field: str) -> str:
    if args.config is not None:
        return load_config(args.config).database
    return str(getattr(args, field))


def cmd_backup(args: argparse.Namespace) -> int:
    url = _database(args, "db")
    removed: list[Path] = []
    try:
        if args.out is not None:
            report = bk.backup(url, args.out)
        else:
            if args.keep < 1:
                raise CliError("--keep must be at least 1")
            report, removed = bk.backup_into(url, args.into, keep=args.keep, clock_ms=_now_ms)
    except HubError as err:
        raise CliError(str(err)) from err
    counts = (
        f", schema version {report.schema_version}, {report.records} kiosk records"
        if report.records is not None
        else ""
    )
    print(f"backup {report.path}: {report.kind}, {report.size} bytes{counts}")
    for old in removed:
        print(f"removed old backup {old}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    url = _database(args, "to")
    try:
        report = bk.restore(args.file, url, replace=args.replace, clock_ms=_now_ms)
    except HubError as err:
        raise CliError(str(err)) from err
    if report.replaced is not None:
        print(f"the database that was at {report.target} is kept as {report.replaced}")
    counts = (
        f" (schema version {report.schema_version}, {report.records} kiosk records)"
        if report.records is not None
        else ""
    )
    print(
        f"restored {args.file} into {report.target}{counts}; run `floorledger verify` before starting the hub"
    )
    return 0
