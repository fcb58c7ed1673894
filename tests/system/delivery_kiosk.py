"""Test harness: a kiosk's store (and uplink) in a process of its own, so a test can kill it with -9.

delivery_kiosk.py burst DB KIOSK SEED_HEX COUNT
    append COUNT records, printing each sequence number once `append` has returned (confirmed).
delivery_kiosk.py send DB KIOSK SEED_HEX BROKER_URL SITE HUB_KEY_HEX
    run the uplink until every record is acknowledged, then print `done N` and exit.
    With FL_TEST_CRASH=on_ack the process dies (exit 9) the moment the first ack arrives, before
    it marks anything delivered: the kiosk was killed after publishing, before the ack.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from floorledger.base.mqtt_url import BrokerConfig
from kiosk.clock import KioskClock  # noqa: E402
from kiosk.store import KioskStore  # noqa: E402
from kiosk.uplink import Uplink  # noqa: E402
from protocol.messages import Ack  # noqa: E402
from protocol.records import UnitCount  # noqa: E402
from protocol.signing import Signer  # noqa: E402
from protocol.topics import Topics  # noqa: E402


class CrashOnAckStore(KioskStore):
    """Dies as an ack arrives: the records were published and stored by the hub, never marked here."""

    def apply_ack(self, ack: Ack) -> bool:
        os._exit(9)


def say(line: str) -> None:
    """One line on stdout, flushed at once: the test reads it as a confirmation."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def burst(db: str, kiosk: str, seed: str, count: int) -> int:
    store = KioskStore(Path(db), kiosk, Signer(bytes.fromhex(seed)), KioskClock())
    say("ready")
    for i in range(count):
        body = UnitCount(
            person="P1", line="L1", day="2026-10-05", product="A", step="S1", units=i % 100, source="device"
        )
        signed = store.append(body)
        say(str(signed.record.seq))
    store.close()
    return 0


def send(db: str, kiosk: str, seed: str, broker_url: str, site: str, hub_key: str) -> int:
    cls = CrashOnAckStore if os.environ.get("FL_TEST_CRASH") == "on_ack" else KioskStore
    store = cls(Path(db), kiosk, Signer(bytes.fromhex(seed)), KioskClock())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    uplink = Uplink(
        store,
        BrokerConfig.from_url(broker_url),
        Topics.for_site(site),
        kiosk,
        bytes.fromhex(hub_key),
        line="L1",
        ack_timeout_s=1.0,
        reconnect_min_s=0.2,
        reconnect_max_s=1.0,
    )
    uplink.start()
    say("ready")
    while not stop.is_set() and store.pending_count() > 0:
        time.sleep(0.02)
    say(f"done {store.acked_seq()}")
    uplink.stop()
    store.close()
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "burst":
        sys.exit(burst(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    sys.exit(send(*sys.argv[2:8]))
