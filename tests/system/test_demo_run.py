"""`floorledger demo` starts a whole floor, serves its pages, makes records flow, and stops cleanly."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import child_env

pytestmark = pytest.mark.system


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8", "replace")


def _live_records(db: Path, where: str = "1") -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute(f"SELECT count(*) FROM kiosk_record WHERE kiosk LIKE 'K-%' AND {where}").fetchone()
    return int(row[0])


COUNTER_UNITS = (
    """type = 'unit_count' AND body LIKE '%"ref":"counter0"%' AND body LIKE '%"source":"device"%'"""
)


def _start_demo(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], str, int]:
    """`floorledger demo` on free ports until it has printed its URLs: (process, output, hub port)."""
    hub_port = free_port()
    kiosk_port = free_ports(3, avoid=[hub_port])  # the three kiosk screens take consecutive ports
    argv = [
        sys.executable, "-m", "floorledger", "demo", "--data", str(tmp_path / "demo"), "--speed", "20",
        "--hub-port", str(hub_port), "--kiosk-port", str(kiosk_port), "--seconds", "150", *extra,
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=child_env(), text=True
    )
    output: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        output.append(line)
        if line.startswith("  data:"):
            break
    return proc, "".join(output), hub_port


def _wait_for(database: Path, where: str = "1", seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while _live_records(database, where) == 0 and time.monotonic() < deadline:
        time.sleep(1)
    return _live_records(database, where)


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM stops every process of the demo within a bounded time, and it says so."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rest, _ = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the demo did not stop within 40 s of SIGTERM")
    assert proc.returncode == 0, rest
    assert "demo stopped" in rest
    assert time.monotonic() - started < 40


def test_demo_serves_board_dashboard_and_kiosks_and_stops_cleanly(tmp_path: Path) -> None:
    """One command: the printed board, dashboard and kiosk URLs answer, simulated activity at the
    kiosks (badges, tickets and each line's unit counter, credited to its station's holder) reaches
    the hub's database, and SIGTERM stops every process within a bounded time."""
    proc, text, hub_port = _start_demo(tmp_path)
    try:
        assert "FloorLedger demo is running" in text, text
        board = re.search(r"wall board: (http://\S+/board/L1\?token=\S+)", text)
        kiosk = re.search(r"kiosk K-L1 .*: (http://\S+)", text)
        assert board, text
        assert kiosk, text
        assert _get(board.group(1))[0] == 200
        assert _get(f"http://127.0.0.1:{hub_port}/login")[0] == 200
        assert _get(kiosk.group(1))[0] == 200

        database = tmp_path / "demo" / "hub" / "hub.sqlite3"
        assert _wait_for(database) > 0, "no record from a demo kiosk reached the hub"
        assert _wait_for(database, COUNTER_UNITS) > 0, "no counter's units were credited to anybody"
        assert _live_records(database, "type = 'device_fault'") == 0  # nothing unattributed or lost
    finally:
        _stop(proc)


def test_without_mosquitto_the_demo_runs_on_the_embedded_broker(tmp_path: Path) -> None:
    """`--broker embedded` (what a machine without Mosquitto gets): the pure-Python broker speaks
    MQTT 3.1.1, every part connects with it, kiosk records reach the hub and are acknowledged, and
    the demo stops cleanly, broker included."""
    proc, text, _ = _start_demo(tmp_path, "--broker", "embedded")
    try:
        assert re.search(r"broker: +mqtt://127\.0\.0\.1:\d+\?mqtt=3\.1\.1", text), text
        database = tmp_path / "demo" / "hub" / "hub.sqlite3"
        assert _wait_for(database) > 0, "no record from a demo kiosk reached the hub"
        acked = 0
        deadline = time.monotonic() + 60
        while not acked and time.monotonic() < deadline:  # the kiosk marks what the hub acknowledged
            with sqlite3.connect(tmp_path / "demo" / "kiosk-L1" / "kiosk.sqlite3") as conn:
                acked = conn.execute("SELECT count(*) FROM outbox_record WHERE acked").fetchone()[0]
            time.sleep(1)
        assert acked > 0, "the hub's acknowledgements did not reach the kiosk"
    finally:
        _stop(proc)
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "demo")], capture_output=True, text=True)
    assert left.stdout == ""  # the embedded broker is gone too


def test_a_taken_kiosk_port_is_refused_at_once_naming_it(tmp_path: Path) -> None:
    """When the second kiosk screen's port is in use, the demo says which port and which option to
    change, exits 2 and leaves no process behind (instead of a kiosk dying later)."""
    import socket

    hub_port = free_port()
    kiosk_port = free_ports(3, avoid=[hub_port])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", kiosk_port + 1))
        taken.listen()
        argv = [
            sys.executable, "-m", "floorledger", "demo", "--data", str(tmp_path / "demo"),
            "--hub-port", str(hub_port), "--kiosk-port", str(kiosk_port), "--seconds", "30",
        ]  # fmt: skip
        done = subprocess.run(
            argv,
            capture_output=True,
            env=child_env(),
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert f"port {kiosk_port + 1} (kiosk K-L2) is already in use: choose another --kiosk-port" in done.stderr
    assert "Traceback" not in done.stderr
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "demo")], capture_output=True, text=True)
    assert left.stdout == ""  # the broker it had started is gone too
