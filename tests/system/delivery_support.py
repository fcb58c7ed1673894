"""Shared parts of the delivery tests: hub databases on SQLite and PostgreSQL, a hub in-process,
enrollment rows, kiosk stores and record bodies. Everything here is real: files, servers, brokers."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee as pw
import psycopg2

from floorledger.base.mqtt_url import BrokerConfig
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.schema import prepare
from kiosk.clock import KioskClock
from kiosk.store import KioskStore
from protocol.records import GENESIS_HASH, UnitCount
from protocol.signing import Signer
from protocol.topics import Topics

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
DATABASE_KINDS = ("sqlite", "postgresql")


@contextlib.contextmanager
def hub_database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty hub database of `kind` for one test: a SQLite file, or a PostgreSQL schema of
    its own in the `test` database, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    name = f"fl_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE SCHEMA {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/test?schema={name}"
    finally:
        _pg_admin(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def _pg_admin(sql: str) -> None:
    conn = psycopg2.connect(**PG_ADMIN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def open_hub_db(url: str) -> pw.Database:
    db = hubdb.connect(url)
    prepare(db)
    return db


def enroll(db: pw.Database, kiosk_id: str, public_key: bytes, line: str = "L1") -> None:
    """What hub.kiosks.enrollment does in the end: a Kiosk row with the key and an empty chain head."""
    with db.connection_context():
        Kiosk.insert(
            id=kiosk_id,
            public_key=public_key,
            line=line,
            status="enrolled",
            head_seq=0,
            head_hash=GENESIS_HASH,
            enrolled_ms=0,
        ).execute()


def stored_seqs(db: pw.Database, kiosk_id: str) -> list[int]:
    with db.connection_context():
        return [
            int(s)
            for (s,) in KioskRecord.select(KioskRecord.seq)
            .where(KioskRecord.kiosk == kiosk_id)
            .order_by(KioskRecord.id)
            .tuples()
        ]


def head_of(db: pw.Database, kiosk_id: str) -> tuple[int, str]:
    with db.connection_context():
        row = Kiosk.get_by_id(kiosk_id)
        return int(row.head_seq), str(row.head_hash)


def body(i: int, day: str = "2026-10-05") -> UnitCount:
    return UnitCount(
        person="P1", line="L1", day=day, product="SHIRT", step="S1", units=i % 1000, source="manual"
    )


def new_store(path: Path, kiosk_id: str = "K1", signer: Signer | None = None) -> KioskStore:
    return KioskStore(path, kiosk_id, signer or Signer.generate(), KioskClock())


class HubRunner:
    """The real hub ingest in this process: its own database connection, HubMqtt and Ingest."""

    def __init__(
        self,
        url: str | pw.Database,
        broker_url: str,
        topics: Topics,
        hub_signer: Signer,
        **ingest_args: object,
    ):
        # Workers in one process share one Database object (the models are bound to it); each
        # worker's network thread still has its own connection.
        self._own_db = isinstance(url, str)
        self.db = open_hub_db(url) if isinstance(url, str) else url
        self.mqtt = HubMqtt(
            BrokerConfig.from_url(broker_url),
            status_topic=topics.hub_status(),
            reconnect_min_s=0.2,
            reconnect_max_s=1,
        )
        self.ingest = Ingest(self.db, self.mqtt, topics, "HUB", hub_signer, **ingest_args)  # type: ignore[arg-type]

    def start(self) -> HubRunner:
        self.ingest.start()
        self.mqtt.start()
        assert self.mqtt.wait_ready(10), "hub did not connect and subscribe"
        return self

    def stop(self) -> None:
        self.mqtt.stop()
        self.ingest.stop()
        if self._own_db:
            self.db.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def python_process(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A helper script of tests/system in its own interpreter (so it can be killed with -9)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "system" / script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=full_env,
    )


class AckWatcher:
    """A plain MQTT client that collects the hub's acks for one kiosk, verified with the hub key."""

    def __init__(self, host: str, port: int, topics: Topics, kiosk_id: str, hub_key: bytes) -> None:
        import queue

        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from protocol.messages import Ack, open_frame
        from protocol.signing import Verifier

        self.acks: queue.Queue[Ack] = queue.Queue()
        verifier = Verifier(hub_key)
        ready = queue.Queue[bool]()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"watch-{uuid.uuid4().hex[:8]}")
        self._client.on_message = lambda c, u, m: self.acks.put(open_frame(m.payload, verifier, Ack))
        self._client.on_subscribe = lambda c, u, mid, codes, props: ready.put(True)
        self._client.on_connect = lambda c, u, f, rc, p: c.subscribe(topics.ack(kiosk_id), qos=1)
        self._client.connect(host, port)
        self._client.loop_start()
        ready.get(timeout=10)

    def next(self, timeout: float = 10.0) -> object:
        return self.acks.get(timeout=timeout)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
