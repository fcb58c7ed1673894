"""CodeScannerHardware against a simulated serial scanner on a real pseudo-terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.config import CodeScannerConfig
from devices.events import (
    BundleTicketScanned,
    CodeScanned,
    DeviceConnected,
    DeviceDisconnected,
    PersonScanned,
    ReadError,
    TicketError,
)
from devices.scanner import CodeScannerHardware
from devices.simulators import CodeScannerSimulator
from devices.testing import EventRecorder

RunDriver = Callable[[Any], Any]
FAST = {"reconnect_min": 0.02, "reconnect_max": 0.1}


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[CodeScannerSimulator]:
    with CodeScannerSimulator(link=tmp_path / "qr0") as simulator:
        yield simulator


def start(run_driver: RunDriver, recorder: EventRecorder, url: str, **options: Any) -> CodeScannerHardware:
    config = CodeScannerConfig(url=url, **({"name": "qr0"} | FAST | options))
    driver: CodeScannerHardware = run_driver(CodeScannerHardware(config, on_event=recorder))
    recorder.wait_for(DeviceConnected)
    return driver


def scans(recorder: EventRecorder) -> list[object]:
    return [e for e in recorder.events if not isinstance(e, DeviceConnected | DeviceDisconnected | ReadError)]


def test_tickets_people_plain_codes_and_bad_tickets_arrive_in_order_as_typed_events(
    scanner: CodeScannerSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    start(run_driver, recorder, scanner.url)
    scanner.scan_ticket(product="P1", step="S2", bundle_id="B000123", units=20)
    scanner.noise()
    scanner.scan_person("1001")
    scanner.scan("4006381333931")
    scanner.scan("FLB1|product=P1|step=S2|bundle=B9|units=0")
    recorder.wait_until(lambda: len(scans(recorder)) == 4)
    ticket, person, plain, bad = scans(recorder)
    assert ticket == BundleTicketScanned(
        device="qr0",
        product="P1",
        step="S2",
        bundle_id="B000123",
        units=20,
        code="FLB1|product=P1|step=S2|bundle=B000123|units=20",
    )
    assert person == PersonScanned(device="qr0", person_id="1001", code="FLP1|person=1001")
    assert plain == CodeScanned(device="qr0", code="4006381333931")
    assert isinstance(bad, TicketError)
    assert bad.reason.startswith("units must be a whole number")


def test_prefix_suffix_terminator_and_length_settings_apply(
    scanner: CodeScannerSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    scanner.terminator = "\t"
    start(
        run_driver,
        recorder,
        scanner.url,
        terminator="\t",
        strip_prefix="]Q1",
        strip_suffix="!",
        max_length=40,
    )
    scanner.scan("]Q1FLP1|person=7!")
    scanner.scan("X" * 100)
    scanner.scan("]Q1A\x1bB\x00C")
    recorder.wait_until(lambda: len(scans(recorder)) == 2)
    assert scans(recorder) == [
        PersonScanned(device="qr0", person_id="7", code="FLP1|person=7"),
        CodeScanned(device="qr0", code="ABC"),
    ]
    assert recorder.of_type(ReadError)[0].reason == "line longer than 40 bytes"


def test_the_same_code_scanned_twice_in_a_row_is_one_scan(
    scanner: CodeScannerSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    start(run_driver, recorder, scanner.url, dedup_window=60.0)
    scanner.scan("A")
    scanner.scan("A")
    scanner.scan("B")
    recorder.wait_until(lambda: len(scans(recorder)) == 2)
    time.sleep(0.05)
    assert [e.code for e in recorder.of_type(CodeScanned)] == ["A", "B"]


def test_scanner_unplug_and_replug(
    scanner: CodeScannerSimulator, run_driver: RunDriver, recorder: EventRecorder
) -> None:
    start(run_driver, recorder, scanner.url)
    scanner.send(b"FLB1|prod")  # half a code when the cable is pulled
    scanner.unplug()
    recorder.wait_for(DeviceDisconnected)
    scanner.replug()
    recorder.wait_for(DeviceConnected, 2)
    scanner.scan_person("42")
    recorder.wait_for(PersonScanned)
    assert scans(recorder) == [PersonScanned(device="qr0", person_id="42", code="FLP1|person=42")]
