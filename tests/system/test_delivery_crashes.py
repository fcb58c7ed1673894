"""Nothing lost, nothing twice, whoever crashes: the kiosk after publishing, the hub before or after its
commit, or the broker with records in flight. Real processes, real Mosquitto, SQLite and PostgreSQL."""

from __future__ import annotations

import queue
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import MosquittoProcess
from kiosk.uplink import Uplink
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
    open_hub_db,
    python_process,
    stored_seqs,
    wait_until,
)

pytestmark = pytest.mark.system


def _finish(proc: subprocess.Popen[str], timeout: float = 30) -> int:
    """Wait for a helper process (killing it if it hangs) and close its pipes."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(10)
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _retained(host: str, port: int, topic: str) -> bytes | None:
    """The retained message on `topic`, as a newly connecting client would get it."""
    got: queue.Queue[bytes] = queue.Queue()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"ret-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda c, u, m: got.put(m.payload)
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
    client.connect(host, port)
    client.loop_start()
    try:
        return got.get(timeout=3)
    except queue.Empty:
        return None
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.fixture(params=DATABASE_KINDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with hub_database_url(request.param, tmp_path) as url:
        yield url


def test_kiosk_killed_after_publishing_before_the_ack_resends_and_hub_stores_once(
    db_url: str, tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """The kiosk process dies the moment the hub's ack arrives, before marking anything delivered; the
    broker publishes its last will (offline). Restarted, it resends everything, the hub acknowledges
    the duplicates, and each record is stored exactly once."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    site = topics.prefix.split("/")[1]
    hub_key = Signer.generate()
    db_path = tmp_path / "k.db"
    store = new_store(db_path)
    store.append_many([body(i) for i in range(50)])
    seed = store.signer.seed.hex()
    store.close()
    hub = HubRunner(db_url, machine_broker.url, topics, hub_key).start()
    try:
        enroll(hub.db, "K1", store.signer.public_key)
        hub.ingest.reload_keys()
        args = ("send", str(db_path), "K1", seed, machine_broker.url, site, hub_key.public_key.hex())
        crashing = python_process("delivery_kiosk.py", *args, env={"FL_TEST_CRASH": "on_ack"})
        assert _finish(crashing) == 9
        assert stored_seqs(hub.db, "K1") == list(range(1, 51))
        assert wait_until(
            lambda: _retained(machine_broker.host, machine_broker.port, topics.status("K1")) == b"offline", 10
        )
        again = new_store(db_path, signer=Signer(bytes.fromhex(seed)))
        assert again.pending_count() == 50  # the crash marked nothing delivered
        again.close()

        restarted = python_process("delivery_kiosk.py", *args)
        assert _finish(restarted) == 0
        assert stored_seqs(hub.db, "K1") == list(range(1, 51))
        again = new_store(db_path, signer=Signer(bytes.fromhex(seed)))
        assert again.pending_count() == 0
        again.close()
    finally:
        hub.stop()


@pytest.mark.parametrize("crash_at", ["before_commit", "after_commit"])
def test_hub_killed_before_or_after_commit_loses_nothing_and_stores_nothing_twice(
    db_url: str, crash_at: str, tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """The hub ingest process dies inside its first storing transaction (nothing committed) or after
    COMMIT but before the ack; the kiosk keeps its records unacknowledged, and once the hub is back
    every record is stored exactly once and acknowledged."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    site = topics.prefix.split("/")[1]
    hub_key = Signer.generate()
    store = new_store(tmp_path / "k.db")
    store.append_many([body(i) for i in range(300)])
    db = open_hub_db(db_url)
    enroll(db, "K1", store.signer.public_key)
    hub_args = (db_url, machine_broker.url, site, hub_key.seed.hex())
    uplink = Uplink(
        store,
        BrokerConfig.from_url(machine_broker.url),
        topics,
        "K1",
        hub_key.public_key,
        line="L1",
        batch_size=100,
        ack_timeout_s=1.0,
    )
    hub = python_process("delivery_hub.py", *hub_args, env={"FL_TEST_CRASH": crash_at})
    restarted: subprocess.Popen[str] | None = None
    try:
        assert hub.stdout is not None
        assert hub.stdout.readline().strip() == "ready"
        uplink.start()
        assert _finish(hub) == 9
        held = stored_seqs(db, "K1")
        assert held == ([] if crash_at == "before_commit" else list(range(1, 101)))
        assert head_of(db, "K1")[0] == len(held)
        assert store.acked_seq() == 0

        restarted = python_process("delivery_hub.py", *hub_args)
        assert restarted.stdout is not None
        assert restarted.stdout.readline().strip() == "ready"
        assert wait_until(lambda: store.pending_count() == 0, 60)
        assert stored_seqs(db, "K1") == list(range(1, 301))
        assert head_of(db, "K1") == (300, store.head().hash)
    finally:
        uplink.stop()
        if restarted is not None:
            restarted.terminate()
            _finish(restarted)
        _finish(hub, 1)
        db.close()
        store.close()


def test_broker_killed_with_records_in_flight_then_restarted_delivers_all_in_order(
    db_url: str, tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """With 1,000 records draining, the broker is killed (-9) mid-stream and started again: every
    record arrives, stored in sequence order with no gaps and none twice."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    hub_key = Signer.generate()
    store = new_store(tmp_path / "k.db")
    store.append_many([body(i) for i in range(1000)])
    hub = HubRunner(db_url, private_broker.url, topics, hub_key).start()
    enroll(hub.db, "K1", store.signer.public_key)
    hub.ingest.reload_keys()
    uplink = Uplink(
        store,
        BrokerConfig.from_url(private_broker.url),
        topics,
        "K1",
        hub_key.public_key,
        line="L1",
        batch_size=50,
        ack_timeout_s=1.0,
        reconnect_min_s=0.1,
        reconnect_max_s=0.5,
    )
    try:
        uplink.start()
        assert wait_until(lambda: store.acked_seq() >= 100, 30, interval=0.002)
        private_broker.kill()
        in_flight = store.pending_count()
        assert in_flight > 0
        private_broker.start()
        assert wait_until(lambda: store.pending_count() == 0, 60)
        assert stored_seqs(hub.db, "K1") == list(range(1, 1001))
        assert head_of(hub.db, "K1") == (1000, store.head().hash)
    finally:
        uplink.stop()
        hub.stop()
        store.close()
