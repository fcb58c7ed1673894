"""`HubApp`: assembles the hub. Ordered start, reverse stop.

Start: config -> hub key -> database (every table bound) -> ledger -> results worker -> MQTT client
with the ingest's subscriptions (results hook wired) -> master data (changes ledgered, results and
plans refreshed) -> plan publisher -> daily ticker (new day: quotas, plans, checkpoint) -> web pages.
`stop()` undoes it in reverse; the web server itself is run by `run()` (NiceGUI) and calls `stop()`
on shutdown.

Pages: everything in `HubApp.pages` is called with the app before the web server starts. By default
that is the dashboard and wall boards of `hub.web` (`register_pages(WebContext)`); a deployment or a
test may replace or extend the list.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import peewee as pw

from floorledger.base import keyfile
from hub.config import HubConfig
from hub.engine.model import Month
from hub.kiosks import plans as pl
from hub.masterdata import queries as md_queries
from hub.masterdata import service as md
from hub.results import worker as rs
from hub.review import lock
from hub.store import db as hubdb
from hub.store import kiosks as models
from protocol.signing import Signer
from protocol.topics import Topics

log = logging.getLogger(__name__)

PageRegistrar = Callable[["HubApp"], None]
PLAN_REPUBLISH_S = 300.0
CHECKPOINT_ATTEMPTS = 5


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def unwind(started: list[Callable[[], None]], what: str) -> None:
    """Undo what started, last first; a failing step is logged and the rest still run."""
    while started:
        step = started.pop()
        try:
            step()
        except Exception:  # keep stopping the rest
            log.exception("stopping %s: a step failed", what)


def bind_all(db: pw.Database) -> None:
    """Bind and create every hub table this app uses (idempotent: `floorledger hub init` calls it too)."""
    from hub.kiosks import enrollment
    from hub.kiosks import status as kiosk_status
    from hub.ledger import checkpoints
    from hub.ledger import entries as ledger
    from hub.review import exports
    from hub.review import monthly as assessment

    hubdb.bind(db, models.MODELS)
    md_queries.bind(db)
    rs.bind(db)
    hubdb.bind(db, pl.MODELS)
    ledger.bind(db)
    checkpoints.bind(db)
    enrollment.bind(db)
    assessment.bind(db)
    exports.bind(db)
    kiosk_status.bind(db)


def web_pages(app: HubApp) -> None:
    """The dashboard and wall boards of `hub.web` (the default entry of `HubApp.pages`)."""
    from hub.web import WebContext, register_pages
    from hub.web.board.model import BoardSettings, Privacy
    from hub.web.review.assessment import board_published

    settings = BoardSettings(
        privacy=Privacy(app.config.board.privacy), seconds_per_page=app.config.board.seconds_per_page
    )
    assert app.db is not None, "pages are registered after start()"
    context = WebContext(
        db=app.db,
        site=app.config.site,
        timezone=app.config.timezone,
        board_settings=settings,
        results=app.results,
        ledger=app.ledger,
        enrollment=app.enrollment,
        config=app.config,
        clock=app.clock_ms,
        # The board is marked stale while the hub cannot hear the kiosks (broker lost).
        live=lambda: app.mqtt is not None and app.mqtt.connected,
        masterdata=app.masterdata,
        published=board_published(app.db),  # weekly reviews published to the boards (公示)
        refresh_plan=lambda line: app.plans.refresh([line], force=True) if app.plans is not None else None,
    )
    app.web_context = context
    register_pages(context)


class HubApp:
    """The running hub; `start()`/`stop()` for everything but the web server, `run()` for all."""

    def __init__(self, config: HubConfig, *, clock_ms: Callable[[], int] = now_ms) -> None:
        self.config = config
        self.clock_ms = clock_ms
        self.topics = Topics.for_site(config.site)
        self.pages: list[PageRegistrar] = [web_pages]
        self.signer: Signer | None = None
        self.db: pw.Database | None = None
        self.ledger: Any = None
        self.results: rs.Results | None = None
        self.mqtt: Any = None
        self.ingest: Any = None
        self.masterdata: md.MasterData | None = None
        self.plans: pl.PlanPublisher | None = None
        self.enrollment: Any = None
        self.checkpoints: Any = None
        self.web_context: Any = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._started: list[Callable[[], None]] = []

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock_ms() / 1000, self.config.zone).date()

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start everything but the web server, in dependency order; on failure, undo what started."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        from hub.kiosks import status as kiosk_status
        from hub.kiosks.enrollment import Enrollment
        from hub.kiosks.ingest import Ingest
        from hub.kiosks.mqtt import HubMqtt
        from hub.ledger.checkpoints import CheckpointLog
        from hub.ledger.entries import Ledger

        config = self.config
        self.signer = keyfile.load(config.key_file)
        self.db = hubdb.connect(config.database)
        self._started.append(self._close_db)
        bind_all(self.db)
        self.ledger = Ledger(self.db, self.signer, self.clock_ms)
        self.checkpoints = CheckpointLog(self.db, self.signer, self.clock_ms, config.site)

        self.results = rs.Results(self.db, today=self.today, clock_ms=self.clock_ms)
        self.results.start()
        self._started.append(self.results.stop)

        status = self.topics.hub_status()
        # the status topic says `online` on every (re)connect and `offline` as the last will and at stop
        self.mqtt = HubMqtt(config.broker_config, client_id=f"hub-{config.site}", status_topic=status)
        self.ingest = Ingest(
            self.db,
            self.mqtt,
            self.topics,
            config.site,
            self.signer,
            on_committed=self.results.on_committed,
            shared=config.broker_config.mqtt5,  # an MQTT 3.1.1 broker has no shared subscriptions
        )
        self.ingest.start()  # subscriptions first, so the first connect makes them
        self._started.append(self.ingest.stop)
        self.mqtt.subscribe(self.topics.all_statuses(), kiosk_status.on_status)  # floor page only
        self.mqtt.start()
        self._started.append(self.mqtt.stop)
        if not self.mqtt.wait_ready(10):
            log.warning("broker %s not reachable yet; the hub keeps trying", config.broker_config.url)
        self.enrollment = Enrollment(self.db, self.ledger, self.clock_ms, self.ingest.reload_keys)

        self.plans = pl.PlanPublisher(
            self.db,
            hub=config.site,
            signer=self.signer,
            topics=self.topics,
            publish=lambda topic, frame: self.mqtt.publish(topic, frame, retain=True),
            today=self.today,
            clock_ms=self.clock_ms,
        )
        db = self.db
        self.masterdata = md.MasterData(
            db,
            month_locked=lambda month, area: lock.is_locked(db, month, area),
            record_act=self.ledger.record_act,
            clock_ms=self.clock_ms,
        )
        self.masterdata.on_change(self.results.on_master_change)
        self.masterdata.on_change(self.plans.on_master_change)
        self.results.on_change(self.plans.on_results)
        self.publish_checkpoint()
        self.results.request_month(Month.of(self.today()))  # also what other processes committed
        self.plans.refresh(force=True)

        self._stopping.clear()
        self._ticker = threading.Thread(target=self._tick, name="hub-ticker", daemon=True)
        self._ticker.start()
        self._started.append(self._stop_ticker)
        log.info(
            "hub %s started (database %s, broker %s)", config.site, _redact(config.database), config.broker
        )

    def stop(self) -> None:
        """Stop in reverse order of start; safe to call twice or after a failed start."""
        unwind(self._started, "the hub")

    def _close_db(self) -> None:
        if self.db is not None:
            self.db.close()

    def _stop_ticker(self) -> None:
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join(5)
            self._ticker = None

    # --- the day's rhythm -------------------------------------------------------------------------

    def _tick(self) -> None:
        """A new local day: today's quotas, fresh plans and the daily checkpoint; plans are also
        republished every PLAN_REPUBLISH_S (a restarted broker without persistence forgets them)."""
        day = self.today()
        last_plans = time.monotonic()
        while not self._stopping.wait(1.0):
            try:
                today = self.today()
                if time.monotonic() - last_plans >= PLAN_REPUBLISH_S:
                    # retained plans live only in the broker's memory; kiosks also get the hub's time
                    last_plans = time.monotonic()
                    assert self.plans is not None
                    self.plans.refresh(force=True)
                if today != day:
                    day = today
                    assert self.results is not None
                    assert self.plans is not None
                    self.results.request_day(today)
                    self.plans.refresh(force=True)
                    self.publish_checkpoint()
            except Exception:  # the ticker must outlive a bad moment of the database
                log.exception("daily tick failed")
            finally:
                if self.db is not None:
                    self.db.close()

    def publish_checkpoint(self) -> None:
        """Extend the Merkle log, sign a checkpoint and publish it retained: daily, and on demand
        (the dashboard may call this). A busy database is retried a few times."""
        frame = None
        for attempt in range(1, CHECKPOINT_ATTEMPTS + 1):
            try:
                self.checkpoints.extend()
                self.checkpoints.make_checkpoint()
                frame = self.checkpoints.checkpoint_frame()
                break
            except pw.OperationalError as err:  # e.g. SQLite "database is locked" under a concurrent writer
                log.warning("checkpoint attempt %d failed: %s", attempt, err)
                time.sleep(0.2 * attempt)
            except Exception:  # a checkpoint can wait for the next day or an officer's request
                log.exception("could not make a checkpoint")
                return
        if frame is None:
            log.error(
                "no checkpoint made after %d attempts; the next day or an officer will retry",
                CHECKPOINT_ATTEMPTS,
            )
            return
        self.mqtt.publish(self.topics.checkpoint(), frame, retain=True)

    # --- web ----------------------------------------------------------------------------------------

    def run(self) -> None:
        """Start, serve the web pages until interrupted, then stop everything."""
        from nicegui import app, ui

        self.start()
        try:
            for register in self.pages:
                register(self)
        except BaseException:
            self.stop()
            raise
        app.on_shutdown(self.stop)
        ui.run(
            host=self.config.web.host,
            port=self.config.web.port,
            title=f"FloorLedger {self.config.site}",
            language="zh-CN",
            reload=False,
            show=False,
            favicon="🏭",
            show_welcome_message=False,
            uvicorn_logging_level="warning",
            storage_secret=self.storage_secret(),
        )

    def storage_secret(self) -> str:
        """Session cookie secret derived from the hub key: stable across restarts, never stored."""
        assert self.signer is not None
        return hashlib.sha256(b"floorledger-web-session:" + self.signer.seed).hexdigest()


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
