"""Device simulators that speak the real byte protocols on pseudo-terminals.

These are fake *devices*, not fake drivers: point a `...Hardware` driver (or `floorledger devices
watch`) at `simulator.url` and it runs exactly the code it runs against a real reader. They are
used by the driver tests, by `floorledger devices simulate` and by the demo. (The `...Simulation`
classes, by contrast, replace the driver in-process for kiosk UI tests.)

Every simulator can `unplug()` and `replug()`; give it a `link` path to get a stable name that
follows the current pty, like /dev/serial/by-id/... follows a USB adapter.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
from types import TracebackType
from typing import Any, Literal, Self

from pymodbus import FramerType
from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusSerialServer
from pymodbus.simulator import DataType, SimData, SimDevice

from devices.badge_frames import encode_ascii_card, encode_em4100
from devices.config import BadgeProtocol, WordOrder
from devices.counter_frames import encode_counter_total
from devices.modbus import total_to_registers
from devices.pty import PtyNullModem, PtyPort
from devices.scanner_frames import encode_code
from protocol.codes import BundleTicket, encode_bundle_ticket, encode_person_code

Link = str | os.PathLike[str] | None

_NOISE_BYTES = bytes(
    b
    for b in range(256)
    if (b < 0x20 and b not in b"\x02\x03\r\n") or b == 0x7F or 0x80 <= b < 0xC0 or b >= 0xF8
)


def line_noise(length: int = 24, *, rng: random.Random | None = None) -> bytes:
    """Garbage as a noisy line produces between frames: control characters (but no STX, ETX, CR or LF)
    and 8-bit bytes that can never be part of UTF-8 text, so no parser can mistake it for data."""
    rng = rng or random.Random()
    return bytes(rng.choice(_NOISE_BYTES) for _ in range(length))


class _PtySimulator:
    """Common part: the pty, unplug/replug, raw sends, noise, context manager."""

    def __init__(self, link: Link) -> None:
        self.port = PtyPort(link=link)

    @property
    def url(self) -> str:
        """Where to point a driver."""
        return self.port.url

    def send(self, data: bytes) -> None:
        """Send arbitrary bytes (partial frames, garbage, two frames at once...)."""
        self.port.write(data)

    def noise(self, length: int = 24, *, rng: random.Random | None = None) -> bytes:
        """Send line noise (see `line_noise`); returns what was sent."""
        data = line_noise(length, rng=rng)
        self.send(data)
        return data

    def drain(self, timeout: float = 1.0) -> bool:
        """Wait until the driver has read everything sent so far (False after `timeout`)."""
        return self.port.drain(timeout)

    def unplug(self) -> None:
        """Make the port disappear."""
        self.port.unplug()

    def replug(self) -> None:
        """Bring the port back (new pty; the link, if any, follows)."""
        self.port.replug()

    def close(self) -> None:
        """Remove the port for good."""
        self.port.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class BadgeReaderSimulator(_PtySimulator):
    """A badge reader on a pty sending EM4100-style or plain ASCII frames."""

    def __init__(
        self,
        *,
        link: Link = None,
        protocol: BadgeProtocol = "em4100",
        ascii_format: Literal["decimal", "hex"] = "decimal",
    ) -> None:
        super().__init__(link)
        self.protocol = protocol
        self.ascii_format = ascii_format

    def frame(self, card: int) -> bytes:
        """The frame this reader sends for a card value (40-bit EM4100 value; ASCII: the number)."""
        if self.protocol == "em4100":
            return encode_em4100(card)
        text = f"{card:010d}" if self.ascii_format == "decimal" else f"{card:010X}"
        return encode_ascii_card(text)

    def present(self, card: int) -> bytes:
        """Hold a card to the reader: sends one frame and returns it."""
        data = self.frame(card)
        self.send(data)
        return data


class CodeScannerSimulator(_PtySimulator):
    """A serial QR / barcode scanner on a pty: sends each code followed by the terminator."""

    def __init__(self, *, link: Link = None, terminator: str = "\r") -> None:
        super().__init__(link)
        self.terminator = terminator

    def scan(self, code: str) -> bytes:
        """Scan a code: sends its UTF-8 bytes and the terminator, returns them."""
        data = encode_code(code, terminator=self.terminator)
        self.send(data)
        return data

    def scan_ticket(self, *, product: str, step: str, bundle_id: str, units: int) -> bytes:
        """Scan a well-formed bundle ticket."""
        return self.scan(
            encode_bundle_ticket(BundleTicket(product=product, step=step, bundle_id=bundle_id, units=units))
        )

    def scan_person(self, person_id: str) -> bytes:
        """Scan a person code."""
        return self.scan(encode_person_code(person_id))


class SerialCounterSimulator(_PtySimulator):
    """An ASCII counter on a pty: sends ``C:<total>`` CR LF each time its total changes or on `report()`."""

    def __init__(self, *, link: Link = None, initial_total: int = 0, modulus: int = 2**32) -> None:
        super().__init__(link)
        self.modulus = modulus
        self.total = initial_total % modulus

    def report(self) -> bytes:
        """Send the current total (as counters also do periodically)."""
        data = encode_counter_total(self.total)
        self.send(data)
        return data

    def count(self, units: int = 1) -> bytes:
        """Produce `units` units (wrapping at the modulus) and report the new total."""
        self.total = (self.total + units) % self.modulus
        return self.report()

    def set_total(self, total: int) -> bytes:
        """Preset the total and report it."""
        self.total = total % self.modulus
        return self.report()

    def power_cycle(self) -> bytes:
        """Restart at 0 and report it."""
        self.total = 0
        return self.report()


class ModbusCounterSimulator:
    """A Modbus RTU counter: pymodbus's own serial server on one pty of a null modem.

    The driver opens `url` (the other pty). The total sits in `address` (one register for 16 bit,
    two for 32 bit in `word_order`), readable as holding *and* input registers; other addresses
    answer ILLEGAL ADDRESS. `refusing = True` makes every read answer SLAVE DEVICE FAILURE.
    """

    def __init__(
        self,
        *,
        link: Link = None,
        unit: int = 1,
        address: int = 0,
        bits: Literal[16, 32] = 16,
        word_order: WordOrder = "big",
        baudrate: int = 9600,
        initial_total: int = 0,
    ) -> None:
        self.unit = unit
        self.address = address
        self.bits = bits
        self.word_order = word_order
        self.baudrate = baudrate
        self.refusing = False
        self._total = initial_total % (1 << bits)
        self._lock = threading.Lock()
        self._modem = PtyNullModem(link_b=link)
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(),), name="modbus-sim", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(10) or self._failure is not None:
            self.close()
            raise RuntimeError(f"Modbus simulator did not start: {self._failure!r}")

    @property
    def url(self) -> str:
        """Where to point the Modbus driver."""
        return self._modem.b.url

    @property
    def total(self) -> int:
        """The counter's current total."""
        with self._lock:
            return self._total

    def count(self, units: int = 1) -> None:
        """Produce `units` units (wrapping at 2**bits)."""
        with self._lock:
            self._total = (self._total + units) % (1 << self.bits)

    def set_total(self, total: int) -> None:
        """Preset the total."""
        with self._lock:
            self._total = total % (1 << self.bits)

    def power_cycle(self) -> None:
        """Restart at 0."""
        self.set_total(0)

    def drain(self, timeout: float = 1.0) -> bool:
        """Nothing to wait for: the server only answers requests."""
        return True

    def unplug(self) -> None:
        """The driver's port disappears (the counter itself keeps counting)."""
        self._modem.b.unplug()

    def replug(self) -> None:
        """The driver's port comes back."""
        self._modem.b.replug()

    def close(self) -> None:
        """Stop the server and remove both ptys."""
        loop, stop = self._loop, self._stop_requested
        if loop is not None and stop is not None and self._thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(10)
        self._modem.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def _serve(self) -> None:
        try:
            device = SimDevice(
                id=self.unit,
                simdata=[
                    SimData(
                        address=self.address, count=self.bits // 16, values=0, datatype=DataType.REGISTERS
                    )
                ],
                action=self._action,
            )
            server: Any = ModbusSerialServer(
                device, framer=FramerType.RTU, port=self._modem.a.url, baudrate=self.baudrate
            )
            await server.serve_forever(background=True)
        except Exception as err:  # reported to the constructor, which raises it
            self._failure = err
            self._ready.set()
            return
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        self._ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            await server.shutdown()

    async def _action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        """Called by pymodbus before each access: put the live total into the registers."""
        with self._lock:
            if self.refusing:
                return ExcCodes.DEVICE_FAILURE
            values = total_to_registers(self._total, bits=self.bits, word_order=self.word_order)
        offset = self.address - start_address
        registers[offset : offset + len(values)] = values
        return None
