"""`floorledger export` (an area's month for the scoring database, signed by the hub) and
`floorledger verify-export` (check such a file against the hub's public key, without the hub).

    floorledger export --config hub.toml --month 2026-10 --area A1 --format csv|xlsx|json --out FILE
                       [--draft] [--lang zh|en] [--daily-detail]
    floorledger verify-export FILE [--sig FILE.sig] --hub-key-pub KEY

`export` writes FILE and the hub's detached signature FILE.sig beside it, and records the export in
the hub's ledger (`export.file`, with the file's SHA-256). A month the labor section has not locked
is refused unless `--draft`, and a draft says 草稿/未审批 in every row and 草稿 in its file name (the
name given with --out is kept; the rows say it). `verify-export` exits 0 when FILE is exactly what
the hub with KEY signed, and says what the signature covers (month, area, final or draft).

The columns, their order and headers and the CSV's encoding are the config's `[export]` mapping
(default: every column, our headers, UTF-8 with a BOM); `--daily-detail` adds each inmate's day rows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import peewee

from floorledger import keyfile
from floorledger.base import i18n
from floorledger.base.errors import CliError
from hub.app import assessment_service
from hub.cli.texts import said
from hub.config import load_config
from hub.engine.model import Month
from hub.errors import HubError
from hub.ledger.entries import Ledger
from hub.review import export_signature, exports
from hub.review.export_make import make_export
from hub.store.schema import open_database

FORMATS = ("csv", "xlsx", "json")


def register(sub: Any) -> None:
    make = sub.add_parser(
        "export",
        help="write an area's month for the scoring database, with the hub's signature beside it",
        description="Write an area's monthly assessment (CSV, XLSX or JSON) and FILE.sig, the hub's "
        "detached signature; an unlocked month only with --draft.",
    )
    make.add_argument("--config", required=True, type=Path, metavar="FILE", help="the hub's config")
    make.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-10")
    make.add_argument("--area", required=True, metavar="CODE", help="the area (监区) code")
    make.add_argument(
        "--format", choices=FORMATS, default=None, help="file format (default: the config's, csv)"
    )
    make.add_argument("--out", required=True, type=Path, metavar="FILE", help="the file to write")
    make.add_argument("--draft", action="store_true", help="export a month that is not locked, as a draft")
    make.add_argument(
        "--lang", choices=("zh", "en"), default=None, help="header language (en: codes; default: config)"
    )
    make.add_argument(
        "--daily-detail", action="store_true", help="add each inmate's day rows (column daily_detail)"
    )
    make.set_defaults(func=cmd_export)

    check = sub.add_parser(
        "verify-export",
        help="check an export file against the hub's public key (its .sig beside it)",
        description="Exit 0 when FILE is exactly what the hub with KEY signed.",
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the export file")
    check.add_argument("--sig", type=Path, metavar="SIGFILE", help="its signature (default FILE.sig)")
    check.add_argument(
        "--hub-key-pub",
        required=True,
        metavar="KEY",
        help="the hub's public key (base64url) or a file holding it",
    )
    check.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="language of the verdict (default zh)"
    )
    check.set_defaults(func=cmd_verify_export)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        month = Month.parse(args.month)
    except ValueError as err:
        raise CliError(f"--month: {err}") from None
    config = load_config(args.config)
    layout = exports.layout(config.export)  # a bad column mapping: one line naming the key
    signer = keyfile.load(config.key_file)
    zone = config.zone
    try:
        db = open_database(config.database)
    except (HubError, peewee.DatabaseError) as err:
        raise CliError(f"database {config.database}: {err}") from err
    try:
        now_ms = time.time_ns() // 1_000_000
        ledger = Ledger(db, signer, lambda: now_ms)
        assessment = assessment_service(
            db, record_act=ledger.record_act, today=lambda: datetime.now(zone).date(), clock_ms=lambda: now_ms
        )
        if args.area not in assessment.areas():
            raise CliError(f"--area: no area {args.area!r}")
        view = assessment.month_view(month, args.area)
        release = exports.require_release(view, draft=args.draft)
        made = make_export(
            assessment, view, release=release, kind=args.format or config.export.format,
            lang=args.lang or config.export.lang,
            layout=layout, daily=args.daily_detail, export_time=datetime.now(zone), zone=zone,
            signer=signer, signed_ms=now_ms, name=args.out.name,
        )  # fmt: skip
        ledger.record_act("cli", "export.file", f"month:{args.area}:{month}", made.act())
    finally:
        db.close()
    assert made.signature is not None  # signed with the hub key
    _write(args.out, made.data)
    _write(args.out.with_name(args.out.name + ".sig"), made.signature)
    lang = args.lang or config.export.lang
    draft = said("cli.draft.export", lang) if release == "draft" else ""
    print(
        said("cli.wrote.export", lang, out=args.out, rows=made.rows, draft=draft, sig=f"{args.out.name}.sig")
    )
    print(said("cli.key.receiver", lang, key=signer.public_key_b64))
    return 0


def cmd_verify_export(args: argparse.Namespace) -> int:
    from hub.audit.verify import load_hub_key

    try:
        hub_key = load_hub_key(args.hub_key_pub)
    except (ValueError, OSError) as err:
        raise CliError(f"--hub-key-pub: {err}") from err
    sig_path = args.sig or args.file.with_name(args.file.name + ".sig")
    try:
        data = args.file.read_bytes()
        signature = sig_path.read_bytes()
    except OSError as err:
        raise CliError(f"cannot read {err.filename}: {err.strerror}") from err
    facts, problems = export_signature.check(data, signature, hub_key.public_key)
    lang = args.lang

    def said(text: str) -> str:
        return text.text(lang) if isinstance(text, i18n.Text) else text

    if facts is not None:
        signed = datetime.fromtimestamp(facts.signed_ms / 1000).astimezone().isoformat(timespec="seconds")
        kind = i18n.t("export.check.final" if facts.release == "final" else "export.check.draft", lang)
        print(i18n.t("export.check.head", lang, file=args.file, month=facts.month, area=facts.area,
                     kind=kind, signed=signed))  # fmt: skip
    for problem in problems:
        print(f"  - {said(problem)}")
    print(i18n.t("export.check.failed" if problems else "export.check.ok", lang))
    return 1 if problems else 0


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
