"""The kiosk's local store and outbox: every event as a signed, chained record, durable before "OK".

One SQLite file (peewee), WAL journal and `synchronous=FULL`, so a commit that returned survives a
power cut. The store is the kiosk's only durable queue: the uplink reads unacknowledged records
from here and marks them delivered only when a hub acknowledgement names our own hash at that
sequence number. One writer: the UI and uplink threads share one connection behind one lock.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import peewee as pw

from kiosk.errors import StorageFull, StoreError
from kiosk.witness import Witnessed
from protocol.chain import ChainHead
from protocol.errors import ProtocolError
from protocol.messages import Ack
from protocol.records import (
    GENESIS_HASH,
    Body,
    CheckpointWitness,
    Record,
    SignedRecord,
    parse_frame,
    record_hash,
    sign_record,
)
from protocol.signing import Signer, Verifier

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
LOW_SPACE_BYTES = 256 * 1024
_PLAN_KEY = "plan"
_PRUNED_KEY = "pruned_through"  # "seq:hash" of the last pruned record, so the chain still checks


class Clock(Protocol):
    """What the store and uplink need of kiosk.clock.KioskClock (tests may pass their own)."""

    boot_id: str

    @property
    def offset_ms(self) -> int: ...
    def wall_ms(self) -> int: ...
    def mono_ms(self) -> int: ...
    def today(self) -> str: ...
    def set_hub_time(self, hub_ms: int) -> None: ...


_WITNESS_KEY = "witnessed"  # the last checkpoint witnessed: kiosk.witness.Witnessed.encode()
_COUNTER_KEY = "counter_total:"  # + device name: see `KioskStore.append(counter_total=...)`


@dataclass(frozen=True, slots=True)
class StoredFrame:
    """A record as the outbox holds it: enough to send it and to check an ack against it."""

    seq: int
    hash: str
    frame: bytes


class OutboxRecord(pw.Model):
    """A signed record waiting for (or past) the hub's acknowledgement. Declared unbound: each store
    binds its own subclass (`_models`), so several stores can live in one process."""

    seq = pw.BigIntegerField(primary_key=True)
    hash = pw.CharField(max_length=64)
    type = pw.CharField(max_length=32)
    day = pw.CharField(max_length=10, index=True)
    created_ms = pw.BigIntegerField()
    acked = pw.BooleanField(default=False, index=True)
    frame = pw.BlobField()

    class Meta:
        table_name = "outbox_record"


class Setting(pw.Model):
    """One small saved value: the line plan, the last pruned record, a counter's total."""

    key = pw.CharField(primary_key=True, max_length=32)
    value = pw.BlobField()

    class Meta:
        table_name = "setting"


def _models(db: pw.Database) -> tuple[type[OutboxRecord], type[Setting]]:
    """The models bound to this store's own database (peewee does not inherit `table_name`)."""

    class BoundRecord(OutboxRecord):
        class Meta:
            database = db
            table_name = "outbox_record"

    class BoundSetting(Setting):
        class Meta:
            database = db
            table_name = "setting"

    return BoundRecord, BoundSetting


def _tuples(query: pw.ModelSelect[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of `query` as plain tuples, streamed (peewee's stubs type `.tuples()` as model rows)."""
    return cast("Iterator[tuple[Any, ...]]", query.tuples().iterator())


def _is_disk_full(err: BaseException) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if isinstance(seen, sqlite3.Error | pw.DatabaseError) and (
            "full" in str(seen).lower() or getattr(seen, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class KioskStore:
    """The outbox. `append` signs and commits before it returns; `apply_ack` marks delivered."""

    def __init__(self, path: Path | str, kiosk_id: str, signer: Signer, clock: Clock) -> None:
        self.path = Path(path)
        self.kiosk_id = kiosk_id
        self.signer = signer
        self.clock = clock
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the UI and uplink threads, serialised by self._lock: one writer.
        self._db = pw.SqliteDatabase(
            str(self.path),
            pragmas={"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1},
            thread_safe=False,
            check_same_thread=False,
            timeout=10,
        )
        self._Record, self._Setting = _models(self._db)
        try:
            self._db.connect()
            self._db.create_tables([self._Record, self._Setting], safe=True)
        except pw.DatabaseError as err:
            self._db.close()
            if _is_disk_full(err):
                raise StorageFull(f"cannot open {self.path}: disk full") from err
            raise StoreError(f"cannot open {self.path}: {err}") from err
        self._head = self._load_head()
        self._acked_seq = self._load_acked_seq()
        saved = self._get(_WITNESS_KEY)
        # kept in memory too: the uplink asks for it often while a checkpoint waits for its interval
        self._witnessed = None if saved is None else Witnessed.decode(saved)

    # -- writing -------------------------------------------------------------------------------

    def append(self, body: Body, *, counter_total: tuple[str, int] | None = None) -> SignedRecord:
        """Sign `body` as the next record and commit it to disk; raises StorageFull, storing nothing.

        `counter_total` (device, total) is saved in the same transaction: the counter reading up to
        which units are now on disk, so a restart resumes counting there (`counter_total()`), and a
        unit is never lost nor counted twice across a power loss.
        """
        return self.append_many([body], counter_total=counter_total)[0]

    def append_many(
        self,
        bodies: Sequence[Body],
        *,
        counter_total: tuple[str, int] | None = None,
        counter_totals: Mapping[str, int] | None = None,
    ) -> list[SignedRecord]:
        """Sign and commit several events in one transaction (all or none, one fsync): a burst of
        counter units, imports and benchmarks. With them, each counter's reading up to which its
        units are now stored (`counter_total` for one device, `counter_totals` for several)."""
        totals = dict(counter_totals or {})
        if counter_total is not None:
            device, total = counter_total
            totals[device] = total
        settings = {_COUNTER_KEY + device: str(total).encode() for device, total in totals.items()}
        return self._append(bodies, settings)

    def append_witness(self, body: CheckpointWitness) -> SignedRecord:
        """Sign and commit a checkpoint witness, and remember it as the last one witnessed (same
        transaction: a power cut leaves both or neither)."""
        with self._lock:
            at_ms = self.clock.wall_ms()
            witnessed = Witnessed(tree_size=body.tree_size, root=body.root, at_ms=at_ms)
            signed = self._append([body], {_WITNESS_KEY: witnessed.encode()}, wall_ms=at_ms)[0]
            self._witnessed = witnessed
            return signed

    def last_witness(self) -> Witnessed | None:
        """The checkpoint this kiosk last witnessed (None: never)."""
        with self._lock:
            return self._witnessed

    def _append(
        self, bodies: Sequence[Body], settings: dict[str, bytes], *, wall_ms: int | None = None
    ) -> list[SignedRecord]:
        R = self._Record
        with self._lock:
            head = self._head
            signed_list: list[SignedRecord] = []
            rows: list[dict[str, Any]] = []
            for body in bodies:
                record = Record(
                    kiosk=self.kiosk_id,
                    seq=head.seq + 1,
                    prev=head.hash,
                    boot=self.clock.boot_id,
                    wall_ms=self.clock.wall_ms() if wall_ms is None else wall_ms,
                    mono_ms=self.clock.mono_ms(),
                    body=body,
                )
                signed = sign_record(record, self.signer)
                signed_list.append(signed)
                rows.append(
                    {
                        "seq": record.seq,
                        "hash": signed.hash,
                        "type": record.type,
                        "day": getattr(body, "day", None) or self.clock.today(),
                        "created_ms": record.wall_ms,
                        "acked": False,
                        "frame": signed.frame,
                    }
                )
                head = ChainHead(seq=record.seq, hash=signed.hash)
            try:
                with self._db.atomic():
                    for start in range(0, len(rows), 500):
                        R.insert_many(rows[start : start + 500]).execute()
                    for key, value in settings.items():
                        self._Setting.insert(key=key, value=value).on_conflict_replace().execute()
            except (pw.DatabaseError, sqlite3.Error, OSError) as err:
                # The transaction rolled back: nothing half-written, the head stays where it was.
                if _is_disk_full(err) or self._space_low():
                    raise StorageFull("no space left for the kiosk's records") from err
                raise StoreError(f"cannot store records after {self._head.seq}: {err}") from err
            self._head = head
            return signed_list

    def apply_ack(self, ack: Ack) -> bool:
        """Mark records up to `ack.seq` delivered when `ack.hash` is our own hash there.

        The ack's signature is the caller's business (the uplink verifies it); here we refuse an ack
        naming another kiosk, a record we never wrote, or a different record than ours (a fork).
        Returns True when the delivered point moved forward.
        """
        if ack.kiosk != self.kiosk_id:
            log.warning("ack for kiosk %s ignored: this is %s", ack.kiosk, self.kiosk_id)
            return False
        R = self._Record
        with self._lock:
            if ack.seq <= self._acked_seq:
                return False
            row = R.select(R.hash).where(R.seq == ack.seq).first()
            if row is None:
                log.warning("ack of record %s ignored: this kiosk has no such record", ack.seq)
                return False
            if row.hash != ack.hash:
                log.warning("ack of record %s ignored: hash %s is not ours (%s)", ack.seq, ack.hash, row.hash)
                return False
            try:
                with self._db.atomic():
                    R.update(acked=True).where((R.seq <= ack.seq) & (R.acked == False)).execute()  # noqa: E712
            except (pw.DatabaseError, sqlite3.Error, OSError) as err:
                # Not fatal: the hub will acknowledge again after the next resend.
                log.warning("could not mark records up to %s delivered: %s", ack.seq, err)
                return False
            self._acked_seq = ack.seq
            return True

    def reopen_after(self, ack: Ack) -> bool:
        """The hub now holds our chain only up to `ack.seq`, below our delivered point: it lost records
        it had acknowledged (its database was restored from an older backup). When `ack.hash` is our
        own hash there, mark every later record undelivered again so that the uplink resends them.

        The ack's signature and freshness are the caller's business (the uplink verifies it and takes
        only an ack newer than the last one that moved us forward). Returns True when records were
        reopened. Records already pruned cannot be resent: that is logged as an error and nothing
        changes (keep `retention_days` longer than the hub's backup interval).
        """
        if ack.kiosk != self.kiosk_id:
            return False
        R = self._Record
        with self._lock:
            if ack.seq >= self._acked_seq:
                return False
            pruned = self._get(_PRUNED_KEY)
            pruned_seq, pruned_hash = (0, GENESIS_HASH)
            if pruned is not None:
                seq_text, pruned_hash = pruned.decode("ascii").split(":", 1)
                pruned_seq = int(seq_text)
            if ack.seq < pruned_seq:
                log.error(
                    "the hub holds records only up to %s, and records from %s to %s are pruned here: "
                    "they exist only in the hub's backups",
                    ack.seq,
                    ack.seq + 1,
                    pruned_seq,
                )
                return False
            row = R.select(R.hash).where(R.seq == ack.seq).first()
            ours = pruned_hash if ack.seq == pruned_seq else (row.hash if row is not None else None)
            if ours != ack.hash:
                log.warning("ack of record %s ignored: hash %s is not ours (%s)", ack.seq, ack.hash, ours)
                return False
            try:
                with self._db.atomic():
                    R.update(acked=False).where(R.seq > ack.seq).execute()
            except (pw.DatabaseError, sqlite3.Error, OSError) as err:
                log.warning("could not reopen records after %s: %s", ack.seq, err)
                return False
            log.warning(
                "the hub holds records only up to %s of %s it had acknowledged (restored from a backup?): "
                "sending them again",
                ack.seq,
                self._acked_seq,
            )
            self._acked_seq = ack.seq
            return True

    def save_plan(self, frame: bytes) -> None:
        """Keep the last verified line plan for offline use (replaces the previous one)."""
        self._put(_PLAN_KEY, frame)

    def load_plan(self) -> bytes | None:
        return self._get(_PLAN_KEY)

    def prune(self, now_ms: int, retention_days: int) -> int:
        """Delete acknowledged records older than the retention period; returns how many.

        Never an unacknowledged record, and never the head (the next record names its hash). The last
        pruned record's seq and hash are kept so the integrity check can still anchor the chain.
        """
        R = self._Record
        cutoff = now_ms - retention_days * DAY_MS
        with self._lock:
            limit_seq = min(self._acked_seq, self._head.seq - 1)
            last = (
                R.select(R.seq, R.hash)
                .where((R.acked == True) & (R.created_ms < cutoff) & (R.seq <= limit_seq))  # noqa: E712
                .order_by(R.seq.desc())
                .first()
            )
            if last is None:
                return 0
            try:
                with self._db.atomic():
                    count = int(R.delete().where(R.seq <= last.seq).execute())
                    self._put(_PRUNED_KEY, f"{last.seq}:{last.hash}".encode("ascii"))
            except (pw.DatabaseError, sqlite3.Error, OSError) as err:
                log.warning("pruning failed, will retry later: %s", err)
                return 0
            return count

    # -- reading -------------------------------------------------------------------------------

    def head(self) -> ChainHead:
        with self._lock:
            return self._head

    def acked_seq(self) -> int:
        """The highest sequence number the hub has acknowledged (0 before the first ack).

        Read without the lock (one attribute, swapped whole under it): the screen's loop asks after
        every record, and must not wait while another thread holds the lock through an fsync."""
        return self._acked_seq

    def pending_count(self) -> int:
        """Records not yet acknowledged, for display; without the lock, as `acked_seq`. The acked
        point is read first: both only grow, so the figure is never negative."""
        acked = self._acked_seq
        return max(0, self._head.seq - acked)

    def unacked(self, limit: int, after_seq: int = 0) -> list[StoredFrame]:
        """Unacknowledged records in sequence order, starting after `after_seq`."""
        R = self._Record
        with self._lock:
            start = max(after_seq, self._acked_seq)
            rows = R.select(R.seq, R.hash, R.frame).where(R.seq > start).order_by(R.seq).limit(limit)
            return [StoredFrame(seq, hash_, bytes(frame)) for seq, hash_, frame in _tuples(rows)]

    def records_for_day(self, day: str) -> list[Record]:
        R = self._Record
        with self._lock:
            frames = [bytes(f) for (f,) in _tuples(R.select(R.frame).where(R.day == day).order_by(R.seq))]
        return [parse_frame(frame).record for frame in frames]

    def check_integrity(self) -> list[str]:
        """Re-verify the stored chain from the frames themselves; an empty list means all holds.

        SQLite's own check, then for every record: the frame parses, its hash is the stored hash, it
        is this kiosk's, the signature verifies with our key, sequence numbers have no gaps and each
        names its predecessor's hash (the first one after a prune names the last pruned hash).
        """
        R = self._Record
        problems: list[str] = []
        verifier = Verifier(self.signer.public_key)
        with self._lock:
            # peewee's stubs leave execute_sql unannotated; a DB-API cursor comes back.
            cursor = self._db.execute_sql("PRAGMA quick_check")  # type: ignore[no-untyped-call]
            result = [row[0] for row in cursor.fetchall()]
            if result != ["ok"]:
                problems.extend(f"sqlite: {line}" for line in result)
            pruned = self._get(_PRUNED_KEY)
            rows = R.select(R.seq, R.hash, R.frame).order_by(R.seq)
            if pruned is None:
                expect_seq, expect_hash = 1, GENESIS_HASH
            else:
                seq_text, hash_text = pruned.decode("ascii").split(":")
                expect_seq, expect_hash = int(seq_text) + 1, hash_text
            for seq, stored_hash, frame in _tuples(rows):
                problem = self._check_one(verifier, seq, stored_hash, bytes(frame), expect_seq, expect_hash)
                if problem:
                    problems.append(problem)
                expect_seq, expect_hash = seq + 1, stored_hash
        return problems

    def _check_one(
        self, verifier: Verifier, seq: int, stored_hash: str, frame: bytes, expect_seq: int, expect_hash: str
    ) -> str | None:
        if seq != expect_seq:
            return f"record {seq}: expected record {expect_seq} (records missing)"
        try:
            signed = parse_frame(frame)
            verifier.verify(signed.data, signed.signature)
        except ProtocolError as err:
            return f"record {seq}: {err}"
        if signed.hash != stored_hash or record_hash(signed.data) != stored_hash:
            return f"record {seq}: stored hash does not match the frame"
        if signed.record.seq != seq or signed.record.kiosk != self.kiosk_id:
            return f"record {seq}: frame names kiosk {signed.record.kiosk} record {signed.record.seq}"
        if signed.record.prev != expect_hash:
            return f"record {seq}: does not name the hash of record {seq - 1}"
        return None

    def close(self) -> None:
        with self._lock:
            if not self._db.is_closed():
                self._db.close()

    # -- internals -----------------------------------------------------------------------------

    def _load_head(self) -> ChainHead:
        R = self._Record
        row = R.select(R.seq, R.hash).order_by(R.seq.desc()).first()
        return ChainHead() if row is None else ChainHead(seq=row.seq, hash=row.hash)

    def _load_acked_seq(self) -> int:
        R = self._Record
        first_unacked = R.select(pw.fn.MIN(R.seq)).where(R.acked == False).scalar()  # noqa: E712
        if first_unacked is not None:
            return int(first_unacked) - 1
        return self._head.seq

    def _space_low(self) -> bool:
        """A write that failed as a generic I/O error on an (almost) full disk is a full disk too."""
        try:
            stat = os.statvfs(self.path.parent)
        except OSError:
            return False
        return stat.f_bavail * stat.f_frsize < LOW_SPACE_BYTES

    def counter_total(self, device: str) -> int | None:
        """The counter reading up to which `device`'s units are stored (None: never counted here)."""
        value = self._get(_COUNTER_KEY + device)
        try:
            return None if value is None else int(value)
        except ValueError:
            log.warning("unreadable saved total of counter %s: counting starts afresh", device)
            return None

    def _put(self, key: str, value: bytes) -> None:
        S = self._Setting
        with self._lock:
            try:
                with self._db.atomic():
                    S.insert(key=key, value=value).on_conflict_replace().execute()
            except (pw.DatabaseError, sqlite3.Error, OSError) as err:
                if _is_disk_full(err):
                    raise StorageFull(f"no space left to save {key}") from err
                raise StoreError(f"cannot save {key}: {err}") from err

    def _get(self, key: str) -> bytes | None:
        S = self._Setting
        with self._lock:
            row: Any = S.select(S.value).where(S.key == key).first()
        return None if row is None else bytes(row.value)
