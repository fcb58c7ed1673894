"""The hub's own ledger: an append-only, hash-chained, hub-signed log of everything officers do.

Each entry is canonical JSON (`kind` "ledger_entry") naming its index, the hash of the entry before
it, the officer (`actor`), the `action`, its `subject`, a `payload` object and the hub's time; the
hub key signs those bytes and the entry is stored as a frame (signature || canonical bytes), exactly
like a kiosk record. The parsed columns beside the frame are for queries only: `verify_entries`
trusts the frame alone and reports any column that disagrees with it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import peewee

from floorledger.base import i18n
from hub.errors import HubError
from hub.ledger import texts
from hub.store.db import write_transaction
from hub.store.ledger import LedgerEntry
from protocol import canonical
from protocol import fields as f
from protocol.errors import ProtocolError
from protocol.signing import SIGNATURE_SIZE, Signer, Verifier

log = logging.getLogger(__name__)
texts.register()

KIND = "ledger_entry"
GENESIS_HASH = "0" * 64
MAX_ENTRY_BYTES = 64 * 1024
_APPEND_ATTEMPTS = 5

# What officers do; the ledger accepts any identifier, these are the ones the hub writes itself.
KIOSK_ENROLL = "kiosk.enroll"
KIOSK_BIND = "kiosk.bind"
KIOSK_REVOKE = "kiosk.revoke"
KIOSK_ROTATE = "kiosk.rotate"
CORRECTION = "record.correct"
LATE_ENTRY = "record.late"  # an approved late entry (补录), hub.review.late
# the hub's own acts that change the engine's inputs like a record would (hub.results.facts.hub_changes)
HUB_FACT_ACTIONS = frozenset({CORRECTION, LATE_ENTRY})
APPROVAL = "day.approve"
RULESET_CHANGE = "ruleset.change"
MASTERDATA_CHANGE = "masterdata.change"


class LedgerError(HubError):
    """The ledger cannot take an entry (bad actor/action/payload, or a lost append race)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryContent:
    """What one ledger entry says, as signed."""

    index: int
    prev: str
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]
    hub_ms: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": 1,
            "kind": KIND,
            "index": self.index,
            "prev": self.prev,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "payload": self.payload,
            "hub_ms": self.hub_ms,
        }

    @classmethod
    def from_dict(cls, raw: object) -> EntryContent:
        d = f.obj(
            raw,
            "ledger_entry",
            ("v", "kind", "index", "prev", "actor", "action", "subject", "payload", "hub_ms"),
        )
        if d["v"] != 1 or d["kind"] != KIND:
            raise LedgerError("ledger.not_v1")
        if not isinstance(d["payload"], dict):
            raise LedgerError("ledger.payload_not_object")
        return cls(
            index=f.integer(d["index"], "index", lo=1),
            prev=f.hex64(d["prev"], "prev"),
            actor=f.ident(d["actor"], "actor"),
            action=f.ident(d["action"], "action"),
            subject=f.text(d["subject"], "subject", max_len=200, allow_empty=False),
            payload=d["payload"],
            hub_ms=f.integer(d["hub_ms"], "hub_ms", hi=f.MAX_TIME_MS),
        )


def sign_entry(content: EntryContent, signer: Signer) -> tuple[bytes, str]:
    """The frame (signature || canonical bytes) of an entry and its hash (SHA-256 of the canonical bytes)."""
    try:
        data = canonical.encode(content.to_dict())
    except canonical.CanonicalError as err:
        raise LedgerError("ledger.unsignable", detail=str(err)) from err
    if len(data) + SIGNATURE_SIZE > MAX_ENTRY_BYTES:
        raise LedgerError("ledger.too_large", size=len(data), limit=MAX_ENTRY_BYTES)
    return signer.sign(data) + data, hashlib.sha256(data).hexdigest()


def parse_entry(frame: bytes) -> tuple[EntryContent, bytes, bytes]:
    """Split a stored frame into (content, canonical bytes, signature) without checking the signature."""
    if len(frame) <= SIGNATURE_SIZE:
        raise LedgerError("ledger.short_frame")
    signature, data = frame[:SIGNATURE_SIZE], frame[SIGNATURE_SIZE:]
    try:
        raw = canonical.decode(data)
        return EntryContent.from_dict(raw), data, signature
    except (canonical.CanonicalError, ProtocolError) as err:
        raise LedgerError("ledger.bad_entry", detail=str(err)) from err


class Ledger:
    """Appends signed entries; `clock()` gives the hub's time in ms since 1970 UTC."""

    def __init__(self, db: peewee.Database, signer: Signer, clock: Callable[[], int]) -> None:
        self._db = db
        self._signer = signer
        self._clock = clock

    @property
    def signer(self) -> Signer:
        """The hub's key, for the other things the hub signs (export files' detached signatures)."""
        return self._signer

    def append(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> LedgerEntry:
        """Sign and store the next entry; retried when another writer took the same index first."""
        try:
            f.ident(actor, "actor")
            f.ident(action, "action")
            f.text(subject, "subject", max_len=200, allow_empty=False)
        except ProtocolError as err:
            raise LedgerError("ledger.bad_field", detail=err.detail) from err
        for attempt in range(_APPEND_ATTEMPTS):
            try:
                with write_transaction(self._db):
                    return self._append_once(actor, action, subject, payload)
            except peewee.IntegrityError:
                log.info("ledger append lost a race for the next index (attempt %s)", attempt + 1)
        raise LedgerError("ledger.append_race")

    def _append_once(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> LedgerEntry:
        last = LedgerEntry.select().order_by(LedgerEntry.entry_index.desc()).first()
        index, prev = (1, GENESIS_HASH) if last is None else (last.entry_index + 1, last.hash)
        content = EntryContent(
            index=index,
            prev=prev,
            actor=actor,
            action=action,
            subject=subject,
            payload=payload,
            hub_ms=self._clock(),
        )
        frame, digest = sign_entry(content, self._signer)
        return LedgerEntry.create(
            entry_index=index,
            prev=prev,
            hash=digest,
            actor=actor,
            action=action,
            subject=subject,
            payload=canonical.encode(payload).decode("utf-8"),
            hub_ms=content.hub_ms,
            frame=frame,
        )

    def record_act(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        """The `record_act` hook other modules (master data, corrections) call inside their transaction."""
        self.append(actor, action, subject, payload)

    def entries(self, *, subject: str | None = None) -> list[LedgerEntry]:
        query = LedgerEntry.select().order_by(LedgerEntry.entry_index)
        if subject is not None:
            query = query.where(LedgerEntry.subject == subject)
        return list(query)


@dataclass(frozen=True, slots=True)
class EntryRow:
    """A stored ledger row as read back: its id, its columns and its frame."""

    id: int
    index: int
    prev: str
    hash: str
    actor: str
    action: str
    subject: str
    payload: str
    hub_ms: int
    frame: bytes


def read_rows(db: peewee.Database) -> Iterable[EntryRow]:
    """Every ledger row in index order, as plain values (bytes, not driver buffers)."""
    query = LedgerEntry.select().order_by(LedgerEntry.entry_index, LedgerEntry.id).tuples()
    for row in query.iterator():
        rid, index, prev, digest, actor, action, subject, payload, hub_ms, frame = row
        yield EntryRow(rid, index, prev, digest, actor, action, subject, payload, hub_ms, bytes(frame))


def verify_entries(rows: Iterable[EntryRow], verifier: Verifier | None) -> list[i18n.Text]:
    """Every way the ledger rows fail to be one signed, unbroken chain from index 1, as keyed texts
    (`ledger.v.*`; their `str` is the English line).

    Without a verifier (no hub public key given) signatures are not checked, only the chain and columns.
    """
    problems: list[i18n.Text] = []
    expected_index, expected_prev = 1, GENESIS_HASH
    for row in rows:
        where = {"id": row.id, "index": row.index}
        try:
            content, data, signature = parse_entry(row.frame)
        except LedgerError as err:
            problems.append(i18n.Text("ledger.v.not_entry", **where, error=err.said()))
            continue
        if verifier is not None:
            try:
                verifier.verify(data, signature)
            except ProtocolError:
                problems.append(i18n.Text("ledger.v.signature", **where))
        digest = hashlib.sha256(data).hexdigest()
        columns = {
            "index": (row.index, content.index),
            "prev": (row.prev, content.prev),
            "hash": (row.hash, digest),
            "actor": (row.actor, content.actor),
            "action": (row.action, content.action),
            "subject": (row.subject, content.subject),
            "payload": (row.payload, canonical.encode(content.payload).decode("utf-8")),
            "hub_ms": (row.hub_ms, content.hub_ms),
        }
        for name, (stored, signed) in columns.items():
            if stored != signed:
                problems.append(
                    i18n.Text(
                        "ledger.v.column",
                        **where,
                        name=i18n.Label("ledger.col", name),
                        stored=repr(stored),
                        signed=repr(signed),
                    )
                )
        if content.index != expected_index:
            problems.append(
                i18n.Text("ledger.v.index", **where, expected=expected_index, signed=content.index)
            )
        elif content.prev != expected_prev:
            problems.append(i18n.Text("ledger.v.prev", **where, previous=expected_index - 1))
        expected_index, expected_prev = content.index + 1, digest
    return problems
