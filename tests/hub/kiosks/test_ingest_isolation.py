"""A broken kiosk never stalls the others: while one kiosk floods the hub with batches that start
beyond its head (a gap, e.g. a kiosk whose store lost records), another kiosk's records are stored
and acknowledged as fast as when the floor is quiet (real Mosquitto, the real ingest, SQLite). And a
batch that merely overtook the one before it (two workers) waits off the network thread and is
stored once that one is in."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from protocol import batch
from protocol.messages import Ack, open_frame
from protocol.records import GENESIS_HASH, Record, sign_record
from protocol.signing import Signer, Verifier
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
    1 s (median under 0.25 s), nothing of BAD is stored, and BAD gets its head (0) acknowledged."""
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
        # Waiting on the network thread, the flood held GOOD's acks back by seconds (3.4 s measured);
        # the bounds leave room for a busy CI machine.
        assert max(latencies) < 1.0, f"GOOD's acks took up to {max(latencies):.3f} s behind BAD's flood"
        assert statistics.median(latencies) < 0.25
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


class _Acks:
    """Collects what the ingest publishes (acks), in order, from any thread."""

    def __init__(self, hub_key: Signer) -> None:
        self.seqs: list[int] = []
        self._verifier = Verifier(hub_key.public_key)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        self.seqs.append(open_frame(payload, self._verifier, Ack).seq)

    def subscribe(self, topic: str, handler: object, qos: int = 1) -> None:
        return None


def test_a_batch_that_arrives_before_the_one_it_follows_waits_and_is_stored_without_a_resend(
    tmp_path: Path,
) -> None:
    """Records 6-10 reach a shared-subscription worker before records 1-5 (another worker's batch):
    nothing is acknowledged for them at first; once 1-5 are stored, 6-10 are stored from the waiting
    batch and 10 is acknowledged, so the kiosk never has to resend."""
    from hub.kiosks.ingest import Ingest

    hub_key, kiosk = Signer.generate(), Signer.generate()
    db = open_hub_db(f"sqlite:///{tmp_path / 'hub.db'}")
    enroll(db, "K1", kiosk.public_key)
    topics = Topics.for_site("T1")
    acks = _Acks(hub_key)
    ingest = Ingest(db, acks, topics, "HUB", hub_key, shared=True, gap_wait_s=5.0)
    ingest.reload_keys()
    frames = _chain("K1", kiosk, 10)
    try:
        ingest.handle_records(topics.records("K1"), batch.pack(frames[5:]))
        assert acks.seqs == []  # waiting, not refused
        ingest.handle_records(topics.records("K1"), batch.pack(frames[:5]))
        deadline = time.monotonic() + 5
        while 10 not in acks.seqs and time.monotonic() < deadline:
            time.sleep(0.01)
        # 5 and 10 are each acknowledged once, in either order: the waiting batch may commit on the
        # retry thread before the ack of 5 is out (a kiosk ignores an ack behind one it has)
        assert sorted(acks.seqs) == [5, 10]
        stored = db.execute_sql("SELECT seq FROM kiosk_record WHERE kiosk = 'K1' ORDER BY id").fetchall()
        assert [seq for (seq,) in stored] == list(range(1, 11))
    finally:
        ingest.stop()
        db.close()
