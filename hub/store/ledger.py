"""Tables of the hub-signed ledger and its Merkle log: entries, log leaves, checkpoints."""

from __future__ import annotations

import peewee

from hub.store.base import BaseModel


class LogLeaf(BaseModel):
    """Leaf `index` of the log is row `ref` of `source`; `leaf_hash` is cached, verify recomputes it."""

    id = peewee.AutoField()
    leaf_index = peewee.BigIntegerField(unique=True)  # `index` would hide Model.index()
    source = peewee.CharField(max_length=8)
    ref = peewee.BigIntegerField()
    leaf_hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "log_leaf"
        indexes = ((("source", "ref"), True),)


class StoredCheckpoint(BaseModel):
    """A checkpoint as signed (`frame`) with its parsed columns."""

    id = peewee.AutoField()
    tree_size = peewee.BigIntegerField(index=True)
    root = peewee.CharField(max_length=64)
    hub_ms = peewee.BigIntegerField()
    frame = peewee.BlobField()

    class Meta:
        table_name = "checkpoint"


class LedgerEntry(BaseModel):
    """One officer's act; `frame` is the only part `floorledger verify` trusts."""

    id = peewee.AutoField()
    entry_index = peewee.BigIntegerField(unique=True)  # `index` would hide Model.index()
    prev = peewee.CharField(max_length=64)
    hash = peewee.CharField(max_length=64, unique=True)
    actor = peewee.CharField(max_length=64, index=True)
    action = peewee.CharField(max_length=64, index=True)
    subject = peewee.CharField(max_length=200, index=True)
    payload = peewee.TextField()  # canonical JSON of the payload object
    hub_ms = peewee.BigIntegerField()
    frame = peewee.BlobField()

    class Meta:
        table_name = "ledger_entry"
