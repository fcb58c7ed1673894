"""Where every file of a site lives: in the site folder `floorledger site init` writes, and on the
machine that uses it once the installer has copied it. Pure: names and modes only.

The site folder has one sub-folder per machine, so that what goes onto a machine is exactly one
folder's contents and nothing else (the CA's key never leaves `ca/`):

    site.json                    the site's record: hosts, kiosks, serial numbers, revocations
    ca/ca.crt, ca/ca.key         the site CA (keep ca.key on this machine only, offline if you can)
    broker/                      -> /etc/mosquitto/ on the broker machine
    hub/                         -> /etc/floorledger/ on the hub machine
    hub-state/hub.key            -> /var/lib/floorledger/hub.key on the hub machine (unless --hub-key)
    kiosks/<id>/                 -> /etc/floorledger/ on that kiosk
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

STATE_FILE = "site.json"
CA_DIR = "ca"
BROKER_DIR = "broker"
HUB_DIR = "hub"
HUB_STATE_DIR = "hub-state"  # what goes to the hub's /var/lib/floorledger: its signing key
KIOSKS_DIR = "kiosks"

CA_CERT = "ca.crt"
CA_KEY = "ca.key"
CRL = "crl.pem"

# broker machine
BROKER_CONF = "mosquitto.conf"
BROKER_ACL = "floorledger.acl"
BROKER_CERT = "broker.crt"
BROKER_KEY = "broker.key"
BROKER_ETC = PurePosixPath("/etc/mosquitto")
BROKER_FILES_ETC = BROKER_ETC / "floorledger"  # certificates, key, CRL and ACL
BROKER_PERSISTENCE = PurePosixPath("/var/lib/mosquitto")
MQTT_PORT = 8883

# hub and kiosks: the MQTT client certificate and key beside the config; the apps' state (their
# Ed25519 keys the kiosk creates itself, databases) under /var/lib/floorledger, the one writable place
MQTT_CERT = "mqtt.crt"
MQTT_KEY = "mqtt.key"
MQTT_CSR = "mqtt.csr"
HUB_CONFIG = "hub.toml"
HUB_SIGNING_KEY = "hub.key"  # the hub's Ed25519 key (acks, plans, ledger), not a TLS key
HTTPS_CERT = "https.crt"
HTTPS_KEY = "https.key"
KIOSK_CONFIG = "kiosk.toml"
APP_ETC = PurePosixPath("/etc/floorledger")
APP_STATE = PurePosixPath("/var/lib/floorledger")
HUB_KEY_PATH = APP_STATE / HUB_SIGNING_KEY
HUB_DATABASE = APP_STATE / "hub.sqlite3"
KIOSK_KEY_PATH = APP_STATE / "kiosk.key"  # made by the kiosk on its first start
KIOSK_DATABASE = APP_STATE / "kiosk.sqlite3"

# MQTT usernames: the broker takes each client certificate's CN as the username
HUB_USERNAME = "hub"
RESERVED_KIOSK_IDS = frozenset({HUB_USERNAME})

KEY_MODE = 0o600  # private keys: the owner only
PUBLIC_MODE = 0o644


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteFile:
    """One file in the site folder: its path there and whether it is a secret (mode 0600)."""

    path: PurePosixPath
    secret: bool

    @property
    def mode(self) -> int:
        return KEY_MODE if self.secret else PUBLIC_MODE


def kiosk_dir(kiosk: str) -> PurePosixPath:
    return PurePosixPath(KIOSKS_DIR) / kiosk


def broker_files() -> tuple[SiteFile, ...]:
    d = PurePosixPath(BROKER_DIR)
    return (
        SiteFile(path=d / BROKER_CONF, secret=False),
        SiteFile(path=d / BROKER_ACL, secret=False),
        SiteFile(path=d / CA_CERT, secret=False),
        SiteFile(path=d / BROKER_CERT, secret=False),
        SiteFile(path=d / BROKER_KEY, secret=True),
        SiteFile(path=d / CRL, secret=False),
    )


def hub_files() -> tuple[SiteFile, ...]:
    d = PurePosixPath(HUB_DIR)
    return (
        SiteFile(path=d / HUB_CONFIG, secret=False),
        SiteFile(path=d / CA_CERT, secret=False),
        SiteFile(path=d / MQTT_CERT, secret=False),
        SiteFile(path=d / MQTT_KEY, secret=True),
        SiteFile(path=d / HTTPS_CERT, secret=False),
        SiteFile(path=d / HTTPS_KEY, secret=True),
    )


def hub_state_files() -> tuple[SiteFile, ...]:
    """The hub's signing key, when `site init` made it in the site folder (no `--hub-key`)."""
    return (SiteFile(path=PurePosixPath(HUB_STATE_DIR) / HUB_SIGNING_KEY, secret=True),)


def kiosk_files(kiosk: str, *, with_key: bool = True) -> tuple[SiteFile, ...]:
    """A kiosk's folder; `with_key=False` when the kiosk made its own key (`site kiosk-csr`)."""
    d = kiosk_dir(kiosk)
    files = [
        SiteFile(path=d / KIOSK_CONFIG, secret=False),
        SiteFile(path=d / CA_CERT, secret=False),
        SiteFile(path=d / MQTT_CERT, secret=False),
    ]
    if with_key:
        files.append(SiteFile(path=d / MQTT_KEY, secret=True))
    return tuple(files)
