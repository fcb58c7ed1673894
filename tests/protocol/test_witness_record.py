"""The `checkpoint_witness` record type: a hub checkpoint carried in a kiosk's chain, field by field
checked like every other body, and the hub's frame rebuilt from it exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import canonical
from protocol.errors import BadHubSignature, Malformed, ProtocolError
from protocol.messages import Checkpoint, open_frame, seal, witness_of, witnessed_checkpoint
from protocol.records import GENESIS_HASH, CheckpointWitness, Record, parse_frame, sign_record
from protocol.signing import Signer, Verifier, b64encode

KIOSK = Signer(bytes(range(32)))
HUB = Signer(bytes(range(32, 64)))


def _witness() -> CheckpointWitness:
    checkpoint = Checkpoint(hub="HUB", tree_size=42, root="ab" * 32, hub_ms=1_791_194_702_000)
    return witness_of(checkpoint, seal(checkpoint, HUB))


def _raw(**body: Any) -> dict[str, Any]:
    record = Record(kiosk="K01", seq=1, prev=GENESIS_HASH, boot="b1", wall_ms=1, mono_ms=2, body=_witness())
    raw = record.to_dict()
    raw["body"].update(body)
    return raw


def _frame(raw: dict[str, Any]) -> bytes:
    data = canonical.encode(raw)
    return KIOSK.sign(data) + data


@given(
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32).map(bytes.hex),
    hub_ms=st.integers(0, 2**53 - 1),
)
def test_the_hub_frame_rebuilt_from_a_witness_is_the_signed_one(size: int, root: str, hub_ms: int) -> None:
    """witness_of then witnessed_checkpoint gives back the hub's frame byte for byte, and it opens
    with the hub key; the witness record signs and parses like any record."""
    checkpoint = Checkpoint(hub="HUB", tree_size=size, root=root, hub_ms=hub_ms)
    frame = seal(checkpoint, HUB)
    witness = witness_of(checkpoint, frame)
    assert witnessed_checkpoint(witness) == frame
    assert open_frame(witnessed_checkpoint(witness), Verifier(HUB.public_key), Checkpoint) == checkpoint
    record = Record(kiosk="K01", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=1, mono_ms=1, body=witness)
    assert parse_frame(sign_record(record, KIOSK).frame).record == record


def test_a_witness_whose_fields_were_changed_no_longer_opens_with_the_hub_key() -> None:
    """A kiosk (or anyone) cannot move a witnessed checkpoint: another size or root under the hub's
    signature is a bad hub signature."""
    witness = _witness()
    for changed in (
        CheckpointWitness(**{**_fields(witness), "tree_size": 43}),
        CheckpointWitness(**{**_fields(witness), "root": "cd" * 32}),
    ):
        with pytest.raises(BadHubSignature):
            open_frame(witnessed_checkpoint(changed), Verifier(HUB.public_key, hub=True), Checkpoint)


def _fields(witness: CheckpointWitness) -> dict[str, Any]:
    return {
        "hub": witness.hub,
        "tree_size": witness.tree_size,
        "root": witness.root,
        "hub_ms": witness.hub_ms,
        "signature": witness.signature,
    }


REFUSED = {
    "tree_size negative": _raw(tree_size=-1),
    "tree_size as text": _raw(tree_size="42"),
    "tree_size a boolean": _raw(tree_size=True),
    "root in capitals": _raw(root="AB" * 32),
    "root too short": _raw(root="ab" * 31),
    "hub_ms beyond 2^53-1": _raw(hub_ms=2**53),
    "hub not an id": _raw(hub="H/1"),
    "signature padded": _raw(signature=b64encode(bytes(64)) + "=="),
    "signature not base64url": _raw(signature="!" * 86),
    "signature of 63 bytes": _raw(signature=b64encode(bytes(63))),
    "signature of 65 bytes": _raw(signature=b64encode(bytes(65))),
    "signature missing": {**_raw(), "body": {k: v for k, v in _raw()["body"].items() if k != "signature"}},
    "extra field": _raw(checkpoint="x"),
}


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_a_malformed_witness_is_refused(raw: dict[str, Any]) -> None:
    """Each field of a witness is checked as the record table in docs/protocol.md says."""
    with pytest.raises(ProtocolError) as caught:
        parse_frame(_frame(raw))
    assert isinstance(caught.value, Malformed)


def test_a_well_formed_witness_parses() -> None:
    """The control of the table above: the untouched witness record parses as a witness."""
    assert isinstance(parse_frame(_frame(_raw())).record.body, CheckpointWitness)
