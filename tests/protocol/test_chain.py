"""Sequence gaps, chain breaks, duplicates and forks are each told apart from a good next record."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.chain import ChainHead, check_next
from protocol.errors import ChainBreak, Duplicate, Fork, ProtocolError, SequenceGap
from protocol.records import GENESIS_HASH, Confirm, Record, SignedRecord, sign_record
from protocol.signing import Signer

SIGNER = Signer(bytes(range(32)))


def make_chain(n: int, salt: str = "a") -> list[SignedRecord]:
    chain: list[SignedRecord] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        body = Confirm(person=f"P{seq}{salt}", day="2026-10-05")
        rec = Record(kiosk="K1", seq=seq, prev=prev, boot="b", wall_ms=seq, mono_ms=seq, body=body)
        signed = sign_record(rec, SIGNER)
        chain.append(signed)
        prev = signed.hash
    return chain


class Receiver:
    """What a hub keeps per kiosk: the head and the stored hashes by sequence number."""

    def __init__(self) -> None:
        self.head = ChainHead()
        self.stored: dict[int, str] = {}

    def offer(self, signed: SignedRecord) -> None:
        self.head = check_next(self.head, signed, self.stored.get)
        self.stored[signed.record.seq] = signed.hash


def test_a_chain_in_order_is_accepted() -> None:
    """Records 1..n in order, each naming its predecessor, all extend the head."""
    receiver = Receiver()
    chain = make_chain(5)
    for signed in chain:
        receiver.offer(signed)
    assert receiver.head == ChainHead(seq=5, hash=chain[-1].hash)


def test_each_irregularity_has_its_own_error() -> None:
    """Gap, chain break, duplicate and fork raise distinct errors and leave the head unchanged."""
    receiver = Receiver()
    chain = make_chain(4)
    receiver.offer(chain[0])
    receiver.offer(chain[1])
    head = receiver.head
    with pytest.raises(SequenceGap) as gap:
        receiver.offer(chain[3])
    assert gap.value.expected == 3
    with pytest.raises(Duplicate):
        receiver.offer(chain[1])
    forked = make_chain(2, salt="other")[1]
    with pytest.raises(Fork):
        receiver.offer(forked)
    broken = sign_record(dataclasses.replace(chain[2].record, prev="f" * 64), SIGNER)
    with pytest.raises(ChainBreak):
        receiver.offer(broken)
    assert receiver.head == head


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=40))
def test_any_delivery_order_accepts_exactly_the_chain(order: list[int]) -> None:
    """However records 1..10 are resent, dropped or reordered, the receiver accepts each once,
    only in sequence, and everything else is reported as a gap or duplicate, never a fork."""
    chain = make_chain(10)
    receiver = Receiver()
    accepted: list[int] = []
    for index in order:
        try:
            receiver.offer(chain[index])
            accepted.append(chain[index].record.seq)
        except (SequenceGap, Duplicate):
            pass
        except ProtocolError as err:  # pragma: no cover - would be the bug this test looks for
            pytest.fail(f"unexpected {err}")
    assert accepted == list(range(1, len(accepted) + 1))
    assert receiver.head.seq == len(accepted)
