"""The typed events every device driver emits through its `on_event` callback.

Events are plain frozen values: a kiosk matches on their type (`match event: case BadgeRead(): ...`),
logs them with `format_event` and never needs to know which driver or simulator produced them.
`device` is always the configured device name (e.g. ``"badge0"``), so one callback can serve
several devices.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from protocol.codes import CodeFormatError, claimed_kind, parse_bundle_ticket, parse_person_code


@dataclass(frozen=True, slots=True, kw_only=True)
class BadgeRead:
    """A badge was presented to a reader (after the repeat window: one event per presentation).

    `badge_id` is formatted as configured (hex, decimal, Wiegand 26 ...) so it matches the number
    printed on the card; `raw` is the frame as received, for diagnostics.
    """

    device: str
    badge_id: str
    raw: bytes
    at_monotonic: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeScanned:
    """A scanner read a code that is neither a bundle ticket nor a person code (passed on as text)."""

    device: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonScanned:
    """A scanner read a FloorLedger person code (``FLP1|person=1001``): identifies someone like a badge."""

    device: str
    person_id: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleTicketScanned:
    """A scanner read a valid bundle ticket (``FLB1|product=..|step=..|bundle=..|units=..``)."""

    device: str
    product: str
    step: str
    bundle_id: str
    units: int
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketError:
    """A scanned code claims to be a FloorLedger ticket or person code but is malformed.

    `reason` is one short English sentence fit for a log and for choosing the kiosk's message.
    """

    device: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitsCounted:
    """Units were produced: `units` is the increment since the last event, `total` the counter's reading."""

    device: str
    units: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CounterReset:
    """The counter restarted (power cycle): its total fell from `previous_total` to `total`.

    The units counted since the restart (`total`, because the counter restarted at 0) follow in a
    `UnitsCounted` event; units between the last reading before the reset and the reset itself are
    unknowable and are not invented.
    """

    device: str
    previous_total: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceConnected:
    """The driver opened the port (for Modbus: the counter answered). Emitted again after each reconnect."""

    device: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceDisconnected:
    """The port disappeared, failed or could not be opened; the driver keeps retrying with backoff."""

    device: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceFault:
    """Something retrying alone will not fix: a wrong setting, no permission, a Modbus exception reply."""

    device: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadError:
    """A frame was received but rejected (bad checksum, malformed, too long). `raw` is at most 64 bytes."""

    device: str
    reason: str
    raw: bytes


DeviceEvent: TypeAlias = (
    BadgeRead
    | CodeScanned
    | PersonScanned
    | BundleTicketScanned
    | TicketError
    | UnitsCounted
    | CounterReset
    | DeviceConnected
    | DeviceDisconnected
    | DeviceFault
    | ReadError
)
"""Every event a device can emit."""

EventCallback: TypeAlias = Callable[[DeviceEvent], None]
"""The `on_event` callback. Drivers call it from their own thread: keep it short (hand over to a queue)."""

RAW_LIMIT = 64
"""ReadError.raw keeps at most this many bytes, so a flood of garbage never makes a huge event."""


def ignore_event(event: DeviceEvent) -> None:
    """The default `on_event`: drops the event."""


def clip_raw(raw: bytes) -> bytes:
    """Shorten raw bytes for a ReadError."""
    return bytes(raw[:RAW_LIMIT])


def format_event(event: DeviceEvent) -> str:
    """One line for a log or a terminal: the event type, then `field=value` with values in repr form."""
    parts = [type(event).__name__]
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if isinstance(value, float):
            parts.append(f"{field.name}={value:.3f}")
        else:
            parts.append(f"{field.name}={value!r}")
    return " ".join(parts)


def interpret_code(device: str, code: str) -> CodeScanned | PersonScanned | BundleTicketScanned | TicketError:
    """The event a scanned code stands for: ticket, person, malformed FloorLedger code, or plain text."""
    kind = claimed_kind(code)
    if kind is None:
        return CodeScanned(device=device, code=code)
    try:
        if kind == "ticket":
            ticket = parse_bundle_ticket(code)
            return BundleTicketScanned(
                device=device,
                product=ticket.product,
                step=ticket.step,
                bundle_id=ticket.bundle_id,
                units=ticket.units,
                code=code,
            )
        person = parse_person_code(code)
        return PersonScanned(device=device, person_id=person.person_id, code=code)
    except CodeFormatError as err:
        return TicketError(device=device, code=code, reason=str(err))
