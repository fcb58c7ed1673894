"""`HubApp`: assembles the hub. Ordered start, reverse stop.

Start: config -> hub key -> database (migrated to the code's schema, every table bound) -> the
services (`build_services`: ledger, checkpoints, master data, results, enrollment, corrections,
assessment) -> results worker -> MQTT client with the ingest's subscriptions (results hook wired) ->
plan publisher (master-data and results changes wired to it) -> daily ticker (new day: quotas, plans,
checkpoint) -> push worker (locked months to the scoring database, when `[export.push]` is set) ->
web pages. The export's column mapping is checked first of all, so a bad one stops the start.
`stop()` undoes it in reverse; the web server itself is run by `run()`
(NiceGUI) and calls `stop()` on shutdown.

This module is the only place the hub's services are built; pages and commands get them from here.

Pages: everything in `HubApp.pages` is called with the app before the web server starts. The
command line passes the dashboard and wall boards of `hub.web` (`hub.web.app_pages`); the web layer
sits above this module, so it is handed in rather than imported here.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw

from floorledger import keyfile
from hub.config import HubConfig
from hub.engine.model import Month
from hub.kiosks import plans as pl
from hub.kiosks import status as kiosk_status
from hub.kiosks.capture import KioskCapture
from hub.kiosks.enrollment import Enrollment
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.ledger.checkpoints import CheckpointLog, log_size
from hub.ledger.entries import Ledger
from hub.lifecycle import unwind
from hub.masterdata import service as md
from hub.masterdata.acts import RecordAct
from hub.results import worker as rs
from hub.review import exports, lock
from hub.review import push as pu
from hub.review.capture import Capture
from hub.review.corrections import Corrections
from hub.review.late import LateEntries
from hub.review.month_publication import DEFAULT_MONTH_PUBLISH_DAYS
from hub.review.monthly import Assessment
from hub.store import inuse
from hub.store.schema import open_database
from protocol.signing import Signer
from protocol.topics import Topics

log = logging.getLogger(__name__)

PageRegistrar = Callable[["HubApp"], None]
PLAN_REPUBLISH_S = 300.0
MONTH_ANSWERS = frozenset({"month_confirm", "month_review"})  # kiosk records the plans report back


def _record_type(record: Any) -> str | None:
    """The type of a committed record as the ingest hands it over (a stored row or a signed record)."""
    inner = getattr(record, "record", None)
    return getattr(inner if inner is not None else record, "type", None)


CHECKPOINT_ATTEMPTS = 5


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """The hub's domain services over one database, built once by `build_services`."""

    ledger: Ledger
    checkpoints: CheckpointLog
    masterdata: md.MasterData
    results: rs.Results
    enrollment: Enrollment
    corrections: Corrections
    assessment: Assessment
    capture: Capture
    kiosk_capture: KioskCapture


def build_services(
    db: pw.Database,
    signer: Signer,
    config: HubConfig,
    *,
    clock_ms: Callable[[], int],
    today: Callable[[], date],
    reload_keys: Callable[[], None] = lambda: None,
    on_answer: Callable[[str], object] | None = None,
) -> Services:
    """Every service of the hub over `db` (bound and migrated): built here and nowhere else.

    `reload_keys` tells the ingest that a kiosk key changed; `on_answer(line)` runs after a rejected
    dispute (the app republishes the line's plan). Nothing is started: the results worker's thread is
    the app's to start.
    """
    ledger = Ledger(db, signer, clock_ms)
    results = rs.Results(db, today=today, clock_ms=clock_ms)
    return Services(
        ledger=ledger,
        checkpoints=checkpoint_log(db, signer, clock_ms=clock_ms, site=config.site),
        masterdata=masterdata_service(db, record_act=ledger.record_act, clock_ms=clock_ms),
        results=results,
        enrollment=Enrollment(db, ledger, clock_ms, reload_keys),
        corrections=corrections_service(
            db,
            ledger,
            today=today,
            clock_ms=clock_ms,
            window_days=config.correction_window_days,
            on_applied=results.request_day,
            on_answer=on_answer,
        ),
        assessment=assessment_service(
            db,
            record_act=ledger.record_act,
            today=today,
            clock_ms=clock_ms,
            month_publish_days=config.month_publish_days,
        ),
        capture=Capture(db, ledger, today=today, clock_ms=clock_ms, on_applied=results.request_day),
        # the kiosk's grades and rejects: applied inside ingest's transaction; the results worker
        # recomputes their days from the committed records
        kiosk_capture=KioskCapture(Capture(db, ledger, today=today, clock_ms=clock_ms)),
    )


# The single services, for a page mounted without the running hub (a test, a tool): the same wiring
# as `build_services`, so nothing outside this module decides how a service is put together.


def checkpoint_log(
    db: pw.Database, signer: Signer, *, clock_ms: Callable[[], int], site: str
) -> CheckpointLog:
    return CheckpointLog(db, signer, clock_ms, site)


def masterdata_service(
    db: pw.Database, *, record_act: RecordAct | None = None, clock_ms: Callable[[], int] = now_ms
) -> md.MasterData:
    """Master data whose changes are ledgered through `record_act` and refused in a locked month."""
    return md.MasterData(db, month_locked=lock.month_locked(db), record_act=record_act, clock_ms=clock_ms)


def corrections_service(
    db: pw.Database,
    ledger: Ledger,
    *,
    today: Callable[[], date],
    clock_ms: Callable[[], int],
    window_days: int,
    on_applied: Callable[[date], object] | None = None,
    on_answer: Callable[[str], object] | None = None,
) -> Corrections:
    return Corrections(
        db,
        ledger,
        today=today,
        clock_ms=clock_ms,
        window_days=window_days,
        on_applied=on_applied,
        on_answer=on_answer,
    )


def late_entries_service(
    db: pw.Database,
    ledger: Ledger,
    *,
    today: Callable[[], date],
    clock_ms: Callable[[], int],
    zone: ZoneInfo,
    window_days: int,
    on_applied: Callable[[date], object] | None = None,
) -> LateEntries:
    """Late entries (补录): same window as the corrections, approvals recompute their days."""
    return LateEntries(
        db,
        ledger,
        today=today,
        clock_ms=clock_ms,
        zone=zone,
        window_days=window_days,
        on_applied=on_applied,
    )


def assessment_service(
    db: pw.Database,
    *,
    record_act: RecordAct | None,
    today: Callable[[], date],
    clock_ms: Callable[[], int],
    month_publish_days: int = DEFAULT_MONTH_PUBLISH_DAYS,
) -> Assessment:
    """The reviews; the area head's approval publishes the month for `month_publish_days` days."""
    assessment = Assessment(db, record_act=record_act, today=today, clock_ms=clock_ms)
    assessment.month_publish_days = month_publish_days
    return assessment


class HubApp:
    """The running hub; `start()`/`stop()` for everything but the web server, `run()` for all."""

    def __init__(
        self,
        config: HubConfig,
        *,
        clock_ms: Callable[[], int] = now_ms,
        pages: Sequence[PageRegistrar] = (),
    ) -> None:
        self.config = config
        self.clock_ms = clock_ms
        self.topics = Topics.for_site(config.site)
        self.pages: list[PageRegistrar] = list(pages)
        self.signer: Signer | None = None
        self.db: pw.Database | None = None
        self.services: Services | None = None
        self.ledger: Ledger | None = None
        self.results: rs.Results | None = None
        self.mqtt: HubMqtt | None = None
        self.ingest: Ingest | None = None
        self.masterdata: md.MasterData | None = None
        self.plans: pl.PlanPublisher | None = None
        self.enrollment: Enrollment | None = None
        self.checkpoints: CheckpointLog | None = None
        self.pusher: pu.Pusher | None = None
        # while the log grows, a checkpoint is signed and published this often (0: daily only)
        self.checkpoint_every_s = config.checkpoint_minutes * 60.0
        self.web_context: object = None  # the pages' context, set by the page registrar (tests read it)
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._plans_due = threading.Event()  # set by the ingest's thread, handled by the ticker
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
        config = self.config
        exports.layout(config.export)  # a bad column mapping stops the start with one line naming the key
        self.signer = keyfile.load(config.key_file)
        # held while the hub runs: `floorledger restore` and `hub upgrade` refuse this database meanwhile
        self._started.append(inuse.share(config.database).release)
        self.db = open_database(config.database, clock_ms=self.clock_ms)
        self._started.append(self._close_db)
        services = build_services(
            self.db,
            self.signer,
            config,
            clock_ms=self.clock_ms,
            today=self.today,
            reload_keys=self._reload_keys,
            on_answer=self.refresh_plan,
        )
        self.services = services
        self.ledger = services.ledger
        self.checkpoints = services.checkpoints
        self.masterdata = services.masterdata
        self.enrollment = services.enrollment
        self.results = services.results
        services.results.start()
        self._started.append(services.results.stop)

        status = self.topics.hub_status()
        # the status topic says `online` on every (re)connect and `offline` as the last will and at stop
        mqtt = HubMqtt(config.broker_config, client_id=f"hub-{config.site}", status_topic=status)
        self.mqtt = mqtt
        self.ingest = Ingest(
            self.db,
            mqtt,
            self.topics,
            config.site,
            self.signer,
            on_committed=self._on_committed,
            shared=config.broker_config.mqtt5,  # an MQTT 3.1.1 broker has no shared subscriptions
            apply=services.kiosk_capture.apply,  # kiosk grades and rejects (rule book v2)
        )
        self.ingest.start()  # subscriptions first, so the first connect makes them
        self._started.append(self.ingest.stop)
        mqtt.subscribe(self.topics.all_statuses(), kiosk_status.on_status)  # floor page only
        mqtt.start()
        self._started.append(mqtt.stop)
        if not mqtt.wait_ready(10):
            log.warning("broker %s not reachable yet; the hub keeps trying", config.broker_config.url)

        def publish_retained(topic: str, frame: bytes) -> None:
            mqtt.publish(topic, frame, retain=True)

        self.plans = pl.PlanPublisher(
            self.db,
            hub=config.site,
            signer=self.signer,
            topics=self.topics,
            publish=publish_retained,
            today=self.today,
            clock_ms=self.clock_ms,
        )
        services.masterdata.on_change(services.results.on_master_change)
        services.masterdata.on_change(self.plans.on_master_change)
        services.results.on_change(self.plans.on_results)
        # a publication, its withdrawal or an answer to a review request: the inmates see it at the kiosk
        services.assessment.on_change = self.plans.refresh
        self.publish_checkpoint()
        services.results.request_month(Month.of(self.today()))  # also what other processes committed
        self.plans.refresh(force=True)

        self._stopping.clear()
        self._ticker = threading.Thread(target=self._tick, name="hub-ticker", daemon=True)
        self._ticker.start()
        self._started.append(self._stop_ticker)
        if config.export.push.enabled:
            # its own thread: a lock only writes its rows, the network never holds it up
            self.pusher = pu.Pusher(
                self.db,
                assessment=services.assessment,
                signer=self.signer,
                config=config.export,
                record_act=services.ledger.record_act,
                clock_ms=self.clock_ms,
                zone=config.zone,
            )
            self.pusher.start()
            self._started.append(self.pusher.stop)
        log.info(
            "hub %s started (database %s, broker %s)", config.site, _redact(config.database), config.broker
        )

    def stop(self) -> None:
        """Stop in reverse order of start; safe to call twice or after a failed start."""
        unwind(self._started, "the hub")

    def _reload_keys(self) -> None:
        """An enrolled or revoked kiosk key: the ingest rereads the keys (none before it started)."""
        if self.ingest is not None:
            self.ingest.reload_keys()

    def _on_committed(self, records: Sequence[Any]) -> None:
        """Ingest's hook (its thread, never blocking): results recompute; an inmate's confirmation or
        review request of his month changes what the plans tell him, so the ticker republishes them."""
        assert self.results is not None
        self.results.on_committed(records)
        if any(_record_type(r) in MONTH_ANSWERS for r in records):
            self._plans_due.set()

    def refresh_plan(self, line: str) -> None:
        """Republish one line's plan now (a dispute answer changes its notice)."""
        if self.plans is not None:
            self.plans.refresh([line], force=True)

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
        last_plans = last_checkpoint = time.monotonic()
        while not self._stopping.wait(1.0):
            try:
                today = self.today()
                if self._plans_due.is_set():  # a month's confirmation or review request came in
                    self._plans_due.clear()
                    assert self.plans is not None
                    self.plans.refresh()
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
                    last_checkpoint = time.monotonic()
                elif (
                    self.checkpoint_every_s and time.monotonic() - last_checkpoint >= self.checkpoint_every_s
                ):
                    # kiosks witness what is published: a recent checkpoint outside the hub is
                    # what makes a rewind of the last hours visible (docs/audit.md section 3)
                    last_checkpoint = time.monotonic()
                    if self._log_grew():
                        self.publish_checkpoint()
            except Exception:  # the ticker must outlive a bad moment of the database
                log.exception("daily tick failed")
            finally:
                if self.db is not None:
                    self.db.close()

    def _log_grew(self) -> bool:
        """Whether a row is not covered by the latest checkpoint yet (then a new one says more)."""
        assert self.checkpoints is not None
        latest = self.checkpoints.latest()
        return latest is None or self.checkpoints.extend() > 0 or latest.tree_size < log_size()

    def publish_checkpoint(self) -> None:
        """Extend the Merkle log, sign a checkpoint and publish it retained: daily, and on demand
        (the dashboard may call this). A busy database is retried a few times."""
        assert self.checkpoints is not None, "publish_checkpoint after start()"
        assert self.mqtt is not None, "publish_checkpoint after start()"
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
        from nicegui import app, ui  # optional here: the web server is loaded only by a hub that serves

        self.start()
        try:
            for register in self.pages:
                register(self)
        except BaseException:
            self.stop()
            raise
        app.on_shutdown(self.stop)
        web = self.config.web
        # HTTPS: uvicorn serves TLS only on this port; a plain-HTTP request there gets no page at all
        tls: dict[str, Any] = {}
        if web.https:
            tls = {"ssl_certfile": str(web.cert_file), "ssl_keyfile": str(web.key_file)}
        if not web.https and web.host not in LOOPBACK:
            log.warning(
                "the dashboard is served over plain HTTP on %s: passwords cross the network in clear; "
                "set web.cert_file and web.key_file (docs/hub.md)",
                web.host,
            )
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
            **tls,
        )

    def storage_secret(self) -> str:
        """Session cookie secret derived from the hub key: stable across restarts, never stored."""
        assert self.signer is not None
        return hashlib.sha256(b"floorledger-web-session:" + self.signer.seed).hexdigest()


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
