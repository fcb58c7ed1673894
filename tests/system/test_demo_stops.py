"""However `floorledger demo` ends, its broker, hub and kiosks end with it and free their ports:
when nobody reads its output any more (`floorledger demo | head`) and when it is killed outright."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from floorledger.broker import free_port, free_ports, port_free
from floorledger.demo.orchestrator import child_env

pytestmark = pytest.mark.system

KIOSKS = 3


def _start_demo(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], list[int]]:
    """`floorledger demo --seconds 60` on free ports, its stdout a pipe, read up to its broker line:
    (process, every port it listens on: hub, kiosk screens, broker)."""
    hub_port = free_port()
    kiosk_port = free_ports(KIOSKS, avoid=[hub_port])
    argv = [
        sys.executable, "-m", "floorledger", "demo", "--data", str(tmp_path / "demo"), "--speed", "20",
        "--hub-port", str(hub_port), "--kiosk-port", str(kiosk_port), "--seconds", "60",
        *extra,
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=child_env(), text=True
    )
    assert proc.stdout is not None
    ports = [hub_port, *range(kiosk_port, kiosk_port + KIOSKS)]
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        broker = re.search(r"broker: +mqtt://127\.0\.0\.1:(\d+)", line)
        if broker:
            ports.append(int(broker.group(1)))
            return proc, ports
    proc.kill()
    pytest.fail("the demo did not start: " + "".join(lines))


def _children(tmp_path: Path) -> list[int]:
    """The processes started for this demo (their command lines name its data folder)."""
    found = subprocess.run(["pgrep", "-f", str(tmp_path / "demo")], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _assert_all_gone(tmp_path: Path, ports: list[int], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (_children(tmp_path) or not all(port_free(p) for p in ports)):
        time.sleep(0.5)
    left = _children(tmp_path)
    taken = [p for p in ports if not port_free(p)]
    for pid in left:  # leave nothing behind for the next test, then fail
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of the demo still running after {seconds:.0f} s: {left}"
    assert not taken, f"ports still taken after {seconds:.0f} s: {taken}"


def test_demo_piped_into_a_reader_that_goes_away_stops_everything(tmp_path: Path) -> None:
    """`floorledger demo | head`: once the reader has closed the pipe, the demo stops printing, stops
    its broker, hub and kiosks, exits without a traceback, and their ports are free again."""
    proc, ports = _start_demo(tmp_path)
    assert proc.stdout is not None
    proc.stdout.close()  # like `head` after its lines: the rest of the output has nowhere to go
    try:
        assert proc.wait(30) == 0  # long before its 60 s are up
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _assert_all_gone(tmp_path, ports, seconds=10)
    assert proc.returncode == 0


def test_demo_whose_terminal_hangs_up_stops_everything(tmp_path: Path) -> None:
    """SIGHUP (the terminal or ssh session closed) stops the demo like Ctrl-C: children stopped,
    ports free, exit 0."""
    proc, ports = _start_demo(tmp_path)
    proc.send_signal(signal.SIGHUP)
    try:
        rest, _ = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    _assert_all_gone(tmp_path, ports, seconds=10)
    assert proc.returncode == 0, rest
    assert "demo stopped" in rest
    assert "Traceback" not in rest


@pytest.mark.parametrize("broker", ["mosquitto", "embedded"])
def test_demo_killed_outright_takes_its_children_with_it(tmp_path: Path, broker: str) -> None:
    """`kill -9` of the demo gives it no chance to stop anything: the broker (Mosquitto or the
    embedded amqtt), the hub and the kiosks still end within seconds and free their ports (the
    kernel signals them when their parent dies)."""
    proc, ports = _start_demo(tmp_path, *(["--broker", "embedded"] if broker == "embedded" else []))
    proc.kill()
    proc.wait()
    assert proc.stdout is not None
    proc.stdout.close()
    _assert_all_gone(tmp_path, ports, seconds=20)
