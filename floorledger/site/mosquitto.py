"""The broker's config and topic ACL for one site, right by construction. Pure: text from names.

What the config guarantees (each line below says why):
- one listener, TLS only: there is no plain listener, and the file is the whole config (it replaces
  /etc/mosquitto/mosquitto.conf and includes no conf.d, so no other file can add one);
- every client presents a certificate of the site CA, checked against the site's CRL; the
  certificate's CN is the MQTT username (`use_identity_as_username`), so there is no password file:
  Mosquitto ignores one under `use_identity_as_username` anyway;
- the ACL has no `topic` line outside a `user` block (Mosquitto applies such lines to anonymous
  clients only, which this broker refuses): kiosks get their rights through `pattern` lines with
  `%u`, the hub through its `user hub` block.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from floorledger.site import layout
from protocol.batch import MAX_BATCH_BYTES
from protocol.messages import MAX_PLAN_BYTES
from protocol.topics import Topics

# The largest packet the broker takes: the largest payload the protocol allows (a batch or a plan)
# plus room for the MQTT header, the topic and MQTT 5 properties. A larger packet is refused and its
# sender disconnected before the hub ever reads it.
MAX_PACKET_SIZE = max(MAX_BATCH_BYTES, MAX_PLAN_BYTES) + 64 * 1024


def broker_conf(
    *,
    port: int = layout.MQTT_PORT,
    files: PurePosixPath = layout.BROKER_FILES_ETC,
    persistence: PurePosixPath = layout.BROKER_PERSISTENCE,
) -> str:
    """The whole `mosquitto.conf`; `files` is where the certificates, key, CRL and ACL are installed."""
    return f"""\
# Mosquitto for a FloorLedger site, written by `floorledger site`. This is the whole broker config:
# install it as {layout.BROKER_ETC / layout.BROKER_CONF} (see deploy/README.md, "Broker").
# TLS only, every client with a certificate of the site CA, the certificate's CN as the MQTT
# username, topic rights per kiosk from the ACL. No password file: with use_identity_as_username
# Mosquitto would not consult one.
per_listener_settings false
allow_anonymous false
acl_file {files / layout.BROKER_ACL}

# The one listener, on every interface. There is no plain-TCP listener.
listener {port}
protocol mqtt
cafile {files / layout.CA_CERT}
certfile {files / layout.BROKER_CERT}
keyfile {files / layout.BROKER_KEY}
# Revoked kiosk certificates (`floorledger site revoke-kiosk`); read when Mosquitto starts.
crlfile {files / layout.CRL}
# the oldest TLS accepted; 1.3 is used where both sides have it
tls_version tlsv1.2
require_certificate true
use_identity_as_username true

# Retained plans, hellos and statuses survive a broker restart. Queues are only a convenience: the
# kiosk's SQLite outbox is the durable queue, and the hub acknowledges what it committed.
persistence true
persistence_location {persistence}/
autosave_interval 60
max_queued_messages 100000
# the protocol's largest message (a record batch or a line plan) and its headers, no more
max_packet_size {MAX_PACKET_SIZE}

log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
"""


def broker_acl(site: str) -> str:
    """The topic ACL: each kiosk (username = its id) its own topics, the hub (username `hub`) all."""
    t = Topics.for_site(site)
    k = "%u"
    return f"""\
# Topic rights for site "{site}", written by `floorledger site`. Install it as
# {layout.BROKER_FILES_ETC / layout.BROKER_ACL}.
# Every client's username is its certificate's CN: a kiosk's id, or "hub".
# There is deliberately no `topic` line outside a `user` block: Mosquitto applies such lines to
# anonymous clients only, and this broker has none. `pattern` lines apply to every client, %u
# being its username.

# A kiosk writes only its own records, hello and status, and reads only its own acks, the line
# plans and the hub's topics (status, checkpoints). The hub also refuses a record whose kiosk differs
# from the topic it came on (reason wrong_topic). Mosquitto warns at start that the last two
# patterns contain no %u: they are meant for every kiosk alike.
pattern write {t.records(k)}
pattern write {t.hello(k)}
pattern write {t.status(k)}
pattern read {t.ack(k)}
pattern read {t.plan("+")}
pattern read {t.prefix}/hub/#

# The hub (certificate CN "{layout.HUB_USERNAME}", also `floorledger hub ingest` workers) reads every
# kiosk's traffic and writes acks, plans, its status and checkpoints.
user {layout.HUB_USERNAME}
topic read {t.all_records()}
topic read {t.all_records(shared=True)}
topic read {t.all_hellos()}
topic read {t.all_statuses()}
topic write {t.ack("+")}
topic write {t.plan("+")}
topic readwrite {t.prefix}/hub/#
"""
