"""Rule book v2's kiosk records, `grade` and `reject`: what a receiver accepts and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.errors import Malformed
from protocol.records import GENESIS_HASH, Grade, Record, Reject, record_from_dict, sign_record
from protocol.signing import Signer

SIGNER = Signer(bytes(range(32)))


def _record(body: Grade | Reject) -> dict[str, Any]:
    record = Record(kiosk="K1", seq=1, prev=GENESIS_HASH, boot="b1", wall_ms=1, mono_ms=1, body=body)
    return record.to_dict()


GRADE = Grade(person="P1", line="L1", day="2026-11-03", post="kitchen", grade="B", officer="O1")
REJECT = Reject(
    person="P1",
    line="L1",
    day="2026-11-03",
    product="shirt",
    step="collar",
    units=3,
    reason="sewing",
    officer="O1",
    ref="B-17",
)


@pytest.mark.parametrize("body", [GRADE, REJECT])
def test_valid_v2_records_round_trip(body: Grade | Reject) -> None:
    """A grade and a reject parse back to the same body after signing."""
    signed = sign_record(
        Record(kiosk="K1", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=1, mono_ms=1, body=body), SIGNER
    )
    assert signed.record.body == body
    assert record_from_dict(_record(body)).body == body


@pytest.mark.parametrize(
    ("body", "field", "value", "message"),
    [
        (GRADE, "grade", "b", "grade"),  # lower case: not a grade's spelling
        (GRADE, "grade", "", "grade"),
        (GRADE, "grade", "ABCDEFGHI", "grade"),  # too long
        (GRADE, "grade", "优", "grade"),
        (GRADE, "post", "a post", "post"),
        (GRADE, "officer", None, "officer"),
        (REJECT, "units", 0, "units"),  # nothing rejected is no reject
        (REJECT, "units", -1, "units"),
        (REJECT, "units", 1_000_001, "units"),
        (REJECT, "units", "3", "units"),
        (REJECT, "reason", "bad", "reason"),  # only the listed reasons
        (REJECT, "ref", "has space", "ref"),
    ],
)
def test_invalid_v2_fields_are_refused(body: Grade | Reject, field: str, value: Any, message: str) -> None:
    """A receiver refuses a grade or reject with a bad field as malformed, naming the field."""
    raw = _record(body)
    raw["body"][field] = value
    with pytest.raises(Malformed, match=f"body.{message}"):
        record_from_dict(raw)


@pytest.mark.parametrize("body", [GRADE, REJECT])
def test_missing_or_extra_fields_are_refused(body: Grade | Reject) -> None:
    """Exactly the documented fields: one missing or one extra is malformed."""
    raw = _record(body)
    raw["body"].pop("officer")
    with pytest.raises(Malformed):
        record_from_dict(raw)
    raw = _record(body)
    raw["body"]["points"] = 3
    with pytest.raises(Malformed):
        record_from_dict(raw)


def test_a_signer_refuses_to_sign_an_invalid_reject() -> None:
    """A reject the hub would refuse is never signed into the kiosk's chain."""
    bad = Reject(
        person="P1", line="L1", day="2026-11-03", product="p", step="s", units=0, reason="sewing", officer="O"
    )
    record = Record(kiosk="K1", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=1, mono_ms=1, body=bad)
    with pytest.raises(Malformed):
        sign_record(record, SIGNER)
