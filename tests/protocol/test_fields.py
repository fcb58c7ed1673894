"""Text and time fields: control characters (C0, DEL, C1) and millisecond times outside 0..2^53-1 are
refused in every record, whatever field holds them; what the kiosk builds itself is always signable."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import canonical
from protocol import fields as f
from protocol.errors import Malformed
from protocol.records import (
    GENESIS_HASH,
    Body,
    Correction,
    DeviceFault,
    Dispute,
    Record,
    parse_frame,
    sign_record,
    verify_frame,
)
from protocol.signing import KeyRing, Signer
from tests.protocol.strategies import texts

SIGNER = Signer(bytes(range(32)))
REFUSED = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]
C1_AND_DEL = ["\x7f", "\x80", "\x85", "\x9b", "\x9f"]


def _ring() -> KeyRing:
    ring = KeyRing()
    ring.add("K01", SIGNER.public_key)
    return ring


def _frame(raw: dict[str, Any]) -> bytes:
    """A correctly signed frame of `raw`, however wrong its content (a hostile kiosk signs anything)."""
    data = canonical.encode(raw)
    return SIGNER.sign(data) + data


def _body_with(field: str, value: str) -> Body:
    """A body of the type that holds `field`, with `value` in that field (every free-text field)."""
    match field:
        case "dispute.text":
            return Dispute(person="P1", day="2026-10-05", reason="other", text=value)
        case "device_fault.detail":
            return DeviceFault(device="D1", fault="read_errors", detail=value)
        case "correction.reason":
            return Correction(
                ref_kiosk="K01", ref_seq=1, ref_hash="a" * 64, officer="O1", reason=value, values={"units": 3}
            )
    return Correction(
        ref_kiosk="K01", ref_seq=1, ref_hash="a" * 64, officer="O1", reason="ok", values={"text": value}
    )


TEXT_FIELDS = ("dispute.text", "device_fault.detail", "correction.reason", "correction.values")


def _record(field: str, value: str) -> Record:
    body = _body_with(field, value)
    return Record(kiosk="K01", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=0, mono_ms=0, body=body)


def _raw_with(field: str, value: str) -> dict[str, Any]:
    return _record(field, value).to_dict()


@pytest.mark.parametrize("char", C1_AND_DEL, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_del_and_c1_controls_in_any_text_field_are_malformed(field: str, char: str) -> None:
    """DEL, NEL (U+0085), CSI (U+009B) and the rest of C1 in a record's text are refused as malformed,
    naming the character: by a receiver of a signed frame, and by the kiosk's own signing."""
    with pytest.raises(Malformed, match=f"U\\+{ord(char):04X}"):
        verify_frame(_frame(_raw_with(field, f"少了{char}两件")), _ring())
    with pytest.raises(Malformed, match=f"U\\+{ord(char):04X}"):
        sign_record(_record(field, f"少了{char}两件"), SIGNER)


@given(
    field=st.sampled_from(TEXT_FIELDS),
    text=texts.filter(lambda t: bool(t.strip())),  # a correction's reason must not be empty
    char=st.sampled_from(REFUSED),
    where=st.integers(0, 40),
)
def test_any_refused_control_anywhere_in_any_text_is_malformed(
    field: str, text: str, char: str, where: int
) -> None:
    """Property: a valid text with one refused control character (C0 but tab and newline, DEL, C1)
    inserted at any position, in any text field, is malformed; the same text without it is accepted."""
    at = min(where, len(text))
    assert verify_frame(_frame(_raw_with(field, text)), _ring()).record.seq == 1
    with pytest.raises(Malformed):
        verify_frame(_frame(_raw_with(field, text[:at] + char + text[at:])), _ring())


@given(st.text(max_size=600))
def test_clean_text_always_gives_text_a_receiver_accepts(value: str) -> None:
    """What the kiosk builds from device and system messages (`clean_text`) is always accepted: the
    refused characters become U+FFFD, allowed ones are kept, and it is cut to 500 characters."""
    cleaned = f.clean_text(value)
    assert f.text(cleaned, "detail") == cleaned
    assert len(cleaned) == min(len(value), f.MAX_TEXT)
    assert all(a == b or (a == "\ufffd" and b in REFUSED) for a, b in zip(cleaned, value, strict=False))


def test_tab_newline_and_chinese_stay_allowed() -> None:
    """Tab, newline and ordinary text (Chinese, U+00A0 and beyond) are not control characters here."""
    for value in ("第一行\n第二行", "a\tb", "\u00a0no-break", "€ ¥ ©"):
        assert f.text(value, "text") == value


TIMES = {
    "wall_ms 0": ("wall_ms", 0, True),
    "wall_ms 2^53-1": ("wall_ms", 2**53 - 1, True),
    "wall_ms 2^53": ("wall_ms", 2**53, False),
    "wall_ms -1": ("wall_ms", -1, False),
    "mono_ms 2^53-1": ("mono_ms", 2**53 - 1, True),
    "mono_ms 2^53": ("mono_ms", 2**53, False),
    "mono_ms -1": ("mono_ms", -1, False),
}


@pytest.mark.parametrize(("name", "value", "accepted"), TIMES.values(), ids=TIMES.keys())
def test_millisecond_times_hold_only_0_to_2_pow_53_minus_1(name: str, value: int, accepted: bool) -> None:
    """`wall_ms` and `mono_ms` are accepted from 0 to 2^53-1 (docs/protocol.md §4) and refused as
    malformed outside, so a JSON reader holding numbers as doubles reads every accepted time exactly."""
    raw = _raw_with("dispute.text", "ok")
    raw[name] = value
    frame = _frame(raw)
    if accepted:
        assert getattr(parse_frame(frame).record, name) == value
    else:
        with pytest.raises(Malformed, match=name):
            verify_frame(frame, _ring())
