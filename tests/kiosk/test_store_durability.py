"""The kiosk's outbox: a record confirmed on screen is signed, chained, on disk, and survives a kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from kiosk.clock import KioskClock
from kiosk.store import DAY_MS, KioskStore
from protocol.chain import ChainHead
from protocol.messages import Ack
from protocol.records import GENESIS_HASH, Confirm, KeyRing, verify_frame
from protocol.signing import Signer
from tests.system.delivery_support import body, python_process


def _ack(store: KioskStore, seq: int, hash_: str | None = None, kiosk: str = "K1") -> Ack:
    rows = store.unacked(10_000)
    real = next((r.hash for r in rows if r.seq == seq), GENESIS_HASH)
    return Ack(hub="HUB", kiosk=kiosk, seq=seq, hash=hash_ or real, hub_ms=0)


def test_appended_records_are_signed_chained_and_survive_reopening(tmp_path: Path) -> None:
    """Each append returns a record signed with the kiosk key that names its predecessor; after closing
    and reopening the file the same chain is there, the integrity check passes and the next record
    continues the chain."""
    signer = Signer.generate()
    keys = KeyRing()
    keys.add("K1", signer.public_key)
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    first = [store.append(body(i)) for i in range(5)]
    assert [s.record.seq for s in first] == [1, 2, 3, 4, 5]
    assert first[0].record.prev == GENESIS_HASH
    assert all(b.record.prev == a.hash for a, b in zip(first, first[1:], strict=False))
    for signed in first:
        assert verify_frame(signed.frame, keys, expected_kiosk="K1").hash == signed.hash
    store.close()

    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    try:
        assert store.head() == ChainHead(seq=5, hash=first[-1].hash)
        assert store.check_integrity() == []
        assert store.pending_count() == 5
        assert [r.seq for r in store.unacked(3)] == [1, 2, 3]
        sixth = store.append(Confirm(person="P1", day="2026-10-04"))
        assert sixth.record.prev == first[-1].hash
        assert [r.seq for r in store.records_for_day("2026-10-05")] == [1, 2, 3, 4, 5]
        assert [r.seq for r in store.records_for_day("2026-10-04")] == [6]
    finally:
        store.close()


def test_power_loss_mid_burst_keeps_every_confirmed_record(tmp_path: Path) -> None:
    """kill -9 a kiosk process in the middle of a burst of 1,000 events: after reopening, every event
    whose append had returned is in the store, the chain verifies and the integrity check passes."""
    signer = Signer.generate()
    db = tmp_path / "k.db"
    proc = python_process("delivery_kiosk.py", "burst", str(db), "K1", signer.seed.hex(), "1000")
    confirmed: list[int] = []
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        while len(confirmed) < 300:
            confirmed.append(int(proc.stdout.readline()))
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
        confirmed.extend(int(line) for line in rest.split())
    finally:
        proc.kill()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(confirmed) < 1000, "the burst finished before the kill; the test proves nothing"
    store = KioskStore(db, "K1", signer, KioskClock())
    try:
        assert store.check_integrity() == []
        held = [r.seq for r in store.unacked(2000)]
        assert held[: len(confirmed)] == confirmed
        assert held == list(range(1, len(held) + 1))  # at most the one in flight beyond what was confirmed
        assert len(held) - len(confirmed) <= 1
    finally:
        store.close()


def test_integrity_check_reports_an_altered_or_missing_record(tmp_path: Path) -> None:
    """A frame edited on disk, and a record deleted from the middle, are both named by the check."""
    signer = Signer.generate()
    path = tmp_path / "k.db"
    store = KioskStore(path, "K1", signer, KioskClock())
    for i in range(6):
        store.append(body(i))
    store.close()
    with sqlite3.connect(path) as conn:
        frame = bytes(conn.execute("SELECT frame FROM outbox_record WHERE seq = 2").fetchone()[0])
        altered = frame.replace(b'"units":1', b'"units":9')
        conn.execute("UPDATE outbox_record SET frame = ? WHERE seq = 2", (altered,))
        conn.execute("DELETE FROM outbox_record WHERE seq = 4")
    conn.close()
    store = KioskStore(path, "K1", signer, KioskClock())
    try:
        problems = store.check_integrity()
    finally:
        store.close()
    assert any(p.startswith("record 2:") for p in problems)
    assert any("expected record 4" in p for p in problems)


def test_ack_marks_delivered_only_when_it_names_our_own_hash(tmp_path: Path) -> None:
    """An ack with another hash, for a record we never wrote, or for another kiosk marks nothing; a
    matching ack marks every record up to it delivered, and that survives reopening."""
    signer = Signer.generate()
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    try:
        for i in range(10):
            store.append(body(i))
        assert not store.apply_ack(_ack(store, 6, hash_="ab" * 32))
        assert not store.apply_ack(_ack(store, 11, hash_="ab" * 32))
        assert not store.apply_ack(_ack(store, 6, kiosk="K2"))
        assert store.pending_count() == 10
        assert store.apply_ack(_ack(store, 6))
        assert store.pending_count() == 4
        assert [r.seq for r in store.unacked(100)] == [7, 8, 9, 10]
        assert not store.apply_ack(_ack(store, 3))  # an old ack moves nothing back
    finally:
        store.close()
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    try:
        assert store.acked_seq() == 6
        assert store.pending_count() == 4
    finally:
        store.close()


def test_prune_removes_only_old_acknowledged_records_and_keeps_the_chain_checkable(tmp_path: Path) -> None:
    """Pruning after the retention period drops acknowledged records only; unacknowledged ones and the
    head stay, the next record still continues the chain and the integrity check still passes."""
    signer = Signer.generate()
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    try:
        for i in range(10):
            store.append(body(i))
        store.apply_ack(_ack(store, 7))
        now = time.time_ns() // 1_000_000
        assert store.prune(now, 30) == 0  # nothing is old yet
        removed = store.prune(now + 31 * DAY_MS, 30)
        assert removed == 7
        assert [r.seq for r in store.unacked(100)] == [8, 9, 10]
        assert store.check_integrity() == []
        store.apply_ack(_ack(store, 10))
        assert store.prune(now + 31 * DAY_MS, 30) == 2  # the head (10) is kept
        nxt = store.append(body(11))
        assert nxt.record.seq == 11
        assert store.check_integrity() == []
    finally:
        store.close()


def test_last_plan_is_kept_for_offline_use(tmp_path: Path) -> None:
    """The last line plan saved is what the kiosk reads after a restart without the hub."""
    signer = Signer.generate()
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    assert store.load_plan() is None
    store.save_plan(b"plan-1")
    store.save_plan(b"plan-2")
    store.close()
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    try:
        assert store.load_plan() == b"plan-2"
    finally:
        store.close()


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_clock_day_follows_the_site_time_zone_and_the_hub_offset(zone: str) -> None:
    """today() is the hub-corrected date in the site's zone; a minute's drift raises the clock warning."""
    wall = 1791190800000  # 2026-10-05 09:00 UTC, 17:00 in Shanghai
    clock = KioskClock(zone, wall=lambda: wall * 1_000_000, mono=lambda: 5_000_000, boot_id="b1")
    assert clock.today() == "2026-10-05"
    clock.set_hub_time(wall - 36_000_000)  # the hub is ten hours behind this kiosk
    assert clock.offset_ms == -36_000_000
    assert clock.clock_warning()
    assert clock.today() == ("2026-10-05" if zone == "Asia/Shanghai" else "2026-10-04")
    clock.set_hub_time(wall + 30_000)
    assert not clock.clock_warning()
    assert clock.mono_ms() == 5
