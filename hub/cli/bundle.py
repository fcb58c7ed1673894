"""`floorledger bundle` (make an evidence bundle) and `floorledger verify-bundle` (check one offline).

    floorledger bundle --db URL --inmate ID --month YYYY-MM --key HUBKEYFILE --out FILE [--through DAY]
    floorledger verify-bundle FILE --hub-key-pub KEY

`bundle` first signs a fresh checkpoint with the hub key (so every record stored so far is in it),
then writes the bundle. `verify-bundle` needs nothing but the file and the hub's public key, which
comes from the hub's operator (the audit page prints it), never from the bundle itself.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import peewee

from floorledger import keyfile
from floorledger.base import i18n
from floorledger.base.errors import CliError
from hub.audit import bundle as bd
from hub.audit import bundle_private as bp
from hub.engine.errors import EngineError
from hub.engine.model import Month
from hub.errors import HubError
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame
from protocol.signing import Verifier, b64decode


def register(sub: Any) -> None:
    make = sub.add_parser(
        "bundle",
        help="write an inmate's evidence bundle for a month (records, proofs, scenario, result)",
        description="Sign a fresh checkpoint and write one inmate's month as an evidence bundle (JSON).",
    )
    make.add_argument(
        "--db", required=True, metavar="URL", help="hub database: path, sqlite:/// or postgresql://"
    )
    make.add_argument("--inmate", required=True, metavar="ID", help="inmate id")
    make.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-10")
    make.add_argument("--key", required=True, type=Path, metavar="HUBKEYFILE", help="the hub's key file")
    make.add_argument("--out", required=True, type=Path, metavar="FILE", help="bundle file to write")
    make.add_argument("--through", metavar="YYYY-MM-DD", help="last day of a month in progress")
    make.add_argument(
        "--private",
        action="store_true",
        help="line-mates' records as hashes only, their counts merged (docs/evidence-bundle.md)",
    )
    make.set_defaults(func=cmd_bundle)

    check = sub.add_parser(
        "verify-bundle",
        help="check an evidence bundle offline against the hub's public key",
        description="Exit 0 when every signature, proof, input and number in the bundle holds.",
    )
    check.add_argument("file", type=Path, metavar="FILE", help="evidence bundle (JSON)")
    check.add_argument(
        "--hub-key-pub",
        required=True,
        metavar="KEY",
        help="the hub's public key (base64url) or a file holding it",
    )
    check.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=i18n.DEFAULT_LANGUAGE,
        help="language of the report (default: zh; en: the English lines the docs quote)",
    )
    check.set_defaults(func=cmd_verify_bundle)


def cmd_verify_bundle(args: argparse.Namespace) -> int:
    from hub.audit.verify import load_hub_key

    try:
        hub_key = load_hub_key(args.hub_key_pub)
    except (ValueError, OSError) as err:
        raise CliError(f"--hub-key-pub: {err}") from err
    try:
        data = args.file.read_bytes()
    except OSError as err:
        raise CliError(f"cannot read {args.file}: {err}") from err
    if bp.is_private(data):
        private = bp.check_private_bytes(data, hub_key)
        print(private.render(args.lang))
        return 0 if private.ok else 1
    report = bd.check_bundle_bytes(data, hub_key)
    print(report.render(args.lang))
    return 0 if report.ok else 1


def cmd_bundle(args: argparse.Namespace) -> int:
    from hub.app import checkpoint_log
    from hub.ledger.checkpoints import latest_checkpoint
    from hub.store import db as hub_db
    from hub.store.schema import prepare

    try:
        month = Month.parse(args.month)
        through = date.fromisoformat(args.through) if args.through else None
    except ValueError as err:
        raise CliError(f"--month/--through: {err}") from None
    signer = keyfile.load(args.key)
    if not str(args.db).startswith(("postgresql://", "postgres://")):
        path = str(args.db).removeprefix("sqlite:///")
        if not Path(path).is_file():
            raise CliError(f"--db: no hub database at {args.db}")
    try:
        db = hub_db.connect(args.db)
    except (HubError, peewee.DatabaseError) as err:
        raise CliError(f"--db {args.db}: {err}") from err
    try:
        prepare(db)
        now = time.time_ns() // 1_000_000
        previous = latest_checkpoint()
        hub_id = "hub"
        if previous is not None:
            try:
                hub_id = open_frame(
                    bytes(previous.frame), Verifier(b64decode(signer.public_key_b64), hub=True), Checkpoint
                ).hub
            except ProtocolError as err:
                raise CliError(f"--key: the hub's checkpoints are not signed by this key ({err})") from err
        made = checkpoint_log(db, signer, clock_ms=lambda: now, site=hub_id).make_checkpoint()
        if args.private:
            document = bp.build_private_bundle(
                db, inmate=args.inmate, month=month, signer=signer, through=through
            )
        else:
            document = bd.build_bundle(db, inmate=args.inmate, month=month, through=through)
    except (bd.BundleError, EngineError) as err:
        raise CliError(f"no bundle for {args.inmate} {month}: {err}") from err
    except peewee.DatabaseError as err:
        raise CliError(f"--db {args.db}: {str(err).splitlines()[0]}") from err
    finally:
        db.close()
    _write_atomically(args.out, bd.bundle_text(document))
    print(
        f"wrote {args.out}: {len(document['records'])} signed records, checkpoint of {made.tree_size} leaves"
    )
    print(f"hub public key (give it to the verifier separately): {signer.public_key_b64}")
    return 0


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
