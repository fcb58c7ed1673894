"""The test vectors published in docs/protocol.md hold for this implementation, byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from protocol import canonical
from protocol.errors import ProtocolError
from protocol.messages import Ack, Checkpoint, open_frame, witnessed_checkpoint
from protocol.records import CheckpointWitness, parse_frame, verify_frame
from protocol.signing import KeyRing, Signer, Verifier

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def _vectors(kind: str = "vector") -> list[dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    blocks = text.split(f"```{kind}\n")[1:]
    vectors = []
    for block in blocks:
        body = block.split("```", 1)[0]
        vectors.append(dict(line.split(": ", 1) for line in body.strip().splitlines()))
    return vectors


VECTORS = _vectors()
REFUSED = _vectors("refused")


def test_the_document_publishes_vectors() -> None:
    """docs/protocol.md carries the record, acknowledgement and checkpoint-witness vectors other
    implementations check."""
    assert len(VECTORS) == 5
    assert {"seed", "public_key", "canonical", "canonical_hex", "signature", "hash"} <= set(VECTORS[0])


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["hash"][:8])
def test_vector_bytes_signature_and_hash(vector: dict[str, str]) -> None:
    """Seed -> public key, canonical text -> bytes -> the same bytes re-encoded, signature and hash."""
    signer = Signer(bytes.fromhex(vector["seed"]))
    data = bytes.fromhex(vector["canonical_hex"])
    assert signer.public_key.hex() == vector["public_key"]
    assert data == vector["canonical"].encode("utf-8")
    assert canonical.encode(canonical.decode(data)) == data
    assert signer.sign(data).hex() == vector["signature"]
    assert hashlib.sha256(data).hexdigest() == vector["hash"]
    Verifier(signer.public_key).verify(data, bytes.fromhex(vector["signature"]))


def test_record_vectors_form_a_verified_chain() -> None:
    """Records 1-3 of the vectors verify with the kiosk key and each names its predecessor's hash."""
    keys = KeyRing()
    keys.add("K01", bytes.fromhex(VECTORS[0]["public_key"]))
    prev = "0" * 64
    for seq, vector in enumerate(VECTORS[:3], start=1):
        frame = bytes.fromhex(vector["signature"]) + bytes.fromhex(vector["canonical_hex"])
        signed = verify_frame(frame, keys, expected_kiosk="K01")
        assert signed.record.seq == seq
        assert signed.record.prev == prev
        assert signed.hash == vector["hash"]
        assert signed == parse_frame(frame)
        prev = signed.hash


def test_ack_vector_opens_with_the_hub_key() -> None:
    """The acknowledgement vector verifies as an ack of record 3 with the hub key."""
    vector = VECTORS[3]
    frame = bytes.fromhex(vector["signature"]) + bytes.fromhex(vector["canonical_hex"])
    ack = open_frame(frame, Verifier(bytes.fromhex(vector["public_key"])), Ack)
    assert (ack.kiosk, ack.seq, ack.hash) == ("K01", 3, VECTORS[2]["hash"])


def test_the_document_publishes_refused_vectors() -> None:
    """docs/protocol.md lists records a receiver must refuse: DEL, C1 and C0 controls in text, and
    millisecond times beyond 2^53-1."""
    whys = " ".join(v["why"] for v in REFUSED)
    for needle in ("U+007F", "U+0085", "U+009B", "wall_ms", "mono_ms"):
        assert needle in whys


@pytest.mark.parametrize("vector", REFUSED, ids=lambda v: v["why"])
def test_refused_vectors_are_refused_with_their_reason(vector: dict[str, str]) -> None:
    """Each refused vector is correctly signed by the K01 key, yet refused with the reason it names."""
    signer = Signer(bytes.fromhex(vector["seed"]))
    data = bytes.fromhex(vector["canonical_hex"])
    assert signer.sign(data).hex() == vector["signature"]
    assert canonical.encode(canonical.decode(data)) == data  # canonical: refused for its content only
    keys = KeyRing()
    keys.add("K01", signer.public_key)
    with pytest.raises(ProtocolError) as refused:
        verify_frame(bytes.fromhex(vector["signature"]) + data, keys, expected_kiosk="K01")
    assert refused.value.reason.value == vector["reason"]


def test_witness_vector_follows_record_3_and_carries_a_checkpoint_the_hub_signed() -> None:
    """The fifth vector is record 4 of K01, a `checkpoint_witness` naming record 3's hash; the
    checkpoint frame rebuilt from its body is the published one, byte for byte, and opens with the
    hub key of the acknowledgement vector."""
    vector = VECTORS[4]
    keys = KeyRing()
    keys.add("K01", bytes.fromhex(vector["public_key"]))
    frame = bytes.fromhex(vector["signature"]) + bytes.fromhex(vector["canonical_hex"])
    record = verify_frame(frame, keys, expected_kiosk="K01").record
    assert (record.seq, record.prev, record.type) == (4, VECTORS[2]["hash"], "checkpoint_witness")
    assert isinstance(record.body, CheckpointWitness)
    rebuilt = witnessed_checkpoint(record.body)
    assert rebuilt.hex() == vector["checkpoint_frame_hex"]
    checkpoint = open_frame(rebuilt, Verifier(bytes.fromhex(VECTORS[3]["public_key"])), Checkpoint)
    assert (checkpoint.tree_size, checkpoint.root) == (42, record.body.root)
