"""`floorledger hub`: run the hub, or prepare its key and database.

floorledger hub --config hub.toml          run until Ctrl-C / SIGTERM
floorledger hub init --config hub.toml     create the hub key and the database tables if missing
floorledger hub ingest --config hub.toml   an extra ingest worker beside the hub (shares the load)
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

import peewee as pw

from floorledger import keyfile
from floorledger.base.errors import CliError
from hub.config import load_config
from hub.errors import HubError

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
        help="create the hub key and database tables if missing",
        description="Create the hub's key file and database tables named in the config, if missing.",
    )
    init.add_argument("--config", type=Path, required=True, metavar="FILE", help="hub config file (TOML)")
    init.set_defaults(func=cmd_init)
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
    from hub.app import HubApp

    if args.config is None:
        raise CliError("--config FILE is required (see `floorledger hub --help`)")
    config = load_config(args.config)
    if not config.key_file.exists():
        raise CliError(
            f"hub key {config.key_file} does not exist; run `floorledger hub init --config {args.config}`"
        )
    app = HubApp(config)
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
    from hub.kiosks.worker import IngestWorker

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
    from hub.app import bind_all
    from hub.store import db as hubdb

    config = load_config(args.config)
    signer, created = keyfile.load_or_create(config.key_file)
    try:
        db = hubdb.connect(config.database)
        bind_all(db)
        db.close()
    except (HubError, pw.DatabaseError) as err:
        raise CliError(f"database {config.database}: {str(err).splitlines()[0]}") from err
    state = "created" if created else "kept"
    print(f"hub key {config.key_file} {state}; fingerprint {signer.fingerprint}")
    print(f"database {config.database} ready")
    return 0
