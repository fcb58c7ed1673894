"""A site as `floorledger site init` writes it, run for real: Mosquitto over TLS with the site's
config and ACL, the hub and two kiosks as processes with their certificates, a browser at a kiosk.

Only paths (to temporary folders, a badge reader's pty) and ports change from the written files.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import peewee as pw
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException

from devices.simulators import BadgeReaderSimulator
from floorledger import keyfile
from floorledger.broker import free_port, mosquitto_binary, port_open, terminate
from floorledger.demo.orchestrator import child_env
from floorledger.site import layout, samples
from hub.app import masterdata_service
from hub.ledger.entries import Ledger
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk, KioskRecord, PendingKiosk, Quarantine
from hub.store.schema import prepare
from protocol.messages import Ack, open_frame
from protocol.signing import Verifier, b64decode
from protocol.topics import Topics
from tests.system.browser_support import browser_fixture, click, text_of
from tests.system.site_support import REPO, SiteBroker, floorledger, install, probe

pytestmark = [
    pytest.mark.system,
    pytest.mark.slow,
    pytest.mark.skipif(mosquitto_binary() is None, reason="Mosquitto is not installed"),
]

SITE = "site1"
TOPICS = Topics.for_site(SITE)
K1_BADGE, K2_BADGE = 100_001, 100_021  # the seeded site: P1001 works on L1, P1021 on L2
NOT_AUTHORIZED = 0x87  # MQTT 5 reason code in SUBACK / PUBACK


@dataclass
class KioskBox:
    kiosk: str
    etc: Path
    state: Path
    port: int
    badge: BadgeReaderSimulator
    proc: subprocess.Popen[bytes] | None = None


@dataclass
class Floor:
    site: Path
    broker: SiteBroker
    hub_etc: Path
    hub_key: Path
    hub_db: Path
    kiosks: dict[str, KioskBox]
    procs: list[subprocess.Popen[bytes]]

    def mqtt_files(self, kiosk: str) -> tuple[Path, Path, Path]:
        d = self.site / layout.kiosk_dir(kiosk)
        return d / layout.CA_CERT, d / layout.MQTT_CERT, d / layout.MQTT_KEY

    def db(self) -> pw.Database:
        db = hubdb.connect(str(self.hub_db))
        prepare(db)
        return db


def _spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=child_env())


def _seed(hub_state: Path, hub_db: Path) -> None:
    """The site's master data, entered once before the floor opens (as `floorledger seed` would),
    with today a workday whatever day the test runs on."""
    signer = keyfile.load(hub_state / layout.HUB_SIGNING_KEY)
    db = hubdb.connect(str(hub_db))
    try:
        seed_site(db, hub_signer=signer, site=SITE, history_days=1)

        def clock() -> int:
            return time.time_ns() // 1_000_000

        ledger = Ledger(db, signer, clock)
        data = masterdata_service(db, record_act=ledger.record_act, clock_ms=clock)
        data.add_workdays("admin", [datetime.now(ZoneInfo("Asia/Shanghai")).date()])
    finally:
        db.close()


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    site = tmp_path / "site"
    floorledger(
        "site", "init", "--site", SITE, "--out", str(site),
        "--kiosk", "K01:L1", "--kiosk", "K02:L2", "--broker-host", "localhost",
    )  # fmt: skip
    port = free_port()
    broker = SiteBroker(site, port)
    procs: list[subprocess.Popen[bytes]] = []
    kiosks: dict[str, KioskBox] = {}
    try:
        broker.start()
        hub_etc, hub_state = tmp_path / "hub-etc", tmp_path / "hub-state"
        hub_state.mkdir()
        web_port = free_port()
        install(
            site / layout.HUB_DIR,
            hub_etc,
            {
                str(layout.APP_STATE): str(hub_state),
                f"localhost:{layout.MQTT_PORT}": f"localhost:{port}",
                f"port = {samples.HUB_WEB_PORT}": f"port = {web_port}",
            },
        )
        config = hub_etc / layout.HUB_CONFIG
        # the runbook's `install -m 0600 hub-state/hub.key /var/lib/floorledger/`
        shutil.copy2(site / layout.HUB_STATE_DIR / layout.HUB_SIGNING_KEY, hub_state / layout.HUB_SIGNING_KEY)
        floorledger("hub", "init", "--config", str(config))
        hub_db = hub_state / layout.HUB_DATABASE.name
        _seed(hub_state, hub_db)
        procs.append(
            _spawn(
                [sys.executable, "-m", "floorledger", "hub", "--config", str(config)], hub_state / "hub.log"
            )
        )
        for kiosk in ("K01", "K02"):
            etc, state = tmp_path / f"{kiosk}-etc", tmp_path / f"{kiosk}-state"
            state.mkdir()
            ui_port = free_port()
            badge = BadgeReaderSimulator(link=state / "badge0")
            install(
                site / layout.kiosk_dir(kiosk),
                etc,
                {
                    str(layout.APP_STATE): str(state),
                    f"localhost:{layout.MQTT_PORT}": f"localhost:{port}",
                    f"ui_port = {samples.KIOSK_UI_PORT}": f"ui_port = {ui_port}",
                    f'"{samples.BADGE_READER}"': f'"{state / "badge0"}"',
                },
            )
            box = KioskBox(kiosk=kiosk, etc=etc, state=state, port=ui_port, badge=badge)
            box.proc = _spawn(
                [sys.executable, "-m", "floorledger", "kiosk", "--config", str(etc / layout.KIOSK_CONFIG)],
                state / "kiosk.log",
            )
            procs.append(box.proc)
            kiosks[kiosk] = box
        hub_key = hub_state / layout.HUB_SIGNING_KEY
        yield Floor(
            site=site,
            broker=broker,
            hub_etc=hub_etc,
            hub_key=hub_key,
            hub_db=hub_db,
            kiosks=kiosks,
            procs=procs,
        )
    finally:
        for proc in procs:
            terminate(proc)  # type: ignore[arg-type]
        for box in kiosks.values():
            box.badge.close()
        broker.close()


browser = browser_fixture(size=(1024, 600))  # the kiosk's touchscreen


def wait(predicate: object, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            pytest.fail(f"{what} within {timeout:.0f} s\n{tail}")
        time.sleep(0.2)


def enroll(floor: Floor, kiosk: str, line: str) -> None:
    """The officer's step: the fingerprint the kiosk's screen shows, typed at the hub."""
    box = floor.kiosks[kiosk]
    key = box.state / "kiosk.key"
    wait(key.exists, 60, f"kiosk {kiosk} made no key", box.state / "kiosk.log")
    fingerprint = keyfile.load(key).fingerprint

    def hello_arrived() -> bool:
        db = floor.db()
        try:
            return PendingKiosk.get_or_none(PendingKiosk.kiosk == kiosk) is not None
        finally:
            db.close()

    wait(hello_arrived, 60, f"the hub saw no hello of {kiosk} over TLS", box.state / "kiosk.log")
    floorledger(
        "kiosks", "enroll", "--db", str(floor.hub_db), "--key", str(floor.hub_key),
        "--officer", "admin", "--kiosk", kiosk, "--fingerprint", fingerprint, "--line", line,
    )  # fmt: skip


def check_in(driver: webdriver.Chrome, floor: Floor, kiosk: str, badge: int) -> None:
    """At the kiosk's screen: past the enrollment screen, a badge tap on the reader, 签到; then the
    hub has the record and the kiosk its ack (nothing waits to be sent)."""
    box = floor.kiosks[kiosk]
    before = records_of(floor, kiosk).count("check_in")
    driver.get(f"http://127.0.0.1:{box.port}/")
    wait(lambda: "继续" in text_of(driver) or "请刷卡" in text_of(driver), 60, "no kiosk screen")
    if "继续" in text_of(driver):
        with contextlib.suppress(NoSuchElementException):  # the screen moved on by itself
            click(driver, "继续", timeout=10)
    wait(lambda: "尚未收到生产计划" not in text_of(driver) and "请刷卡" in text_of(driver),
         60, f"kiosk {kiosk} received no line plan", box.state / "kiosk.log")  # fmt: skip
    box.badge.present(badge)
    wait(lambda: "签到" in text_of(driver) and "未签到" in text_of(driver), 30, "badge not recognised")
    click(driver, "签到", timeout=10)
    wait(lambda: "签到成功" in text_of(driver), 30, "check-in not saved")
    wait(lambda: records_of(floor, kiosk).count("check_in") == before + 1, 60,
         f"the hub did not store {kiosk}'s check-in", box.state / "kiosk.log")  # fmt: skip
    wait(lambda: "待上传 0 条" in text_of(driver), 60, f"kiosk {kiosk} got no ack", box.state / "kiosk.log")


def runbook_broker_check(floor: Floor, port: int) -> bytes:
    """deploy/README.md's check of the broker (`mosquitto_sub` with a kiosk's certificate for a
    plan), run as written there but for the broker's name and port."""
    text = (REPO / "deploy" / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    command = next(x.strip() for x in text.splitlines() if x.strip().startswith("mosquitto_sub "))
    command = command.replace("-h hub.site", "-h localhost").replace(f"-p {layout.MQTT_PORT}", f"-p {port}")
    done = subprocess.run(
        ["sh", "-c", command],
        cwd=floor.site / layout.kiosk_dir("K01"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def records_of(floor: Floor, kiosk: str) -> list[str]:
    db = floor.db()
    try:
        return [
            str(t) for (t,) in KioskRecord.select(KioskRecord.type).where(KioskRecord.kiosk == kiosk).tuples()
        ]
    finally:
        db.close()


def quarantined(floor: Floor, fragment: str) -> list[bytes]:
    db = floor.db()
    try:
        return [
            bytes(p)
            for (p,) in Quarantine.select(Quarantine.payload)
            .where(Quarantine.topic.contains(fragment))
            .tuples()
        ]
    finally:
        db.close()


def test_a_site_from_site_init_runs_over_tls_and_keeps_kiosks_apart(
    floor: Floor, browser: webdriver.Chrome
) -> None:
    """With the files `site init` wrote: each kiosk connects with its certificate, receives its line
    plan and its acks, and checks an inmate in; kiosk K01's certificate cannot publish on K02's
    topics nor read K02's acks (refused by the broker: K02's own client sees only the hub's acks, the
    hub's database holds nothing K01 sent there); no certificate, another CA's certificate and a
    revoked certificate are refused, and revoking also revokes the kiosk's key at the hub."""
    port = floor.broker.port
    hub_key = Verifier(b64decode(keyfile.load(floor.hub_key).public_key_b64), hub=True)

    # K02's own certificate, watching its ack topic: what kiosk B sees
    b_watch = probe(port, *floor.mqtt_files("K02"))
    assert b_watch.connected
    assert b_watch.subscribe(TOPICS.ack("K02")) == [1]  # granted QoS 1

    enroll(floor, "K01", "L1")
    enroll(floor, "K02", "L2")
    check_in(browser, floor, "K01", K1_BADGE)
    check_in(browser, floor, "K02", K2_BADGE)
    assert "check_in" in records_of(floor, "K01")
    assert "check_in" in records_of(floor, "K02")
    assert runbook_broker_check(floor, port), "the runbook's broker check received no plan"

    # kiosk A (K01's certificate) tries B's topics
    rogue = probe(port, *floor.mqtt_files("K01"))
    assert rogue.connected
    # Mosquitto 2.0 may grant such a subscription and check the ACL at each delivery instead: what
    # counts is that nothing of K02's arrives (asserted below, after K02 got acks again)
    rogue.subscribe(TOPICS.ack("K02"))
    rogue.subscribe(TOPICS.records("K02"))
    rogue.subscribe(f"{TOPICS.prefix}/#")  # everything it may read, K02's retained hello and status too
    forged = b"forged by K01"
    for topic in (TOPICS.records("K02"), TOPICS.hello("K02"), TOPICS.status("K02"), TOPICS.ack("K02")):
        assert rogue.publish(topic, forged) == [NOT_AUTHORIZED], topic
    assert rogue.publish(TOPICS.records("K01"), forged) == [0]  # its own topic: delivered (control)
    wait(lambda: forged in quarantined(floor, "/kiosk/K01/"), 30, "the control message never reached the hub")

    # B's side: another check-in at K02, its ack arrives; nothing K01 sent, on B's ack topic or any other
    check_in(browser, floor, "K02", K2_BADGE + 1)
    seen: list[bytes] = []
    while not b_watch.received.empty():
        seen.append(b_watch.received.get()[1])
    assert seen, "K02's client received no ack of its own"
    assert forged not in seen
    for frame in seen:
        open_frame(frame, hub_key, Ack)  # every message on B's ack topic is the hub's signed ack
    read = []
    while not rogue.received.empty():
        read.append(rogue.received.get()[0])
    assert TOPICS.plan("L1") in read  # what it may read arrives (the retained plans)
    assert [t for t in read if "/kiosk/" in t and "/kiosk/K01/" not in t] == [], "K01 read another kiosk's"
    # (K02's own frames may be there: a checkpoint it witnessed before its enrollment was refused)
    assert forged not in quarantined(floor, "/kiosk/K02/")
    assert sorted(t for t in records_of(floor, "K02") if t != "checkpoint_witness") == [
        "check_in",
        "check_in",
    ]

    # refused: no certificate, another site's CA (a certificate for the same kiosk id), ...
    ca = floor.site / layout.kiosk_dir("K01") / layout.CA_CERT
    assert not probe(port, ca).connected
    other = floor.site.parent / "other-site"
    floorledger(
        "site", "init", "--site", SITE, "--out", str(other), "--kiosk", "K01:L1", "--broker-host", "localhost"
    )
    other_files = other / layout.kiosk_dir("K01")
    assert not probe(port, ca, other_files / layout.MQTT_CERT, other_files / layout.MQTT_KEY).connected

    # ... and a revoked one: the runbook's steps (revoke, the printed hub command, CRL to the broker,
    # restart it)
    printed = floorledger(
        "site", "revoke-kiosk", "K02", "--dir", str(floor.site), "--officer", "admin", "--reason", "stolen"
    ).stdout  # fmt: skip
    command = next(x.strip() for x in printed.splitlines() if x.strip().startswith("floorledger kiosks"))
    argv = shlex.split(
        command.replace(str(layout.HUB_DATABASE), str(floor.hub_db)).replace(
            str(layout.HUB_KEY_PATH), str(floor.hub_key)
        )
    )
    floorledger(*argv[1:])
    b_watch.close()
    rogue.close()
    floor.broker.install_crl(floor.site / layout.BROKER_DIR / layout.CRL)
    floor.broker.stop()
    floor.broker.start()
    assert not probe(port, *floor.mqtt_files("K02")).connected
    still = probe(port, *floor.mqtt_files("K01"))
    assert still.connected, "a revocation must not lock out the other kiosks"
    still.close()
    db = floor.db()
    try:
        assert Kiosk.get_by_id("K02").status == "revoked"
        assert Kiosk.get_by_id("K01").status == "enrolled"
    finally:
        db.close()
    assert port_open("127.0.0.1", port)


def test_the_broker_serves_no_plain_mqtt_on_its_port(tmp_path: Path) -> None:
    """The written broker config listens on its TLS port only: a plain MQTT client gets nothing."""
    site = tmp_path / "site"
    floorledger("site", "init", "--site", SITE, "--out", str(site), "--broker-host", "localhost")
    port = free_port()
    broker = SiteBroker(site, port)
    try:
        broker.start()
        plain = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        connected: list[bool] = []
        plain.on_connect = lambda c, u, f, rc, p: connected.append(not rc.is_failure)
        try:
            plain.connect("127.0.0.1", port, 5)
            plain.loop_start()
            time.sleep(2)
        except OSError:
            pass
        finally:
            plain.loop_stop()
        assert connected in ([], [False]), "a client without TLS was let in"
        assert port_open("127.0.0.1", port), "the broker is up: the client was refused, not unanswered"
    finally:
        broker.close()
