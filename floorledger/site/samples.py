"""The sample `hub.toml` and `kiosk.toml` a site gets: complete, working configs once copied with
their folder to /etc/floorledger/ (see deploy/README.md). Pure: text from the site's names.

Files that sit beside the config (certificates, the hub's key) are named relative to it (the apps
read relative paths from the config's folder); what the apps write (databases, the kiosk's own key)
lives under /var/lib/floorledger, the one place the services may write.
"""

from __future__ import annotations

from floorledger.site import layout
from floorledger.site.state import SiteState

DEFAULT_TIMEZONE = "Asia/Shanghai"
KIOSK_UI_PORT = 8080  # the kiosk's page, opened by the kiosk browser on the same machine
HUB_WEB_PORT = 8443  # HTTPS only (an unprivileged port: the hub unit grants no capability)
BADGE_READER = "/dev/ttyUSB0"  # a USB-serial badge reader, alone on its USB port


def _q(text: str) -> str:
    """A TOML basic string (the values here are ids, host names and paths: no quotes inside)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def broker_url(state: SiteState) -> str:
    return f"mqtts://{state.broker_host}:{state.mqtt_port}"


def hub_toml(state: SiteState) -> str:
    return f"""\
# The hub of site "{state.site}", written by `floorledger site init`. Install this folder as
# {layout.APP_ETC}/ on the hub machine; see docs/hub.md for every field.
site = {_q(state.site)}
# the hub's Ed25519 key (signs acks and plans); its public key is in every kiosk.toml
key_file = {_q(str(layout.HUB_KEY_PATH))}
database = {_q(str(layout.HUB_DATABASE))}  # or postgresql://user@host/db for a large site
broker = {_q(broker_url(state))}
timezone = {_q(DEFAULT_TIMEZONE)}

# the hub's MQTT client certificate (CN "{layout.HUB_USERNAME}") and the site CA
[broker_tls]
ca_file = {_q(layout.CA_CERT)}
cert_file = {_q(layout.MQTT_CERT)}
key_file = {_q(layout.MQTT_KEY)}

# the dashboard and wall boards, HTTPS only, with the certificate site init made for the hub's names
[web]
host = "0.0.0.0"
port = {HUB_WEB_PORT}
cert_file = {_q(layout.HTTPS_CERT)}
key_file = {_q(layout.HTTPS_KEY)}

[board]
privacy = "masked"
"""


def kiosk_toml(state: SiteState, kiosk: str, hub_public_key_b64: str) -> str:
    entry = state.kiosks[kiosk]
    return f"""\
# Kiosk {kiosk} of site "{state.site}", written by `floorledger site`. Install this folder as
# {layout.APP_ETC}/ on the kiosk; see docs/kiosk.md for every field.
kiosk_id = {_q(kiosk)}
site = {_q(state.site)}
line = {_q(entry.line)}
key_file = {_q(str(layout.KIOSK_KEY_PATH))}   # the kiosk's Ed25519 key, made on its first start
database = {_q(str(layout.KIOSK_DATABASE))}
broker_url = {_q(broker_url(state))}
broker_ca_file = {_q(layout.CA_CERT)}
# the kiosk's MQTT client certificate (CN "{kiosk}"), its key and the site CA
broker_cert_file = {_q(layout.MQTT_CERT)}
broker_key_file = {_q(layout.MQTT_KEY)}
hub_public_key = {_q(hub_public_key_b64)}
timezone = {_q(DEFAULT_TIMEZONE)}
ui_host = "127.0.0.1"
ui_port = {KIOSK_UI_PORT}

# The badge reader. Better: its stable name from `ls /dev/serial/by-id/`. A keyboard-wedge reader
# (one that types like a keyboard) needs no entry: delete this table. See docs/devices.md.
[[devices]]
kind = "badge"
name = "badge0"
url = {_q(BADGE_READER)}
"""
