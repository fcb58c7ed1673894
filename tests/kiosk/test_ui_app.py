"""`floorledger kiosk --config FILE` as a real process: config errors, start-up, plan, online state."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger import cli
from floorledger.broker import MosquittoProcess, free_port, port_open
from kiosk.config import parse_config
from protocol.messages import seal
from protocol.signing import Signer
from protocol.topics import Topics
from tests.kiosk.conftest import make_plan

FLOORLEDGER = str(Path(sys.executable).with_name("floorledger"))
SITE = "appsite"


def _env() -> dict[str, str]:
    # A server started from pytest must not think it runs under NiceGUI's test harness.
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NICEGUI"))}


def _config(tmp_path: Path, broker_url: str, hub: Signer, port: int, **extra: str) -> Path:
    lines = {
        "kiosk_id": '"K01"',
        "site": f'"{SITE}"',
        "line": '"L1"',
        "key_file": '"kiosk.key"',
        "database": '"kiosk.db"',
        "broker_url": f'"{broker_url}"',
        "hub_public_key": f'"{hub.public_key_b64}"',
        "ui_port": str(port),
        **extra,
    }
    path = tmp_path / "kiosk.toml"
    path.write_text("".join(f"{k} = {v}\n" for k, v in lines.items()), encoding="utf-8")
    return path


def test_bad_config_field_is_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config with a bad value stops the command with one line that names the field, no traceback."""
    config = _config(tmp_path, "mqtt://127.0.0.1:1", Signer.generate(), 1, idle_seconds="0")
    assert cli.main(["kiosk", "--config", str(config)]) != 0
    assert capsys.readouterr().err.strip().splitlines() == [
        "floorledger kiosk: config field 'idle_seconds': 0 is outside 1..3600"
    ]
    assert not (tmp_path / "kiosk.key").exists()


def _state(payload: bytes) -> bytes:
    return str(json.loads(payload)["state"]).encode() if payload.startswith(b"{") else payload


class StatusWatcher:
    """Subscribes to the kiosk's retained status topic and remembers what it said."""

    def __init__(self, broker: MosquittoProcess) -> None:
        self.seen: list[bytes] = []
        self.changed = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(Topics.for_site(SITE).status("K01"), qos=1)
        self.client.loop_start()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        with self.changed:
            self.seen.append(bytes(msg.payload))
            self.changed.notify_all()

    def wait_for(self, state: bytes, timeout: float = 20) -> None:
        """Until the last status says `state`: the plain will `offline`, or the JSON status's state."""
        with self.changed:
            assert self.changed.wait_for(lambda: self.seen and _state(self.seen[-1]) == state, timeout), (
                self.seen
            )

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def kiosk_process(
    tmp_path: Path, private_broker: MosquittoProcess
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A real kiosk process against a private Mosquitto holding a signed plan for its line."""
    hub = Signer.generate()
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect(private_broker.host, private_broker.port)
    publisher.loop_start()
    plan = make_plan(hub_ms=int(time.time() * 1000))
    publisher.publish(Topics.for_site(SITE).plan("L1"), seal(plan, hub), qos=1, retain=True).wait_for_publish(
        5
    )
    publisher.disconnect()
    publisher.loop_stop()
    port = free_port()
    config = _config(tmp_path, private_broker.url, hub, port)
    log = (tmp_path / "kiosk.log").open("wb")
    process = subprocess.Popen(
        [FLOORLEDGER, "kiosk", "--config", str(config)], env=_env(), stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", port, 0.2):
            assert process.poll() is None, (tmp_path / "kiosk.log").read_text()
            assert time.monotonic() < deadline, "the kiosk page never listened"
            time.sleep(0.1)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        log.close()


def test_kiosk_process_starts_shows_enrollment_says_online_and_stops_cleanly(
    tmp_path: Path, private_broker: MosquittoProcess, kiosk_process: tuple[subprocess.Popen[bytes], int]
) -> None:
    """On first start the kiosk creates its key, serves the enrollment screen, connects (status
    `online`) and takes its line's signed plan from the broker; SIGTERM stops it with status 0 and
    `offline`, and the key stays for the next start."""
    process, port = kiosk_process
    watcher = StatusWatcher(private_broker)
    try:
        watcher.wait_for(b"online")
        deadline = time.monotonic() + 20
        page = ""
        while "一号线 · 工装裤" not in page:  # the signed plan from the broker names the line
            assert time.monotonic() < deadline, page[-2000:]
            time.sleep(0.2)
            page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text
        assert "终端注册" in page
        assert "floorledger-enroll" not in page  # the QR code is drawn, not spelled out
        key_text = (tmp_path / "kiosk.key").read_text()
        assert key_text.startswith("floorledger-ed25519-seed-v1:")
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        watcher.wait_for(b"offline")
        assert (tmp_path / "kiosk.key").read_text() == key_text
        assert (tmp_path / "kiosk.db").exists()
    finally:
        watcher.close()


def test_the_config_example_in_the_kiosk_docs_is_accepted() -> None:
    """docs/kiosk.md's example config is a config the kiosk accepts (the docs cannot drift)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "kiosk.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    config = parse_config(tomllib.loads(block.group(1)), base=Path("/etc/floorledger"))
    assert (config.kiosk_id, config.line, len(config.devices)) == ("K01", "L1", 2)
