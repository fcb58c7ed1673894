"""ModbusCounterHardware against pymodbus's own RTU serial server (a real peer) over a pty null modem."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.config import ModbusCounterConfig
from devices.events import CounterReset, DeviceConnected, DeviceDisconnected, DeviceFault, UnitsCounted
from devices.modbus import ModbusCounterHardware, registers_to_total, total_to_registers
from devices.simulators import ModbusCounterSimulator
from devices.testing import EventRecorder

RunDriver = Callable[[Any], Any]
FAST = {"reconnect_min": 0.02, "reconnect_max": 0.1, "poll_interval": 0.02, "timeout": 0.2, "retries": 0}


@pytest.fixture
def make_counter(tmp_path: Path) -> Iterator[Callable[..., ModbusCounterSimulator]]:
    made: list[ModbusCounterSimulator] = []

    def make(**options: Any) -> ModbusCounterSimulator:
        simulator = ModbusCounterSimulator(link=tmp_path / f"modbus{len(made)}", **options)
        made.append(simulator)
        return simulator

    yield make
    for simulator in made:
        simulator.close()


def start(
    run_driver: RunDriver, recorder: EventRecorder, url: str, resume_total: int | None = None, **options: Any
) -> ModbusCounterHardware:
    config = ModbusCounterConfig(url=url, **({"name": "press1"} | FAST | options))
    return run_driver(ModbusCounterHardware(config, on_event=recorder, resume_total=resume_total))  # type: ignore[no-any-return]


def units(recorder: EventRecorder) -> int:
    return sum(event.units for event in recorder.of_type(UnitsCounted))


@pytest.mark.parametrize(
    ("registers", "word_order", "total"),
    [([1234], "big", 1234), ([0x0001, 0x0002], "big", 0x00010002), ([0x0002, 0x0001], "little", 0x00010002)],
)
def test_registers_to_total_follows_the_word_order(registers: list[int], word_order: str, total: int) -> None:
    assert registers_to_total(registers, word_order) == total  # type: ignore[arg-type]
    assert total_to_registers(total, bits=16 * len(registers), word_order=word_order) == registers  # type: ignore[arg-type]


def test_counts_read_from_a_holding_register_arrive_as_deltas(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter(initial_total=100)
    driver = start(run_driver, recorder, counter.url)
    recorder.wait_for(DeviceConnected)
    recorder.wait_until(lambda: driver.total == 100, what="the baseline poll")
    counter.count(3)
    recorder.wait_until(lambda: units(recorder) == 3)
    counter.count(4)
    recorder.wait_until(lambda: units(recorder) == 7)
    assert recorder.of_type(UnitsCounted)[-1].total == 107


def test_a_16_bit_counter_wraps_from_65535_to_0_without_losing_units(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter(initial_total=65530, address=40)
    driver = start(run_driver, recorder, counter.url, address=40, register="input")
    recorder.wait_until(lambda: driver.total == 65530, what="the baseline poll")
    counter.count(5)
    recorder.wait_until(lambda: units(recorder) == 5)
    counter.count(10)
    recorder.wait_until(lambda: units(recorder) == 15)
    assert recorder.of_type(UnitsCounted)[-1].total == 9
    assert not recorder.of_type(CounterReset)


@pytest.mark.parametrize("word_order", ["big", "little"])
def test_a_32_bit_counter_wraps_from_2_pow_32_minus_1_to_0_in_either_word_order(
    make_counter: Callable[..., ModbusCounterSimulator],
    run_driver: RunDriver,
    recorder: EventRecorder,
    word_order: str,
) -> None:
    counter = make_counter(initial_total=2**32 - 2, bits=32, word_order=word_order)
    driver = start(run_driver, recorder, counter.url, bits=32, word_order=word_order)
    recorder.wait_until(lambda: driver.total == 2**32 - 2, what="the baseline poll")
    counter.count(1)
    recorder.wait_until(lambda: units(recorder) == 1)
    counter.count(3)  # 0xFFFFFFFF -> 0x00000002: both 16-bit words roll over at once
    recorder.wait_until(lambda: units(recorder) == 4)
    assert recorder.of_type(UnitsCounted)[-1].total == 2
    assert not recorder.of_type(CounterReset)


def test_a_power_cycled_counter_is_reported_as_a_reset_and_counted_from_zero(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter(initial_total=5000)
    driver = start(run_driver, recorder, counter.url)
    recorder.wait_until(lambda: driver.total == 5000, what="the baseline poll")
    counter.power_cycle()
    counter.count(6)
    (reset,) = recorder.wait_for(CounterReset)
    assert reset.previous_total == 5000
    assert reset.total <= 6
    recorder.wait_until(lambda: units(recorder) == 6)
    counter.count(2)
    recorder.wait_until(lambda: units(recorder) == 8)
    assert len(recorder.of_type(CounterReset)) == 1


def test_units_made_while_the_port_was_gone_are_counted_once_after_it_returns(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter(initial_total=0)
    driver = start(run_driver, recorder, counter.url)
    recorder.wait_for(DeviceConnected)
    counter.count(2)
    recorder.wait_until(lambda: units(recorder) == 2)
    counter.unplug()
    recorder.wait_for(DeviceDisconnected)
    assert not driver.connected
    counter.count(9)  # the line keeps running; polls are missed
    counter.replug()
    recorder.wait_for(DeviceConnected, 2)
    recorder.wait_until(lambda: units(recorder) == 11)
    assert [e.total for e in recorder.of_type(UnitsCounted)] == [2, 11]
    assert len(recorder.of_type(DeviceDisconnected)) == 1


def test_a_counter_that_refuses_the_read_is_a_fault_and_polling_resumes_when_it_answers(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter(initial_total=10)
    driver = start(run_driver, recorder, counter.url)
    recorder.wait_until(lambda: driver.total == 10, what="the baseline poll")
    counter.refusing = True
    counter.count(5)
    (fault,) = recorder.wait_for(DeviceFault)
    assert "counter refused to read holding register 0" in fault.reason
    counter.refusing = False
    recorder.wait_until(lambda: units(recorder) == 5)


def test_a_wrong_register_address_is_reported_as_a_fault(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter()
    start(run_driver, recorder, counter.url, address=7)
    (fault,) = recorder.wait_for(DeviceFault)
    assert "refused to read holding register 7" in fault.reason
    assert not recorder.of_type(DeviceConnected)


def test_a_missing_port_is_reported_once_and_picked_up_when_it_appears(
    make_counter: Callable[..., ModbusCounterSimulator], run_driver: RunDriver, recorder: EventRecorder
) -> None:
    counter = make_counter(initial_total=1)
    counter.unplug()
    start(run_driver, recorder, counter.url, resume_total=0)
    (down,) = recorder.wait_for(DeviceDisconnected)
    assert down.reason.startswith("cannot open port")
    counter.replug()
    recorder.wait_for(DeviceConnected)
    recorder.wait_until(lambda: units(recorder) == 1)
