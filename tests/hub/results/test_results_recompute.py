"""Daily results follow the floor: records committed through the real ingest (and, in one test, through
a real Mosquitto) change the stored daily result within a second; corrections change it while the
original record stays; months recompute on demand to the same rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import peewee as pw
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import MosquittoProcess
from hub.engine.model import Month
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.masterdata import service as md
from hub.results import worker as rs
from hub.store import results as result_tables
from hub.store.kiosks import ENROLLED, Kiosk, KioskRecord
from protocol import batch
from protocol.records import (
    GENESIS_HASH,
    Body,
    CheckIn,
    CheckOut,
    Correction,
    Record,
    SignedRecord,
    UnitCount,
    WarehousedCount,
    sign_record,
)
from protocol.signing import Signer
from protocol.topics import Topics
from tests.hub.masterdata import test_masterdata_store as store

hub_url = store.hub_url  # the shared database fixtures
hub_db = store.hub_db
small_site = store.small_site

SITE = "T1"
DAY = date(2026, 10, 5)
ZONE = ZoneInfo("Asia/Shanghai")


class KioskChain:
    """A kiosk's signing side: records signed with its own key, chained, in sequence."""

    def __init__(self, kiosk: str = "K1", seed: bytes = b"\x07" * 32) -> None:
        self.kiosk, self.signer = kiosk, Signer(seed)
        self.seq, self.prev = 0, GENESIS_HASH

    def sign(self, body: Body, hhmm: str = "08:00") -> SignedRecord:
        hour, minute = map(int, hhmm.split(":"))
        wall = datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=ZONE)
        self.seq += 1
        record = Record(
            kiosk=self.kiosk,
            seq=self.seq,
            prev=self.prev,
            boot="b1",
            wall_ms=int(wall.timestamp() * 1000),
            mono_ms=self.seq * 1000,
            body=body,
        )
        signed = sign_record(record, self.signer)
        self.prev = signed.hash
        return signed


class _Sink:
    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        return None

    def subscribe(self, topic: str, handler: object, qos: int = 1) -> None:
        return None


@pytest.fixture
def site(hub_db: pw.Database) -> Iterator[tuple[pw.Database, KioskChain, rs.Results]]:
    """The small site, kiosk K1 enrolled on L1, and a running results worker."""
    small_site(md.MasterData(hub_db, month_locked=store.month_lock(hub_db)))
    chain = KioskChain()
    Kiosk.create(
        id=chain.kiosk, public_key=chain.signer.public_key, line="L1", status=ENROLLED, enrolled_ms=1
    )
    results = rs.Results(hub_db, today=lambda: DAY)
    results.start()
    try:
        yield hub_db, chain, results
    finally:
        results.stop()


def _deliver(ingest: Ingest, *records: SignedRecord) -> None:
    result = ingest.handle_records(
        Topics.for_site(SITE).records("K1"), batch.pack([r.frame for r in records])
    )
    assert result is not None
    assert result.head.seq == records[-1].record.seq


def _row(inmate: str) -> result_tables.DailyResult:
    return result_tables.DailyResult.get(
        (result_tables.DailyResult.inmate == inmate) & (result_tables.DailyResult.day == DAY.isoformat())
    )


def _check(chain: KioskChain, person: str, start: str, end: str) -> list[SignedRecord]:
    return [
        chain.sign(CheckIn(person=person, line="L1", day=DAY.isoformat(), method="badge"), start),
        chain.sign(CheckOut(person=person, line="L1", day=DAY.isoformat(), method="badge"), end),
    ]


def test_presence_and_warehoused_units_give_time_mode_credit(
    site: tuple[pw.Database, KioskChain, rs.Results],
) -> None:
    """P1 present 480 min and P2 240 min on step S2, 90 units warehoused: credit 60 and 30 units."""
    db, chain, results = site
    ingest = Ingest(
        db, _Sink(), Topics.for_site(SITE), SITE, Signer.generate(), on_committed=results.on_committed
    )
    ingest.reload_keys()
    _deliver(ingest, *_check(chain, "P1", "08:00", "16:00"), *_check(chain, "P2", "08:00", "12:00"))
    _deliver(
        ingest,
        chain.sign(
            WarehousedCount(line="L1", product="SHIRT", day=DAY.isoformat(), units=90, officer="O1"), "17:00"
        ),
    )
    assert results.flush()
    p1, p2 = _row("P1"), _row("P2")
    assert (p1.mode, p1.done_units, p2.done_units) == ("time", "60.00", "30.00")
    # P1 has an 80 % quota: 480 x 60 x 0.8 / 97.5 = 236.31 units; P2 a full one, 295.38
    assert (p1.quota_units, p2.quota_units) == ("236.31", "295.38")
    assert p1.rule_set_version == "rulebook-v1"


def test_a_correction_changes_the_result_and_the_original_record_stays(
    site: tuple[pw.Database, KioskChain, rs.Results],
) -> None:
    """An officer corrects a count from 50 to 20: the result follows, the signed original is unchanged."""
    db, chain, results = site
    ingest = Ingest(
        db, _Sink(), Topics.for_site(SITE), SITE, Signer.generate(), on_committed=results.on_committed
    )
    ingest.reload_keys()
    count = chain.sign(
        UnitCount(
            person="P1", line="L1", day=DAY.isoformat(), product="SHIRT", step="S2", units=50, source="manual"
        ),
        "10:00",
    )
    lot = chain.sign(
        WarehousedCount(line="L1", product="SHIRT", day=DAY.isoformat(), units=200, officer="O1")
    )
    _deliver(ingest, count, lot)
    assert results.flush()
    assert (_row("P1").mode, _row("P1").done_units) == ("counted", "50.00")
    _deliver(
        ingest,
        chain.sign(
            Correction(
                ref_kiosk="K1",
                ref_seq=count.record.seq,
                ref_hash=count.hash,
                officer="O1",
                reason="键入错误",
                values={"units": 20},
            ),
            "17:30",
        ),
    )
    assert results.flush()
    assert _row("P1").done_units == "20.00"
    original = KioskRecord.get((KioskRecord.kiosk == "K1") & (KioskRecord.seq == count.record.seq))
    assert bytes(original.frame) == count.frame
    assert '"units":50' in original.body


def test_recomputing_the_month_gives_the_same_rows_as_the_live_updates(
    site: tuple[pw.Database, KioskChain, rs.Results],
) -> None:
    """The month on demand reproduces every row record-by-record recomputation stored (and adds the
    days up to today nobody sent a record for, where the quota is owed in full)."""
    db, chain, results = site
    ingest = Ingest(
        db, _Sink(), Topics.for_site(SITE), SITE, Signer.generate(), on_committed=results.on_committed
    )
    ingest.reload_keys()
    _deliver(ingest, *_check(chain, "P3", "08:00", "16:30"))
    _deliver(
        ingest,
        chain.sign(WarehousedCount(line="L1", product="SHIRT", day=DAY.isoformat(), units=500, officer="O1")),
    )
    assert results.flush()
    live = {
        (r.inmate, r.day): (r.quota_units, r.done_units, r.completion_pct)
        for r in rs.month_rows(Month.of(DAY))
    }
    month = results.recompute_month(Month.of(DAY))
    again = {
        (r.inmate, r.day): (r.quota_units, r.done_units, r.completion_pct)
        for r in rs.month_rows(Month.of(DAY))
    }
    assert {key: again[key] for key in live} == live
    assert again[("P1", "2026-10-01")] == ("236.31", "0.00", "0.00")
    assert ("P1", "2026-10-06") not in again  # a month in progress ends today
    assert live[("P3", DAY.isoformat())] == ("480.00", "500.00", "104.17")
    assert len(month.monthly) == 3


def test_a_count_sent_by_a_kiosk_through_mosquitto_changes_the_board_result_within_a_second(
    site: tuple[pw.Database, KioskChain, rs.Results], tmp_path: object
) -> None:
    """Real broker, real ingest: from the kiosk's publish to the stored, announced result is under 1 s."""
    db, chain, results = site
    broker = MosquittoProcess()
    broker.start()
    changed = threading.Event()
    results.on_change(lambda keys: changed.set() if ("L1", DAY) in keys else None)
    hub_mqtt = HubMqtt(BrokerConfig.from_url(f"mqtt://127.0.0.1:{broker.port}"))
    ingest = Ingest(
        db, hub_mqtt, Topics.for_site(SITE), SITE, Signer.generate(), on_committed=results.on_committed
    )
    kiosk = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="kiosk-K1", protocol=mqtt.MQTTv5)
    try:
        ingest.start()
        hub_mqtt.start()
        assert hub_mqtt.wait_ready(10)
        kiosk.connect("127.0.0.1", broker.port)
        kiosk.loop_start()
        topic = Topics.for_site(SITE).records("K1")
        setup = [
            *_check(chain, "P1", "08:00", "16:00"),
            chain.sign(
                WarehousedCount(line="L1", product="SHIRT", day=DAY.isoformat(), units=300, officer="O1")
            ),
        ]
        kiosk.publish(topic, batch.pack([r.frame for r in setup]), qos=1).wait_for_publish(5)
        assert changed.wait(5)
        assert results.flush()
        changed.clear()
        count = chain.sign(
            UnitCount(
                person="P1",
                line="L1",
                day=DAY.isoformat(),
                product="SHIRT",
                step="S2",
                units=120,
                source="device",
                ref="C1",
            ),
            "11:00",
        )
        started = time.monotonic()
        kiosk.publish(topic, batch.pack([count.frame]), qos=1)
        assert changed.wait(5)
        elapsed = time.monotonic() - started
        row = _row("P1")
        assert (row.mode, row.done_units) == ("counted", "120.00")
        assert Decimal(row.completion_pct) == Decimal("50.78")  # 120 x 97.5 / (480 x 60 x 0.8)
        assert elapsed < 1.0, f"result changed {elapsed:.3f} s after the kiosk published"
    finally:
        kiosk.loop_stop()
        kiosk.disconnect()
        hub_mqtt.stop()
        broker.close()


def test_a_standard_time_change_recomputes_the_current_month(
    site: tuple[pw.Database, KioskChain, rs.Results],
) -> None:
    """Officers shorten S2's standard time from the 5th: the day's quota in units rises, earlier days stay."""
    db, chain, results = site
    data = md.MasterData(db, month_locked=store.month_lock(db))
    data.on_change(results.on_master_change)
    results.recompute_month(Month.of(DAY))
    assert _row("P2").quota_units == "295.38"  # 480 x 60 / 97.5
    data.set_standard_time("admin", "SHIRT", "S2", "90", valid_from=DAY, reason="工艺改进")
    assert results.flush()
    assert _row("P2").quota_units == "320.00"  # 480 x 60 / 90
    assert _row("P2").rule_set_version == "rulebook-v1"
    earlier = result_tables.DailyResult.get(
        (result_tables.DailyResult.inmate == "P2") & (result_tables.DailyResult.day == "2026-10-02")
    )
    assert earlier.quota_units == "295.38"


def test_the_worker_records_how_far_it_has_computed_after_storing(
    site: tuple[pw.Database, KioskChain, rs.Results],
) -> None:
    """`results_progress` (what `floorledger verify` reads to tell pending results from wrong ones)
    names each kiosk's last record whose line-days are stored: nothing before the first month
    recomputation (the heads read at start are only a claim until then), then the head of every batch
    the worker has stored."""
    db, chain, results = site
    ingest = Ingest(
        db, _Sink(), Topics.for_site(SITE), SITE, Signer.generate(), on_committed=results.on_committed
    )

    def progress() -> dict[str, int]:
        with db.connection_context():
            return {p.kiosk: p.seq for p in result_tables.ResultsProgress.select()}

    _deliver(ingest, *_check(chain, "P1", "08:00", "16:00"))
    assert results.flush()
    assert progress() == {}
    results.request_month(Month.of(DAY))
    assert results.flush()
    assert progress() == {"K1": 2}
    count = chain.sign(
        UnitCount(
            person="P1", line="L1", day=DAY.isoformat(), product="SHIRT", step="S2", units=40, source="device"
        ),
        "11:00",
    )
    _deliver(ingest, count)
    assert results.flush()
    assert progress() == {"K1": 3}
