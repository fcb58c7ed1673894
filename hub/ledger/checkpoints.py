"""The hub's Merkle log over every kiosk record and ledger entry, its signed checkpoints and proofs.

Every stored kiosk record (its frame) and ledger entry (its signed frame) gets a leaf index, in the
order the log first saw it; the leaf is RFC 6962 SHA-256(0x00 || frame). A checkpoint is the hub's
signed `protocol.messages.Checkpoint` (hub, tree_size, root, hub_ms) over the first `tree_size`
leaves. An inclusion proof bundles a leaf's frame, its index, the audit path and the signed
checkpoint, so anyone holding the hub's public key can check it offline (`verify_inclusion_proof`).

Records committed concurrently may get ids out of commit order, so the log takes every row "not
yet in the log" rather than every row above the last id it saw.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import peewee

from hub.errors import HubError
from hub.ledger import merkle, texts
from hub.store.db import write_transaction
from hub.store.kiosks import KioskRecord
from hub.store.ledger import LedgerEntry, LogLeaf, StoredCheckpoint
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame, seal
from protocol.signing import Signer, Verifier, b64decode, b64encode

log = logging.getLogger(__name__)
texts.register()

SOURCE_RECORD = "record"
SOURCE_LEDGER = "ledger"
_BATCH = 2000
_EXTEND_ATTEMPTS = 5


class CheckpointError(HubError):
    """No proof can be given (the row is not in a checkpoint yet) or the log could not be extended."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InclusionProof:
    """Everything an outsider needs to check that `leaf` (a frame) is in the hub's signed log."""

    leaf_index: int
    tree_size: int
    path: tuple[bytes, ...]
    leaf: bytes
    checkpoint: bytes

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": "floorledger-inclusion-proof-1",
                "leaf_index": self.leaf_index,
                "tree_size": self.tree_size,
                "path": [p.hex() for p in self.path],
                "leaf": b64encode(self.leaf),
                "checkpoint": b64encode(self.checkpoint),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> InclusionProof:
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("format") != "floorledger-inclusion-proof-1":
                raise CheckpointError("checkpoint.not_a_proof")
            return cls(
                leaf_index=int(raw["leaf_index"]),
                tree_size=int(raw["tree_size"]),
                path=tuple(merkle.hash_from_hex(p) for p in raw["path"]),
                leaf=b64decode(raw["leaf"]),
                checkpoint=b64decode(raw["checkpoint"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError, ProtocolError) as err:
            raise CheckpointError("checkpoint.damaged_proof", detail=str(err)) from err


def verify_inclusion_proof(proof: InclusionProof, hub_key: Verifier) -> Checkpoint:
    """The signed checkpoint the proof leads to; raises ProofError/ProtocolError when anything fails.

    Pure and offline: the hub's public key and the proof are all it needs.
    """
    checkpoint: Checkpoint = open_frame(proof.checkpoint, hub_key, Checkpoint)
    if checkpoint.tree_size != proof.tree_size:
        raise merkle.ProofError(
            "proof.size_mismatch", proof_size=proof.tree_size, signed_size=checkpoint.tree_size
        )
    merkle.verify_inclusion(
        merkle.leaf_hash(proof.leaf),
        proof.leaf_index,
        proof.tree_size,
        proof.path,
        bytes.fromhex(checkpoint.root),
    )
    return checkpoint


class CheckpointLog:
    """Extends the log, signs checkpoints and answers inclusion proofs; `clock()` is hub time in ms."""

    def __init__(self, db: peewee.Database, signer: Signer, clock: Callable[[], int], hub: str) -> None:
        self._db = db
        self._signer = signer
        self._clock = clock
        self._hub = hub

    def extend(self) -> int:
        """Give every record and ledger entry not yet in the log the next leaf indexes; returns how many.

        The write lock is taken at BEGIN (`write_transaction`): a transaction that read first and then
        wrote would fail at once with "database is locked" while ingest commits on SQLite.
        """
        for attempt in range(_EXTEND_ATTEMPTS):
            try:
                with write_transaction(self._db):
                    return self._extend_once()
            except peewee.IntegrityError:  # another hub process extended the log at the same time
                log.info("log extension raced another writer (attempt %s)", attempt + 1)
        raise CheckpointError("checkpoint.extend_race")

    def _extend_once(self) -> int:
        size = LogLeaf.select().count()
        added = 0
        for source, model, order in (
            (SOURCE_RECORD, KioskRecord, KioskRecord.id),
            (SOURCE_LEDGER, LedgerEntry, LedgerEntry.entry_index),
        ):
            logged = LogLeaf.select(LogLeaf.ref).where(LogLeaf.source == source, LogLeaf.ref == model.id)
            query = (
                model.select(model.id, model.frame).where(~peewee.fn.EXISTS(logged)).order_by(order).tuples()
            )
            batch: list[dict[str, Any]] = []
            for ref, frame in query.iterator():
                batch.append(
                    {
                        "leaf_index": size + added,
                        "source": source,
                        "ref": ref,
                        "leaf_hash": merkle.leaf_hash(bytes(frame)).hex(),
                    }
                )
                added += 1
                if len(batch) >= _BATCH:
                    LogLeaf.insert_many(batch).execute()
                    batch = []
            if batch:
                LogLeaf.insert_many(batch).execute()
        return added

    def make_checkpoint(self) -> StoredCheckpoint:
        """Extend the log, then sign and store a checkpoint over all of it.

        The root is computed from one read snapshot outside the write lock (leaves are only ever
        appended, so the first `size` of them stay what they are), so ingest is not held up while a
        large log is hashed; only the insert of the signed checkpoint takes the lock.
        """
        self.extend()
        with self._db.atomic():  # reads only: one snapshot of the log
            size = LogLeaf.select().count()
            root = merkle.root(_leaf_hashes(size))
        message = Checkpoint(hub=self._hub, tree_size=size, root=root.hex(), hub_ms=self._clock())
        frame = seal(message, self._signer)
        with write_transaction(self._db):
            stored: StoredCheckpoint = StoredCheckpoint.create(
                tree_size=size, root=message.root, hub_ms=message.hub_ms, frame=frame
            )
        log.info("checkpoint over %s leaves: %s", size, message.root)
        return stored

    def latest(self) -> StoredCheckpoint | None:
        return latest_checkpoint()

    def checkpoint_frame(self) -> bytes | None:
        return checkpoint_frame()

    def inclusion_proof(self, row: KioskRecord | LedgerEntry) -> InclusionProof:
        return inclusion_proof(row)


def _leaf_hashes(size: int) -> Iterator[bytes]:
    query = (
        LogLeaf.select(LogLeaf.leaf_hash)
        .where(LogLeaf.leaf_index < size)
        .order_by(LogLeaf.leaf_index)
        .tuples()
    )
    for (leaf,) in query.iterator():
        yield bytes.fromhex(leaf)


def latest_checkpoint() -> StoredCheckpoint | None:
    found: StoredCheckpoint | None = (
        StoredCheckpoint.select()
        .order_by(StoredCheckpoint.tree_size.desc(), StoredCheckpoint.id.desc())
        .first()
    )
    return found


def log_size() -> int:
    """How many leaves the log holds."""
    return int(LogLeaf.select().count())


def checkpoint_frame() -> bytes | None:
    """The latest signed checkpoint, for whoever publishes it (retained, on `Topics.checkpoint()`)."""
    latest = latest_checkpoint()
    return None if latest is None else bytes(latest.frame)


def inclusion_proof(row: KioskRecord | LedgerEntry) -> InclusionProof:
    """A self-contained proof that `row` is in the latest checkpoint (CheckpointError if not yet)."""
    source = SOURCE_RECORD if isinstance(row, KioskRecord) else SOURCE_LEDGER
    leaf = LogLeaf.get_or_none(LogLeaf.source == source, LogLeaf.ref == row.id)
    latest = latest_checkpoint()
    if leaf is None or latest is None or latest.tree_size <= leaf.leaf_index:
        raise CheckpointError("checkpoint.not_yet")
    hashes = list(_leaf_hashes(latest.tree_size))
    return InclusionProof(
        leaf_index=leaf.leaf_index,
        tree_size=latest.tree_size,
        path=tuple(merkle.inclusion_proof(hashes, leaf.leaf_index)),
        leaf=bytes(row.frame),
        checkpoint=bytes(latest.frame),
    )
