"""`floorledger print daily|monthly`: the printed A4 sheets (PDF, Chinese) from the hub's database.

    floorledger print daily   --config hub.toml --line L1 --day 2026-10-28 --out FILE.pdf [--lang zh|en]
    floorledger print weekly  --config hub.toml --area A1 --week 2026-W43  --out FILE.pdf [--lang zh|en]
    floorledger print monthly --config hub.toml --area A1 --month 2026-10  --out FILE.pdf [--lang zh|en]

Run on the hub machine by its operator: the whole line or area (the dashboard's buttons print what
the officer's scope allows). A month not locked prints as a draft (草稿/未审批 on every page).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import peewee

from floorledger.base.errors import CliError
from hub.app import assessment_service
from hub.cli.report import register_print
from hub.cli.texts import said
from hub.config import load_config
from hub.engine.model import Month
from hub.errors import HubError
from hub.paper import sources
from hub.paper.daily import render_daily
from hub.paper.monthly import render_monthly
from hub.paper.weekly import render_weekly
from hub.store.schema import open_database

PRINTED_BY = "floorledger print"


def register(sub: Any) -> None:
    printing = sub.add_parser(
        "print",
        help="write a printable A4 document (PDF, Chinese): a line's day, an area's week or month, "
        "an inmate's report",
        description="Write the daily sheet (日记载) of a line or the monthly assessment sheet (月考核) "
        "of an area as an A4 PDF with the CJK font embedded.",
    )
    kinds = printing.add_subparsers(dest="print_command", metavar="SHEET", required=True)
    daily = kinds.add_parser("daily", help="the daily sheet (日记载) of a line, with signature lines")
    daily.add_argument("--line", required=True, metavar="CODE", help="the line code")
    daily.add_argument("--day", required=True, metavar="YYYY-MM-DD", help="the day")
    weekly = kinds.add_parser("weekly", help="the weekly review sheet (周评议) of an area, with sign-offs")
    weekly.add_argument("--area", required=True, metavar="CODE", help="the area (监区) code")
    weekly.add_argument("--week", required=True, metavar="YYYY-Www", help="the ISO week, e.g. 2026-W43")
    monthly = kinds.add_parser("monthly", help="the monthly assessment sheet (月考核) of an area")
    monthly.add_argument("--area", required=True, metavar="CODE", help="the area (监区) code")
    monthly.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-10")
    for kind in (daily, weekly, monthly):
        kind.add_argument("--config", required=True, type=Path, metavar="FILE", help="the hub's config")
        kind.add_argument("--out", required=True, type=Path, metavar="FILE", help="the PDF to write")
        kind.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    register_print(kinds)  # `print report`: an inmate's signed report over months (hub.cli.report)
    daily.set_defaults(func=cmd_daily)
    weekly.set_defaults(func=cmd_weekly)
    monthly.set_defaults(func=cmd_monthly)


def _open(config_path: Path) -> tuple[Any, peewee.Database]:
    config = load_config(config_path)
    try:
        return config, open_database(config.database)
    except (HubError, peewee.DatabaseError) as err:
        raise CliError(f"database {config.database}: {err}") from err


def cmd_daily(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise CliError(f"--day: expected YYYY-MM-DD, got {args.day!r}") from None
    config, db = _open(args.config)
    printed_at = datetime.now(config.zone).strftime("%Y-%m-%d %H:%M")
    try:
        sheet = sources.daily_sheet(
            args.line, day, printed_by=PRINTED_BY, printed_at=printed_at, lang=args.lang
        )
        data = render_daily(sheet)
    except HubError as err:
        raise CliError(str(err)) from err
    finally:
        db.close()
    _write(args.out, data)
    print(said("cli.wrote.daily", args.lang, out=args.out, line=args.line, day=day, rows=len(sheet.rows)))
    return 0


def cmd_weekly(args: argparse.Namespace) -> int:
    config, db = _open(args.config)
    zone = config.zone
    printed_at = datetime.now(zone).strftime("%Y-%m-%d %H:%M")
    try:
        assessment = assessment_service(
            db,
            record_act=None,
            today=lambda: datetime.now(zone).date(),
            clock_ms=lambda: time.time_ns() // 1_000_000,
        )
        if args.area not in assessment.areas():
            raise CliError(f"--area: no area {args.area!r}")
        sheet = sources.weekly_sheet(
            assessment, None, args.area, args.week, zone=zone, printed_by=PRINTED_BY, printed_at=printed_at,
            lang=args.lang,
        )  # fmt: skip
        data = render_weekly(sheet)
    except HubError as err:
        raise CliError(str(err)) from err
    finally:
        db.close()
    _write(args.out, data)
    print(
        said(
            "cli.wrote.weekly", args.lang, out=args.out, area=args.area, week=args.week, rows=len(sheet.rows)
        )
    )
    return 0


def cmd_monthly(args: argparse.Namespace) -> int:
    try:
        month = Month.parse(args.month)
    except ValueError:
        raise CliError(f"--month: expected YYYY-MM, got {args.month!r}") from None
    config, db = _open(args.config)
    zone = config.zone
    printed_at = datetime.now(zone).strftime("%Y-%m-%d %H:%M")
    try:
        # printing reads only: no act to record, so the hub's signing key is not needed
        assessment = assessment_service(
            db,
            record_act=None,
            today=lambda: datetime.now(zone).date(),
            clock_ms=lambda: time.time_ns() // 1_000_000,
        )
        if args.area not in assessment.areas():
            raise CliError(f"--area: no area {args.area!r}")
        sheet = sources.monthly_sheet(
            assessment, None, month, args.area, zone=zone, printed_by=PRINTED_BY, printed_at=printed_at,
            lang=args.lang,
        )  # fmt: skip
        data = render_monthly(sheet)
    except HubError as err:
        raise CliError(str(err)) from err
    finally:
        db.close()
    _write(args.out, data)
    draft = said("cli.draft.monthly", args.lang) if sheet.draft else ""
    shown = {"out": args.out, "area": args.area, "month": month, "rows": len(sheet.rows), "draft": draft}
    print(said("cli.wrote.monthly", args.lang, **shown))
    return 0


def _write(path: Path, data: bytes) -> None:
    """Beside the target, then renamed: a reader never sees half a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
