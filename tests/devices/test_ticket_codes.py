"""FloorLedger QR formats: bundle tickets and person codes are strict and explain what is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.events import BundleTicketScanned, CodeScanned, PersonScanned, TicketError, interpret_code
from protocol.codes import (
    BundleTicket,
    CodeFormatError,
    encode_bundle_ticket,
    encode_person_code,
    parse_bundle_ticket,
    parse_person_code,
)

TICKET = "FLB1|product=P1|step=S2|bundle=B000123|units=20"


def test_a_bundle_ticket_is_parsed_into_its_four_fields() -> None:
    assert parse_bundle_ticket(TICKET) == BundleTicket(product="P1", step="S2", bundle_id="B000123", units=20)


def test_field_order_does_not_matter() -> None:
    assert parse_bundle_ticket("FLB1|units=20|bundle=B000123|step=S2|product=P1").units == 20


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FLB1", "bundle ticket has no fields"),
        ("FLB1|", "bundle ticket has no fields"),
        (
            "FLB2|product=P1|step=S2|bundle=B1|units=1",
            "unsupported bundle ticket version 'FLB2' (this kiosk reads FLB1)",
        ),
        ("flb1|product=P1|step=S2|bundle=B1|units=1", "not a bundle ticket: it must start with FLB1|"),
        ("FLB1|product=P1|step=S2|bundle=B1", "bundle ticket is missing units"),
        ("FLB1|product=P1|step=S2|units=5", "bundle ticket is missing bundle"),
        ("FLB1|product=P1|product=P2|step=S2|bundle=B1|units=1", "field 'product' appears twice"),
        ("FLB1|product=P1|step=S2|bundle=B1|units=1|colour=red", "unknown field 'colour' in bundle ticket"),
        ("FLB1|product=P1|step=S2|bundle=B1|units", "field 'units' is not key=value"),
        ("FLB1|product=|step=S2|bundle=B1|units=1", "product must be 1-40 characters"),
        ("FLB1|product=P 1|step=S2|bundle=B1|units=1", "product must be 1-40 characters"),
        ("FLB1|product=P1|step=S2|bundle=" + "B" * 41 + "|units=1", "bundle must be 1-40 characters"),
        (
            "FLB1|product=P1|step=S2|bundle=B1|units=0",
            "units must be a whole number from 1 to 100000, not '0'",
        ),
        ("FLB1|product=P1|step=S2|bundle=B1|units=020", "units must be a whole number from 1 to 100000"),
        ("FLB1|product=P1|step=S2|bundle=B1|units=-5", "units must be a whole number"),
        ("FLB1|product=P1|step=S2|bundle=B1|units=100001", "units must be a whole number"),
        ("FLB1|product=P1|step=S2|bundle=B1|units=2x", "units must be a whole number"),
    ],
)
def test_malformed_bundle_tickets_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(CodeFormatError) as caught:
        parse_bundle_ticket(text)
    assert str(caught.value).startswith(reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FLP1", "person code has no fields"),
        ("FLP1|person=", "person must be 1-40 characters"),
        ("FLP1|person=1001|person=1002", "field 'person' appears twice"),
        ("FLP1|id=1001", "unknown field 'id' in person code"),
        ("FLP3|person=1001", "unsupported person code version 'FLP3'"),
    ],
)
def test_malformed_person_codes_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(CodeFormatError, match="^" + reason.replace("|", r"\|")):
        parse_person_code(text)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            TICKET,
            BundleTicketScanned(
                device="qr0", product="P1", step="S2", bundle_id="B000123", units=20, code=TICKET
            ),
        ),
        ("FLP1|person=1001", PersonScanned(device="qr0", person_id="1001", code="FLP1|person=1001")),
        (
            "FLB1|product=P1",
            TicketError(
                device="qr0", code="FLB1|product=P1", reason="bundle ticket is missing step, bundle, units"
            ),
        ),
        ("FLP1", TicketError(device="qr0", code="FLP1", reason="person code has no fields")),
        ("4006381333931", CodeScanned(device="qr0", code="4006381333931")),
        ("FLB123456", CodeScanned(device="qr0", code="FLB123456")),
        ("https://example.org/FLB1|x", CodeScanned(device="qr0", code="https://example.org/FLB1|x")),
    ],
)
def test_interpret_code_gives_the_event_a_kiosk_acts_on(code: str, expected: object) -> None:
    assert interpret_code("qr0", code) == expected


def test_encoding_refuses_values_the_format_cannot_carry() -> None:
    with pytest.raises(CodeFormatError):
        encode_bundle_ticket(BundleTicket(product="P|1", step="S", bundle_id="B", units=1))
    with pytest.raises(CodeFormatError):
        encode_person_code("10 01")


IDENT = st.text(st.sampled_from("ABCXYZabcxyz0123456789._/-"), min_size=1, max_size=40)


@settings(deadline=None, max_examples=50)
@given(product=IDENT, step=IDENT, bundle_id=IDENT, units=st.integers(1, 100_000))
def test_every_encodable_ticket_reads_back_unchanged(
    product: str, step: str, bundle_id: str, units: int
) -> None:
    ticket = BundleTicket(product=product, step=step, bundle_id=bundle_id, units=units)
    assert parse_bundle_ticket(encode_bundle_ticket(ticket)) == ticket


@settings(deadline=None, max_examples=50)
@given(person_id=IDENT)
def test_every_encodable_person_code_reads_back_unchanged(person_id: str) -> None:
    assert parse_person_code(encode_person_code(person_id)).person_id == person_id
