"""A full disk at the kiosk: new events are refused with StorageFull, nothing is half-written, and the
store works again as soon as space returns. Uses a real 1 MiB tmpfs (the tests run as root)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import KioskClock
from kiosk.errors import StorageFull
from kiosk.store import KioskStore
from protocol.signing import Signer
from tests.system.delivery_support import body


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs mounted for this test and unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (are the tests running as root?): {done.stderr.decode()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path: Path) -> None:
    """Take every free byte of the file system."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0" * 512):
                pass
    finally:
        os.close(fd)


def test_full_disk_refuses_new_events_without_half_writing_and_recovers(tiny_disk: Path) -> None:
    """With the disk full, append raises StorageFull and the head does not move; the records stored
    before are intact; after space is freed the next append continues the chain and integrity holds."""
    store = KioskStore(tiny_disk / "k.db", "K1", Signer.generate(), KioskClock())
    try:
        for i in range(20):
            store.append(body(i))
        head = store.head()
        filler = tiny_disk / "filler"
        _fill(filler)
        refused = 0
        stored = 0
        for i in range(400):  # WAL pages may still fit a few: keep going until the disk is truly full
            try:
                store.append(body(i))
                stored += 1
            except StorageFull:
                refused += 1
                if refused >= 3:
                    break
        assert refused >= 3, "the disk never filled up"
        assert store.head().seq == head.seq + stored
        assert store.pending_count() == head.seq + stored
        os.unlink(filler)
        after = store.append(body(999))
        assert after.record.seq == head.seq + stored + 1
        assert store.check_integrity() == []
    finally:
        store.close()
    reopened = KioskStore(tiny_disk / "k.db", "K1", store.signer, KioskClock())
    try:
        assert reopened.check_integrity() == []
        assert reopened.head().seq == head.seq + stored + 1
    finally:
        reopened.close()
