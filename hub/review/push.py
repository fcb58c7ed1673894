"""The push (推送): each locked month goes to the scoring database by itself, signed.

When the labor section's approval locks an area's month (`hub.review.lock`), or from a configured
day of the next month on (`[export.push] day`), the worker makes the month's export once (the
configured layout and format, `release` final, the hub's detached signature) and stores it with one
delivery row per target (`hub.store.delivery`): the HTTPS endpoint and/or the drop folder. It then
delivers each row until the receiver takes it (a 2xx answer; the file in the folder), waiting
`retry_s`, 2×, 4× ... up to `retry_max_s` between failed attempts. Every attempt's answer (status,
SHA-256 of the answer body, error) is a hub-signed ledger act, `export.push`; making the file is an
`export.file` act like any export.

Idempotent: every attempt of a file carries the same `Idempotency-Key` (month, area, SHA-256), and a
row the receiver took is never sent again. An open month is never pushed: a month is made into a
delivery only while it is locked, and a delivery whose lock was reopened before it went is
cancelled (the month's next lock makes a new file and a new delivery).

The worker is a thread of the hub app (`Pusher.start`/`stop`): an approval only writes its rows,
so the lock is never held up by the network. It looks for new locks every `poll_s` (and at once on
`wake()`). Failing deliveries are open items in the officers' work queue (`failing_items`).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw

from hub.config import ConfigError, ExportConfig
from hub.engine.model import Month
from hub.masterdata.acts import RecordAct
from hub.review import exports
from hub.review import push_transport as transport
from hub.review.export_make import make_export
from hub.review.lock import STAGES
from hub.review.monthly import Assessment
from hub.review.open_items import OpenItem
from hub.store.db import write_transaction
from hub.store.delivery import CANCELLED, DELIVERED, FAILING, MAX_ERROR, PENDING, ExportDelivery
from hub.store.review import MonthApproval
from protocol.signing import Signer

log = logging.getLogger(__name__)

MAKE_RETRY_S = 60.0  # a month whose file could not be made (logged) is tried again after this
ACTOR = "hub"  # the hub itself does the push: its acts are signed by the hub key like every act


def backoff_ms(attempts: int, first_s: int, max_s: int) -> int:
    """The wait after the `attempts`-th failed attempt: first_s, 2×, 4×, ... at most max_s."""
    return int(min(max_s, first_s * 2 ** min(max(attempts - 1, 0), 30))) * 1000


def due(month: Month, today: date, day: int) -> bool:
    """Whether a locked month goes now: at once (`day` 0), else from `day` of the next month on."""
    if day == 0:
        return True
    return today >= (month.last_day + timedelta(days=1)).replace(day=day)


def targets(config: ExportConfig) -> list[tuple[str, str]]:
    """(target, where) of each configured destination: ("https", url), ("folder", path)."""
    push = config.push
    out = []
    if push.url is not None:
        out.append(("https", push.url))
    if push.drop_folder is not None:
        out.append(("folder", str(push.drop_folder)))
    return out


def deliveries(month: Month | str, area: str) -> list[ExportDelivery]:
    """The deliveries of an area's month, oldest first (the dashboard shows them)."""
    query = ExportDelivery.select(
        ExportDelivery.id, ExportDelivery.month, ExportDelivery.area, ExportDelivery.target,
        ExportDelivery.file_name, ExportDelivery.sha256, ExportDelivery.state, ExportDelivery.attempts,
        ExportDelivery.last_status, ExportDelivery.last_error, ExportDelivery.created_ms,
        ExportDelivery.delivered_ms, ExportDelivery.next_ms,
    ).where((ExportDelivery.month == str(month)) & (ExportDelivery.area == area))  # fmt: skip
    return list(query.order_by(ExportDelivery.id))


def failing(areas: Collection[str] | None) -> list[ExportDelivery]:
    """The failing deliveries of `areas` (None: every area), oldest first."""
    query = ExportDelivery.select(
        ExportDelivery.id, ExportDelivery.month, ExportDelivery.area, ExportDelivery.target,
        ExportDelivery.file_name, ExportDelivery.attempts, ExportDelivery.last_status,
        ExportDelivery.last_error,
    ).where(ExportDelivery.state == FAILING)  # fmt: skip
    if areas is not None:
        query = query.where(ExportDelivery.area.in_(sorted(areas)))
    return list(query.order_by(ExportDelivery.id))


def failing_items(areas: Collection[str] | None) -> list[OpenItem]:
    """The failing deliveries of `areas` as the work queue's open items: `line` holds the area (a
    delivery is an area's month), `day` the month's first day, `what` the target ("https",
    "folder"; the page says it in words with `failing`'s details)."""
    return [
        OpenItem(kind="delivery", line=row.area, day=Month.parse(row.month).first_day, what=row.target)
        for row in failing(areas)
    ]


class Pusher:
    """Makes and delivers the pushes of one hub; `run_once` is one round (tests call it directly)."""

    def __init__(
        self,
        db: pw.Database,
        *,
        assessment: Assessment,
        signer: Signer,
        config: ExportConfig,
        record_act: RecordAct,
        clock_ms: Callable[[], int],
        zone: ZoneInfo,
        poll_s: float = 1.0,
    ) -> None:
        self.db = db
        self.assessment = assessment
        self.signer = signer
        self.config = config
        self.layout = exports.layout(config)  # a bad mapping stops the hub at start, naming the key
        self.record_act = record_act
        self.clock_ms = clock_ms
        self.zone = zone
        self.poll_s = poll_s
        self._context = None
        if config.push.url is not None:
            try:
                self._context = transport.tls_context(config.push.ca_file, config.push.verify)
            except (OSError, ssl.SSLError) as err:  # stop the start with one line, as a bad config
                raise ConfigError(f"export.push.ca_file: cannot use {config.push.ca_file}: {err}") from err
        self._make_failed: dict[int, float] = {}  # lock id -> monotonic time of the next try
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the thread ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="push", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Look for new locks and due deliveries now (e.g. right after an approval)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # the worker must outlive a bad moment of the database or the engine
                log.exception("push round failed; retrying in %s s", self.poll_s)
            finally:
                self.db.close()
            self._wake.wait(self.poll_s)
            self._wake.clear()

    # --- one round ----------------------------------------------------------------------------------

    def run_once(self) -> None:
        self.enqueue()
        self.deliver()

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock_ms() / 1000, self.zone).date()

    def enqueue(self) -> int:
        """Make the export of each month locked (and due) that has no delivery yet; how many made."""
        wanted = targets(self.config)
        if not wanted:
            return 0
        made = {row.approval for row in ExportDelivery.select(ExportDelivery.approval)}
        locks = MonthApproval.select().where(
            (MonthApproval.stage == STAGES[-1]) & MonthApproval.voided_ms.is_null()
        )
        count = 0
        for lock in locks.order_by(MonthApproval.id):
            if lock.id in made:
                continue
            month = Month.parse(lock.month)
            if not due(month, self.today(), self.config.push.day):
                continue
            if time.monotonic() < self._make_failed.get(lock.id, 0.0):
                continue  # its file could not be made a moment ago: not again every poll
            try:
                count += self._make(lock, month, wanted)
            except Exception:  # one month that cannot be made must not hold up the others
                log.exception("push: the export of %s of %s could not be made", month, lock.area)
                self._make_failed[lock.id] = time.monotonic() + MAKE_RETRY_S
        return count

    def _make(self, lock: MonthApproval, month: Month, wanted: list[tuple[str, str]]) -> int:
        """Make the file of a locked month and its delivery rows, with the `export.file` act."""
        view = self.assessment.month_view(month, lock.area)
        if view.state != "locked":  # reopened meanwhile: an open month is never pushed
            return 0
        now = self.clock_ms()
        file = make_export(
            self.assessment, view, release="final", kind=self.config.format, lang=self.config.lang,
            layout=self.layout, daily=self.config.daily_detail,
            export_time=datetime.fromtimestamp(now / 1000, self.zone), zone=self.zone,
            signer=self.signer, signed_ms=now,
        )  # fmt: skip
        assert file.signature is not None  # signed with the hub key
        key = transport.idempotency_key(file.month, file.area, file.sha256)
        with write_transaction(self.db):
            still = MonthApproval.get_or_none(MonthApproval.id == lock.id)
            if still is None or still.voided_ms is not None:
                return 0  # reopened while the file was made
            for target, _ in wanted:
                ExportDelivery.create(
                    month=file.month, area=file.area, target=target, approval=lock.id,
                    file_name=file.name, sha256=file.sha256, idempotency_key=key, data=file.data,
                    signature=file.signature, state=PENDING, attempts=0, next_ms=now, created_ms=now,
                )  # fmt: skip
            self.record_act(
                ACTOR,
                "export.file",
                f"month:{file.area}:{file.month}",
                file.act(push=[t for t, _ in wanted]),
            )
        log.info("push: %s of %s locked, export %s made for %d target(s)", month, lock.area, file.name,
                 len(wanted))  # fmt: skip
        return 1

    def deliver(self) -> int:
        """One attempt at each delivery that is due; how many were taken by their receiver."""
        now = self.clock_ms()
        rows = ExportDelivery.select().where(
            ExportDelivery.state.in_([PENDING, FAILING]) & (ExportDelivery.next_ms <= now)
        )
        where = dict(targets(self.config))
        taken = 0
        for row in list(rows.order_by(ExportDelivery.id)):
            lock = MonthApproval.get_or_none(MonthApproval.id == row.approval)
            if lock is None or lock.voided_ms is not None:
                self._finish(row, None, cancelled=True)
                continue
            if row.target not in where:
                continue  # the target was removed from the config: the row waits for it
            parcel = transport.Parcel(
                name=row.file_name, data=bytes(row.data), signature=bytes(row.signature), month=row.month,
                area=row.area, sha256=row.sha256, idempotency_key=row.idempotency_key,
            )  # fmt: skip
            answer = self._send(row.target, where[row.target], parcel)
            self._finish(row, answer, cancelled=False)
            taken += answer.ok
        return taken

    def _send(self, target: str, where: str, parcel: transport.Parcel) -> transport.Answer:
        if target == "https":
            assert self._context is not None
            return transport.post(where, parcel, context=self._context, timeout_s=self.config.push.timeout_s)
        return transport.drop(Path(where), parcel)

    def _finish(self, row: ExportDelivery, answer: transport.Answer | None, *, cancelled: bool) -> None:
        """Record one attempt's answer (or the cancellation) on the row and in the ledger, together."""
        now = self.clock_ms()
        payload: dict[str, Any] = {
            "target": row.target,
            "file": row.file_name,
            "sha256": row.sha256,
            "idempotency_key": row.idempotency_key,
        }
        changes: dict[Any, Any]
        if cancelled or answer is None:
            payload |= {"outcome": "cancelled", "reason": "the month was reopened before delivery"}
            changes = {ExportDelivery.state: CANCELLED, ExportDelivery.last_error: "month reopened"}
        else:
            attempt = int(row.attempts) + 1
            payload |= {
                "attempt": attempt,
                "outcome": "delivered" if answer.ok else "failed",
                "status": answer.status,
                "body_sha256": answer.body_sha256,
                "error": answer.error,
            }
            changes = {
                ExportDelivery.attempts: attempt,
                ExportDelivery.last_status: answer.status,
                ExportDelivery.last_error: answer.error[:MAX_ERROR] or None,
            }
            if answer.ok:
                changes |= {ExportDelivery.state: DELIVERED, ExportDelivery.delivered_ms: now}
            else:
                wait = backoff_ms(attempt, self.config.push.retry_s, self.config.push.retry_max_s)
                changes |= {ExportDelivery.state: FAILING, ExportDelivery.next_ms: now + wait}
                log.warning("push of %s to %s failed (attempt %d): %s", row.file_name, row.target, attempt,
                            answer.error)  # fmt: skip
        with write_transaction(self.db):
            ExportDelivery.update(changes).where(ExportDelivery.id == row.id).execute()
            self.record_act(ACTOR, "export.push", f"month:{row.area}:{row.month}", payload)
