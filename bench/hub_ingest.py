"""Hub ingest throughput: signed records verified, stored, committed and acknowledged per second.

    python bench/hub_ingest.py [--records 30000] [--db sqlite|postgresql://...] [--batch 500]

A real kiosk store (SQLite) is the source, its real uplink sends batches through a private Mosquitto,
the real hub ingest (in a process of its own) verifies, stores (one transaction per batch) and acks;
the clock stops when the kiosk has the ack of its last record. The bare Ed25519 verify rate over the
same frames is measured in the same run. Target: ingest >= half the verify rate on SQLite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import MosquittoProcess  # noqa: E402
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk
from hub.store.schema import prepare
from kiosk.clock import KioskClock  # noqa: E402
from kiosk.store import KioskStore  # noqa: E402
from kiosk.uplink import Uplink  # noqa: E402
from protocol.records import GENESIS_HASH, UnitCount, parse_frame  # noqa: E402
from protocol.signing import Signer, Verifier  # noqa: E402
from protocol.topics import Topics  # noqa: E402


def fill_store(path: Path, count: int) -> KioskStore:
    store = KioskStore(path, "K1", Signer.generate(), KioskClock())
    chunk = 5000
    for start in range(0, count, chunk):
        bodies = [
            UnitCount(
                person="P1",
                line="L1",
                day="2026-10-05",
                product="A",
                step="S1",
                units=i % 50,
                source="device",
            )
            for i in range(start, min(count, start + chunk))
        ]
        store.append_many(bodies)
    return store


def verify_rate(store: KioskStore, count: int) -> float:
    frames = [f.frame for f in store.unacked(count)]
    signed = [parse_frame(f) for f in frames]
    verifier = Verifier(store.signer.public_key)
    start = time.perf_counter()
    for s in signed:
        verifier.verify(s.data, s.signature)
    return len(signed) / (time.perf_counter() - start)


def run_hub(db_url: str, broker_url: str, hub_seed: bytes, ready: Any, stop: Any) -> None:
    """The hub ingest in its own process (as in production: the kiosk is another machine)."""
    topics = Topics.for_site("bench")
    db = hubdb.connect(db_url)
    prepare(db)
    mqtt = HubMqtt(BrokerConfig.from_url(broker_url), status_topic=topics.hub_status())
    ingest = Ingest(db, mqtt, topics, "HUB", Signer(hub_seed))
    ingest.start()
    mqtt.start()
    if mqtt.wait_ready(10):
        ready.set()
    stop.wait()
    mqtt.stop()
    db.close()


def drain(store: KioskStore, db_url: str, broker: MosquittoProcess, batch: int) -> float:
    """Seconds from the kiosk's (re)connect until its last record is acknowledged by the hub."""
    topics = Topics.for_site("bench")
    hub_key = Signer.generate()
    db = hubdb.connect(db_url)
    prepare(db)
    with db.connection_context():
        Kiosk.insert(
            id="K1", public_key=store.signer.public_key, line="L1", head_seq=0, head_hash=GENESIS_HASH
        ).execute()
    db.close()
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    hub = ctx.Process(target=run_hub, args=(db_url, broker.url, hub_key.seed, ready, stop))
    hub.start()
    if not ready.wait(30):
        hub.kill()
        raise SystemExit("the hub did not connect")
    uplink = Uplink(
        store, BrokerConfig.from_url(broker.url), topics, "K1", hub_key.public_key, batch_size=batch
    )
    start = time.perf_counter()
    uplink.start()
    try:
        while store.pending_count() > 0:
            time.sleep(0.005)
        return time.perf_counter() - start
    finally:
        uplink.stop()
        stop.set()
        hub.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a postgresql:// URL")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = fill_store(Path(tmp) / "kiosk.db", args.records)
        verify = verify_rate(store, args.records)
        url = f"sqlite:///{tmp}/hub.db" if args.db == "sqlite" else args.db
        broker = MosquittoProcess(workdir=Path(tmp) / "mosquitto")
        broker.start()
        try:
            seconds = drain(store, url, broker, args.batch)
        finally:
            broker.close()
            store.close()
    rate = args.records / seconds
    print(f"hub ingest ({args.db}, batches of {args.batch}): {args.records} records in {seconds:.2f} s")
    print(f"  ingest (verify+store+commit+ack): {rate:,.0f} records/s")
    print(f"  bare Ed25519 verify, same run:    {verify:,.0f} records/s")
    print(f"  ratio {rate / verify:.2f} (target >= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
