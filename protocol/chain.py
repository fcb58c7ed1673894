"""Where a record stands in its kiosk's hash chain, relative to what the receiver already holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from protocol.errors import ChainBreak, Duplicate, Fork, SequenceGap
from protocol.records import GENESIS_HASH, SignedRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainHead:
    """The last record a receiver holds of one kiosk: sequence number 0 and the genesis hash at first."""

    seq: int = 0
    hash: str = GENESIS_HASH


def check_next(head: ChainHead, signed: SignedRecord, stored_hash: Callable[[int], str | None]) -> ChainHead:
    """Return the new head if `signed` extends the chain, or raise what it is instead.

    `stored_hash(seq)` gives the hash the receiver holds at an earlier sequence number; it tells a
    harmless resend (Duplicate) from a second history (Fork).
    """
    seq = signed.record.seq
    if seq <= head.seq:
        held = stored_hash(seq)
        if held == signed.hash:
            raise Duplicate(f"record {seq} is already stored")
        raise Fork(f"record {seq} differs from the stored record {seq}")
    if seq > head.seq + 1:
        raise SequenceGap(f"record {seq} arrived before record {head.seq + 1}", expected=head.seq + 1)
    if signed.record.prev != head.hash:
        raise ChainBreak(f"record {seq} does not name the hash of record {head.seq} as its predecessor")
    return ChainHead(seq=seq, hash=signed.hash)
