"""`floorledger verify` on a working floor (issue #18, item 6): a real hub (HubApp: ingest, results
worker, checkpoints) takes ~500 signed records a second from kiosk-like publishers over a real
Mosquitto while verify runs. Verify reads one snapshot, so the healthy hub gives no finding (records
the results worker has not computed yet are pending, not findings), and a tamper committed before
verify starts is still found.

The publishers continue the seeded history kiosks' chains (H-L1, H-L2) with today's unit counts of
the inmates posted there, in a process of their own.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorledger import keyfile
from floorledger.broker import MosquittoProcess
from hub.app import HubApp
from hub.audit.verify import verify_database
from hub.config import parse_config
from hub.seed import seed_site
from hub.store import db as hub_db
from protocol.signing import Verifier, b64decode

FLOORLEDGER = [sys.executable, "-m", "floorledger"]
SEED = 7
RATE = 500  # records per second, both kiosks together

# Kiosk-like publishers: read each history kiosk's head and its line's posts once, then sign and send
# batches of 10 today's unit counts per kiosk at RATE records/s in all (catching up when late) until
# the stop file appears; print the number sent.
PUBLISHER = r"""
import sqlite3, sys, time
from datetime import datetime
from zoneinfo import ZoneInfo
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from hub.seed import demo_kiosk_signer, history_kiosk
from protocol import batch
from protocol.records import Record, UnitCount, sign_record
from protocol.topics import Topics

db_path, site, stop = sys.argv[1], sys.argv[3], sys.argv[6]
port, seed, rate = int(sys.argv[2]), int(sys.argv[4]), int(sys.argv[5])
today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
conn = sqlite3.connect(db_path)
chains = []
for line in ("L1", "L2"):
    kiosk = history_kiosk(line)
    seq, prev = conn.execute("SELECT head_seq, head_hash FROM kiosk WHERE id = ?", (kiosk,)).fetchone()
    posts = conn.execute(
        "SELECT inmate, product, step FROM md_assignment WHERE line = ? AND valid_to IS NULL ORDER BY inmate",
        (line,),
    ).fetchall()
    chains.append([kiosk, line, seq, prev, posts, demo_kiosk_signer(seed, kiosk)])
conn.close()
topics = Topics.for_site(site)
client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="live-publisher")
client.connect("127.0.0.1", port)
client.loop_start()
sent, started, n = 0, time.monotonic(), 0
print("started", flush=True)
from pathlib import Path
while not Path(stop).exists():
    for chain in chains:
        kiosk, line, seq, prev, posts, signer = chain
        frames = []
        for _ in range(10):
            seq += 1
            n += 1
            inmate, product, step = posts[n % len(posts)]
            body = UnitCount(
                person=inmate, line=line, day=today, product=product, step=step, units=1, source="device"
            )
            wall = int(time.time() * 1000)
            record = Record(kiosk=kiosk, seq=seq, prev=prev, boot="b", wall_ms=wall, mono_ms=seq, body=body)
            signed = sign_record(record, signer)
            prev = signed.hash
            frames.append(signed.frame)
        chain[2], chain[3] = seq, prev
        client.publish(topics.records(kiosk), batch.pack(frames), qos=1)
        sent += len(frames)
    time.sleep(max(0.0, started + sent / rate - time.monotonic()))
client.loop_stop()
print(sent, time.monotonic() - started, flush=True)
"""


@dataclass
class Floor:
    db_path: Path
    url: str
    hub_key_pub: str
    app: HubApp


@pytest.fixture
def floor(tmp_path: Path, private_broker: MosquittoProcess) -> Iterator[Floor]:
    """A seeded site (today's date, three days of history) served by a running HubApp."""
    signer = keyfile.create(tmp_path / "hub.key")
    path = tmp_path / "hub.db"
    db = hub_db.connect(str(path))
    try:
        seed_site(db, hub_signer=signer, site="live", seed=SEED, history_days=3)
    finally:
        db.close()
    config = parse_config(
        {"site": "live", "broker": f"mqtt://127.0.0.1:{private_broker.port}", "database": "hub.db"}, tmp_path
    )
    app = HubApp(config)
    app.start()
    try:
        yield Floor(path, f"sqlite:///{path}", signer.public_key_b64, app)
    finally:
        app.stop()


def _heads(path: Path) -> dict[str, int]:
    with sqlite3.connect(path, timeout=30) as conn:
        return {k: s for k, s in conn.execute("SELECT id, head_seq FROM kiosk WHERE id LIKE 'H-L%'")}


def _verify(floor: Floor) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *FLOORLEDGER,
            "verify",
            "--db",
            floor.url,
            "--hub-key-pub",
            floor.hub_key_pub,
            "--workers",
            "2",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def publishing(floor: Floor, tmp_path: Path, private_broker: MosquittoProcess) -> Iterator[Floor]:
    stop = tmp_path / "stop-publishing"
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(floor.db_path), str(private_broker.port), "live", str(SEED),
         str(RATE), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert publisher.stdout is not None
        assert publisher.stdout.readline().strip() == "started"
        before = _heads(floor.db_path)
        deadline = time.monotonic() + 30
        while sum(_heads(floor.db_path).values()) < sum(before.values()) + 1000:  # ingest is under way
            assert time.monotonic() < deadline, "the hub stores no records"
            time.sleep(0.2)
        yield floor
    finally:
        stop.touch()
        out, err = publisher.communicate(timeout=60)
        assert publisher.returncode == 0, err
    sent, seconds = out.split()
    assert int(sent) / float(seconds) > RATE * 0.8, (
        f"the publishers managed only {sent} records in {seconds} s"
    )


def test_verify_during_ingest_is_clean_on_a_healthy_hub_and_finds_a_tamper_made_before_it(
    publishing: Floor,
) -> None:
    """While ~500 records/s are stored and their results computed: verify (the command with a pool of
    2, and the dashboard's in-process run) gives VERIFIED, exit 0, although records kept arriving.
    Then an SQL edit of a stored history record's `line` column and of a past day's daily result,
    committed while the floor works and before the next verify starts, are both reported (exit 1),
    and nothing else is (the live records and today's results are no findings)."""
    before = _heads(publishing.db_path)
    done = _verify(publishing)
    after = _heads(publishing.db_path)
    assert sum(after.values()) > sum(before.values()) + 500, "the floor was not working during verify"
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOT VERIFIED" not in done.stdout
    assert done.stdout.rstrip().endswith("VERIFIED: every row matches the signed records")
    # results still being computed are listed apart, and can only be today's (where records arrive)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    pending = [line for line in done.stdout.splitlines() if line.startswith("  ~ pending: ")]
    assert all(f" day {today}: " in line for line in pending), pending
    with sqlite3.connect(publishing.db_path, timeout=30) as conn:  # what verify's pending rule reads
        progress = dict(conn.execute("SELECT kiosk, seq FROM results_progress").fetchall())
        (size,) = conn.execute("SELECT MAX(entry_index) FROM ledger_entry").fetchone()
    assert progress["*ledger"] == size  # the start's month recomputation covers the whole ledger
    assert set(progress) >= {"H-L1", "H-L2", "H-L3"}
    assert publishing.app.db is not None
    report = verify_database(publishing.app.db, Verifier(b64decode(publishing.hub_key_pub)), workers=1)
    assert report.ok, report.render()

    with sqlite3.connect(publishing.db_path, timeout=30) as conn:
        (rid,) = conn.execute(
            "SELECT id FROM kiosk_record WHERE kiosk = 'H-L1' ORDER BY id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE kiosk_record SET line = 'L9' WHERE id = ?", (rid,))
        result = conn.execute(
            "SELECT id, inmate, day, done_units FROM daily_result WHERE done_units != '0' "
            "ORDER BY day, id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE daily_result SET done_units = '999' WHERE id = ?", (result[0],))
    before = _heads(publishing.db_path)
    done = _verify(publishing)
    assert sum(_heads(publishing.db_path).values()) > sum(before.values()) + 500
    assert done.returncode == 1, done.stdout + done.stderr
    problems = [line.strip() for line in done.stdout.splitlines() if line.startswith("  - ")]
    assert problems == [
        f"- kiosk_record id={rid} (kiosk H-L1 seq 1): column line is 'L9' but the signed record says 'L1'",
        f"- daily_result inmate {result[1]} day {result[2]} (id={result[0]}): done_units is '999' "
        f"but the records give {result[3]!r}",
    ], done.stdout
