"""Records round-trip, and any change to a signed record is caught with the right reason."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol import canonical
from protocol.errors import BadSignature, Malformed, ProtocolError, RejectReason, TooLarge, WrongTopic
from protocol.records import (
    GENESIS_HASH,
    CheckIn,
    Record,
    UnitCount,
    parse_frame,
    record_from_dict,
    sign_record,
    verify_frame,
)
from protocol.signing import KeyRing, Signer
from tests.protocol.strategies import bodies, records

SIGNER = Signer(bytes(range(32)))


def _ring_for(kiosk: str) -> KeyRing:
    ring = KeyRing()
    ring.add(kiosk, SIGNER.public_key)
    return ring


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_every_record_type_round_trips(record: Record) -> None:
    """Encoding, signing, parsing and verifying give back the same record with the same bytes."""
    signed = sign_record(record, SIGNER)
    back = verify_frame(signed.frame, _ring_for(record.kiosk), expected_kiosk=record.kiosk)
    assert back.record == record
    assert back.data == record.canonical_bytes()
    assert record_from_dict(canonical.decode(back.data)) == record


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, st.data())
def test_changing_any_single_byte_is_rejected(record: Record, data: st.DataObject) -> None:
    """A flipped bit anywhere in a signed frame never verifies: the signature or the parse fails."""
    frame = bytearray(sign_record(record, SIGNER).frame)
    pos = data.draw(st.integers(0, len(frame) - 1), label="position")
    bit = data.draw(st.integers(0, 7), label="bit")
    frame[pos] ^= 1 << bit
    with pytest.raises(ProtocolError) as caught:
        verify_frame(bytes(frame), _ring_for(record.kiosk))
    if pos < 64:
        assert caught.value.reason is RejectReason.BAD_SIGNATURE
    else:
        assert caught.value.reason in {
            RejectReason.MALFORMED,
            RejectReason.UNSUPPORTED_VERSION,
            RejectReason.BAD_SIGNATURE,
            RejectReason.UNKNOWN_KIOSK,  # the flip renamed the kiosk to one that is not enrolled
        }


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, bodies, st.sampled_from(["seq", "prev", "boot", "wall_ms", "mono_ms", "body"]))
def test_changing_any_field_breaks_the_signature(record: Record, other_body: object, field: str) -> None:
    """Re-encoding a record with one field changed, under the old signature, is a bad signature."""
    signed = sign_record(record, SIGNER)
    changes = {
        "seq": record.seq + 1 if record.seq < 2**62 else record.seq - 1,
        "prev": GENESIS_HASH if record.prev != GENESIS_HASH else "1" * 64,
        "boot": record.boot + "x" if len(record.boot) < 60 else "b",
        "wall_ms": record.wall_ms ^ 1,
        "mono_ms": record.mono_ms ^ 1,
        "body": other_body,
    }
    altered = dataclasses.replace(record, **{field: changes[field]})
    if altered == record:
        return
    with pytest.raises(BadSignature):
        verify_frame(signed.signature + altered.canonical_bytes(), _ring_for(record.kiosk))


def _raw() -> dict[str, object]:
    record = Record(
        kiosk="K01",
        seq=1,
        prev=GENESIS_HASH,
        boot="b1",
        wall_ms=1,
        mono_ms=2,
        body=UnitCount(
            person="P1", line="L1", day="2026-10-05", product="P", step="S", units=3, source="manual"
        ),
    )
    return record.to_dict()


def _frame_of(raw: object) -> bytes:
    data = canonical.encode(raw) if not isinstance(raw, bytes) else raw  # type: ignore[arg-type]
    return SIGNER.sign(data) + data


def _with(path: str, value: object) -> dict[str, object]:
    raw = _raw()
    target = raw
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[key]  # type: ignore[assignment]
    target[keys[-1]] = value
    return raw


def _without(path: str) -> dict[str, object]:
    raw = _raw()
    target = raw
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[key]  # type: ignore[assignment]
    del target[keys[-1]]
    return raw


MALFORMED = {
    "truncated": sign_record(record_from_dict(_raw()), SIGNER).frame[:-5],
    "shorter than a signature": b"\x00" * 40,
    "not utf-8": SIGNER.sign(b"\xff\xfe{}") + b"\xff\xfe{}",
    "not json": _frame_of(b"{nope"),
    "a json list": _frame_of(b"[1,2]"),
    "spaces (not canonical)": _frame_of(canonical.encode(_raw()).replace(b",", b", ", 1)),
    "keys unsorted": _frame_of(b'{"v":1,' + canonical.encode(_raw())[1:].replace(b',"v":1', b"")),
    "a float": _frame_of(canonical.encode(_raw()).replace(b'"units":3', b'"units":3.0')),
    "duplicate key": _frame_of(canonical.encode(_raw()).replace(b'"units":3', b'"units":3,"units":3')),
    "seq is text": _frame_of(_with("seq", "1")),
    "seq is a boolean": _frame_of(_with("seq", True)),
    "seq zero": _frame_of(_with("seq", 0)),
    "negative units": _frame_of(_with("body.units", -1)),
    "huge units": _frame_of(_with("body.units", 10**9)),
    "units beyond 64 bits": _frame_of(
        canonical.encode(_raw()).replace(b'"units":3', b'"units":' + str(2**70).encode())
    ),
    "extra envelope field": _frame_of(_with("extra", 1)),
    "extra body field": _frame_of(_with("body.extra", 1)),
    "missing body field": _frame_of(_without("body.step")),
    "missing envelope field": _frame_of(_without("boot")),
    "unknown type": _frame_of(_with("type", "teleport")),
    "wrong kind": _frame_of(_with("kind", "ack")),
    "bad day": _frame_of(_with("body.day", "2026-02-30")),
    "day not a date": _frame_of(_with("body.day", "yesterday")),
    "prev not hex": _frame_of(_with("prev", "z" * 64)),
    "kiosk with a slash": _frame_of(_with("kiosk", "K/1")),
    "unknown source": _frame_of(_with("body.source", "guess")),
}


@pytest.mark.parametrize("frame", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_gets_a_specific_error(frame: bytes) -> None:
    """Bad bytes of every kind are refused as malformed, never with an unhandled exception."""
    with pytest.raises(Malformed):
        verify_frame(frame, _ring_for("K01"))


def test_unsupported_version_is_named_as_such() -> None:
    """A well-formed record of protocol version 2 is refused as unsupported, not as malformed."""
    with pytest.raises(ProtocolError) as caught:
        verify_frame(_frame_of(_with("v", 2)), _ring_for("K01"))
    assert caught.value.reason is RejectReason.UNSUPPORTED_VERSION


def test_oversize_frame_is_too_large() -> None:
    """A frame over 64 KiB is refused before it is parsed."""
    with pytest.raises(TooLarge):
        verify_frame(b"\x00" * (64 * 1024 + 1), _ring_for("K01"))


def test_unknown_and_revoked_kiosks_are_refused() -> None:
    """A record of a kiosk that is not enrolled, or was revoked, is refused with that reason."""
    frame = sign_record(record_from_dict(_raw()), SIGNER).frame
    with pytest.raises(ProtocolError) as unknown:
        verify_frame(frame, KeyRing())
    assert unknown.value.reason is RejectReason.UNKNOWN_KIOSK
    ring = _ring_for("K01")
    ring.revoke("K01")
    with pytest.raises(ProtocolError) as revoked:
        verify_frame(frame, ring)
    assert revoked.value.reason is RejectReason.REVOKED_KIOSK


def test_another_kiosks_key_or_topic_is_refused() -> None:
    """Signed with another kiosk's key: bad signature. Sent on another kiosk's topic: wrong topic."""
    frame = sign_record(record_from_dict(_raw()), Signer(bytes(32))).frame
    with pytest.raises(BadSignature):
        verify_frame(frame, _ring_for("K01"))
    good = sign_record(record_from_dict(_raw()), SIGNER).frame
    with pytest.raises(WrongTopic):
        verify_frame(good, _ring_for("K01"), expected_kiosk="K02")


def test_check_in_witness_defaults_to_none() -> None:
    """A check-in made with the person's own badge has no witness, and says so explicitly on the wire."""
    body = CheckIn(person="P1", line="L1", day="2026-10-05", method="badge")
    rec = Record(kiosk="K", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=0, mono_ms=0, body=body)
    assert b'"witness":null' in rec.canonical_bytes()
    assert parse_frame(sign_record(rec, SIGNER).frame).record.body == body


def test_signing_refuses_a_record_the_hub_would_refuse() -> None:
    """A kiosk cannot sign (and so chain) a record with a bad field: it would block its chain."""
    body = UnitCount(
        person="P1", line="L1", day="2026-10-05", product="P", step="S", units=-1, source="manual"
    )
    bad = Record(kiosk="K01", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=0, mono_ms=0, body=body)
    with pytest.raises(Malformed, match="units"):
        sign_record(bad, SIGNER)
