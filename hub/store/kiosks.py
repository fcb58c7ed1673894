"""The hub's ingest tables: enrolled kiosks with their chain heads, stored records, quarantine, pending.

Declared unbound; `hub.store.schema` binds them at start-up. `KioskRecord.frame` holds the
signed bytes exactly as the kiosk sent them — the only column `floorledger verify` trusts; the other
columns are parsed from it for queries. `kiosk` columns hold the kiosk id as text (no foreign-key
objects), so readers compare plain strings.
"""

from __future__ import annotations

from typing import Any

import peewee
import peewee as pw

from hub.store.base import BaseModel
from protocol.records import GENESIS_HASH, SignedRecord

ENROLLED = "enrolled"
REVOKED = "revoked"


class Kiosk(BaseModel):
    """An enrolled kiosk, its key and line, and its chain head: the last record stored with no gap."""

    id = pw.CharField(primary_key=True, max_length=64)
    public_key = pw.BlobField()
    line = pw.CharField(max_length=64, null=True)
    status = pw.CharField(max_length=16, default=ENROLLED)  # enrolled | revoked
    head_seq = pw.BigIntegerField(default=0)
    head_hash = pw.CharField(max_length=64, default=GENESIS_HASH)
    enrolled_ms = pw.BigIntegerField(null=True)
    last_seen_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "kiosk"


class KioskRecord(BaseModel):
    """One accepted kiosk record; `id` is the hub's commit order."""

    id = pw.BigAutoField()
    kiosk = pw.CharField(max_length=64)
    seq = pw.BigIntegerField()
    hash = pw.CharField(max_length=64)
    prev = pw.CharField(max_length=64)
    type = pw.CharField(max_length=32)
    day = pw.CharField(max_length=10, null=True)
    line = pw.CharField(max_length=64, null=True)
    person = pw.CharField(max_length=64, null=True)
    wall_ms = pw.BigIntegerField()
    mono_ms = pw.BigIntegerField()
    boot = pw.CharField(max_length=64)
    body = pw.TextField()  # the body as canonical JSON text
    frame = pw.BlobField()  # signature + canonical bytes, verbatim
    received_ms = pw.BigIntegerField()

    class Meta:
        table_name = "kiosk_record"
        indexes = (
            (("kiosk", "seq"), True),
            (("day", "line"), False),
        )


class Quarantine(BaseModel):
    """A refused message, why, and the bytes as received (truncated past MAX_PAYLOAD)."""

    id = pw.BigAutoField()
    kiosk = pw.CharField(max_length=64, null=True)
    topic = pw.CharField(max_length=512)
    reason = pw.CharField(max_length=32)  # a protocol.errors.RejectReason value
    detail = pw.TextField()
    payload = pw.BlobField()
    received_ms = pw.BigIntegerField(index=True)

    class Meta:
        table_name = "quarantine"


class PendingKiosk(BaseModel):
    """A kiosk that said hello with a key the hub has not enrolled (yet): for an officer to enroll."""

    kiosk = pw.CharField(primary_key=True, max_length=64)
    public_key = pw.BlobField()
    boot = pw.CharField(max_length=64)
    first_seen_ms = pw.BigIntegerField()
    last_seen_ms = pw.BigIntegerField()

    class Meta:
        table_name = "pending_kiosk"


class KioskKeyHistory(BaseModel):
    """Every key a kiosk has held and when the hub accepted and retired it."""

    id = peewee.AutoField()
    kiosk = peewee.CharField(max_length=64, index=True)
    public_key = peewee.BlobField()
    fingerprint = peewee.CharField(max_length=24)
    valid_from_ms = peewee.BigIntegerField()
    valid_until_ms = peewee.BigIntegerField(null=True)
    ledger_index = peewee.BigIntegerField()  # the ledger entry that admitted the key

    class Meta:
        table_name = "kiosk_key_history"


class LinePlanState(BaseModel):
    """The last published plan of a line: its revision and a digest of its content (without the time)."""

    line = pw.CharField(primary_key=True, max_length=64)
    revision = pw.BigIntegerField()
    digest = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)

    class Meta:
        table_name = "line_plan_state"


MAX_STATE_CHARS = 16  # a kiosk status word: online, offline, ...


class KioskStatus(BaseModel):
    """The latest status heard from one kiosk (display only; not part of any record or score)."""

    kiosk = pw.CharField(primary_key=True, max_length=64)
    state = pw.CharField(max_length=MAX_STATE_CHARS)
    pending = pw.BigIntegerField(null=True)
    acked_seq = pw.BigIntegerField(null=True)
    clock_offset_ms = pw.BigIntegerField(null=True)  # kiosk wall_ms minus the hub's receive time
    seen_ms = pw.BigIntegerField()

    class Meta:
        table_name = "kiosk_status"


# The columns of a kiosk record that are derived from its frame, in the order ingest writes them and
# `floorledger verify` re-derives them (then `frame` itself and `received_ms`, which are not derived).
RECORD_PARSED_COLUMNS = (
    "kiosk",
    "seq",
    "hash",
    "prev",
    "type",
    "day",
    "line",
    "person",
    "wall_ms",
    "mono_ms",
    "boot",
    "body",
)


_BODY_START = b'{"body":'
_BOOT_KEY = b',"boot":"'


def body_text(data: bytes) -> str:
    """The record's body as canonical JSON text, cut from the record's canonical bytes.

    Keys are sorted, so `body` comes first; the top-level `boot` follows it, and the last `,"boot":"`
    is that one (nothing after it can contain the sequence), so the slice is exact and canonical.
    """
    if not data.startswith(_BODY_START):
        raise ValueError("not a canonical record: body is not the first key")
    return data[len(_BODY_START) : data.rindex(_BOOT_KEY)].decode("utf-8")


def record_columns(signed: SignedRecord) -> tuple[Any, ...]:
    """The values of `RECORD_PARSED_COLUMNS` of a signed record, in that order: what ingest stores and
    `floorledger verify` expects (one function, so the two can never drift apart)."""
    record = signed.record
    body = record.body
    return (
        record.kiosk,
        record.seq,
        signed.hash,
        record.prev,
        record.type,
        getattr(body, "day", None),
        getattr(body, "line", None),
        getattr(body, "person", None),
        record.wall_ms,
        record.mono_ms,
        record.boot,
        body_text(signed.data),
    )
