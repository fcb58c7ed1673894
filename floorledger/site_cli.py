"""`floorledger site ...`: a site's CA, certificates, broker config and sample configs.

    floorledger site init --site ID --out DIR [--kiosk ID:LINE ...] [--broker-host NAME ...]
                          [--hub-host NAME ...]
    floorledger site add-kiosk ID:LINE --dir DIR            key and certificate made here (copy them over)
    floorledger site kiosk-csr --kiosk ID --out DIR         on the kiosk: its own key and a request
    floorledger site sign-kiosk CSR --line LINE --dir DIR   the CA signs that request
    floorledger site revoke-kiosk ID --dir DIR [--hub-config hub.toml --officer NAME --reason TEXT]

Thin: parse, call `floorledger.site.actions`, print what to copy where (deploy/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import socket
import time
from pathlib import Path

from floorledger.base.errors import CliError
from floorledger.site import actions, layout
from floorledger.site.state import parse_kiosk_spec
from protocol import fields as pf
from protocol.errors import ProtocolError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    site = sub.add_parser(
        "site",
        help="a site's CA, certificates, broker config and sample configs",
        description="Certificates and configs for a real site; see deploy/README.md.",
    )
    ssub = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)

    p = ssub.add_parser(
        "init",
        help="a new site folder: CA, broker, hub and kiosk certificates, Mosquitto config, samples",
    )
    p.add_argument("--site", required=True, help="the site id (MQTT topics floorledger/<site>/...)")
    p.add_argument("--out", required=True, type=Path, help="the site folder to create")
    p.add_argument(
        "--kiosk", action="append", default=[], metavar="ID:LINE", help="a kiosk and its line (repeat)"
    )
    p.add_argument(
        "--broker-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a DNS name or IP of the broker; kiosks and the hub use the first (default: this host's name)",
    )
    p.add_argument(
        "--hub-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a DNS name or IP of the dashboard, for its HTTPS certificate (default: the broker hosts)",
    )
    p.add_argument(
        "--hub-key",
        type=Path,
        metavar="FILE",
        help="the hub's signing key: read if it exists, made there if not (default: hub-state/hub.key in "
        "the site folder, to install as /var/lib/floorledger/hub.key)",
    )
    p.set_defaults(func=_init)

    p = ssub.add_parser("add-kiosk", help="a key and certificate for one more kiosk, made in the site folder")
    p.add_argument("kiosk", metavar="ID:LINE", help="the kiosk id and its line, e.g. K03:L2")
    p.add_argument("--dir", required=True, type=Path, help="the site folder")
    p.set_defaults(func=_add_kiosk)

    p = ssub.add_parser("kiosk-csr", help="on a kiosk: its own MQTT key and a certificate request")
    p.add_argument("--kiosk", required=True, help="this kiosk's id")
    p.add_argument(
        "--out", required=True, type=Path, help=f"folder for {layout.MQTT_KEY} and {layout.MQTT_CSR}"
    )
    p.set_defaults(func=_kiosk_csr)

    p = ssub.add_parser("sign-kiosk", help="sign a kiosk's certificate request with the site CA")
    p.add_argument("csr", type=Path, help=f"the kiosk's {layout.MQTT_CSR}")
    p.add_argument("--line", required=True, help="the line the kiosk stands beside")
    p.add_argument("--dir", required=True, type=Path, help="the site folder")
    p.set_defaults(func=_sign_kiosk)

    p = ssub.add_parser(
        "revoke-kiosk",
        help="revoke a kiosk's certificate (a new CRL for the broker); with --hub-config its key at the hub",
    )
    p.add_argument("kiosk", help="the kiosk id")
    p.add_argument("--dir", required=True, type=Path, help="the site folder")
    p.add_argument(
        "--hub-config", type=Path, help="the hub's config: also revoke the kiosk's signing key there"
    )
    p.add_argument("--officer", help="who revokes it (recorded in the hub's ledger)")
    p.add_argument("--reason", default="kiosk certificate revoked", help="recorded in the hub's ledger")
    p.set_defaults(func=_revoke_kiosk)


def _init(args: argparse.Namespace) -> int:
    kiosks = [parse_kiosk_spec(text) for text in args.kiosk]
    brokers = args.broker_host or [socket.gethostname()]
    options = actions.InitOptions(
        site=args.site, kiosks=kiosks, broker_hosts=brokers, hub_hosts=args.hub_host, hub_key=args.hub_key
    )
    state = actions.init(args.out, options, _now())
    out = args.out
    print(f"site {state.site}: wrote {out}")
    print(f"  broker  {out / layout.BROKER_DIR}/   -> the broker machine (deploy/README.md, Broker)")
    print(f"  hub     {out / layout.HUB_DIR}/   -> {layout.APP_ETC}/ on the hub machine")
    if args.hub_key is None:
        key = out / layout.HUB_STATE_DIR / layout.HUB_SIGNING_KEY
        print(f"  hub key {key}   -> {layout.HUB_KEY_PATH} on the hub machine")
    for kiosk in state.kiosks:
        print(f"  kiosk   {out / layout.kiosk_dir(kiosk)}/   -> {layout.APP_ETC}/ on kiosk {kiosk}")
    print(f"  keep    {out / layout.CA_DIR / layout.CA_KEY} and {out / layout.STATE_FILE} here (the CA)")
    print(f"kiosks and the hub connect to mqtts://{state.broker_host}:{state.mqtt_port}")
    return 0


def _add_kiosk(args: argparse.Namespace) -> int:
    kiosk, line = parse_kiosk_spec(args.kiosk)
    actions.add_kiosk(args.dir, kiosk, line, _now())
    print(f"kiosk {kiosk}: wrote {args.dir / layout.kiosk_dir(kiosk)}/ -> {layout.APP_ETC}/ on the kiosk")
    return 0


def _kiosk_csr(args: argparse.Namespace) -> int:
    key, csr = actions.kiosk_csr(args.out, args.kiosk)
    print(f"key {key} (mode 0600, stays here); request {csr}")
    print(f"on the CA machine: floorledger site sign-kiosk {layout.MQTT_CSR} --line LINE --dir SITE-FOLDER")
    return 0


def _sign_kiosk(args: argparse.Namespace) -> int:
    try:
        csr = args.csr.read_bytes()
    except OSError as err:
        raise CliError(f"cannot read {args.csr}: {err.strerror}") from err
    try:
        line = pf.ident(args.line, "line")
    except ProtocolError:
        raise CliError(f"--line {args.line!r}: expected 1-64 of A-Z a-z 0-9 . _ -") from None
    _state, kiosk = actions.sign_kiosk(args.dir, csr, line, _now())
    folder = args.dir / layout.kiosk_dir(kiosk)
    print(f"kiosk {kiosk}: wrote {folder}/ (no key: the kiosk has its own) -> {layout.APP_ETC}/ on the kiosk")
    return 0


def _revoke_kiosk(args: argparse.Namespace) -> int:
    if args.hub_config is not None and not args.officer:
        raise CliError("--hub-config needs --officer (the hub's ledger records who revoked the kiosk)")
    state = actions.revoke_kiosk(args.dir, args.kiosk, _now())
    crl = args.dir / layout.BROKER_DIR / layout.CRL
    print(f"kiosk {args.kiosk}: certificate revoked; new CRL {crl} (number {state.crl_number})")
    print(
        f"on the broker: install it as {layout.BROKER_FILES_ETC / layout.CRL}, "
        "then `systemctl restart mosquitto`"
    )
    if args.hub_config is None:
        command = [
            "floorledger", "kiosks", "revoke",
            "--db", str(layout.HUB_DATABASE),
            "--key", str(layout.HUB_KEY_PATH),
            "--officer", args.officer or "OFFICER", "--kiosk", args.kiosk, "--reason", args.reason,
        ]  # fmt: skip
        print("on the hub, as the hub's user, revoke its signing key too (database and key of hub.toml):")
        print("  " + shlex.join(command))
        return 0
    _revoke_at_hub(args.hub_config, args.kiosk, args.officer, args.reason)
    print(f"kiosk {args.kiosk}: signing key revoked at the hub ({args.hub_config})")
    return 0


def _revoke_at_hub(config_path: Path, kiosk: str, officer: str, reason: str) -> None:
    """`floorledger kiosks revoke` on the database and key the hub's config names."""
    # lazy: the hub's database layer is loaded only by the subcommand that needs it
    from floorledger import keyfile
    from hub.config import load_config
    from hub.errors import HubError
    from hub.kiosks.enrollment import Enrollment
    from hub.ledger.entries import Ledger
    from hub.store import db as hub_db
    from hub.store.schema import bind_all

    def now_ms() -> int:
        return time.time_ns() // 1_000_000

    config = load_config(config_path)
    signer = keyfile.load(config.key_file)
    db = hub_db.connect(config.database)
    try:
        bind_all(db)
        Enrollment(db, Ledger(db, signer, now_ms), now_ms).revoke(officer, kiosk, reason)
    except HubError as err:
        raise CliError(f"the certificate is revoked, but the hub refused to revoke the key: {err}") from err
    finally:
        db.close()
