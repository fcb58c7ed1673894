"""QR / barcode scanners in serial mode: the driver and the in-process simulation.

A keyboard-wedge scanner (one that types into the focused field) is not a serial device: the kiosk
page reads it like a keyboard and can pass the text to `devices.events.interpret_code`.
"""

from __future__ import annotations

import time
from typing import Literal

from devices.config import CodeScannerConfig
from devices.driver import Clock, SerialStreamDriver, SimulatedDevice
from devices.events import EventCallback, interpret_code
from devices.framing import FrameProblem, RepeatFilter
from devices.interfaces import CodeScanner
from devices.scanner_frames import CodeFrameParser, clean_code
from protocol.codes import BundleTicket, encode_bundle_ticket, encode_person_code


def _parser(config: CodeScannerConfig) -> CodeFrameParser:
    return CodeFrameParser(
        terminator=config.terminator,
        strip_prefix=config.strip_prefix,
        strip_suffix=config.strip_suffix,
        max_length=config.max_length,
        frame_timeout=config.frame_timeout,
    )


class CodeScannerHardware(SerialStreamDriver, CodeScanner):
    """A QR / barcode scanner on a serial port.

    Each code becomes BundleTicketScanned, PersonScanned, TicketError (a malformed FloorLedger code)
    or CodeScanned (anything else); the same code again within `dedup_window` is dropped.
    """

    def __init__(
        self,
        config: CodeScannerConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._scanner_config = config
        self._parser = _parser(config)
        self._repeats = RepeatFilter(config.dedup_window)

    @property
    def kind(self) -> Literal["qr"]:
        """Always ``"qr"``."""
        return "qr"

    def _new_session(self) -> None:
        self._parser = _parser(self._scanner_config)

    def _handle(self, data: bytes, now: float) -> None:
        for item in self._parser.feed(data, now):
            if isinstance(item, FrameProblem):
                self._read_error(item.reason, item.raw)
            elif self._repeats.accept(item.code, now):
                self._emit(interpret_code(self._name, item.code))


class CodeScannerSimulation(SimulatedDevice, CodeScanner):
    """An in-process scanner for kiosk tests: `scan(text)`, `scan_ticket(...)`, `scan_person(id)`."""

    def __init__(
        self,
        config: CodeScannerConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._scanner_config = config
        self._repeats = RepeatFilter(config.dedup_window)

    @property
    def kind(self) -> Literal["qr"]:
        """Always ``"qr"``."""
        return "qr"

    def scan(self, text: str) -> None:
        """Scan a code with this text (cleaned and interpreted exactly like the hardware driver does)."""
        if not self.connected:
            return
        code = clean_code(
            text,
            strip_prefix=self._scanner_config.strip_prefix,
            strip_suffix=self._scanner_config.strip_suffix,
        )
        if code and self._repeats.accept(code, self._clock()):
            self._emit(interpret_code(self._name, code))

    def scan_ticket(self, *, product: str, step: str, bundle_id: str, units: int) -> None:
        """Scan a well-formed bundle ticket."""
        self.scan(
            encode_bundle_ticket(BundleTicket(product=product, step=step, bundle_id=bundle_id, units=units))
        )

    def scan_person(self, person_id: str) -> None:
        """Scan a person's QR code."""
        self.scan(encode_person_code(person_id))
