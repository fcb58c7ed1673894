"""Ingest: verify each kiosk record, chain-check it, store it verbatim, commit, and only then ack.

For every records batch (one MQTT message): unpack, verify every frame against the enrolled key of
the kiosk its topic names, then in ONE database transaction compare the records with the kiosk's
stored head, insert the ones that extend the chain, and move the head with a conditional UPDATE
(`WHERE head_seq = <the head we read>`). After the commit the hub publishes a signed Ack of the
head: the highest record stored with nothing missing below it.

- Duplicates are acknowledged again and stored once.
- A gap (a record beyond head + 1) is not held: nothing beyond it is stored and the head is
  re-acknowledged, so the kiosk resends from there. Before giving up on a batch that starts beyond
  the head, the worker watches the head for `gap_wait_s` (another worker may be committing the
  batch just before it) so shared subscriptions rarely cost a resend. The watching happens on a
  retry thread, never on the network thread: a kiosk sending gaps, by accident or on purpose, does
  not delay any other kiosk's records (at most RETRY_PER_KIOSK batches of one kiosk wait at once;
  beyond that its head is acknowledged at once).
- Everything refused is written to Quarantine with its reason, rate-limited per kiosk and overall,
  and never stops the loop or any other kiosk.
- Several workers may share the records subscription ($share): the database decides. On SQLite the
  transaction starts with BEGIN IMMEDIATE (one writer at a time); on PostgreSQL the kiosk row is read
  FOR UPDATE. A worker whose conditional UPDATE finds the head moved rolls back and tries again.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import peewee as pw

from hub.errors import HeadMoved, HubError
from hub.kiosks import texts
from hub.kiosks.quarantine import QuarantineLimiter, RejectLogLimiter
from hub.store import db as hubdb
from hub.store.kiosks import (
    ENROLLED,
    RECORD_PARSED_COLUMNS,
    REVOKED,
    Kiosk,
    KioskRecord,
    PendingKiosk,
    Quarantine,
    record_columns,
)
from protocol import batch
from protocol.chain import ChainHead, check_next
from protocol.errors import ChainBreak, Duplicate, Fork, ProtocolError, RejectReason, SequenceGap
from protocol.messages import Ack, Hello, open_frame, seal
from protocol.records import SignedRecord, verify_frame
from protocol.signing import KeyRing, Signer
from protocol.topics import Topics

log = logging.getLogger(__name__)
texts.register()

MAX_QUARANTINE_PAYLOAD = 65_600  # one frame at most: a flood of 1 MiB batches cannot fill the disk
KEY_RELOAD_INTERVAL_S = 5.0  # a flood of unknown-kiosk records re-reads the kiosk table at most this often
_KEY_REASONS = frozenset({RejectReason.UNKNOWN_KIOSK, RejectReason.REVOKED_KIOSK, RejectReason.BAD_SIGNATURE})
GAP_POLL_S = 0.002  # first re-read of the head while another worker may be committing before it
GAP_POLL_MAX_S = 0.02  # re-reads back off to this
RETRY_PER_KIOSK = 8  # gapped batches of one kiosk that may wait at once (a kiosk's window is 4)
RETRY_TOTAL = 256  # and of all kiosks together
CommittedHook = Callable[[list[KioskRecord]], None]
ApplyHook = Callable[[list[SignedRecord]], None]
"""Runs inside the storing transaction on the records newly stored (`hub.kiosks.capture`): what it
writes commits with them or not at all."""
CrashHook = Callable[[str], None]


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


_ROW_COLUMNS = (*RECORD_PARSED_COLUMNS, "frame", "received_ms")
_INSERT_SQL = f"INSERT INTO kiosk_record ({', '.join(_ROW_COLUMNS)}) VALUES ({{values}})"
_INSERT_SQL_PG = f"INSERT INTO kiosk_record ({', '.join(_ROW_COLUMNS)}) VALUES %s"


class _Publisher(Protocol):
    """What ingest needs of hub.kiosks.mqtt.HubMqtt."""

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> object: ...
    def subscribe(self, topic: str, handler: Callable[[str, bytes], object], qos: int = 1) -> None: ...


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one records batch did: the head acknowledged and the rows newly stored."""

    head: ChainHead
    stored: int
    gap: bool


@dataclass(order=True)
class _Waiting:
    due: float
    order: int
    kiosk: str = field(compare=False)
    topic: str = field(compare=False)
    records: list[SignedRecord] = field(compare=False)
    received: int = field(compare=False)
    deadline: float = field(compare=False)
    delay: float = field(compare=False)


class _Retries:
    """Gapped batches waiting for the records before them, watched on one thread of their own.

    Each waiting batch re-reads its kiosk's head (a read, no write lock) with backoff; once the head
    reaches the record before the batch, or its time is up, the batch goes through `_commit` again
    (which stores and acks, or acks the head). The network thread only queues."""

    def __init__(self, ingest: Ingest) -> None:
        self._ingest = ingest
        self._heap: list[_Waiting] = []
        self._per_kiosk: dict[str, int] = {}
        self._cv = threading.Condition()
        self._order = 0
        self._thread: threading.Thread | None = None
        self._stopping = False

    def defer(self, kiosk: str, topic: str, records: list[SignedRecord], received: int, head: int) -> bool:
        """Queue a gapped batch; False when it should not wait (limits, stopping, no time to wait)."""
        wait = self._ingest.gap_wait_s
        with self._cv:
            if (
                wait <= 0
                or self._stopping
                or len(self._heap) >= RETRY_TOTAL
                or self._per_kiosk.get(kiosk, 0) >= RETRY_PER_KIOSK
            ):
                return False
            now = time.monotonic()
            self._order += 1
            item = _Waiting(
                now + GAP_POLL_S, self._order, kiosk, topic, records, received, now + wait, GAP_POLL_S
            )
            heapq.heappush(self._heap, item)
            self._per_kiosk[kiosk] = self._per_kiosk.get(kiosk, 0) + 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ingest-gaps", daemon=True)
                self._thread.start()
            self._cv.notify()
        log.debug("records of %s start beyond head %d: waiting for the ones before them", kiosk, head)
        return True

    def stop(self) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify()
            thread = self._thread
        if thread is not None:
            thread.join(5)

    def _run(self) -> None:
        try:
            while True:
                with self._cv:
                    while not self._stopping and (not self._heap or self._heap[0].due > time.monotonic()):
                        self._cv.wait(
                            None if not self._heap else max(0.0, self._heap[0].due - time.monotonic())
                        )
                    if self._stopping:
                        return
                    item = heapq.heappop(self._heap)
                if self._still_waiting(item):
                    continue
                self._done(item)
                try:  # the records before it are in (or time is up): store what extends the chain, ack
                    self._ingest._commit(item.kiosk, item.topic, item.records, item.received, may_wait=False)
                except Exception:  # this thread must outlive a bad moment of the database
                    log.exception("retrying records of kiosk %s failed; the kiosk resends them", item.kiosk)
        finally:
            self._ingest.db.close()

    def _still_waiting(self, item: _Waiting) -> bool:
        """Put the batch back (True) while its kiosk's head is short of it and its time is not up."""
        try:  # a plain read on this thread's own connection (kept open between re-reads)
            head = Kiosk.select(Kiosk.head_seq).where(Kiosk.id == item.kiosk).scalar()
        except pw.DatabaseError as err:
            self._ingest._drop_connection()
            log.warning("cannot read the head of kiosk %s: %s", item.kiosk, err)
            return False  # the commit tries the database once more, and the kiosk resends anyway
        now = time.monotonic()
        if head is None or head + 1 >= item.records[0].record.seq or now >= item.deadline:
            return False
        item.delay = min(item.delay * 2, GAP_POLL_MAX_S)
        item.due = now + item.delay
        with self._cv:
            heapq.heappush(self._heap, item)
        return True

    def _done(self, item: _Waiting) -> None:
        with self._cv:
            left = self._per_kiosk.get(item.kiosk, 1) - 1
            if left > 0:
                self._per_kiosk[item.kiosk] = left
            else:
                self._per_kiosk.pop(item.kiosk, None)


class Ingest:
    """Subscribe with `start()`; `handle_records`/`handle_hello` can also be called directly."""

    def __init__(
        self,
        db: pw.Database,
        mqtt: _Publisher,
        topics: Topics,
        hub_id: str,
        signer: Signer,
        *,
        on_committed: CommittedHook | None = None,
        shared: bool = True,
        clock_ms: Callable[[], int] = wall_ms,
        limiter: QuarantineLimiter | None = None,
        gap_wait_s: float = 0.1,
        crash_hook: CrashHook | None = None,
        apply: ApplyHook | None = None,
    ) -> None:
        self.db = db
        self.apply = apply
        self.mqtt = mqtt
        self.topics = topics
        self.hub_id = hub_id
        self.signer = signer
        self.on_committed = on_committed
        self.shared = shared
        self.clock_ms = clock_ms
        self.limiter = limiter or QuarantineLimiter()
        self.log_limiter = RejectLogLimiter()
        self.gap_wait_s = gap_wait_s
        self._crash_hook = crash_hook  # test harnesses only: simulate a crash at a named point
        self._keys = KeyRing()
        self._keys_lock = threading.Lock()
        self._last_reload = 0.0
        self.key_reload_s = KEY_RELOAD_INTERVAL_S
        self._retries = _Retries(self)

    def start(self) -> None:
        if Kiosk._meta.database is not self.db:
            raise HubError("kiosks.ingest.unbound")
        self.reload_keys()
        self.mqtt.subscribe(self.topics.all_records(shared=self.shared), self.handle_records)
        self.mqtt.subscribe(self.topics.all_hellos(), self.handle_hello)

    def stop(self) -> None:
        """End the retry thread (batches still waiting are dropped unacknowledged: kiosks resend)."""
        self._retries.stop()

    def reload_keys(self) -> None:
        """Re-read enrolled and revoked kiosks (hub.kiosks.enrollment calls this after every change)."""
        ring = KeyRing()
        was_closed = self.db.is_closed()  # a caller's thread without a connection gets it closed again
        try:
            rows: list[tuple[str, bytes, str]] = list(
                Kiosk.select(Kiosk.id, Kiosk.public_key, Kiosk.status).tuples().iterator()
            )
        finally:
            if was_closed:
                self.db.close()
        self._last_reload = time.monotonic()
        for kiosk, key, status in rows:
            try:
                ring.add(kiosk, bytes(key), revoked=status == REVOKED)
            except ProtocolError as err:
                log.error("kiosk %s has an unusable key in the database: %s", kiosk, err)
        with self._keys_lock:
            self._keys = ring

    # -- records -------------------------------------------------------------------------------

    def handle_records(self, topic: str, payload: bytes) -> BatchResult | None:
        """One records message. Returns what happened (None when nothing was acknowledged)."""
        received = self.clock_ms()
        kiosk = self.topics.kiosk_of(topic)
        if kiosk is None or not topic.endswith("/records"):
            self._quarantine([(None, topic, RejectReason.WRONG_TOPIC, "not a kiosk records topic", payload)])
            return None
        rejects: list[tuple[str | None, str, RejectReason, str, bytes]] = []
        try:
            frames = batch.unpack(payload)
        except ProtocolError as err:
            self._quarantine([(kiosk, topic, err.reason, err.detail, payload)])
            return None
        with self._keys_lock:
            keys = self._keys
        verified, failed = self._verify(frames, keys, kiosk)
        if failed and self._stale_keys(failed):
            # Enrollment, revocation or key rotation may have happened in another hub process.
            self.reload_keys()
            with self._keys_lock:
                keys = self._keys
            retried, failed = self._verify([frame for frame, _ in failed], keys, kiosk)
            verified = sorted([*verified, *retried], key=lambda s: s.record.seq)
        rejects.extend((kiosk, topic, err.reason, err.detail, frame) for frame, err in failed)
        result = None
        try:
            if verified:
                verified.sort(key=lambda s: s.record.seq)
                result = self._commit(kiosk, topic, verified, received, may_wait=self.shared)
        finally:
            if rejects:
                self._quarantine(rejects)
        return result

    def _commit(
        self, kiosk: str, topic: str, verified: list[SignedRecord], received: int, *, may_wait: bool
    ) -> BatchResult | None:
        """Store, then ack and notify. A batch that only found a gap may wait on the retry thread
        (`may_wait`) for another worker to commit what comes before it; then nothing is acked yet."""
        result, chain_rejects, new_rows = self._store(kiosk, verified, received)
        if chain_rejects:
            self._quarantine([(kiosk, topic, r, d, f) for r, d, f in chain_rejects])
        if result is None:
            return None
        only_gap = result.gap and result.stored == 0 and not chain_rejects
        if may_wait and only_gap and self._retries.defer(kiosk, topic, verified, received, result.head.seq):
            return result
        self._ack(kiosk, result.head)
        if new_rows and self.on_committed is not None:
            self._notify(new_rows)
        return result

    def _verify(
        self, frames: Sequence[bytes], keys: KeyRing, kiosk: str
    ) -> tuple[list[SignedRecord], list[tuple[bytes, ProtocolError]]]:
        verified: list[SignedRecord] = []
        failed: list[tuple[bytes, ProtocolError]] = []
        for frame in frames:
            try:
                verified.append(verify_frame(frame, keys, expected_kiosk=kiosk))
            except ProtocolError as err:
                failed.append((frame, err))
        return verified, failed

    def _stale_keys(self, failed: list[tuple[bytes, ProtocolError]]) -> bool:
        """Whether these failures might be an out-of-date key ring (at most one re-read per interval)."""
        if time.monotonic() - self._last_reload < self.key_reload_s:
            return False
        return any(err.reason in _KEY_REASONS for _, err in failed)

    def _store(
        self, kiosk: str, records: Sequence[SignedRecord], received: int
    ) -> tuple[BatchResult | None, list[tuple[RejectReason, str, bytes]], list[KioskRecord]]:
        for _ in range(4):
            try:
                outcome = self._store_once(kiosk, records, received)
            except HeadMoved:
                log.debug("head of %s moved under us; reading it again", kiosk)
                continue
            except pw.DatabaseError:
                self._drop_connection()
                raise
            if outcome is None:
                return None, [], []
            return outcome
        log.warning("head of kiosk %s kept moving; acknowledging what is stored", kiosk)
        head = self._read_head(kiosk)
        return (None if head is None else BatchResult(head, 0, True)), [], []

    def _store_once(
        self, kiosk: str, records: Sequence[SignedRecord], received: int
    ) -> tuple[BatchResult, list[tuple[RejectReason, str, bytes]], list[KioskRecord]] | None:
        rejects: list[tuple[RejectReason, str, bytes]] = []
        rows: list[tuple[object, ...]] = []
        gap = False
        new: list[SignedRecord] = []
        with hubdb.write_transaction(self.db):
            query = Kiosk.select(Kiosk.head_seq, Kiosk.head_hash, Kiosk.status).where(Kiosk.id == kiosk)
            if not hubdb.is_sqlite(self.db):
                query = query.for_update()
            row = query.first()
            if row is None or row.status != ENROLLED:
                return None
            start = ChainHead(seq=row.head_seq, hash=row.head_hash)
            head = start
            known = self._stored_hashes(kiosk, [r.record.seq for r in records if r.record.seq <= start.seq])
            for signed in records:
                try:
                    head = check_next(head, signed, known.get)
                except Duplicate:
                    continue
                except SequenceGap:
                    gap = True
                    break  # hold nothing beyond a gap: the kiosk resends from the head
                except (Fork, ChainBreak) as err:
                    rejects.append((err.reason, err.detail, signed.frame))
                    continue
                known[signed.record.seq] = signed.hash
                rows.append(self._row(kiosk, signed, received))
                new.append(signed)
            if rows:
                self._insert(rows)
                if self.apply is not None:
                    self.apply(new)
            moved = (
                Kiosk.update(head_seq=head.seq, head_hash=head.hash, last_seen_ms=received)
                .where((Kiosk.id == kiosk) & (Kiosk.head_seq == start.seq))
                .execute()
            )
            if moved != 1:
                raise HeadMoved("kiosks.ingest.head_moved", kiosk=kiosk, seq=start.seq)
            self._crash("before_commit")
        self._crash("after_commit")
        stored_rows: list[KioskRecord] = []
        if rows and self.on_committed is not None:
            stored_rows = list(
                KioskRecord.select()
                .where(
                    (KioskRecord.kiosk == kiosk)
                    & (KioskRecord.seq > start.seq)
                    & (KioskRecord.seq <= head.seq)
                )
                .order_by(KioskRecord.seq)
            )
        return BatchResult(head, len(rows), gap), rejects, stored_rows

    def _insert(self, rows: list[tuple[object, ...]]) -> None:
        """One multi-row insert per batch through the driver: peewee's query builder costs more than
        the database itself at thousands of rows per second."""
        cursor = self.db.cursor()  # type: ignore[no-untyped-call]
        if hubdb.is_sqlite(self.db):
            cursor.executemany(_INSERT_SQL.format(values=", ".join("?" * len(_ROW_COLUMNS))), rows)
        else:
            from psycopg2.extras import execute_values

            execute_values(cursor, _INSERT_SQL_PG, rows, page_size=500)

    def _stored_hashes(self, kiosk: str, seqs: list[int]) -> dict[int, str]:
        if not seqs:
            return {}
        query = (
            KioskRecord.select(KioskRecord.seq, KioskRecord.hash)
            .where((KioskRecord.kiosk == kiosk) & (KioskRecord.seq.between(min(seqs), max(seqs))))
            .tuples()
        )
        return {int(seq): str(hash_) for seq, hash_ in query.iterator()}

    def _row(self, kiosk: str, signed: SignedRecord, received: int) -> tuple[object, ...]:
        # `kiosk` is the record's own (verify_frame checked it against the topic)
        return (*record_columns(signed), signed.frame, received)

    def _read_head(self, kiosk: str) -> ChainHead | None:
        with self.db.connection_context():
            row = Kiosk.select(Kiosk.head_seq, Kiosk.head_hash).where(Kiosk.id == kiosk).first()
        return None if row is None else ChainHead(seq=row.head_seq, hash=row.head_hash)

    def _ack(self, kiosk: str, head: ChainHead) -> None:
        ack = Ack(hub=self.hub_id, kiosk=kiosk, seq=head.seq, hash=head.hash, hub_ms=self.clock_ms())
        self.mqtt.publish(self.topics.ack(kiosk), seal(ack, self.signer), qos=1)

    def _notify(self, rows: list[KioskRecord]) -> None:
        assert self.on_committed is not None
        try:
            self.on_committed(rows)
        except Exception:  # results are recomputed later anyway; ingest must go on
            log.exception("on_committed failed for %d records", len(rows))

    # -- hellos --------------------------------------------------------------------------------

    def handle_hello(self, topic: str, payload: bytes) -> None:
        """A kiosk's retained hello: last_seen for an enrolled key, PendingKiosk for a new one.

        An enrolled kiosk is also told the hub's head of its chain (an ack). Normally that is what the
        kiosk already knows; after the hub's database was restored from an older backup it is less,
        and the kiosk sends again what the hub lost (docs/delivery.md). Every hello is retained, so a
        starting hub tells every enrolled kiosk at once."""
        if not payload:
            return  # a cleared retained message
        now = self.clock_ms()
        kiosk = self.topics.kiosk_of(topic)
        try:
            hello: Hello = open_frame(payload, None, Hello)
        except ProtocolError as err:
            self._quarantine([(kiosk, topic, err.reason, f"hello: {err.detail}", payload)])
            return
        if hello.kiosk != kiosk:
            detail = f"hello of kiosk {hello.kiosk!r} on the topic of {kiosk!r}"
            self._quarantine([(kiosk, topic, RejectReason.WRONG_TOPIC, detail, payload)])
            return
        head: ChainHead | None = None
        try:
            with hubdb.write_transaction(self.db):
                row = (
                    Kiosk.select(Kiosk.public_key, Kiosk.status, Kiosk.head_seq, Kiosk.head_hash)
                    .where(Kiosk.id == kiosk)
                    .first()
                )
                if row is not None and bytes(row.public_key) == hello.public_key:
                    Kiosk.update(last_seen_ms=now).where(Kiosk.id == kiosk).execute()
                    if row.status == "enrolled":
                        head = ChainHead(seq=row.head_seq, hash=row.head_hash)
                else:
                    PendingKiosk.insert(
                        kiosk=kiosk,
                        public_key=hello.public_key,
                        boot=hello.boot,
                        first_seen_ms=now,
                        last_seen_ms=now,
                    ).on_conflict(
                        conflict_target=[PendingKiosk.kiosk],
                        update={
                            PendingKiosk.public_key: hello.public_key,
                            PendingKiosk.boot: hello.boot,
                            PendingKiosk.last_seen_ms: now,
                        },
                    ).execute()
        except pw.DatabaseError:
            self._drop_connection()
            raise
        if head is not None:
            self._ack(kiosk, head)

    # -- quarantine ----------------------------------------------------------------------------

    def _quarantine(self, items: list[tuple[str | None, str, RejectReason, str, bytes]]) -> None:
        now = self.clock_ms()
        rows = []
        for kiosk, topic, reason, detail, payload in items:
            logged, unlogged = self.log_limiter.allow((kiosk, reason.value), now)
            if logged:
                log.warning(
                    "rejected from %.64s on %.200s: %s: %.300s%s",
                    kiosk,
                    topic,
                    reason.value,
                    detail,
                    f" (and {unlogged} more like it not logged: rate limit)" if unlogged else "",
                )
            allowed, suppressed = self.limiter.allow(kiosk, now)
            if not allowed:
                continue
            if suppressed:
                detail = f"{detail} (and {suppressed} earlier rejections not stored: rate limit)"
            if len(payload) > MAX_QUARANTINE_PAYLOAD:
                detail = f"{detail} (payload of {len(payload)} bytes truncated)"
                payload = payload[:MAX_QUARANTINE_PAYLOAD]
            rows.append(
                {
                    "kiosk": kiosk,
                    "topic": topic[:512],
                    "reason": reason.value,
                    "detail": detail[:2000],
                    "payload": bytes(payload),
                    "received_ms": now,
                }
            )
        if not rows:
            return
        try:
            with hubdb.write_transaction(self.db):
                Quarantine.insert_many(rows).as_rowcount().execute()
        except pw.DatabaseError:
            self._drop_connection()
            log.exception("could not write %d quarantine rows", len(rows))

    def _crash(self, point: str) -> None:
        if self._crash_hook is not None:
            self._crash_hook(point)

    def _drop_connection(self) -> None:
        """After a database error, close this thread's connection so the next message reconnects."""
        try:
            self.db.close()
        except pw.DatabaseError as err:
            log.debug("closing the broken connection failed: %s", err)
