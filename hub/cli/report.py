"""`floorledger print report` (an inmate's labor assessment report over a range of months, for a
parole file: A4 PDF and its signed companion) and `floorledger verify-report` (check one against the
hub's public key, without the hub).

    floorledger print report --config hub.toml --inmate NUMBER --from 2026-05 --to 2026-10 --out F.pdf
    floorledger verify-report F.pdf|F.json --hub-key-pub KEY
    floorledger verify-report --qr 'FLR1:…' --hub-key-pub KEY

`print report` writes F.pdf (the signed companion attached inside it) and F.json (the same signed
companion beside it), and records the issue in the hub's ledger (`report.issue`, with the digest).
`verify-report` reads the companion from the PDF's attachment or from the JSON file, checks that its
document hashes to the signed digest and that the hub with KEY signed that digest, prints a Chinese
verdict with the verification code (to compare with the paper) and the months' numbers, and exits
0 only when everything holds. `--qr` checks the text a phone read from the QR code: that the hub
signed the digest it carries, and its verification code.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import peewee

from floorledger import keyfile
from floorledger.base.errors import CliError
from hub.app import assessment_service
from hub.audit.verify import load_hub_key
from hub.cli.month_export import _write
from hub.cli.texts import said
from hub.config import load_config
from hub.engine.model import Month
from hub.errors import HubError
from hub.ledger.entries import Ledger
from hub.paper.report import companion_from_pdf, render_report
from hub.paper.texts import t as paper_t
from hub.review import inmate_report, report_signature
from hub.review.report_texts import t
from hub.store.schema import open_database

ISSUED_BY = "floorledger print"


def register_print(kinds: Any) -> None:
    """`print report`, beside `print daily|weekly|monthly` (hub.cli.paper)."""
    report = kinds.add_parser(
        "report",
        help="an inmate's labor assessment report over months (for a parole file), signed by the hub",
        description="Write an inmate's labor assessment report (劳动改造考核报告) as an A4 PDF with a QR "
        "code and verification code, and FILE.json, its signed companion (also attached in the PDF).",
    )
    report.add_argument("--config", required=True, type=Path, metavar="FILE", help="the hub's config")
    report.add_argument("--inmate", required=True, metavar="NUMBER", help="the inmate's prison number")
    report.add_argument("--from", dest="first", required=True, metavar="YYYY-MM", help="first month")
    report.add_argument("--to", dest="last", required=True, metavar="YYYY-MM", help="last month")
    report.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="the PDF to write")
    report.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    report.set_defaults(func=cmd_print_report)


def register(sub: Any) -> None:
    check = sub.add_parser(
        "verify-report",
        help="check an inmate's report (PDF or its .json) against the hub's public key",
        description="Exit 0 when the report is exactly what the hub with KEY issued; prints a Chinese "
        "verdict, the verification code and the months' numbers.",
    )
    check.add_argument("file", nargs="?", type=Path, metavar="FILE", help="the report's PDF or .json")
    check.add_argument("--qr", metavar="TEXT", help="instead of a file: the text read from the QR code")
    check.add_argument(
        "--hub-key-pub",
        required=True,
        metavar="KEY",
        help="the hub's public key (base64url) or a file holding it",
    )
    check.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    check.set_defaults(func=cmd_verify_report)


def companion_path(pdf: Path) -> Path:
    return pdf.with_suffix(".json")


def cmd_print_report(args: argparse.Namespace) -> int:
    try:
        first, last = Month.parse(args.first), Month.parse(args.last)
    except ValueError as err:
        raise CliError(f"--from/--to: {err}") from None
    if args.out.suffix.lower() != ".pdf":
        raise CliError("--out: the report's file name ends in .pdf (its signed companion is FILE.json)")
    config = load_config(args.config)
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
        issue = inmate_report.Issue(
            by=ISSUED_BY, at=datetime.fromtimestamp(now_ms / 1000, zone), zone_name=str(zone), lang=args.lang
        )
        document = inmate_report.report_document(assessment, args.inmate, first, last, issue=issue, zone=zone)
        sealed = report_signature.seal(document, signer)
        data = render_report(document, sealed)
        inmate_report.record_issue(ledger.record_act, "cli", document, sealed)
    except HubError as err:
        raise CliError(err.text("en")) from err
    finally:
        db.close()
    _write(args.out, data)
    _write(companion_path(args.out), report_signature.companion(document, sealed))
    companion = companion_path(args.out).name
    shown = {"out": args.out, "companion": companion, "inmate": args.inmate, "first": first, "last": last}
    print(said("cli.wrote.report", args.lang, **shown, code=sealed.code))
    print(said("cli.key.court", args.lang, key=signer.public_key_b64))
    return 0


def _month_line(m: dict[str, Any], lang: str) -> str:
    missing = paper_t("paper.missing", lang)
    return t(
        "report.check.month",
        lang,
        month=m.get("month"),
        state=paper_t(f"paper.state.{m.get('state')}", lang),
        pct=f"{m['completion_pct']}%" if m.get("completion_pct") else missing,
        labor=m.get("labor_points") or missing,
    )


def cmd_verify_report(args: argparse.Namespace) -> int:
    lang = args.lang
    try:
        hub_key = load_hub_key(args.hub_key_pub).public_key
    except (ValueError, OSError) as err:
        raise CliError(f"--hub-key-pub: {err}") from err
    if (args.file is None) == (args.qr is None):
        raise CliError("give the report's FILE (PDF or .json) or --qr TEXT, one of them")
    if args.qr is not None:
        sealed, problems = report_signature.check_qr(args.qr, hub_key)
        return _verdict(problems, lang, t("report.check.qr_ok", lang, code=sealed.code) if sealed else "")
    try:
        data = args.file.read_bytes()
    except OSError as err:
        raise CliError(f"cannot read {err.filename}: {err.strerror}") from err
    if data.startswith(b"%PDF"):
        found = companion_from_pdf(data)
        if found is None:
            return _verdict(["report.check.no_attachment"], lang, "")
        data = found
    document, sealed, problems = report_signature.check(data, hub_key)
    if document is not None and sealed is not None:
        try:
            who = document["inmate"]
            summary = t(
                "report.check.summary", lang, name=who["name"], number=who["number"],
                first=document["from"], last=document["to"], at=document["issued_at"], code=sealed.code,
            )  # fmt: skip
            print(summary)
            for m in document["months"]:
                print(_month_line(m, lang))
        except (KeyError, TypeError):
            problems = sorted({*problems, "report.check.not_report"})
    return _verdict(problems, lang, t("report.check.ok", lang))


def _verdict(problems: list[str], lang: str, ok: str) -> int:
    if problems:
        print(t("report.check.failed", lang))
        for problem in problems:
            print(f"  - {t(problem, lang)}")
        return 1
    print(ok)
    return 0
