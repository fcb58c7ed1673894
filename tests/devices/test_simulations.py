"""The in-process simulations the kiosk UI tests drive, and the `open_device` factory."""

from __future__ import annotations

import pytest

from devices.badge import BadgeReaderHardware, BadgeReaderSimulation
from devices.config import BadgeReaderConfig, CodeScannerConfig, ModbusCounterConfig, SerialCounterConfig
from devices.counter import SerialCounterHardware, UnitCounterSimulation
from devices.errors import DeviceConfigError
from devices.events import (
    BadgeRead,
    BundleTicketScanned,
    CounterReset,
    DeviceConnected,
    DeviceDisconnected,
    DeviceFault,
    PersonScanned,
    ReadError,
    TicketError,
    UnitsCounted,
    format_event,
)
from devices.factory import open_device
from devices.modbus import ModbusCounterHardware
from devices.scanner import CodeScannerHardware, CodeScannerSimulation
from devices.testing import EventRecorder, ManualClock

BADGE = BadgeReaderConfig(name="badge0", url="sim://badge0")
SCANNER = CodeScannerConfig(name="qr0", url="sim://qr0")
COUNTER = SerialCounterConfig(name="counter0", url="sim://counter0", modulus=65536)
MODBUS = ModbusCounterConfig(name="press1", url="sim://press1")


def test_a_simulated_badge_reader_emits_reads_synchronously_with_the_repeat_window() -> None:
    clock, recorder = ManualClock(), EventRecorder()
    reader = BadgeReaderSimulation(BADGE, clock=clock, on_event=recorder)
    reader.present("0000001001")  # not started: nothing
    reader.start()
    reader.present("0000001001")
    reader.present("0000001001")
    clock.advance(5)
    reader.present("0000001001")
    assert [type(e) for e in recorder.events] == [DeviceConnected, BadgeRead, BadgeRead]
    assert recorder.of_type(BadgeRead)[1] == BadgeRead(
        device="badge0", badge_id="0000001001", raw=b"0000001001", at_monotonic=1005.0
    )


def test_a_simulated_device_can_be_unplugged_replugged_and_faulted() -> None:
    recorder = EventRecorder()
    reader = BadgeReaderSimulation(BADGE, on_event=recorder)
    reader.start()
    reader.unplug()
    reader.present("0000000001")  # lost: nobody is listening
    assert not reader.connected
    reader.replug()
    reader.read_error("bad checksum", b"\x02junk")
    reader.fault("no permission")
    reader.stop()
    reader.present("0000000002")
    assert [type(e) for e in recorder.events] == [
        DeviceConnected,
        DeviceDisconnected,
        DeviceConnected,
        ReadError,
        DeviceFault,
    ]


def test_a_simulated_scanner_interprets_codes_like_the_driver() -> None:
    recorder = EventRecorder()
    scanner = CodeScannerSimulation(SCANNER, on_event=recorder)
    scanner.start()
    scanner.scan_ticket(product="P1", step="S2", bundle_id="B000123", units=20)
    scanner.scan_person("1001")
    scanner.scan("FLB1|product=P1")
    assert [type(e) for e in recorder.events] == [
        DeviceConnected,
        BundleTicketScanned,
        PersonScanned,
        TicketError,
    ]


def test_a_simulated_counter_keeps_counting_while_unplugged_and_reports_resets() -> None:
    recorder = EventRecorder()
    counter = UnitCounterSimulation(COUNTER, on_event=recorder, initial_total=65534)
    counter.start()
    counter.count(1)
    counter.count(2)  # wraps
    counter.unplug()
    counter.count(4)
    counter.replug()
    counter.power_cycle()
    counter.count(3)
    assert [(e.units, e.total) for e in recorder.of_type(UnitsCounted)] == [
        (1, 65535),
        (2, 1),
        (4, 5),
        (3, 3),
    ]
    (reset,) = recorder.of_type(CounterReset)
    assert (reset.previous_total, reset.total) == (5, 0)
    assert counter.total == 3


def test_open_device_picks_the_driver_or_simulation_for_each_config() -> None:
    assert isinstance(open_device(BADGE), BadgeReaderHardware)
    assert isinstance(open_device(SCANNER), CodeScannerHardware)
    assert isinstance(open_device(COUNTER), SerialCounterHardware)
    assert isinstance(open_device(MODBUS), ModbusCounterHardware)
    assert isinstance(open_device(BADGE, simulated=True), BadgeReaderSimulation)
    assert isinstance(open_device(SCANNER, simulated=True), CodeScannerSimulation)
    assert isinstance(open_device(MODBUS, simulated=True), UnitCounterSimulation)
    assert open_device(COUNTER, resume_total=7).total == 7
    assert [d.kind for d in (open_device(BADGE), open_device(SCANNER), open_device(MODBUS))] == [
        "badge",
        "qr",
        "counter",
    ]


def test_resume_total_is_refused_for_devices_that_do_not_count() -> None:
    with pytest.raises(DeviceConfigError, match="resume_total only applies to counters"):
        open_device(BADGE, resume_total=3)


def test_format_event_is_one_readable_line() -> None:
    line = format_event(
        BadgeRead(device="badge0", badge_id="0000001001", raw=b"\x02..", at_monotonic=12.3456)
    )
    assert line == "BadgeRead device='badge0' badge_id='0000001001' raw=b'\\x02..' at_monotonic=12.346"
