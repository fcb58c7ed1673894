"""`floorledger` as an installer runs it: commands, and `floorledger hub --config` as a process of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from floorledger.broker import port_open

FLOORLEDGER = [sys.executable, "-m", "floorledger"]


def clean_env() -> dict[str, str]:
    """The environment without pytest's and NiceGUI's harness variables (notes/ui-testing-toolchain.md:
    a server started with them behaves as if under NiceGUI's test harness)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """One `floorledger` command, its output captured."""
    return subprocess.run(
        [*FLOORLEDGER, *args], capture_output=True, text=True, timeout=180, env=clean_env(), check=False
    )


@contextmanager
def running_hub(config: Path, web_port: int, timeout: float = 60) -> Iterator[subprocess.Popen[bytes]]:
    """`floorledger hub --config` until its web port answers; stopped with SIGTERM afterwards (its
    output goes to hub.log beside the config)."""
    log_path = config.parent / "hub.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*FLOORLEDGER, "hub", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=clean_env(),
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not port_open("127.0.0.1", web_port):
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, f"the hub did not open port {web_port} in {timeout} s"
                time.sleep(0.2)
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)
