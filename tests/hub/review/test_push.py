"""The push of locked months to the scoring database (#16 item 3), against a real HTTPS receiver run
by the test (its own CA, trusted through `[export.push] ca_file`) and a real drop folder: delivered
once when the month locks, re-delivered after the receiver failed three times, never twice after it
answered 2xx, an open month never pushed; every answer in the signed ledger."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from floorledger import keyfile
from floorledger.broker import MosquittoProcess
from hub.app import HubApp
from hub.audit.verify import verify_database
from hub.config import ConfigError, ExportConfig, parse_config
from hub.ledger.entries import Ledger
from hub.review import export_signature, push
from hub.review.monthly import Assessment
from hub.store import db as hubdb
from hub.store.delivery import CANCELLED, DELIVERED, FAILING, ExportDelivery
from hub.store.ledger import LedgerEntry
from hub.store.review import MonthApproval
from hub.store.schema import prepare
from protocol.signing import Verifier, b64encode
from tests.hub.review.https_receiver import Receiver, serve
from tests.hub.review.test_assessment_domain import (
    HEAD_A1,
    HUB_KEY,
    LABOR,
    LINE_L1,
    MID_MONTH,
    MONTH,
    NOW_MS,
    Site,
    open_copy,
)

ZONE = ZoneInfo("Asia/Shanghai")
RETRY_S = 30


class Clock:
    """The push worker's clock, moved by the test (the backoff waits are minutes, not test time)."""

    def __init__(self) -> None:
        self.ms = NOW_MS

    def __call__(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def receivers(tmp_path: Path) -> Iterator[Callable[[int], Receiver]]:
    """`receivers(fail_first)`: a running receiver that answers 503 that many times first."""
    servers = []

    def start(fail_first: int = 0) -> Receiver:
        found, server = serve(tmp_path, fail_first=fail_first)
        servers.append(server)
        return found

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receivers: Callable[[int], Receiver]) -> Receiver:
    return receivers(0)


def export_config(tmp_path: Path, **push_table: Any) -> ExportConfig:
    """The `[export]` section as the hub reads it from hub.toml."""
    raw = {"site": "t", "key_file": "hub.key", "database": "hub.db", "export": {"push": push_table}}
    return parse_config(raw, tmp_path).export


def pusher(site: Site, config: ExportConfig, clock: Clock, **more: Any) -> push.Pusher:
    return push.Pusher(
        site.db,
        assessment=site.assessment,
        signer=HUB_KEY,
        config=config,
        record_act=site.ledger.record_act,
        clock_ms=clock,
        zone=ZONE,
        **more,
    )


def lock(site: Site) -> None:
    for who in (LINE_L1, HEAD_A1, LABOR):
        site.assessment.approve(who, MONTH, "A1", override=MID_MONTH)


def push_acts() -> list[dict[str, Any]]:
    acts = LedgerEntry.select().where(LedgerEntry.action == "export.push").order_by(LedgerEntry.entry_index)
    return [json.loads(a.payload) for a in acts]


def test_a_locked_month_is_delivered_once_signed_and_never_twice(
    site: Site, receiver: Receiver, tmp_path: Path
) -> None:
    """While October is open nothing is sent; once the labor section locks it one round delivers
    the signed CSV (the receiver checks it against the hub's key), the receiver's 200 and its body's
    SHA-256 are a signed `export.push` act, and later rounds, hours on, send nothing more."""
    config = export_config(tmp_path, url=receiver.url, ca_file=str(receiver.ca_file), retry_s=RETRY_S)
    clock = Clock()
    worker = pusher(site, config, clock)
    site.assessment.approve(LINE_L1, MONTH, "A1", override=MID_MONTH)
    site.assessment.approve(HEAD_A1, MONTH, "A1", override=MID_MONTH)
    worker.run_once()
    assert receiver.requests == []  # approved twice, not locked: never pushed
    assert ExportDelivery.select().count() == 0
    site.assessment.approve(LABOR, MONTH, "A1", override=MID_MONTH)
    worker.run_once()
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    name, data = got.parts["file"]
    sig_name, signature = got.parts["signature"]
    assert (name, sig_name) == ("labor-A1-2026-10.csv", "labor-A1-2026-10.csv.sig")
    facts, problems = export_signature.check(data, signature, HUB_KEY.public_key)
    assert problems == []
    assert facts is not None
    assert (facts.month, facts.area, facts.release) == ("2026-10", "A1", "final")
    digest = hashlib.sha256(data).hexdigest()
    assert got.headers["Idempotency-Key"] == f"floorledger:2026-10:A1:{digest}"
    assert "正式" in data.decode("utf-8-sig")
    [act] = push_acts()
    assert act["outcome"] == "delivered"
    assert act["status"] == 200
    assert act["body_sha256"] == hashlib.sha256(got.answer).hexdigest()
    assert act["sha256"] == digest
    for _ in range(3):
        clock.advance(3600)
        worker.run_once()
    assert len(receiver.requests) == 1
    assert [d.state for d in push.deliveries(MONTH, "A1")] == [DELIVERED]
    assert push.failing_items(None) == []


def test_a_failing_receiver_gets_the_same_file_again_with_backoff_until_it_answers(
    site: Site, receivers: Callable[[int], Receiver], tmp_path: Path
) -> None:
    """The receiver answers 503 three times: the hub retries after 30 s, 60 s, 120 s (not sooner),
    each time the same bytes under the same Idempotency-Key; meanwhile the delivery is failing and in
    the officers' work queue; the fourth attempt is delivered, and every answer is in the ledger."""
    receiver = receivers(3)
    config = export_config(tmp_path, url=receiver.url, ca_file=str(receiver.ca_file), retry_s=RETRY_S)
    clock = Clock()
    worker = pusher(site, config, clock)
    lock(site)
    worker.run_once()
    assert len(receiver.requests) == 1
    [row] = push.deliveries(MONTH, "A1")
    assert (row.state, row.attempts, row.last_status) == (FAILING, 1, 503)
    [item] = push.failing_items({"A1"})
    assert (item.kind, item.line, item.day.isoformat()) == ("delivery", "A1", "2026-10-01")
    assert push.failing_items({"A2"}) == []
    for wait in (RETRY_S, 2 * RETRY_S, 4 * RETRY_S):
        before = len(receiver.requests)
        clock.advance(wait - 1)
        worker.run_once()
        assert len(receiver.requests) == before  # still backing off
        clock.advance(1)
        worker.run_once()
        assert len(receiver.requests) == before + 1
    assert [r.status for r in receiver.requests] == [503, 503, 503, 200]
    assert len({r.headers["Idempotency-Key"] for r in receiver.requests}) == 1
    assert len({r.parts["file"][1] for r in receiver.requests}) == 1
    assert len(receiver.stored) == 1
    assert [(a["attempt"], a["outcome"], a["status"]) for a in push_acts()] == [
        (1, "failed", 503),
        (2, "failed", 503),
        (3, "failed", 503),
        (4, "delivered", 200),
    ]
    assert push.failing_items(None) == []
    clock.advance(86_400)
    worker.run_once()
    assert len(receiver.requests) == 4


def test_a_month_reopened_before_its_push_went_is_not_pushed(site: Site, tmp_path: Path) -> None:
    """The receiver is down (nothing listens): the delivery fails and waits; the labor section
    reopens the month; the next round cancels it instead of sending an open month, and records so."""
    config = export_config(tmp_path, url="https://127.0.0.1:9/import", retry_s=RETRY_S, timeout_s=2)
    clock = Clock()
    worker = pusher(site, config, clock)
    lock(site)
    worker.run_once()
    [row] = push.deliveries(MONTH, "A1")
    assert row.state == FAILING
    assert row.last_error.startswith("connect:")
    site.assessment.reopen(LABOR, MONTH, "A1", "复核", stage="labor_section")
    clock.advance(RETRY_S)
    worker.run_once()
    assert [d.state for d in push.deliveries(MONTH, "A1")] == [CANCELLED]
    assert [a["outcome"] for a in push_acts()] == ["failed", "cancelled"]
    assert ExportDelivery.select().count() == 1  # the open month made no new file


def test_the_drop_folder_gets_file_and_signature_and_verify_export_accepts_them(
    site: Site, tmp_path: Path
) -> None:
    """With a drop folder, the locked month appears there as FILE and FILE.sig (no temporary file
    left), `floorledger verify-export` says VERIFIED, and a second round rewrites nothing."""
    drop = tmp_path / "drop"
    config = export_config(tmp_path, drop_folder=str(drop))
    worker = pusher(site, config, Clock())
    lock(site)
    worker.run_once()
    assert sorted(p.name for p in drop.iterdir()) == ["labor-A1-2026-10.csv", "labor-A1-2026-10.csv.sig"]
    done = subprocess.run(
        [sys.executable, "-m", "floorledger", "verify-export", str(drop / "labor-A1-2026-10.csv"),
         "--hub-key-pub", HUB_KEY.public_key_b64, "--lang", "en"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VERIFIED" in done.stdout
    assert "FINAL" in done.stdout
    stamp = (drop / "labor-A1-2026-10.csv").stat().st_mtime_ns
    worker.run_once()
    assert (drop / "labor-A1-2026-10.csv").stat().st_mtime_ns == stamp
    assert [a["outcome"] for a in push_acts()] == ["delivered"]


def test_the_worker_thread_delivers_when_the_month_locks(
    site: Site, receiver: Receiver, tmp_path: Path
) -> None:
    """The hub's push thread, running on its own: the labor section's approval returns at once and
    the receiver has the month within seconds, once."""
    config = export_config(tmp_path, url=receiver.url, ca_file=str(receiver.ca_file))
    worker = pusher(site, config, Clock(), poll_s=0.1)
    worker.start()
    try:
        lock(site)
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        worker.stop()
    assert len(receiver.requests) == 1


def test_a_receiver_with_an_untrusted_certificate_is_not_sent_the_file(
    site: Site, receiver: Receiver, tmp_path: Path
) -> None:
    """Without the receiver's CA file the hub does not trust it: the attempt fails as a TLS problem
    and the receiver got no file."""
    config = export_config(tmp_path, url=receiver.url, retry_s=RETRY_S)
    worker = pusher(site, config, Clock())
    lock(site)
    worker.run_once()
    assert receiver.requests == []
    [row] = push.deliveries(MONTH, "A1")
    assert (row.state, row.last_error.split(":")[0]) == (FAILING, "tls")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"url": "http://scoring.example/import"}, "export.push.url"),
        ({"day": 31}, "export.push.day"),
        ({"verify": "yes"}, "export.push.verify"),
        ({"retry_s": 0}, "export.push.retry_s"),
        ({"endpoint": "x"}, "export.push.endpoint"),
    ],
)
def test_a_bad_push_setting_names_its_key(tmp_path: Path, table: dict[str, Any], key: str) -> None:
    """Each bad `[export.push]` setting is refused at start with one line naming it."""
    with pytest.raises(ConfigError) as err:
        export_config(tmp_path, **table)
    assert key in str(err.value)


@pytest.mark.parametrize(
    ("day", "today", "due"),
    [(0, "2026-10-29", True), (5, "2026-11-04", False), (5, "2026-11-05", True), (5, "2027-01-01", True)],
)
def test_a_scheduled_push_waits_for_its_day_of_the_next_month(day: int, today: str, due: bool) -> None:
    """`day` 0 pushes at the lock; `day` N not before the N-th of the following month."""
    from datetime import date

    assert push.due(MONTH, date.fromisoformat(today), day) is due


def test_the_backoff_doubles_up_to_its_cap() -> None:
    """30 s, 60 s, 120 s, ... never more than the cap."""
    assert [push.backoff_ms(n, 30, 3600) // 1000 for n in (1, 2, 3, 4, 8, 60)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


def test_the_hub_app_pushes_a_month_the_moment_it_locks(
    site: Site, tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """The assembled hub (real broker, its own push thread) with a drop folder: nothing while the
    month is open; once the labor section's approval returns, the signed file and its signature
    appear in the folder without anyone asking, and `stop()` ends the thread."""
    (tmp_path / "hub.key").write_text(f"{keyfile.HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    drop = tmp_path / "drop"
    raw = {
        "site": "t",
        "broker": f"mqtt://127.0.0.1:{private_broker.port}",
        "database": f"sqlite:///{tmp_path / 'hub.db'}",
        "export": {"push": {"drop_folder": "drop"}},
    }
    app = HubApp(parse_config(raw, tmp_path), clock_ms=lambda: NOW_MS)
    try:
        app.start()
        assert app.pusher is not None
        assert app.services is not None
        desk = app.services.assessment
        desk.approve(LINE_L1, MONTH, "A1", override=MID_MONTH)
        desk.approve(HEAD_A1, MONTH, "A1", override=MID_MONTH)
        time.sleep(2.5)  # the worker looks every second
        assert not drop.exists()
        desk.approve(LABOR, MONTH, "A1", override=MID_MONTH)
        deadline = time.monotonic() + 30
        while not (drop / "labor-A1-2026-10.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        app.stop()
    data = (drop / "labor-A1-2026-10.csv").read_bytes()
    signature = (drop / "labor-A1-2026-10.csv.sig").read_bytes()
    assert export_signature.check(data, signature, HUB_KEY.public_key)[1] == []


def test_floorledger_verify_holds_after_a_push(
    site: Site, receivers: Callable[[int], Receiver], tmp_path: Path
) -> None:
    """The push's acts (a failed attempt, the delivery) are ordinary signed acts: `floorledger
    verify` with the hub's key still says the database holds."""
    receiver = receivers(1)
    config = export_config(tmp_path, url=receiver.url, ca_file=str(receiver.ca_file), retry_s=RETRY_S)
    clock = Clock()
    worker = pusher(site, config, clock)
    lock(site)
    worker.run_once()
    clock.advance(RETRY_S)
    worker.run_once()
    assert [a["outcome"] for a in push_acts()] == ["failed", "delivered"]
    done = subprocess.run(
        [sys.executable, "-m", "floorledger", "verify", "--db", str(tmp_path / "hub.db"),
         "--hub-key-pub", HUB_KEY.public_key_b64],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture
def postgres() -> Iterator[pw.Database]:
    name = f"fl_push_{uuid.uuid4().hex[:12]}"
    admin = pw.PostgresqlDatabase("postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.connect()
    admin.connection().autocommit = True
    admin.execute_sql(f"CREATE DATABASE {name}")
    database = hubdb.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        yield database
    finally:
        database.close()
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.mark.postgres
def test_a_stored_delivery_goes_out_byte_for_byte_from_postgresql(
    postgres: pw.Database, tmp_path: Path
) -> None:
    """On PostgreSQL (bytea) the file and signature kept for a locked month reach the drop folder
    exactly as stored, and the delivery and its act are written."""
    prepare(postgres)
    book = Ledger(postgres, HUB_KEY, lambda: NOW_MS)
    approval = MonthApproval.create(
        month="2026-10",
        area="A1",
        stage="labor_section",
        approver="labor",
        rows_digest="0" * 64,
        approved_ms=NOW_MS,
    )
    data, signature = "罪犯编号,劳动分\r\n".encode("utf-8-sig"), b'{"format": "x"}\n'
    digest = hashlib.sha256(data).hexdigest()
    ExportDelivery.create(
        month="2026-10", area="A1", target="folder", approval=approval.id, file_name="labor-A1-2026-10.csv",
        sha256=digest, idempotency_key=f"floorledger:2026-10:A1:{digest}", data=data, signature=signature,
        next_ms=NOW_MS, created_ms=NOW_MS,
    )  # fmt: skip
    config = export_config(tmp_path, drop_folder=str(tmp_path / "drop"))
    worker = push.Pusher(
        postgres, assessment=Assessment(postgres, record_act=None, today=lambda: MONTH.last_day,
                                        clock_ms=lambda: NOW_MS),
        signer=HUB_KEY, config=config, record_act=book.record_act, clock_ms=lambda: NOW_MS, zone=ZONE,
    )  # fmt: skip
    assert worker.deliver() == 1
    assert (tmp_path / "drop" / "labor-A1-2026-10.csv").read_bytes() == data
    assert (tmp_path / "drop" / "labor-A1-2026-10.csv.sig").read_bytes() == signature
    assert [d.state for d in push.deliveries(MONTH, "A1")] == [DELIVERED]
    assert [a["outcome"] for a in push_acts()] == ["delivered"]


@pytest.mark.parametrize("content", [None, "not a certificate"])
def test_a_ca_file_that_cannot_be_used_stops_the_start_naming_it(
    site: Site, tmp_path: Path, content: str | None
) -> None:
    """A missing or unreadable `export.push.ca_file` is a config error naming the key, not a
    traceback and not a push that fails for ever."""
    ca = tmp_path / "ca.pem"
    if content is not None:
        ca.write_text(content, encoding="ascii")
    config = export_config(tmp_path, url="https://127.0.0.1:9/import", ca_file=str(ca))
    with pytest.raises(ConfigError) as err:
        pusher(site, config, Clock())
    assert "export.push.ca_file" in str(err.value)


def test_verify_holds_a_delivery_row_to_its_signed_push_acts(site: Site, tmp_path: Path) -> None:
    """A delivery row edited in SQL is reported by `floorledger verify`'s ledger section: a failing
    push marked delivered (which would stop the retries and hide it from the queue), its attempts
    changed, and its file's bytes changed; the untouched row verifies."""
    (tmp_path / "a-file").write_text("not a folder")
    config = export_config(tmp_path, drop_folder=str(tmp_path / "a-file" / "drop"))
    worker = pusher(site, config, Clock())
    lock(site)
    worker.run_once()  # the folder cannot be written: one failed attempt
    [row] = list(ExportDelivery.select())
    assert (row.state, row.attempts) == ("failing", 1)
    key = Verifier(HUB_KEY.public_key, hub=True)

    def findings() -> list[str]:
        report = verify_database(site.db, key, workers=1, results=False)
        return [str(f) for f in report.sections[0].findings]

    assert findings() == []
    ExportDelivery.update(state="delivered", attempts=2).where(ExportDelivery.id == row.id).execute()
    where = f"delivery id={row.id} ({row.file_name})"
    assert findings() == [
        f"{where}: state is delivered but the hub's signed push acts say failing",
        f"{where}: 2 attempt(s) but the signed push acts record 1",
    ]
    ExportDelivery.update(state="failing", attempts=1, data=bytes(row.data) + b"x").where(
        ExportDelivery.id == row.id
    ).execute()
    assert findings() == [f"{where}: the file does not match its SHA-256 or its hub signature fails"]
