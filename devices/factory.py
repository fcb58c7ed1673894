"""Build the right driver (or simulation) for a device config: where the kiosk is assembled."""

from __future__ import annotations

import time
from typing import overload

from devices.badge import BadgeReaderHardware, BadgeReaderSimulation
from devices.config import (
    BadgeReaderConfig,
    CodeScannerConfig,
    DeviceConfig,
    ModbusCounterConfig,
    SerialCounterConfig,
)
from devices.counter import SerialCounterHardware, UnitCounterSimulation
from devices.driver import Clock
from devices.errors import DeviceConfigError
from devices.events import EventCallback
from devices.interfaces import BadgeReader, CodeScanner, UnitCounter
from devices.modbus import ModbusCounterHardware
from devices.scanner import CodeScannerHardware, CodeScannerSimulation


@overload
def open_device(
    config: BadgeReaderConfig,
    *,
    simulated: bool = ...,
    on_event: EventCallback | None = ...,
    clock: Clock = ...,
    resume_total: int | None = ...,
) -> BadgeReader: ...
@overload
def open_device(
    config: CodeScannerConfig,
    *,
    simulated: bool = ...,
    on_event: EventCallback | None = ...,
    clock: Clock = ...,
    resume_total: int | None = ...,
) -> CodeScanner: ...
@overload
def open_device(
    config: SerialCounterConfig | ModbusCounterConfig,
    *,
    simulated: bool = ...,
    on_event: EventCallback | None = ...,
    clock: Clock = ...,
    resume_total: int | None = ...,
) -> UnitCounter: ...
@overload
def open_device(
    config: DeviceConfig,
    *,
    simulated: bool = ...,
    on_event: EventCallback | None = ...,
    clock: Clock = ...,
    resume_total: int | None = ...,
) -> BadgeReader | CodeScanner | UnitCounter: ...
def open_device(
    config: DeviceConfig,
    *,
    simulated: bool = False,
    on_event: EventCallback | None = None,
    clock: Clock = time.monotonic,
    resume_total: int | None = None,
) -> BadgeReader | CodeScanner | UnitCounter:
    """The driver for `config`, not yet started: set `on_event` (or pass it) and call `start()`.

    `simulated=True` returns the in-process `...Simulation` instead (no port is opened).
    `resume_total` (counters only) is the last total you stored, to keep counting across restarts.
    """
    if resume_total is not None and not isinstance(config, SerialCounterConfig | ModbusCounterConfig):
        raise DeviceConfigError(f"{config.name}: resume_total only applies to counters")
    if isinstance(config, BadgeReaderConfig):
        if simulated:
            return BadgeReaderSimulation(config, clock=clock, on_event=on_event)
        return BadgeReaderHardware(config, clock=clock, on_event=on_event)
    if isinstance(config, CodeScannerConfig):
        if simulated:
            return CodeScannerSimulation(config, clock=clock, on_event=on_event)
        return CodeScannerHardware(config, clock=clock, on_event=on_event)
    if simulated:
        # a restarted simulation shows the total it had, as a real counter keeps counting while we are off
        return UnitCounterSimulation(
            config, clock=clock, on_event=on_event, resume_total=resume_total, initial_total=resume_total or 0
        )
    if isinstance(config, SerialCounterConfig):
        return SerialCounterHardware(config, clock=clock, on_event=on_event, resume_total=resume_total)
    return ModbusCounterHardware(config, clock=clock, on_event=on_event, resume_total=resume_total)
