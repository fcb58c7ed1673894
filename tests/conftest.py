"""Fixtures shared by every test package: the machine's MQTT broker and private Mosquitto processes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from floorledger.broker import MosquittoProcess, port_open

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# NiceGUI's `screen` fixture: Debian's chromium, and no Selenium Manager network look-ups.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("CHROME_BINARY_LOCATION", "/usr/bin/chromium")


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


@pytest.fixture(scope="session")
def machine_broker() -> BrokerAddress:
    """The Mosquitto these machines run on 127.0.0.1:1883 (`.ci/run` makes sure it is up)."""
    address = BrokerAddress("127.0.0.1", 1883)
    if not port_open(address.host, address.port):
        pytest.fail("no MQTT broker answers on 127.0.0.1:1883; start mosquitto (see .ci/run)")
    return address


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[MosquittoProcess]:
    """A Mosquitto of this test's own on a free port, which the test may stop, kill and restart."""
    broker = MosquittoProcess(workdir=tmp_path / "mosquitto")
    broker.start()
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only `shared/` folder beside the checkout: rule book and sample scenarios."""
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: CI lays shared/ beside the clone")
    return SHARED
