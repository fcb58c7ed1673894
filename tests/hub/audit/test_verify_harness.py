"""A real hub for the trust-layer tests: a database (SQLite file or a fresh PostgreSQL database),
the hub key, the ledger and enrollment, and the real ingest with a real MQTT client for its acks.

Kiosks here sign records with the real protocol code; their hellos and batches go through the
ingest's own handlers (`handle_hello`, `handle_records`), the same code the broker's messages reach.
The test at the bottom checks the harness itself stores what it is given.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import peewee
import psycopg2
import pytest

from floorledger.base.mqtt_url import BrokerConfig
from hub.kiosks import enrollment
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.ledger import checkpoints
from hub.ledger import entries as ledger
from hub.store import db as hub_db
from hub.store import kiosks as models
from hub.store.schema import prepare
from protocol import batch
from protocol.messages import Hello, seal
from protocol.records import GENESIS_HASH, Record, SignedRecord, UnitCount, sign_record
from protocol.signing import Signer
from protocol.topics import Topics

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
HUB_SEED = bytes(range(32))
START_MS = 1_791_190_800_000


class FakeClock:
    """Hub time that moves one second per reading, so every act has its own timestamp."""

    def __init__(self, start: int = START_MS) -> None:
        self.ms = start

    def __call__(self) -> int:
        self.ms += 1000
        return self.ms


@contextmanager
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'hub.db'}"


@contextmanager
def postgres_url() -> Iterator[str]:
    """A database of the test's own on the machine's PostgreSQL, dropped afterwards."""
    name = f"fl_trust_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**PG_ADMIN)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    with sqlite_url(tmp_path) if kind == "sqlite" else postgres_url() as url:
        yield url


@dataclass
class KioskSim:
    """A kiosk as far as the hub can tell: its key, its chain, its hello and its batches."""

    hub: TrustHub
    id: str
    signer: Signer
    seq: int = 0
    prev: str = GENESIS_HASH
    sent: list[SignedRecord] = field(default_factory=list)

    def hello(self) -> None:
        frame = seal(
            Hello(kiosk=self.id, public_key=self.signer.public_key, boot="b1", wall_ms=START_MS), self.signer
        )
        self.hub.ingest.handle_hello(self.hub.topics.hello(self.id), frame)

    def make(self, n: int, *, person: str = "P1001", units: int = 10) -> list[SignedRecord]:
        out = []
        for _ in range(n):
            self.seq += 1
            body = UnitCount(
                person=person,
                line="L1",
                day="2026-10-05",
                product="SHIRT",
                step="S3",
                units=units,
                source="manual",
            )
            record = Record(
                kiosk=self.id,
                seq=self.seq,
                prev=self.prev,
                boot="b1",
                wall_ms=START_MS + self.seq,
                mono_ms=self.seq,
                body=body,
            )
            signed = sign_record(record, self.signer)
            self.prev = signed.hash
            out.append(signed)
        return out

    def send(self, records: list[SignedRecord]) -> None:
        result = self.hub.ingest.handle_records(
            self.hub.topics.records(self.id), batch.pack(r.frame for r in records)
        )
        assert result is not None, "ingest acknowledged nothing"
        assert result.head.seq == records[-1].record.seq, "ingest did not store the whole batch"
        self.sent.extend(records)


@dataclass
class TrustHub:
    url: str
    db: peewee.Database
    key: Signer
    clock: FakeClock
    topics: Topics
    mqtt: HubMqtt
    ingest: Ingest
    ledger: ledger.Ledger
    enrollment: enrollment.Enrollment
    log: checkpoints.CheckpointLog

    def enrolled_kiosk(
        self, kiosk: str, seed_byte: int, *, officer: str = "OFF1", line: str = "L1"
    ) -> KioskSim:
        sim = KioskSim(self, kiosk, Signer(bytes([seed_byte]) * 32))
        sim.hello()
        self.enrollment.enroll(officer, kiosk, sim.signer.fingerprint, line)
        return sim


@contextmanager
def trust_hub(url: str, broker_url: str) -> Iterator[TrustHub]:
    db = hub_db.connect(url)
    prepare(db)
    key = Signer(HUB_SEED)
    clock = FakeClock()
    topics = Topics.for_site(f"trust{uuid.uuid4().hex[:8]}")
    mqtt = HubMqtt(BrokerConfig.from_url(broker_url))
    mqtt.start()
    try:
        assert mqtt.wait_ready(10), "hub MQTT client did not connect"
        ingest = Ingest(db, mqtt, topics, "HUB", key, shared=False, clock_ms=clock)
        ingest.reload_keys()
        book = ledger.Ledger(db, key, clock)
        enroll = enrollment.Enrollment(db, book, clock, ingest.reload_keys)
        log = checkpoints.CheckpointLog(db, key, clock, "HUB")
        yield TrustHub(url, db, key, clock, topics, mqtt, ingest, book, enroll, log)
    finally:
        mqtt.stop()
        db.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_verify_harness_stores_signed_records_through_ingest(
    kind: str, tmp_path: Path, machine_broker
) -> None:
    """The harness's kiosk records reach the database through the real ingest, frames verbatim."""
    with database_url(kind, tmp_path) as url, trust_hub(url, machine_broker.url) as hub:
        kiosk = hub.enrolled_kiosk("K01", 3)
        kiosk.send(kiosk.make(5))
        with hub.db.connection_context():
            rows = list(models.KioskRecord.select().order_by(models.KioskRecord.seq))
            head = models.Kiosk.get_by_id("K01")
        assert [bytes(r.frame) for r in rows] == [s.frame for s in kiosk.sent]
        assert (head.head_seq, head.head_hash) == (5, kiosk.sent[-1].hash)
