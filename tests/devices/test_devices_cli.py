"""`floorledger devices simulate` and `floorledger devices watch`, run through the real command line.

The commands run in a thread of the test process (through `floorledger.cli.main`, exactly as the
console script calls it) so the tests stay fast; stdin is a real pipe and stdout is captured.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

from devices.badge import BadgeReaderHardware
from devices.config import BadgeReaderConfig, ModbusCounterConfig
from devices.events import BadgeRead, DeviceConnected, UnitsCounted
from devices.modbus import ModbusCounterHardware
from devices.simulators import BadgeReaderSimulator
from devices.testing import EventRecorder
from floorledger.cli import main

RunDriver = Callable[[Any], Any]


class Command:
    """`floorledger ARGS` running in a thread, with its stdout collected as it is printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
        self._capsys = capsys
        self.output = ""
        self.status: int | None = None
        self._thread = threading.Thread(target=self._run, args=(args,), name="cli-under-test")
        self._thread.start()

    def _run(self, args: list[str]) -> None:
        self.status = main(args)

    def wait_for_output(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, f"{text!r} never printed; output: {self.output!r}"
            time.sleep(0.01)
            self.output += self._capsys.readouterr().out
        return self.output

    def wait(self, timeout: float = 10.0) -> int | None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the command did not finish"
        self.output += self._capsys.readouterr().out
        return self.status


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[TextIO]:
    """A pipe as the command's stdin; the test writes commands to the returned end."""
    read_fd, write_fd = os.pipe()
    reader = open(read_fd, encoding="utf-8")  # noqa: SIM115 - closed below, after the command ended
    writer = open(write_fd, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    monkeypatch.setattr(sys, "stdin", reader)
    yield writer
    writer.close()
    reader.close()


def test_watch_prints_each_event_of_a_badge_reader_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with BadgeReaderSimulator(link=tmp_path / "badge0") as reader:
        watch = Command(capsys, ["devices", "watch", reader.url, "--kind", "badge", "--max-events", "3"])
        watch.wait_for_output("DeviceConnected device='badge0'")
        reader.present(1001)
        reader.send(b"\x020000000001FF\r\n\x03")  # bad checksum
        assert watch.wait() == 0
    lines = watch.output.splitlines()
    assert len(lines) == 3
    assert "BadgeRead device='badge0' badge_id='0000001001'" in lines[1]
    assert "ReadError device='badge0' reason='bad checksum" in lines[2]


def test_watch_with_a_bad_setting_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["devices", "watch", "/dev/null", "--kind", "badge", "-o", "number_format=octal"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1
    assert "number_format must be one of" in err
    assert main(["devices", "watch", "/dev/null", "--kind", "qr", "-o", "terminator"]) == 2


def test_simulate_prints_the_pty_path_then_sends_the_badges_typed_on_stdin(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stdin: TextIO,
    run_driver: RunDriver,
    recorder: EventRecorder,
) -> None:
    link = tmp_path / "badge0"
    simulate = Command(capsys, ["devices", "simulate", "--kind", "badge", "--link", str(link)])
    assert simulate.wait_for_output("\n").splitlines()[0] == str(link)
    run_driver(BadgeReaderHardware(BadgeReaderConfig(name="badge0", url=str(link)), on_event=recorder))
    recorder.wait_for(DeviceConnected)
    stdin.write("1001\nnoise\nnot-a-card\n0x0F00A1B2C3\nquit\n")
    assert simulate.wait() == 0
    recorder.wait_for(BadgeRead, 2)
    assert [e.badge_id for e in recorder.of_type(BadgeRead)] == ["0000001001", "0010597059"]
    assert not link.exists()


def test_simulate_modbus_with_every_counts_units_a_driver_sees(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stdin: TextIO,
    run_driver: RunDriver,
    recorder: EventRecorder,
) -> None:
    link = tmp_path / "press1"
    args = ["devices", "simulate", "--kind", "modbus", "--link", str(link), "--bits", "32", "--every", "0.05"]
    simulate = Command(capsys, args)
    assert simulate.wait_for_output("\n").splitlines()[0] == str(link)
    config = ModbusCounterConfig(name="press1", url=str(link), bits=32, poll_interval=0.05, timeout=0.3)
    run_driver(ModbusCounterHardware(config, on_event=recorder))
    recorder.wait_until(lambda: sum(e.units for e in recorder.of_type(UnitsCounted)) >= 3, timeout=10)
    stdin.write("+100\nquit\n")
    assert simulate.wait() == 0
