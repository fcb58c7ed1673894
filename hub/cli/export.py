"""`floorledger scenario export --db URL --month 2026-10 --out FILE`: the hub's month as a scenario file.

The file holds exactly the engine inputs the hub computes the month with (master data, posts
resolved per day, presence, counts, warehoused units and excused minutes derived from the stored
signed records with corrections applied, and the site's rule-set versions), so that
`floorledger scenario run FILE` -- or anyone with the rule book -- re-derives the hub's daily
results, weekly lines and monthly scores to the digit. `hub/cli/scenario.py` calls
`register_export(scenario_subparsers)`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import peewee as pw

from floorledger.base.errors import CliError
from hub.engine.documents import json_text, scenario_json
from hub.engine.errors import EngineError
from hub.engine.model import Month
from hub.errors import HubError
from hub.masterdata import queries as md_queries
from hub.results.inputs import month_input
from hub.store import db as hubdb
from hub.store.schema import ALL_MODELS


def register_export(scenario_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = scenario_sub.add_parser(
        "export",
        help="write a month the hub has stored as a scenario file",
        description="Write the hub's inputs of one month as a scenario file that `scenario run` re-runs.",
    )
    p.add_argument(
        "--db", required=True, metavar="URL", help="hub database: file path, sqlite:/// or postgresql://"
    )
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the month to export, e.g. 2026-10")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="scenario file to write")
    p.add_argument(
        "--through",
        metavar="YYYY-MM-DD",
        help="last day of a month in progress, as the hub computes it (default: today in --timezone)",
    )
    p.add_argument("--timezone", default="Asia/Shanghai", help="the site's time zone (default Asia/Shanghai)")
    p.set_defaults(func=cmd_export)


def export_month(db: pw.Database, month: Month, through: date) -> dict[str, object]:
    """The scenario document of `month` from a hub database whose tables exist; a month in progress
    ends at `through` (the hub computes no day that has not come yet)."""
    # bound only for the export: a caller's own binding of these models is left as it was
    with db.bind_ctx(ALL_MODELS, bind_refs=False, bind_backrefs=False):
        read = month_input(db, month, through=through)
        document = scenario_json(read.inputs, md_queries.site_rule_changes(), read.rule_set.params.rule_book)
    return {"description": f"exported from the FloorLedger hub, month {month}", **document}


def cmd_export(args: argparse.Namespace) -> int:
    try:
        month = Month.parse(args.month)
    except ValueError:
        raise CliError(f"--month: expected YYYY-MM, got {args.month!r}") from None
    try:
        zone = ZoneInfo(args.timezone)
        through = date.fromisoformat(args.through) if args.through else datetime.now(zone).date()
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise CliError(f"--through/--timezone: {err}") from None
    if not str(args.db).startswith(("postgresql://", "postgres://")) and not _sqlite_exists(args.db):
        raise CliError(f"--db: no hub database at {args.db}")
    try:
        db = hubdb.connect(args.db)
        try:
            document = export_month(db, month, through)
        finally:
            db.close()
    except (EngineError, ValueError) as err:  # before HubError: an engine refusal is about the month
        raise CliError(f"cannot export {month}: {err}") from err
    except (HubError, pw.DatabaseError) as err:
        raise CliError(
            f"--db {args.db}: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
        ) from err
    _write_atomically(args.out, json_text(document) + "\n")
    return 0


def _sqlite_exists(url: str) -> bool:
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url
    if url.startswith("sqlite:////"):
        path = "/" + path.lstrip("/")
    return Path(path).is_file()


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
