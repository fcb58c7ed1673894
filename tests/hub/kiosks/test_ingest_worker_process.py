"""An ingest worker in a process of its own (`floorledger hub ingest`) shares the kiosks' records with
the hub: what it commits and acknowledges reaches the hub's daily results (which follow the kiosks'
heads in the database) within about a second, on SQLite and PostgreSQL, and the worker stops
cleanly on SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import peewee as pw
from paho.mqtt.enums import CallbackAPIVersion

from floorledger import keyfile
from floorledger.broker import MosquittoProcess
from hub.masterdata import service as md
from hub.results import worker as rs
from hub.store.kiosks import ENROLLED, Kiosk, KioskRecord
from protocol import batch
from protocol.messages import Ack, open_frame
from protocol.records import CheckIn, CheckOut, UnitCount, WarehousedCount
from protocol.signing import Verifier
from protocol.topics import Topics
from tests.hub.masterdata import test_masterdata_store as store
from tests.hub.results.test_results_recompute import DAY, SITE, KioskChain

hub_url = store.hub_url  # the shared database fixtures (SQLite and PostgreSQL)
hub_db = store.hub_db


def _env() -> dict[str, str]:
    """The test's environment without pytest's and NiceGUI's harness variables (see the UI notes)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}


def _done_units(inmate: str) -> str | None:
    row = rs.DailyResult.get_or_none(
        (rs.DailyResult.inmate == inmate) & (rs.DailyResult.day == DAY.isoformat())
    )
    return None if row is None else str(row.done_units)


def test_a_worker_process_commits_acks_and_the_hubs_results_follow(
    hub_url: str, hub_db: pw.Database, tmp_path: Path
) -> None:
    """Records sent while only a separate worker process subscribes are stored once, acknowledged with
    the hub's key, and change the results of a results worker in this process within about a second."""
    store.small_site(md.MasterData(hub_db, month_locked=store.month_lock(hub_db)))
    chain = KioskChain()
    Kiosk.create(id="K1", public_key=chain.signer.public_key, line="L1", status=ENROLLED, enrolled_ms=1)
    hub_key = keyfile.create(tmp_path / "hub.key")
    broker = MosquittoProcess(workdir=tmp_path / "mosquitto")
    broker.start()
    config = tmp_path / "hub.toml"
    config.write_text(
        f'site = "{SITE}"\nkey_file = "hub.key"\ndatabase = "{hub_url}"\nbroker = "{broker.url}"\n',
        encoding="utf-8",
    )
    results = rs.Results(hub_db, today=lambda: DAY)
    results.start()
    topics = Topics.for_site(SITE)
    acks: queue.Queue[Ack] = queue.Queue()
    hub_verifier = Verifier(hub_key.public_key)
    kiosk = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="kiosk-K1", protocol=mqtt.MQTTv5)
    kiosk.on_message = lambda c, u, msg: acks.put(open_frame(bytes(msg.payload), hub_verifier, Ack))
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "floorledger", "hub", "ingest", "--config", str(config)],
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        kiosk.connect("127.0.0.1", broker.port)
        kiosk.subscribe(topics.ack("K1"), qos=1)
        kiosk.loop_start()
        day = DAY.isoformat()
        records = [
            chain.sign(CheckIn(person="P1", line="L1", day=day, method="badge"), "08:00"),
            chain.sign(CheckOut(person="P1", line="L1", day=day, method="badge"), "16:00"),
            chain.sign(
                WarehousedCount(line="L1", product="SHIRT", day=day, units=300, officer="O1"), "16:30"
            ),
            chain.sign(
                UnitCount(
                    person="P1", line="L1", day=day, product="SHIRT", step="S2", units=120, source="device"
                ),
                "16:40",
            ),
        ]
        payload = batch.pack([r.frame for r in records])
        # Like a kiosk: send, and send again until the acknowledgement comes (the worker may still be
        # subscribing); duplicates are stored once.
        ack = None
        deadline = time.monotonic() + 30
        while ack is None and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            kiosk.publish(topics.records("K1"), payload, qos=1)
            try:
                ack = acks.get(timeout=1.0)
            except queue.Empty:
                continue
        assert ack is not None, "the worker never acknowledged"
        acked = time.monotonic()
        assert (ack.seq, ack.hash) == (4, records[-1].hash)
        while _done_units("P1") != "120.00" and time.monotonic() - acked < 5:
            time.sleep(0.05)
        followed_in = time.monotonic() - acked
        assert _done_units("P1") == "120.00"
        assert followed_in < 2.5, f"results followed {followed_in:.2f} s after the worker's ack"
        assert KioskRecord.select().where(KioskRecord.kiosk == "K1").count() == 4
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0, log.read_text()
        assert "ingest worker" in log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        kiosk.loop_stop()
        kiosk.disconnect()
        results.stop()
        broker.close()


class _Sink:
    """Where acks of an ingest called directly go (this test reads the results, not the acks)."""

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        return None

    def subscribe(self, topic: str, handler: object, qos: int = 1) -> None:
        return None


def test_records_another_process_committed_before_a_hooked_batch_are_not_skipped(hub_db: pw.Database) -> None:
    """This process's ingest commits record 1; another worker commits record 2; this ingest commits
    record 3 and hands it to the hook before the follower looked. The follower still reads record 2,
    so both counts (50 + 70) are in the result."""
    from hub.kiosks.ingest import Ingest
    from protocol.signing import Signer

    store.small_site(md.MasterData(hub_db, month_locked=store.month_lock(hub_db)))
    chain = KioskChain()
    Kiosk.create(id="K1", public_key=chain.signer.public_key, line="L1", status=ENROLLED, enrolled_ms=1)
    results = rs.Results(hub_db, today=lambda: DAY, follow_s=0.3)
    results.start()
    topics, key = Topics.for_site(SITE), Signer.generate()
    elsewhere = Ingest(hub_db, _Sink(), topics, SITE, key)  # stands for a worker in another process: no hook
    here = Ingest(hub_db, _Sink(), topics, SITE, key, on_committed=results.on_committed)
    elsewhere.reload_keys()
    here.reload_keys()
    day = DAY.isoformat()

    def count(units: int, hhmm: str) -> bytes:
        body = UnitCount(
            person="P1", line="L1", day=day, product="SHIRT", step="S2", units=units, source="manual"
        )
        return chain.sign(body, hhmm).frame

    try:
        lot = chain.sign(
            WarehousedCount(line="L1", product="SHIRT", day=day, units=300, officer="O1"), "09:00"
        )
        assert here.handle_records(topics.records("K1"), batch.pack([lot.frame]))
        assert results.flush()  # the month's records are cached now: record 2 can only come by following
        assert elsewhere.handle_records(topics.records("K1"), batch.pack([count(50, "10:00")]))
        assert here.handle_records(topics.records("K1"), batch.pack([count(70, "11:00")]))
        deadline = time.monotonic() + 5
        while _done_units("P1") != "120.00" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _done_units("P1") == "120.00"
    finally:
        results.stop()
