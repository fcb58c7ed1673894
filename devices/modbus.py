"""Modbus RTU counters polled with pymodbus's synchronous serial client.

Each poll reads the total (one register for 16 bit, two for 32 bit, in the configured word order)
from holding or input registers; `CounterTracker` turns totals into units, so missed polls,
timeouts and reconnects never lose or double-count. The client opens the port by URL through
`serial.serial_for_url`, like the other drivers.

- port cannot be opened, or the counter does not answer (after `retries`): DeviceDisconnected once,
  then reconnect with backoff; DeviceConnected when it answers again;
- the counter answers with a Modbus exception (wrong address, wrong register type): DeviceFault once,
  polling continues so a corrected device is picked up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Literal

from pymodbus import FramerType, ModbusException
from pymodbus.client import ModbusSerialClient

from devices.config import ModbusCounterConfig, WordOrder
from devices.counting import CounterTracker
from devices.driver import Backoff, Clock, ThreadedDevice, fault_reason, open_serial
from devices.events import DeviceConnected, DeviceFault, EventCallback
from devices.interfaces import UnitCounter

logger = logging.getLogger(__name__)


def registers_to_total(registers: Sequence[int], word_order: WordOrder = "big") -> int:
    """The counter total held in one or two 16-bit registers (pure)."""
    if len(registers) not in (1, 2) or any(not 0 <= r <= 0xFFFF for r in registers):
        raise ValueError(f"expected one or two 16-bit registers, got {list(registers)!r}")
    if len(registers) == 1:
        return registers[0]
    high, low = (registers[0], registers[1]) if word_order == "big" else (registers[1], registers[0])
    return (high << 16) | low


def total_to_registers(total: int, *, bits: int, word_order: WordOrder = "big") -> list[int]:
    """The register values a counter holds for `total` (for simulators and tests)."""
    if not 0 <= total < 1 << bits or bits not in (16, 32):
        raise ValueError(f"total {total} does not fit {bits} bits")
    if bits == 16:
        return [total]
    high, low = total >> 16, total & 0xFFFF
    return [high, low] if word_order == "big" else [low, high]


class ModbusCounterHardware(ThreadedDevice, UnitCounter):
    """A Modbus RTU counter: one polling thread, events as for the serial counter."""

    def __init__(
        self,
        config: ModbusCounterConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
        resume_total: int | None = None,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._modbus = config
        self._tracker = CounterTracker(
            device=config.name, modulus=config.modulus, max_step=config.max_step, last_total=resume_total
        )
        self.failed_polls = 0
        """Polls that got no (valid) answer since the driver was built."""

    @property
    def kind(self) -> Literal["counter"]:
        """Always ``"counter"``."""
        return "counter"

    @property
    def total(self) -> int | None:
        """The last accepted total."""
        return self._tracker.total

    def _client(self) -> Any:
        config = self._modbus
        return ModbusSerialClient(
            config.url,
            framer=FramerType.RTU,
            baudrate=config.baudrate,
            bytesize=config.bytesize,
            parity=config.parity,
            stopbits=config.stopbits,
            timeout=config.timeout,
            retries=config.retries,
            name=config.name,
        )

    def _run(self) -> None:
        backoff = Backoff(self._modbus.reconnect_min, self._modbus.reconnect_max)
        down_reported = False
        fault_reported = False
        while not self._stopping.is_set():
            if (problem := self._probe_port()) is not None:
                if not down_reported:
                    self._disconnected(f"cannot open port: {problem}")
                    down_reported = True
                if (reason := fault_reason(problem)) and not fault_reported:
                    self._emit(DeviceFault(device=self._name, reason=reason))
                    fault_reported = True
                self._stopping.wait(backoff.next_delay())
                continue
            fault_reported = False
            client = self._client()
            try:
                reason = self._poll_until_failure(client, backoff) if client.connect() else "cannot open port"
            except Exception as err:  # a bug here must not end the thread: report it and reconnect
                logger.exception("%s: driver error", self._name)
                self._emit(DeviceFault(device=self._name, reason=f"driver error: {err!r}"))
                reason = f"driver error: {err!r}"
            finally:
                client.close()
            was_connected, self._connected = self._connected, False
            if reason is None:
                return
            if was_connected or not down_reported:
                self._disconnected(reason)
                down_reported = True
            self._stopping.wait(backoff.next_delay())

    def _probe_port(self) -> OSError | ValueError | None:
        """Open and close the port once, so a missing port or a wrong setting is reported precisely
        (pymodbus's own connect only logs it) before the client opens it for real."""
        try:
            open_serial(self._modbus, timeout=0).close()
        except (OSError, ValueError) as err:
            return err
        return None

    def _poll_until_failure(self, client: Any, backoff: Backoff) -> str | None:
        """Poll until the counter stops answering (returns why) or the driver stops (None)."""
        fault_reported = False
        while not self._stopping.is_set():
            try:
                reply = self._read(client)
            except (ModbusException, OSError) as err:
                self.failed_polls += 1
                return f"no reply from unit {self._modbus.unit}: {err}"
            if isinstance(reply, str):
                self.failed_polls += 1
                if not fault_reported:
                    self._emit(DeviceFault(device=self._name, reason=reply))
                    fault_reported = True
            else:
                fault_reported = False
                if not self._connected:
                    self._connected = True
                    backoff.reset()
                    self._emit(DeviceConnected(device=self._name, url=self._modbus.url))
                for event in self._tracker.observe(registers_to_total(reply, self._modbus.word_order)):
                    self._emit(event)
            self._stopping.wait(self._modbus.poll_interval)
        return None

    def _read(self, client: Any) -> list[int] | str:
        """The registers holding the total, or why the counter refused to give them."""
        config = self._modbus
        count = config.bits // 16
        if config.register == "holding":
            reply = client.read_holding_registers(config.address, count=count, device_id=config.unit)
        else:
            reply = client.read_input_registers(config.address, count=count, device_id=config.unit)
        if reply.isError():
            return f"counter refused to read {config.register} register {config.address}: {reply}"
        registers = list(reply.registers)
        if len(registers) != count:
            return f"counter sent {len(registers)} registers, expected {count}"
        return registers
