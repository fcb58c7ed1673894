"""SerialCounterHardware against a simulated ASCII counter on a real pseudo-terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.config import SerialCounterConfig
from devices.counter import SerialCounterHardware
from devices.events import CounterReset, DeviceConnected, DeviceDisconnected, ReadError, UnitsCounted
from devices.simulators import SerialCounterSimulator
from devices.testing import EventRecorder

RunDriver = Callable[[Any], Any]
FAST = {"reconnect_min": 0.02, "reconnect_max": 0.1}


def start(
    run_driver: RunDriver, recorder: EventRecorder, url: str, resume_total: int | None = None, **options: Any
) -> SerialCounterHardware:
    config = SerialCounterConfig(url=url, **({"name": "counter0"} | FAST | options))
    driver: SerialCounterHardware = run_driver(
        SerialCounterHardware(config, on_event=recorder, resume_total=resume_total)
    )
    recorder.wait_for(DeviceConnected)
    return driver


def units(recorder: EventRecorder) -> int:
    return sum(event.units for event in recorder.of_type(UnitsCounted))


def test_totals_become_deltas_in_order_and_noise_is_ignored(
    run_driver: RunDriver, recorder: EventRecorder
) -> None:
    with SerialCounterSimulator(initial_total=1200) as counter:
        driver = start(run_driver, recorder, counter.url)
        counter.report()  # the baseline
        counter.count(1)
        counter.noise()
        counter.count(5)
        counter.report()  # a repeated total counts nothing
        counter.send(b"C:0\x0012\r\n")  # a damaged frame is a read error, not a count
        counter.count(2)
        recorder.wait_until(lambda: units(recorder) == 8)
        assert [(e.units, e.total) for e in recorder.of_type(UnitsCounted)] == [
            (1, 1201),
            (5, 1206),
            (2, 1208),
        ]
        assert len(recorder.of_type(ReadError)) == 1
        assert driver.total == 1208


def test_a_16_bit_counter_wrapping_from_65535_to_0_counts_only_the_real_units(
    run_driver: RunDriver, recorder: EventRecorder
) -> None:
    with SerialCounterSimulator(initial_total=65530, modulus=65536) as counter:
        start(run_driver, recorder, counter.url, modulus=65536)
        counter.report()
        counter.count(5)  # 65535
        counter.count(3)  # 2
        recorder.wait_until(lambda: units(recorder) == 8)
        assert [(e.units, e.total) for e in recorder.of_type(UnitsCounted)] == [(5, 65535), (3, 2)]


def test_a_power_cycle_is_reported_as_a_reset_and_units_since_it_are_counted(
    run_driver: RunDriver, recorder: EventRecorder
) -> None:
    with SerialCounterSimulator(initial_total=5000) as counter:
        start(run_driver, recorder, counter.url)
        counter.report()
        counter.power_cycle()  # reports C:000000
        counter.count(4)
        recorder.wait_for(CounterReset)
        recorder.wait_until(lambda: units(recorder) == 4)
        (reset,) = recorder.of_type(CounterReset)
        assert (reset.previous_total, reset.total) == (5000, 0)


def test_units_counted_while_unplugged_arrive_after_replug_once(
    tmp_path: Path, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    with SerialCounterSimulator(link=tmp_path / "counter0", initial_total=10) as counter:
        start(run_driver, recorder, counter.url)
        counter.report()
        counter.count(2)
        recorder.wait_until(lambda: units(recorder) == 2)
        counter.unplug()
        recorder.wait_for(DeviceDisconnected)
        counter.count(7)  # produced while the cable is out: these frames are lost on the wire
        counter.count(1)
        counter.replug()
        recorder.wait_for(DeviceConnected, 2)
        counter.report()  # the next report carries the total: nothing lost
        counter.report()
        recorder.wait_until(lambda: units(recorder) == 10)
        assert [e.total for e in recorder.of_type(UnitsCounted)] == [12, 20]


def test_a_stored_total_resumes_counting_across_a_kiosk_restart(
    run_driver: RunDriver, recorder: EventRecorder
) -> None:
    with SerialCounterSimulator(initial_total=130) as counter:
        start(run_driver, recorder, counter.url, resume_total=100)
        counter.report()
        recorder.wait_for(UnitsCounted)
        assert [(e.units, e.total) for e in recorder.of_type(UnitsCounted)] == [(30, 130)]
