"""FloorLedger's own QR code formats: bundle tickets and person codes (pure, no I/O).

Bundle ticket (version 1)::

    FLB1|product=P1|step=S2|bundle=B000123|units=20

Person code (version 1), which identifies someone like a badge::

    FLP1|person=1001

Rules (strict, so a misprinted ticket is refused with a reason instead of half-read):

- fields are separated by ``|`` and written ``key=value``; keys are lower case;
- a ticket has exactly the fields product, step, bundle and units (any order, each once); a person
  code exactly the field person; unknown, repeated or missing fields are errors;
- product, step, bundle and person values are 1-40 characters of ``A-Z a-z 0-9 . _ / -``;
- units is a whole number from 1 to 100000, written without sign or leading zeros.

A code is treated as a FloorLedger code when it starts with ``FLB`` or ``FLP``, a version number
and ``|`` (or is exactly ``FLB1``/``FLP1``); any other code passes through as plain text
(`claimed_kind`; `devices.events.interpret_code` turns a scanned code into the event it stands for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BUNDLE_TICKET_PREFIX = "FLB1"
PERSON_CODE_PREFIX = "FLP1"
MAX_UNITS = 100_000
_CLAIM = re.compile(r"(FL[BP])(?:\d+\|.*|1)", re.DOTALL)
_VALUE = re.compile(r"[A-Za-z0-9._/-]{1,40}")
_UNITS = re.compile(r"[1-9][0-9]{0,5}")
_TICKET_FIELDS = ("product", "step", "bundle", "units")
_PERSON_FIELDS = ("person",)


class CodeFormatError(ValueError):
    """A FloorLedger code is malformed; the message is the reason, one short sentence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleTicket:
    """What a bundle ticket says: which product, which step, which bundle and how many units."""

    product: str
    step: str
    bundle_id: str
    units: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonCode:
    """What a person code says: the person's id (as on their badge record)."""

    person_id: str


def encode_bundle_ticket(ticket: BundleTicket) -> str:
    """The QR text for a ticket; raises CodeFormatError when a value cannot be encoded."""
    text = (
        f"{BUNDLE_TICKET_PREFIX}|product={ticket.product}|step={ticket.step}"
        f"|bundle={ticket.bundle_id}|units={ticket.units}"
    )
    parse_bundle_ticket(text)
    return text


def encode_person_code(person_id: str) -> str:
    """The QR text for a person code; raises CodeFormatError when the id cannot be encoded."""
    text = f"{PERSON_CODE_PREFIX}|person={person_id}"
    parse_person_code(text)
    return text


def parse_bundle_ticket(text: str) -> BundleTicket:
    """Parse a bundle ticket or raise CodeFormatError with the reason."""
    fields = _fields(text, BUNDLE_TICKET_PREFIX, "bundle ticket", _TICKET_FIELDS)
    if not _UNITS.fullmatch(fields["units"]) or int(fields["units"]) > MAX_UNITS:
        raise CodeFormatError(f"units must be a whole number from 1 to {MAX_UNITS}, not {fields['units']!r}")
    return BundleTicket(
        product=fields["product"], step=fields["step"], bundle_id=fields["bundle"], units=int(fields["units"])
    )


def parse_person_code(text: str) -> PersonCode:
    """Parse a person code or raise CodeFormatError with the reason."""
    return PersonCode(person_id=_fields(text, PERSON_CODE_PREFIX, "person code", _PERSON_FIELDS)["person"])


def claimed_kind(text: str) -> Literal["ticket", "person"] | None:
    """Which FloorLedger code `text` claims to be, well-formed or not (None: not ours, plain text)."""
    claim = _CLAIM.fullmatch(text)
    if claim is None:
        return None
    return "ticket" if claim.group(1) == "FLB" else "person"


def _fields(text: str, prefix: str, what: str, expected: tuple[str, ...]) -> dict[str, str]:
    head, _, rest = text.partition("|")
    if head != prefix:
        if head[:3] == prefix[:3] and head[3:].isdigit():
            raise CodeFormatError(f"unsupported {what} version {head!r} (this kiosk reads {prefix})")
        raise CodeFormatError(f"not a {what}: it must start with {prefix}|")
    if not rest:
        raise CodeFormatError(f"{what} has no fields")
    found: dict[str, str] = {}
    for part in rest.split("|"):
        key, sep, value = part.partition("=")
        if not sep:
            raise CodeFormatError(f"field {part!r} is not key=value")
        if key not in expected:
            raise CodeFormatError(f"unknown field {key!r} in {what}")
        if key in found:
            raise CodeFormatError(f"field {key!r} appears twice")
        if key != "units" and not _VALUE.fullmatch(value):
            raise CodeFormatError(f"{key} must be 1-40 characters of letters, digits, '.', '_', '/' or '-'")
        found[key] = value
    missing = [key for key in expected if key not in found]
    if missing:
        raise CodeFormatError(f"{what} is missing {', '.join(missing)}")
    return found
