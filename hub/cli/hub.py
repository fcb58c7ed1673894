"""`floorledger hub`: run the hub, or prepare its key and database.

floorledger hub --config hub.toml          run until Ctrl-C / SIGTERM
floorledger hub init --config hub.toml     create the hub key if missing and migrate the database
floorledger hub migrate --config hub.toml  bring the database to this version's schema (backup first)
floorledger hub upgrade --config hub.toml --into DIR  with the hub stopped: a backup into DIR, then migrate
floorledger hub ingest --config hub.toml   an extra ingest worker beside the hub (shares the load)
"""

from __future__ import annotations

import argparse
import logging
import signal
from datetime import UTC, datetime
from pathlib import Path

import peewee as pw

from floorledger import keyfile
from floorledger.base.errors import CliError
from hub.config import HubConfig, load_config
from hub.errors import HubError
from hub.store import backup, inuse
from hub.store import db as hubdb
from hub.store.migrate import MigrationReport
from hub.store.schema import prepare

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "hub",
        help="run the hub (ingest, results, plans, dashboard and wall boards)",
        description="Run the FloorLedger hub from a TOML config file.",
    )
    p.add_argument("--config", type=Path, required=False, metavar="FILE", help="hub config file (TOML)")
    p.set_defaults(func=cmd_run)
    hub_sub = p.add_subparsers(dest="hub_command", metavar="SUBCOMMAND")
    init = hub_sub.add_parser(
        "init",
        help="create the hub key if missing and bring the database to the current schema",
        description=(
            "Create the hub's key file named in the config if missing, and create or migrate its "
            "database to this version's schema (every table)."
        ),
    )
    init.add_argument("--config", type=Path, required=True, metavar="FILE", help="hub config file (TOML)")
    init.set_defaults(func=cmd_init)
    migrate = hub_sub.add_parser(
        "migrate",
        help="bring the database to this version's schema (a SQLite file is copied first)",
        description=(
            "Apply the numbered schema steps the database lacks, each in its own transaction. A "
            "SQLite file is first copied beside itself (<file>.before-v<N>-<time>); back up a "
            "PostgreSQL database with pg_dump before upgrading. A database newer than this "
            "version is refused, and so is a database a hub or ingest worker is running on. "
            "The hub also migrates when it starts."
        ),
    )
    migrate.add_argument("--config", type=Path, required=True, metavar="FILE", help="hub config file (TOML)")
    migrate.set_defaults(func=cmd_migrate)
    upgrade = hub_sub.add_parser(
        "upgrade",
        help="after installing a new version, with the hub stopped: back up, then migrate",
        description=(
            "Refused while a hub or ingest worker runs on the database. Writes a backup "
            "(hub-<UTC time>-before-upgrade.sqlite3, or .pgdump through pg_dump) into DIR, then "
            "applies the schema steps the database lacks. Restore that backup with "
            "`floorledger restore` to go back."
        ),
    )
    upgrade.add_argument("--config", type=Path, required=True, metavar="FILE", help="hub config file (TOML)")
    upgrade.add_argument("--into", type=Path, required=True, metavar="DIR", help="folder for the backup")
    upgrade.set_defaults(func=cmd_upgrade)
    ingest = hub_sub.add_parser(
        "ingest",
        help="run an extra ingest worker (shares the kiosks' records with the hub)",
        description=(
            "Run only the ingest: verify, store, commit and acknowledge kiosk records, sharing the "
            "records subscription with the hub and other workers. The hub's results pick up what "
            "a worker commits. Runs until Ctrl-C / SIGTERM."
        ),
    )
    ingest.add_argument("--config", type=Path, required=True, metavar="FILE", help="hub config file (TOML)")
    ingest.set_defaults(func=cmd_ingest)


def cmd_run(args: argparse.Namespace) -> int:
    # lazy: the app and its web pages (NiceGUI) are loaded only by the subcommand that serves them
    from hub.app import HubApp
    from hub.web import app_pages

    if args.config is None:
        raise CliError("--config FILE is required (see `floorledger hub --help`)")
    config = load_config(args.config)
    if not config.key_file.exists():
        raise CliError(
            f"hub key {config.key_file} does not exist; run `floorledger hub init --config {args.config}`"
        )
    for name in ("cert_file", "key_file"):
        path = getattr(config.web, name)
        if path is not None and not path.is_file():
            raise CliError(f"web.{name}: {path} does not exist (the dashboard's HTTPS certificate and key)")
    app = HubApp(config, pages=[app_pages])
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        app.run()  # the web server shuts down on SIGINT/SIGTERM, runs app.stop, then re-raises the signal
    except (KeyboardInterrupt, _Terminated):
        log.info("hub stopped")
    except (HubError, pw.DatabaseError) as err:
        raise CliError(
            f"cannot run the hub: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
        ) from err
    finally:
        app.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from hub.kiosks.worker import IngestWorker  # lazy: loaded only by this subcommand

    config = load_config(args.config)
    if not config.key_file.exists():
        raise CliError(f"hub key {config.key_file} does not exist; the hub's own key is needed to sign acks")
    worker = IngestWorker(config)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        worker.start()
        print(f"ingest worker {worker.name} running for hub {config.site}; Ctrl-C stops it", flush=True)
        signal.pause()  # the MQTT thread does the work; a signal ends the wait
    except (KeyboardInterrupt, _Terminated):
        log.info("ingest worker stopped")
    except (HubError, pw.DatabaseError) as err:
        raise CliError(f"cannot run the ingest worker: {str(err).splitlines()[0]}") from err
    finally:
        worker.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


class _Terminated(Exception):
    """SIGTERM: stop like Ctrl-C (a service manager's normal stop is not an error)."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def cmd_init(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    signer, created = keyfile.load_or_create(config.key_file)
    report = _migrate(config)
    state = "created" if created else "kept"
    print(f"hub key {config.key_file} {state}; fingerprint {signer.fingerprint}")
    # the public half: kiosk.toml's hub_public_key and `floorledger verify --hub-key-pub`
    print(f"hub public key {signer.public_key_b64}")
    _print_report(config, report)
    print(f"database {config.database} ready")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        hold = inuse.take(config.database)  # a running hub must not find its schema changed under it
    except HubError as err:
        raise CliError(str(err)) from err
    try:
        _print_report(config, _migrate(config))
    finally:
        hold.release()
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "pgdump" if backup.is_postgres(config.database) else "sqlite3"
    try:
        hold = inuse.take(config.database)  # no hub may run on it while its schema changes
    except HubError as err:
        raise CliError(str(err)) from err
    try:
        try:
            report = backup.backup(config.database, args.into / f"hub-{stamp}-before-upgrade.{suffix}")
        except HubError as err:
            raise CliError(f"no backup, nothing migrated: {err}") from err
        print(f"backup {report.path}: {report.kind}, {report.size} bytes")
        _print_report(config, _migrate(config))
    finally:
        hold.release()
    return 0


def _migrate(config: HubConfig) -> MigrationReport:
    try:
        db = hubdb.connect(config.database)
        try:
            return prepare(db)
        finally:
            db.close()
    except (HubError, pw.DatabaseError) as err:
        raise CliError(f"database {config.database}: {str(err).splitlines()[0]}") from err


def _print_report(config: HubConfig, report: MigrationReport) -> None:
    if report.backup is not None:
        print(f"database {config.database} copied to {report.backup}")
    if report.recognised:
        print(f"database {config.database}: made before schema versions, recognised as version 1")
    if report.applied:
        steps = ", ".join(str(v) for v in report.applied)
        print(f"database {config.database}: schema version {report.after} (applied step {steps})")
    else:
        print(f"database {config.database}: schema version {report.after}, nothing to do")
