"""`IngestWorker`: a process that only ingests, sharing the records subscription with the hub.

`floorledger hub ingest --config hub.toml` runs one; start as many as the load needs beside the one
`floorledger hub`. Each worker verifies, stores, commits and acks exactly like the hub's own ingest
(same key, same database, `$share` subscription, so the broker hands each batch to one of them and
the database keeps each kiosk's order). Results, plans, checkpoints and pages stay with the hub,
whose results worker follows the kiosks' heads in the database and so folds in what a worker
committed within half a second. A worker says nothing on the hub's status topic: `online`/`offline`
there is the hub's, and kiosks resend on it.

Start: hub key -> database (tables bound) -> MQTT client with the ingest's subscriptions.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime

import peewee as pw

from floorledger import keyfile
from hub.config import HubConfig
from hub.errors import HubError
from hub.kiosks import texts
from hub.kiosks.capture import KioskCapture
from hub.kiosks.ingest import Ingest, wall_ms
from hub.kiosks.mqtt import HubMqtt
from hub.ledger.entries import Ledger
from hub.lifecycle import unwind
from hub.review.capture import Capture
from hub.store import inuse
from hub.store.schema import open_database
from protocol.topics import Topics

log = logging.getLogger(__name__)
texts.register()


class IngestWorker:
    """`start()` / `stop()`; `stop()` is safe after a failed start and when called twice."""

    def __init__(self, config: HubConfig, *, name: str | None = None) -> None:
        self.config = config
        self.name = name or f"ingest-{uuid.uuid4().hex[:6]}"
        self.topics = Topics.for_site(config.site)
        self.db: pw.Database | None = None
        self.mqtt: HubMqtt | None = None
        self.ingest: Ingest | None = None
        self._started: list[Callable[[], None]] = []

    def start(self, ready_timeout_s: float = 10.0) -> bool:
        """Start; True once the broker has granted the subscriptions (else it keeps trying)."""
        if not self.config.broker_config.mqtt5:
            raise HubError("kiosks.worker.needs_mqtt5")
        try:
            signer = keyfile.load(self.config.key_file)
            self._started.append(inuse.share(self.config.database).release)  # see hub.store.inuse
            self.db = open_database(self.config.database)
            self._started.append(self._close_db)
            self.mqtt = HubMqtt(self.config.broker_config, client_id=f"hub-{self.config.site}-{self.name}")
            # a worker applies kiosk grades and rejects like the hub (its results worker recomputes)
            capture = Capture(self.db, Ledger(self.db, signer, wall_ms), today=self._today, clock_ms=wall_ms)
            self.ingest = Ingest(
                self.db,
                self.mqtt,
                self.topics,
                self.config.site,
                signer,
                apply=KioskCapture(capture).apply,
            )
            self.ingest.start()
            self._started.append(self.ingest.stop)
            self.mqtt.start()
            self._started.append(self.mqtt.stop)
        except BaseException:
            self.stop()
            raise
        ready = self.mqtt.wait_ready(ready_timeout_s)
        if ready:
            log.info("ingest worker %s of hub %s ready", self.name, self.config.site)
        else:
            log.warning("broker %s not reachable yet; worker %s keeps trying", self.config.broker, self.name)
        return ready

    def _today(self) -> date:
        return datetime.fromtimestamp(wall_ms() / 1000, self.config.zone).date()

    def _close_db(self) -> None:
        if self.db is not None:
            self.db.close()

    def stop(self) -> None:
        unwind(self._started, f"ingest worker {self.name}")
