"""The kiosk's real uplink tells the real hub MQTT client its backlog through a private Mosquitto."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import peewee as pw
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import MosquittoProcess
from hub.kiosks import status as kiosk_status
from hub.kiosks.mqtt import HubMqtt
from hub.store import db as hubdb
from hub.store.kiosks import KioskStatus
from hub.store.schema import prepare
from kiosk.clock import KioskClock
from kiosk.store import KioskStore
from kiosk.uplink import Uplink
from protocol.signing import Signer
from protocol.topics import Topics
from tests.system.delivery_support import body, wait_until

SKEW_MS = 90_000  # the kiosk's wall clock runs 90 s ahead of the hub's


@pytest.fixture
def hub_database(tmp_path: Path) -> Iterator[pw.Database]:
    database = hubdb.connect(f"sqlite:///{tmp_path / 'hub.db'}")
    prepare(database)
    try:
        yield database
    finally:
        database.close()


def _row(database: pw.Database, kiosk: str) -> KioskStatus | None:
    with database.connection_context():
        return KioskStatus.get_or_none(KioskStatus.kiosk == kiosk)


def test_the_hub_learns_the_kiosks_pending_records_and_clock_offset(
    tmp_path: Path, private_broker: MosquittoProcess, hub_database: pw.Database
) -> None:
    """A kiosk holding 3 unacknowledged records connects: the hub's KioskStatus row says online,
    3 pending and a clock offset of about +90 s. Two more records are counted by the next periodic
    status, and when the kiosk stops the row says offline."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    clock = KioskClock(wall=lambda: time.time_ns() + SKEW_MS * 1_000_000)
    store = KioskStore(tmp_path / "kiosk.db", "K1", Signer.generate(), clock)
    for i in range(3):
        store.append(body(i))
    hub = HubMqtt(BrokerConfig.from_url(private_broker.url))
    hub.subscribe(topics.all_statuses(), kiosk_status.on_status)
    hub.start()
    uplink = Uplink(
        store,
        BrokerConfig.from_url(private_broker.url),
        topics,
        "K1",
        Signer.generate().public_key,  # no hub answers: the records stay unacknowledged
        status_interval_s=0.3,
    )
    try:
        assert hub.wait_ready(10)
        uplink.start()
        assert wait_until(lambda: (row := _row(hub_database, "K1")) is not None and row.pending == 3, 10)
        row = _row(hub_database, "K1")
        assert row is not None
        assert row.state == "online"
        assert row.acked_seq == 0
        assert row.clock_offset_ms is not None
        assert abs(row.clock_offset_ms - SKEW_MS) < 5_000
        for i in range(2):
            store.append(body(10 + i))
            uplink.wake()
        assert wait_until(lambda: (row := _row(hub_database, "K1")) is not None and row.pending == 5, 10)
        uplink.stop()
        assert wait_until(
            lambda: (row := _row(hub_database, "K1")) is not None and row.state == "offline", 10
        )
    finally:
        uplink.stop()
        hub.stop()
        store.close()


def test_the_retained_status_is_json_and_the_last_will_stays_plain_offline(
    tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """Any MQTT reader of the kiosk's status topic gets the retained JSON status while it is
    connected and the plain text `offline` once the kiosk's connection dies."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    store = KioskStore(tmp_path / "kiosk.db", "K1", Signer.generate(), KioskClock(boot_id="bX"))
    store.append(body(1))
    seen: list[bytes] = []
    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    watcher.on_message = lambda client, userdata, msg: seen.append(bytes(msg.payload))
    watcher.connect(private_broker.host, private_broker.port)
    watcher.subscribe(topics.status("K1"), qos=1)
    watcher.loop_start()
    uplink = Uplink(
        store, BrokerConfig.from_url(private_broker.url), topics, "K1", Signer.generate().public_key,
        keepalive_s=1, reconnect_min_s=30,
    )  # fmt: skip
    try:
        uplink.start()
        assert wait_until(lambda: bool(seen), 10)
        status = json.loads(seen[0])
        assert status["state"] == "online"
        assert (status["pending"], status["acked_seq"], status["boot"]) == (1, 0, "bX")
        assert isinstance(status["wall_ms"], int)
        uplink._client._sock_close()  # the connection dies without a DISCONNECT: the broker sends the will
        assert wait_until(lambda: seen[-1] == b"offline", 10), seen
    finally:
        uplink.stop()
        watcher.disconnect()
        watcher.loop_stop()
        store.close()
