"""`floorledger verify`, `floorledger kiosks ...`, `floorledger checkpoint` and `floorledger proof`.

Thin: parse arguments, open the database, call hub.audit.verify / hub.kiosks.enrollment /
hub.ledger.checkpoints, print.
Enrollment acts from here are committed to the database; a running hub picks them up when its
ingest reloads its keys.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import peewee

from floorledger import keyfile
from floorledger.base import i18n
from floorledger.base.errors import CliError
from hub.app import checkpoint_log
from hub.audit.verify import load_hub_key, verify_database
from hub.audit.witness import ExpectError, parse_expectation
from hub.errors import HubError
from hub.kiosks import enrollment
from hub.ledger import checkpoints
from hub.ledger import entries as ledger
from hub.store import db as hub_db
from hub.store import kiosks as models
from hub.store.schema import bind_all
from protocol.errors import ProtocolError
from protocol.signing import Verifier, fingerprint


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _open(url: str, *, must_exist: bool = True) -> peewee.Database:
    is_file = not url.startswith(("postgresql://", "postgres://"))
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url
    if is_file and must_exist and not Path(path).exists():
        raise CliError(f"database {path} does not exist")
    try:
        db = hub_db.connect(url)
        bind_all(db)  # read only: verify never migrates or creates tables in what it checks
    except (HubError, peewee.DatabaseError) as err:
        raise CliError(f"cannot open database {url}: {err}") from err
    return db


def _db_failed(err: peewee.DatabaseError) -> CliError:
    """A driver error (e.g. SQLite still locked after the busy timeout) as one line, not a traceback."""
    first = str(err).splitlines()[0] if str(err) else type(err).__name__
    return CliError(f"the database refused: {first}")


def _hub_key(text: str | None) -> Verifier | None:
    if text is None:
        return None
    try:
        return load_hub_key(text)
    except (HubError, ValueError, OSError) as err:
        raise CliError(str(err)) from err


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = sub.add_parser(
        "verify",
        help="re-verify every signature, chain and checkpoint in a hub database",
        description="Checks the hub's database against the signed bytes it holds; exit 0 when all holds.",
    )
    verify.add_argument("--db", help="database URL (SQLite path or postgresql://...)")
    verify.add_argument(
        "--hub-key-pub",
        help="the hub's public key (base64url) or a file holding it; without it hub "
        "signatures are not checked",
    )
    verify.add_argument("--workers", type=int, default=None, help="processes for record signatures")
    verify.add_argument("--proof", type=Path, help="instead: check one inclusion proof file offline")
    verify.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="ROOT[@SIZE]|FILE",
        help="a checkpoint kept outside the hub that today's log must still extend: a hex root (64 "
        "digits, or the first 16 the wall board shows) with an optional @SIZE, or a file (a signed "
        "checkpoint, an evidence bundle, a proof, an export with checkpoint_root); repeatable",
    )
    verify.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=i18n.DEFAULT_LANGUAGE,
        help="language of the report (default: zh, as the dashboard's; en: the English lines tests and "
        "docs quote)",
    )
    verify.set_defaults(func=_verify)

    kiosks = sub.add_parser("kiosks", help="list, enroll, bind, revoke and rotate kiosks")
    ksub = kiosks.add_subparsers(dest="kiosks_command", metavar="ACTION", required=True)

    def act(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = ksub.add_parser(name, help=help_text)
        p.add_argument("--db", required=True, help="database URL")
        if name != "list":
            p.add_argument("--key", required=True, type=Path, help="the hub's key file (signs the ledger)")
            p.add_argument("--officer", required=True, help="the officer doing this (recorded in the ledger)")
        return p

    act("list", "enrolled and pending kiosks").set_defaults(func=_kiosks_list)
    p = act("enroll", "enroll a kiosk by its fingerprint or its QR text")
    p.add_argument("--kiosk", help="kiosk id (with --fingerprint)")
    p.add_argument("--fingerprint", help="the fingerprint the kiosk's screen shows")
    p.add_argument("--qr", help="the QR text floorledger-enroll:1:<kiosk>:<key> instead")
    p.add_argument("--line", help="bind to this line")
    p.set_defaults(func=_kiosks_enroll)
    p = act("bind", "bind a kiosk to a line")
    p.add_argument("--kiosk", required=True)
    p.add_argument("--line", required=True)
    p.set_defaults(func=_kiosks_bind)
    p = act("revoke", "refuse everything a kiosk sends from now on")
    p.add_argument("--kiosk", required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=_kiosks_revoke)
    p = act("rotate", "accept the new key a kiosk announced")
    p.add_argument("--kiosk", required=True)
    p.add_argument("--fingerprint", required=True, help="fingerprint of the NEW key")
    p.set_defaults(func=_kiosks_rotate)

    cp = sub.add_parser("checkpoint", help="sign a checkpoint over every record and ledger entry so far")
    cp.add_argument("--db", required=True, help="database URL")
    cp.add_argument("--key", required=True, type=Path, help="the hub's key file")
    cp.add_argument("--site", default="hub", help="the hub's site id, as in its acknowledgements")
    cp.set_defaults(func=_checkpoint)

    proof = sub.add_parser("proof", help="write an inclusion proof of one kiosk record")
    proof.add_argument("--db", required=True, help="database URL")
    proof.add_argument("--kiosk", required=True)
    proof.add_argument("--seq", required=True, type=int)
    proof.add_argument("--out", type=Path, help="file to write (default: standard output)")
    proof.set_defaults(func=_proof)


def _verify(args: argparse.Namespace) -> int:
    hub_key = _hub_key(args.hub_key_pub)
    if args.proof is not None:
        return _verify_proof(args.proof, hub_key, args.lang)
    if args.db is None:
        raise CliError("give --db URL (or --proof FILE)")
    try:
        expect = [claim for value in args.expect for claim in parse_expectation(value, hub_key)]
    except ExpectError as err:  # in the report's language: its texts are verify's (verify.expect.*)
        raise CliError(err.text(args.lang)) from err
    db = _open(args.db)
    try:
        report = verify_database(db, hub_key, workers=args.workers, expect=expect)
    except peewee.DatabaseError as err:
        raise CliError(f"cannot read the database: {err}") from err
    finally:
        db.close()
    print(report.render(args.lang))
    return 0 if report.ok else 1


def _verify_proof(path: Path, hub_key: Verifier | None, lang: str) -> int:
    if hub_key is None:
        raise CliError("checking a proof needs --hub-key-pub")
    try:
        proof = checkpoints.InclusionProof.from_json(path.read_text(encoding="utf-8"))
        checkpoint = checkpoints.verify_inclusion_proof(proof, hub_key)
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror}") from err
    except (checkpoints.CheckpointError, ProtocolError, ValueError) as err:
        why = err.text(lang) if isinstance(err, HubError) else str(err)
        print(i18n.t("verify.proof.bad", lang, why=why))
        return 1
    print(
        i18n.t(
            "verify.proof.ok",
            lang,
            leaf=proof.leaf_index,
            size=checkpoint.tree_size,
            root=checkpoint.root,
            hub=checkpoint.hub,
            hub_ms=checkpoint.hub_ms,
        )
    )
    return 0


def _enrollment(args: argparse.Namespace, db: peewee.Database) -> enrollment.Enrollment:
    signer = keyfile.load(args.key)
    return enrollment.Enrollment(db, ledger.Ledger(db, signer, _now_ms), _now_ms)


def _run_act(args: argparse.Namespace, action: Callable[[enrollment.Enrollment], models.Kiosk]) -> int:
    db = _open(args.db)
    try:
        kiosk = action(_enrollment(args, db))
    except HubError as err:  # an enrollment refusal or a ledger that cannot take the act: one line
        raise CliError(str(err)) from err
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        db.close()
    print(f"{kiosk.id}\t{kiosk.status}\tline={kiosk.line or '-'}\t{fingerprint(bytes(kiosk.public_key))}")
    return 0


def _kiosks_enroll(args: argparse.Namespace) -> int:
    if args.qr:
        return _run_act(args, lambda e: e.enroll_qr(args.officer, args.qr, args.line))
    if not (args.kiosk and args.fingerprint):
        raise CliError("give --kiosk and --fingerprint, or --qr")
    return _run_act(args, lambda e: e.enroll(args.officer, args.kiosk, args.fingerprint, args.line))


def _kiosks_bind(args: argparse.Namespace) -> int:
    return _run_act(args, lambda e: e.bind_line(args.officer, args.kiosk, args.line))


def _kiosks_revoke(args: argparse.Namespace) -> int:
    return _run_act(args, lambda e: e.revoke(args.officer, args.kiosk, args.reason))


def _kiosks_rotate(args: argparse.Namespace) -> int:
    return _run_act(args, lambda e: e.rotate(args.officer, args.kiosk, args.fingerprint))


def _kiosks_list(args: argparse.Namespace) -> int:
    db = _open(args.db)
    try:
        with db.connection_context():
            enrolled = list(models.Kiosk.select().order_by(models.Kiosk.id))
            pending = list(models.PendingKiosk.select().order_by(models.PendingKiosk.kiosk))
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        db.close()
    for k in enrolled:
        print(
            f"{k.id}\t{k.status}\tline={k.line or '-'}\t{fingerprint(bytes(k.public_key))}\thead={k.head_seq}"
        )
    for p in pending:
        print(f"{p.kiosk}\tpending\t-\t{fingerprint(bytes(p.public_key))}")
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    signer = keyfile.load(args.key)
    db = _open(args.db)
    try:
        log = checkpoint_log(db, signer, clock_ms=_now_ms, site=args.site)
        stored = log.make_checkpoint()
    except (HubError, ProtocolError) as err:
        raise CliError(str(err)) from err
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        db.close()
    print(f"checkpoint: tree_size={stored.tree_size} root={stored.root}")
    return 0


def _proof(args: argparse.Namespace) -> int:
    db = _open(args.db)
    try:
        row = models.KioskRecord.get_or_none(
            (models.KioskRecord.kiosk == args.kiosk) & (models.KioskRecord.seq == args.seq)
        )
        if row is None:
            raise CliError(f"no record {args.seq} of kiosk {args.kiosk}")
        proof = checkpoints.inclusion_proof(row)
    except HubError as err:
        raise CliError(str(err)) from err
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        db.close()
    text = proof.to_json()
    if args.out is None:
        sys.stdout.write(text + "\n")
    else:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0
