"""The assembled hub (HubApp, without its web server) against a real Mosquitto: a kiosk enrolled by an
officer sends signed records, the daily result follows and the line's retained, hub-signed plan
carries the new result; master-data changes are ledgered. The app starts on a database made before
schema migrations too."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from floorledger import keyfile
from floorledger.broker import MosquittoProcess
from hub.app import HubApp
from hub.config import parse_config
from hub.ledger.entries import KIOSK_ENROLL
from hub.results import worker as rs
from hub.review.corrections import notice_for
from hub.store import masterdata as md_tables
from hub.store.migrate import latest, schema_version
from protocol import batch
from protocol.messages import LinePlan, open_frame
from protocol.records import CheckIn, CheckOut, UnitCount, WarehousedCount
from protocol.signing import Verifier
from protocol.topics import Topics
from tests.hub.masterdata import test_masterdata_store as store
from tests.hub.results.test_results_recompute import KioskChain

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 10, 5)
NOON_MS = int(datetime(2026, 10, 5, 12, 0, tzinfo=ZONE).timestamp() * 1000)
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hub-24abeab.sqlite3"
FIXTURE_MS = int(datetime(2026, 10, 14, 9, 0, tzinfo=ZONE).timestamp() * 1000)


def test_records_from_an_enrolled_kiosk_reach_results_and_the_signed_plan(
    tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """Enroll K1 by QR, set up the line, send check-in/out, a count and the warehouse entry: the stored
    result shows the count and the retained plan of L1 (verified with the hub key) shows today's result."""
    hub_key = keyfile.create(tmp_path / "hub.key")
    config = parse_config(
        {"site": "W1", "broker": f"mqtt://127.0.0.1:{private_broker.port}", "database": "hub.db"}, tmp_path
    )
    app = HubApp(config, clock_ms=lambda: NOON_MS)
    plans: list[bytes] = []
    got_plan = threading.Event()
    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="plan-watcher")

    def on_plan(client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        plans.append(msg.payload)
        got_plan.set()

    watcher.on_message = on_plan
    kiosk = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="kiosk-K1")
    try:
        app.start()
        assert app.masterdata is not None
        store.small_site(app.masterdata)
        chain = KioskChain()
        app.enrollment.enroll_qr("O1", f"floorledger-enroll:1:K1:{chain.signer.public_key_b64}", line="L1")
        actions = [e.action for e in app.ledger.entries()]
        assert actions[0] == "area.add"
        assert actions[-1] == KIOSK_ENROLL

        watcher.connect("127.0.0.1", private_broker.port)
        watcher.subscribe(Topics.for_site("W1").plan("L1"), qos=1)
        watcher.loop_start()
        kiosk.connect("127.0.0.1", private_broker.port)
        kiosk.loop_start()
        day = DAY.isoformat()
        records = [
            chain.sign(CheckIn(person="P2", line="L1", day=day, method="badge"), "08:00"),
            chain.sign(CheckOut(person="P2", line="L1", day=day, method="badge"), "11:00"),
            chain.sign(
                UnitCount(
                    person="P2",
                    line="L1",
                    day=day,
                    product="SHIRT",
                    step="S2",
                    units=150,
                    source="ticket",
                    ref="BD1",
                ),
                "11:00",
            ),
            chain.sign(
                WarehousedCount(line="L1", product="SHIRT", day=day, units=140, officer="O1"), "11:30"
            ),
        ]
        kiosk.publish(Topics.for_site("W1").records("K1"), batch.pack([r.frame for r in records]), qos=1)
        deadline = time.monotonic() + 10
        row = None
        while time.monotonic() < deadline:
            assert app.results is not None
            app.results.flush()
            row = rs.DailyResult.get_or_none((rs.DailyResult.inmate == "P2") & (rs.DailyResult.day == day))
            if row is not None and row.done_units == "140.00":
                break
            time.sleep(0.05)
        assert row is not None
        assert (row.mode, row.done_units) == ("counted", "140.00")  # scaled down to the warehouse
        deadline = time.monotonic() + 10
        plan: LinePlan | None = None
        while time.monotonic() < deadline:
            if plans:
                plan = open_frame(plans[-1], Verifier(hub_key.public_key), LinePlan)
                p2 = {p.id: p for p in plan.people}.get("P2")
                if p2 is not None and p2.quota_units == "295.38":
                    break
            got_plan.wait(0.1)
            got_plan.clear()
        assert plan is not None
        assert plan.hub == "W1"
        assert plan.day == day
        assert {p.id: p.badges for p in plan.people}["P2"] == ("B2",)
    finally:
        kiosk.loop_stop()
        kiosk.disconnect()
        watcher.loop_stop()
        watcher.disconnect()
        app.stop()


def test_the_hub_starts_on_a_database_made_before_migrations(
    tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """A copy of tests/fixtures/hub-24abeab.sqlite3 under a started HubApp: migrated at start (a copy
    beside it, schema version 1), every service built once, and the seeded site's plans published."""
    shutil.copyfile(FIXTURE, tmp_path / "hub.db")
    keyfile.create(tmp_path / "hub.key")  # the fixture's own key was not kept; a new key signs from here
    config = parse_config(
        {"site": "fixture", "broker": f"mqtt://127.0.0.1:{private_broker.port}", "database": "hub.db"},
        tmp_path,
    )
    app = HubApp(config, clock_ms=lambda: FIXTURE_MS)
    try:
        app.start()
        services = app.services
        assert services is not None
        assert app.ledger is services.ledger
        assert app.masterdata is services.masterdata
        assert services.corrections.window_days == config.correction_window_days
        assert app.db is not None
        assert schema_version(app.db) == latest()
        assert len(list(tmp_path.glob("hub.db.before-v1-*"))) == 1
        assert md_tables.Line.select().count() > 0
        assert app.plans is not None
        assert notice_for("nobody", date(2026, 10, 14)) is None  # the dispute table is there from the start
    finally:
        app.stop()
