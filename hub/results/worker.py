"""Daily results: stored per inmate and day, recomputed within a second of a new record.

`Results.on_committed(records)` is the hook the ingest calls after it commits records (from its own
thread). It only queues them; one worker thread folds them into a per-month cache of facts,
recomputes exactly the line-days they touch with the engine (`hub.engine.compute.compute_line_day`)
and replaces those line-days' rows in `DailyResult`, then tells listeners (`on_change`) which
line-days changed, so the wall board and the line plans refresh. Under load the worker takes
everything queued at once, so a burst of records costs one recomputation per line-day.

Each row keeps the engine's exact values (fractions as `n/d` text, what `floorledger verify`
re-derives) beside the rounded values the board shows, and the rule-set version and digest that
produced them. Its engine input is THE month input (`hub.results.inputs.month_input`), fed the
facts this worker keeps cached. Months are recomputed whole on demand (`recompute_month`), e.g.
after a master-data change or for an audit.

Ingest workers in other processes (`floorledger hub ingest`) cannot call the hook, so the worker also
follows the kiosks' chain heads in the database every `follow_s` (0.5 s): a head beyond what it has
folded in means records committed elsewhere, read back by (kiosk, seq) and folded in like the hook's.
Heads, not row ids, are followed because a head only moves in the transaction that stored every
record below it, on SQLite and PostgreSQL alike (a PostgreSQL id can commit before a smaller one).

A following worker writes how far it has computed (`ResultsProgress`: per kiosk, every record up to
`seq` is in the stored rows; and the ledger entry up to which master-data changes and dashboard
corrections are) after each batch it stored, so `floorledger verify` can tell results still being
computed from results that disagree with the records (docs/audit.md, "pending").
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

import peewee as pw

from hub.engine.compute import MonthIndex, compute_line_day, summarize
from hub.engine.errors import EngineError
from hub.engine.exact import shown
from hub.engine.model import DailyRecord, Discrepancy, Month, MonthResult
from hub.engine.rules import RuleBook
from hub.masterdata import queries as md_queries
from hub.results import facts as fx
from hub.results import inputs
from hub.results.inputs import MonthInputs
from hub.store.db import write_transaction
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.results import LEDGER_PROGRESS, ResultsProgress
from hub.store.results import DailyResult as DailyResult
from hub.store.results import DiscrepancyFlag as DiscrepancyFlag

log = logging.getLogger(__name__)

LineDayKey = tuple[str, date]
CAPTURE_RECORD_TYPES = frozenset({"grade", "reject"})  # kiosk records ingest applies as capture rows
MAX_CACHED_MONTHS = 3
FOLLOW_INTERVAL_S = 0.5  # commits of other processes reach the results within this (plus computing)
ChangeListener = Callable[[list[LineDayKey]], None]


def _row(r: DailyRecord, rule_version: str, digest: str, now_ms: int) -> dict[str, Any]:
    pct = r.completion_pct
    return {
        "inmate": r.inmate,
        "day": r.day.isoformat(),
        "line": r.line,
        "product": r.product,
        "step": r.step,
        "mode": r.mode,
        "standard_seconds": str(r.standard_seconds),
        "standard_from": r.standard_from.isoformat(),
        "quota_std_seconds": str(r.quota_std_seconds),
        "earned_std_seconds": str(r.earned_std_seconds),
        "done_units_exact": str(r.done_units),
        "quota_units": shown(r.quota_units),
        "done_units": shown(r.done_units),
        "diff_units": shown(r.diff_units),
        "completion_pct": None if pct is None else shown(pct),
        "rule_set_version": rule_version,
        "rule_set_digest": digest,
        "computed_ms": now_ms,
    }


def _flag_row(d: Discrepancy) -> dict[str, Any]:
    return {
        "day": d.day.isoformat(),
        "line": d.line,
        "product": d.product,
        "step": d.step,
        "counted_units": shown(d.counted_units),
        "warehoused_units": shown(d.warehoused_units),
    }


def exact(text: str) -> Fraction:
    return Fraction(text)


# --- queries for the board, the plans and the dashboard ----------------------------------------------


def line_day_rows(line: str, day: date) -> list[DailyResult]:
    return list(DailyResult.select().where((DailyResult.line == line) & (DailyResult.day == day.isoformat())))


def latest_before(inmates: Sequence[str], day: date) -> dict[str, DailyResult]:
    """Each inmate's most recent result before `day` (yesterday's record on the board and the plan)."""
    out: dict[str, DailyResult] = {}
    if not inmates:
        return out
    latest = (
        DailyResult.select(DailyResult.inmate, pw.fn.MAX(DailyResult.day).alias("last"))
        .where(DailyResult.inmate.in_(list(inmates)) & (DailyResult.day < day.isoformat()))
        .group_by(DailyResult.inmate)
    )
    wanted = {(row.inmate, row.last) for row in latest}  # type: ignore[attr-defined]  # the MAX alias
    if not wanted:
        return out
    days = sorted({d for _, d in wanted})
    for row in DailyResult.select().where(DailyResult.inmate.in_(list(inmates)) & DailyResult.day.in_(days)):
        if (row.inmate, row.day) in wanted:
            out[row.inmate] = row
    return out


def month_rows(month: Month) -> list[DailyResult]:
    first, last = month.first_day.isoformat(), month.last_day.isoformat()
    query = DailyResult.select().where((DailyResult.day >= first) & (DailyResult.day <= last))
    return list(query.order_by(DailyResult.day, DailyResult.line, DailyResult.inmate))


# --- computing -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _MonthCache:
    """A month's records by (kiosk, seq) in commit order, and the engine inputs derived from them so
    far (`builder`, None until derived or after a correction), so a new record costs no database read
    and no pass over the whole month."""

    records: dict[tuple[str, int], fx.FactRecord]
    builder: fx.FactsBuilder | None = None
    ignored: list[str] = field(default_factory=list)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Results:
    """Keeps `DailyResult` up to date; see the module docstring.

    `rule_book()` gives the rules in force (default: the master data's rule-set versions);
    `today()` the site's local date (for the month a master-data change recomputes).
    """

    def __init__(
        self,
        db: pw.Database,
        *,
        today: Callable[[], date],
        rule_book: Callable[[], RuleBook] | None = None,
        clock_ms: Callable[[], int] = _now_ms,
        follow_s: float | None = FOLLOW_INTERVAL_S,
    ) -> None:
        self.db = db
        self.today = today
        self.rule_book = rule_book or md_queries.rule_book
        self.clock_ms = clock_ms
        self._listeners: list[ChangeListener] = []
        self._cache: dict[Month, _MonthCache] = {}
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._pending = 0
        self.recomputations = 0  # line-days recomputed since start (for benchmarks and tests)
        self.follow_s = follow_s  # None: only the hook (tests of one process, the CLI)
        self._heads: dict[str, int] = {}  # kiosk -> highest seq folded in (worker thread after start)
        self._written: dict[str, int] = {}  # the heads last written to ResultsProgress
        # the heads read at start are a claim the first month recomputation makes true (the app asks
        # for it at start): no progress is written before one
        self._progress_ready = False
        self._ledger_done = 0  # the ledger entry up to which master data and corrections are computed
        self._last_follow = 0.0

    # --- wiring -------------------------------------------------------------------------------------

    def on_change(self, listener: ChangeListener) -> None:
        """`listener(line_days)` after rows of those line-days were replaced; runs on the worker thread."""
        self._listeners.append(listener)

    def on_committed(self, records: Sequence[Any]) -> None:
        """Ingest's hook: records just committed (rows, SignedRecords or FactRecords). Never blocks."""
        self._submit("records", [fx.as_fact(r) for r in records])

    def on_master_change(self, action: str) -> None:
        """Master data changed: recompute the current month (earlier months on demand)."""
        self._submit("month", Month.of(self.today()))

    def request_month(self, month: Month) -> None:
        """Recompute a whole month in the background (the hub's start: records other processes
        committed while this one was down are folded in)."""
        self._submit("month", month)

    def request_day(self, day: date) -> None:
        """Compute every line-day of `day` even before any record (a new day's quotas)."""
        self._submit("day", day)

    def start(self) -> None:
        """Start the worker. With `follow_s`, the kiosks' heads now are the starting point: what was
        committed before is in the stored results already (or in the month the app recomputes)."""
        if self._thread is None:
            if self.follow_s is not None:
                self._heads = self._read_heads()
                self._last_follow = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="results", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._queue.put(("stop", None))
            self._thread.join(timeout)
            self._thread = None
        self.db.close()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is computed and stored (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def _submit(self, kind: str, item: Any) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put((kind, item))

    def _run(self) -> None:
        while True:
            try:
                kind, item = self._queue.get(timeout=self.follow_s)
            except queue.Empty:  # only with follow_s: time to look at the heads
                kind, item = "follow", None
            batch = [(kind, item)]
            while True:  # take everything queued: one recomputation per line-day per burst
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(k == "stop" for k, _ in batch)
            work = [(k, i) for k, i in batch if k not in ("stop", "follow")]
            failed = False
            try:
                self._process(work)
            except Exception:  # the worker must survive anything one batch does
                failed = True
                log.exception("recomputing results failed")
            finally:
                with self._idle:
                    self._pending -= len(work)
                    self._idle.notify_all()
                # a follower looks at the heads twice a second: it keeps its connection between looks
                if stop or failed or self.follow_s is None:
                    self.db.close()
            if stop:
                return

    def _process(self, work: list[tuple[str, Any]]) -> None:
        records = [r for k, items in work if k == "records" for r in items]
        if self.follow_s is not None:
            records = self._note_hooked(records)
            if time.monotonic() - self._last_follow >= self.follow_s:
                self._last_follow = time.monotonic()
                records.extend(self._follow_heads())
        months = {i for k, i in work if k == "month"}
        days = {i for k, i in work if k == "day"}
        # a master-data change or a dashboard correction asks for a month or a day after its act was
        # committed: what the ledger holds now is in the rows once they are recomputed
        ledger_seen = inputs.ledger_size() if (months or days) and self.follow_s is not None else None
        if records:
            self.process_records(records)
        for day in sorted(days):
            if Month.of(day) not in months:
                self.recompute_day(day)
        for month in sorted(months):
            self.recompute_month(month)
        self._progress_ready = self._progress_ready or bool(months)
        if ledger_seen is not None:
            self._ledger_done = max(self._ledger_done, ledger_seen)
        if self.follow_s is not None and self._progress_ready:
            self._write_progress()

    def _write_progress(self) -> None:
        """Record the heads whose records are all in the stored rows now (after storing them: a
        reader in between sees the older heads, i.e. more results pending, never fewer)."""
        done = {**self._heads, LEDGER_PROGRESS: self._ledger_done} if self._ledger_done else self._heads
        changed = {k: seq for k, seq in done.items() if self._written.get(k) != seq}
        if not changed:
            return
        now = self.clock_ms()
        with write_transaction(self.db):
            for kiosk, seq in sorted(changed.items()):
                ResultsProgress.insert(kiosk=kiosk, seq=seq, updated_ms=now).on_conflict(
                    conflict_target=[ResultsProgress.kiosk],
                    update={ResultsProgress.seq: seq, ResultsProgress.updated_ms: now},
                ).execute()
        self._written.update(changed)

    # --- synchronous API (the worker's steps; also for tests, seeding and the CLI) ------------------

    def process_records(self, records: Sequence[fx.FactRecord]) -> list[LineDayKey]:
        """Fold new records in and recompute the line-days they touch; returns those line-days."""
        by_month: dict[Month, list[fx.FactRecord]] = {}
        corrections = [r for r in records if r.type == "correction"]
        for r in records:
            day = _body_day(r)
            if day is not None and r.type in fx.ENGINE_TYPES:
                by_month.setdefault(Month.of(day), []).append(r)
        for r in corrections:  # the month of the record a correction names
            for month in self._months_of_correction(r):
                by_month.setdefault(month, [])
        # rule book v2 grades and rejects from kiosks: ingest applied them as capture rows (read by
        # `inputs.month_input`) in the transaction that stored them, so their days are recomputed
        # here, whichever process committed them
        capture_days = sorted(
            {d for r in records if r.type in CAPTURE_RECORD_TYPES and (d := _body_day(r)) is not None}
        )
        changed: list[LineDayKey] = []
        for month, new in sorted(by_month.items()):
            cache = self._month_cache(month)
            fresh = [r for r in new if (r.kiosk, r.seq) not in cache.records]
            for r in [*new, *corrections]:
                cache.records.setdefault((r.kiosk, r.seq), r)
            if corrections:
                cache.builder = None  # corrections change earlier records: derive the month again
            elif cache.builder is not None:
                cache.builder.add(fresh)
            index = self._index(month)
            keys = self._touched(index, new, corrections, cache)
            if keys:
                self._store_line_days(index, keys)
                changed.extend(sorted(keys, key=lambda k: (k[1], k[0])))
        self._notify(changed)
        for day in capture_days:
            changed.extend(self.recompute_day(day))
        return changed

    def recompute_day(self, day: date) -> list[LineDayKey]:
        index = self._index(Month.of(day), reload=False)
        keys = {key for key in index.line_days() if key[1] == day}
        self._store_line_days(index, keys, whole_days={day})
        self._notify(sorted(keys))
        return sorted(keys)

    def recompute_month(self, month: Month) -> MonthResult:
        """Recompute and store a whole month from the database (reloading its records)."""
        index = self._index(month, reload=True)
        keys = set(index.line_days())
        result = self._store_line_days(index, keys, whole_month=month)
        self._notify(sorted(keys, key=lambda k: (k[1], k[0])))
        return result

    def month_input(self, month: Month, *, reload: bool = True) -> MonthInputs:
        """The engine inputs of a month (through today, for a month in progress), from this worker's
        cache of the month's facts (`hub.results.inputs.month_input` reads the rest)."""
        if reload:
            self._cache.pop(month, None)
        cache = self._month_cache(month)
        if cache.builder is None:
            effective, cache.ignored = fx.apply_corrections(list(cache.records.values()))
            for note in cache.ignored:
                log.warning("%s", note)
            cache.builder = fx.FactsBuilder()
            cache.builder.add(effective)
        derived = cache.builder.facts(month, cache.ignored)
        return inputs.month_input(
            self.db, month, through=self.today(), facts=derived, rule_book=self.rule_book
        )

    # --- following other processes' commits ------------------------------------------------------------

    def _read_heads(self) -> dict[str, int]:
        was_closed = self.db.is_closed()  # the caller's thread keeps no connection it did not have
        try:
            return {str(k.id): int(k.head_seq) for k in Kiosk.select(Kiosk.id, Kiosk.head_seq)}
        finally:
            if was_closed:
                self.db.close()

    def _note_hooked(self, records: list[fx.FactRecord]) -> list[fx.FactRecord]:
        """Drop hooked records already folded in; move a kiosk's followed head over a run that
        continues it. A run that does not (another process committed the records before it) leaves
        the head where it is, so following reads the missing ones; a record read twice only costs a
        recomputation (the month cache keeps one copy)."""
        fresh = [r for r in records if r.seq > self._heads.get(r.kiosk, 0)]
        for r in sorted(fresh, key=lambda r: (r.kiosk, r.seq)):
            if r.seq == self._heads.get(r.kiosk, 0) + 1:
                self._heads[r.kiosk] = r.seq
        return fresh

    def _follow_heads(self) -> list[fx.FactRecord]:
        """Records committed beyond the heads folded in so far (by ingest workers of other processes)."""
        found: list[fx.FactRecord] = []
        for kiosk, head in sorted(self._read_heads().items()):
            seen = self._heads.setdefault(kiosk, 0)  # a kiosk enrolled since: its progress is 0
            if head <= seen:
                continue
            rows = (
                KioskRecord.select()
                .where((KioskRecord.kiosk == kiosk) & (KioskRecord.seq > seen) & (KioskRecord.seq <= head))
                .order_by(KioskRecord.seq)
            )
            found.extend(fx.as_fact(row) for row in rows)
            self._heads[kiosk] = head
        if found:
            log.debug("following heads: %d records committed by other processes", len(found))
        return found

    # --- internals -----------------------------------------------------------------------------------

    def _month_cache(self, month: Month) -> _MonthCache:
        cache = self._cache.get(month)
        if cache is None:
            while len(self._cache) >= MAX_CACHED_MONTHS:  # old months are recomputed from the database
                del self._cache[min(self._cache)]
            loaded = inputs.load_records(month.first_day, month.last_day)
            cache = self._cache[month] = _MonthCache({(r.kiosk, r.seq): r for r in loaded})
        return cache

    def _months_of_correction(self, correction: fx.FactRecord) -> set[Month]:
        ref = KioskRecord.get_or_none(
            (KioskRecord.kiosk == correction.body["ref_kiosk"])
            & (KioskRecord.seq == correction.body["ref_seq"])
        )
        months: set[Month] = set()
        if ref is not None and ref.day:
            months.add(Month.of(date.fromisoformat(ref.day)))
        new_day = dict(correction.body["values"]).get("day")
        if isinstance(new_day, str):
            with contextlib.suppress(ValueError):
                months.add(Month.of(date.fromisoformat(new_day)))
        return months

    def _index(self, month: Month, *, reload: bool = False) -> MonthIndex:
        read = self.month_input(month, reload=reload)
        return MonthIndex(read.inputs, read.rule_set)

    def _touched(
        self,
        index: MonthIndex,
        new: Sequence[fx.FactRecord],
        corrections: Sequence[fx.FactRecord],
        cache: _MonthCache,
    ) -> set[LineDayKey]:
        """Line-days whose inputs the new records (and the records corrections name) feed."""
        bodies: list[Any] = [r.body for r in new if r.type in fx.ENGINE_TYPES]
        for c in corrections:
            target = cache.records.get((str(c.body["ref_kiosk"]), int(c.body["ref_seq"])))
            if target is not None:
                bodies.append(target.body)
                bodies.append({**target.body, **dict(c.body["values"])})
        keys: set[LineDayKey] = set()
        assignments = index.inputs.assignments
        for body in bodies:
            try:
                day = date.fromisoformat(str(body.get("day")))
            except ValueError:
                continue
            if "person" in body:
                n = index.assignment_index(str(body["person"]), day)
                if n is not None:
                    keys.add((assignments[n].line, day))
            elif "line" in body and (str(body["line"]), day) in index.groups:
                keys.add((str(body["line"]), day))
        return keys

    def _store_line_days(
        self,
        index: MonthIndex,
        keys: Iterable[LineDayKey],
        *,
        whole_days: set[date] | None = None,
        whole_month: Month | None = None,
    ) -> MonthResult:
        rule_set = index.rule_set
        now = self.clock_ms()
        daily: list[DailyRecord] = []
        flags: list[Discrepancy] = []
        ordered = sorted(keys, key=lambda k: (k[1], k[0]))
        for line, day in ordered:
            try:
                result = compute_line_day(index, line, day)
            except EngineError as err:  # e.g. a step without a standard time yet: keep the old rows
                log.error("cannot compute line %s on %s: %s", line, day, err)
                continue
            daily.extend(result.records)
            flags.extend(result.discrepancies)
        self.recomputations += len(ordered)
        rows = [_row(r, rule_set.version, rule_set.digest, now) for r in daily]
        with write_transaction(self.db):
            if whole_month is not None:
                first, last = whole_month.first_day.isoformat(), whole_month.last_day.isoformat()
                DailyResult.delete().where((DailyResult.day >= first) & (DailyResult.day <= last)).execute()
                DiscrepancyFlag.delete().where(
                    (DiscrepancyFlag.day >= first) & (DiscrepancyFlag.day <= last)
                ).execute()
            for day in sorted(whole_days or ()):
                DailyResult.delete().where(DailyResult.day == day.isoformat()).execute()
                DiscrepancyFlag.delete().where(DiscrepancyFlag.day == day.isoformat()).execute()
            for line, day in ordered:
                text = day.isoformat()
                DailyResult.delete().where((DailyResult.line == line) & (DailyResult.day == text)).execute()
                DiscrepancyFlag.delete().where(
                    (DiscrepancyFlag.line == line) & (DiscrepancyFlag.day == text)
                ).execute()
            # an inmate moved to another line that day leaves no stale row on the old line
            by_day: dict[str, list[str]] = {}
            for r in daily:
                by_day.setdefault(r.day.isoformat(), []).append(r.inmate)
            for text, inmates in by_day.items():
                DailyResult.delete().where(
                    (DailyResult.day == text) & DailyResult.inmate.in_(inmates)
                ).execute()
            for start in range(0, len(rows), 200):
                DailyResult.insert_many(rows[start : start + 200]).execute()
            if flags:
                DiscrepancyFlag.insert_many([_flag_row(d) for d in flags]).execute()
        return summarize(index, daily, flags)

    def _notify(self, changed: list[LineDayKey]) -> None:
        if not changed:
            return
        for listener in list(self._listeners):
            try:
                listener(changed)
            except Exception:  # a broken board must not stop results
                log.exception("results listener failed")


def _body_day(r: fx.FactRecord) -> date | None:
    try:
        return date.fromisoformat(str(r.body.get("day")))
    except ValueError:
        return None
