"""Two ingest workers share one records subscription ($share, MQTT 5) without breaking a kiosk's order:
the database decides, so every record is stored once, in sequence order, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from floorledger.base.mqtt_url import BrokerConfig
from hub.store.kiosks import KioskRecord
from kiosk.uplink import Uplink
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.delivery_support import (
    DATABASE_KINDS,
    HubRunner,
    body,
    enroll,
    hub_database_url,
    new_store,
    open_hub_db,
    stored_seqs,
    wait_until,
)

RECORDS = 2000


@pytest.mark.parametrize("kind", DATABASE_KINDS)
def test_two_workers_share_the_load_and_keep_each_kiosks_order(
    kind: str, tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """Two kiosks drain RECORDS records each through two workers on a shared subscription: both workers
    store batches, every record is stored exactly once, and each kiosk's records were committed in
    sequence order (commit order = seq order)."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    hub_key = Signer.generate()
    stores = [new_store(tmp_path / f"k{i}.db", f"K{i}") for i in (1, 2)]
    for store in stores:
        store.append_many([body(i) for i in range(RECORDS)])
    handled: dict[int, int] = {0: 0, 1: 0}

    def counter(worker: int):  # type: ignore[no-untyped-def]
        def hook(rows: list[KioskRecord]) -> None:
            handled[worker] += len(rows)

        return hook

    with hub_database_url(kind, tmp_path) as url:
        db = open_hub_db(url)
        for store in stores:
            enroll(db, store.kiosk_id, store.signer.public_key)
        workers = [
            HubRunner(db, machine_broker.url, topics, hub_key, on_committed=counter(w)) for w in (0, 1)
        ]
        uplinks = [
            Uplink(
                s,
                BrokerConfig.from_url(machine_broker.url),
                topics,
                s.kiosk_id,
                hub_key.public_key,
                line="L1",
                batch_size=100,
                ack_timeout_s=2.0,
            )
            for s in stores
        ]
        try:
            for worker in workers:
                worker.start()
            for uplink in uplinks:
                uplink.start()
            assert wait_until(lambda: all(s.pending_count() == 0 for s in stores), 60)
            for store in stores:
                assert stored_seqs(db, store.kiosk_id) == list(range(1, RECORDS + 1))
            assert handled[0] > 0
            assert handled[1] > 0
            assert handled[0] + handled[1] == 2 * RECORDS
        finally:
            for uplink in uplinks:
                uplink.stop()
            for worker in workers:
                worker.stop()
            db.close()
            for store in stores:
                store.close()
