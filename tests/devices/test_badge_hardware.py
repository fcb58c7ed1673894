"""BadgeReaderHardware against a simulated reader on a real pseudo-terminal."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from devices.badge import BadgeReaderHardware
from devices.config import BadgeReaderConfig
from devices.events import BadgeRead, DeviceConnected, DeviceDisconnected, DeviceEvent, DeviceFault, ReadError
from devices.simulators import BadgeReaderSimulator
from devices.testing import EventRecorder, ManualClock

RunDriver = Callable[[Any], Any]
FAST = {"reconnect_min": 0.02, "reconnect_max": 0.1}  # reconnect backoff short enough for tests


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[BadgeReaderSimulator]:
    with BadgeReaderSimulator(link=tmp_path / "badge0") as simulator:
        yield simulator


def config(url: str, **options: Any) -> BadgeReaderConfig:
    return BadgeReaderConfig(url=url, **({"name": "badge0"} | FAST | options))


def connected(
    run_driver: RunDriver, recorder: EventRecorder, url: str, **options: Any
) -> BadgeReaderHardware:
    driver: BadgeReaderHardware = run_driver(BadgeReaderHardware(config(url, **options), on_event=recorder))
    recorder.wait_for(DeviceConnected)
    return driver


def badge_ids(recorder: EventRecorder) -> list[str]:
    return [event.badge_id for event in recorder.of_type(BadgeRead)]


def test_badges_arrive_in_order_with_noise_between_frames(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    connected(run_driver, recorder, reader.url)
    cards = [1001, 1002, 0x0F00A1B2C3, 4294967295, 7]
    for card in cards:
        reader.noise()
        reader.present(card)
    reader.noise()
    recorder.wait_for(BadgeRead, len(cards))
    assert badge_ids(recorder) == ["0000001001", "0000001002", "0010597059", "4294967295", "0000000007"]
    assert not recorder.of_type(ReadError)
    first = recorder.of_type(BadgeRead)[0]
    assert first.device == "badge0"
    assert first.raw == reader.frame(1001)


def test_a_bad_checksum_is_dropped_counted_and_reported_and_reading_goes_on(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    driver = connected(run_driver, recorder, reader.url)
    reader.send(b"\x020F00A1B2C3DE\r\n\x03")
    reader.present(1001)
    recorder.wait_for(BadgeRead)
    (error,) = recorder.of_type(ReadError)
    assert error.reason.startswith("bad checksum")
    assert error.raw == b"\x020F00A1B2C3DE\r\n\x03"
    assert driver.read_errors == 1
    assert badge_ids(recorder) == ["0000001001"]


def test_the_same_badge_within_the_window_is_one_event_and_two_badges_are_two(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    clock = ManualClock()
    driver = BadgeReaderHardware(config(reader.url, dedup_window=3.0), clock=clock, on_event=recorder)
    run_driver(driver)
    recorder.wait_for(DeviceConnected)
    reader.present(1001)
    reader.present(1001)  # the reader re-reads a card held to it
    reader.present(1002)  # another badge straight after
    recorder.wait_for(BadgeRead, 2)
    clock.advance(2.0)
    reader.present(1001)  # still held: the window slides from the last sighting
    reader.present(1003)
    recorder.wait_for(BadgeRead, 3)
    clock.advance(3.5)
    reader.present(1001)  # presented again after the window
    recorder.wait_for(BadgeRead, 4)
    assert badge_ids(recorder) == ["0000001001", "0000001002", "0000001003", "0000001001"]


def test_an_ascii_reader_configured_for_hex_prints_the_hex_id(
    tmp_path: Path, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    with BadgeReaderSimulator(protocol="ascii", ascii_format="hex") as reader:
        connected(run_driver, recorder, reader.url, protocol="ascii", ascii_input="hex", number_format="hex")
        reader.present(0x0F00A1B2C3)
        reader.send(b"\x00\x00" + b"0F00A1B2C30F00A1B2C3\r\n")  # a merged read is refused, never one id
        reader.present(0x12)
        recorder.wait_for(BadgeRead, 2)
        assert badge_ids(recorder) == ["0F00A1B2C3", "0000000012"]
        assert recorder.of_type(ReadError)[0].reason == "expected 10 characters, got 20"


def test_unplug_emits_disconnected_and_replug_reconnects_and_reads_again(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    driver = connected(run_driver, recorder, reader.url)
    reader.present(1001)
    recorder.wait_for(BadgeRead)
    reader.send(b"\x020000")  # cut off mid-frame by the unplug
    reader.unplug()
    recorder.wait_for(DeviceDisconnected)
    assert not driver.connected
    time.sleep(0.15)  # a few failed reopen attempts while the port is gone
    reader.replug()
    recorder.wait_for(DeviceConnected, 2)
    reader.present(1002)
    recorder.wait_for(BadgeRead, 2)
    assert badge_ids(recorder) == ["0000001001", "0000001002"]
    kinds = [type(event).__name__ for event in recorder.events if not isinstance(event, ReadError)]
    assert kinds == ["DeviceConnected", "BadgeRead", "DeviceDisconnected", "DeviceConnected", "BadgeRead"]
    assert len(recorder.of_type(DeviceDisconnected)) == 1, "one disconnect, however many retries"


def test_a_reader_that_is_missing_at_start_is_reported_and_picked_up_when_plugged_in(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    reader.unplug()
    run_driver(BadgeReaderHardware(config(reader.url), on_event=recorder))
    (down,) = recorder.wait_for(DeviceDisconnected)
    assert down.reason.startswith("cannot open port")
    reader.replug()
    recorder.wait_for(DeviceConnected)
    reader.present(5)
    assert recorder.wait_for(BadgeRead)[0].badge_id == "0000000005"


def test_a_port_held_by_another_program_is_a_fault_a_person_must_fix(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    other = serial.serial_for_url(reader.url, exclusive=True)
    try:
        run_driver(BadgeReaderHardware(config(reader.url), on_event=recorder))
        (fault,) = recorder.wait_for(DeviceFault)
        assert "in use by another program" in fault.reason
    finally:
        other.close()
    recorder.wait_for(DeviceConnected)


def test_a_flood_of_garbage_on_one_reader_never_delays_another(
    tmp_path: Path, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    noisy_events = EventRecorder()
    with BadgeReaderSimulator() as noisy, BadgeReaderSimulator() as quiet:
        noisy_driver = run_driver(BadgeReaderHardware(config(noisy.url, name="noisy"), on_event=noisy_events))
        connected(run_driver, recorder, quiet.url)
        noisy_events.wait_for(DeviceConnected)
        stop = threading.Event()

        def flood() -> None:
            garbage = bytes(range(4, 256)) * 64  # no STX/ETX: one endless non-frame, plus 16 KiB chunks
            while not stop.is_set():
                noisy.send(garbage + b"\x02" + b"9" * 100)

        flooder = threading.Thread(target=flood)
        flooder.start()
        try:
            for card in range(1, 6):
                started = time.monotonic()
                quiet.present(card)
                recorder.wait_for(BadgeRead, card, timeout=2.0)
                assert time.monotonic() - started < 1.0
        finally:
            stop.set()
            flooder.join()
        noisy.present(42)  # the noisy reader still works once the noise stops
        noisy_events.wait_until(lambda: any(isinstance(e, BadgeRead) for e in noisy_events.events))
        assert noisy_driver.read_errors > 0
        assert badge_ids(recorder) == [f"{card:010d}" for card in range(1, 6)]


def test_a_failing_on_event_callback_never_stops_the_reader(
    reader: BadgeReaderSimulator,
    run_driver: RunDriver,
    recorder: EventRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fragile(event: DeviceEvent) -> None:
        recorder(event)
        if isinstance(event, BadgeRead) and event.badge_id == "0000000001":
            raise RuntimeError("kiosk bug")

    run_driver(BadgeReaderHardware(config(reader.url), on_event=fragile))
    recorder.wait_for(DeviceConnected)
    reader.present(1)
    reader.present(2)
    recorder.wait_for(BadgeRead, 2)
    assert "on_event failed" in caplog.text


def test_stop_ends_the_thread_and_no_event_follows(
    reader: BadgeReaderSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    driver = connected(run_driver, recorder, reader.url)
    driver.stop()
    assert not [t for t in threading.enumerate() if t.name == "device:badge0"]
    count = len(recorder.events)
    reader.present(1001)
    time.sleep(0.1)
    assert len(recorder.events) == count
    driver.start()  # and it can be started again
    recorder.wait_for(DeviceConnected, 2)
