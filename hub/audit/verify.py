"""`floorledger verify`: check the hub's database against the signed bytes it holds, and nothing else.

What is trusted: each kiosk record's frame (signed by the kiosk), each ledger entry's frame and each
checkpoint's frame (signed by the hub, whose public key the auditor brings). Kiosk keys are taken
from the hub-signed enrollment and rotation acts in the ledger, so a key slipped into the `kiosk`
table cannot make forged records look genuine. Everything else (parsed columns, chain heads, key
tables, the log's leaf table) is checked against those signed bytes, and every row that differs is
reported:

1. the ledger: one unbroken chain from entry 1, every entry signed by the hub, columns = entry;
2. kiosks: the `kiosk` and `kiosk_key_history` rows agree with the signed acts;
3. records: every frame parses and verifies against one of its kiosk's keys; every parsed column
   equals what the frame says; per kiosk the signed sequence numbers run 1..head without a gap and
   each names its predecessor's hash; the kiosk's stored head is its last record;
4. the log: leaves 0..n-1 without a gap, each the hash of an existing row's frame; every checkpoint
   is signed, its columns equal its frame and its root is the root of the first `tree_size` leaves;
   checkpoints held outside the hub (`hub.audit.witness`): every checkpoint a kiosk witnessed in its
   chain, and every one given with `--expect`, is signed by the hub and still the root of the first
   `tree_size` leaves of today's log (else the log was rewound behind it); the report ends with
   today's log size and root and the latest signed checkpoint;
5. master data (`hub.audit.masterdata`): every row of every master-data table (areas, lines,
   products, steps, standard times, inmates, officers, badges, posts, workdays, rule-set versions)
   equals the row the hub-signed master-data acts make when replayed in ledger order
   (`hub.masterdata.replay`): a row inserted, deleted or edited in SQL is reported with its table,
   key, column, stored and signed value;
6. monthly scores (`hub.audit.months`): every `assess_month_approval` and `assess_adjustment` row
   equals what the hub-signed `month.*` acts say (none inserted, edited, deleted, voided or revived
   in SQL), and every approval in force carries the digest of its area's monthly scores as
   re-derived from the signed records (as of the approval), the master data, the rule book and the
   ledger's adjustments and corrections; every `assess_published_month` and `review_month_answer`
   row (the inmates' month: 公示, 复核) equals its hub-signed `month.publish` / `month.review_answer`
   act (`hub.audit.publication`);
7. weekly reviews (`hub.audit.weeks`): every `assess_week_signoff` and `assess_published_week` row
   equals what the hub-signed `week.signoff` / `week.publish` acts say (signer, digest, publication
   window, and the published numbers to the digit; none inserted, edited or deleted in SQL), and each
   act's digest is the digest of the area's week re-derived from the signed records as of the act;
8. daily results: every stored month's daily records, re-derived from the signed records with the
   master data and rule book, equal the `daily_result` rows.

Everything is read in ONE snapshot (`hub.audit.snapshot`: one read transaction whose connection every
reading thread borrows), so a hub at work is checked as it was at one moment; daily results of
records the results worker has not computed yet are reported as pending, not as findings
(`hub.audit.pending`).

Record signatures dominate the cost, so records are checked in chunks by a pool of processes, while
the log pass, the master data (a replay of the ledger's acts, one hub signature each, and one read
of each small table) and sections 6 to 8 (`hub.audit.derived`) run beside it on threads. Sections 6
to 8 parse each month's frames once between them; a month whose approvals were all given after its
last record costs one engine computation more than its daily results, and the weekly acts of a month
one engine index per distinct day they were given on (plus the line-days of their areas' weeks).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import peewee

from floorledger.base import i18n
from hub.audit.deliveries import check_deliveries
from hub.audit.derived import check_derived
from hub.audit.masterdata import TITLE as MASTERDATA_TITLE
from hub.audit.masterdata import check_masterdata
from hub.audit.report import Report, Section, finding, short
from hub.audit.snapshot import Snapshot, read_snapshot
from hub.audit.witness import Claim, LogTrack, check_claims, load_witnesses, summarize
from hub.ledger import merkle
from hub.ledger.checkpoints import SOURCE_LEDGER, SOURCE_RECORD
from hub.ledger.entries import (
    KIOSK_ENROLL,
    KIOSK_REVOKE,
    KIOSK_ROTATE,
    LedgerError,
    parse_entry,
    verify_entries,
)
from hub.ledger.entries import read_rows as read_ledger_rows
from hub.store.kiosks import (
    RECORD_PARSED_COLUMNS,
    REVOKED,
    Kiosk,
    KioskKeyHistory,
    KioskRecord,
    record_columns,
)
from hub.store.ledger import LedgerEntry, LogLeaf, StoredCheckpoint
from protocol import canonical
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame
from protocol.records import GENESIS_HASH, body_to_dict, parse_frame
from protocol.signing import SIGNATURE_SIZE, Verifier, b64decode

CHUNK = 4000
# --- kiosk keys from the signed ledger -------------------------------------------------------------


# A key's period: (key, after, upto): it signs the kiosk's records after..upto (upto None: no end yet;
# after 0 and upto None for a rotation act that predates the recorded chain head, which bounds nothing)
KeyPeriod = tuple[bytes, int, int | None]


@dataclass(slots=True)
class KioskAct:
    keys: list[bytes] = field(default_factory=list)
    revoked: bool = False
    periods: list[KeyPeriod] = field(default_factory=list)
    revoked_after: int | None = None  # the last record signed before the revocation, as the act says
    revoke_entry: int | None = None
    unbounded: list[int] = field(default_factory=list)  # acts that record no chain head (older hubs)


def _head_seq(payload: dict[str, Any]) -> int | None:
    value = payload.get("head_seq")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class Framed(Protocol):
    """A ledger entry as signed (a stored `EntryRow`, or an entry an evidence bundle carries)."""

    @property
    def frame(self) -> bytes: ...


def kiosk_acts(rows: Iterable[Framed], hub_key: Verifier | None) -> dict[str, KioskAct]:
    """Each kiosk's keys (in order), the records each key may sign and the revocation, as the
    hub-signed ledger entries say; an entry whose hub signature fails admits no key (the ledger check
    reports it). A rotation or revocation act records the kiosk's chain head at that moment.
    `rows` in ledger order; `floorledger verify` and `verify-bundle` both read kiosk keys here."""
    acts: dict[str, KioskAct] = {}
    for row in rows:
        try:
            content, data, signature = parse_entry(row.frame)
            if hub_key is not None:
                hub_key.verify(data, signature)
        except (LedgerError, ProtocolError):
            continue
        kiosk = content.payload.get("kiosk")
        if not isinstance(kiosk, str):
            continue
        act = acts.setdefault(kiosk, KioskAct())
        if content.action in (KIOSK_ENROLL, KIOSK_ROTATE):
            try:
                key = b64decode(str(content.payload.get("public_key", "")))
            except ProtocolError:
                continue
            head = _head_seq(content.payload) if content.action == KIOSK_ROTATE else 0
            if head is None:  # no bound recorded: every key the kiosk ever held may sign any record
                act.unbounded.append(content.index)
                act.periods = [(old, 0, None) for old, _, _ in act.periods]
                act.periods.append((key, 0, None))
            else:
                act.periods = [
                    (old, after, head if upto is None else upto) for old, after, upto in act.periods
                ]
                act.periods.append((key, head, None))
            act.keys.append(key)
        elif content.action == KIOSK_REVOKE:
            act.revoked = True
            head = _head_seq(content.payload)
            if head is None:
                act.unbounded.append(content.index)
            elif act.revoked_after is None:
                act.revoked_after, act.revoke_entry = head, content.index
    return acts


def _check_kiosks(acts: dict[str, KioskAct], section: Section) -> None:
    for row in Kiosk.select().order_by(Kiosk.id):
        section.checked += 1
        act = acts.get(row.id)
        if act is None or not act.keys:
            section.findings.append(finding("kiosk.no_enroll", kiosk=row.id))
            continue
        if bytes(row.public_key) != act.keys[-1]:
            section.findings.append(finding("kiosk.key", kiosk=row.id))
        if (row.status == REVOKED) != act.revoked:
            section.findings.append(finding("kiosk.status", kiosk=row.id, status=repr(row.status)))
    for hist in KioskKeyHistory.select().order_by(KioskKeyHistory.id):
        section.checked += 1
        act = acts.get(hist.kiosk)
        if act is None or bytes(hist.public_key) not in act.keys:
            section.findings.append(finding("kiosk.history", id=hist.id, kiosk=hist.kiosk))


# --- records (in worker processes) -----------------------------------------------------------------

RecordRow = tuple[
    Any, ...
]  # id, kiosk, seq, hash, prev, type, day, line, person, wall_ms, mono_ms, boot, body, frame
_COLUMNS = RECORD_PARSED_COLUMNS
# per kiosk: each key's verifier and the records it may sign, and (revoked after record, ledger entry)
KioskPlan = tuple[list[KeyPeriod], tuple[int, int] | None]
_verifiers: dict[str, list[tuple[Verifier, int, int | None]]] = {}
_revoked: dict[str, tuple[int, int]] = {}


def key_plans(acts: dict[str, KioskAct]) -> dict[str, KioskPlan]:
    """What the record check needs of `kiosk_acts` (plain tuples: it crosses to worker processes)."""
    return {
        kiosk: (
            list(act.periods),
            None
            if act.revoked_after is None or act.revoke_entry is None
            else (act.revoked_after, act.revoke_entry),
        )
        for kiosk, act in acts.items()
    }


def period_verifiers(periods: Iterable[KeyPeriod]) -> list[tuple[Verifier, int, int | None]]:
    """Each usable key of `periods` as a verifier with the stretch of the chain it may sign."""
    good = []
    for key, after, upto in periods:
        try:
            good.append((Verifier(key), after, upto))
        except ProtocolError:
            continue
    return good


def _init_worker(plans: dict[str, KioskPlan]) -> None:
    _verifiers.clear()
    _revoked.clear()
    for kiosk, (periods, revoked) in plans.items():
        _verifiers[kiosk] = period_verifiers(periods)
        if revoked is not None:
            _revoked[kiosk] = revoked


Signed = tuple[str, int, str, str]  # kiosk, seq, prev, hash as signed


def _check_chunk(rows: Sequence[RecordRow]) -> list[tuple[list[str], Signed | None]]:
    """Per row: its findings, and the chain position its frame signs (None if the frame is no record)."""
    out: list[tuple[list[str], Signed | None]] = []
    for row in rows:
        rid, frame = row[0], row[13]
        where = {"id": rid, "kiosk": row[1], "seq": row[2]}
        try:
            signed = parse_frame(frame)
        except ProtocolError as err:
            out.append(([finding("record.not_record", **where, error=str(err))], None))
            continue
        problems: list[str] = []
        record = signed.record
        verifiers = _verifiers.get(record.kiosk, [])
        if not verifiers:
            problems.append(finding("record.no_key", **where, signer=record.kiosk))
        else:
            problems.extend(
                finding(f"record.{kind}", **where, **values)
                for kind, values in key_problems(
                    record.kiosk,
                    record.seq,
                    signed.data,
                    signed.signature,
                    verifiers,
                    _revoked.get(record.kiosk),
                )
            )
        body = record.body
        try:
            expected = record_columns(signed)
        except ValueError as err:
            out.append(([finding("record.not_canonical", **where, error=str(err))], None))
            continue
        for name, stored, says in zip(_COLUMNS, row[1:13], expected, strict=True):
            if name == "body" and stored != says:
                problems.extend(_body_diff(where, stored, body_to_dict(body)))
            elif stored != says:
                problems.append(
                    finding(
                        "record.column", **where, name=_column(name), stored=short(stored), says=short(says)
                    )
                )
        out.append((problems, (record.kiosk, record.seq, record.prev, signed.hash)))
    return out


def _body_diff(where: dict[str, Any], stored: Any, signed: dict[str, Any]) -> list[str]:
    """Which body fields the stored JSON changes, e.g. `body.units is 99 but the signed record says 10`."""
    try:
        parsed = json.loads(stored)
    except (TypeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict):
        return [finding("record.body_not_json", **where, stored=short(stored))]
    lines: list[str] = [
        finding(
            "record.body",
            **where,
            field=_column(key),
            stored=short(parsed.get(key)),
            says=short(signed.get(key)),
        )
        for key in sorted(set(parsed) | set(signed))
        if parsed.get(key) != signed.get(key) or (key in parsed) != (key in signed)
    ]
    return lines or [finding("record.body_not_canonical", **where)]


KeyProblem = tuple[str, dict[str, Any]]
"""A kind (`bad_signature`, `key_period`, `after_revoke`: texts `verify.k.<kind>`) and its values."""


def key_problems(
    kiosk: str,
    seq: int,
    data: bytes,
    signature: bytes,
    verifiers: Sequence[tuple[Verifier, int, int | None]],
    revoked: tuple[int, int] | None,
) -> list[KeyProblem]:
    """The record must be signed by a key the ledger admitted for the kiosk at that point of its chain
    (after the key's admission, up to its rotation) and come no later than the kiosk's revocation
    (`revoked`: the last record before it and its ledger entry, `key_plans`). Pure; `verify-bundle`
    holds a bundle's records to the same bounds."""
    periods = [(after, upto) for verifier, after, upto in verifiers if _verifies(verifier, data, signature)]
    if not periods:
        return [("bad_signature", {"signer": kiosk})]
    problems: list[KeyProblem] = []
    if not any(after < seq and (upto is None or seq <= upto) for after, upto in periods):
        spans = ", ".join(f"{after + 1}..{'' if upto is None else upto}" for after, upto in periods)
        problems.append(("key_period", {"signer": kiosk, "spans": spans}))
    if revoked is not None and seq > revoked[0]:
        problems.append(("after_revoke", {"signer": kiosk, "entry": revoked[1], "after": revoked[0]}))
    return problems


def _verifies(verifier: Verifier, data: bytes, signature: bytes) -> bool:
    try:
        verifier.verify(data, signature)
    except ProtocolError:
        return False
    return True


def _record_chunks(db: peewee.Database) -> Iterator[list[RecordRow]]:
    # a raw cursor: peewee's per-column conversion costs more than the signature check's share here
    fields = [KioskRecord.id, *(getattr(KioskRecord, c) for c in _COLUMNS), KioskRecord.frame]
    query = KioskRecord.select(*fields).order_by(KioskRecord.kiosk, KioskRecord.seq, KioskRecord.id)
    cursor = _raw_cursor(db, query)
    try:
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            yield [(*row[:13], bytes(row[13])) for row in rows]
    finally:
        cursor.close()


def _raw_cursor(db: peewee.Database, query: peewee.Query) -> Any:
    """Run a peewee query on a plain DB-API cursor: no per-column conversion, a million rows fast."""
    sql, params = query.sql()
    return db.execute_sql(sql, params)  # type: ignore[no-untyped-call]


class _Chains:
    """Per kiosk, the signed chain as the stored rows run: 1..n, each naming its predecessor."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.heads: dict[str, tuple[int, str]] = {}

    def add(self, row_id: int, signed: Signed) -> None:
        kiosk, seq, prev, digest = signed
        last_seq, last_hash = self.heads.get(kiosk, (0, GENESIS_HASH))
        where = {"id": row_id, "kiosk": kiosk}
        if seq == last_seq + 1 and prev != last_hash:
            self.section.findings.append(finding("chain.break", **where, seq=seq, last=last_seq))
        elif seq > last_seq + 1:
            missing = f"{last_seq + 1}" if seq == last_seq + 2 else f"{last_seq + 1}..{seq - 1}"
            self.section.findings.append(finding("chain.missing", **where, seq=seq, missing=missing))
        elif seq <= last_seq:
            self.section.findings.append(finding("chain.order", **where, seq=seq, last=last_seq))
            return
        self.heads[kiosk] = (seq, digest)

    def check_heads(self) -> None:
        for row in Kiosk.select(Kiosk.id, Kiosk.head_seq, Kiosk.head_hash).order_by(Kiosk.id):
            seq, digest = self.heads.get(row.id, (0, GENESIS_HASH))
            if (row.head_seq, row.head_hash) != (seq, digest):
                self.section.findings.append(
                    finding("chain.head", kiosk=row.id, stored=row.head_seq, signed=seq)
                )


def _check_records(db: peewee.Database, keys: dict[str, KioskPlan], workers: int, section: Section) -> None:
    chains = _Chains(section)

    def consume(rows: Sequence[RecordRow], results: list[tuple[list[str], Signed | None]]) -> None:
        for row, (problems, signed) in zip(rows, results, strict=True):
            section.checked += 1
            section.findings.extend(problems)
            if signed is not None:
                chains.add(row[0], signed)

    if workers <= 1:
        _init_worker(keys)
        for rows in _record_chunks(db):
            consume(rows, _check_chunk(rows))
    else:
        # spawn, not fork: the caller may run threads (a hub, a test's broker client)
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, initializer=_init_worker, initargs=(keys,)) as pool:
            pending: list[tuple[list[RecordRow], Any]] = []
            for rows in _record_chunks(db):
                pending.append((rows, pool.apply_async(_check_chunk, (rows,))))
                while len(pending) > workers * 3:  # bounded read-ahead keeps memory flat
                    done_rows, result = pending.pop(0)
                    consume(done_rows, result.get())
            for done_rows, result in pending:
                consume(done_rows, result.get())
    chains.check_heads()


def _column(name: str) -> i18n.Label:
    return i18n.Label("verify.col", name)


# --- the Merkle log and checkpoints -----------------------------------------------------------------


def _check_log(
    db: peewee.Database, hub_key: Verifier | None, section: Section, track: LogTrack | None = None
) -> None:
    checkpoints = _load_checkpoints(hub_key, section)
    sizes = sorted({size for size, _ in checkpoints.values()})
    by_size: dict[int, list[tuple[int, str]]] = {}
    for cid, (size, root) in checkpoints.items():
        by_size.setdefault(size, []).append((cid, root))
    builder = merkle.TreeBuilder()
    next_size = 0

    def compare_at(size: int) -> None:
        if size not in by_size:
            return
        root = builder.root().hex()
        for cid, signed_root in by_size.get(size, []):
            if signed_root != root:
                section.findings.append(
                    finding("log.root", id=cid, size=size, signed=signed_root[:16], root=root[:16])
                )

    compare_at(0)
    record = KioskRecord.alias("r")
    entry = LedgerEntry.alias("e")
    query = (
        LogLeaf.select(
            LogLeaf.leaf_index, LogLeaf.source, LogLeaf.ref, LogLeaf.leaf_hash, record.frame, entry.frame
        )
        .join(
            record, peewee.JOIN.LEFT_OUTER, on=(LogLeaf.source == SOURCE_RECORD) & (record.id == LogLeaf.ref)
        )
        .join_from(
            LogLeaf,
            entry,
            peewee.JOIN.LEFT_OUTER,
            on=(LogLeaf.source == SOURCE_LEDGER) & (entry.id == LogLeaf.ref),
        )
        .order_by(LogLeaf.leaf_index)
    )
    cursor = _raw_cursor(db, query)  # raw rows: a million leaves are read here
    rows = iter(lambda: cursor.fetchmany(CHUNK), [])
    for index, source, ref, stored_leaf, rframe, lframe in (row for chunk in rows for row in chunk):
        section.checked += 1
        if index != next_size:
            section.findings.append(finding("log.gap", index=index, first=next_size, last=index - 1))
            next_size = index  # keep going so later checkpoints are still compared
        frame = rframe if source == SOURCE_RECORD else lframe if source == SOURCE_LEDGER else None
        if frame is None:
            table = {SOURCE_RECORD: "kiosk_record", SOURCE_LEDGER: "ledger_entry"}.get(source, source)
            section.findings.append(
                finding("log.orphan", index=index, table=i18n.Label("verify.table", table), ref=ref)
            )
            leaf = bytes.fromhex(stored_leaf)
        else:
            leaf = merkle.leaf_hash(bytes(frame))
            if leaf.hex() != stored_leaf:
                section.findings.append(
                    finding("log.leaf", index=index, source=i18n.Label("verify.table", source), ref=ref)
                )
        builder.append(leaf)
        next_size += 1
        compare_at(next_size)
        if track is not None:
            track.see(builder, leaf)
    cursor.close()
    if track is not None:
        track.finish(builder)
    for size in sizes:
        if size > builder.size:
            for cid, _ in by_size[size]:
                section.findings.append(finding("log.short", id=cid, size=size, held=builder.size))


def _load_checkpoints(hub_key: Verifier | None, section: Section) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    for row in StoredCheckpoint.select().order_by(StoredCheckpoint.id):
        frame = bytes(row.frame)
        try:
            if hub_key is not None:
                message: Checkpoint = open_frame(frame, hub_key, Checkpoint)
            else:
                message = Checkpoint.from_dict(canonical.decode(frame[SIGNATURE_SIZE:]))
        except (ProtocolError, canonical.CanonicalError) as err:
            section.findings.append(finding("checkpoint.unsigned", id=row.id, error=str(err)))
            continue
        for name, stored, says in (
            ("tree_size", row.tree_size, message.tree_size),
            ("root", row.root, message.root),
            ("hub_ms", row.hub_ms, message.hub_ms),
        ):
            if stored != says:
                section.findings.append(
                    finding(
                        "checkpoint.column",
                        id=row.id,
                        name=_column(name),
                        stored=repr(stored),
                        says=repr(says),
                    )
                )
        found[row.id] = (message.tree_size, message.root)
    return found


class _Beside(threading.Thread):
    """A check on its own thread, beside the signature pool (which keeps the other cores busy), reading
    through the snapshot's connection; its exception is re-raised by the caller."""

    def __init__(self, snapshot: Snapshot, check: Callable[[], None], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._snapshot, self._check = snapshot, check
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            with self._snapshot.lend():
                self._check()
        except BaseException as err:  # handed to the caller: an escaping exception would be lost
            self._error = err

    def reraise(self) -> None:
        if self._error is not None:
            raise self._error


# --- the whole check --------------------------------------------------------------------------------


def verify_database(
    db: peewee.Database,
    hub_key: Verifier | None,
    *,
    workers: int | None = None,
    results: bool = True,
    expect: Sequence[Claim] = (),
) -> Report:
    """Check everything listed in the module docstring; the tables must be bound to `db`.

    `results=False` leaves out the three re-derived sections (monthly scores, weekly reviews, daily
    results). `expect`: checkpoints the auditor brings (`hub.audit.witness.parse_expectation`); the
    log must still extend each, as it must extend every checkpoint a kiosk witnessed."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    ledger_section = Section("ledger (officers' acts, hub-signed chain)", key="ledger")
    kiosk_section = Section("kiosks and keys (against the ledger's enrollments)", key="kiosks")
    record_section = Section("kiosk records (signatures, columns, chains)", key="records")
    log_section = Section("Merkle log and checkpoints", key="log")
    held_section = Section("checkpoints held outside the hub (kiosk witnesses, --expect)", key="held")
    masterdata_section = Section(MASTERDATA_TITLE, key="masterdata")
    scores_section = Section("monthly scores (re-derived from the signed records)", key="scores")
    weeks_section = Section("weekly reviews (sign-offs and publications, re-derived)", key="weeks")
    results_section = Section("daily results (re-derived from the signed records)", key="results")
    # daily results stay last: callers read them as `sections[-1]`
    report = Report(
        [
            ledger_section,
            kiosk_section,
            record_section,
            log_section,
            held_section,
            masterdata_section,
            scores_section,
            weeks_section,
            results_section,
        ]
    )
    if hub_key is None:
        report.notes.append(finding("note.no_hub_key"))
    with read_snapshot(db) as snapshot, snapshot.lend():  # one moment of the database for every read
        ledger_rows = list(read_ledger_rows(db))
        ledger_section.checked = len(ledger_rows)
        ledger_section.findings.extend(verify_entries(ledger_rows, hub_key))
        pushed, push_findings = check_deliveries(ledger_rows, hub_key)  # the pushes' rows vs their acts
        ledger_section.checked += pushed
        ledger_section.findings.extend(push_findings)
        acts = kiosk_acts(ledger_rows, hub_key)
        _check_kiosks(acts, kiosk_section)
        keys = key_plans(acts)
        unbounded = sorted(index for act in acts.values() for index in act.unbounded)
        if unbounded:
            kind = "note.unbounded_one" if len(unbounded) == 1 else "note.unbounded"
            report.notes.append(finding(kind, entries=", ".join(map(str, unbounded))))
        track = LogTrack(list(expect))

        def log_pass() -> None:  # the witnesses are read beside the signature pool too
            track.add(load_witnesses(db, hub_key, held_section))
            _check_log(db, hub_key, log_section, track)

        others: list[Callable[[], None]] = [
            log_pass,
            # one hub signature per master-data act: off the pool's critical path too
            lambda: check_masterdata(ledger_rows, hub_key, masterdata_section),
        ]
        if results:
            others.append(
                lambda: check_derived(
                    db, ledger_rows, hub_key, results_section, scores_section, weeks_section, report.notes
                )
            )
        if workers > 1:
            # the log pass and the re-derivation run on this process's idle time while the pool
            # checks signatures (they only read: each section is its own)
            threads = [_Beside(snapshot, check, f"verify-{n}") for n, check in enumerate(others)]
            for thread in threads:
                thread.start()
            try:
                _check_records(db, keys, workers, record_section)
            finally:
                for thread in threads:
                    thread.join()
            for thread in threads:
                thread.reraise()
        else:
            _check_records(db, keys, workers, record_section)
            for check in others:
                check()
        check_claims(track, held_section, report.summary)
        summarize(track, report.summary)
    return report


def load_hub_key(text: str) -> Verifier:
    """The hub's public key from base64url text, or from a file holding it (one line)."""
    value = text.strip()
    if os.path.exists(value):
        with open(value, encoding="ascii") as handle:
            value = handle.read().strip().split(":")[-1]
    try:
        return Verifier(b64decode(value), hub=True)
    except ProtocolError as err:
        raise ValueError(f"not a hub public key: {err.detail}") from err
