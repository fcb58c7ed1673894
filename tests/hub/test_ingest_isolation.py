"""A broken kiosk never stalls the others: while one kiosk floods the hub with batches that start
beyond its head (a gap, e.g. a kiosk whose store lost records), another kiosk's records are stored
and acknowledged as fast as when the floor is quiet (real Mosquitto, the real ingest, SQLite)."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from protocol import batch
from protocol.messages import Ack
from protocol.records import GENESIS_HASH, Record, sign_record
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.delivery_support import AckWatcher, HubRunner, body, enroll, open_hub_db

FLOOD_BATCHES = 40


def _chain(kiosk: str, signer: Signer, count: int) -> list[bytes]:
    frames, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        record = Record(kiosk=kiosk, seq=seq, prev=prev, boot="b1", wall_ms=seq, mono_ms=seq, body=body(seq))
        signed = sign_record(record, signer)
        frames.append(signed.frame)
        prev = signed.hash
    return frames


def test_a_kiosk_flooding_gaps_does_not_delay_another_kiosks_acks(
    tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """Kiosk BAD sends FLOOD_BATCHES batches that all start at record 5 (records 1-4 never come) while
    kiosk GOOD sends 10 single records one after another: every GOOD record is acknowledged within
    0.3 s (median under 0.1 s), nothing of BAD is stored, and BAD gets its head (0) acknowledged."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    hub_key = Signer.generate()
    good, bad = Signer.generate(), Signer.generate()
    db = open_hub_db(f"sqlite:///{tmp_path / 'hub.db'}")
    enroll(db, "GOOD", good.public_key)
    enroll(db, "BAD", bad.public_key)
    hub = HubRunner(db, machine_broker.url, topics, hub_key).start()
    good_acks = AckWatcher(machine_broker.host, machine_broker.port, topics, "GOOD", hub_key.public_key)
    bad_acks = AckWatcher(machine_broker.host, machine_broker.port, topics, "BAD", hub_key.public_key)
    sender = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"kiosks-{uuid.uuid4().hex[:6]}")
    sender.max_inflight_messages_set(100)
    sender.connect(machine_broker.host, machine_broker.port)
    sender.loop_start()
    stop = threading.Event()
    gapped = batch.pack(_chain("BAD", bad, 8)[4:])

    def flood() -> None:
        for _ in range(FLOOD_BATCHES):
            if stop.is_set():
                return
            sender.publish(topics.records("BAD"), gapped, qos=1)
            time.sleep(0.01)

    flooder = threading.Thread(target=flood)
    try:
        flooder.start()
        latencies = []
        for seq, frame in enumerate(_chain("GOOD", good, 10), start=1):
            started = time.monotonic()
            sender.publish(topics.records("GOOD"), batch.pack([frame]), qos=1)
            ack = good_acks.next(5)
            latencies.append(time.monotonic() - started)
            assert isinstance(ack, Ack)
            assert ack.seq == seq
        assert max(latencies) < 0.3, f"GOOD's acks took up to {max(latencies):.3f} s behind BAD's flood"
        assert statistics.median(latencies) < 0.1
        told = bad_acks.next(5)
        assert isinstance(told, Ack)
        assert told.seq == 0  # BAD is told where its chain stands
    finally:
        stop.set()
        flooder.join()
        sender.loop_stop()
        sender.disconnect()
        good_acks.close()
        bad_acks.close()
        hub.stop()
    rows = db.execute_sql("SELECT kiosk, COUNT(*) FROM kiosk_record GROUP BY kiosk").fetchall()
    assert dict(rows) == {"GOOD": 10}
    db.close()
