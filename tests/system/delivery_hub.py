"""Test harness: the real hub ingest in a process of its own, so a test can crash it at a chosen point.

    delivery_hub.py DB_URL BROKER_URL SITE HUB_SEED_HEX
Prints `ready` once subscribed; runs until SIGTERM. FL_TEST_CRASH=before_commit or after_commit
makes the process die (exit 9) at that point of the first batch that stores records: inside the
transaction before COMMIT, or after COMMIT before the ack is published.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from floorledger.base.mqtt_url import BrokerConfig
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.store import db as hubdb
from hub.store.schema import prepare
from protocol.signing import Signer  # noqa: E402
from protocol.topics import Topics  # noqa: E402


def say(line: str) -> None:
    """One line on stdout, flushed at once: the test reads it as a confirmation."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(db_url: str, broker_url: str, site: str, seed: str) -> int:
    crash_at = os.environ.get("FL_TEST_CRASH")

    def crash_hook(point: str) -> None:
        if point == crash_at:
            os._exit(9)

    db = hubdb.connect(db_url)
    prepare(db)
    topics = Topics.for_site(site)
    broker = BrokerConfig.from_url(broker_url)
    mqtt = HubMqtt(broker, status_topic=topics.hub_status(), reconnect_min_s=0.2, reconnect_max_s=1)
    ingest = Ingest(
        db, mqtt, Topics.for_site(site), "HUB", Signer(bytes.fromhex(seed)), crash_hook=crash_hook
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ingest.start()
    mqtt.start()
    if not mqtt.wait_ready(10):
        return 1
    say("ready")
    stop.wait()
    mqtt.stop()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
