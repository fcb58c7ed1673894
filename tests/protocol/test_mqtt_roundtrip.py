"""Signed records cross a real Mosquitto intact: published by one paho client, verified by another."""

from __future__ import annotations

import queue
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.broker import MosquittoProcess, port_open
from protocol import batch
from protocol.records import GENESIS_HASH, Record, UnitCount, sign_record, verify_frame
from protocol.signing import KeyRing, Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress


def _client(address: BrokerAddress | MosquittoProcess) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
    client.connect(address.host, address.port)
    client.loop_start()
    return client


def test_signed_batch_round_trips_through_the_machine_broker(machine_broker: BrokerAddress) -> None:
    """A batch published at QoS 1 arrives byte-identical and every record in it verifies."""
    signer = Signer.generate()
    keys = KeyRing()
    keys.add("K1", signer.public_key)
    topics = Topics.for_site(f"test{uuid.uuid4().hex[:6]}")
    received: queue.Queue[bytes] = queue.Queue()
    subscribed: queue.Queue[bool] = queue.Queue()

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"sub-{uuid.uuid4().hex[:8]}")
    sub.on_message = lambda c, u, msg: received.put(msg.payload)
    sub.on_subscribe = lambda c, u, mid, codes, props: subscribed.put(True)
    sub.on_connect = lambda c, u, flags, rc, props: c.subscribe(topics.all_records(), qos=1)
    sub.connect(machine_broker.host, machine_broker.port)
    sub.loop_start()
    pub = _client(machine_broker)
    try:
        assert subscribed.get(timeout=5)
        prev, frames = GENESIS_HASH, []
        for seq in (1, 2, 3):
            body = UnitCount(
                person="P1", line="L1", day="2026-10-05", product="A", step="S1", units=seq, source="manual"
            )
            rec = Record(kiosk="K1", seq=seq, prev=prev, boot="b", wall_ms=seq, mono_ms=seq, body=body)
            signed = sign_record(rec, signer)
            frames.append(signed.frame)
            prev = signed.hash
        pub.publish(topics.records("K1"), batch.pack(frames), qos=1).wait_for_publish(5)
        payload = received.get(timeout=5)
        got = [verify_frame(f, keys, expected_kiosk="K1") for f in batch.unpack(payload)]
        assert [s.record.body.units for s in got] == [1, 2, 3]  # type: ignore[union-attr]
        assert [s.frame for s in got] == frames
    finally:
        for client in (sub, pub):
            client.loop_stop()
            client.disconnect()


def test_private_broker_can_be_stopped_and_restarted(private_broker: MosquittoProcess) -> None:
    """The private-broker fixture listens on its own port, goes away when stopped, and comes back."""
    assert port_open(private_broker.host, private_broker.port)
    private_broker.kill()
    assert not port_open(private_broker.host, private_broker.port)
    private_broker.start()
    client = _client(private_broker)
    try:
        info = client.publish("t/x", b"1", qos=1)
        info.wait_for_publish(5)
        assert info.is_published()
    finally:
        client.loop_stop()
        client.disconnect()
