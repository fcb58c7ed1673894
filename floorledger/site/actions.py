"""What each `floorledger site` command does to the site folder: certificates, configs, the CRL.

The clock is handed in (`now`); the commands in `floorledger.site_cli` pass the real one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives.asymmetric import ec

from floorledger import keyfile
from floorledger.base.errors import CliError
from floorledger.site import layout
from floorledger.site.certs import (
    Ca,
    cert_pem,
    crl_pem,
    csr_pem,
    key_pem,
    load_key,
    make_ca,
    make_csr,
    new_key,
    read_csr,
    serial_hex,
)
from floorledger.site.files import SiteFolder
from floorledger.site.mosquitto import broker_acl, broker_conf
from floorledger.site.samples import hub_toml, kiosk_toml
from floorledger.site.state import SiteState, check_host, check_kiosk_id, check_site


def _ms(now: dt.datetime) -> int:
    return int(now.timestamp() * 1000)


@dataclass(frozen=True, slots=True, kw_only=True)
class InitOptions:
    site: str
    kiosks: Sequence[tuple[str, str]]  # (kiosk id, line)
    broker_hosts: Sequence[str]
    hub_hosts: Sequence[str]
    # the hub's Ed25519 key: read where it exists (a hub already running), made there if not;
    # None: made in the site folder's hub-state/
    hub_key: Path | None = None


def init(root: Path, options: InitOptions, now: dt.datetime) -> SiteState:
    """A new site folder: CA, broker, hub and kiosk certificates, broker config and ACL, samples."""
    folder = SiteFolder(root)
    if folder.exists(layout.STATE_FILE) or folder.exists(PurePosixPath(layout.CA_DIR) / layout.CA_KEY):
        raise CliError(f"{root} already holds a site; use `floorledger site add-kiosk` to extend it")
    site = check_site(options.site)
    if not options.broker_hosts:
        raise CliError("give at least one --broker-host (the name kiosks and the hub connect to)")
    brokers = tuple(dict.fromkeys(check_host(h, "--broker-host") for h in options.broker_hosts))
    hubs = tuple(dict.fromkeys(check_host(h, "--hub-host") for h in options.hub_hosts)) or brokers
    seen: set[str] = set()
    for kiosk, _line in options.kiosks:
        if kiosk in seen:
            raise CliError(f"kiosk {kiosk} is given twice")
        seen.add(kiosk)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)  # the CA's folder: its owner's alone

    ca_key, ca_cert = make_ca(site, now)
    ca = Ca(key=ca_key, cert=ca_cert)
    ca_dir = PurePosixPath(layout.CA_DIR)
    folder.write_secret(ca_dir / layout.CA_KEY, key_pem(ca_key))
    folder.write_public(ca_dir / layout.CA_CERT, cert_pem(ca_cert))

    if options.hub_key is None:
        hub_signer = keyfile.create(folder.path(PurePosixPath(layout.HUB_STATE_DIR) / layout.HUB_SIGNING_KEY))
    else:
        hub_signer, _ = keyfile.load_or_create(options.hub_key)
    state = SiteState(
        site=site, broker_hosts=brokers, hub_hosts=hubs, hub_public_key=hub_signer.public_key_b64
    )

    broker_dir = PurePosixPath(layout.BROKER_DIR)
    broker_key = new_key()
    folder.write_secret(broker_dir / layout.BROKER_KEY, key_pem(broker_key))
    broker_cert = ca.issue(brokers[0], broker_key.public_key(), now, server_names=brokers)
    folder.write_public(broker_dir / layout.BROKER_CERT, cert_pem(broker_cert))
    folder.write_public(broker_dir / layout.CA_CERT, cert_pem(ca_cert))
    folder.write_public(broker_dir / layout.BROKER_CONF, broker_conf(port=state.mqtt_port))
    folder.write_public(broker_dir / layout.BROKER_ACL, broker_acl(site))

    hub_dir = PurePosixPath(layout.HUB_DIR)
    mqtt_key = new_key()
    folder.write_secret(hub_dir / layout.MQTT_KEY, key_pem(mqtt_key))
    folder.write_public(
        hub_dir / layout.MQTT_CERT,
        cert_pem(ca.issue(layout.HUB_USERNAME, mqtt_key.public_key(), now, client=True)),
    )
    https_key = new_key()
    folder.write_secret(hub_dir / layout.HTTPS_KEY, key_pem(https_key))
    folder.write_public(
        hub_dir / layout.HTTPS_CERT,
        cert_pem(ca.issue(hubs[0], https_key.public_key(), now, server_names=hubs)),
    )
    folder.write_public(hub_dir / layout.CA_CERT, cert_pem(ca_cert))
    folder.write_public(hub_dir / layout.HUB_CONFIG, hub_toml(state))

    for kiosk, line in options.kiosks:
        state = _issue_kiosk(folder, ca, state, kiosk, line, now, key=new_key())
    _write_crl(folder, ca, state, now)
    folder.write_state(state)
    return state


def add_kiosk(root: Path, kiosk: str, line: str, now: dt.datetime) -> SiteState:
    """A key and certificate for a new kiosk, made here (the installer copies the folder to it)."""
    folder = SiteFolder(root)
    state = folder.read_state()
    if folder.exists(layout.kiosk_dir(kiosk) / layout.MQTT_KEY):
        raise CliError(
            f"{folder.path(layout.kiosk_dir(kiosk))} already holds a key; move the old folder away first"
        )
    state = _issue_kiosk(folder, folder.load_ca(), state, kiosk, line, now, key=new_key())
    folder.write_state(state)
    return state


def sign_kiosk(root: Path, csr: bytes, line: str, now: dt.datetime) -> tuple[SiteState, str]:
    """A certificate for the key a kiosk made itself (`kiosk_csr`); its key never comes here."""
    kiosk, public_key = read_csr(csr)
    folder = SiteFolder(root)
    state = folder.read_state()
    state = _issue_kiosk(folder, folder.load_ca(), state, kiosk, line, now, public_key=public_key)
    folder.write_state(state)
    return state, kiosk


def kiosk_csr(out: Path, kiosk: str) -> tuple[Path, Path]:
    """On the kiosk: its MQTT key (0600, kept when it exists) and a CSR for the CA (`sign_kiosk`)."""
    check_kiosk_id(kiosk)
    folder = SiteFolder(out)
    key_rel = PurePosixPath(layout.MQTT_KEY)
    if folder.exists(key_rel):
        key = load_key(folder.read(key_rel), str(folder.path(key_rel)))
    else:
        key = new_key()
        folder.write_secret(key_rel, key_pem(key))
    csr_path = folder.write_public(layout.MQTT_CSR, csr_pem(make_csr(kiosk, key)))
    return folder.path(key_rel), csr_path


def revoke_kiosk(root: Path, kiosk: str, now: dt.datetime) -> SiteState:
    """Put the kiosk's certificate on the CRL the broker loads (broker/crl.pem)."""
    folder = SiteFolder(root)
    state = folder.read_state().with_revoked(kiosk, _ms(now))
    _write_crl(folder, folder.load_ca(), state, now)
    folder.write_state(state)
    return state


def _issue_kiosk(
    folder: SiteFolder,
    ca: Ca,
    state: SiteState,
    kiosk: str,
    line: str,
    now: dt.datetime,
    *,
    key: ec.EllipticCurvePrivateKey | None = None,
    public_key: ec.EllipticCurvePublicKey | None = None,
) -> SiteState:
    check_kiosk_id(kiosk)
    if key is not None:
        public_key = key.public_key()
    assert public_key is not None
    cert = ca.issue(kiosk, public_key, now, client=True)
    state = state.with_kiosk(kiosk, line, serial_hex(cert))  # refuses a kiosk with a live certificate
    d = layout.kiosk_dir(kiosk)
    if key is not None:
        folder.write_secret(d / layout.MQTT_KEY, key_pem(key))
    folder.write_public(d / layout.MQTT_CERT, cert_pem(cert))
    folder.write_public(d / layout.CA_CERT, cert_pem(ca.cert))
    folder.write_public(d / layout.KIOSK_CONFIG, kiosk_toml(state, kiosk, state.hub_public_key))
    return state


def _write_crl(folder: SiteFolder, ca: Ca, state: SiteState, now: dt.datetime) -> None:
    crl = ca.crl(state.revoked_serials(), state.crl_number, now)
    folder.write_public(PurePosixPath(layout.BROKER_DIR) / layout.CRL, crl_pem(crl))
