"""Fixtures for the device tests: an event recorder, and drivers that are always stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from devices.testing import EventRecorder

D = TypeVar("D")


@pytest.fixture
def recorder() -> EventRecorder:
    """Records the events of a device under test."""
    return EventRecorder()


@pytest.fixture
def run_driver() -> Iterator[Callable[[Any], Any]]:
    """Start a driver now and stop it at the end of the test, even when the test fails."""
    started: list[Any] = []

    def start(driver: D) -> D:
        started.append(driver)
        driver.start()  # type: ignore[attr-defined]
        return driver

    yield start
    for driver in started:
        driver.stop()
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("device:")]
    assert not leftover, f"driver threads still running after stop(): {leftover}"
