"""The kiosk's uplink against a real Mosquitto and the real hub ingest: everything arrives after an
outage, in order and once; only acks and plans signed by the configured hub key count."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import MosquittoProcess
from hub.store.kiosks import PendingKiosk
from kiosk.store import KioskStore
from kiosk.uplink import Uplink, UplinkState
from protocol import canonical
from protocol.messages import Ack, LinePlan, seal
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.delivery_support import (
    DATABASE_KINDS,
    HubRunner,
    body,
    enroll,
    head_of,
    hub_database_url,
    new_store,
    stored_seqs,
    wait_until,
)

Online = tuple[KioskStore, Uplink, Topics, Signer, list[LinePlan]]


def _uplink(store: KioskStore, url: str, topics: Topics, hub_key: bytes, **kw: object) -> Uplink:
    return Uplink(
        store,
        BrokerConfig.from_url(url),
        topics,
        store.kiosk_id,
        hub_key,
        line="L1",
        ack_timeout_s=1.0,
        reconnect_min_s=0.1,  # type: ignore[arg-type]
        reconnect_max_s=0.5,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def _publisher(host: str, port: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    client.connect(host, port)
    client.loop_start()
    return client


def _plan(signer: Signer, revision: int, day: str = "2026-10-05", line: str = "L1") -> bytes:
    plan = LinePlan(
        hub="HUB",
        line=line,
        line_name="缝纫一线",
        area_name="一监区",
        day=day,
        hub_ms=time.time_ns() // 1_000_000 + 120_000,
        revision=revision,
        product="SHIRT",
        product_name="衬衫",
        people=(),
    )
    return seal(plan, signer)


@pytest.mark.parametrize("kind", DATABASE_KINDS)
def test_outage_of_the_broker_loses_nothing_and_doubles_nothing(
    kind: str, tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """The broker is stopped while the line records 1,000 events; once it is back, every record is
    acknowledged by the real hub ingest, stored in sequence order, none twice, and the kiosk shows
    nothing waiting."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    hub_key = Signer.generate()
    store = new_store(tmp_path / "k.db")
    states: list[UplinkState] = []
    with hub_database_url(kind, tmp_path) as url:
        hub = HubRunner(url, private_broker.url, topics, hub_key).start()
        enroll(hub.db, "K1", store.signer.public_key)
        hub.ingest.reload_keys()
        uplink = _uplink(store, private_broker.url, topics, hub_key.public_key, on_state=states.append)
        try:
            uplink.start()
            assert wait_until(lambda: uplink.connected, 10)
            private_broker.stop()
            assert wait_until(lambda: not uplink.connected, 10)
            for i in range(1000):
                store.append(body(i))
                uplink.wake()
            assert store.pending_count() == 1000
            private_broker.start()
            assert wait_until(lambda: store.pending_count() == 0, 60), (
                f"{store.pending_count()} still pending"
            )
            assert stored_seqs(hub.db, "K1") == list(range(1, 1001))
            assert head_of(hub.db, "K1") == (1000, store.head().hash)
            assert any(not s.connected and s.pending == 1000 for s in states)
            assert states[-1].pending == 0
        finally:
            uplink.stop()
            hub.stop()
            store.close()


@pytest.fixture
def kiosk_online(tmp_path: Path, machine_broker: BrokerAddress) -> Iterator[Online]:
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    hub_key = Signer.generate()
    store = new_store(tmp_path / "k.db")
    plans: list[LinePlan] = []
    uplink = _uplink(
        store, machine_broker.url, topics, hub_key.public_key, on_plan=lambda p, f: plans.append(p)
    )
    uplink.start()
    try:
        assert wait_until(lambda: uplink.connected, 10)
        time.sleep(0.2)  # the subscriptions are granted
        yield store, uplink, topics, hub_key, plans
    finally:
        uplink.stop()
        store.close()


def test_forged_or_unsigned_ack_is_ignored_logged_and_marks_nothing(
    kiosk_online: Online,
    machine_broker: BrokerAddress,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Acks naming our own hashes but signed with another key, or not signed at all, are logged and
    change nothing; the hub's genuine ack of record 3, sent after them, marks exactly 1..3."""
    store, uplink, topics, hub_key, _ = kiosk_online
    for i in range(5):
        store.append(body(i))
    head = store.head()
    caplog.set_level(logging.WARNING, logger="kiosk.uplink")
    forged = Ack(hub="HUB", kiosk="K1", seq=head.seq, hash=head.hash, hub_ms=1)
    unsigned_data = canonical.encode({"v": 1, **forged.to_dict()})
    third = store.unacked(3)[-1]
    pub = _publisher(machine_broker.host, machine_broker.port)
    try:
        for payload in (seal(forged, Signer.generate()), b"\0" * 64 + unsigned_data, unsigned_data):
            pub.publish(topics.ack("K1"), payload, qos=1).wait_for_publish(5)
        genuine = Ack(hub="HUB", kiosk="K1", seq=3, hash=third.hash, hub_ms=1)
        pub.publish(topics.ack("K1"), seal(genuine, hub_key), qos=1).wait_for_publish(5)
        assert wait_until(lambda: store.acked_seq() == 3, 10)
    finally:
        pub.loop_stop()
        pub.disconnect()
    assert store.pending_count() == 2
    ignored = [r for r in caplog.records if "ignored an ack" in r.getMessage()]
    assert len(ignored) == 3


def test_only_a_plan_signed_by_the_hub_is_used_and_kept_for_offline_use(
    kiosk_online: Online,
    machine_broker: BrokerAddress,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A plan signed by another key, an unsigned one, one for another line and an older revision are
    ignored; the genuine plan reaches the screen, is saved, sets the hub clock offset, and is handed to
    the screen again at the next start without any broker."""
    store, uplink, topics, hub_key, plans = kiosk_online
    caplog.set_level(logging.WARNING, logger="kiosk.uplink")
    genuine = _plan(hub_key, revision=2)
    pub = _publisher(machine_broker.host, machine_broker.port)
    try:
        for payload in (
            _plan(Signer.generate(), revision=9),
            b"\0" * 64 + genuine[64:].replace(b'"revision":2', b'"revision":8'),
            _plan(hub_key, revision=5, line="L2"),
            genuine,
            _plan(hub_key, revision=1),
        ):
            pub.publish(topics.plan("L1"), payload, qos=1).wait_for_publish(5)
        assert wait_until(lambda: len(caplog.records) >= 4, 10)
    finally:
        pub.loop_stop()
        pub.disconnect()
    assert [p.revision for p in plans] == [2]
    assert store.load_plan() == genuine
    assert 100_000 < store.clock.offset_ms < 140_000  # type: ignore[attr-defined]

    again: list[LinePlan] = []
    offline = Uplink(
        store,
        BrokerConfig.from_url("mqtt://127.0.0.1:9"),
        topics,
        "K1",
        hub_key.public_key,
        on_plan=lambda p, f: again.append(p),
        line="L1",
    )
    offline.start()
    offline.stop()
    assert [p.revision for p in again] == [2]


def test_new_kiosk_says_hello_and_online_and_the_hub_lists_it_as_pending(
    tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """A kiosk the hub does not know yet announces its key (signed hello) and `online`, both retained:
    the real hub ingest lists it as pending enrollment with that key; its records are not stored."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    hub_key = Signer.generate()
    store = new_store(tmp_path / "k.db", "K7")
    store.append(body(1))
    with hub_database_url("sqlite", tmp_path) as url:
        hub = HubRunner(url, machine_broker.url, topics, hub_key).start()
        uplink = _uplink(store, machine_broker.url, topics, hub_key.public_key)
        try:
            uplink.start()

            def pending() -> list[tuple[str, bytes]]:
                with hub.db.connection_context():
                    return [(p.kiosk, bytes(p.public_key)) for p in PendingKiosk.select()]

            assert wait_until(lambda: pending() == [("K7", store.signer.public_key)], 10)
            assert stored_seqs(hub.db, "K7") == []
            assert store.pending_count() == 1
        finally:
            uplink.stop()
            hub.stop()
            store.close()


def test_a_fresher_ack_below_the_delivered_point_reopens_but_a_replayed_old_one_does_not(
    kiosk_online: Online, machine_broker: BrokerAddress
) -> None:
    """The hub acknowledged 1..5; a genuine but old ack of record 2 replayed from the wire changes
    nothing; a newer ack of record 2 (the hub was restored from an older backup) reopens 3..5 for
    resending."""
    store, uplink, topics, hub_key, _ = kiosk_online
    signed = [store.append(body(i)) for i in range(5)]
    old = seal(Ack(hub="HUB", kiosk="K1", seq=2, hash=signed[1].hash, hub_ms=50), hub_key)
    pub = _publisher(machine_broker.host, machine_broker.port)
    try:
        latest = Ack(hub="HUB", kiosk="K1", seq=5, hash=signed[4].hash, hub_ms=100)
        pub.publish(topics.ack("K1"), seal(latest, hub_key), qos=1).wait_for_publish(5)
        assert wait_until(lambda: store.acked_seq() == 5, 10)
        pub.publish(topics.ack("K1"), old, qos=1).wait_for_publish(5)
        time.sleep(0.5)
        assert store.acked_seq() == 5
        fresh = Ack(hub="HUB", kiosk="K1", seq=2, hash=signed[1].hash, hub_ms=200)
        pub.publish(topics.ack("K1"), seal(fresh, hub_key), qos=1).wait_for_publish(5)
        assert wait_until(lambda: store.acked_seq() == 2, 10)
    finally:
        pub.loop_stop()
        pub.disconnect()
    assert store.pending_count() == 3
    assert uplink.state().acked_seq == 2
